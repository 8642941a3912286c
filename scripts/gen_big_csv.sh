#!/usr/bin/env bash
# Makes a big benchmark CSV fast: scripts/gen_csv.py writes about 5 MB/s, so it generates one
# base file once (cached beside the output) and the big file is that base's data rows repeated
# until SIZE is reached. RowId values repeat across copies, which is fine for benchmarks (the
# bytes a loader sees are the same kind), not for tests that count distinct rows.
#
#   scripts/gen_big_csv.sh SIZE OUTPUT [BASE_SIZE]     e.g. scripts/gen_big_csv.sh 2GB /tmp/big.csv
#
# SIZE and BASE_SIZE accept KB, MB, GB (powers of 10) or plain bytes; BASE_SIZE defaults to 50MB.
# An OUTPUT that already has the right size is kept.
set -euo pipefail

if (($# < 2)); then
  echo "usage: $0 SIZE OUTPUT [BASE_SIZE]" >&2
  exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
size_arg=$1
out=$2
base_arg=${3:-50MB}

to_bytes() {
  local t=${1^^}
  case $t in
    *GB) echo $((${t%GB} * 1000000000)) ;;
    *MB) echo $((${t%MB} * 1000000)) ;;
    *KB) echo $((${t%KB} * 1000)) ;;
    *[0-9]) echo "$t" ;;
    *) echo "bad size: $1 (use KB, MB, GB or bytes)" >&2; return 2 ;;
  esac
}
size=$(to_bytes "$size_arg")
base_size=$(to_bytes "$base_arg")
((base_size > size)) && base_size=$size

if [[ -f $out ]] && (( $(stat -c %s "$out") >= size )) && (( $(stat -c %s "$out") < size + base_size )); then
  echo "gen_big_csv: keeping $out ($(stat -c %s "$out") bytes)" >&2
  exit 0
fi

base="$(dirname "$out")/.gen_big_base_${base_size}.csv"
if [[ ! -s $base ]]; then
  echo "gen_big_csv: generating the $base_size-byte base $base (about 5 MB/s)" >&2
  python3 "$here/gen_csv.py" --size "$base_size" --seed 7 -o "$base.tmp"
  mv "$base.tmp" "$base"
fi
body="$base.body"
[[ -s $body ]] || tail -n +2 "$base" > "$body"

head -n 1 "$base" > "$out.tmp"
body_size=$(stat -c %s "$body")
while (( $(stat -c %s "$out.tmp") + body_size <= size )); do
  cat "$body" >> "$out.tmp"
done
# Top up with whole records of the base, so the file ends on a record boundary.
missing=$((size - $(stat -c %s "$out.tmp")))
if ((missing > 0)); then
  head -c "$missing" "$body" | sed '$d' >> "$out.tmp" || true
fi
mv "$out.tmp" "$out"
echo "gen_big_csv: wrote $out ($(stat -c %s "$out") bytes)" >&2
