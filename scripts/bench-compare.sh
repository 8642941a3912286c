#!/usr/bin/env bash
# Benchmarks dsfill against its yardstick and baselines on generated CSV files of SIZE bytes and
# writes a report (benchmarks.md, tables, plus PNG plots when gnuplot is installed) into a
# directory:
#
#   scripts/bench-compare.sh [--out DIR | --update-docs] [SIZE]
#       e.g. scripts/bench-compare.sh --out /tmp/report 200MB   (SIZE default 200MB)
#
# --out DIR writes DIR/benchmarks.md and DIR/*.png (default: $WORK/report); the tracked report
# (docs/benchmarks.md and its plots) is only rewritten when asked, with --update-docs.
#
# Files: four kinds, each `scripts/gen_csv.py --size SIZE` (plain, --hard, --quote-all,
# --kind transactional), generated once into WORK and reused while gen_csv.py is unchanged.
# Runs: on each file, encode-only (`dsfill bench`) with 1 and 2 encoders (and more, up to the
# cores, where there are more) at libdeflate levels 1 and 6 and ISA-L level 1 (where this build
# has it), each beside the single-thread yardstick on the same batches of the same file
# (bench_baseline: cut, CSV -> JSON, deflate alone, base64), interleaved; levels 3 and 9; a
# scaling model from the yardstick's per-stage CPU costs, checked with `taskset` at 1, 2 (4, 8,
# 16) cores. On the plain file: the defaults (--level auto) and ISA-L level 0; end to end against
# `dsfill serve --discard` on 127.0.0.1 (also the send cost of the model); the API documentation's
# Python sample approach (csv -> json.dumps -> gzip level 9 -> base64, whole file); the shell
# pipeline of the same work (GNU parallel + python csv->json + pigz + base64 + curl) when pigz,
# parallel and curl are installed; peak RSS at SIZE and 10 x SIZE; and --level auto against
# fixed levels over a bandwidth-limited link (bench/throttle_proxy.py, a user-space proxy on
# 127.0.0.1). About 10 minutes at 100MB with REPEAT=3 on 2 cores (a third of it the throttled
# links), plus under a minute to generate the files the first time; the log shows each part's time.
#
# Environment: BUILD (build dir with dsfill and bench_baseline; default build), WORK (scratch
# dir for data and logs; default /tmp/dsfill-bench), REPEAT (runs of each key measurement;
# default 3), RSS_SIZES (default "SIZE 10xSIZE"), AUTO_RATES (links: RATE or RATE>RATE2@SECONDS,
# default "8MB 25MB 8MB>40MB@3"), NO_PLOTS=1, and SKIP, space-separated parts to skip:
#   kinds    the hard, quote-all and transactional files (the plain one always runs)
#   levels   levels 3 and 9 (the throughput-vs-level plot)
#   scaling  the taskset check of the scaling model (its predictions cost nothing and stay)
#   e2e      end to end (without it, the model has no send cost)
#   python shell rss auto   the baselines, peak RSS, the throttled-link table
# Everything listens on 127.0.0.1 only and stops by itself. scripts/bootstrap.sh installs every
# tool it uses (/usr/bin/time, gnuplot, pigz, GNU parallel, curl; taskset is util-linux's).
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
    -h|--help) awk 'NR > 1 && !/^#/ { exit } NR > 1 { sub(/^# ?/, ""); print }' "$0"; exit 0 ;;
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

# bench_compare.py generates the files it needs (gen_csv.py, cached in WORK).
exec python3 "$here/bench/bench_compare.py" --size-label "$size" \
  --repo "$here" --build "$BUILD" --work "$WORK" --out "$out/benchmarks.md"
