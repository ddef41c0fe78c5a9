#!/usr/bin/env bash
# Container and deployment checks, run by .ci/run after `make test` (and by
# `make test-containers`). On a fresh Debian machine, as root:
#
#  1. installs podman (runc, cgroupfs, overlay; see docs/deploy.md) if missing,
#     and helm from the Go module proxy (go install, in the background);
#  2. `make images` (every server, size-checked) and `make mock-image`: the
#     binaries are built by the host's Go and copied into scratch images, so
#     no registry is contacted;
#  3. runs one pod holding mock-backends and every server image, each
#     server's port published on 127.0.0.1 and its backend URL pointed at
#     mock-backends inside the pod, and drives each server over streamable
#     HTTP with the official TypeScript SDK client (client.mjs);
#  4. stateless replicas: two more CRM containers behind a round-robin proxy
#     (test/replicaproxy) serve one client session;
#  5. graceful shutdown: `podman stop` (SIGTERM) during a slow call; the call
#     completes, new connections are refused, the container exits 0 within
#     the grace period;
#  6. helm lint and helm template of deploy/helm/bizmcp-server per server.
#
# Every wait is bounded; containers, the pod and the proxy are removed on
# exit. The servers are the folders under servers/ with a main.go.
# Settings (environment): CT_BASE_PORT (18080: ports BASE..BASE+12 on
# 127.0.0.1; servers from BASE+1, replicas at BASE+11/12, so at most 9
# servers), HELM_VERSION (v3.22.0), SKIP_HELM=1, KEEP=1 (leave the pod up).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$PWD
T0=$(date +%s)
step() { echo "== [$(($(date +%s) - T0))s] $*"; }
die() { echo "FAIL: $*" >&2; exit 1; }

