# Multi-stage build: a static, pure-Go binary (no cgo) on a minimal image.
# The build line is the README's ("Building"): nomsgpack leaves out Gin's
# MessagePack codec; the zone database is inside the binary (time/tzdata).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=0 go build -trimpath -tags nomsgpack -ldflags "-s -w -X main.version=${VERSION}" -o /out/ordi ./cmd/ordi
# The working directory of the final image, where the default SQLite file
# ordi.db is created: it must belong to the unprivileged user (65532).
RUN mkdir -p /out/data

FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/ordi /usr/local/bin/ordi
COPY --from=build --chown=65532:65532 /out/data /var/lib/ordi
WORKDIR /var/lib/ordi
VOLUME /var/lib/ordi
ENV ORDI_ADDR=:8080
EXPOSE 8080
USER nonroot:nonroot
ENTRYPOINT ["/usr/local/bin/ordi"]
CMD ["serve"]
