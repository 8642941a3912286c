#!/usr/bin/env python3
"""Self-test of tests/fault/fault_proxy.py: each fault does what it says, on 127.0.0.1 only.

usage: test_fault_proxy.py [PATH/TO/dsfill] [unittest args, e.g. DsfillSmoke]

Starts a small asyncio HTTP server (counting and echoing what it receives) in a thread and the
proxy as a subprocess in front of it, and checks with real sockets: a reset is an RST (not a
FIN), reset_after reaches the server, reset_during cuts the body, stall makes the client time out,
slice delivers every byte, 503/429 carry Retry-After and the server's error envelope, latency
delays, seeded plans replay, the limits stop the proxy. Every socket has a timeout and every
process wait is bounded. With a dsfill binary it also runs `dsfill load` through the proxy into
`dsfill serve` and checks that every RowId is stored exactly once (class DsfillSmoke).
"""
import asyncio
import hashlib
import http.client
import json
import os
import selectors
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import unittest

DSFILL = sys.argv.pop(1) if len(sys.argv) > 1 and os.path.isfile(sys.argv[1]) and os.access(sys.argv[1], os.X_OK) else None
HERE = os.path.dirname(os.path.abspath(__file__))
PROXY = os.path.join(HERE, "fault_proxy.py")
GEN_CSV = os.path.join(HERE, "..", "..", "scripts", "gen_csv.py")
IO_TIMEOUT = 5.0
PROC_TIMEOUT = 10.0


class Upstream:
    """An HTTP/1.1 keep-alive server on 127.0.0.1 that records each request it reads.

    Any path answers 200 with JSON {"n", "len", "sha"} about the body; /big/N answers N bytes
    (chunked, 1000-byte chunks). A body cut short is recorded with complete=False.
    """

    def __init__(self):
        self.records = []
        self.lock = threading.Lock()
        self.loop = asyncio.new_event_loop()
        ready = threading.Event()
        self.thread = threading.Thread(target=self._run, args=(ready,), daemon=True)
        self.thread.start()
        if not ready.wait(IO_TIMEOUT):
            raise RuntimeError("upstream did not start")

    def _run(self, ready):
        asyncio.set_event_loop(self.loop)
        self.server = self.loop.run_until_complete(asyncio.start_server(self._client, "127.0.0.1", 0))
        self.port = self.server.sockets[0].getsockname()[1]
        ready.set()
        self.loop.run_forever()

    def stop(self):
        def shutdown():
            self.server.close()
            self.loop.stop()
        self.loop.call_soon_threadsafe(shutdown)
        self.thread.join(IO_TIMEOUT)
        if not self.thread.is_alive():
            self.loop.close()

    def requests(self):
        with self.lock:
            return list(self.records)

    def _record(self, **rec):
        with self.lock:
            self.records.append(rec)
            return len(self.records)

    async def _client(self, reader, writer):
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except asyncio.IncompleteReadError:
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, path = lines[0].split(" ")[:2]
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        k, v = line.split(":", 1)
                        headers[k.strip().lower()] = v.strip()
                body = bytearray()
                try:
                    if headers.get("transfer-encoding") == "chunked":
                        while True:
                            size = int((await reader.readuntil(b"\r\n")).split(b";")[0], 16)
                            if size == 0:
                                while await reader.readuntil(b"\r\n") != b"\r\n":
                                    pass
                                break
                            body += (await reader.readexactly(size + 2))[:-2]
                    else:
                        want = int(headers.get("content-length", "0"))
                        while len(body) < want:
                            piece = await reader.read(want - len(body))
                            if not piece:
                                raise ConnectionError("eof")
                            body += piece
                except (asyncio.IncompleteReadError, ConnectionError) as e:
                    self._record(method=method, path=path, len=len(body), complete=False, error=type(e).__name__)
                    return
                n = self._record(method=method, path=path, len=len(body), complete=True,
                                 sha=hashlib.sha256(body).hexdigest(), headers=headers)
                if path.startswith("/big/"):
                    size = int(path[5:])
                    data = bytes((i * 7) % 251 for i in range(size))
                    out = bytearray(b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
                                    b"Transfer-Encoding: chunked\r\n\r\n")
                    for i in range(0, size, 1000):
                        chunk = data[i:i + 1000]
                        out += b"%x\r\n" % len(chunk) + chunk + b"\r\n"
                    out += b"0\r\n\r\n"
                else:
                    payload = json.dumps({"n": n, "len": len(body), "sha": hashlib.sha256(body).hexdigest()}).encode()
                    out = b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n" % len(payload) + payload
                writer.write(bytes(out))
                await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()


