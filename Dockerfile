# syntax=docker/dockerfile:1
# The operator image: a static binary on distroless, running as non-root.
#   make docker-build IMG=registry.example.com/ecs-operator:tag
# Multi-arch: docker buildx build --platform linux/amd64,linux/arm64 .
# The builder cross-compiles on the build machine's platform, so no
# emulation is needed.
FROM --platform=$BUILDPLATFORM golang:1.26 AS builder
ARG TARGETARCH
WORKDIR /workspace

# Modules first: this layer is reused until go.mod or go.sum change.
COPY go.mod go.sum ./
RUN go mod download

COPY main.go ./
COPY api/ api/
COPY controllers/ controllers/
COPY internal/ internal/

# An empty TARGETARCH (the classic builder) means the build machine's arch.
ENV GOARCH=${TARGETARCH}
# Keep this line equal to the recipe of `make image-binary`, which runs it
# without Docker; make verify fails when they differ.
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w" -o bin/manager .

FROM gcr.io/distroless/static:nonroot
WORKDIR /
COPY --from=builder /workspace/bin/manager /manager
# The numeric user lets the kubelet enforce runAsNonRoot.
USER 65532:65532
ENTRYPOINT ["/manager"]
