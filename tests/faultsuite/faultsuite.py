#!/usr/bin/env python3
"""The fault suite: `dsfill serve`, the fault proxy (tests/fault/fault_proxy.py) and `dsfill load`
as processes on 127.0.0.1, one case per run. Every case loads a CSV whose rows carry a unique
RowId (scripts/gen_csv.py), then reads the server's SQLite and checks that every RowId is stored
exactly once (lost = 0, duplicated = 0, unexpected = 0), the loader's exit code and summary, and
the case's time bound. Seeded (proxy plan and retry jitter), so a failure replays.

    faultsuite.py --dsfill build/dsfill --case reset_after      # one case
    faultsuite.py --dsfill build/dsfill --list                   # the case names

Python 3 standard library only. Every process is killed when the case ends, pass or fail.
"""
import argparse
import collections
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
PROXY = os.path.join(ROOT, "tests", "fault", "fault_proxy.py")
GEN_CSV = os.path.join(ROOT, "scripts", "gen_csv.py")
USER, DATASET = "fault-user", "fault-ds"


class CaseFailed(AssertionError):
    pass


def check(cond, what):
    if not cond:
        raise CaseFailed(what)


class Env:
    """Processes and files of one case; stop() ends every process it started."""

    def __init__(self, dsfill, workdir):
        self.dsfill = dsfill
        self.dir = workdir
        self.procs = []
        self.db = os.path.join(workdir, "store.db")
        self.server = None
        self.server_port = None
        self.proxy = None

    # --- processes -------------------------------------------------------------------------
    def _read_listening(self, proc, name, deadline_s=15):
        end = time.monotonic() + deadline_s
        while time.monotonic() < end:
            line = proc.stdout.readline()
            if not line:
                break
            if "listening on http://" in line:
                return int(line.strip().rsplit(":", 1)[1])
        raise CaseFailed("%s did not print its address" % name)

    def start_server(self, port=0, extra=()):
        log = open(os.path.join(self.dir, "server.log"), "a")
        cmd = [self.dsfill, "serve", "--listen", "127.0.0.1:%d" % port, "--auto-create"]
        cmd += list(extra) if "--discard" in extra else ["--db", self.db] + list(extra)
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=log, text=True)
        self.procs.append(proc)
        self.server = proc
        self.server_port = self._read_listening(proc, "dsfill serve")
        return self.server_port

    def restart_server(self, extra=()):
        # The old port may linger in TIME_WAIT; the server binds with SO_REUSEADDR. Retry a
        # few times in case the kernel has not released it yet.
        for _ in range(50):
            try:
                return self.start_server(self.server_port, extra)
            except CaseFailed:
                time.sleep(0.1)
        raise CaseFailed("could not restart the server on port %d" % self.server_port)

    def start_proxy(self, plan, seed=7):
        log = os.path.join(self.dir, "proxy.json")
        cmd = [sys.executable, PROXY, "--listen", "127.0.0.1:0", "--upstream",
               "127.0.0.1:%d" % self.server_port, "--seed", str(seed), "--plan", plan,
               "--log", log, "--max-seconds", "120"]
        proc = subprocess.Popen(cmd, stdout=subprocess.PIPE,
                                stderr=open(os.path.join(self.dir, "proxy.err"), "a"), text=True)
        self.procs.append(proc)
        self.proxy = proc
        self.proxy_log = log
        return self._read_listening(proc, "fault proxy")

    def proxy_counts(self):
        if self.proxy is None:
            return {}
        self.proxy.send_signal(signal.SIGTERM)
        try:
            self.proxy.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proxy.kill()
        with open(self.proxy_log) as f:
            return json.load(f)

    def load_cmd(self, port, csv, *extra):
        return [self.dsfill, "load", csv, "--url", "http://127.0.0.1:%d" % port,
                "--user-code", USER, "--dataset-code", DATASET, "--progress", "never",
                "--summary-json", os.path.join(self.dir, "summary.json")] + list(extra)

    def start_load(self, cmd):
        # A state directory per run: cases load one file several times, each a new load.
        env = dict(os.environ, DSFILL_RETRY_SEED="11",
                   STATE_DIRECTORY=tempfile.mkdtemp(dir=self.dir))
        out = open(os.path.join(self.dir, "load.out"), "w")
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT, env=env)
        self.procs.append(proc)
        return proc

    def run_load(self, cmd, timeout_s):
        """Runs a load to its end; returns (exit code, summary dict, output, seconds)."""
        started = time.monotonic()
        proc = self.start_load(cmd)
        return self.finish_load(proc, timeout_s, started)

    def finish_load(self, proc, timeout_s, started):
        try:
            rc = proc.wait(timeout=max(1, timeout_s - (time.monotonic() - started)))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise CaseFailed("the load did not end within %.0f s\n%s" % (timeout_s, self.output()))
        elapsed = time.monotonic() - started
        summary = {}
        path = os.path.join(self.dir, "summary.json")
        if os.path.exists(path):
            with open(path) as f:
                summary = json.load(f)
            os.rename(path, path + ".%d" % int(started * 1000))
        return rc, summary, self.output(), elapsed

    def output(self):
        with open(os.path.join(self.dir, "load.out"), errors="replace") as f:
            return f.read()

    def stop(self):
        for p in self.procs:
            if p.poll() is None:
                try:
                    os.kill(p.pid, signal.SIGCONT)  # a stopped process cannot act on SIGKILL late
                except ProcessLookupError:
                    pass
                p.kill()
            try:
                p.wait(timeout=10)
            except subprocess.TimeoutExpired:
                pass

    # --- data ------------------------------------------------------------------------------
    def make_csv(self, rows, seed=1, hard=True):
        path = os.path.join(self.dir, "in.csv")
        cmd = [sys.executable, GEN_CSV, "--rows", str(rows), "--seed", str(seed), "-o", path]
        if hard:
            cmd.append("--hard")
        subprocess.run(cmd, check=True, timeout=60)
        return path

    def verify_exactly_once(self, rows):
        """Checks that RowIds 1..rows are each stored exactly once, and nothing else is."""
        con = sqlite3.connect("file:%s?mode=ro" % self.db, uri=True, timeout=10)
        try:
            table = con.execute("SELECT table_name FROM datasets WHERE user_code=? AND dataset_code=?",
                                (USER, DATASET)).fetchone()
            check(table is not None, "the dataset was never created")
            ids = collections.Counter(r[0] for r in con.execute('SELECT "RowId" FROM %s' % table[0]))
        finally:
            con.close()
        want = set(str(i) for i in range(1, rows + 1))
        stored = set(str(k) for k in ids)
        lost = len(want - stored)
        duplicated = sum(n - 1 for n in ids.values() if n > 1)
        unexpected = len(stored - want)
        check((lost, duplicated, unexpected) == (0, 0, 0),
              "lost=%d duplicated=%d unexpected=%d (stored %d rows)" %
              (lost, duplicated, unexpected, sum(ids.values())))
        return sum(ids.values())


