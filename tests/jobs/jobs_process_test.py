#!/usr/bin/env python3
"""`dsfill load` as a scheduled job and as N shards, against `dsfill serve` on 127.0.0.1:0.

Usage: jobs_process_test.py DSFILL_BINARY
Checks: N shard processes together store exactly the file's rows (N = 1, 2, 3, 7) with raw cuts
inside quoted fields holding newlines and inside CRLF; job files (env expansion, flags win);
the lock (a second run exits 7 naming the first's pid); JSON logs; --infer; --complete-only.
Every process is bounded by a timeout; the server listens on 127.0.0.1 only.
"""
import collections
import csv
import glob
import io
import json
import os
import random
import signal
import subprocess
import sys
import tempfile
import unittest

import reference_server

DSFILL = sys.argv.pop(1) if len(sys.argv) > 1 else "dsfill"
TIMEOUT = 60


class Server(reference_server.Server):
    def __init__(self, db):
        super().__init__(DSFILL, db)


def run(args, env=None, stdin=None):
    full_env = dict(os.environ)
    full_env.update(env or {})
    return subprocess.run([DSFILL] + args, env=full_env, stdin=stdin, capture_output=True,
                          text=True, timeout=TIMEOUT)


def python_rows(path):
    with open(path, newline="", encoding="utf-8-sig") as f:
        return [tuple(r) for r in list(csv.reader(f))[1:]]


def quoted_text(rng):
    parts = ["alpha", "line\nbreak", "win\r\ndows", 'say ""hi""', "a,b", "x" * rng.randrange(1, 60),
             "\n\n", "\r\n"]
    return '"' + "".join(rng.choice(parts) for _ in range(rng.randrange(1, 6))) + '"'


def shard_file_bytes(pad, rows=400, seed=7):
    rng = random.Random(seed)
    out = io.StringIO()
    out.write("id%s,text,n\r\n" % ("x" * pad))
    for i in range(rows):
        out.write("%d,%s,%d" % (i, quoted_text(rng), rng.randrange(-999, 999)))
        out.write("\r\n" if rng.random() < 0.7 else "\n")
    return out.getvalue().encode("utf-8")


