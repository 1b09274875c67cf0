# Thin driver over scripts/ and the CMake presets. The two commands a new machine needs:
#   make serve   install what is missing, build, serve the book on http://localhost:8000
#   make test    install what is missing, build, run every test suite
.PHONY: deps native debug asan wasm site serve test test-native test-wasm test-asan bench clean

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

site: wasm
	scripts/build-site build/site

serve: site
	@echo "epibook: serving the book on http://localhost:$(PORT) (Ctrl-C to stop)"
	/usr/bin/python3 -m http.server $(PORT) --bind $(HOST) --directory build/site

test-native test-wasm test-asan: test-%: %
	ctest --preset $* -j $(JOBS)

test: test-native test-wasm test-asan

bench: native
	scripts/run-benchmarks build/native

clean:
	rm -rf build