# --- the cases ---------------------------------------------------------------------------------
# Each returns a one-line note of what it measured. Common loader flags: small batches so that
# a fault hits many of them, two connections, a short per-request timeout.
ROWS = 20000
LOAD_FLAGS = ["--batch-rows", "250", "--connections", "2", "--timeout", "3", "--retries", "10",
              "--retry-budget", "60"]


def merge_flags(base, extra):
    """Returns `base` with each "--flag value" pair that `extra` also sets replaced by extra's."""
    extra = list(extra)
    out = []
    i = 0
    while i < len(base):
        if base[i] in extra:
            i += 2
            continue
        out.append(base[i])
        i += 1
    return out + extra


def proxied(env, plan, seed=7, rows=ROWS, extra=(), bound_s=30, expect_rc=0):
    csv = env.make_csv(rows)
    env.start_server()
    port = env.start_proxy(plan, seed)
    rc, summary, out, secs = env.run_load(env.load_cmd(port, csv, *merge_flags(LOAD_FLAGS, extra)),
                                          bound_s)
    check(rc == expect_rc, "exit %d, want %d\n%s" % (rc, expect_rc, out))
    counts = env.proxy_counts().get("counts", {})
    stored = env.verify_exactly_once(rows)
    check(summary.get("rows") == rows, "summary rows %s, want %d" % (summary.get("rows"), rows))
    check(summary.get("completed") is True, "the dataset was not completed")
    check(secs < bound_s, "took %.1f s, bound %d s" % (secs, bound_s))
    return summary, counts, secs, stored


