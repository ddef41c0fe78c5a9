#!/usr/bin/env bash
# Starts a throwaway PostgreSQL from Debian's packages on loopback for the
# orders postgres backend's tests, and prints
#   ORDERS_TEST_DATABASE_URL=postgres://...
# (eval "$(test/pg/start.sh)" exports it). Idempotent: a second run reuses
# the server the first one started. PostgreSQL refuses to run as root, so
# as root it runs as the postgres user.
#
#   BIZMCP_PG_DIR  data, socket, log and port live here (default /tmp/bizmcp-pg)
#   test/pg/start.sh stop   stops it
set -euo pipefail

dir=${BIZMCP_PG_DIR:-/tmp/bizmcp-pg}
data=$dir/data

pgbin() {
  local d
  d=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
  if [ -n "$d" ] && [ -x "$d/initdb" ]; then echo "$d"; fi
}

bin=$(pgbin)
if [ -z "$bin" ]; then
  echo "test/pg: installing postgresql (apt-get)" >&2
  if [ "$(id -u)" -ne 0 ]; then echo "test/pg: postgresql is not installed and this is not root" >&2; exit 1; fi
  apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  bin=$(pgbin)
  [ -n "$bin" ] || { echo "test/pg: no initdb after installing postgresql" >&2; exit 1; }
fi

# as_pg runs a command as the user that owns the cluster.
as_pg() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

url() {
  printf 'ORDERS_TEST_DATABASE_URL=postgres://postgres:%s@127.0.0.1:%s/postgres?sslmode=disable\n' "$(cat "$dir/password")" "$(cat "$dir/port")"
}

if [ "${1:-}" = stop ]; then
  [ -d "$data" ] && as_pg "$bin/pg_ctl" -D "$data" -m fast -w stop >&2 || true
  exit 0
fi

# Reuse a running server.
if [ -f "$dir/port" ] && [ -f "$dir/password" ] && as_pg "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
  url
  exit 0
fi

mkdir -p "$dir"
if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir"; fi
chmod 700 "$dir"
if [ ! -f "$data/PG_VERSION" ]; then
  rm -rf "$data"
  pw=$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')
  printf '%s' "$pw" >"$dir/password"
  printf '%s\n' "$pw" >"$dir/pwfile"
  if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir/password" "$dir/pwfile"; fi
  chmod 600 "$dir/password" "$dir/pwfile"
  as_pg "$bin/initdb" -D "$data" -U postgres --pwfile="$dir/pwfile" --auth-local=scram-sha-256 --auth-host=scram-sha-256 \
    --encoding=UTF8 --locale=C.UTF-8 >"$dir/initdb.log" 2>&1 || { cat "$dir/initdb.log" >&2; exit 1; }
  rm -f "$dir/pwfile"
fi

# A free loopback port: random in 20000-59999, not answering.
port=""
for _ in $(seq 1 50); do
  p=$((20000 + RANDOM % 40000))
  if ! (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then port=$p; break; fi
done
[ -n "$port" ] || { echo "test/pg: no free port" >&2; exit 1; }

mkdir -p "$dir/sock"
if [ "$(id -u)" -eq 0 ]; then chown postgres "$dir/sock"; fi
# Tests only: no fsync, loopback only, room for the 64-session benchmark.
as_pg "$bin/pg_ctl" -D "$data" -l "$dir/server.log" -w -t 60 \
  -o "-c listen_addresses=127.0.0.1 -p $port -k $dir/sock -c max_connections=200 -c fsync=off -c synchronous_commit=off -c full_page_writes=off" \
  start >&2 || { tail -n 30 "$dir/server.log" >&2; exit 1; }
printf '%s' "$port" >"$dir/port"
url
