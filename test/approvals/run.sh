#!/usr/bin/env bash
# The approvals console's browser tests (docs/approvals.md): installs what
# they need if missing — Chromium, redis-server and Node from Debian's
# packages, playwright-core from npm (package-lock.json) — then runs
# TestBrowser, which starts redis-server, two orders-mcp --demo processes,
# bizmcp-approvals and a local OpenID provider on loopback and drives
# headless Chromium through suite.mjs. Screenshots go to
# test/approvals/screenshots/ (gitignored). Idempotent; exits non-zero on
# any failure.
set -euo pipefail
cd "$(dirname "$0")"
ROOT=$(cd ../.. && pwd)

need=()
[ -x /usr/bin/chromium ] || need+=(chromium)
command -v redis-server >/dev/null 2>&1 || need+=(redis-server)
command -v node >/dev/null 2>&1 && command -v npm >/dev/null 2>&1 || need+=(nodejs npm)
if [ ${#need[@]} -gt 0 ]; then
  echo "approvals: installing ${need[*]} (apt-get)"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi
/usr/bin/chromium --version 2>/dev/null | head -1 || true
npm ci --no-audit --no-fund --loglevel=error >/dev/null
rm -rf screenshots && mkdir -p screenshots
cd "$ROOT"
BIZMCP_APPROVALS_E2E=1 CHROMIUM=/usr/bin/chromium BIZMCP_APPROVALS_SCREENSHOTS="$ROOT/test/approvals/screenshots" \
  go test -count=1 -v -run '^TestBrowser$' -timeout 6m ./test/approvals/
echo "approvals: screenshots in test/approvals/screenshots/: $(ls test/approvals/screenshots | tr '\n' ' ')"
