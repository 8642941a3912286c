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
#
# A fresh configure is enough (`cmake -S . -B build`: the top-level CMakeLists sets
# CMAKE_EXPORT_COMPILE_COMMANDS), built once so that every target's flags are known. The g++
# database is handed to clang with the flags clang 14 refuses taken out (-mgeneral-regs-only:
# libstdc++'s long double overloads do not parse under it), in a copy under a temporary folder.
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
# Writes the database clang-tidy reads: the build's, less the flags clang rejects.
db=$(mktemp -d)
trap 'rm -rf "$db"' EXIT
python3 - "$build/compile_commands.json" "$db/compile_commands.json" <<'PY'
import json, sys
refused = {"-mgeneral-regs-only"}
entries = json.load(open(sys.argv[1]))
for entry in entries:
    if "arguments" in entry:
        entry["arguments"] = [a for a in entry["arguments"] if a not in refused]
    if "command" in entry:
        entry["command"] = " ".join(a for a in entry["command"].split(" ") if a not in refused)
json.dump(entries, open(sys.argv[2], "w"), indent=1)
PY

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

header_filter="^$root/(base|codec|net|loader|server|cli|tests|bench)/"
printf '%s\n' "${files[@]}" |
  xargs -r -P "$jobs" -n 1 nice "$tidy" -p "$db" --quiet --header-filter="$header_filter"
