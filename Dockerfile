# syntax=docker/dockerfile:1
# The reconciler image: a static binary on distroless/static, run as nonroot (65532).
#   docker build -t reconciler:dev .
# The root filesystem can be read-only: the git cache lives in /var/cache/reconciler,
# which the manifests mount as an emptyDir (--cache-dir and XDG_CACHE_HOME both point there).

FROM golang:1.26 AS build
WORKDIR /src
# Dependencies first: this layer is reused while go.mod and go.sum do not change.
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 GOOS=linux go build -trimpath -ldflags="-s -w -buildid=" -o /out/reconciler ./cmd/reconciler \
 && mkdir -p /out/cache

FROM gcr.io/distroless/static-debian12:nonroot
LABEL org.opencontainers.image.title="reconciler" \
      org.opencontainers.image.description="GitOps for Scaleway Kapsule and Kosmos" \
      org.opencontainers.image.source="https://github.com/scaleway-gitops/reconciler"
COPY --from=build /out/reconciler /usr/local/bin/reconciler
COPY --from=build --chown=65532:65532 /out/cache /var/cache/reconciler
ENV XDG_CACHE_HOME=/var/cache/reconciler
USER 65532:65532
EXPOSE 8080
ENTRYPOINT ["/usr/local/bin/reconciler"]
CMD ["--help"]
