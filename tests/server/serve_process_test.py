#!/usr/bin/env python3
"""Process-level tests of `dsfill serve` (python3 stdlib only; 127.0.0.1 only; bounded time).

usage: serve_process_test.py PATH/TO/dsfill MODE
  crash           kill -9 the server during a stream of fills, restart it: every request that got
                  a 2xx is fully present, none is partially present.
  python_payload  a payload built the seed client's way (csv -> json.dumps -> gzip -> base64) is
                  accepted and stored exactly (dates in ISO 8601).
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
  log_pipe        with stderr a pipe nobody reads, 2000 requests are all answered (the log never
                  blocks a request); reading the pipe then shows "N log lines dropped".
  raw_http        RFC 9112: a folded header line (obs-fold) is 400; a 1 MB chunked trailer is 431.
  file_row        a fill with X-First-Row gets errors naming the file row ("rows[1] (row 1234567
                  of the file)"); `dsfill load` sends X-First-Row: 2, 12, 22 for 25 rows in
                  batches of 10 (row 1 is the header), and names the file row of a 400 that
                  names only the request's row.
  disk_full       (root only: mounts an 8 MiB tmpfs, else skips) a load into a server whose
                  disk fills answers 507 "disk full" and exits 5; after the space is freed,
                  `--resume` stores every row exactly once.
  rss_bound       (label "scale") 40 clients each sending a 60 MB body slowly and 100 header-only
                  clients declaring 60 MB keep the server's peak RSS (VmHWM) under the bound of
                  docs/server.md, and a normal fill is still served.
"""
import base64
import csv
import fcntl
import gzip
import http.client
import http.server
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
    def __init__(self, db, extra=(), preexec_fn=None, stderr=subprocess.DEVNULL, env=None):
        self.proc = subprocess.Popen(
            [DSFILL, "serve", "--db", db, "--listen", "127.0.0.1:0", *extra],
            stdout=subprocess.PIPE, stderr=stderr, text=True, preexec_fn=preexec_fn, env=env)
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
        # As sent, but dates in ISO 8601 so that they sort (docs/server.md, Storage).
        expected = [r[:4] + [r[4].replace(" ", "T")] + r[5:] for r in rows]
        assert stored == expected, (stored, expected)
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
    # A sanitized build's vptr check misreports objects at the limit (see the suppressions file).
    supp = os.path.join(os.path.dirname(os.path.abspath(__file__)), "ubsan-at-fd-limit.supp")
    env = dict(os.environ)
    env["UBSAN_OPTIONS"] = env.get("UBSAN_OPTIONS", "") + f":suppressions={supp}"
    server = Server(db, ["--create", "u/d", "--columns", write_columns(tmp, COLUMNS)],
                    preexec_fn=lambda: resource.setrlimit(resource.RLIMIT_NOFILE, (64, 96)),
                    env=env)
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


def raw_request(port, data, timeout=10):
    """Sends `data` on a new connection and returns what comes back until the server closes."""
    sock = socket.create_connection(("127.0.0.1", port), timeout=timeout)
    try:
        try:
            sock.sendall(data)
        except OSError:
            pass  # the server may answer and close before taking it all
        answer = b""
        while True:
            try:
                part = sock.recv(65536)
            except OSError:
                break
            if not part:
                break
            answer += part
        return answer
    finally:
        sock.close()


