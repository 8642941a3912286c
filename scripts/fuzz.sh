#!/usr/bin/env bash
# Builds (if needed) and runs one libFuzzer target for a while.
# Usage: scripts/fuzz.sh TARGET [SECONDS] [extra libFuzzer flags...]
#   TARGET: csv_scanner_fuzz, rows_json_fuzz, payload_decoder_fuzz, server_request_fuzz
#           (the _fuzz suffix may be left out); SECONDS defaults to 60.
# New corpus entries go to build-fuzz/corpus/TARGET (the seeds in tests/fuzz/corpus/TARGET are
# read, never written); crashes go to build-fuzz/artifacts/TARGET/. A crash exits non-zero:
# copy its input to tests/fuzz/regressions/TARGET/ so ctest replays it (docs/fuzzing.md).
# Environment: BUILD_DIR (default build-fuzz), CXX (default clang++-14), JOBS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."
[[ $# -ge 1 ]] || { sed -n '2,9p' "$0"; exit 2; }
target="${1%_fuzz}_fuzz"
seconds="${2:-60}"
shift $(($# >= 2 ? 2 : 1))
build_dir="${BUILD_DIR:-build-fuzz}"
seeds="tests/fuzz/corpus/$target"
[[ -d "$seeds" ]] || { echo "fuzz.sh: unknown target $target (no $seeds)" >&2; exit 2; }

if [[ ! -f "$build_dir/CMakeCache.txt" ]]; then
  CXX="${CXX:-clang++-14}" cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
    -DDSFILL_FUZZ=ON -DDSFILL_BUILD_TESTS=OFF -DDSFILL_BUILD_BENCH=OFF >/dev/null
fi
cmake --build "$build_dir" --target "$target" -j"${JOBS:-2}" >/dev/null

corpus="$build_dir/corpus/$target"
artifacts="$build_dir/artifacts/$target"
mkdir -p "$corpus" "$artifacts"
dict=()
[[ -f "tests/fuzz/$target.dict" ]] && dict=(-dict="tests/fuzz/$target.dict")
# Memory caps: the decoders must stay far below them whatever the input (payload caps are 1 MiB).
export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-halt_on_error=1:print_stacktrace=1}"
exec "$build_dir/tests/fuzz/$target" -max_total_time="$seconds" -timeout=25 \
  -rss_limit_mb=1024 -malloc_limit_mb=128 -max_len=8192 -print_final_stats=1 \
  -artifact_prefix="$artifacts/" "${dict[@]}" "$@" "$corpus" "$seeds"
