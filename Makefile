# bizmcp: MCP servers for CRM, orders, email and shipping.
# `make` lists the targets.

SERVERS  := crm orders email shipping
BINARIES := $(addsuffix -mcp,$(SERVERS)) mock-backends injscan
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
GO       ?= go
BIN      := bin

.DEFAULT_GOAL := help
.PHONY: help build test test-short demo lint snapshots bench eval fuzz clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_%-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## build every binary into bin/
	@mkdir -p $(BIN)
	@for s in $(SERVERS); do \
		if [ -d servers/$$s ]; then $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/$$s-mcp ./servers/$$s || exit 1; fi; \
	done
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/mock-backends ./mocks/cmd/mock-backends
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/injscan ./cmd/injscan
	$(GO) build -trimpath -o $(BIN)/mcpdemo ./cmd/mcpdemo
	@ls -l $(BIN)

test: build ## run every test (unit, in-memory MCP, golden schemas, end-to-end processes)
	BIZMCP_BIN=$(CURDIR)/$(BIN) $(GO) test -race -count=1 ./...

test-short: ## unit tests only, no race detector or process tests
	$(GO) test -short ./...

demo: build ## build, start mock-backends, and run a scripted MCP session against each server (stdio and HTTP)
	$(BIN)/mcpdemo --bin $(BIN)

lint: ## gofmt, go vet, and the stdout guard for server code
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { gofmt -l .; echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	@! git grep -n -E '\bfmt\.Print(ln|f)?\(|os\.Stdout' -- 'servers/*.go' 'shared/*.go' ':!*_test.go' | grep -v -i stdout || { echo "server code must not write to stdout"; exit 1; }

snapshots: ## rewrite the golden tool-schema snapshots
	UPDATE_TOOLSNAPS=true $(GO) test ./servers/... -run 'Snapshot' -count=1

bench: ## benchmarks: sanitizer, compression, per-call cost
	$(GO) test -run '^$$' -bench . -benchmem ./shared/... ./servers/...

eval: ## injection-detection and sanitization evaluation on the labelled corpus
	$(GO) run ./cmd/injeval

fuzz: ## short fuzz runs of the parsers and the sanitizer
	$(GO) test -run '^$$' -fuzz FuzzText -fuzztime 20s ./shared/sanitize
	$(GO) test -run '^$$' -fuzz FuzzCursor -fuzztime 10s ./shared/compress

clean: ## remove build output
	rm -rf $(BIN)
