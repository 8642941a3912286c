#!/usr/bin/env python3
"""Safe by default: every load of a file keeps a checkpoint and a lock in the state directory.

Usage: state_process_test.py DSFILL_BINARY
Checks, against `dsfill serve` on 127.0.0.1:0: Ctrl-C (SIGINT) mid-load, then a plain re-run
asks for --resume or --restart (exit 2, both commands printed), then --resume stores every row
exactly once; a finished append load run again asks the same instead of doubling; two concurrent
plain loads of one file (the second exits 7 naming the holder); a manual run of a job with
another dataset code leaves the job's checkpoint alone (the next --auto-resume run loads nothing
twice); a file fixed after a failure resumes when its acknowledged prefix is unchanged and is
refused otherwise; --no-checkpoint writes nothing into the state directory; --infer keeps its
spec beside the checkpoint and later runs reuse it. Every process is bounded by a timeout.
"""
import collections
import csv
import glob
import json
import os
import shlex
import signal
import stat
import subprocess
import sys
import tempfile
import time
import unittest

import reference_server

DSFILL = sys.argv.pop(1) if len(sys.argv) > 1 else "dsfill"
TIMEOUT = 60


class Server(reference_server.Server):
    def __init__(self, db):
        super().__init__(DSFILL, db)

    def rows(self, user, dataset):
        return [tuple(str(v) for v in r) for r in super().rows(user, dataset)]

    def columns(self, user, dataset):
        found = self.dataset(user, dataset)
        return json.loads(found[0]) if found else None


def csv_rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return [tuple(r) for r in list(csv.reader(f))[1:]]


def write_csv(path, rows, header="id,name,qty"):
    with open(path, "w", newline="") as f:
        f.write(header + "\n")
        for r in rows:
            f.write(",".join(r) + "\n")


def wait_for(predicate, what):
    deadline = time.monotonic() + TIMEOUT
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.02)
    raise AssertionError("timed out waiting for " + what)


