#!/usr/bin/env bash
# Runs clang-tidy 14 (checks in the root .clang-tidy) with the build's compile_commands.json:
#
#   scripts/tidy.sh                      every source of the tree that the build compiles
#   scripts/tidy.sh cli/*.cpp net/url.cpp  only these files (headers are checked through them)
#
# Environment: BUILD (the CMake build folder with compile_commands.json; default build), JOBS
# (parallel clang-tidy processes; default 1, since each one takes a core and about 1 GB),
# TIDY (the clang-tidy binary; default clang-tidy-14). Findings in our headers are reported;
# those in system and third-party headers are not. Exits non-zero when clang-tidy fails.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${BUILD:-$root/build}
jobs=${JOBS:-1}
tidy=${TIDY:-clang-tidy-14}

if [[ ! -f $build/compile_commands.json ]]; then
  echo "tidy.sh: no $build/compile_commands.json; configure first:" >&2
  echo "  cmake -S $root -B $build" >&2
  exit 2
fi
command -v "$tidy" >/dev/null || { echo "tidy.sh: $tidy not found (apt-get install clang-tidy-14)" >&2; exit 2; }

cd "$root"
if [[ $# -gt 0 ]]; then
  files=("$@")
else
  # Every translation unit of ours the build knows about (not the build folder's generated ones).
  mapfile -t files < <(python3 - "$build/compile_commands.json" "$root" <<'PY'
import json, os, sys
root = sys.argv[2]
seen = set()
for entry in json.load(open(sys.argv[1])):
    path = os.path.normpath(os.path.join(entry["directory"], entry["file"]))
    if path.startswith(root + "/") and "/build" not in path[len(root):] and path not in seen:
        seen.add(path)
        print(os.path.relpath(path, root))
PY
  )
fi

header_filter="^$root/(codec|net|loader|server|cli|tests|bench)/"
printf '%s\n' "${files[@]}" |
  xargs -r -P "$jobs" -n 1 nice "$tidy" -p "$build" --quiet --header-filter="$header_filter"
