#!/usr/bin/env bash
# Runs every bizmcp server over streamable HTTP on loopback, with
# mock-backends (the reference APIs and their sample data) and Redis (the
# shared idempotency and approval store), as background processes. Used by
# `make up` and `make down`; see docs/hosts.md.
#
#   deploy/local/up.sh up [SERVER...]   start (default: every folder under servers/)
#   deploy/local/up.sh down             stop what up started
#   deploy/local/up.sh status           what runs, and where
#
# Ports (127.0.0.1): mock-backends UP_MOCK_PORT (9000), Redis UP_REDIS_PORT
# (6390), servers from UP_BASE_PORT (8081) in the order of the list: crm
# 8081, email 8082, orders 8083, shipping 8084. Pid files and logs go to
# UP_DIR (.run/ in the checkout). MCP_APPROVAL_TOKEN (default: a fixed
# local token, printed) turns on each server's approvals endpoint.
# Redis: redis-server from PATH; without it (or with UP_REDIS=0) the servers
# keep their stores in memory.
set -euo pipefail
cd "$(dirname "$0")/../.."
BIN=${BIN:-bin}
UP_DIR=${UP_DIR:-$PWD/.run}
MOCK_PORT=${UP_MOCK_PORT:-9000}
REDIS_PORT=${UP_REDIS_PORT:-6390}
BASE_PORT=${UP_BASE_PORT:-8081}
APPROVAL_TOKEN=${MCP_APPROVAL_TOKEN:-local-approver-token}

say() { echo "up: $*"; }
die() { echo "up: $*" >&2; exit 1; }

running() { [ -f "$UP_DIR/$1.pid" ] && kill -0 "$(cat "$UP_DIR/$1.pid")" 2>/dev/null; }

# wait_for URL SECONDS: until GET URL answers 2xx, or fail with the log.
wait_for() {
	local name=$1 url=$2 deadline=$(($(date +%s) + $3))
	until curl -fsS -m 2 -o /dev/null "$url" 2>/dev/null; do
		if ! running "$name"; then tail -5 "$UP_DIR/$name.log" >&2; die "$name exited (log: $UP_DIR/$name.log)"; fi
		[ "$(date +%s)" -lt "$deadline" ] || die "$name not answering $url within $3 s (log: $UP_DIR/$name.log)"
		sleep 0.2
	done
}

# start NAME CMD...: runs CMD in the background with its pid in UP_DIR.
start() {
	local name=$1
	shift
	if running "$name"; then die "$name already runs (pid $(cat "$UP_DIR/$name.pid")); make down first"; fi
	"$@" >"$UP_DIR/$name.log" 2>&1 &
	echo $! >"$UP_DIR/$name.pid"
}

port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

up() {
	local servers=("$@")
	if [ ${#servers[@]} -eq 0 ]; then
		for d in servers/*/main.go; do d=${d%/main.go}; servers+=("${d#servers/}"); done
	fi
	command -v curl >/dev/null || die "curl is needed"
	mkdir -p "$UP_DIR"
	local ports=("$MOCK_PORT") i
	for i in "${!servers[@]}"; do ports+=($((BASE_PORT + i))); done
	for p in "${ports[@]}"; do port_free "$p" || die "127.0.0.1:$p is in use (make down, or set UP_MOCK_PORT / UP_BASE_PORT)"; done

	say "mock-backends on 127.0.0.1:$MOCK_PORT"
	start mock-backends "$BIN/mock-backends" --addr "127.0.0.1:$MOCK_PORT"
	wait_for mock-backends "http://127.0.0.1:$MOCK_PORT/" 20

	local redis_env=()
	if [ "${UP_REDIS:-1}" != 0 ] && command -v redis-server >/dev/null; then
		port_free "$REDIS_PORT" || die "127.0.0.1:$REDIS_PORT is in use (set UP_REDIS_PORT)"
		say "redis-server on 127.0.0.1:$REDIS_PORT (idempotency records and approvals, shared by the servers)"
		start redis redis-server --bind 127.0.0.1 --port "$REDIS_PORT" --save '' --appendonly no
		for _ in $(seq 50); do redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
		redis-cli -p "$REDIS_PORT" ping >/dev/null 2>&1 || die "redis-server did not start (log: $UP_DIR/redis.log)"
		redis_env=(MCP_REDIS_URL="redis://127.0.0.1:$REDIS_PORT/0")
	else
		say "no redis-server (apt-get install redis-server): stores stay in each server's memory"
	fi

	for i in "${!servers[@]}"; do
		local s=${servers[$i]} port=$((BASE_PORT + i)) prefix
		prefix=$(echo "$s" | tr '[:lower:]-' '[:upper:]_')
		[ -x "$BIN/$s-mcp" ] || die "$BIN/$s-mcp is missing (make build)"
		start "$s" env "${prefix}_API_URL=http://127.0.0.1:$MOCK_PORT/$s" "${redis_env[@]}" \
			MCP_TRANSPORT=http MCP_ADDR="127.0.0.1:$port" MCP_APPROVAL_TOKEN="$APPROVAL_TOKEN" \
			MCP_AUDIT_LOG="$UP_DIR/$s-audit.jsonl" "$BIN/$s-mcp"
	done
	for i in "${!servers[@]}"; do
		local s=${servers[$i]} port=$((BASE_PORT + i))
		wait_for "$s" "http://127.0.0.1:$port/readyz" 20
		say "$s-mcp: MCP at http://127.0.0.1:$port/mcp (ready)"
	done
	say "approvals: bizmcp-approve --url http://127.0.0.1:PORT --token $APPROVAL_TOKEN list"
	say "logs and pids in $UP_DIR; make down stops everything"
}

down() {
	[ -d "$UP_DIR" ] || { say "nothing runs"; return; }
	local f name pid n=0
	for f in "$UP_DIR"/*.pid; do
		[ -e "$f" ] || continue
		name=$(basename "$f" .pid)
		pid=$(cat "$f")
		if kill -0 "$pid" 2>/dev/null; then
			kill "$pid"
			for _ in $(seq 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
			kill -0 "$pid" 2>/dev/null && kill -9 "$pid"
			say "stopped $name (pid $pid)"
			n=$((n + 1))
		fi
		rm -f "$f"
	done
	[ $n -gt 0 ] || say "nothing runs"
}

status() {
	local f name
	for f in "$UP_DIR"/*.pid; do
		[ -e "$f" ] || { say "nothing runs"; return; }
		name=$(basename "$f" .pid)
		if running "$name"; then say "$name: running (pid $(cat "$f"))"; else say "$name: not running"; fi
	done
}

cmd=${1:-}
shift || true
case $cmd in
up) up "$@" ;;
down) down ;;
status) status ;;
*) echo "usage: deploy/local/up.sh up [SERVER...] | down | status" >&2; exit 2 ;;
esac