def log_pipe(tmp):
    server = Server(os.path.join(tmp, "db"), stderr=subprocess.PIPE)
    # A one-page pipe fills after ~100 lines, whatever the machine's default pipe size.
    fcntl.fcntl(server.proc.stderr.fileno(), fcntl.F_SETPIPE_SZ, 4096)
    try:
        deadline = time.monotonic() + 120
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=10)
        for i in range(2000):
            assert time.monotonic() < deadline, "2000 requests took over 120 s"
            # 404: a cheap request that still logs a line.
            conn.request("POST", "/dataset-complete",
                         body=json.dumps({"user-code": "u", "dataset-code": "none"}),
                         headers={"Content-Type": "application/json"})
            res = conn.getresponse()
            res.read()
            assert res.status == 404, (i, res.status)
        conn.close()
        # Now read the pipe: the writer catches up and reports what it dropped.
        fd = server.proc.stderr.fileno()
        os.set_blocking(fd, False)
        text = ""
        while "log lines dropped" not in text and time.monotonic() < deadline:
            try:
                chunk = os.read(fd, 65536)
            except BlockingIOError:
                chunk = b""
            if chunk:
                text += chunk.decode(errors="replace")
            else:
                time.sleep(0.05)
        assert "log lines dropped" in text, text[-500:]
        line = [l for l in text.splitlines() if "log lines dropped" in l][0]
        dropped = int(line.split("dsfill serve: ")[1].split()[0])
        logged = text.count("POST /dataset-complete 404")
        print(f"log_pipe: {logged} lines written, {dropped} dropped")
        assert dropped > 0 and logged + dropped <= 2000, (logged, dropped)
    finally:
        server.proc.terminate()
        server.proc.wait(timeout=20)


def raw_http(tmp):
    server = Server(os.path.join(tmp, "db"))
    try:
        folded = raw_request(server.port,
                             b"POST /dataset-fill HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n"
                             b"X-Note: first\r\n second\r\n\r\n{}")
        assert folded.startswith(b"HTTP/1.1 400 "), folded[:200]
        assert b"obs-fold" in folded, folded[:300]
        trailer = (b"2\r\n{}\r\n0\r\nX-Trailer: " + b"t" * (1 << 20) + b"\r\n\r\n")
        big = raw_request(server.port,
                          b"POST /dataset-fill HTTP/1.1\r\nHost: x\r\n"
                          b"Transfer-Encoding: chunked\r\n\r\n" + trailer)
        assert big.startswith(b"HTTP/1.1 431 "), big[:200]
        assert b"trailer" in big, big[:300]
        # A small trailer is fine: the request is read and judged on its body.
        small = raw_request(server.port,
                            b"POST /dataset-fill HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                            b"Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\nX-T: 1\r\n\r\n")
        assert small.startswith(b"HTTP/1.1 400 ") and b"user-code" in small, small[:300]
    finally:
        server.proc.terminate()
        server.proc.wait(timeout=20)


def write_csv(path, count, bad_row=None):
    with open(path, "w") as f:
        f.write("Tag,Seq\n")
        for i in range(count):
            seq = "oops" if bad_row is not None and i + 2 == bad_row else str(i)
            f.write(f"tag{i:07d},{seq}\n")


def run_load(port, csv_path, columns, extra=(), timeout=120):
    # The load's default checkpoint and lock go into the test's own state directory.
    env = dict(os.environ, STATE_DIRECTORY=os.path.join(os.path.dirname(csv_path), "state"))
    return subprocess.run(
        [DSFILL, "load", csv_path, "--url", f"http://127.0.0.1:{port}", "--user-code", "u",
         "--dataset-code", "d", "--columns", columns, *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, timeout=timeout, env=env)


class FirstRowStub(http.server.BaseHTTPRequestHandler):
    """Answers every fill with success and records its X-First-Row header."""
    seen = []
    total = 0
    refuse_at = None  # the X-First-Row of the one fill answered 400

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["Content-Length"])))
        data = body["insert-data"]
        rows = json.loads(gzip.decompress(base64.b64decode(data)) if body["compressed"] else data)
        first = self.headers.get("X-First-Row")
        FirstRowStub.seen.append(first)
        status = 200
        if first == FirstRowStub.refuse_at:
            # Refused the way a server that ignores X-First-Row names rows.
            status = 400
            answer = json.dumps({"data": {"status": "error", "message":
                                          "insert-data: rows[3] column 1: refused"}}).encode()
        else:
            FirstRowStub.total += len(rows)
            answer = json.dumps({"data": {"status": "success", "details": {
                "dataset-code": body["dataset-code"], "rows-count": FirstRowStub.total,
                "rows-inserted": len(rows)}}}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, *args):
        pass