def big_bytes(size):
    return bytes((i * 7) % 251 for i in range(size))


def read_line(stream, timeout):
    sel = selectors.DefaultSelector()
    sel.register(stream, selectors.EVENT_READ)
    try:
        if not sel.select(timeout):
            return ""
        return stream.readline()
    finally:
        sel.close()


class Proxy:
    """fault_proxy.py as a subprocess in front of PORT."""

    def __init__(self, port, plan, seed=1, extra=()):
        self.dir = tempfile.TemporaryDirectory()
        self.log = os.path.join(self.dir.name, "summary.json")
        self.proc = subprocess.Popen(
            [sys.executable, PROXY, "--listen", "127.0.0.1:0", "--upstream", "127.0.0.1:%d" % port,
             "--seed", str(seed), "--plan", plan, "--log", self.log, "--max-seconds", "60", *extra],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = read_line(self.proc.stdout, PROC_TIMEOUT)
        if not line.startswith("listening on http://127.0.0.1:"):
            self.proc.kill()
            raise RuntimeError("proxy did not start: %r %r" % (line, self.proc.stderr.read()))
        self.port = int(line.strip().rsplit(":", 1)[1])
        self.url = "http://127.0.0.1:%d" % self.port

    def connection(self, timeout=IO_TIMEOUT):
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def wait(self):
        """Waits for the proxy to exit by itself; returns (exit code, summary)."""
        code = self.proc.wait(PROC_TIMEOUT)
        return code, self._summary()

    def stop(self, sig=signal.SIGTERM):
        """Stops the proxy with SIG; returns (exit code, summary)."""
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            code = self.proc.wait(PROC_TIMEOUT)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            raise
        return code, self._summary()

    def _summary(self):
        self.proc.stdout.close()
        self.proc.stderr.close()
        with open(self.log, encoding="utf-8") as f:
            summary = json.load(f)
        self.dir.cleanup()
        return summary

    def kill(self):
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()


def post(conn, path, body, headers=None):
    conn.request("POST", path, body=body, headers=headers or {})
    res = conn.getresponse()
    return res.status, dict((k.lower(), v) for k, v in res.getheaders()), res.read()


class FaultProxyTest(unittest.TestCase):
    def setUp(self):
        self.upstream = Upstream()
        self.proxies = []

    def tearDown(self):
        for p in self.proxies:
            p.kill()
        self.upstream.stop()

    def proxy(self, plan, **kw):
        p = Proxy(self.upstream.port, plan, **kw)
        self.proxies.append(p)
        return p

    def assert_reset(self, fn):
        """Asserts FN fails with a connection reset (an RST), not an orderly close."""
        with self.assertRaises((ConnectionResetError, BrokenPipeError)) as caught:
            fn()
        # http.client reports an orderly close (FIN) as RemoteDisconnected, a ConnectionResetError.
        self.assertNotIsInstance(caught.exception, http.client.RemoteDisconnected)

    def test_pass_through_keep_alive_chunked_both_ways(self):
        p = self.proxy("")
        conn = p.connection()
        body = os.urandom(3000)
        status, _, data = post(conn, "/a", body)
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(data)["sha"], hashlib.sha256(body).hexdigest())
        conn.request("POST", "/b", body=iter([b"abc", b"defgh", b""]), encode_chunked=True)
        res = conn.getresponse()
        self.assertEqual(json.loads(res.read())["len"], 8)
        status, _, data = post(conn, "/big/25000", b"")
        self.assertEqual(data, big_bytes(25000))
        conn.close()
        code, s = p.stop()
        self.assertEqual(code, 0)
        self.assertEqual((s["requests"], s["forwarded"], s["responses_relayed"], s["connections"]), (3, 3, 3, 1))
        self.assertEqual(sum(s["faults"].values()), 0)
        self.assertEqual(s["stopped_by"], "SIGTERM")
        self.assertTrue(all(r["complete"] for r in self.upstream.requests()))

    def test_expect_100_continue_is_answered_by_the_proxy(self):
        p = self.proxy("")
        with socket.create_connection(("127.0.0.1", p.port), timeout=IO_TIMEOUT) as sock:
            sock.sendall(b"POST /e HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nExpect: 100-continue\r\n\r\n")
            self.assertEqual(sock.recv(25), b"HTTP/1.1 100 Continue\r\n\r\n")
            sock.sendall(b"hello")
            res = http.client.HTTPResponse(sock)
            res.begin()
            self.assertEqual((res.status, json.loads(res.read())["len"]), (200, 5))
        p.stop()
        self.assertNotIn("expect", self.upstream.requests()[0]["headers"])

    def test_latency_delays_the_answer(self):
        p = self.proxy("latency=400@2")
        conn = p.connection()
        self.assertEqual(post(conn, "/1", b"x")[0], 200)
        started = time.monotonic()
        self.assertEqual(post(conn, "/2", b"y")[0], 200)
        self.assertGreaterEqual(time.monotonic() - started, 0.4)  # A lower bound: cannot flake.
        conn.close()
        _, s = p.stop()
        self.assertEqual(s["faults"]["latency"], 1)
        self.assertEqual(s["decisions"], [[2, "latency=400"]])

    def test_reset_before_forwards_nothing(self):
        p = self.proxy("reset_before@1")
        conn = p.connection()
        self.assert_reset(lambda: post(conn, "/x", b"hello"))
        conn.close()
        conn = p.connection()
        self.assertEqual(post(conn, "/y", b"again")[0], 200)  # Request 2 passes.
        conn.close()
        _, s = p.stop()
        self.assertEqual([r["path"] for r in self.upstream.requests()], ["/y"])
        self.assertEqual(s["faults"]["reset_before"], 1)
        self.assertEqual(s["forwarded"], 1)

    def test_reset_during_cuts_the_body(self):
        p = self.proxy("reset_during@1")
        conn = p.connection()
        self.assert_reset(lambda: post(conn, "/cut", b"z" * 20000))
        conn.close()
        _, s = p.stop()
        recs = self.upstream.requests()
        self.assertEqual(len(recs), 1)
        self.assertEqual(recs[0]["path"], "/cut")
        self.assertFalse(recs[0]["complete"])
        self.assertLess(recs[0]["len"], 20000)
        self.assertEqual(s["faults"]["reset_during"], 1)
        self.assertEqual(s["forwarded"], 0)

    def test_reset_after_reaches_the_server(self):
        p = self.proxy("reset_after@1")
        conn = p.connection()
        body = b"stored but never acknowledged"
        self.assert_reset(lambda: post(conn, "/amb", body))
        conn.close()
        _, s = p.stop()
        recs = self.upstream.requests()
        self.assertEqual(len(recs), 1)
        self.assertTrue(recs[0]["complete"])
        self.assertEqual(recs[0]["sha"], hashlib.sha256(body).hexdigest())
        self.assertEqual((s["faults"]["reset_after"], s["forwarded"], s["responses_relayed"]), (1, 1, 0))

    def test_stall_times_out_the_client(self):
        p = self.proxy("stall@1")
        conn = p.connection(timeout=1.0)
        with self.assertRaises(TimeoutError):
            post(conn, "/stuck", b"waiting")
        conn.close()
        conn = p.connection()
        self.assertEqual(post(conn, "/next", b"")[0], 200)
        conn.close()
        _, s = p.stop()
        self.assertEqual([r["path"] for r in self.upstream.requests()], ["/next"])
        self.assertEqual(s["faults"]["stall"], 1)

    def test_slice_delivers_every_byte(self):
        p = self.proxy("slice@1,slice@2")
        conn = p.connection()
        body = os.urandom(4000)
        status, _, data = post(conn, "/s", body)
        self.assertEqual(status, 200)
        self.assertEqual(json.loads(data)["sha"], hashlib.sha256(body).hexdigest())
        status, _, data = post(conn, "/big/20000", b"")
        self.assertEqual(data, big_bytes(20000))
        conn.close()
        _, s = p.stop()
        self.assertEqual(s["faults"]["slice"], 2)
        # At most 7 bytes a piece: at least the bodies' bytes / 7 pieces were written.
        self.assertGreaterEqual(s["slice_pieces"], (4000 + 20000) // 7)

    def test_slice_bytes_limits_the_slicing(self):
        p = self.proxy("slice@1", extra=("--slice-bytes", "100"))
        conn = p.connection()
        status, _, data = post(conn, "/big/30000", os.urandom(5000))
        self.assertEqual(data, big_bytes(30000))
        conn.close()
        _, s = p.stop()
        # 100 request bytes and 100 response bytes, 1-7 bytes a piece.
        self.assertTrue(2 * 100 // 7 <= s["slice_pieces"] <= 2 * 100, s["slice_pieces"])

    def test_503_and_429_answer_with_retry_after(self):
        p = self.proxy("503=7@1,429@2")
        conn = p.connection()
        status, headers, data = post(conn, "/f", b"{}")
        self.assertEqual(status, 503)
        self.assertEqual(headers["retry-after"], "7")
        self.assertEqual(json.loads(data)["data"]["status"], "error")
        status, headers, data = post(conn, "/f", b"{}")  # Same keep-alive connection.
        self.assertEqual(status, 429)
        self.assertEqual(headers["retry-after"], "1")
        self.assertIn("429", json.loads(data)["data"]["message"])
        self.assertEqual(post(conn, "/f", b"{}")[0], 200)
        conn.close()
        _, s = p.stop()
        self.assertEqual(len(self.upstream.requests()), 1)
        self.assertEqual((s["faults"]["503"], s["faults"]["429"], s["forwarded"]), (1, 1, 1))

    def outcomes(self, seed, n=24):
        """Sends N requests one at a time through a probabilistic plan; returns what each saw."""
        p = self.proxy("reset_before:0.25,503:0.25,latency=1:0.5", seed=seed)
        seen = []
        for i in range(n):
            conn = p.connection()
            try:
                seen.append(post(conn, "/r%d" % i, b"q")[0])
            except (ConnectionResetError, BrokenPipeError) as e:
                seen.append("fin" if isinstance(e, http.client.RemoteDisconnected) else "reset")
            finally:
                conn.close()
        _, s = p.stop()
        return seen, s["decisions"]

    def test_same_seed_same_decisions(self):
        first, d1 = self.outcomes(42)
        second, d2 = self.outcomes(42)
        other, d3 = self.outcomes(43)
        self.assertEqual(first, second)
        self.assertEqual(d1, d2)
        self.assertNotEqual(d1, d3)
        self.assertEqual({"reset", 503, 200}, set(first))
        for index, label in d1:
            expect = "reset" if "reset_before" in label else 503 if "503" in label else 200
            self.assertEqual(first[index - 1], expect, label)

    def test_max_requests_stops_the_proxy(self):
        p = self.proxy("", extra=("--max-requests", "2"))
        conn = p.connection()
        self.assertEqual(post(conn, "/1", b"")[0], 200)
        self.assertEqual(post(conn, "/2", b"")[0], 200)
        conn.close()
        code, s = p.wait()
        self.assertEqual(code, 0)
        self.assertEqual((s["stopped_by"], s["requests"]), ("max-requests", 2))

    def test_max_seconds_and_sigint(self):
        p = Proxy(self.upstream.port, "", extra=("--max-seconds", "0.5"))
        self.proxies.append(p)
        code, s = p.wait()
        self.assertEqual((code, s["stopped_by"]), (0, "max-seconds"))
        p = self.proxy("stall:1")
        conn = p.connection(timeout=0.5)
        with self.assertRaises(TimeoutError):
            post(conn, "/held", b"")
        code, s = p.stop(signal.SIGINT)  # Stops while a stalled connection is still open.
        conn.close()
        self.assertEqual((code, s["stopped_by"], s["faults"]["stall"]), (0, "SIGINT", 1))

    def test_bad_plan_is_a_usage_error(self):
        for plan in ("explode:0.5", "reset_before:1.5", "latency@3", "stall=3@1", "slice@0", "503"):
            res = subprocess.run([sys.executable, PROXY, "--upstream", "127.0.0.1:1", "--plan", plan],
                                 capture_output=True, text=True, timeout=PROC_TIMEOUT)
            self.assertEqual(res.returncode, 2, plan)
            self.assertIn("rule", res.stderr, plan)

    def test_unreachable_upstream_is_a_502(self):
        s = socket.socket()
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
        s.close()  # Nothing listens there now.
        p = Proxy(port, "")
        self.proxies.append(p)
        conn = p.connection()
        status, _, data = post(conn, "/x", b"")
        conn.close()
        self.assertEqual(status, 502)
        self.assertEqual(json.loads(data)["data"]["status"], "error")
        _, s = p.stop()
        self.assertEqual(s["upstream_errors"], 1)


@unittest.skipUnless(DSFILL, "needs the path of a dsfill binary as the first argument")
class DsfillSmoke(unittest.TestCase):
    """`dsfill load` through 503@2, reset_after@4, reset_before@6 stores every row exactly once."""

    ROWS = 20000
    PLAN = "503@2,reset_after@4,reset_before@6"

    def test_load_through_faults_stores_each_row_once(self):
        with tempfile.TemporaryDirectory() as tmp:
            csv_path = os.path.join(tmp, "rows.csv")
            subprocess.run([sys.executable, GEN_CSV, "--rows", str(self.ROWS), "--hard", "-o", csv_path],
                           check=True, timeout=60)
            db = os.path.join(tmp, "store.db")
            server = subprocess.Popen([DSFILL, "serve", "--db", db, "--listen", "127.0.0.1:0", "--auto-create"],
                                      stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
            proxy = None
            try:
                line = read_line(server.stdout, PROC_TIMEOUT)
                self.assertTrue(line.startswith("listening on http://127.0.0.1:"), line)
                proxy = Proxy(int(line.strip().rsplit(":", 1)[1]), self.PLAN, seed=5)
                env = dict(os.environ, DSFILL_TOKEN="smoke-token", DSFILL_RETRY_SEED="5",
                           STATE_DIRECTORY=os.path.join(tmp, "state"))
                res = subprocess.run(
                    [DSFILL, "load", csv_path, "--url", proxy.url, "--user-code", "smoke",
                     "--dataset-code", "faults", "--batch-rows", "1000", "--timeout", "10",
                     "--progress", "never"],
                    env=env, capture_output=True, text=True, timeout=60)
                _, summary = proxy.stop()
                proxy = None
                report = "exit %d\nstdout:\n%s\nstderr:\n%s\nproxy: %s" % (
                    res.returncode, res.stdout[-3000:], res.stderr[-3000:], json.dumps(summary))
                self.assertEqual((summary["faults"]["503"], summary["faults"]["reset_after"],
                                  summary["faults"]["reset_before"]), (1, 1, 1), report)
                self.assertEqual(res.returncode, 0, report)
                con = sqlite3.connect(db)
                try:
                    table = con.execute("SELECT table_name FROM datasets WHERE user_code='smoke' "
                                        "AND dataset_code='faults'").fetchone()
                    self.assertIsNotNone(table, report)
                    counts = dict(con.execute('SELECT CAST("RowId" AS INTEGER), COUNT(*) FROM "%s" '
                                              'GROUP BY 1' % table[0]).fetchall())
                finally:
                    con.close()
                expected = set(range(1, self.ROWS + 1))
                lost = sorted(expected - counts.keys())
                doubled = sorted(k for k, c in counts.items() if c > 1)
                unexpected = sorted(counts.keys() - expected)
                self.assertEqual((len(lost), len(doubled), len(unexpected)), (0, 0, 0),
                                 "lost %s doubled %s unexpected %s\n%s" % (lost[:10], doubled[:10], unexpected[:10], report))
            finally:
                if proxy is not None:
                    proxy.kill()
                server.send_signal(signal.SIGTERM)
                try:
                    server.wait(PROC_TIMEOUT)
                except subprocess.TimeoutExpired:
                    server.kill()
                    server.wait()
                server.stdout.close()


if __name__ == "__main__":
    unittest.main()