def cut_kinds(data, n):
    """Returns, for the raw cuts of n shards, how many land inside quotes and inside a CRLF."""
    inside = [False] * (len(data) + 1)
    state = False
    for i, b in enumerate(data):
        inside[i] = state
        if b == ord('"'):
            state = not state
    cuts = [len(data) * i // n for i in range(1, n)]
    in_quotes = sum(1 for c in cuts if inside[c])
    in_crlf = sum(1 for c in cuts if not inside[c] and data[c - 1:c + 1] == b"\r\n")
    return in_quotes, in_crlf


def own_state_directory(test):
    """Gives every process of `test` a state directory of its own test's (default checkpoints
    and locks go there; state_process_test.py tests them)."""
    test.state = os.path.join(test.dir.name, "state")
    saved = os.environ.get("STATE_DIRECTORY")
    os.environ["STATE_DIRECTORY"] = test.state
    test.addCleanup(lambda: os.environ.pop("STATE_DIRECTORY") if saved is None
                    else os.environ.update(STATE_DIRECTORY=saved))


class Shards(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        own_state_directory(self)
        self.server = Server(os.path.join(self.dir.name, "store.db"))

    def tearDown(self):
        self.server.stop()
        self.dir.cleanup()

    def write_file_for(self, n):
        # Pads the header until the raw cuts land where they are hardest.
        for pad in range(0, 5000):
            data = shard_file_bytes(pad)
            in_quotes, in_crlf = cut_kinds(data, n)
            if n == 1 or (in_quotes >= 1 and (n == 2 or in_crlf >= 1)):
                path = os.path.join(self.dir.name, "shard%d.csv" % n)
                with open(path, "wb") as f:
                    f.write(data)
                return path, in_quotes, in_crlf
        self.fail("no padding puts the cuts of %d shards inside quotes and CRLF" % n)

    def test_shards_store_every_row_once(self):
        for n in (1, 2, 3, 7):
            with self.subTest(shards=n):
                path, in_quotes, in_crlf = self.write_file_for(n)
                dataset = "shards%d" % n
                procs = [subprocess.Popen(
                    [DSFILL, "load", path, "--url", self.server.url, "--user-code", "u1",
                     "--dataset-code", dataset, "--shard", "%d/%d" % (i, n), "--batch-rows", "9",
                     "--progress", "never"],
                    stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for i in range(n)]
                for p in procs:
                    out, err = p.communicate(timeout=TIMEOUT)
                    self.assertEqual(p.returncode, 0, out + err)
                expected = python_rows(path)
                stored = self.server.rows("u1", dataset)
                self.assertEqual(len(stored), len(expected))
                self.assertEqual(collections.Counter(stored), collections.Counter(expected),
                                 "cuts in quotes: %d, in CRLF: %d" % (in_quotes, in_crlf))
                # Shards leave completion to one --complete-only run.
                self.assertEqual(self.server.dataset("u1", dataset)[1], 1 if n == 1 else 0)
                if n > 1:
                    done = run(["load", "--complete-only", "--url", self.server.url,
                                "--user-code", "u1", "--dataset-code", dataset])
                    self.assertEqual(done.returncode, 0, done.stdout + done.stderr)
                    self.assertEqual(self.server.dataset("u1", dataset)[1], 1)
                    self.assertEqual(len(self.server.rows("u1", dataset)), len(expected))

    def test_replace_cannot_be_sharded(self):
        path, _, _ = self.write_file_for(1)
        r = run(["load", path, "--url", self.server.url, "--user-code", "u1", "--dataset-code",
                 "d", "--mode", "replace", "--shard", "1/2"])
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("--mode append", r.stderr)


class Jobs(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        own_state_directory(self)
        self.server = Server(os.path.join(self.dir.name, "store.db"))
        self.csv = os.path.join(self.dir.name, "in.csv")
        with open(self.csv, "w", newline="") as f:
            f.write('code,name,qty,when\r\n')
            for i in range(120):
                f.write('%03d,"item %d\nsecond line",%d,2024-01-%02d\n' % (i, i, i * 3, i % 28 + 1))

    def tearDown(self):
        self.server.stop()
        self.dir.cleanup()

    def job(self, text):
        path = os.path.join(self.dir.name, "nightly.toml")
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_job_file_with_env_and_overrides(self):
        job = self.job('input = "%s"\nurl = "${DSFILL_TEST_URL}"\nuser-code = "u1"\n'
                       'dataset-code = "from-file"\nbatch-rows = 25\nprogress = "never"\n'
                       'header = ["X-Note: $${literal}"]\n' % self.csv)
        r = run(["load", "--job", job, "--dataset-code", "from-cli", "--log-format", "json"],
                env={"DSFILL_TEST_URL": self.server.url, "DSFILL_TOKEN": "tok-SECRET-123"})
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertEqual(len(self.server.rows("u1", "from-cli")), 120)
        self.assertEqual(self.server.rows("u1", "from-file"), [])
        self.assertIn("batches:      5", r.stdout)  # batch-rows = 25 came from the file
        lines = [json.loads(line) for line in r.stderr.splitlines() if line.strip()]
        self.assertTrue(lines, r.stderr)
        for line in lines:
            self.assertTrue({"ts", "level", "msg"} <= set(line), line)
        self.assertEqual(lines[-1]["msg"], "load finished")
        self.assertEqual(lines[-1]["rows"], 120)
        self.assertEqual(lines[-1]["exit_code"], 0)
        self.assertNotIn("tok-SECRET-123", r.stdout + r.stderr)

    def test_job_file_errors(self):
        missing = run(["load", "--job", self.job('url = "${DSFILL_UNSET_VAR_X}"\n')])
        self.assertEqual(missing.returncode, 2)
        self.assertIn("DSFILL_UNSET_VAR_X is not set", missing.stderr)
        unknown = run(["load", "--job", self.job('input = "x.csv"\nbatch_rows = 5\n')])
        self.assertEqual(unknown.returncode, 2)
        self.assertIn("'batch_rows'", unknown.stderr)
        token = run(["load", "--job", self.job('token = "abc-secret"\n')])
        self.assertEqual(token.returncode, 2)
        self.assertIn("DSFILL_TOKEN", token.stderr)
        self.assertNotIn("abc-secret", token.stderr)

    def test_second_run_of_a_job_exits_7(self):
        job = self.job('input = "-"\ndry-run = true\nprogress = "never"\n')
        first = subprocess.Popen([DSFILL, "load", "--job", job], stdin=subprocess.PIPE,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        try:
            first.stdin.write("a,b\n1,2\n")
            first.stdin.flush()
            # The first run holds the lock from its start until its input ends.
            # A job's lock lives in the state directory (a job file's folder, /etc/dsfill say,
            # need not be writable).
            lock = None
            for _ in range(TIMEOUT * 20):
                for path in glob.glob(os.path.join(self.state, "*.lock")):
                    with open(path) as f:
                        if f.read().strip() == str(first.pid):
                            lock = path
                if lock:
                    break
                subprocess.run(["sleep", "0.05"])
            self.assertIsNotNone(lock)
            second = run(["load", "--job", job], stdin=subprocess.DEVNULL)
            self.assertEqual(second.returncode, 7, second.stderr)
            self.assertIn("another dsfill load holds %s (pid %d)" % (lock, first.pid),
                          second.stderr)
            first.stdin.close()
            out = first.stdout.read()
            first.wait(timeout=TIMEOUT)
            self.assertEqual(first.returncode, 0)
            self.assertIn("rows:         1", out)
        finally:
            if first.poll() is None:
                first.kill()
                first.wait()
            first.stdout.close()
            first.stderr.close()
        third = run(["load", "--job", job], stdin=subprocess.DEVNULL)
        self.assertEqual(third.returncode, 0, third.stderr)

    def test_infer_types_the_columns(self):
        r = run(["load", self.csv, "--url", self.server.url, "--user-code", "u1",
                 "--dataset-code", "typed", "--infer", "--infer-rows", "50"])
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        columns = {c["name"]: c for c in json.loads(self.server.dataset("u1", "typed")[0])}
        self.assertEqual(columns["qty"]["type"], "measure")
        self.assertEqual(columns["code"]["subtype"], "text")  # leading zeros stay text
        self.assertEqual(columns["when"]["subtype"], "date")
        self.assertEqual(len(self.server.rows("u1", "typed")), 120)


if __name__ == "__main__":
    unittest.main(verbosity=2)
