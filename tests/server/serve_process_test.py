#!/usr/bin/env python3
"""Process-level tests of `dsfill serve` (python3 stdlib only; 127.0.0.1 only; bounded time).

usage: serve_process_test.py PATH/TO/dsfill MODE
  crash           kill -9 the server during a stream of fills, restart it: every request that got
                  a 2xx is fully present, none is partially present.
  python_payload  a payload built the seed client's way (csv -> json.dumps -> gzip -> base64) is
                  accepted and stored exactly.
  sigterm         SIGTERM stops the server with exit code 0 while a client is connected, after
                  answering the request in flight.
  fd_limit        started with RLIMIT_NOFILE soft 64 / hard 96, the server raises its soft limit
                  to 96; with more sockets open against it than it has descriptors it stays
                  nearly idle (CPU time over 1 s) and answers the overflow 503; once they close,
                  a fill succeeds.
  timeouts        with --header-timeout 2 --body-window 1 --min-body-rate 10KiB: a body sent at
                  ~40 KB/s for ~5 s (past the header timeout, so no fixed deadline covers it)
                  is stored; a body that stalls is cut after about one window; a header that
                  stops coming is cut after about the header timeout.
"""
import base64
import csv
import gzip
import http.client
import io
import json
import os
import resource
import socket
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time

DSFILL = sys.argv[1]
MODE = sys.argv[2]
COLUMNS = [
    {"name": "Tag", "alias": "Tag", "type": "dimension", "subtype": "text"},
    {"name": "Seq", "alias": "Seq", "type": "measure", "subtype": "numeric"},
]


