# The book in a container: Debian bookworm, the same setup script and the same
# `make serve` as on a workstation, so the two cannot drift apart.
#   docker build -t epibook . && docker run --rm -p 8000:8000 epibook
FROM debian:bookworm

RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends make ca-certificates \
 && rm -rf /var/lib/apt/lists/*

WORKDIR /opt/epibook
COPY . .

# Installs what is missing and builds everything `make serve` needs, at image build time.
RUN scripts/setup-deps && make site

EXPOSE 8000
CMD ["make", "serve", "HOST=0.0.0.0"]
