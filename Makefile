# Thin wrapper over the CMake presets. `make demo` and `make test` each
# install what is missing, configure, build and run.
.PHONY: all deps build demo test test-unit test-integration bench known-good clean

all: build

deps:
	@bash ci/install-deps.sh

build: deps
	@cmake --preset default >/dev/null
	@cmake --build --preset default

demo: build
	@bash ci/demo.sh

test: build
	@ctest --preset default

test-unit: build
	@ctest --preset default -L unit

test-integration: build
	@ctest --preset default -L integration

known-good: build
	@bash system/movies/make-known-good.sh build

bench: deps
	@cmake --preset bench >/dev/null
	@cmake --build --preset bench
	@bash bench/run.sh

clean:
	@rm -rf build build-bench .chancho
