# Thin driver over scripts/ and the CMake presets. The two commands a new machine needs:
#   make serve   install what is missing, build, serve the book on http://localhost:8000
#   make test    install what is missing, build, run every test suite
.PHONY: deps native debug asan wasm site serve test python test-native test-wasm test-asan test-e2e bench clean

JOBS ?= $(shell nproc)
PORT ?= 8000
HOST ?= 127.0.0.1
export NODE_PATH := /usr/share/nodejs

deps:
	@scripts/setup-deps

# One target per CMake preset (CMakePresets.json): configure, then build.
PRESETS := native debug asan wasm
$(PRESETS): deps
	cmake --preset $@ >/dev/null
	cmake --build --preset $@ -j $(JOBS)

# `import epibook` (python/): the native build makes it; this says how to use it.
python: native
	@echo "built build/native/python/epibook: PYTHONPATH=$(CURDIR)/build/native/python /usr/bin/python3 -c 'import epibook'"

# The book: data assets made by the native CLI (when scripts/make-assets exists),
# the wasm labs, then the static site in build/site.
site: native wasm
	if [ -x scripts/make-assets ]; then scripts/make-assets build/assets build/native/cli/epibook; fi
	scripts/build-site build/site

serve: site
	node web/build/serve.mjs build/site --port $(PORT) --host $(HOST)

# Playwright drives Debian's Chromium over the built site; the CLI is the oracle.
test-e2e: site
	node tests/e2e/run.mjs build/site build/native/cli/epibook

test-native test-wasm test-asan: test-%: %
	ctest --preset $* -j $(JOBS)

test: test-native test-wasm test-asan test-e2e

# Benchmarks against named peers, then the browser against native (needs the site).
bench: site
	scripts/run-benchmarks build/native build/wasm build/site

clean:
	rm -rf build
