# Multi-stage build: a static, pure-Go binary (no cgo) on a minimal image.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/ordi ./cmd/ordi

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ordi /usr/local/bin/ordi
WORKDIR /var/lib/ordi
ENV ORDI_ADDR=:8080
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/ordi"]
CMD ["serve"]
