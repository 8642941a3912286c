#!/usr/bin/env bash
# What the client-side checks of client data cost (issue #16), measured in one run on this
# machine, on one generated file (scripts/gen_csv.py, SIZE bytes), and printed as a Markdown
# table for docs/benchmarks-client-data.md:
#
#   scripts/bench-client-data.sh [SIZE]      e.g. scripts/bench-client-data.sh 200MB (default)
#
#   1. the validation pass alone: `dsfill check` with the inferred spec (MB/s of CSV);
#   2. `dsfill bench --level 1` of the file in order against the same rows with the columns
#      reversed (read through the checked path), both with the same spec;
#   3. `dsfill load --level 1` into `dsfill serve --discard` on 127.0.0.1, with and without
#      --validate-first (the cost of checking before the first request);
#   4. the transcoder alone: its checked path (columns in order with a null marker, reversed,
#      reversed and typed) against its fast path (bench_codec's BM_RowsJsonChecked).
#
# Environment: BUILD (default build), WORK (scratch dir; default /tmp/dsfill-client-bench),
# REPEAT (runs of each, the best kept; default 3), ENCODERS (default 2). Runs one thing at a time.
set -euo pipefail

here=$(cd "$(dirname "$0")/.." && pwd)
size=${1:-200MB}
build=${BUILD:-$here/build}
work=${WORK:-/tmp/dsfill-client-bench}
repeat=${REPEAT:-3}
encoders=${ENCODERS:-2}
dsfill=$build/dsfill
mkdir -p "$work"
[[ -x $dsfill ]] || { echo "bench-client-data: $dsfill is missing" >&2; exit 2; }

data=$work/data.csv
reversed=$work/reversed.csv
[[ -f $data ]] || python3 "$here/scripts/gen_csv.py" --size "$size" -o "$data" >/dev/null
[[ -f $reversed ]] || python3 - "$data" "$reversed" <<'PY'
import csv, sys
with open(sys.argv[1], newline="") as f, open(sys.argv[2], "w", newline="") as out:
    w = csv.writer(out, lineterminator="\n")
    for row in csv.reader(f):
        w.writerow(row[::-1])
PY
"$dsfill" infer "$data" -o "$work/spec.json" 2>/dev/null
bytes=$(stat -c %s "$data")

# Runs "$@" REPEAT times and prints the best wall time in seconds.
best() {
  local best_s=""
  for ((i = 0; i < repeat; i++)); do
    local t0 t1
    t0=$(date +%s.%N)
    "$@" >/dev/null 2>&1 || true
    t1=$(date +%s.%N)
    best_s=$(python3 -c "a='$best_s'; b=$t1-$t0; print(b if not a else min(float(a), b))")
  done
  python3 -c "print(f'{$best_s:.3f}')"
}
mbs() { python3 -c "print(f'{$bytes / $1 / 1e6:.0f}')"; }

check_s=$(best "$dsfill" check "$data" --columns "$work/spec.json" --encoders "$encoders" --progress never)
inorder_s=$(best "$dsfill" bench "$data" --columns "$work/spec.json" --level 1 --encoders "$encoders")
reordered_s=$(best "$dsfill" bench "$reversed" --columns "$work/spec.json" --level 1 --encoders "$encoders")

"$dsfill" serve --discard --listen 127.0.0.1:0 >"$work/serve.out" 2>"$work/serve.log" &
server=$!
trap 'kill $server 2>/dev/null || true' EXIT
port=""
for _ in $(seq 100); do
  port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/serve.out")
  [[ -n $port ]] && break
  sleep 0.1
done
[[ -n $port ]] || { echo "bench-client-data: dsfill serve did not start" >&2; exit 1; }
# --no-checkpoint: every repeat loads the same file again (a checkpoint would ask for --restart).
load=("$dsfill" load "$data" --columns "$work/spec.json" --url "http://127.0.0.1:$port"
  --user-code u1 --dataset-code d1 --level 1 --encoders "$encoders" --progress never
  --no-checkpoint)
plain_s=$(best "${load[@]}")
validated_s=$(best "${load[@]}" --validate-first)

cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')
kernels=$("$dsfill" bench "$data" --level 1 --encoders 1 2>/dev/null | sed -n 's/^ *kernels: *//p')
echo "Client data checks: $(nproc) cores, $cpu; kernels: $kernels; $(numfmt --to=si "$bytes")B generated CSV (scripts/gen_csv.py), $encoders encoders, best of $repeat."
echo
echo "| run | wall s | MB/s of CSV | ratio |"
echo "|---|---|---|---|"
echo "| \`dsfill check\` (validation pass alone) | $check_s | $(mbs "$check_s") | |"
echo "| \`bench --level 1\`, columns in order | $inorder_s | $(mbs "$inorder_s") | 1.00 |"
echo "| \`bench --level 1\`, columns reversed (mapped by name) | $reordered_s | $(mbs "$reordered_s") | $(python3 -c "print(f'{$inorder_s / $reordered_s:.2f}')") |"
echo "| \`load --level 1\` into \`serve --discard\` | $plain_s | $(mbs "$plain_s") | 1.00 |"
echo "| the same with \`--validate-first\` | $validated_s | $(mbs "$validated_s") | $(python3 -c "print(f'{$plain_s / $validated_s:.2f}')") |"

# The transcoder alone (bench/csv_bench.cpp, ~32 MB of typical data in 10,000-row batches): the
# checked path against the fast path in the same run, medians of REPEAT repetitions.
codec_bench=$build/bench/bench_codec
if [[ -x $codec_bench ]]; then
  "$codec_bench" --benchmark_filter='BM_RowsJsonStrings/2|BM_RowsJsonChecked' \
    --benchmark_repetitions="$repeat" --benchmark_report_aggregates_only=true \
    --benchmark_format=json >"$work/codec.json" 2>/dev/null
  echo
  echo "| transcoder (\`bench_codec\`) | GB/s of CSV (median) | ratio to the fast path |"
  echo "|---|---|---|"
  python3 - "$work/codec.json" <<'PY'
import json, sys
runs = [b for b in json.load(open(sys.argv[1]))["benchmarks"] if b.get("aggregate_name") == "median"]
fast = next(b for b in runs if b["run_name"].startswith("BM_RowsJsonStrings"))["bytes_per_second"]
for b in runs:
    name = b["run_name"] + (f" ({b['label']})" if b.get("label") else "")
    print(f"| {name} | {b['bytes_per_second'] / 1e9:.2f} | {b['bytes_per_second'] / fast:.2f} |")
PY
fi