class StateTestCase(unittest.TestCase):
    def setUp(self):
        self.dir = tempfile.TemporaryDirectory()
        self.state = os.path.join(self.dir.name, "state")
        self.server = Server(os.path.join(self.dir.name, "store.db"))
        self.csv = os.path.join(self.dir.name, "in.csv")

    def tearDown(self):
        self.server.stop()
        self.dir.cleanup()

    def env(self, **extra):
        env = dict(os.environ, STATE_DIRECTORY=self.state)
        env.update(extra)
        return env

    def load_args(self, dataset, *extra, path=None):
        return ["load", path or self.csv, "--url", self.server.url, "--user-code", "u1",
                "--dataset-code", dataset, "--progress", "never", *extra]

    def run_dsfill(self, args, **env):
        return subprocess.run([DSFILL] + args, env=self.env(**env), capture_output=True,
                              text=True, timeout=TIMEOUT)

    def start(self, args):
        return subprocess.Popen([DSFILL] + args, env=self.env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    def checkpoints(self):
        return sorted(glob.glob(os.path.join(self.state, "*.ckpt")))

    def checkpoint(self):
        found = self.checkpoints()
        self.assertEqual(len(found), 1, found)
        with open(found[0]) as f:
            return json.load(f)

    def big_file(self, n=4000):
        rows = [(str(i), "name %d %s" % (i, "x" * 80), str(i * 3)) for i in range(n)]
        write_csv(self.csv, rows)
        return rows


class Interrupted(StateTestCase):
    def test_sigint_then_plain_rerun_asks_then_resume_loads_each_row_once(self):
        rows = self.big_file(2000)
        # Paced so that Ctrl-C lands mid-load: about 40 KB/s, 20 rows a batch.
        slow = self.load_args("d", "--batch-rows", "20", "--max-rate", "40KB/s")
        first = self.start(slow)
        try:
            wait_for(lambda: self.checkpoints() and self.checkpoint()["rows_acked"] >= 40,
                     "some batches acknowledged")
            first.send_signal(signal.SIGINT)
            out, err = first.communicate(timeout=TIMEOUT)
        finally:
            if first.poll() is None:
                first.kill()
                first.communicate()
        self.assertEqual(first.returncode, 130, err)
        resume = [line.split("to resume: ", 1)[1] for line in err.splitlines()
                  if "to resume: " in line]
        self.assertEqual(len(resume), 1, err)
        self.assertTrue(resume[0].endswith(" --resume"), resume[0])
        stored = len(self.server.rows("u1", "d"))
        self.assertLess(stored, len(rows))

        plain = self.run_dsfill(self.load_args("d", "--batch-rows", "20"))
        self.assertEqual(plain.returncode, 2, plain.stdout + plain.stderr)
        self.assertIn("unfinished load", plain.stderr)
        self.assertIn("--resume", plain.stderr)
        self.assertIn("--restart", plain.stderr)
        self.assertEqual(len(self.server.rows("u1", "d")), stored)  # nothing was sent

        # The printed command, as a user would paste it.
        resumed = self.run_dsfill(shlex.split(resume[0])[1:])
        self.assertEqual(resumed.returncode, 0, resumed.stdout + resumed.stderr)
        got = self.server.rows("u1", "d")
        self.assertEqual(len(got), len(rows))
        self.assertEqual(collections.Counter(got), collections.Counter(csv_rows(self.csv)))

    def test_finished_append_rerun_asks_instead_of_doubling(self):
        rows = self.big_file(50)
        first = self.run_dsfill(self.load_args("d"))
        self.assertEqual(first.returncode, 0, first.stderr)
        again = self.run_dsfill(self.load_args("d"))
        self.assertEqual(again.returncode, 2, again.stderr)
        self.assertIn("already finished", again.stderr)
        self.assertIn("--restart", again.stderr)
        self.assertEqual(len(self.server.rows("u1", "d")), len(rows))
        check = self.run_dsfill(self.load_args("d", "--resume"))
        self.assertEqual(check.returncode, 0, check.stderr)
        self.assertEqual(len(self.server.rows("u1", "d")), len(rows))
        restart = self.run_dsfill(self.load_args("d", "--restart"))
        self.assertEqual(restart.returncode, 0, restart.stderr)
        self.assertEqual(len(self.server.rows("u1", "d")), 2 * len(rows))
        # A finished replace load simply runs again: it truncates first.
        for _ in range(2):
            replace = self.run_dsfill(self.load_args("d", "--mode", "replace"))
            self.assertEqual(replace.returncode, 0, replace.stderr)
            self.assertEqual(len(self.server.rows("u1", "d")), len(rows))

    def test_two_concurrent_plain_loads_one_exits_7(self):
        self.big_file()
        first = self.start(self.load_args("d", "--batch-rows", "20", "--max-rate", "40KB/s"))
        try:
            locks = lambda: glob.glob(os.path.join(self.state, "*.lock"))

            def held():
                if not locks():
                    return False
                with open(locks()[0]) as f:
                    return f.read().strip() == str(first.pid)
            wait_for(held, "the first load's lock")
            second = self.run_dsfill(self.load_args("d", "--batch-rows", "20"))
            self.assertEqual(second.returncode, 7, second.stderr)
            self.assertIn("another dsfill load holds %s (pid %d)" % (locks()[0], first.pid),
                          second.stderr)
        finally:
            first.kill()
            first.communicate()
        mode = stat.S_IMODE(os.stat(self.state).st_mode)
        self.assertEqual(mode, 0o700)

    def test_no_checkpoint_writes_nothing_into_the_state_dir(self):
        rows = self.big_file(30)
        r = self.run_dsfill(self.load_args("d", "--no-checkpoint"))
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(self.state))
        self.assertEqual(len(self.server.rows("u1", "d")), len(rows))
        # A network failure promises a resume only when there is state to resume from.
        dead = ["load", self.csv, "--url", "http://127.0.0.1:1", "--user-code", "u1",
                "--dataset-code", "d", "--progress", "never", "--retries", "0"]
        lost = self.run_dsfill(dead + ["--no-checkpoint"])
        self.assertEqual(lost.returncode, 5, lost.stderr)
        self.assertIn("cannot be resumed", lost.stderr)
        self.assertNotIn("to resume:", lost.stdout + lost.stderr)
        self.assertFalse(os.path.exists(self.state))
        kept = self.run_dsfill(dead)
        self.assertEqual(kept.returncode, 5, kept.stderr)
        self.assertIn("to resume: ", kept.stderr)
        # And --resume has nothing to resume from.
        bad = self.run_dsfill(self.load_args("d", "--no-checkpoint", "--resume"))
        self.assertEqual(bad.returncode, 2, bad.stderr)
        self.assertIn("--no-checkpoint", bad.stderr)

    def test_unwritable_state_dir_is_exit_2(self):
        self.big_file(5)
        blocker = os.path.join(self.dir.name, "a-file")
        open(blocker, "w").close()
        r = self.run_dsfill(self.load_args("d"), STATE_DIRECTORY=os.path.join(blocker, "state"))
        self.assertEqual(r.returncode, 2, r.stderr)
        self.assertIn("state directory", r.stderr)


