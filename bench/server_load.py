#!/usr/bin/env python3
"""Load test of `dsfill serve`: C concurrent keep-alive clients POSTing /dataset-fill batches.

usage: server_load.py DSFILL [--clients 64] [--rows 10000] [--seconds 20] [--store sqlite|discard]

Starts `dsfill serve` on 127.0.0.1:0 (a temporary SQLite database, or --discard), creates the
dataset, then runs C client threads, each on its own keep-alive connection, sending prebuilt
batches of R rows (7 columns like the API's example, gzip level 6, base64, as the loader sends
them) for S seconds. Prints requests/s, rows/s, p50/p99 latency (answer received minus request
start), the answers by status, and the server's peak RSS (VmHWM). The clients run in this
Python process on the same machine as the server: on a small machine they take CPU from it,
so the figures are a floor. Every socket is on 127.0.0.1; the run stops by itself.
"""
import argparse
import base64
import collections
import gzip
import http.client
import json
import os
import random
import subprocess
import sys
import tempfile
import threading
import time

COLUMNS = [
    {"name": "InvoiceNo", "alias": "InvoiceNo", "type": "dimension", "subtype": "text"},
    {"name": "StockCode", "alias": "StockCode", "type": "dimension", "subtype": "text"},
    {"name": "Description", "alias": "Description", "type": "dimension", "subtype": "text"},
    {"name": "Quantity", "alias": "Quantity", "type": "measure", "subtype": "numeric"},
    {"name": "InvoiceDate", "alias": "InvoiceDate", "type": "dimension", "subtype": "date",
     "format": "%Y-%m-%d %H:%M:%S"},
    {"name": "UnitPrice", "alias": "UnitPrice", "type": "measure", "subtype": "numeric"},
    {"name": "CustomerID", "alias": "CustomerID", "type": "dimension", "subtype": "text"},
]


def body(rows, seed):
    rnd = random.Random(seed)
    data = [[str(536365 + i), "85123A", "WHITE HANGING HEART T-LIGHT HOLDER %d" % rnd.randrange(999),
             str(rnd.randrange(1, 50)), "2010-12-01 08:%02d:00" % (i % 60),
             "%d.%02d" % (rnd.randrange(20), rnd.randrange(100)), str(17850 + rnd.randrange(500))]
            for i in range(rows)]
    payload = base64.b64encode(gzip.compress(json.dumps(data).encode(), 6, mtime=0)).decode()
    return json.dumps({"user-code": "u1", "dataset-code": "load", "columns": COLUMNS,
                       "insert-data": payload, "append": True, "compressed": True}).encode()


def peak_rss_mib(pid):
    with open("/proc/%d/status" % pid) as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dsfill")
    ap.add_argument("--clients", type=int, default=64)
    ap.add_argument("--rows", type=int, default=10000)
    ap.add_argument("--seconds", type=float, default=20)
    ap.add_argument("--store", choices=["sqlite", "discard"], default="sqlite")
    ap.add_argument("--server-args", default="", help="extra `dsfill serve` flags")
    a = ap.parse_args()

    with tempfile.TemporaryDirectory(prefix="dsfill_load_") as tmp:
        cols = os.path.join(tmp, "columns.json")
        with open(cols, "w") as f:
            json.dump(COLUMNS, f)
        store = ["--discard"] if a.store == "discard" else ["--db", os.path.join(tmp, "load.db")]
        server = subprocess.Popen(
            [a.dsfill, "serve", *store, "--listen", "127.0.0.1:0", "--create", "u1/load",
             "--columns", cols, "--max-connections", str(a.clients + 16), *a.server_args.split()],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            port = int(server.stdout.readline().rsplit(":", 1)[1])
            bodies = [body(a.rows, s) for s in range(8)]
            latencies, statuses, lock = [], collections.Counter(), threading.Lock()
            stop_at = time.monotonic() + a.seconds

            def client(k):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                mine, seen = [], collections.Counter()
                i = k
                while time.monotonic() < stop_at:
                    t0 = time.monotonic()
                    try:
                        conn.request("POST", "/dataset-fill", body=bodies[i % len(bodies)],
                                     headers={"Content-Type": "application/json"})
                        res = conn.getresponse()
                        res.read()
                        seen[res.status] += 1
                        if res.status == 200:
                            mine.append(time.monotonic() - t0)
                        elif res.status in (429, 503):
                            time.sleep(random.uniform(0.05, 0.1))  # backs off, as the loader does
                    except OSError as e:
                        seen[type(e).__name__] += 1
                        conn.close()
                        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
                    i += 1
                conn.close()
                with lock:
                    latencies.extend(mine)
                    statuses.update(seen)

            t0 = time.monotonic()
            threads = [threading.Thread(target=client, args=(k,)) for k in range(a.clients)]
            for t in threads:
                t.start()
            for t in threads:
                t.join()
            wall = time.monotonic() - t0
            rss = peak_rss_mib(server.pid)
        finally:
            server.terminate()
            server.wait(timeout=60)
            server.stdout.close()
    ok = len(latencies)
    latencies.sort()
    pct = lambda q: latencies[min(ok - 1, int(q * ok))] * 1000 if ok else float("nan")
    print(json.dumps({"store": a.store, "clients": a.clients, "rows_per_batch": a.rows,
                      "seconds": round(wall, 1), "ok_requests": ok,
                      "requests_per_s": round(ok / wall, 1),
                      "rows_per_s": round(ok * a.rows / wall),
                      "p50_ms": round(pct(0.50), 1), "p99_ms": round(pct(0.99), 1),
                      "server_peak_rss_mib": round(rss, 1),
                      "statuses": {str(k): v for k, v in statuses.items()}}))


if __name__ == "__main__":
    sys.exit(main())
