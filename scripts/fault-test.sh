#!/usr/bin/env bash
# Runs the fault suite (tests/faultsuite: dsfill serve + fault proxy + dsfill load, every RowId
# stored exactly once under latency, resets, stalls, sliced writes, 503/429, a killed, stopped
# or dead server and a killed loader) by one command: `ctest -L fault`.
# Usage: scripts/fault-test.sh [BUILD_DIR] [extra ctest args...]   (default BUILD_DIR: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build="${1:-build}"
shift || true
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" --target dsfill -j"$(nproc)"
# Serially: the cases time the loader, and two of them stop or kill the server on purpose.
ctest --test-dir "$build" -L fault --output-on-failure --timeout 120 "$@"