class Jobs(StateTestCase):
    def job(self, text):
        path = os.path.join(self.dir.name, "nightly.toml")
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_manual_run_with_another_dataset_leaves_the_jobs_checkpoint_alone(self):
        rows = self.big_file(60)
        for explicit in (True, False):
            with self.subTest(explicit_checkpoint=explicit):
                dataset = "nightly-%d" % explicit
                ckpt = os.path.join(self.dir.name, "nightly-%d.ckpt" % explicit)
                job = self.job('input = "%s"\nurl = "%s"\nuser-code = "u1"\n'
                               'dataset-code = "%s"\nprogress = "never"\n%s'
                               % (self.csv, self.server.url, dataset,
                                  'checkpoint = "%s"\n' % ckpt if explicit else ""))
                night = self.run_dsfill(["load", "--job", job])
                self.assertEqual(night.returncode, 0, night.stderr)
                if not explicit:
                    ckpt = [c for c in self.checkpoints() if os.path.basename(c).startswith(
                        dataset + "-")][0]
                with open(ckpt) as f:
                    before = f.read()
                manual = self.run_dsfill(["load", "--job", job, "--dataset-code", "test"])
                if explicit:
                    self.assertEqual(manual.returncode, 2, manual.stderr)
                    self.assertIn('"%s"' % dataset, manual.stderr)
                    self.assertIn('"test"', manual.stderr)
                    # --no-checkpoint on the command line wins over the job's checkpoint.
                    manual = self.run_dsfill(["load", "--job", job, "--dataset-code", "test",
                                              "--no-checkpoint"])
                    self.assertEqual(manual.returncode, 0, manual.stderr)
                    self.assertEqual(len(self.server.rows("u1", "test")), len(rows))
                else:
                    self.assertEqual(manual.returncode, 0, manual.stderr)
                    self.assertEqual(len(self.server.rows("u1", "test")), 2 * len(rows))
                with open(ckpt) as f:
                    self.assertEqual(f.read(), before)
                again = self.run_dsfill(["load", "--job", job])  # --auto-resume by default
                self.assertEqual(again.returncode, 0, again.stderr)
                self.assertIn("already finished", again.stdout + again.stderr)
                self.assertEqual(len(self.server.rows("u1", dataset)), len(rows))

    def test_job_lock_lives_in_the_state_dir(self):
        job = self.job('input = "-"\ndry-run = true\nprogress = "never"\n')
        r = subprocess.run([DSFILL, "load", "--job", job], env=self.env(), input="a,b\n1,2\n",
                           capture_output=True, text=True, timeout=TIMEOUT)
        self.assertEqual(r.returncode, 0, r.stderr)
        self.assertFalse(os.path.exists(job + ".lock"))
        self.assertEqual(len(glob.glob(os.path.join(self.state, "*.lock"))), 1)


class ChangedAfterFailure(StateTestCase):
    def failing_file(self):
        rows = [(str(i), "name %d" % i, str(i)) for i in range(2000)]
        write_csv(self.csv, rows)
        with open(self.csv) as f:
            text = f.read()
        # Row 1500 is ragged: the load stops there (exit 3) after storing the batches before.
        broken = text.replace("\n1500,name 1500,1500\n", "\n1500,name 1500\n")
        with open(self.csv, "w") as f:
            f.write(broken)
        r = self.run_dsfill(self.load_args("d", "--batch-rows", "10", "--connections", "1"))
        self.assertEqual(r.returncode, 3, r.stderr)
        self.assertIn("to resume: ", r.stderr)
        c = self.checkpoint()
        self.assertGreater(c["offset"], 1000)
        self.assertFalse(c["finished"])
        return text, c

    def test_fixed_past_the_prefix_resumes(self):
        text, c = self.failing_file()
        with open(self.csv, "w") as f:
            f.write(text)  # the ragged row fixed: one byte longer
        stored = len(self.server.rows("u1", "d"))
        r = self.run_dsfill(self.load_args("d", "--batch-rows", "10", "--connections", "1",
                                           "--resume"))
        self.assertEqual(r.returncode, 0, r.stdout + r.stderr)
        self.assertIn("unchanged", r.stderr)
        got = self.server.rows("u1", "d")
        self.assertEqual(collections.Counter(got), collections.Counter(csv_rows(self.csv)))
        self.assertGreater(stored, 0)

    def test_changed_within_the_prefix_is_refused(self):
        text, c = self.failing_file()
        with open(self.csv, "w") as f:
            f.write(text.replace("\n3,name 3,3\n", "\n3,name 9,3\n"))
        stored = self.server.rows("u1", "d")
        r = self.run_dsfill(self.load_args("d", "--batch-rows", "10", "--connections", "1",
                                           "--resume"))
        self.assertEqual(r.returncode, 2, r.stdout + r.stderr)
        self.assertIn("changed within its first %d bytes" % c["offset"], r.stderr)
        self.assertEqual(self.server.rows("u1", "d"), stored)


class InferredSpec(StateTestCase):
    def test_infer_keeps_its_spec_and_warns_when_the_sample_drifts(self):
        # Night one: qty holds a word, so it is inferred as text.
        write_csv(self.csv, [("1", "a", "7"), ("2", "b", "many"), ("3", "c", "9")])
        first = self.run_dsfill(self.load_args("d", "--infer"))
        self.assertEqual(first.returncode, 0, first.stderr)
        kept = glob.glob(os.path.join(self.state, "*.ckpt.columns.json"))
        self.assertEqual(len(kept), 1, os.listdir(self.state))
        spec = self.server.columns("u1", "d")
        # Night two: qty is all digits, which alone would infer a number.
        time.sleep(0.01)
        write_csv(self.csv, [("4", "d", "1"), ("5", "e", "2"), ("6", "f", "3")])
        second = self.run_dsfill(self.load_args("d", "--infer"))
        self.assertEqual(second.returncode, 0, second.stderr)
        self.assertEqual(second.stderr.count("infers another columns spec"), 1, second.stderr)
        self.assertEqual(self.server.columns("u1", "d"), spec)
        self.assertEqual(len(self.server.rows("u1", "d")), 6)


if __name__ == "__main__":
    unittest.main(verbosity=2)