class Server:
    def __init__(self, db, extra=(), preexec_fn=None):
        self.proc = subprocess.Popen(
            [DSFILL, "serve", "--db", db, "--listen", "127.0.0.1:0", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True, preexec_fn=preexec_fn)
        line = self.proc.stdout.readline()
        assert line.startswith("listening on http://127.0.0.1:"), line
        self.port = int(line.rsplit(":", 1)[1])

    def post(self, path, body, headers=None, timeout=20):
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            conn.request("POST", path, body=json.dumps(body),
                         headers={"Content-Type": "application/json", **(headers or {})})
            res = conn.getresponse()
            return res.status, json.loads(res.read())
        finally:
            conn.close()


def fill_body(user, dataset, columns, rows, append=True):
    # mtime=0: a retry must send the very same bytes (gzip's header holds the time otherwise,
    # and the server refuses a reused Idempotency-Key with a different body).
    payload = base64.b64encode(gzip.compress(json.dumps(rows).encode(), mtime=0)).decode()
    return {"user-code": user, "dataset-code": dataset, "columns": columns,
            "insert-data": payload, "append": append, "compressed": True}


def write_columns(tmp, columns):
    path = os.path.join(tmp, "columns.json")
    with open(path, "w") as f:
        json.dump(columns, f)
    return path


def crash(tmp):
    db = os.path.join(tmp, "crash.db")
    server = Server(db, ["--create", "u/d", "--columns", write_columns(tmp, COLUMNS)])
    rows_per_request = 4000
    acked, lock, stop = set(), threading.Lock(), threading.Event()

    def sender(worker):
        i = 0
        while not stop.is_set() and i < 500:
            tag = f"w{worker}-r{i}"
            rows = [[tag, str(j)] for j in range(rows_per_request)]
            try:
                status, _ = server.post("/dataset-fill", fill_body("u", "d", COLUMNS, rows),
                                        {"Idempotency-Key": tag}, timeout=10)
            except (OSError, http.client.HTTPException):
                return  # the server is gone
            assert status == 200, status
            with lock:
                acked.add(tag)
            i += 1

    threads = [threading.Thread(target=sender, args=(w,)) for w in range(2)]
    for t in threads:
        t.start()
    deadline = time.time() + 10
    while time.time() < deadline:
        with lock:
            if len(acked) >= 6:
                break
        time.sleep(0.01)
    os.kill(server.proc.pid, signal.SIGKILL)  # in the middle of the stream
    server.proc.wait(timeout=10)
    stop.set()
    for t in threads:
        t.join(timeout=30)
    assert len(acked) >= 6, f"only {len(acked)} requests acknowledged before the kill"

    server = Server(db)  # restart on the same database: recovery must succeed
    try:
        con = sqlite3.connect(db)
        counts = dict(con.execute("SELECT Tag, count(*) FROM ds_1 GROUP BY Tag"))
        for tag in acked:
            assert counts.get(tag) == rows_per_request, (tag, counts.get(tag))
        for tag, n in counts.items():
            assert n == rows_per_request, f"request {tag} is partially present: {n} rows"
        total = sum(counts.values())
        (row_count,) = con.execute("SELECT row_count FROM datasets").fetchone()
        assert row_count == total, (row_count, total)
        (keys,) = con.execute("SELECT count(*) FROM idempotency").fetchone()
        assert keys == len(counts), (keys, len(counts))
        con.close()
        # A retried acknowledged batch is replayed, not stored twice.
        tag = sorted(acked)[0]
        rows = [[tag, str(j)] for j in range(rows_per_request)]
        status, reply = server.post("/dataset-fill", fill_body("u", "d", COLUMNS, rows),
                                    {"Idempotency-Key": tag})
        assert status == 200, (status, reply)
        con = sqlite3.connect(db)
        (n,) = con.execute("SELECT count(*) FROM ds_1 WHERE Tag = ?", (tag,)).fetchone()
        assert n == rows_per_request, n
        con.close()
        print(f"crash: {len(acked)} acknowledged, {len(counts)} stored, none partial")
    finally:
        server.proc.send_signal(signal.SIGTERM)
        assert server.proc.wait(timeout=20) == 0


def python_payload(tmp):
    text = ('InvoiceNo,StockCode,Description,Quantity,InvoiceDate,UnitPrice\r\n'
            '536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55\r\n'
            '536366,22633,"HAND WARMER, ""UNION JACK""",6,2010-12-01 08:28:00,1.85\r\n'
            '536367,84879,"multi\nline \\ back\\slash",32,2010-12-01 08:34:00,1.69\r\n'
            '536368,,Crème brûlée – 東京 😀,,2010-12-01 08:34:00,\r\n'
            '536369,22745,"",1,2010-12-01 08:34:00,0.0\r\n')
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader)
    rows = list(reader)
    columns = [{"name": h, "alias": h, "type": "dimension", "subtype": "text"} for h in header]
    columns[3] = {"name": "Quantity", "alias": "Quantity", "type": "measure", "subtype": "numeric"}
    columns[4] = {"name": "InvoiceDate", "alias": "InvoiceDate", "type": "dimension",
                  "subtype": "date", "format": "%Y-%m-%d %H:%M:%S"}
    columns[5] = {"name": "UnitPrice", "alias": "UnitPrice", "type": "measure", "subtype": "numeric"}
    db = os.path.join(tmp, "py.db")
    server = Server(db, ["--auto-create"])
    try:
        # Exactly the documentation's sample client: json.dumps, gzip.compress, base64.
        payload = base64.b64encode(gzip.compress(json.dumps(rows).encode("utf-8"))).decode("utf-8")
        body = {"user-code": "0f02b4d4f9ae", "dataset-code": "eca2ad3940e3", "columns": columns,
                "insert-data": payload, "append": False, "compressed": True}
        status, reply = server.post("/dataset-fill", body)
        assert status == 200, (status, reply)
        assert reply["data"]["details"]["rows-count"] == len(rows), reply
        con = sqlite3.connect(db)
        stored = [list(r) for r in con.execute("SELECT * FROM ds_1 ORDER BY rowid")]
        names = [d[0] for d in con.execute("SELECT * FROM ds_1").description]
        con.close()
        assert names == header, names
        assert stored == rows, (stored, rows)
        print(f"python_payload: {len(rows)} rows stored exactly")
    finally:
        server.proc.send_signal(signal.SIGTERM)
        assert server.proc.wait(timeout=20) == 0


def sigterm(tmp):
    db = os.path.join(tmp, "term.db")
    server = Server(db, ["--create", "u/d", "--columns", write_columns(tmp, COLUMNS)])
    idle = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
    idle.request("GET", "/datasets/u/d")
    assert idle.getresponse().read() and True  # an idle keep-alive connection stays open
    result = {}
    rows = [["t", str(j)] for j in range(200000)]
    body = fill_body("u", "d", COLUMNS, rows)

    def send():
        try:
            result["reply"] = server.post("/dataset-fill", body)
        except (OSError, http.client.HTTPException) as e:
            result["error"] = e

    t = threading.Thread(target=send)
    t.start()
    time.sleep(0.3)
    server.proc.send_signal(signal.SIGTERM)
    code = server.proc.wait(timeout=30)
    t.join(timeout=30)
    assert code == 0, code
    con = sqlite3.connect(db)
    (n,) = con.execute("SELECT count(*) FROM ds_1").fetchone()
    con.close()
    if "reply" in result:
        status, reply = result["reply"]
        assert status == 200, (status, reply)
        assert n == len(rows), n
    else:
        assert n in (0, len(rows)), n
    print(f"sigterm: exit 0, in-flight request {'answered' if 'reply' in result else 'not read'}")


def cpu_seconds(pid):
    with open(f"/proc/{pid}/stat") as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime + stime


