#!/usr/bin/env bash
# The README's test command: configure, build (Release), and run every test suite with ctest.
# Usage: scripts/test.sh [extra ctest args...]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/bootstrap.sh >/dev/null
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)"
ctest --test-dir build --output-on-failure -j"$(nproc)" --timeout 600 "$@"