SERVERS=()
for d in servers/*/main.go; do d=${d%/main.go}; SERVERS+=("${d#servers/}"); done
[ ${#SERVERS[@]} -le 9 ] || die "more than 9 servers: widen the port plan below"
BASE=${CT_BASE_PORT:-18080}
POD=bizmcp-ci
HELM_VERSION=${HELM_VERSION:-v3.22.0}
VERSION=$(make -s version)
WORK=$(mktemp -d)
PROXY_PID=
HELM_PID=

# Ports: host 127.0.0.1:PORT -> pod PORT'.
MOCK_HOST_PORT=$BASE                # -> 9000 (mock-backends)
server_port() {                     # pod-side port of server #i (1..9)
	echo $((8080 + $1))
}
PROXY_PORT=$((BASE + 10))           # replicaproxy on the host
REPLICA_PORTS=(8091 8092)           # -> BASE+11, BASE+12

cleanup() {
	local rc=$?
	if [ $rc -ne 0 ] && podman pod exists "$POD" 2>/dev/null; then
		for c in $(podman ps -a --pod --filter "pod=$POD" --format '{{.Names}}' 2>/dev/null); do
			case $c in *-infra) continue ;; esac
			echo "---- logs of $c (last 20 lines)"
			podman logs --tail 20 "$c" 2>&1 || true
		done
	fi
	[ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null || true
	[ -n "$HELM_PID" ] && kill "$HELM_PID" 2>/dev/null || true
	if [ -z "${KEEP:-}" ] && command -v podman >/dev/null 2>&1; then
		podman pod rm -f -t 0 "$POD" >/dev/null 2>&1 || true
	fi
	rm -rf "$WORK"
	echo "== [$(($(date +%s) - T0))s] container checks $([ $rc -eq 0 ] && echo passed || echo FAILED)"
	exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# wait_http URL SECONDS: until GET URL answers 2xx.
wait_http() {
	local deadline=$(($(date +%s) + $2))
	until curl -fsS -m 2 -o /dev/null "$1" 2>/dev/null; do
		[ "$(date +%s)" -lt "$deadline" ] || die "$1 not up within $2 s"
		sleep 0.2
	done
}

# ---- 1. tools --------------------------------------------------------------
step "podman, node, helm"
[ "$(id -u)" -eq 0 ] || die "run as root (podman is used rootful, as measured on these machines)"
missing=()
command -v podman >/dev/null || missing+=(podman runc)
[ -x /bin/busybox ] || missing+=(busybox-static)
command -v curl >/dev/null || missing+=(curl)
if [ ${#missing[@]} -gt 0 ]; then
	echo "installing ${missing[*]}"
	export DEBIAN_FRONTEND=noninteractive
	timeout 600 apt-get update -q >/dev/null
	timeout 900 apt-get install -y -q "${missing[@]}" >/dev/null
fi
mkdir -p /etc/containers
# runc + cgroupfs (crun fails on cgroups here); ulimits within the sandbox's.
[ -f /etc/containers/containers.conf ] || cat >/etc/containers/containers.conf <<'EOF'
[containers]
default_ulimits = ["nofile=4096:4096", "nproc=4096:4096"]
[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
EOF
# overlay: about 3x faster than vfs here.
[ -f /etc/containers/storage.conf ] || cat >/etc/containers/storage.conf <<'EOF'
[storage]
driver = "overlay"
runroot = "/run/containers/storage"
graphroot = "/var/lib/containers/storage"
EOF
podman --version
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
[ "$node_major" -ge 20 ] || die "node 20 or later is needed for the TypeScript SDK client"

HELM_BIN=$(go env GOPATH)/bin/helm
if [ -z "${SKIP_HELM:-}" ]; then
	have=$( [ -x "$HELM_BIN" ] && go version -m "$HELM_BIN" 2>/dev/null | awk '$1 == "mod" && $2 == "helm.sh/helm/v3" {print $3}' || true)
	if [ "$have" != "$HELM_VERSION" ]; then
		echo "installing helm $HELM_VERSION from the Go module proxy (background)"
		(cd "$WORK" && timeout 900 go install "helm.sh/helm/v3/cmd/helm@$HELM_VERSION") >"$WORK/helm-install.log" 2>&1 &
		HELM_PID=$!
	fi
fi

# ---- 2. images -------------------------------------------------------------
step "make images (VERSION=$VERSION)"
timeout 1500 make -s images CONTAINER_ENGINE=podman VERSION="$VERSION" ||
	die "make images"
step "make mock-image"
timeout 600 make -s mock-image CONTAINER_ENGINE=podman VERSION="$VERSION" ||
	die "make mock-image"
podman image inspect --format 'images: bizmcp/mock-backends:{{index .Labels "org.opencontainers.image.version"}} {{.Size}} bytes' "bizmcp/mock-backends:$VERSION"

step "npm ci (official MCP TypeScript SDK) and the replica proxy"
(cd test/containers && timeout 300 npm ci --no-audit --no-fund --loglevel=error) || die "npm ci"
go build -o "$WORK/replicaproxy" ./test/replicaproxy

# ---- 3. every image against mock-backends ------------------------------------
present=("${SERVERS[@]}")
[ ${#present[@]} -gt 0 ] || die "no server to run"

step "pod $POD: mock-backends + ${present[*]} + 2 CRM replicas, ports on 127.0.0.1"
podman pod rm -f -t 0 "$POD" >/dev/null 2>&1 || true
publish=(-p "127.0.0.1:$MOCK_HOST_PORT:9000")
for i in $(seq ${#SERVERS[@]}); do publish+=(-p "127.0.0.1:$((BASE + i)):$(server_port $i)"); done
publish+=(-p "127.0.0.1:$((BASE + 11)):${REPLICA_PORTS[0]}" -p "127.0.0.1:$((BASE + 12)):${REPLICA_PORTS[1]}")
podman pod create --name "$POD" "${publish[@]}" >/dev/null
# The same restrictions as the Helm chart: read-only root, no capabilities,
# no privilege escalation, numeric non-root user (from the image).
hardening=(--read-only --cap-drop ALL --security-opt no-new-privileges)
podman run -d --pod "$POD" --name "$POD-mock" "${hardening[@]}" "bizmcp/mock-backends:$VERSION" >/dev/null
wait_http "http://127.0.0.1:$MOCK_HOST_PORT/crm/health" 30

# run_server NAME SERVER PODPORT: one server container in the pod. The image
# listens on 0.0.0.0:8080; here each gets its own port since the pod shares
# one network namespace. MCP_INSECURE_NO_AUTH: no auth server in this test.
run_server() {
	local name=$1 s=$2 port=$3 prefix
	prefix=$(echo "$s" | tr '[:lower:]-' '[:upper:]_')
	podman run -d --pod "$POD" --name "$name" "${hardening[@]}" \
		-e MCP_ADDR="0.0.0.0:$port" -e MCP_INSECURE_NO_AUTH=true -e MCP_SHUTDOWN_GRACE=15s \
		-e "${prefix}_API_URL=http://127.0.0.1:9000/$s" \
		"bizmcp/$s:$VERSION" >/dev/null
}
for i in $(seq ${#SERVERS[@]}); do
	s=${SERVERS[$((i - 1))]}
	run_server "$POD-$s" "$s" "$(server_port $i)"
done
for i in $(seq ${#SERVERS[@]}); do
	s=${SERVERS[$((i - 1))]}
	wait_http "http://127.0.0.1:$((BASE + i))/healthz" 30
	step "$s: TypeScript SDK client over streamable HTTP at 127.0.0.1:$((BASE + i))"
	out=$(timeout 120 node test/containers/client.mjs --server "$s" --url "http://127.0.0.1:$((BASE + i))") ||
		{ echo "$out"; die "$s: client checks"; }
	echo "$out" | node -e 'const r = JSON.parse(require("fs").readFileSync(0, "utf8")); for (const c of r.checks.filter((c) => !/: (domain prefix|has a description|has annotations)/.test(c))) console.log("   ok  " + c); console.log(`   ok  ${r.checks.length} checks; every tool has a description and annotations; server version ${r.serverVersion}`); if (r.serverVersion !== process.argv[1]) { console.error(`version ${r.serverVersion} != ${process.argv[1]}`); process.exit(1); }' "$VERSION" ||
		die "$s: version stamp"
done

# ---- 4. stateless replicas behind a round-robin proxy ------------------------
step "replicas: two CRM containers behind a round-robin proxy, one client session"
run_server "$POD-crm-r1" crm "${REPLICA_PORTS[0]}"
run_server "$POD-crm-r2" crm "${REPLICA_PORTS[1]}"
wait_http "http://127.0.0.1:$((BASE + 11))/healthz" 30
wait_http "http://127.0.0.1:$((BASE + 12))/healthz" 30
"$WORK/replicaproxy" --addr "127.0.0.1:$PROXY_PORT" \
	--backend "http://127.0.0.1:$((BASE + 11))" --backend "http://127.0.0.1:$((BASE + 12))" 2>"$WORK/proxy.log" &
PROXY_PID=$!
wait_http "http://127.0.0.1:$PROXY_PORT/_proxy/stats" 10
out=$(timeout 120 node test/containers/client.mjs --server crm --url "http://127.0.0.1:$PROXY_PORT" --session 10) ||
	{ echo "$out"; die "replica session"; }
stats=$(curl -fsS -m 5 "http://127.0.0.1:$PROXY_PORT/_proxy/stats")
echo "   session: $(echo "$out" | node -p 'const r = JSON.parse(require("fs").readFileSync(0, "utf8")); `${r.checks.length} steps, ${r.requests} tool requests, all ok`')"
echo "   proxy:   $stats"
echo "$stats" | node -e 'const s = JSON.parse(require("fs").readFileSync(0, "utf8")); if (!s.backends.every((b) => b.requests >= 5 && b.errors === 0)) process.exit(1)' ||
	die "replicas: each replica must serve part of the session without errors"

# ---- 5. graceful shutdown --------------------------------------------------
step "graceful shutdown: SIGTERM (podman stop -t 20) during a slow call"
target="$POD-crm"
port=
for i in $(seq ${#SERVERS[@]}); do [ "${SERVERS[$((i - 1))]}" = crm ] && port=$((BASE + i)); done
[ -n "$port" ] || die "no crm server"
curl -fsS -m 5 -X PUT --data '/crm/customers/*=latency:2s#1' "http://127.0.0.1:$MOCK_HOST_PORT/_faults" >/dev/null
marker=$WORK/call-started
timeout 60 node test/containers/client.mjs --server crm --url "http://127.0.0.1:$port" --slow-call --marker "$marker" >"$WORK/slow.json" &
client_pid=$!
deadline=$(($(date +%s) + 20))
until [ -f "$marker" ]; do
	[ "$(date +%s)" -lt "$deadline" ] || die "slow call did not start"
	sleep 0.1
done
sleep 0.5 # the call is now waiting on the 2 s backend latency
t_stop=$(date +%s.%N)
timeout 40 podman stop -t 20 "$target" >/dev/null &
stop_pid=$!
refused=
for _ in $(seq 30); do
	sleep 0.1
	rc=0
	curl -sS -m 1 -o /dev/null "http://127.0.0.1:$port/healthz" 2>/dev/null || rc=$?
	if [ $rc -eq 7 ]; then refused=yes; break; fi
done
[ -n "$refused" ] || die "new connections were still accepted after SIGTERM"
kill -0 "$client_pid" 2>/dev/null || die "the call ended before new connections were refused (too fast to tell)"
echo "   new connection refused while the call was in flight"
wait "$client_pid" || { cat "$WORK/slow.json"; die "in-flight call failed during shutdown"; }
echo "   $(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).checks[0]' "$WORK/slow.json")"
wait "$stop_pid" || die "podman stop failed"
t_done=$(date +%s.%N)
code=$(podman inspect --format '{{.State.ExitCode}}' "$target")
took=$(awk "BEGIN{printf \"%.1f\", $t_done - $t_stop}")
echo "   container exited with status $code, ${took}s after SIGTERM (grace 15s, stop timeout 20s)"
[ "$code" = 0 ] || die "exit status $code after SIGTERM, want 0"
awk "BEGIN{exit !($t_done - $t_stop < 15)}" || die "shutdown took ${took}s, more than the grace period"
podman logs "$target" 2>&1 | grep -q '"msg":"stopped"' || die "no 'stopped' log line"
curl -fsS -m 5 -X DELETE "http://127.0.0.1:$MOCK_HOST_PORT/_faults" >/dev/null

# ---- 6. helm ---------------------------------------------------------------
if [ -z "${SKIP_HELM:-}" ]; then
	step "helm lint and helm template (helm $HELM_VERSION from the Go module proxy)"
	if [ -n "$HELM_PID" ]; then
		wait "$HELM_PID" || { cat "$WORK/helm-install.log"; die "go install helm"; }
		HELM_PID=
	fi
	make -s helm-lint HELM="$HELM_BIN"
fi