def fault_count(counts, name):
    return counts.get(name, counts.get("faults", {}).get(name, 0)) if isinstance(counts, dict) else 0


def case_latency(env):
    s, c, secs, _ = proxied(env, "latency=40:0.5")
    return "%.1f s, %d requests, %d retries" % (secs, s["requests"], s["retries"])


def case_reset_before(env):
    s, c, secs, _ = proxied(env, "reset_before:0.1")
    check(s["retries"] > 0, "no retry: the fault never hit")
    return "%.1f s, %d retries" % (secs, s["retries"])


def case_reset_during(env):
    s, c, secs, _ = proxied(env, "reset_during:0.1")
    check(s["retries"] > 0, "no retry: the fault never hit")
    return "%.1f s, %d retries" % (secs, s["retries"])


def case_reset_after(env):
    # The ambiguous case: the server stored the batch, the client saw a reset. Only the
    # Idempotency-Key keeps the retry from storing it twice.
    s, c, secs, _ = proxied(env, "reset_after:0.1")
    check(s["retries"] > 0, "no retry: the fault never hit")
    return "%.1f s, %d retries after stored-but-unacknowledged batches" % (secs, s["retries"])


def case_stall(env):
    # Two requests are held until the client's 1.5 s timeout; each is retried.
    s, c, secs, _ = proxied(env, "stall@3,stall@12", extra=["--timeout", "1.5"])
    check(s["retries"] >= 2, "want >= 2 retries after the stalls, got %d" % s["retries"])
    check(secs >= 1.5, "the stall did not wait for the timeout (%.1f s)" % secs)
    return "%.1f s, %d retries" % (secs, s["retries"])


def case_slice(env):
    s, c, secs, _ = proxied(env, "slice:0.5", rows=8000)
    return "%.1f s, %d requests" % (secs, s["requests"])


def case_retry_after(env):
    # 503 with Retry-After: 3 and 429 with Retry-After: 1. A batch told to wait is not sent
    # again before its Retry-After (other batches go on meanwhile), so the load lasts at least
    # 3 s (a floor: jitter only adds; the rest of the load takes well under a second).
    s, c, secs, _ = proxied(env, "503=3@3,429=1@8", rows=8000, extra=["--connections", "1"])
    check(s["retries"] == 2, "want 2 retries, got %d" % s["retries"])
    check(secs >= 3.0, "Retry-After not honoured: the load took %.2f s" % secs)
    return "%.1f s with a 3 s Retry-After, %d retries" % (secs, s["retries"])


def wait_for_rows(env, at_least, timeout_s=20):
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        try:
            con = sqlite3.connect("file:%s?mode=ro" % env.db, uri=True, timeout=1)
            try:
                t = con.execute("SELECT table_name FROM datasets WHERE dataset_code=?",
                                (DATASET,)).fetchone()
                n = con.execute("SELECT count(*) FROM %s" % t[0]).fetchone()[0] if t else 0
            finally:
                con.close()
            if n >= at_least:
                return n
        except sqlite3.Error:
            pass
        time.sleep(0.05)
    raise CaseFailed("the server never stored %d rows" % at_least)


SLOW_ROWS = 60000
# Tiny batches, one fsync each: the load lasts a few seconds, long enough to interrupt.
SLOW_FLAGS = ["--batch-rows", "100", "--connections", "2", "--timeout", "3", "--retries", "12",
              "--retry-budget", "80", "--encoders", "1"]


