#!/usr/bin/env bash
# CI fuzzing: builds every libFuzzer target and runs each for a fixed short time, failing on the
# first crash, leak, sanitizer report, timeout or out-of-memory. Crash inputs are left in
# build-fuzz/artifacts/TARGET/ (CI should keep that folder as an artifact).
# Usage: scripts/fuzz-ci.sh [SECONDS_PER_TARGET]   (default 30)
# Environment: BUILD_DIR (default build-fuzz), CXX (default clang++-14), JOBS (default 2).
# A BUILD_DIR that is already configured is used as it is: CI passes build-asan, the clang tree
# scripts/sanitize-test.sh configured with -DDSFILL_FUZZ=ON, so only the targets are linked here.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-30}"
build_dir="${BUILD_DIR:-build-fuzz}"
targets=(csv_scanner_fuzz rows_json_fuzz payload_decoder_fuzz server_request_fuzz)

if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  CXX="${CXX:-clang++-14}" cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DDSFILL_FUZZ=ON -DDSFILL_BUILD_TESTS=OFF -DDSFILL_BUILD_BENCH=OFF
fi
cmake --build "$build_dir" --target "${targets[@]}" -j"${JOBS:-2}"

failed=()
for target in "${targets[@]}"; do
  echo "== $target: ${seconds}s"
  log="$build_dir/fuzz-ci-$target.log"
  if scripts/fuzz.sh "$target" "$seconds" >"$log" 2>&1; then
    grep -E "^stat::(average_exec_per_sec|number_of_executed_units)|DONE" "$log" || true
  else
    failed+=("$target")
    tail -n 60 "$log"
  fi
done
if ((${#failed[@]} != 0)); then
  echo "fuzz-ci: failed: ${failed[*]} (inputs in $build_dir/artifacts/)" >&2
  exit 1
fi
echo "fuzz-ci: all ${#targets[@]} targets ran ${seconds}s without a finding"
