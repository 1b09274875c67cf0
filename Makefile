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

native: deps
	cmake --preset native >/dev/null
	cmake --build --preset native -j $(JOBS)

debug: deps
	cmake --preset debug >/dev/null
	cmake --build --preset debug -j $(JOBS)

asan: deps
	cmake --preset asan >/dev/null
	cmake --build --preset asan -j $(JOBS)

wasm: deps
	cmake --preset wasm >/dev/null
	cmake --build --preset wasm -j $(JOBS)

site: wasm
	scripts/build-site build/site

serve: site
	@echo "epibook: serving the book on http://localhost:$(PORT) (Ctrl-C to stop)"
	/usr/bin/python3 -m http.server $(PORT) --bind $(HOST) --directory build/site

test-native: native
	ctest --preset native -j $(JOBS)

test-wasm: wasm
	ctest --preset wasm -j $(JOBS)

test-asan: asan
	ctest --preset asan -j $(JOBS)

test: test-native test-wasm test-asan

bench: native
	scripts/run-benchmarks build/native

clean:
	rm -rf build
