# One image per MCP server, from one Dockerfile:
#
#   docker build --build-arg SERVER=crm --build-arg VERSION=v1.2.3 -t bizmcp/crm:v1.2.3 .
#   podman build --build-arg SERVER=orders -t bizmcp/orders .
#
# `make images` does not use this file: it builds the binaries on the host
# and copies them into scratch images (Dockerfile.prebuilt), so it needs no
# registry. This file builds from source inside a Go image, for machines
# that can pull it.
#
# SERVER names a folder under servers/ (crm, orders, email, shipping, ...). The runtime
# image is `scratch`: the static binary, the CA bundle, nothing else; it runs
# as the numeric user 65532 and serves streamable HTTP on 0.0.0.0:8080
# (MCP at /mcp, plus /healthz, /readyz, /metrics). Set MCP_TRANSPORT=stdio and
# run with -i to use it as a local stdio server instead.
#
# A second target builds the mock backends for tests and demos:
#
#   docker build --target mock-backends -t bizmcp/mock-backends .
#
# and a third the approvals console (docs/approvals.md):
#
#   docker build --target approvals -t bizmcp/approvals .
#
# GO_IMAGE is the builder image. It defaults to the public golang image,
# fully qualified (podman refuses short names without an alias); on a
# machine without registry access pass a local one (see
# test/containers/go-toolchain-image.sh), or use `make images`.

ARG GO_IMAGE=docker.io/library/golang:1.26

# ---- dependencies: cached until go.mod or go.sum change ----
FROM ${GO_IMAGE} AS deps
WORKDIR /src
ENV CGO_ENABLED=0
# Optional module proxy settings from the build host (empty = Go's defaults).
ARG GOPROXY=
ARG GOSUMDB=
ARG GOPRIVATE=
COPY go.mod go.sum ./
RUN go mod download

# ---- build one server ----
FROM deps AS build
COPY . .
ARG SERVER=crm
ARG VERSION=dev
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" \
        -o /out/server ./servers/${SERVER}

# ---- build mock-backends ----
FROM deps AS build-mock
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" \
        -o /out/mock-backends ./mocks/cmd/mock-backends

# ---- mock-backends runtime (--target mock-backends) ----
FROM scratch AS mock-backends
ARG VERSION=dev
LABEL org.opencontainers.image.title="bizmcp mock-backends" \
      org.opencontainers.image.description="Reference backend APIs (CRM, orders, email, shipping) with sample data and fault injection, for tests and demos" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="https://github.com/bizmcp/bizmcp"
COPY --from=build-mock /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build-mock /out/mock-backends /mock-backends
USER 65532:65532
EXPOSE 9000
ENTRYPOINT ["/mock-backends"]
CMD ["--addr", "0.0.0.0:9000"]

# ---- build the approvals console ----
FROM deps AS build-approvals
COPY . .
ARG VERSION=dev
RUN --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" \
        -o /out/bizmcp-approvals ./cmd/bizmcp-approvals

# ---- approvals console runtime (--target approvals; docs/approvals.md) ----
FROM scratch AS approvals
ARG VERSION=dev
LABEL org.opencontainers.image.title="bizmcp-approvals" \
      org.opencontainers.image.description="The bizmcp approvals console: people sign in with OpenID Connect and approve or deny held writes" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="https://github.com/bizmcp/bizmcp"
COPY --from=build-approvals /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build-approvals /out/bizmcp-approvals /bizmcp-approvals
USER 65532:65532
EXPOSE 8090
ENV BIZMCP_APPROVALS_ADDR=0.0.0.0:8090
STOPSIGNAL SIGTERM
ENTRYPOINT ["/bizmcp-approvals"]

# ---- server runtime (default target) ----
FROM scratch AS server
ARG SERVER=crm
ARG VERSION=dev
LABEL org.opencontainers.image.title="bizmcp ${SERVER}-mcp" \
      org.opencontainers.image.description="bizmcp MCP server for the ${SERVER} backend, over streamable HTTP (MCP at :8080/mcp) or stdio" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.source="https://github.com/bizmcp/bizmcp" \
      io.modelcontextprotocol.server.name="io.github.bizmcp/${SERVER}"
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/server /server
USER 65532:65532
EXPOSE 8080
# Streamable HTTP on all interfaces of the container. A server on a
# non-loopback address needs auth (MCP_AUTH_ISSUER) or an explicit
# MCP_INSECURE_NO_AUTH=true; neither is set here (see docs/deploy.md).
ENV MCP_TRANSPORT=http \
    MCP_ADDR=0.0.0.0:8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["/server"]
