# bizmcp: MCP servers for CRM, orders, email and shipping.
# `make` lists the targets.

# The servers are the folders under servers/ holding a main.go: adding a
# server is adding its folder (docs/adding-a-server.md).
SERVERS  := $(sort $(patsubst servers/%/main.go,%,$(wildcard servers/*/main.go)))
# Release version: the git tag when the checkout has one, else the VERSION file.
VERSION  ?= $(shell git describe --tags --dirty 2>/dev/null || cat VERSION 2>/dev/null || echo dev)
LDFLAGS  := -s -w -X main.version=$(VERSION)
# The commands besides the servers: name:package.
COMMANDS := mock-backends:./mocks/cmd/mock-backends injscan:./cmd/injscan bizmcp-approve:./cmd/bizmcp-approve \
            bizmcp-audit:./cmd/bizmcp-audit bizmcp-policy:./cmd/bizmcp-policy bizmcp-approvals:./cmd/bizmcp-approvals \
            mcpdemo:./cmd/mcpdemo loadtest:./cmd/loadtest benchreport:./cmd/benchreport benchbare:./internal/benchbare
GO       ?= go
BIN      := bin

.DEFAULT_GOAL := help
.PHONY: help build test test-short demo lint openapi snapshots bench loadtest eval train-detector fuzz clean up down status servers version

help: ## list the targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_%-]+:.*## / {printf "  %-12s %s\n", $$1, $$2}' $(MAKEFILE_LIST)

servers: ## print the list of servers (the folders under servers/)
	@echo $(SERVERS)

version: ## print the version builds and images get
	@echo $(VERSION)

# build prints one line per binary with its time; GOOS/GOARCH/CGO_ENABLED
# pass through (make images sets them).
build: ## build every binary into bin/ (servers, mock-backends, injscan, bizmcp-approve, tools)
	@mkdir -p $(BIN)
	@echo "build: $(VERSION), $(words $(SERVERS)) servers ($(SERVERS)) and $(words $(COMMANDS)) commands into $(BIN)/"
	@n=0; total=$$(( $(words $(SERVERS)) + $(words $(COMMANDS)) )); \
	for t in $(addsuffix -mcp:./servers/,$(SERVERS)) $(COMMANDS); do \
		name=$${t%%:*}; pkg=$${t#*:}; case $$pkg in */servers/) pkg=$$pkg$${name%-mcp};; esac; \
		n=$$((n+1)); t0=$$(date +%s); [ -n "$(BUILD_QUIET)" ] || printf 'build: [%2d/%d] %-16s ' $$n $$total $$name; \
		CGO_ENABLED=$${CGO_ENABLED:-0} $(GO) build -trimpath -ldflags "$(LDFLAGS)" -o $(BIN)/$$name $$pkg || { echo "build: $$name FAILED"; exit 1; }; \
		[ -n "$(BUILD_QUIET)" ] || echo "$$(( $$(date +%s) - t0 ))s"; \
	done

test: build ## run every test (unit, in-memory MCP, golden schemas, end-to-end processes)
	BIZMCP_BIN=$(CURDIR)/$(BIN) $(GO) test -race -count=1 ./...

test-short: ## unit tests only, no race detector or process tests
	$(GO) test -short ./...

DEMO_FLAGS ?=
demo: ## build, start mock-backends, run a scripted MCP session per server (stdio in full, HTTP briefly); DEMO_FLAGS=--help
	@$(MAKE) -s --no-print-directory build BUILD_QUIET=1
	@$(BIN)/mcpdemo --bin $(BIN) $(DEMO_FLAGS)

# ---- all four servers at once, on loopback (docs/hosts.md) ----
UP_DIR ?= $(CURDIR)/.run
up: ## start mock-backends, Redis and every server over HTTP on loopback, in the background (make down stops them)
	@$(MAKE) -s --no-print-directory build BUILD_QUIET=1
	@BIN=$(BIN) UP_DIR=$(UP_DIR) deploy/local/up.sh up $(SERVERS)

down: ## stop what make up started
	@UP_DIR=$(UP_DIR) deploy/local/up.sh down

status: ## what make up started, and whether it runs
	@UP_DIR=$(UP_DIR) deploy/local/up.sh status

lint: ## gofmt, go vet, the stdout guard for server code, no merge conflict markers
	@test -z "$$(gofmt -l $$(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))" || { gofmt -l .; echo "gofmt: files above need formatting"; exit 1; }
	$(GO) vet ./...
	$(GO) vet -tags sanitize_ablate ./shared/sanitize # BenchmarkColdWithout's build
	@! git grep -n -E '\bfmt\.Print(ln|f)?\(|os\.Stdout' -- 'servers/*.go' 'shared/*.go' ':!*_test.go' | grep -v -i stdout || { echo "server code must not write to stdout"; exit 1; }
	@! git grep -n -E '^(<<<<<<<|>>>>>>>) ' -- ':!*.jsonl' || { echo "lint: merge conflict markers above"; exit 1; }

openapi: ## rewrite docs/openapi/*.yaml from the mock backends' types (a test checks they are current and match mock-backends)
	UPDATE_OPENAPI=1 $(GO) test ./internal/openapigen -run DocumentsAreCurrent -count=1

snapshots: ## rewrite the golden tool-schema snapshots and the precomputed schemas (schemas_gen.go)
	UPDATE_TOOLSNAPS=true $(GO) test ./servers/... -run 'PrecomputedSchemaSnapshot' -count=1
	UPDATE_TOOLSNAPS=true $(GO) test ./servers/... -run 'Snapshot' -count=1

bench: build ## benchmarks: Go micro-benchmarks, then the stack vs a bare go-sdk tool (CPU per call over stdio and HTTP, cold start, RSS), sizes
	$(GO) test -run '^$$' -bench . -benchmem -benchtime 2000x ./shared/... ./servers/...
	SANITIZE_PATHOLOGICAL=1 $(GO) test -run '^$$' -bench '^BenchmarkPathological$$' -benchtime 2x ./shared/sanitize
	$(BIN)/benchreport --bin $(BIN)

loadtest: build ## 64 concurrent sessions per server over streamable HTTP against mock-backends
	$(BIN)/loadtest --bin $(BIN) --sessions 64 --duration 10s

eval: ## injection-detection and sanitization evaluation on the labelled corpus
	$(GO) run ./cmd/injeval

train-detector: ## retrain the sanitizer's learned model (shared/sanitize/model_weights.bin) from the tune and train corpora
	$(GO) run ./cmd/injtrain

FUZZTIME ?= 20s
fuzz: ## short fuzz runs: sanitizer, HTML to text, cursors, JSON guard, every server's tool arguments, every adapter's parsers (FUZZTIME=20s each)
	test/fuzz.sh ./shared/sanitize FuzzText $(FUZZTIME)
	test/fuzz.sh ./shared/sanitize FuzzMDInline $(FUZZTIME)
	test/fuzz.sh ./shared/sanitize FuzzRuleProg $(FUZZTIME)
	test/fuzz.sh ./shared/sanitize FuzzFold $(FUZZTIME)
	test/fuzz.sh ./shared/sanitize FuzzScanSubs $(FUZZTIME)
	test/fuzz.sh ./shared/sanitize FuzzStrTable $(FUZZTIME)
	test/fuzz.sh ./shared/htmltext FuzzText $(FUZZTIME)
	test/fuzz.sh ./shared/compress FuzzCursor $(FUZZTIME)
	test/fuzz.sh ./shared/jsonguard FuzzCheckDepth $(FUZZTIME)
	@for s in $(SERVERS); do \
		echo "fuzz: $$s FuzzToolArgs ($(FUZZTIME))"; \
		test/fuzz.sh ./servers/$$s FuzzToolArgs $(FUZZTIME) || exit 1; \
	done
	@for f in $$(grep -l '^func Fuzz' servers/*/internal/backends/*/*_test.go); do \
		d=$$(dirname $$f); \
		for fn in $$(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(.*/\1/p' $$f); do \
			echo "fuzz: $$d $$fn ($(FUZZTIME))"; \
			test/fuzz.sh ./$$d $$fn $(FUZZTIME) || exit 1; \
		done; \
	done

clean: ## remove build output
	rm -rf $(BIN)

# ---- containers and deployment (docs/deploy.md) ----
# `make images` builds one image per server with podman (or docker when its
# engine runs). The binaries are built here, by the host's Go (static, for
# linux/$(IMAGE_ARCH)), and copied into `scratch` images with the host's CA
# bundle (Dockerfile.prebuilt): no registry is contacted. The Dockerfile
# builds from source in docker.io/library/golang instead, for machines that
# can pull it.
IMAGE_PREFIX     ?= bizmcp
IMAGE_MAX_BYTES  ?= 25000000
IMAGE_ARCH       ?= $(shell $(GO) env GOARCH)
IMAGE_CONTEXT    := $(BIN)/image
CA_BUNDLE        ?= /etc/ssl/certs/ca-certificates.crt
CONTAINER_ENGINE ?= $(shell if command -v podman >/dev/null 2>&1; then echo podman; elif docker info >/dev/null 2>&1; then echo docker; fi)
HELM             ?= helm
HELM_CHART       := deploy/helm/bizmcp-server
APPROVALS_HELM_SET := --set publicURL=https://approvals.example.com,oidc.issuer=https://idp.example.com,oidc.clientID=bizmcp-approvals,store.redisURL=redis://redis:6379/0,secretName=bizmcp-approvals

.PHONY: images mock-image approvals-image image-binaries test-containers helm-lint

image-binaries:
	@test -n "$(CONTAINER_ENGINE)" || { echo "images: needs podman, or docker with a running engine"; exit 1; }
	@test -r $(CA_BUNDLE) || { echo "images: no CA bundle at $(CA_BUNDLE) (apt-get install ca-certificates, or CA_BUNDLE=path)"; exit 1; }
	@echo "images: building static linux/$(IMAGE_ARCH) binaries into $(IMAGE_CONTEXT)/"
	@$(MAKE) -s build BIN=$(IMAGE_CONTEXT) GOOS=linux GOARCH=$(IMAGE_ARCH) CGO_ENABLED=0 VERSION=$(VERSION) \
		COMMANDS=mock-backends:./mocks/cmd/mock-backends
	@cp $(CA_BUNDLE) $(IMAGE_CONTEXT)/ca-certificates.crt

images: image-binaries ## build bizmcp/<server>:<version> and :latest for every server (no registry needed); print sizes, fail at 25 MB
	@n=0; for s in $(SERVERS); do \
		n=$$((n+1)); t0=$$(date +%s); \
		echo "images: [$$n/$(words $(SERVERS))] $(IMAGE_PREFIX)/$$s:$(VERSION) with $(CONTAINER_ENGINE)"; \
		$(CONTAINER_ENGINE) build -q -f Dockerfile.prebuilt --target server --build-arg SERVER=$$s --build-arg VERSION=$(VERSION) \
			-t $(IMAGE_PREFIX)/$$s:$(VERSION) -t $(IMAGE_PREFIX)/$$s:latest $(IMAGE_CONTEXT) >/dev/null || exit 1; \
		echo "images: [$$n/$(words $(SERVERS))] done in $$(( $$(date +%s) - t0 ))s"; \
	done
	@fail=0; for s in $(SERVERS); do \
		size=$$($(CONTAINER_ENGINE) image inspect --format '{{.Size}}' $(IMAGE_PREFIX)/$$s:$(VERSION)) || exit 1; \
		verdict=ok; [ "$$size" -lt $(IMAGE_MAX_BYTES) ] || { verdict="TOO LARGE (limit $(IMAGE_MAX_BYTES) bytes)"; fail=1; }; \
		printf 'images: %-32s %9d bytes (%s MB)  %s\n' $(IMAGE_PREFIX)/$$s:$(VERSION) $$size $$(awk "BEGIN{printf \"%.1f\", $$size/1e6}") "$$verdict"; \
	done; exit $$fail

mock-image: image-binaries ## build bizmcp/mock-backends (the reference backends, for tests and demos)
	@echo "images: $(IMAGE_PREFIX)/mock-backends:$(VERSION) with $(CONTAINER_ENGINE)"
	@$(CONTAINER_ENGINE) build -q -f Dockerfile.prebuilt --target mock-backends --build-arg VERSION=$(VERSION) \
		-t $(IMAGE_PREFIX)/mock-backends:$(VERSION) -t $(IMAGE_PREFIX)/mock-backends:latest $(IMAGE_CONTEXT) >/dev/null

approvals-image: ## build bizmcp/approvals (the approvals console, docs/approvals.md)
	@test -n "$(CONTAINER_ENGINE)" || { echo "images: no podman and no running docker engine"; exit 1; }
	$(CONTAINER_ENGINE) build $(IMAGE_BUILD_FLAGS) $(IMAGE_BUILD_ARGS) --target approvals \
		-t $(IMAGE_PREFIX)/approvals:$(VERSION) -t $(IMAGE_PREFIX)/approvals:latest .

test-containers: ## build and run the images against mock-backends, drive them with the TypeScript SDK client (podman)
	test/containers/run.sh

helm-lint: ## helm lint and helm template the chart for each server; appVersion must be the VERSION file
	@grep -q '^appVersion: "$(shell cat VERSION)"' $(HELM_CHART)/Chart.yaml || { echo "helm-lint: $(HELM_CHART)/Chart.yaml appVersion is not $$(cat VERSION) (the VERSION file)"; exit 1; }
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
