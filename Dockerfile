# Lectern: one binary. Build with cgo (SQLite), run on slim Debian as a non-root user.
#   docker build -t lectern .
#   docker run -p 8080:8080 -v lectern-data:/data lectern
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/lectern ./cmd/lectern

FROM debian:bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends ca-certificates tzdata curl \
 && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin lectern \
 && mkdir -p /data && chown lectern:lectern /data
COPY --from=build /out/lectern /usr/local/bin/lectern
USER lectern
WORKDIR /data
VOLUME /data
ENV LECTERN_ADDR=:8080 \
    LECTERN_DATA=/data \
    LECTERN_LOG_FORMAT=json
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=3s --start-period=10s --retries=3 \
  CMD curl -fsS http://127.0.0.1:8080/healthz || exit 1
STOPSIGNAL SIGTERM
ENTRYPOINT ["lectern"]
CMD ["serve"]
