#!/usr/bin/env bash
# Builds the whole tree with AddressSanitizer + UndefinedBehaviorSanitizer in build-asan and runs
# the whole suite with ctest. Fails on any failing test, and any sanitizer report makes its test
# fail: UBSan halts on the first finding and ASan (leaks included) aborts.
# With clang (the default) the tree is configured -DDSFILL_FUZZ=ON: the libraries carry libFuzzer's
# coverage instrumentation as well, and the same tree builds the fuzz targets, so CI runs
# scripts/fuzz-ci.sh with BUILD_DIR=build-asan instead of compiling everything a third time. With
# CXX=g++ it is a plain -DDSFILL_SANITIZE=ON build (no fuzz targets).
# Usage: scripts/sanitize-test.sh [extra ctest args...]
#   BUILD_DIR (default build-asan), JOBS (default nproc), CXX (default clang++-14) can be overridden.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build-asan}"
jobs="${JOBS:-$(nproc)}"
export CXX="${CXX:-clang++-14}"
if [[ "$("$CXX" --version)" == *clang* ]]; then
  mode=(-DDSFILL_FUZZ=ON -DDSFILL_SANITIZE=OFF)
else
  mode=(-DDSFILL_SANITIZE=ON -DDSFILL_FUZZ=OFF)
fi

# -O1 -g1 (line tables only): reports keep file:line, and the build takes about half the time of
# -O2 -g, which matters for CI on 2 cores. There (2026-12-04, one machine, one session) clang
# built this tree with its fuzz targets in 441 s, g++ without them in ~580 s; the whole suite
# then ran in 132 s and 149 s.
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DDSFILL_BUILD_TESTS=ON -DDSFILL_BUILD_BENCH=OFF "${mode[@]}" >/dev/null
# The options apply while gtest_discover_tests lists the tests at build time too.
# alloc_dealloc_mismatch=0: every destroyed simdjson::dom::parser is reported as "operator new vs
# free": its implementation object is allocated inside Debian's libsimdjson.so (new(std::nothrow))
# and released through free. That pair is simdjson's own, not ours (seen with g++ and clang alike);
# the fuzz targets (scripts/fuzz.sh) keep the mismatch check on.
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1:alloc_dealloc_mismatch=0:strict_string_checks=1:detect_stack_use_after_return=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
cmake --build "$build_dir" -j"$jobs"

log="$build_dir/sanitize-test.log"
status=0
ctest --test-dir "$build_dir" --output-on-failure -j"$jobs" --timeout 900 "$@" 2>&1 | tee "$log" ||
  status=$?
# A report that did not fail its test (a child process, a test that swallowed output) still counts.
if grep -qE "ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:" "$log"; then
  echo "sanitize-test: sanitizer report found in $log" >&2
  status=1
fi
exit "$status"