def file_row(tmp):
    # The server names the file row when the request says where its rows start.
    server = Server(os.path.join(tmp, "db"), ["--auto-create"])
    try:
        status, answer = server.post("/dataset-fill",
                                     fill_body("u", "d", COLUMNS, [["a", 1], ["b", "two"]]),
                                     {"X-First-Row": "1234566"})
        assert status == 400, (status, answer)
        assert "rows[1] (row 1234567 of the file)" in answer["data"]["message"], answer
        status, answer = server.post("/dataset-fill",
                                     fill_body("u", "d", COLUMNS, [["b", "two"]]))
        assert status == 400 and "of the file" not in answer["data"]["message"], answer
    finally:
        server.proc.terminate()
        server.proc.wait(timeout=20)
    # The loader sends it: the file row (header included) of each batch's first row.
    stub = http.server.ThreadingHTTPServer(("127.0.0.1", 0), FirstRowStub)
    threading.Thread(target=stub.serve_forever, daemon=True).start()
    try:
        csv_path = os.path.join(tmp, "in.csv")
        write_csv(csv_path, 25)
        done = run_load(stub.server_address[1], csv_path, write_columns(tmp, COLUMNS),
                        ["--no-complete", "--batch-rows", "10", "--connections", "1"])
        assert done.returncode == 0, done.stderr[-1000:]
        assert sorted(FirstRowStub.seen, key=int) == ["2", "12", "22"], FirstRowStub.seen
        # A 400 naming only the request's row: the loader names the file's.
        FirstRowStub.refuse_at = "12"
        done = run_load(stub.server_address[1], csv_path, write_columns(tmp, COLUMNS),
                        ["--no-complete", "--batch-rows", "10", "--connections", "1", "--restart"])
        assert done.returncode == 4, (done.returncode, done.stderr[-1000:])
        assert "rows[3] is row 15 of the file" in done.stderr, done.stderr[-1000:]
    finally:
        stub.shutdown()


def rows_stored(db):
    con = sqlite3.connect(db)
    try:
        table = con.execute("select table_name from datasets").fetchone()[0]
        return con.execute(f"select count(*), count(distinct Seq) from {table}").fetchone()
    finally:
        con.close()


def disk_full(tmp):
    if os.geteuid() != 0:
        print("disk_full: skipped (needs root to mount a tmpfs)")
        return
    mnt = os.path.join(tmp, "small")
    os.mkdir(mnt)
    if subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", mnt]).returncode != 0:
        print("disk_full: skipped (mount -t tmpfs failed: not allowed here)")
        return
    server = None
    try:
        db = os.path.join(mnt, "db")
        server = Server(db, ["--auto-create"])
        csv_path = os.path.join(tmp, "in.csv")
        count = 200_000  # about 4 MB of rows: more than the space left below
        write_csv(csv_path, count)
        # Leave about 2 MiB free.
        with open(os.path.join(mnt, "filler"), "wb") as f:
            f.write(b"\0" * (6 << 20))
        columns = write_columns(tmp, COLUMNS)
        checkpoint = os.path.join(tmp, "load.ckpt")
        first = run_load(server.port, csv_path, columns,
                         ["--checkpoint", checkpoint, "--batch-rows", "10000", "--retries", "2",
                          "--retry-max-time", "3"])
        print(first.stderr[-600:])
        assert first.returncode == 5, (first.returncode, first.stderr[-1000:])
        assert "507" in first.stderr and "disk full" in first.stderr, first.stderr[-1000:]
        # Free the space, resume: every row once.
        os.remove(os.path.join(mnt, "filler"))
        subprocess.run(["mount", "-o", "remount,size=64m", mnt], check=True)
        second = run_load(server.port, csv_path, columns,
                          ["--checkpoint", checkpoint, "--resume", "--batch-rows", "10000"])
        assert second.returncode == 0, (second.returncode, second.stderr[-1000:])
        server.proc.terminate()
        server.proc.wait(timeout=20)
        server = None
        total, distinct = rows_stored(db)
        print(f"disk_full: {total} rows stored, {distinct} distinct")
        assert total == count and distinct == count, (total, distinct)
    finally:
        if server:
            server.proc.terminate()
            server.proc.wait(timeout=20)
        subprocess.run(["umount", mnt])


