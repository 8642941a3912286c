#!/usr/bin/env bash
# Benchmarks dsfill against its baselines on a generated CSV of SIZE bytes and writes a report
# (benchmarks.md, a table, plus PNG plots when gnuplot is installed) into a directory:
#
#   scripts/bench-compare.sh [--out DIR | --update-docs] [SIZE]
#       e.g. scripts/bench-compare.sh --out /tmp/report 200MB   (SIZE default 200MB)
#
# --out DIR writes DIR/benchmarks.md and DIR/*.png (default: $WORK/report); the tracked report
# (docs/benchmarks.md and its plots) is only rewritten when asked, with --update-docs.
#
# Runs: encode-only (`dsfill bench`) at levels 1/3/6/9 with 1 and 2 encoders and with --codec
# isal; the single-thread libdeflate yardstick on the same JSON bytes (bench_baseline); end to
# end against `dsfill serve --discard` on 127.0.0.1; the API documentation's Python sample
# approach (csv -> json.dumps -> gzip level 9 -> base64, whole file); the shell pipeline of the
# same work (GNU parallel + python csv->json + pigz + base64 + curl) when pigz, parallel and curl
# are installed; peak RSS at SIZE and 10 x SIZE; and --level auto against fixed levels over a
# bandwidth-limited link (bench/throttle_proxy.py, a user-space proxy on 127.0.0.1).
#
# Environment: BUILD (build dir with dsfill and bench_baseline; default build), WORK (scratch
# dir for data and logs; default /tmp/dsfill-bench), REPEAT (runs of each key measurement;
# default 3), RSS_SIZES (default "SIZE 10xSIZE"), AUTO_RATES (links: RATE or RATE>RATE2@SECONDS,
# default "8MB 25MB 8MB>40MB@3"),
# SKIP (space-separated parts to skip: python shell auto rss e2e), NO_PLOTS=1. Everything listens
# on 127.0.0.1 only and stops by itself. scripts/bootstrap.sh installs every tool it uses
# (/usr/bin/time, gnuplot, pigz, GNU parallel, curl).
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
export BUILD=${BUILD:-$here/build}
export WORK=${WORK:-/tmp/dsfill-bench}
out=""
size=200MB
while [[ $# -gt 0 ]]; do
  case $1 in
    -o|--out) [[ $# -ge 2 ]] || { echo "bench-compare: $1 needs a DIR" >&2; exit 2; }
              out=$2; shift 2 ;;
    --out=*) out=${1#--out=}; shift ;;
    --update-docs) out=$here/docs; shift ;;
    -h|--help) sed -n '2,25p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    -*) echo "bench-compare: unknown option $1 (see --help)" >&2; exit 2 ;;
    *) size=$1; shift ;;
  esac
done
out=${out:-$WORK/report}
mkdir -p "$WORK" "$out"

for bin in dsfill bench/bench_baseline; do
  if [[ ! -x $BUILD/$bin ]]; then
    echo "bench-compare: $BUILD/$bin is missing: cmake --build $BUILD --target dsfill bench_baseline" >&2
    exit 2
  fi
done
if [[ ! -x /usr/bin/time ]]; then
  echo "bench-compare: /usr/bin/time is missing (apt-get install time): it measures peak RSS" >&2
  exit 2
fi

"$here/scripts/gen_big_csv.sh" "$size" "$WORK/data.csv"
exec python3 "$here/bench/bench_compare.py" --data "$WORK/data.csv" --size-label "$size" \
  --repo "$here" --build "$BUILD" --work "$WORK" --out "$out/benchmarks.md"
