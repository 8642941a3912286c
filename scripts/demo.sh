#!/usr/bin/env bash
# The README's first command: install dependencies, build, generate a sample CSV, start the
# reference server on loopback with a SQLite file, load the sample, print the summary and the
# stored row count, and stop the server.
# Usage: scripts/demo.sh [ROWS]   (default 200000 rows; files go to ./demo/)
set -euo pipefail
cd "$(dirname "$0")/.."
rows="${1:-200000}"

bash scripts/bootstrap.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target dsfill

mkdir -p demo
# The load's checkpoint and lock go in demo/state rather than ~/.local/state/dsfill. A second
# run of this script loads again: --mode replace truncates first, so nothing doubles.
export STATE_DIRECTORY="$PWD/demo/state"
rm -f demo/dsfill.db demo/dsfill.db-wal demo/dsfill.db-shm
echo "demo: generating demo/sample.csv ($rows rows, with quoted commas, quotes, newlines, non-ASCII)"
python3 scripts/gen_csv.py --rows "$rows" --hard -o demo/sample.csv

./build/dsfill serve --db demo/dsfill.db --listen 127.0.0.1:0 --auto-create \
  >demo/serve.out 2>demo/serve.log &
server=$!
trap 'kill -TERM $server 2>/dev/null || true; wait $server 2>/dev/null || true' EXIT
url=""
for _ in $(seq 1 100); do
  url=$(sed -n 's/^listening on \(http:[^ ]*\).*/\1/p' demo/serve.out | head -n1)
  [[ -n "$url" ]] && break
  kill -0 $server 2>/dev/null || { cat demo/serve.log; exit 1; }
  sleep 0.1
done
[[ -n "$url" ]] || { echo "demo: server did not start"; cat demo/serve.log; exit 1; }
echo "demo: reference server listening on $url (SQLite file demo/dsfill.db)"

./build/dsfill load demo/sample.csv --url "$url" --user-code demo --dataset-code sample \
  --mode replace --summary-json demo/summary.json

table=$(sqlite3 demo/dsfill.db \
  "SELECT table_name FROM datasets WHERE user_code='demo' AND dataset_code='sample'")
stored=$(sqlite3 demo/dsfill.db "SELECT COUNT(*) FROM $table")
echo "demo: rows in the CSV: $rows; rows stored by the server in table $table: $stored"
echo "demo: look at them with: sqlite3 -header demo/dsfill.db 'SELECT * FROM $table LIMIT 5'"
[[ "$stored" == "$rows" ]]
