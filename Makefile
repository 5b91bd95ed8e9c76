# Thin wrapper over the CMake presets. `make demo` and `make test` each
# install what is missing, configure, build and run.
.PHONY: all deps build demo demo-tp0 test test-unit test-integration test-docker test-asan test-tsan sanitize-build bench fuzz fuzz-build known-good clean

all: build

deps:
	@bash ci/install-deps.sh

build: deps
	@cmake --preset default >/dev/null
	@cmake --build --preset default

demo: build
	@bash ci/demo.sh

demo-tp0: build
	@bash ci/demo-tp0.sh

# The fuzz targets (clang, preset fuzz, build-fuzz/): make test runs each
# for a few seconds (the fuzz_smoke test).
fuzz-build: deps
	@cmake --preset fuzz >/dev/null
	@cmake --build --preset fuzz

# The sanitizer builds (gcc): asan (ASan and UBSan) builds everything,
# tsan only the proxy, runtime, faults and control tests and what they run.
sanitize-build: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan

test: build fuzz-build sanitize-build
	@bash ci/prepare-docker.sh build || \
	  echo "warning: Docker is not usable here; Docker tests will be skipped (or fail when CI=true)" >&2
	@ctest --preset default || { bash ci/docker-report.sh; bash ci/collect-failure.sh build; bash ci/failure-summary.sh build; exit 1; }
	@bash ci/test-sanitized.sh asan
	@bash ci/test-sanitized.sh tsan

# The unit tests and the process-runtime integration tests under ASan and
# UBSan; the proxy, runtime, faults and control tests under TSan.
test-asan: deps
	@cmake --preset asan >/dev/null
	@cmake --build --preset asan
	@bash ci/test-sanitized.sh asan

test-tsan: deps
	@cmake --preset tsan >/dev/null
	@cmake --build --preset tsan
	@bash ci/test-sanitized.sh tsan

test-unit: build
	@ctest --preset default -L unit

test-integration: build
	@bash ci/prepare-docker.sh build || \
	  echo "warning: Docker is not usable here; Docker tests will be skipped (or fail when CI=true)" >&2
	@ctest --preset default -L integration

test-docker: build
	@bash ci/prepare-docker.sh build
	@ctest --preset default -L docker || { bash ci/docker-report.sh; exit 1; }

# Each fuzz target for FUZZ_SECONDS (default 60); see FUZZING.md.
fuzz: deps
	@bash fuzz/run.sh $(or $(FUZZ_SECONDS),60)

known-good: build
	@bash system/movies/make-known-good.sh build

bench: deps
	@cmake --preset bench >/dev/null
	@cmake --build --preset bench
	@bash bench/run.sh

clean:
	@rm -rf build build-bench build-fuzz build-asan build-tsan .chancho