def case_kill_server(env):
    csv = env.make_csv(SLOW_ROWS, hard=False)
    port = env.start_server()
    started = time.monotonic()
    load = env.start_load(env.load_cmd(port, csv, *SLOW_FLAGS))
    wait_for_rows(env, 5000)
    env.server.kill()
    env.server.wait()
    time.sleep(1.0)
    env.restart_server()
    rc, s, out, secs = env.finish_load(load, 60, started)
    check(rc == 0, "exit %d\n%s" % (rc, out))
    env.verify_exactly_once(SLOW_ROWS)
    check(s["retries"] > 0, "no retry although the server died")
    return "%.1f s, %d retries, %d connects" % (secs, s["retries"], s["connects"])


def case_stop_server(env):
    csv = env.make_csv(SLOW_ROWS, hard=False)
    port = env.start_server()
    started = time.monotonic()
    load = env.start_load(env.load_cmd(port, csv, *SLOW_FLAGS))
    wait_for_rows(env, 5000)
    os.kill(env.server.pid, signal.SIGSTOP)
    time.sleep(10)
    os.kill(env.server.pid, signal.SIGCONT)
    rc, s, out, secs = env.finish_load(load, 60, started)
    check(rc == 0, "exit %d\n%s" % (rc, out))
    env.verify_exactly_once(SLOW_ROWS)
    check(s["retries"] > 0, "no retry although the server was stopped for 10 s")
    return "%.1f s (10 s stopped), %d retries" % (secs, s["retries"])


def wait_for_checkpoint(path, rows, timeout_s=20):
    end = time.monotonic() + timeout_s
    while time.monotonic() < end:
        try:
            with open(path) as f:
                if json.load(f)["rows_acked"] >= rows:
                    return
        except (OSError, ValueError, KeyError):
            pass
        time.sleep(0.02)
    raise CaseFailed("the checkpoint never recorded %d rows" % rows)


def case_kill_loader(env):
    # The checkpoint is rewritten at most once a second, so the kill lands about a second into
    # the load: the load must last well beyond that (180,000 rows took 1.1 s once the loader and
    # the server got faster, and the kill came too late).
    rows = 10 * SLOW_ROWS
    csv = env.make_csv(rows, hard=False)
    port = env.start_server()
    ck = os.path.join(env.dir, "ck.json")
    cmd = env.load_cmd(port, csv, *(SLOW_FLAGS + ["--checkpoint", ck, "--mode", "replace"]))
    started = time.monotonic()
    load = env.start_load(cmd)
    wait_for_checkpoint(ck, 1)  # the loader rewrote it after acknowledgements: kill it now
    load.kill()
    load.wait()
    with open(ck) as f:
        at_kill = json.load(f)
    check(not at_kill["finished"], "the checkpoint says finished after kill -9")
    rc, s, out, secs = env.run_load(cmd + ["--resume"], 60)
    check(rc == 0, "resume exit %d\n%s" % (rc, out))
    check(s.get("resumed") is True, "the summary does not say it resumed")
    env.verify_exactly_once(rows)
    check(s["server_rows_count"] == rows, "rows-count %s" % s["server_rows_count"])
    # A resume of a finished load sends nothing and exits 0.
    rc2, s2, out2, _ = env.run_load(cmd + ["--resume"], 20)
    check(rc2 == 0 and s2.get("already_finished") is True and s2["requests"] == 0,
          "second resume: exit %d\n%s" % (rc2, out2))
    return "killed at %d acknowledged rows (checkpoint), resumed from byte %d, %.1f s total" % (
        at_kill["rows_acked"], s["resumed_from"], time.monotonic() - started)