def soft_file_limit(pid):
    with open(f"/proc/{pid}/limits") as f:
        for line in f:
            if line.startswith("Max open files"):
                return int(line.split()[3])
    raise AssertionError("no Max open files line")


def fd_limit(tmp):
    started = time.monotonic()
    db = os.path.join(tmp, "fd.db")
    server = Server(db, ["--create", "u/d", "--columns", write_columns(tmp, COLUMNS)],
                    preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (64, 96)))
    try:
        assert soft_file_limit(server.proc.pid) == 96, soft_file_limit(server.proc.pid)
        held = []
        for _ in range(200):  # far more than its 96 descriptors
            s = socket.create_connection(("127.0.0.1", server.port), timeout=5)
            held.append(s)
        time.sleep(0.3)  # let it reach the limit
        before = cpu_seconds(server.proc.pid)
        time.sleep(1.0)
        used = cpu_seconds(server.proc.pid) - before
        assert used < 0.2, f"{used:.2f} s of CPU in 1 s at the descriptor limit"
        # Connections beyond the limit were answered 503 (and closed), not left hanging.
        refused = 0
        for s in held:
            s.settimeout(0.01)
            try:
                refused += s.recv(4096).startswith(b"HTTP/1.1 503")
            except OSError:
                pass
        assert refused > 0, "no connection got 503"
        for s in held:
            s.close()
        body = fill_body("u", "d", COLUMNS, [["t", "1"]])
        status = None
        for _ in range(50):  # the server frees the closed connections' descriptors
            try:
                status, reply = server.post("/dataset-fill", body, timeout=2)
                if status == 200:
                    break
            except (OSError, http.client.HTTPException):
                pass
            time.sleep(0.1)
        assert status == 200, status
        print(f"fd_limit: {used:.3f} s CPU in 1 s at the limit, {refused} answered 503, "
              f"fill ok, {time.monotonic() - started:.1f} s in all")
    finally:
        server.proc.kill()
        server.proc.wait(timeout=10)


def wait_closed(sock, limit):
    # Returns the seconds until the server closed the socket (EOF or reset), at most limit.
    started = time.monotonic()
    sock.settimeout(limit)
    try:
        while sock.recv(4096):
            pass
    except socket.timeout:
        return limit
    except OSError:
        pass
    return time.monotonic() - started


def timeouts(tmp):
    db = os.path.join(tmp, "timeouts.db")
    server = Server(db, ["--create", "u/d", "--columns", write_columns(tmp, COLUMNS),
                         "--header-timeout", "2", "--body-window", "1",
                         "--min-body-rate", "10KiB"])
    try:
        rows = [[f"tag-{i:06d}-" + "x" * 40, str(i)] for i in range(3000)]
        body = json.dumps({"user-code": "u", "dataset-code": "d", "columns": COLUMNS,
                           "insert-data": json.dumps(rows), "append": True,
                           "compressed": False}).encode()
        head = (f"POST /dataset-fill HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
        # Slow but steady: 4 KiB every 0.1 s (~40 KB/s, above the 10 KiB/s minimum).
        started = time.monotonic()
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(head.encode())
        for at in range(0, len(body), 4096):
            sock.sendall(body[at:at + 4096])
            time.sleep(0.1)
        took = time.monotonic() - started
        reply = b""
        while b"\r\n\r\n" not in reply:
            part = sock.recv(65536)
            assert part, "closed without an answer"
            reply += part
        sock.close()
        assert reply.startswith(b"HTTP/1.1 200"), reply[:200]
        assert took > 3, f"the slow upload took only {took:.1f} s"
        (count,) = sqlite3.connect(db).execute("SELECT count(*) FROM ds_1").fetchone()
        assert count == len(rows), count

        # Stalled body: half the body, then nothing; cut after about one window (1 s).
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(head.encode() + body[: len(body) // 2])
        stalled = wait_closed(sock, 6)
        sock.close()
        assert 0.5 < stalled < 4, f"a stalled body was cut after {stalled:.1f} s"

        # Stalled header: part of a header, then nothing; cut after about 2 s.
        sock = socket.create_connection(("127.0.0.1", server.port), timeout=10)
        sock.sendall(b"POST /dataset-fill HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        cut = wait_closed(sock, 8)
        sock.close()
        assert 1.5 < cut < 5, f"a stalled header was cut after {cut:.1f} s"
        print(f"timeouts: {len(body)} bytes in {took:.1f} s stored; stalled body cut after "
              f"{stalled:.1f} s, stalled header after {cut:.1f} s")
    finally:
        server.proc.kill()
        server.proc.wait(timeout=10)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="dsfill_serve_") as tmp:
        {"crash": crash, "python_payload": python_payload, "sigterm": sigterm,
         "fd_limit": fd_limit, "timeouts": timeouts}[MODE](tmp)
