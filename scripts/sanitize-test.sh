#!/usr/bin/env bash
# Builds the whole tree with AddressSanitizer + UndefinedBehaviorSanitizer (gcc, -DDSFILL_SANITIZE=ON)
# in build-asan and runs the unit suite with ctest. Fails on any failing test, and any sanitizer
# report makes its test fail: UBSan halts on the first finding and ASan (leaks included) aborts.
# Usage: scripts/sanitize-test.sh [extra ctest args...]
#   BUILD_DIR (default build-asan), JOBS (default nproc), CXX (default g++) can be overridden.
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir="${BUILD_DIR:-build-asan}"
jobs="${JOBS:-$(nproc)}"

# -O1 -g1 (line tables only): reports keep file:line, and the build takes about half the time of
# -O2 -g, which matters for CI on 2 cores.
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_CXX_FLAGS_RELWITHDEBINFO="-O1 -g1" \
  -DDSFILL_SANITIZE=ON -DDSFILL_BUILD_TESTS=ON -DDSFILL_BUILD_BENCH=OFF -DDSFILL_FUZZ=OFF >/dev/null
# The options apply while gtest_discover_tests lists the tests at build time too.
# alloc_dealloc_mismatch=0: with g++, every destroyed simdjson::dom::parser is reported as
# "operator new vs free": its implementation object is allocated inside Debian's libsimdjson.so
# (new(std::nothrow)) and released through free. That pair is simdjson's own, not ours; the clang
# fuzz build (scripts/fuzz-ci.sh) keeps the mismatch check on for our code.
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
