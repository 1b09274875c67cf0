# The book in a container, in two stages. The build stage runs, on Debian bookworm, the
# same `scripts/setup-deps book` and `make site` as `make serve` on a workstation, so the
# two cannot drift apart; it installs only what building the book needs (no test
# frameworks, peers or Chromium) and builds only the CLI and the wasm labs module. The
# final image holds the built site and the small Node server `make serve` runs
# (web/build/serve.mjs: application/wasm, byte ranges; Node's built-in modules only), on a
# distroless Node image with no shell and no package manager, running as a non-root user.
#   docker build -t epibook . && docker run --rm -p 8000:8000 epibook
# NODE_RUNTIME names the final stage's base: any image whose entrypoint is Node 18 or newer
# will do, for a machine that cannot reach gcr.io (a mirror, or bookworm's own nodejs):
#   docker build --build-arg NODE_RUNTIME=registry.example.org/node-runtime -t epibook .
# Both stages have been built and the image run with podman 4.3 on a machine with no registry
# (`--isolation chroot`, a debootstrap bookworm base, NODE_RUNTIME an image of bookworm's
# nodejs 18.20.4): it served every page, application/wasm and byte ranges, as user 65532.
ARG NODE_RUNTIME=gcr.io/distroless/nodejs20-debian12:nonroot

FROM debian:bookworm AS build

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends make ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/epibook
COPY . .

# Installs the book's set (scripts/setup-deps book) and builds build/site.
RUN make site

FROM ${NODE_RUNTIME}

WORKDIR /srv/epibook
COPY --from=build /opt/epibook/web/build/serve.mjs ./serve.mjs
COPY --from=build /opt/epibook/build/site ./site

# distroless's nonroot user, named by number so that any base runs the server without root.
USER 65532:65532
EXPOSE 8000
# The base image's entrypoint is node.
CMD ["serve.mjs", "site", "--port", "8000", "--host", "0.0.0.0"]
