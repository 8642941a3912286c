#!/usr/bin/env python3
"""`dsfill serve`'s command line: its help, its errors, its size units (127.0.0.1; bounded).

Usage: serve_cli_test.py DSFILL_BINARY
Checks: --help shows limits with their units (64MiB, not 67108864) and serve's own exit codes;
--db in a missing directory is exit 2 naming the directory; --create without --columns (and the
reverse) is one sentence saying what is missing; a size of 0 where a limit must be positive is
exit 2; sizes read as `dsfill load` reads them (1MB = 1,000,000 bytes: a body of 1,000,001 bytes
gets 413, one of 999,000 does not).
"""
import http.client
import os
import subprocess
import sys
import tempfile
import unittest

DSFILL = sys.argv.pop(1) if len(sys.argv) > 1 else "dsfill"
TIMEOUT = 30


def serve(*args):
    return subprocess.run([DSFILL, "serve", *args], capture_output=True, text=True,
                          timeout=TIMEOUT)


class ServeCommandLine(unittest.TestCase):
    def test_help_shows_units_and_serves_own_exit_codes(self):
        run = serve("--help")
        self.assertEqual(run.returncode, 0)
        self.assertIn("--max-body-bytes SIZE=64MiB", run.stdout)
        self.assertIn("--max-inflight-bytes SIZE=512MiB", run.stdout)
        self.assertIn("--header-timeout SECONDS=30", run.stdout)
        self.assertNotIn("67108864", run.stdout)
        self.assertIn("0 stopped by SIGINT/SIGTERM", run.stdout)
        # The load's outcomes are not serve's.
        self.assertNotIn("gave up on the network", run.stdout)

    def test_db_in_a_missing_directory(self):
        with tempfile.TemporaryDirectory() as tmp:
            missing = os.path.join(tmp, "no", "such")
            run = serve("--db", os.path.join(missing, "x.db"), "--listen", "127.0.0.1:0")
            self.assertEqual(run.returncode, 2, run.stderr)
            self.assertIn("the directory " + missing + " does not exist", run.stderr)
            self.assertFalse(os.path.exists(missing))

    def test_create_and_columns_name_what_is_missing(self):
        with tempfile.TemporaryDirectory() as tmp:
            db = os.path.join(tmp, "x.db")
            run = serve("--db", db, "--create", "u/d", "--listen", "127.0.0.1:0")
            self.assertEqual(run.returncode, 2)
            self.assertIn("--create u/d needs --columns FILE", run.stderr)
            run = serve("--db", db, "--columns", "c.json", "--listen", "127.0.0.1:0")
            self.assertEqual(run.returncode, 2)
            self.assertIn("--columns c.json is only read with --create USER/DATASET", run.stderr)

    def test_a_zero_limit_is_refused(self):
        run = serve("--discard", "--max-body-bytes", "0")
        self.assertEqual(run.returncode, 2)
        self.assertIn("--max-body-bytes", run.stderr)

    def test_sizes_read_like_the_loaders(self):
        proc = subprocess.Popen([DSFILL, "serve", "--discard", "--listen", "127.0.0.1:0",
                                 "--max-body-bytes", "1MB"],
                                stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            line = proc.stdout.readline()
            self.assertIn("listening on http://127.0.0.1:", line)
            port = int(line.rsplit(":", 1)[1])

            def status(size):
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=TIMEOUT)
                try:
                    conn.request("POST", "/dataset-fill", body=b" " * size,
                                 headers={"Content-Type": "application/json"})
                    return conn.getresponse().status
                finally:
                    conn.close()
            self.assertEqual(status(1_000_001), 413)
            self.assertNotEqual(status(999_000), 413)
        finally:
            proc.terminate()
            proc.wait(timeout=TIMEOUT)
            proc.stdout.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
