# bizmcp: MCP servers for CRM, orders, email and shipping.
# `make` lists the targets.

SERVERS  := crm orders email shipping
BINARIES := $(addsuffix -mcp,$(SERVERS)) mock-backends injscan
VERSION  ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
GO       ?= go
BIN      := bin

.DEFAULT_GOAL := help
.PHONY: help build test test-short demo lint snapshots bench loadtest eval fuzz clean

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_%-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

build: ## build every binary into bin/
	@mkdir -p $(BIN)
	@for s in $(SERVERS); do \
		if [ -d servers/$$s ]; then CGO_ENABLED=0 $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/$$s-mcp ./servers/$$s || exit 1; fi; \
	done
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/mock-backends ./mocks/cmd/mock-backends
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/injscan ./cmd/injscan
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/bizmcp-audit ./cmd/bizmcp-audit
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/bizmcp-policy ./cmd/bizmcp-policy
	$(GO) build -trimpath -o $(BIN)/mcpdemo ./cmd/mcpdemo
	$(GO) build -trimpath -o $(BIN)/loadtest ./cmd/loadtest
	$(GO) build -trimpath -o $(BIN)/benchreport ./cmd/benchreport
	CGO_ENABLED=0 $(GO) build -trimpath -ldflags "-s -w" -o $(BIN)/benchbare ./internal/benchbare
	$(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/bizmcp-approvals ./cmd/bizmcp-approvals
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

bench: build ## benchmarks: Go micro-benchmarks, then the stack vs a bare go-sdk tool (CPU per call over stdio and HTTP, cold start, RSS), sizes
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2000x ./shared/... ./servers/...
	SANITIZE_PATHOLOGICAL=1 $(GO) test -run '^$$' -bench '^BenchmarkPathological$$' -benchtime 2x ./shared/sanitize
	$(BIN)/benchreport --bin $(BIN)

loadtest: build ## 64 concurrent sessions per server over streamable HTTP against mock-backends
	$(BIN)/loadtest --bin $(BIN) --sessions 64 --duration 10s

eval: ## injection-detection and sanitization evaluation on the labelled corpus
	$(GO) run ./cmd/injeval

FUZZTIME ?= 20s
fuzz: ## short fuzz runs: sanitizer, cursors, JSON guard, every server's tool arguments (FUZZTIME=20s each)
	$(GO) test -run '^$$' -fuzz '^FuzzText$$' -fuzztime $(FUZZTIME) ./shared/sanitize
	$(GO) test -run '^$$' -fuzz '^FuzzCursor$$' -fuzztime $(FUZZTIME) ./shared/compress
	$(GO) test -run '^$$' -fuzz '^FuzzCheckDepth$$' -fuzztime $(FUZZTIME) ./shared/jsonguard
	@for s in $(SERVERS); do \
		$(GO) test -run '^$$' -fuzz '^FuzzToolArgs$$' -fuzztime $(FUZZTIME) ./servers/$$s || exit 1; \
	done

clean: ## remove build output
	rm -rf $(BIN)

# ---- containers and deployment (docs/deploy.md) ----
# `make images` builds one image per server from the Dockerfile with podman
# (or docker when its engine runs). Without registry access pass a local
# builder image: make images GO_IMAGE=localhost/go-toolchain:local
# (test/containers/go-toolchain-image.sh makes one from the host's Go).
IMAGE_PREFIX     ?= bizmcp
GO_IMAGE         ?= golang:1.26
IMAGE_MAX_BYTES  ?= 20000000
CONTAINER_ENGINE ?= $(shell if command -v podman >/dev/null 2>&1; then echo podman; elif docker info >/dev/null 2>&1; then echo docker; fi)
# podman builds need the host network here to reach the Go module proxy.
IMAGE_BUILD_FLAGS ?= $(if $(filter podman,$(notdir $(CONTAINER_ENGINE))),--network host)
IMAGE_BUILD_ARGS  = --build-arg GO_IMAGE=$(GO_IMAGE) --build-arg VERSION=$(VERSION) --build-arg GOPROXY=$(shell $(GO) env GOPROXY 2>/dev/null)
HELM             ?= helm
HELM_CHART       := deploy/helm/bizmcp-server
APPROVALS_HELM_SET := --set publicURL=https://approvals.example.com,oidc.issuer=https://idp.example.com,oidc.clientID=bizmcp-approvals,store.redisURL=redis://redis:6379/0,secretName=bizmcp-approvals

.PHONY: images mock-image approvals-image test-containers helm-lint

images: ## build bizmcp/<server>:<version> and :latest for the four servers; print sizes, fail at 20 MB
	@test -n "$(CONTAINER_ENGINE)" || { echo "images: no podman and no running docker engine"; exit 1; }
	@for s in $(SERVERS); do \
		if [ ! -d servers/$$s ]; then echo "images: skipping $$s (servers/$$s does not exist yet)"; continue; fi; \
		echo "images: building $(IMAGE_PREFIX)/$$s:$(VERSION) with $(CONTAINER_ENGINE)"; \
		$(CONTAINER_ENGINE) build $(IMAGE_BUILD_FLAGS) $(IMAGE_BUILD_ARGS) --build-arg SERVER=$$s \
			-t $(IMAGE_PREFIX)/$$s:$(VERSION) -t $(IMAGE_PREFIX)/$$s:latest . || exit 1; \
	done
	@fail=0; for s in $(SERVERS); do \
		[ -d servers/$$s ] || continue; \
		size=$$($(CONTAINER_ENGINE) image inspect --format '{{.Size}}' $(IMAGE_PREFIX)/$$s:$(VERSION)) || exit 1; \
		verdict=ok; [ "$$size" -lt $(IMAGE_MAX_BYTES) ] || { verdict="TOO LARGE (limit $(IMAGE_MAX_BYTES) bytes)"; fail=1; }; \
		printf 'images: %-32s %9d bytes (%s MB)  %s\n' $(IMAGE_PREFIX)/$$s:$(VERSION) $$size $$(awk "BEGIN{printf \"%.1f\", $$size/1e6}") "$$verdict"; \
	done; exit $$fail

mock-image: ## build bizmcp/mock-backends (the reference backends, for tests and demos)
	@test -n "$(CONTAINER_ENGINE)" || { echo "images: no podman and no running docker engine"; exit 1; }
	$(CONTAINER_ENGINE) build $(IMAGE_BUILD_FLAGS) $(IMAGE_BUILD_ARGS) --target mock-backends \
		-t $(IMAGE_PREFIX)/mock-backends:$(VERSION) -t $(IMAGE_PREFIX)/mock-backends:latest .

approvals-image: ## build bizmcp/approvals (the approvals console, docs/approvals.md)
	@test -n "$(CONTAINER_ENGINE)" || { echo "images: no podman and no running docker engine"; exit 1; }
	$(CONTAINER_ENGINE) build $(IMAGE_BUILD_FLAGS) $(IMAGE_BUILD_ARGS) --target approvals \
		-t $(IMAGE_PREFIX)/approvals:$(VERSION) -t $(IMAGE_PREFIX)/approvals:latest .

test-containers: ## build and run the images against mock-backends, drive them with the TypeScript SDK client (podman)
	test/containers/run.sh

helm-lint: ## helm lint and helm template the chart for each server, and the approvals console's chart
	$(HELM) lint --strict $(HELM_CHART)
	@for s in $(SERVERS); do \
		$(HELM) lint --strict $(HELM_CHART) --set server=$$s >/dev/null || exit 1; \
		$(HELM) template $$s $(HELM_CHART) --set server=$$s >/dev/null || exit 1; \
		echo "helm-lint: $$s: lint and template ok"; \
	done
	$(HELM) lint --strict deploy/helm/bizmcp-approvals $(APPROVALS_HELM_SET)
	$(HELM) template approvals deploy/helm/bizmcp-approvals $(APPROVALS_HELM_SET) --set ingress.enabled=true >/dev/null
	@! $(HELM) template approvals deploy/helm/bizmcp-approvals >/dev/null 2>&1 || { echo "helm-lint: bizmcp-approvals rendered without its required values"; exit 1; }
	@echo "helm-lint: bizmcp-approvals: lint and template ok"
