#!/usr/bin/env bash
# Runs every command of README.md and docs/*.md that can run here, as
# written, from the repository root (see readme_test.go for what is
# skipped and why), checks every JSON block, and starts every host
# configuration of docs/hosts.md. Builds first. Binds the fixed loopback
# ports of docs/hosts.md (9000, 6390, 8080-8084).
set -euo pipefail
cd "$(dirname "$0")/../.."
make -s build BUILD_QUIET=1
BIZMCP_README=1 go test -count=1 -timeout 20m -v ./test/readme 2>&1 | grep -v '^=== RUN' 
exit "${PIPESTATUS[0]}"
