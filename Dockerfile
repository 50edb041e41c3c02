# syntax=docker/dockerfile:1
# check=error=true
#
# Production image of autogql: a static Go binary on distroless "static" (CA
# certificates, tzdata, /etc/passwd with the nonroot user, no shell, no package
# manager). Build it with
#
#   docker build --build-arg VERSION=$(git describe --tags --always) \
#     --build-arg COMMIT=$(git rev-parse HEAD) \
#     --build-arg DATE=$(date -u +%Y-%m-%dT%H:%M:%SZ) -t autogql .
#
# Multi-arch: the build stage runs on the builder's own platform and
# cross-compiles (CGO_ENABLED=0), so `--platform linux/amd64,linux/arm64` needs
# no emulation. The runtime is read-only-root-filesystem friendly: the only
# writable paths are /data (SQLite databases, a volume) and /tmp.
# deploy/deploy_test.go parses and lints this file with BuildKit's own rules and
# assembles and runs the runtime stage without an engine; keep them in step.

ARG GO_VERSION=1.26.8

FROM --platform=$BUILDPLATFORM golang:${GO_VERSION}-bookworm AS build
WORKDIR /src
# Dependencies first: this layer is reused until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod \
    go mod download -x
COPY . .
ARG TARGETOS
ARG TARGETARCH
ARG VERSION=dev
ARG COMMIT=unknown
ARG DATE=unknown
RUN --mount=type=cache,target=/go/pkg/mod \
    --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=${TARGETOS} GOARCH=${TARGETARCH} \
    go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X github.com/autogql/autogql/internal/cli.version=${VERSION} -X github.com/autogql/autogql/internal/cli.commit=${COMMIT} -X github.com/autogql/autogql/internal/cli.date=${DATE}" \
      -o /out/autogql ./cmd/autogql \
 && mkdir -p /out/data

# Image of the scheduled backups (the Helm chart's backup CronJob): the same
# binary beside pg_dump/pg_restore 17, which read servers 14 to 17. Build it
# with `--target backup` and tag it <version>-backup.
FROM postgres:17-alpine AS backup
COPY --from=build /out/autogql /usr/local/bin/autogql
# 70 is the postgres user of the alpine image.
USER 70:70
WORKDIR /backups
ENTRYPOINT ["/usr/local/bin/autogql"]
CMD ["backup", "create"]

# The default target (last stage): the server.
FROM gcr.io/distroless/static-debian12:nonroot AS runtime
ARG VERSION=dev
ARG COMMIT=unknown
ARG DATE=unknown
LABEL org.opencontainers.image.title="autogql" \
      org.opencontainers.image.description="models.yaml to a production GraphQL API over SQLite or PostgreSQL" \
      org.opencontainers.image.source="https://github.com/autogql/autogql" \
      org.opencontainers.image.url="https://github.com/autogql/autogql" \
      org.opencontainers.image.documentation="https://github.com/autogql/autogql/blob/main/docs/deployment.md" \
      org.opencontainers.image.vendor="autogql" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${COMMIT}" \
      org.opencontainers.image.created="${DATE}"
COPY --from=build /out/autogql /usr/local/bin/autogql
# The example models make `docker run -e AUTOGQL_ENV=development IMAGE` serve
# something; real deployments mount their own file over it.
COPY examples/blog/models.yaml /etc/autogql/models.yaml
COPY --from=build --chown=65532:65532 /out/data /data
ENV AUTOGQL_ENV=production \
    AUTOGQL_ADDR=:8080 \
    AUTOGQL_MODELS=/etc/autogql/models.yaml \
    DATABASE_URL=sqlite:/data/autogql.db
WORKDIR /data
VOLUME ["/data"]
EXPOSE 8080/tcp
USER 65532:65532
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --start-interval=2s --retries=3 \
  CMD ["/usr/local/bin/autogql", "health"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/autogql"]
CMD ["serve"]
