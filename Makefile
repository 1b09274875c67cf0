# Thin driver over scripts/ and the CMake presets. The two commands a new machine needs:
#   make serve   install what the book needs, build the CLI and the wasm labs modules,
#                make the data assets and the site, serve it on http://localhost:8000
#   make test    install everything (test frameworks, peers, Chromium), build every
#                program, run every test suite
.PHONY: deps deps-book book-native book-wasm native native-arch debug asan wasm wasm-threads book-wasm-threads site serve test python \
        test-native test-wasm test-asan test-e2e bench fuzz clean

JOBS ?= $(shell nproc)
PORT ?= 8000
HOST ?= 127.0.0.1
export NODE_PATH := /usr/share/nodejs

deps-book:
	@scripts/setup-deps book

deps:
	@scripts/setup-deps all

# One target per CMake preset (CMakePresets.json): configure with the tests (and the
# Python module) on, then build everything the tests need: tests, the module, and the
# native benchmarks (compiled, not run; the wasm ones and none under ASan: `make bench`
# builds what it runs).
PRESETS := native native-arch debug asan wasm
$(PRESETS): deps
	cmake --preset $@ -DEPIBOOK_TESTS=ON -DEPIBOOK_PYTHON=ON >/dev/null
	cmake --build --preset $@ -j $(JOBS)

# What the book needs built: the CLI (it makes the data assets) and the labs module,
# nothing else. A first configure turns the tests and the Python module off (their
# packages are not installed by deps-book); a later one keeps the cache's choice, so
# after `make test` these only rebuild the two targets in the same build folders.
book-native: deps-book
	cmake --preset native $(if $(wildcard build/native/CMakeCache.txt),,-DEPIBOOK_TESTS=OFF -DEPIBOOK_PYTHON=OFF) >/dev/null
	cmake --build --preset native -j $(JOBS) --target epibook

book-wasm: deps-book
	cmake --preset wasm $(if $(wildcard build/wasm/CMakeCache.txt),,-DEPIBOOK_TESTS=OFF) >/dev/null
	cmake --build --preset wasm -j $(JOBS) --target epibook_labs

# The labs built with -pthread (epibook-labs-mt, loaded by cross-origin isolated pages:
# training on 2 threads), a second wasm build of the core; wasm-threads adds the browser
# training benchmark on 2 threads (make bench).
book-wasm-threads: deps-book
	cmake --preset wasm-threads $(if $(wildcard build/wasm-threads/CMakeCache.txt),,-DEPIBOOK_TESTS=OFF) >/dev/null
	cmake --build --preset wasm-threads -j $(JOBS) --target epibook_labs

wasm-threads: deps
	cmake --preset $@ -DEPIBOOK_TESTS=ON >/dev/null
	cmake --build --preset $@ -j $(JOBS) --target epibook_labs train_bench_web

# `import epibook` (python/): the native build makes it; this says how to use it.
python: native
	@echo "built build/native/python/epibook: PYTHONPATH=$(CURDIR)/build/native/python /usr/bin/python3 -c 'import epibook'"

# The book: data assets made by the native CLI (when scripts/make-assets exists),
# the wasm labs, then the static site in build/site.
site: book-native book-wasm book-wasm-threads
	if [ -x scripts/make-assets ]; then scripts/make-assets build/assets build/native/cli/epibook; fi
	scripts/build-site build/site

serve: site
	node web/build/serve.mjs build/site --port $(PORT) --host $(HOST)

# Playwright drives Debian's Chromium over the built site; the CLI is the oracle. The
# full wasm build adds the WebGPU checks module (epibook-gpu-checks) the site then carries.
test-e2e: native wasm site
	@echo "== $@: built $$(date -u +%T)"
	node tests/e2e/run.mjs build/site build/native/cli/epibook
	@echo "== $@: done $$(date -u +%T)"

test-native test-wasm test-asan: test-%: %
	@echo "== $@: built $$(date -u +%T)"
	ctest --preset $* -j $(JOBS)
	@echo "== $@: done $$(date -u +%T)"

# Each stage prints the clock when its build is done and when its tests are, so a CI
# log shows where the time went.
test: test-native test-wasm test-asan test-e2e

# Benchmarks against named peers, then the browser against native (needs the site).
bench: native wasm site
	cmake --build --preset wasm -j $(JOBS) --target train_bench train_bench_web
	scripts/run-benchmarks build/native build/wasm build/site

# libFuzzer on every reader of untrusted bytes, FUZZ_SECONDS per target, ASan + UBSan
# (tests/fuzz). `make test` replays the saved corpora; this searches for new crashes.
FUZZ_SECONDS ?= 60
fuzz: deps
	JOBS=$(JOBS) scripts/fuzz $(FUZZ_SECONDS)

clean:
	rm -rf build
