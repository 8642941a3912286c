#!/usr/bin/env python3
"""The progress line of `dsfill load` as a terminal shows it, against a stub on 127.0.0.1:0.

Usage: progress_pty_test.py DSFILL_BINARY
Checks: under a pseudo-terminal of 80 and of 40 columns the line never wraps (every piece
between "\\r" and "\\n", less ESC[K, has at most COLUMNS - 1 characters); it says
"completing dataset..." while /dataset-complete runs; a resumed load reaches 100.0%; without a
terminal, --progress always writes plain lines (no "\\r", no ESC) every --stats-interval.
Every process is bounded by a timeout.
"""
import fcntl
import http.server
import json
import os
import pty
import re
import select
import struct
import subprocess
import sys
import tempfile
import termios
import threading
import time
import unittest

DSFILL = sys.argv.pop(1) if len(sys.argv) > 1 else "dsfill"
TIMEOUT = 60
ENVELOPE = json.dumps({"data": {"status": "success", "details": {"dataset-code": "d"}}}).encode()


class Stub(http.server.ThreadingHTTPServer):
    """Answers fills after a short pause (a refusal from fill number `fail_at` on, when set) and
    /dataset-complete after a long one, so that the progress line is seen in each phase."""

    daemon_threads = True

    def __init__(self):
        super().__init__(("127.0.0.1", 0), Handler)
        self.fills = 0
        self.fail_at = None
        self.lock = threading.Lock()
        self.thread = threading.Thread(target=self.serve_forever, daemon=True)
        self.thread.start()
        self.url = "http://127.0.0.1:%d" % self.server_address[1]

    def stop(self):
        self.shutdown()
        self.server_close()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        status, body = 200, ENVELOPE
        if self.path.endswith("/dataset-complete"):
            time.sleep(1.5)
        else:
            with self.server.lock:
                n = self.server.fills
                self.server.fills += 1
            time.sleep(0.04)
            if self.server.fail_at is not None and n >= self.server.fail_at:
                status = 400
                body = json.dumps({"data": {"status": "error", "message": "refused"}}).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


STATE = tempfile.TemporaryDirectory(prefix="dsfill_pty_state_")  # removed at exit


def run_on_pty(args, columns):
    """Runs dsfill with its stderr on a pseudo-terminal of `columns`; returns (exit, bytes)."""
    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, columns, 0, 0))
    env = dict(os.environ)
    env.pop("COLUMNS", None)
    # Each run keeps its default checkpoint in a directory of its own (never ~/.local/state).
    env["STATE_DIRECTORY"] = tempfile.mkdtemp(dir=STATE.name)
    proc = subprocess.Popen([DSFILL] + args, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=slave, env=env)
    os.close(slave)
    out = b""
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        ready, _, _ = select.select([master], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            out += chunk
        elif proc.poll() is not None:
            break
    os.close(master)
    try:
        proc.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    proc.stdout.close()
    return proc.returncode, out.decode("utf-8", "replace")


def pieces(text):
    """What a terminal draws between carriage returns and newlines, without ESC[K."""
    return [p.replace("\x1b[K", "") for p in re.split(r"[\r\n]", text)]


class ProgressOnATerminal(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.csv = os.path.join(self.dir.name, "in.csv")
        with open(self.csv, "w") as f:
            f.write("id,name,price\n")
            for i in range(3000):
                f.write("%d,name number %d,%d.25\n" % (i, i, i))
        self.stub = Stub()

    def tearDown(self):
        self.stub.stop()
        self.dir.cleanup()

    def args(self, *more):
        return ["load", self.csv, "--url", self.stub.url, "--user-code", "u1", "--dataset-code",
                "d1", "--batch-rows", "100", "--connections", "1"] + list(more)

    def test_never_wraps_at_80_or_40_columns_and_says_completing(self):
        for columns in (80, 40):
            code, text = run_on_pty(self.args(), columns)
            self.assertEqual(code, 0, text)
            drawn = [p for p in pieces(text) if p]
            self.assertTrue(any(" rows" in p or "%" in p for p in drawn), text)
            for p in drawn:
                self.assertLessEqual(len(p), columns - 1, "%d columns: %r" % (columns, p))
            self.assertTrue(any(p.startswith("completing dataset...") for p in drawn), drawn)

    def test_a_resumed_load_reaches_100_percent(self):
        checkpoint = os.path.join(self.dir.name, "cp.json")
        self.stub.fail_at = 12
        code, text = run_on_pty(self.args("--checkpoint", checkpoint), 80)
        self.assertEqual(code, 4, text)
        self.stub.fail_at = None
        code, text = run_on_pty(self.args("--checkpoint", checkpoint, "--resume"), 80)
        self.assertEqual(code, 0, text)
        completing = [p for p in pieces(text) if p.startswith("completing dataset...")]
        self.assertTrue(completing, text)
        self.assertIn("(100.0%)", completing[-1])

    def test_without_a_terminal_lines_are_plain(self):
        err = os.path.join(self.dir.name, "err.txt")
        with open(err, "wb") as f:
            done = subprocess.run([DSFILL] + self.args("--progress", "always", "--stats-interval",
                                                       "0.3", "--no-checkpoint"),
                                  stdout=subprocess.DEVNULL, stderr=f, timeout=TIMEOUT)
        self.assertEqual(done.returncode, 0)
        with open(err, "rb") as f:
            data = f.read()
        self.assertNotIn(b"\r", data)
        self.assertNotIn(b"\x1b", data)
        self.assertGreaterEqual(data.count(b" rows  "), 2, data)


if __name__ == "__main__":
    unittest.main()
