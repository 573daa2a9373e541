# syntax=docker/dockerfile:1
#
# The `recourse` image: one binary, every role (`recourse serve <service>`,
# `recourse standalone`, `recourse token`), run as UID/GID 65532 on a
# distroless base with glibc and CA certificates and nothing else.
#
#   docker build -t recourse:dev .
#
# Stages:
#   chef     the toolchain pinned in rust-toolchain.toml, plus cargo-chef
#   planner  reduces the workspace to recipe.json (manifests + Cargo.lock)
#   builder  cooks the dependencies from the recipe (the cached layer), then
#            builds the workspace's `recourse` binary in release mode
#   runtime  the binary alone on distroless/cc
#
# Why cargo-chef rather than the dummy-main trick: the workspace has fourteen
# members (services, their migration and domain crates, libs, tests), and the
# trick would need every member's Cargo.toml copied and a stub lib.rs/main.rs
# written for each, kept in step by hand whenever a crate is added. cargo-chef
# derives the same "dependencies only" build from the manifests and the lock
# file, so the expensive layer is rebuilt only when they change.
#
# .ci/check-image checks this file's invariants in CI (the pinned toolchain,
# the copied path being the release binary of package `recourse`, numeric
# USER 65532, ENTRYPOINT, matching Debian releases) and lints it with
# hadolint and checkov; no Docker engine is needed for that.

# Must equal `channel` in rust-toolchain.toml (.ci/check-image enforces it).
ARG RUST_VERSION=1.95.0
# Builder and runtime must be the same Debian release: the binary links
# against the builder's glibc and needs at least that version at run time.
ARG DEBIAN_CODENAME=trixie

FROM docker.io/library/rust:${RUST_VERSION}-slim-${DEBIAN_CODENAME} AS chef
WORKDIR /src
# rust-toolchain.toml asks for rustfmt and clippy too; installing them here,
# once, keeps the later build steps from downloading anything.
COPY rust-toolchain.toml ./
RUN rustup toolchain install \
    && cargo install cargo-chef --locked --version 0.1.77 \
    && rm -rf "$CARGO_HOME/registry"

FROM chef AS planner
COPY . .
RUN cargo chef prepare --recipe-path recipe.json

FROM chef AS builder
COPY --from=planner /src/recipe.json recipe.json
# The cached layer: every dependency of the binary, built from the recipe.
RUN cargo chef cook --release --locked --package recourse --recipe-path recipe.json
COPY . .
# The same command a developer or CI runs for a release binary; its output
# is target/release/recourse.
RUN cargo build --release --locked --package recourse --bin recourse

# distroless/cc rather than debian-slim: the binary needs glibc and libgcc
# (cc has them), CA certificates and tzdata (included), and a passwd entry
# for 65532 ("nonroot"); it has no shell, package manager or coreutils, so
# the image carries nothing an attacker could use and little for a scanner
# to flag. Debugging happens with `kubectl debug --image=...` instead.
FROM gcr.io/distroless/cc-debian13:nonroot AS runtime
LABEL org.opencontainers.image.title="recourse" \
      org.opencontainers.image.description="Recourse: holds parcel carriers to account, over gRPC" \
      org.opencontainers.image.licenses="Apache-2.0"
# Root-owned and read-only: the process that runs it cannot replace it.
COPY --from=builder --chown=0:0 --chmod=0555 /src/target/release/recourse /usr/local/bin/recourse
# Numeric, so Kubernetes' runAsNonRoot can verify it without reading
# /etc/passwd; matches runAsUser/runAsGroup in k8s/.
USER 65532:65532
# Writable for 65532 in this base, so `recourse standalone` can keep its
# SQLite files in ./data; cluster pods run on PostgreSQL with a read-only root.
WORKDIR /home/nonroot
EXPOSE 50051
# checkov:skip=CKV_DOCKER_2: no HEALTHCHECK: the image has no shell or probe binary to run one, and Kubernetes probes the gRPC health service natively (k8s/base/*/deployment.yaml); `docker run` users can call grpc.health.v1 with grpcurl
ENTRYPOINT ["recourse"]
CMD ["--help"]
