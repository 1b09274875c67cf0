# The book in a container, in two stages. The build stage runs, on Debian bookworm, the
# same `scripts/setup-deps book` and `make site` as `make serve` on a workstation, so the
# two cannot drift apart; it installs only what building the book needs (no test
# frameworks, peers or Chromium) and builds only the CLI and the wasm labs module. The
# final image holds the built site and the small Node server `make serve` runs
# (web/build/serve.mjs: application/wasm, byte ranges), on a distroless Node image with
# no shell and no package manager, running as a non-root user.
#   docker build -t epibook . && docker run --rm -p 8000:8000 epibook
# The build stage has been built with podman (`podman build --isolation chroot --target build`,
# on a debootstrap bookworm base); the final stage has not: its base could not be pulled there.
FROM debian:bookworm AS build

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends make ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/epibook
COPY . .

# Installs the book's set (scripts/setup-deps book) and builds build/site.
RUN make site

FROM gcr.io/distroless/nodejs20-debian12:nonroot

WORKDIR /srv/epibook
COPY --from=build /opt/epibook/web/build/serve.mjs ./serve.mjs
COPY --from=build /opt/epibook/build/site ./site

EXPOSE 8000
# The image's entrypoint is node.
CMD ["serve.mjs", "site", "--port", "8000", "--host", "0.0.0.0"]
