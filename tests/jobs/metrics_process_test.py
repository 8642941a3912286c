#!/usr/bin/env python3
"""`dsfill load --metrics-file`: what node_exporter's textfile collector reads after each run.

Usage: metrics_process_test.py DSFILL_BINARY
A load into `dsfill serve` (127.0.0.1, a free port) writes its figures and exit code 0 with the
success time; a later run that fails (a closed port, exit 5) writes exit code 5 and keeps that
success time; a usage error after the job file was read still writes its exit code (2); and the
real node_exporter (Debian's prometheus-node-exporter, installed by scripts/bootstrap.sh) reads
the file with its textfile collector without a scrape error. Every process is bounded by a
timeout and listens on 127.0.0.1 only.
"""
import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import unittest
import urllib.request

DSFILL = sys.argv.pop(1) if len(sys.argv) > 1 else "dsfill"
TIMEOUT = 60


def metrics(path):
    """Returns {name: value} of the file's samples (every sample carries the same labels)."""
    out = {}
    with open(path) as f:
        for line in f:
            if line.startswith("#") or not line.strip():
                continue
            m = re.fullmatch(r'([a-z_]+)\{user_code="u1",dataset_code="sales"\} (\S+)\n', line)
            assert m, "not a sample with the load's labels: %r" % line
            out[m.group(1)] = float(m.group(2))
    return out


def closed_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class MetricsFile(unittest.TestCase):
    def setUp(self):
        self.tmp = tempfile.TemporaryDirectory(prefix="dsfill_metrics_")
        self.dir = self.tmp.name
        self.env = dict(os.environ, DSFILL_TOKEN="t", STATE_DIRECTORY=self.dir)
        self.csv = os.path.join(self.dir, "sales.csv")
        with open(self.csv, "w") as f:
            f.write("id,city,amount\n")
            for i in range(2500):
                f.write('%d,"Zagreb, HR",%d.25\n' % (i, i))
        self.prom = os.path.join(self.dir, "sales.prom")

    def tearDown(self):
        self.tmp.cleanup()

    def load(self, url, *extra):
        return subprocess.run(
            [DSFILL, "load", self.csv, "--url", url, "--user-code", "u1", "--dataset-code",
             "sales", "--metrics-file", self.prom, "--progress", "never", *extra],
            env=self.env, capture_output=True, text=True, timeout=TIMEOUT)

    def test_success_then_failure_keeps_the_last_success(self):
        db = os.path.join(self.dir, "d.db")
        server = subprocess.Popen(
            [DSFILL, "serve", "--db", db, "--listen", "127.0.0.1:0", "--auto-create"],
            stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            line = server.stdout.readline()
            self.assertIn("listening on ", line)
            url = line.split("listening on ", 1)[1].strip()
            before = time.time()
            run = self.load(url, "--batch-rows", "1000", "--mode", "replace")
            self.assertEqual(run.returncode, 0, run.stderr)
        finally:
            server.terminate()
            server.wait(timeout=TIMEOUT)
            server.stdout.close()
        first = metrics(self.prom)
        self.assertEqual(first["dsfill_exit_code"], 0)
        self.assertEqual(first["dsfill_rows"], 2500)
        self.assertEqual(first["dsfill_batches"], 3)
        self.assertEqual(first["dsfill_input_bytes"], os.path.getsize(self.csv) - len("id,city,amount\n"))
        self.assertEqual(first["dsfill_completed"], 1)
        self.assertEqual(first["dsfill_retries"], 0)
        self.assertGreaterEqual(first["dsfill_last_success_timestamp_seconds"], int(before))
        self.assertEqual(first["dsfill_last_success_timestamp_seconds"],
                         first["dsfill_last_run_timestamp_seconds"])
        self.assertFalse(os.path.exists(self.prom + ".tmp"))

        time.sleep(0.05)
        failed = self.load("http://127.0.0.1:%d" % closed_port(), "--retries", "0",
                           "--mode", "replace")
        self.assertEqual(failed.returncode, 5, failed.stderr)
        second = metrics(self.prom)
        self.assertEqual(second["dsfill_exit_code"], 5)
        self.assertEqual(second["dsfill_rows"], 0)
        self.assertEqual(second["dsfill_last_success_timestamp_seconds"],
                         first["dsfill_last_success_timestamp_seconds"])
        self.assertGreater(second["dsfill_last_run_timestamp_seconds"],
                           first["dsfill_last_run_timestamp_seconds"])

    def test_a_usage_error_from_a_job_is_recorded(self):
        job = os.path.join(self.dir, "nightly.toml")
        with open(job, "w") as f:
            f.write('input = "%s"\nurl = "http://127.0.0.1:1"\nuser-code = "u1"\n'
                    'dataset-code = "sales"\nmetrics-file = "%s"\nmax-rate = "fast"\n'
                    % (self.csv, self.prom))
        run = subprocess.run([DSFILL, "load", "--job", job, "--progress", "never"],
                             env=self.env, capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(run.returncode, 2, run.stderr)
        got = metrics(self.prom)
        self.assertEqual(got["dsfill_exit_code"], 2)
        self.assertNotIn("dsfill_last_success_timestamp_seconds", got)

    def test_node_exporter_reads_the_file(self):
        exporter = shutil.which("prometheus-node-exporter") or shutil.which("node_exporter")
        self.assertIsNotNone(exporter, "prometheus-node-exporter is missing: scripts/bootstrap.sh")
        textfiles = os.path.join(self.dir, "textfile")
        os.mkdir(textfiles)
        self.prom = os.path.join(textfiles, "dsfill.prom")
        failed = self.load("http://127.0.0.1:%d" % closed_port(), "--retries", "0")
        self.assertEqual(failed.returncode, 5, failed.stderr)
        port = closed_port()
        proc = subprocess.Popen(
            [exporter, "--web.listen-address=127.0.0.1:%d" % port, "--collector.disable-defaults",
             "--collector.textfile", "--collector.textfile.directory=" + textfiles],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            text = None
            for _ in range(100):
                try:
                    with urllib.request.urlopen("http://127.0.0.1:%d/metrics" % port,
                                                timeout=5) as r:
                        text = r.read().decode()
                    break
                except OSError:
                    time.sleep(0.1)
            self.assertIsNotNone(text, "node_exporter did not answer")
        finally:
            proc.terminate()
            proc.wait(timeout=TIMEOUT)
        self.assertIn("node_textfile_scrape_error 0", text)
        self.assertIn('dsfill_exit_code{dataset_code="sales",user_code="u1"} 5', text)
        self.assertIn('dsfill_rows{dataset_code="sales",user_code="u1"} 0', text)


if __name__ == "__main__":
    unittest.main(verbosity=2)