def case_dead_server(env):
    csv = env.make_csv(SLOW_ROWS, hard=False)
    port = env.start_server()
    ck = os.path.join(env.dir, "ck.json")
    flags = ["--batch-rows", "100", "--connections", "2", "--timeout", "2", "--retries", "4",
             "--retry-budget", "6", "--encoders", "1", "--checkpoint", ck]
    cmd = env.load_cmd(port, csv, *flags)
    started = time.monotonic()
    load = env.start_load(cmd)
    wait_for_rows(env, 5000)
    env.server.kill()
    env.server.wait()
    killed = time.monotonic()
    # 4 retries of full jitter: at most 0.2 + 0.4 + 0.8 + 1.6 s of backoff plus connect errors.
    rc, s, out, secs = env.finish_load(load, 30, started)
    gave_up = time.monotonic() - killed
    check(rc == 5, "exit %d, want 5\n%s" % (rc, out))
    check(gave_up < 15, "gave up %.1f s after the server died (budget: about 3 s)" % gave_up)
    check("--resume" in s.get("resume_command", ""), "no resume command in the summary")
    check("to resume:" in out, "the human summary does not say how to resume\n" + out)
    with open(ck) as f:
        saved = json.load(f)
    check(not saved["finished"] and saved["rows_acked"] > 0, "checkpoint %s" % saved)
    env.restart_server()
    rc, s, out, secs2 = env.run_load(cmd + ["--resume"], 60)
    check(rc == 0, "resume exit %d\n%s" % (rc, out))
    env.verify_exactly_once(SLOW_ROWS)
    return "exit 5 %.1f s after the server died; resumed from row %d, %.1f s" % (
        gave_up, saved["next_row"], secs2)


def case_at_least_once(env):
    # A server that ignores Idempotency-Key once a request has finished (`dsfill serve
    # --discard` only guards concurrent repeats) doubles the batch that was stored but not
    # acknowledged: at-least-once. The count check catches it (exit 6).
    rows = 4000
    csv = env.make_csv(rows)
    env.start_server(extra=["--discard"])
    port = env.start_proxy("reset_after@3", seed=3)
    rc, s, out, secs = env.run_load(
        env.load_cmd(port, csv, "--batch-rows", "250", "--connections", "1", "--mode", "replace"),
        30)
    check(rc == 6, "exit %d, want 6 (count mismatch)\n%s" % (rc, out))
    check(s["server_rows_count"] == rows + 250,
          "server rows %s, want %d (one batch doubled)" % (s["server_rows_count"], rows + 250))
    return "one ambiguous failure doubled one batch (%d rows) without the key check" % 250


CASES = collections.OrderedDict([
    ("latency", case_latency),
    ("reset_before", case_reset_before),
    ("reset_during", case_reset_during),
    ("reset_after", case_reset_after),
    ("stall", case_stall),
    ("slice", case_slice),
    ("retry_after", case_retry_after),
    ("kill_server", case_kill_server),
    ("stop_server", case_stop_server),
    ("kill_loader", case_kill_loader),
    ("dead_server", case_dead_server),
    ("at_least_once", case_at_least_once),
])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dsfill", required=True, help="the dsfill executable")
    ap.add_argument("--case", action="append", help="case to run (repeatable; default: all)")
    ap.add_argument("--list", action="store_true", help="print the case names")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()
    if args.list:
        print("\n".join(CASES))
        return 0
    failed = 0
    for name in args.case or list(CASES):
        if name not in CASES:
            print("unknown case %s" % name, file=sys.stderr)
            return 2
        workdir = tempfile.mkdtemp(prefix="dsfill-fault-%s-" % name)
        env = Env(os.path.abspath(args.dsfill), workdir)
        started = time.monotonic()
        try:
            note = CASES[name](env)
            print("PASS %-14s %5.1f s  %s" % (name, time.monotonic() - started, note), flush=True)
        except CaseFailed as e:
            failed += 1
            print("FAIL %-14s %5.1f s  %s\n  (work directory kept: %s)" %
                  (name, time.monotonic() - started, e, workdir), flush=True)
            args.keep = True
        finally:
            env.stop()
            if not args.keep:
                subprocess.run(["rm", "-rf", workdir])
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