def peak_rss_kib(pid):
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return 0


def rss_bound(tmp):
    mib = 1 << 20
    # The bound of docs/server.md: B + C x (64 KiB + H) + K x (D + V) + S, with a buffer being
    # doubled holding its old copy too (1.5 x B), V and simdjson's index about 3 x D, S at most
    # 4 x 64 MB, plus the process's own start-up memory (measured before the load).
    B, C, H, K, D = 256 * mib, 300, 16 * 1024, 4, 64 * mib
    server = Server(os.path.join(tmp, "db"),
                    ["--auto-create", "--max-inflight-bytes", str(B), "--max-connections", str(C),
                     "--max-concurrent", str(K), "--max-decoded-bytes", str(D),
                     "--max-body-bytes", str(64 * mib), "--threads", "4"])
    try:
        base = peak_rss_kib(server.proc.pid) * 1024
        bound = base + 1.5 * B + C * (64 * 1024 + H) + K * (D + 3 * D) + 4 * 64 * mib
        body_size = 60 * 1000 * 1000
        head = (f"POST /dataset-fill HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                f"Content-Length: {body_size}\r\n\r\n").encode()
        stop = time.monotonic() + 40
        answers = []
        lock = threading.Lock()

        def slow_body():
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
            status = b"closed"
            try:
                sock.sendall(head)
                piece = b"x" * (1 << 20)
                sent = 0
                while sent < body_size and time.monotonic() < stop:
                    n = min(len(piece), body_size - sent)
                    sock.sendall(piece[:n])
                    sent += n
                    time.sleep(0.02)  # slowly, so that the 40 bodies overlap
                status = sock.recv(64)[:12]
            except OSError:
                try:
                    status = sock.recv(64)[:12] or b"closed"
                except OSError:
                    pass
            finally:
                sock.close()
            with lock:
                answers.append(status)

        idle = []
        for _ in range(100):
            sock = socket.create_connection(("127.0.0.1", server.port), timeout=30)
            sock.sendall(head)  # declares 60 MB, sends nothing more
            idle.append(sock)
        threads = [threading.Thread(target=slow_body) for _ in range(40)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=60)
        peak = peak_rss_kib(server.proc.pid) * 1024
        # A normal client is still served (503s while the budget is taken are retried).
        status = None
        for _ in range(100):
            status, _ = server.post("/dataset-fill",
                                    fill_body("u", "d", COLUMNS, [["a", 1], ["b", 2]]))
            if status != 503:
                break
            time.sleep(0.2)
        for sock in idle:
            sock.close()
        print(f"rss_bound: start {base / mib:.0f} MiB, peak {peak / mib:.0f} MiB, "
              f"bound {bound / mib:.0f} MiB; answers {sorted(set(answers))}")
        assert status == 200, status
        assert peak < bound, (peak, bound)
    finally:
        server.proc.terminate()
        server.proc.wait(timeout=30)


if __name__ == "__main__":
    with tempfile.TemporaryDirectory(prefix="dsfill_serve_") as tmp:
        {"crash": crash, "python_payload": python_payload, "sigterm": sigterm,
         "fd_limit": fd_limit, "timeouts": timeouts, "log_pipe": log_pipe, "raw_http": raw_http,
         "file_row": file_row, "disk_full": disk_full, "rss_bound": rss_bound}[MODE](tmp)
