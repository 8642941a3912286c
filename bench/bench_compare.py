#!/usr/bin/env python3
"""The body of scripts/bench-compare.sh (see there for usage and environment)."""
import argparse
import hashlib
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

import scaling_model

P = argparse.ArgumentParser()
P.add_argument("--size-label", required=True, help="SIZE of each generated file (gen_csv.py --size)")
P.add_argument("--repo", required=True)
P.add_argument("--build", required=True)
P.add_argument("--work", required=True)
P.add_argument("--out", required=True)
A = P.parse_args()

DSFILL = os.path.join(A.build, "dsfill")
BASELINE = os.path.join(A.build, "bench", "bench_baseline")
REPEAT = int(os.environ.get("REPEAT", "3"))
SKIP = set(os.environ.get("SKIP", "").split())
# "auto" is the default (--codec auto: one scale over ISA-L and libdeflate); "auto-libdeflate" is
# --level auto over libdeflate's levels alone, the yardstick for what walking both adds.
AUTO_LEVELS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "12", "auto", "auto-libdeflate"]
COLUMNS = ["RowId", "InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate",
           "UnitPrice", "CustomerID", "Country"]
# The four kinds of file of issue 20, each `scripts/gen_csv.py --size SIZE` with these flags.
# "plain" comes first: every other section runs on it (its columns are COLUMNS).
KINDS = {"plain": [], "hard": ["--hard"], "quote-all": ["--quote-all"],
         "transactional": ["--kind", "transactional"]}
# The settings measured on every kind; ISA-L is dropped where this build lacks it.
CONFIGS = [("libdeflate", 1), ("libdeflate", 6), ("isal", 1)]
# Issue 20's target 3: dsfill bench --encoders 2 against 2 x deflate alone.
TARGETS = {("libdeflate", 1): 0.85, ("libdeflate", 6): 0.93, ("isal", 1): 0.70}
# The cores this process may run on: what taskset pins to, and how many encoders make sense.
CPUS = sorted(os.sched_getaffinity(0))
NCPU = len(CPUS)
ENCODERS = sorted({1, 2, NCPU} | {n for n in (4, 8, 16, 32, 64, 128) if n < NCPU})
PIN_CORES = [n for n in scaling_model.CORES if n <= NCPU]


T0 = time.monotonic()


def log(msg):
    """Says what runs now, after how long: the runtime of each part shows in the log."""
    print(f"bench-compare: [{time.monotonic() - T0:4.0f} s] {msg}", file=sys.stderr, flush=True)


def timed(cmd, **kw):
    """Runs cmd under /usr/bin/time -v; returns (stdout, wall s, cpu s, peak RSS MiB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        before = resource.getrusage(resource.RUSAGE_CHILDREN)
        t0 = time.monotonic()
        proc = subprocess.run(["/usr/bin/time", "-v", "-o", tf.name, *cmd], capture_output=True,
                              text=True, **kw)
        wall = time.monotonic() - t0
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        stats = {}
        for line in tf.read().splitlines():
            key, _, value = line.strip().rpartition(": ")
            stats[key] = value
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    # CPU time from the kernel's account of the reaped children, in microseconds, not from
    # /usr/bin/time's printout in hundredths: the send cost is a small difference of two CPU
    # times. (Servers and proxies are reaped outside these calls, so they do not count here.)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    rss = int(stats.get("Maximum resident set size (kbytes)", 0)) / 1024
    return proc.stdout, wall, cpu, rss


def warm(path):
    """Reads `path` once so the next run finds it in the page cache. Some virtual machines' hosts
    reclaim a guest's cached file pages within seconds (bench/profile_notes.md, round 5): a run
    that found the file gone from the cache would measure the disk, not dsfill."""
    with open(path, "rb") as f:
        while f.read(1 << 20):
            pass


def cpu_model():
    with open("/proc/cpuinfo") as f:
        for line in f:
            key, _, value = line.partition(":")
            if key.strip() == "model name":
                return value.strip()
    return "unknown CPU"


def generated_file(kind, flags):
    """Returns the path of `gen_csv.py --size SIZE FLAGS`, generating it only when missing. The
    name carries a hash of gen_csv.py, whose fixed seed makes the same bytes each time, so a
    cached file is reused until the generator changes (older copies are removed then)."""
    with open(os.path.join(A.repo, "scripts", "gen_csv.py"), "rb") as f:
        version = hashlib.md5(f.read()).hexdigest()[:8]
    path = os.path.join(A.work, f"{kind}-{A.size_label}-{version}.csv")
    if not os.path.exists(path):
        for old in os.listdir(A.work):
            if old.startswith(f"{kind}-{A.size_label}-") and old.endswith(".csv"):
                os.remove(os.path.join(A.work, old))
        log(f"generating {path} (gen_csv.py --size {A.size_label} {' '.join(flags)}, ~7 MB/s)")
        subprocess.run([sys.executable, os.path.join(A.repo, "scripts", "gen_csv.py"), "--size",
                        A.size_label, *flags, "-o", path + ".tmp"], check=True)
        os.replace(path + ".tmp", path)
    return path


KERNELS = {}  # the SIMD kernels dsfill bench reports it ran


def dsfill_bench(path, level, encoders, codec="libdeflate", cpus=None, extra=()):
    """Runs dsfill bench once; with `cpus`, pinned to those cores (taskset)."""
    summary = os.path.join(A.work, "summary.json")
    pin = ["taskset", "-c", ",".join(map(str, cpus))] if cpus else []
    warm(path)
    _, wall, cpu, rss = timed([*pin, DSFILL, "bench", path, "--encoders", str(encoders), "--level",
                               str(level), "--codec", codec, "--summary-json", summary, *extra])
    with open(summary) as f:
        s = json.load(f)
    KERNELS.update(s.get("kernels", {}))
    return {"mbps": s["mb_per_second"], "rows_s": s["rows_per_second"], "cpu": cpu, "rss": rss,
            "wall": s["wall_seconds"], "ratio": s["compression_ratio"], "levels": s.get("level_batches"),
            "stages": {x["name"]: x for x in s.get("stages", [])}}


def baseline(path, level, codec="libdeflate"):
    warm(path)
    out, _, _, _ = timed([BASELINE, path, "--level", str(level), "--codec", codec])
    return json.loads(out)


def codec_available(codec, path):
    """Returns whether this build's dsfill bench runs with --codec `codec` (ISA-L is optional)."""
    proc = subprocess.run([DSFILL, "bench", path, "--codec", codec, "--level", "1", "--limit",
                           "1000"], capture_output=True, text=True)
    if proc.returncode != 0:
        log(f"--codec {codec} unavailable: {proc.stderr.strip()[-300:]}")
    return proc.returncode == 0


def median(runs, key):
    return statistics.median(x[key] for x in runs)


def spread(values, digits=1):
    """Returns the median of `values`, with their range when there are several."""
    mid = f"{statistics.median(values):.{digits}f}"
    return mid if len(values) == 1 else f"{mid} ({min(values):.{digits}f}-{max(values):.{digits}f})"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server():
    port = free_port()
    proc = subprocess.Popen([DSFILL, "serve", "--discard", "--auto-create", "--listen",
                             f"127.0.0.1:{port}", "--threads", "2"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            return proc, port
        except OSError:
            time.sleep(0.05)
    proc.kill()
    raise RuntimeError("dsfill serve did not start")


def dsfill_load(path, url, level, dataset, extra=()):
    summary = os.path.join(A.work, "load.json")
    warm(path)
    # --no-checkpoint: each repeat is a new load of the same file (a checkpoint would ask for
    # --resume or --restart), and a benchmark measures the load, not the state it keeps.
    _, wall, cpu, rss = timed([DSFILL, "load", path, "--url", url, "--user-code", "bench",
                               "--dataset-code", dataset, "--level", str(level), "--progress",
                               "never", "--summary-json", summary, "--no-checkpoint", *extra],
                              timeout=1800)
    with open(summary) as f:
        s = json.load(f)
    if s["outcome"] != "ok":
        raise RuntimeError(f"load failed: {s['message']}")
    return {"mbps": s["mb_per_second"], "rows_s": s["rows_per_second"], "wall": s["wall_seconds"],
            "rss": rss, "cpu": cpu, "sent": s["bytes_sent"], "levels": s.get("level_batches"),
            "stages": {x["name"]: x for x in s.get("stages", [])}}


def measure_config(path, codec, level, pinned):
    """Runs the yardstick (deflate alone, one thread) and dsfill bench at every encoder count,
    REPEAT times, interleaved: each ratio's two sides come from the same minute, on one file.
    With `pinned`, also the scaling model's check: dsfill bench --encoders n under taskset to n
    cores; to every core this process may use, that is the unpinned run, which is reused."""
    m = {"base": [], "runs": {e: [] for e in ENCODERS}}
    pin = [n for n in PIN_CORES if n != NCPU] if pinned else []
    if pinned:
        m["pinned"] = {n: m["runs"][n] if n == NCPU else [] for n in PIN_CORES}
    for _ in range(REPEAT):
        m["base"].append(baseline(path, level, codec))
        for e in ENCODERS:
            m["runs"][e].append(dsfill_bench(path, level, e, codec))
        for n in pin:
            m["pinned"][n].append(dsfill_bench(path, level, n, codec, CPUS[:n]))
    return m


def config_name(codec, level):
    return f"{codec} L{level}"


# 1. Encode only on each kind of file, against the single-thread yardstick of the same batches.
files = {kind: generated_file(kind, flags) for kind, flags in KINDS.items()
         if kind == "plain" or "kinds" not in SKIP}
DATA = files["plain"]
DATA_BYTES = os.path.getsize(DATA)
if not codec_available("isal", DATA):
    CONFIGS = [c for c in CONFIGS if c[0] != "isal"]
if "scaling" not in SKIP and not shutil.which("taskset"):
    log("taskset is missing (util-linux): no scaling check")
    SKIP.add("scaling")
kinds = {}
for kind, path in files.items():
    log(f"encode-only on the {kind} file: the yardstick and dsfill bench, encoders {ENCODERS}"
        + (f"; pinned to {PIN_CORES} cores (taskset)" if "scaling" not in SKIP else ""))
    kinds[kind] = {"bytes": os.path.getsize(path), "configs": {}}
    for codec, level in CONFIGS:
        kinds[kind]["configs"][(codec, level)] = measure_config(path, codec, level,
                                                                "scaling" not in SKIP)
PLAIN = kinds["plain"]["configs"]

# Levels 3 and 9 (1 and 6 are above), one run each at 2 encoders: the throughput-vs-level curve.
if "levels" not in SKIP:
    log("encode-only at levels 3 and 9 on each file")
    for kind, path in files.items():
        kinds[kind]["levels"] = {lv: [dsfill_bench(path, lv, 2)] for lv in (3, 9)}

# The settings the sections below compare with, on the plain file.
log("encode-only defaults and ISA-L level 0 on the plain file")
enc = {lv: PLAIN[("libdeflate", lv)] for lv in (1, 6)}
for lv in kinds["plain"].get("levels", {}):
    enc[lv] = {"runs": {2: kinds["plain"]["levels"][lv]}}
# The defaults (--level auto: with no network it runs at the fastest level).
enc["auto"] = {"runs": {2: [dsfill_bench(DATA, "auto", 2, "auto") for _ in range(REPEAT)]}}
enc["auto-libdeflate"] = {"runs": {2: [dsfill_bench(DATA, "auto", 2) for _ in range(REPEAT)]}}
isal0 = None
if ("isal", 1) in PLAIN:
    isal0 = {"base": [baseline(DATA, 0, "isal")], "runs": {2: [dsfill_bench(DATA, 0, 2, "isal")]}}

# 2. End to end against dsfill serve --discard on loopback.
e2e = {}
e2e_tiny = None
if "e2e" not in SKIP:
    log("end to end against dsfill serve --discard")
    server, port = start_server()
    try:
        for level in (1, 6, "auto"):
            e2e[level] = [dsfill_load(DATA, f"http://127.0.0.1:{port}", level, f"e2e{level}-{i}")
                          for i in range(REPEAT)]
        # A load and a bench of one batch: what a load costs beyond bench whatever its size
        # (start, connections, /dataset-complete), taken out of the send cost's estimate.
        tiny = ["--limit", "1000"]
        e2e_tiny = {"load": [dsfill_load(DATA, f"http://127.0.0.1:{port}", 1, f"e2e-tiny-{i}", tiny)
                             for i in range(REPEAT)],
                    "bench": [dsfill_bench(DATA, 1, 2, extra=tiny) for _ in range(REPEAT)]}
    finally:
        server.terminate()
        server.wait()

# 3. The documentation's Python sample approach on the same file.
py = None
if "python" not in SKIP:
    log("the Python sample approach (csv -> json.dumps -> gzip 9 -> base64, whole file)")
    script = ("import base64,csv,gzip,json,sys\n"
              "with open(sys.argv[1], newline='', encoding='utf-8') as f:\n"
              "    rows = list(csv.reader(f))[1:]\n"
              "data = base64.b64encode(gzip.compress(json.dumps(rows).encode(), 9))\n"
              "print(len(rows), len(data))\n")
    out, wall, cpu, rss = timed([sys.executable, "-c", script, DATA])
    py = {"wall": wall, "rss": rss, "cpu": cpu, "mbps": DATA_BYTES / wall / 1e6}

# 4. The shell pipeline of the same work, at dsfill's default level (6).
shell = None
tools = all(shutil.which(t) for t in ("pigz", "parallel", "curl"))
if "shell" not in SKIP and tools:
    log("the shell pipeline (parallel + python csv->json + pigz -6 + base64 + curl)")
    server, port = start_server()
    cols = json.dumps([{"name": c, "alias": c, "type": "dimension", "subtype": "text"} for c in COLUMNS])
    prefix = json.dumps({"user-code": "bench", "dataset-code": "shell", "columns": json.loads(cols)})[:-1]
    with open(os.path.join(A.work, "prefix.txt"), "w") as f:
        f.write(prefix + ', "insert-data": "')
    chunk_sh = os.path.join(A.work, "chunk.sh")
    with open(chunk_sh, "w") as f:
        f.write("set -o pipefail\n"
                "python3 -c 'import csv,json,sys; print(json.dumps(list(csv.reader(sys.stdin))))' "
                "| pigz -6 -c | base64 -w0 "
                f"| {{ cat {A.work}/prefix.txt; cat; printf '\", \"append\": true, \"compressed\": true}}'; }} "
                "| curl -sf -H 'Content-Type: application/json' --data-binary @- "
                f"http://127.0.0.1:{port}/dataset-fill >/dev/null\n")
    pipeline = f"tail -n +2 {DATA} | parallel --pipe -j2 --block 8M --halt now,fail=1 bash {chunk_sh}"
    try:
        _, wall, cpu, rss = timed(["bash", "-o", "pipefail", "-c", pipeline], timeout=3600)
        shell = {"wall": wall, "rss": rss, "mbps": DATA_BYTES / wall / 1e6}
    except RuntimeError as e:
        log(f"shell pipeline failed: {e}")
    finally:
        server.terminate()
        server.wait()

# 5. Peak RSS with default settings against file size.
rss_rows = []
if "rss" not in SKIP:
    sizes = os.environ.get("RSS_SIZES", "").split()
    paths = [(A.size_label, DATA)]
    if not sizes:
        big = DATA_BYTES * 10
        sizes = [str(big)]
    for label in sizes:
        if label == A.size_label:
            continue
        path = os.path.join(A.work, f"rss_{label}.csv")
        subprocess.run([os.path.join(A.repo, "scripts", "gen_big_csv.sh"), label, path], check=True)
        paths.append((label, path))
    for label, path in paths:
        log(f"peak RSS at default settings on {os.path.getsize(path)} bytes")
        _, wall, cpu, rss = timed([DSFILL, "bench", path])
        rss_rows.append({"bytes": os.path.getsize(path), "rss": rss, "wall": wall})
        if path != DATA:
            os.remove(path)

# 6. --level auto against fixed levels over a bandwidth-limited link.
auto = {}
if "auto" not in SKIP:
    small = os.path.join(A.work, "auto.csv")
    limit = min(DATA_BYTES, 100_000_000)
    with open(DATA, "rb") as src, open(small, "wb") as dst:
        block = src.read(limit)
        dst.write(block[: block.rfind(b"\n") + 1])
    # A link is RATE, or RATE>RATE2@SECONDS: RATE, then RATE2 from SECONDS after the first byte.
    for link in os.environ.get("AUTO_RATES", "8MB 25MB 8MB>40MB@3").split():
        rate, _, rest = link.partition(">")
        then, _, after = rest.partition("@")
        log(f"--level auto vs fixed levels through a {link} link")
        server, port = start_server()
        cmd = [sys.executable, os.path.join(A.repo, "bench", "throttle_proxy.py"), "--listen", "0",
               "--upstream", str(port), "--rate", rate, "--max-seconds", "1800"]
        if then:
            cmd += ["--then", then, "--after", after or "0"]
        try:
            auto[link] = {}
            for level in AUTO_LEVELS:
                # A fresh proxy per run, so that a speed-up starts at each load's first byte.
                proxy = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
                pport = int(proxy.stdout.readline().split()[1])
                try:
                    one_backend = level == "auto-libdeflate"
                    auto[link][level] = dsfill_load(
                        small, f"http://127.0.0.1:{pport}", "auto" if one_backend else level,
                        f"auto-{level}", ["--codec", "libdeflate"] if one_backend else [])
                finally:
                    proxy.terminate()
                    proxy.wait()
        finally:
            server.terminate()
            server.wait()
    auto_bytes = os.path.getsize(small)
    os.remove(small)


def send_cost_per_body_mb():
    """Estimates the sender's CPU seconds per MB of request body, or None without end-to-end
    runs: a load's CPU time (the dsfill process alone, not the server) minus dsfill bench's at the
    same level on the same file (the same reading and encoding, nothing sent), less the same
    difference for one batch (what a load adds whatever its size), over the body bytes sent
    beyond that batch's. It still counts what else a load does per request (answers, acks), so
    it is an upper bound of sending alone."""
    if not e2e_tiny:
        return None
    fixed = median(e2e_tiny["load"], "cpu") - median(e2e_tiny["bench"], "cpu")
    per_mb = []
    for level in (1, 6):
        extra = median(e2e[level], "cpu") - median(enc[level]["runs"][2], "cpu") - fixed
        body_mb = (median(e2e[level], "sent") - median(e2e_tiny["load"], "sent")) / 1e6
        per_mb.append(max(0.0, extra) / body_mb)
    return statistics.median(per_mb)


def costs_of(kind, config, send_per_body_mb=None):
    """Returns the stage costs (s per MB of CSV) of one file and setting from the yardstick's
    medians, plus sending its bodies (body bytes per CSV byte from dsfill bench) when that is
    known. Read + cut and CSV -> JSON are the same work at every codec and level, so they are
    the medians over all of the file's yardstick runs: one noisy run moves the serial cost less."""
    k = kinds[kind]
    m = k["configs"][config]
    every = [b for c in k["configs"].values() for b in c["base"]]
    base = {"cut_mb_s": median(every, "cut_mb_s"), "transcode_mb_s": median(every, "transcode_mb_s"),
            "deflate_mb_s": median(m["base"], "deflate_mb_s"), "base64_mb_s": median(m["base"], "base64_mb_s")}
    send = 0.0 if send_per_body_mb is None else send_per_body_mb / median(m["runs"][2], "ratio")
    return scaling_model.stage_costs(base, send)


def report_header(L):
    sizes = ", ".join(f"{kind} `{' '.join(['--size', A.size_label, *KINDS[kind]])}` "
                      f"({k['bytes'] / 1e6:.0f} MB, {k['configs'][CONFIGS[0]]['base'][0]['rows']:,} rows)"
                      for kind, k in kinds.items())
    L.append("# Benchmarks\n")
    L.append(f"Generated by `scripts/bench-compare.sh {A.size_label}` on {time.strftime('%Y-%m-%d')} "
             f"on {cpu_model()}, {NCPU} cores"
             + (f", SIMD kernels: transcoder {KERNELS['transcoder']}, boundary {KERNELS['boundary']}, "
                f"base64 {KERNELS['base64']}" if KERNELS else "")
             + f". Files from `scripts/gen_csv.py`: {sizes}. "
             + (f"Medians of {REPEAT} runs, with (min-max).\n" if REPEAT > 1 else "One run each.\n"))
    L.append("MB/s are CSV megabytes per second of wall time. The yardstick is `bench_baseline`: "
             "the same batches, deflate alone on one thread, timed in CPU seconds, measured on the "
             "same file in the same minute as each dsfill run beside it, so `ratio` = dsfill's rate "
             "/ (encoders x that rate) says how close the encoders come to the compressor's limit.\n")


def report_kinds(L):
    L.append("## Encode only (`dsfill bench`) on four kinds of file\n")
    L.append("| file | codec | level | deflate alone MB/s (1 thread) | dsfill 1 encoder MB/s | ratio "
             "| dsfill 2 encoders MB/s | ratio | target (issue 20) | compression |")
    L.append("|---|---|---|---|---|---|---|---|---|---|")
    for kind, k in kinds.items():
        for (codec, level), m in k["configs"].items():
            deflate = [b["deflate_mb_s"] for b in m["base"]]
            cells = []
            for e in (1, 2):
                # Each run against the yardstick of its own repeat: the same minute's machine.
                ratios = [r["mbps"] / (e * d) for r, d in zip(m["runs"][e], deflate)]
                cells += [spread([r["mbps"] for r in m["runs"][e]]), spread(ratios, 2)]
            ratio2 = statistics.median(r["mbps"] / (2 * d) for r, d in zip(m["runs"][2], deflate))
            target = TARGETS[(codec, level)]
            L.append(f"| {kind} | {codec} | {level} | {spread(deflate)} | {' | '.join(cells)} | "
                     f">= {target:.2f}: {'met' if ratio2 >= target else 'not met'} | "
                     f"{m['runs'][2][0]['ratio']:.2f} |")
    L.append("\nCompression is CSV bytes / request-body bytes (gzip, then base64, in JSON).\n")
    more = [e for e in ENCODERS if e > 2]
    if more:
        L.append("More encoders (ratio to encoders x deflate alone):\n")
        L.append("| file | codec | level | " + " | ".join(f"{e} encoders MB/s | ratio" for e in more) + " |")
        L.append("|---|---|---|" + "---|---|" * len(more))
        for kind, k in kinds.items():
            for (codec, level), m in k["configs"].items():
                deflate = [b["deflate_mb_s"] for b in m["base"]]
                L.append(f"| {kind} | {codec} | {level} | " + " | ".join(
                    f"{spread([r['mbps'] for r in m['runs'][e]])} | "
                    f"{spread([r['mbps'] / (e * d) for r, d in zip(m['runs'][e], deflate)], 2)}"
                    for e in more) + " |")
        L.append("")


def report_stages(L):
    L.append("Each stage alone on one thread (`bench_baseline`, MB/s of CSV per CPU second, "
             "median), beside the reader stage inside dsfill (`dsfill bench --encoders 1`, its "
             "summary's busy time: wall time while cutting, so it includes waiting for a core):\n")
    L.append("| file | codec | level | read + cut | CSV -> JSON | deflate | base64 | dsfill reader stage |")
    L.append("|---|---|---|---|---|---|---|---|")
    rows = [(kind, c, m) for kind, k in kinds.items() for c, m in k["configs"].items()]
    if isal0:
        rows.insert(len(CONFIGS), ("plain", ("isal", 0), isal0))
    for kind, (codec, level), m in rows:
        b = m["base"]
        reader = [r["stages"]["reader"]["mb_per_second"] for r in m["runs"].get(1, [])
                  if "reader" in r["stages"]]
        L.append(f"| {kind} | {codec} | {level} | {median(b, 'cut_mb_s'):.0f} | "
                 f"{median(b, 'transcode_mb_s'):.0f} | {median(b, 'deflate_mb_s'):.1f} | "
                 f"{median(b, 'base64_mb_s'):.0f} | "
                 + (f"{statistics.median(reader):.0f} |" if reader else "|"))
    L.append("")


def report_send(L, send):
    """States how the send cost was found, or why it is missing."""
    if send is None:
        L.append("Send: unknown in this run (no end-to-end part), so the costs below are encode "
                 "only.\n")
        return
    sender = [r["stages"]["sender"] for r in e2e.get(1, []) if "sender" in r["stages"]]
    inflight = (f" The load summary's sender stage reports {statistics.median(x['busy_seconds'] for x in sender) / (DATA_BYTES / 1e6) * 1e3:.2f} ms "
                "per MB of CSV at level 1 as busy, but that is the time requests were in flight "
                "(summed over the connections), which includes the server's work on the same "
                "cores, not the sender's CPU, so it is not used." if sender else "")
    L.append(f"Send: {send * 1e3:.3f} ms of CPU per MB of request body, from the end-to-end runs "
             "on the plain file: `dsfill load`'s CPU time (the client process alone, not the "
             "server) minus `dsfill bench`'s at the same level, less the same difference for a "
             "one-batch file (`--limit 1000`: starting, connecting, completing), over the body bytes "
             "sent (median over levels 1 and 6). It still counts what else a load does per "
             "request (reading answers, acks), so it is an upper bound of sending alone; per MB of "
             "CSV it is scaled by each setting's body/CSV size, and it runs on the sender's one "
             "I/O thread, a serial stage."
             + inflight + "\n")


def cores_label(n):
    return f"{n} core{'s' if n > 1 else ''}"


def report_costs(L, send):
    """The table of stage costs and serial fractions; the send columns only when it is known."""
    stages = ("cut", "transcode", "deflate", "base64") + (("send",) if send is not None else ())
    L.append("CPU milliseconds per MB of CSV (`bench_baseline`, one thread; read + cut is the "
             "reader's `Chunker::next`, which reads and cuts in one call, so the two are not "
             "apart; it and CSV -> JSON, the same work at every codec and level, are the medians "
             "over all of a file's runs), and the serial fraction s (the slowest serial stage / "
             "all stages):\n")
    head = (["read + cut", "CSV -> JSON", "deflate", "base64"] + (["send"] if send is not None else [])
            + ["total", "s, encode only"] + (["s, with send"] if send is not None else []))
    L.append("| file | codec | level | " + " | ".join(head) + " |")
    L.append("|---|---|---|" + "---|" * len(head))
    for kind, k in kinds.items():
        for (codec, level), m in k["configs"].items():
            c = costs_of(kind, (codec, level), send)
            cells = [f"{c[x] * 1e3:.3f}" for x in stages] + [f"{scaling_model.total(c) * 1e3:.3f}",
                                                            f"{scaling_model.serial_fraction(dict(c, send=0.0)):.3f}"]
            if send is not None:
                cells.append(f"{scaling_model.serial_fraction(c):.3f}")
            L.append(f"| {kind} | {codec} | {level} | " + " | ".join(cells) + " |")
    L.append("")


def report_predictions(L, send):
    """The predicted rates per core count, beside the pinned runs that check them."""
    measured = PIN_CORES if "scaling" not in SKIP else []
    text = "Predicted encode-only MB/s on n cores"
    if measured:
        text += (", and measured: `dsfill bench --encoders n` under `taskset` to the first n cores "
                 "(median MB/s, and measured / predicted)")
        if NCPU in measured:
            text += f"; {cores_label(NCPU)} are all of them here, so that column is the unpinned run's"
    if send is not None:
        text += "; the last two columns add sending, a second serial stage"
    L.append(text + ":\n")
    head = ([cores_label(n) for n in scaling_model.CORES] + ["16 / 1"] +
            [f"measured, {cores_label(n)}" for n in measured] +
            (["16 cores with send", "16 / 1 with send"] if send is not None else []))
    L.append("| file | codec | level | " + " | ".join(head) + " |")
    L.append("|---|---|---|" + "---|" * len(head))
    for kind, k in kinds.items():
        for (codec, level), m in k["configs"].items():
            c = costs_of(kind, (codec, level))
            p = {n: scaling_model.predict(c, n) for n in scaling_model.CORES}
            cells = [f"{p[n]:.0f}" for n in scaling_model.CORES] + [f"{p[16] / p[1]:.1f}x"]
            for n in measured:
                got = median(m["pinned"][n], "mbps")
                cells.append(f"{got:.0f} ({got / p[n]:.2f})")
            if send is not None:
                cs = costs_of(kind, (codec, level), send)
                with_send = [scaling_model.predict(cs, n) for n in (1, 16)]
                cells += [f"{with_send[1]:.0f}", f"{with_send[1] / with_send[0]:.1f}x"]
            L.append(f"| {kind} | {codec} | {level} | " + " | ".join(cells) + " |")
    L.append("")


def report_scaling(L, send):
    L.append("## Scaling: CPU cost per stage, and the throughput it predicts\n")
    L.append(scaling_model.EXPLANATION + "\n")
    report_send(L, send)
    report_costs(L, send)
    report_predictions(L, send)
    isal = [(kind, costs_of(kind, ("isal", 1))) for kind, k in kinds.items()
            if ("isal", 1) in k["configs"]]
    if isal:
        ratios = ", ".join(f"{kind} {scaling_model.predict(c, 16) / scaling_model.predict(c, 1):.1f}x"
                           for kind, c in isal)
        L.append(f"Predicted 16-core / 1-core rate at ISA-L level 1, encode only (issue 20 wants "
                 f">= 10x): {ratios}.\n")


def report_plain_settings(L):
    """The plain file's every setting: the levels between, the defaults, ISA-L level 0."""
    L.append("## Encode only on the plain file, every setting\n")
    L.append("| codec | level | encoders | MB/s | rows/s | peak RSS MiB | ratio to encoders x deflate "
             "| deflate share of CPU | compression |")
    L.append("|---|---|---|---|---|---|---|---|---|")
    # The deflate share of CPU (deflate's CPU seconds / dsfill's) does not count time other
    # processes took from dsfill, as wall-time ratios do on a shared machine.
    timed_rows = [(c, l, m) for (c, l), m in PLAIN.items()]
    if isal0:
        timed_rows.append(("isal", 0, isal0))
    for codec, level, m in timed_rows:
        dsec = median(m["base"], "deflate_seconds")
        drate = median(m["base"], "deflate_mb_s")
        for e in sorted(m["runs"]):
            r = m["runs"][e]
            mbps = [x["mbps"] for x in r]
            L.append(f"| {codec} | {level} | {e} | {spread(mbps)} | {median(r, 'rows_s'):,.0f} | "
                     f"{max(x['rss'] for x in r):.0f} | {spread([x / (e * drate) for x in mbps], 2)} | "
                     f"{spread([100 * dsec / x['cpu'] for x in r])}% | {r[0]['ratio']:.2f} |")
    for key, codec, level in [(3, "libdeflate", 3), (9, "libdeflate", 9),
                              ("auto", "auto (both)", "auto (the default)"),
                              ("auto-libdeflate", "libdeflate", "auto (the default)")]:
        if key in enc:
            r = enc[key]["runs"][2]
            L.append(f"| {codec} | {level} | 2 | {spread([x['mbps'] for x in r])} | "
                     f"{median(r, 'rows_s'):,.0f} | {max(x['rss'] for x in r):.0f} | | | {r[0]['ratio']:.2f} |")
    L.append("")


# The report.
L = []
mb = DATA_BYTES / 1e6
SEND = send_cost_per_body_mb()
report_header(L)
report_kinds(L)
report_stages(L)
report_scaling(L, SEND)
report_plain_settings(L)
if e2e:
    L.append("## End to end (`dsfill load` -> `dsfill serve --discard` on 127.0.0.1)\n")
    L.append("| level | MB/s | rows/s | peak RSS MiB | ratio to encode-only |")
    L.append("|---|---|---|---|---|")
    for level, r in e2e.items():
        m = [x["mbps"] for x in r]
        eo = statistics.median(x["mbps"] for x in enc[level]["runs"][2])
        mix = (r[0].get("levels") or {}) if level == "auto" else {}
        if mix:
            level = "auto (" + ", ".join(f"{k}: {v}" for k, v in mix.items()) + ")"
        L.append(f"| {level} | {spread(m)} | {statistics.median(x['rows_s'] for x in r):,.0f} | "
                 f"{max(x['rss'] for x in r):.0f} | {statistics.median(m) / eo:.2f} |")
    L.append("\nThe server shares the 2 cores (it gunzips and validates every row), so end to end "
             "measures both programs at once.\n")
if py or shell:
    L.append("## Against the baselines (whole file)\n")
    L.append("| approach | wall s | MB/s | peak RSS MiB | compared with dsfill |")
    L.append("|---|---|---|---|---|")

    def row(name, runs):
        w = statistics.median(x["wall"] for x in runs)
        r = max(x["rss"] for x in runs)
        L.append(f"| {name} | {w:.2f} | {mb / w:.1f} | {r:.0f} | |")
        return w, r
    bw = br = dw = drss = w6 = None
    if enc.get("auto"):
        bw, br = row("dsfill bench, defaults (encode only, no upload: the Python sample's work)",
                     enc["auto"]["runs"][2])
    if e2e.get("auto"):
        dw, drss = row("dsfill load, defaults, to `serve --discard` (end to end)", e2e["auto"])
    if e2e.get(6):
        w6, _ = row("dsfill load --level 6, to `serve --discard` (the shell pipeline's level)", e2e[6])
    if py:
        cmp = []
        if bw:
            cmp.append(f"encode only: dsfill {py['wall'] / bw:.0f}x faster, {py['rss'] / br:.0f}x less memory")
        if dw:
            cmp.append(f"with the upload: {py['wall'] / dw:.0f}x faster, {py['rss'] / drss:.0f}x less memory")
        L.append(f"| Python sample (csv, json.dumps, gzip 9, base64; no upload) | {py['wall']:.1f} | "
                 f"{py['mbps']:.1f} | {py['rss']:.0f} | {'; '.join(cmp)} |")
    if shell:
        L.append(f"| shell: parallel -j2 + python csv->json + pigz -6 + base64 + curl | {shell['wall']:.1f} | "
                 f"{shell['mbps']:.1f} | {shell['rss']:.0f} | "
                 + (f"dsfill --level 6 {shell['wall'] / w6:.1f}x faster |" if w6 else "|"))
    L.append("")
if rss_rows:
    L.append("## Peak RSS against file size (`dsfill bench`, default settings)\n")
    L.append("| file MB | peak RSS MiB |")
    L.append("|---|---|")
    for r in rss_rows:
        L.append(f"| {r['bytes'] / 1e6:.0f} | {r['rss']:.0f} |")
    if len(rss_rows) > 1:
        L.append(f"\nLargest / smallest: {max(r['rss'] for r in rss_rows) / min(r['rss'] for r in rss_rows):.3f}.\n")
if auto:
    L.append(f"## `--level auto` over a bandwidth-limited link ({auto_bytes / 1e6:.0f} MB file)\n")
    L.append("`bench/throttle_proxy.py` carries client->server bytes at the given rate (one token "
             "bucket for all connections); `8MB>40MB@3` is a link that carries 8 MB/s and then "
             "40 MB/s from 3 s after the first byte. `dsfill serve --discard` answers; proxy, "
             "server and loader share the 2 cores. Total wall seconds of one run each (best in "
             "bold); expect a few percent between repeated runs, most on the changing link:\n")
    fixed = [x for x in AUTO_LEVELS if not x.startswith("auto")]
    L.append("| link | " + " | ".join(f"level {x}" for x in AUTO_LEVELS) +
             " | auto faster than the best fixed level by | auto's level mix (batches) |")
    L.append("|---|" + "---|" * (len(AUTO_LEVELS) + 2))
    for link, r in auto.items():
        best = min(fixed, key=lambda x: r[x]["wall"])
        fastest = min(r[x]["wall"] for x in AUTO_LEVELS)
        mix = ", ".join(f"{k}: {v}" for k, v in (r["auto"]["levels"] or {}).items())
        gain = (r[best]["wall"] - r["auto"]["wall"]) / r[best]["wall"] * 100
        L.append(f"| {link} | " + " | ".join(
            f"**{r[x]['wall']:.2f}**" if r[x]["wall"] == fastest else f"{r[x]['wall']:.2f}"
            for x in AUTO_LEVELS) + f" | {gain:+.1f}% vs level {best} | {mix} |")
    # Which level suits depends on the link, which a user rarely knows in advance: summed over
    # the links, each fixed level pays for the links it does not suit.
    totals = {x: sum(r[x]["wall"] for r in auto.values()) for x in AUTO_LEVELS}
    fastest = min(totals.values())
    L.append("| **all links** | " + " | ".join(
        f"**{totals[x]:.2f}**" if totals[x] == fastest else f"{totals[x]:.2f}" for x in AUTO_LEVELS) +
        f" | {(min(totals[x] for x in fixed) - totals['auto']) / min(totals[x] for x in fixed) * 100:+.1f}%"
        f" vs level {min(fixed, key=lambda x: totals[x])} | |")
    L.append("")
# Plots (optional).
plots = []
LINE, DASHED, POINTS = "linespoints lw 2 pt 7", "lines dt 2 lw 2", "points pt 7 ps 1.5"


def gnuplot(name, title, cmds):
    subprocess.run(["gnuplot", "-e", "; ".join(cmds)], check=True)
    plots.append((name, title))


def plot(name, title, xlabel, ylabel, series, extra=(), size="720,420"):
    """Draws one line per series: (label, points) or (label, points, style), a style being
    gnuplot's `with` clause (a shared `lc N` pairs a measured line with its yardstick)."""
    dat = os.path.join(A.work, name + ".dat")
    with open(dat, "w") as f:
        for label, pts, *_ in series:
            f.write(f'"{label}"\n')
            for x, y in pts:
                f.write(f"{x} {y}\n")
            f.write("\n\n")
    png = os.path.join(os.path.dirname(A.out), name + ".png")
    styles = [s[2] if len(s) > 2 else LINE for s in series]
    gnuplot(name, title, [
        f"set terminal pngcairo size {size}", f"set output '{png}'", f"set title '{title}'",
        f"set xlabel '{xlabel}'", f"set ylabel '{ylabel}'", "set grid", "set key left top",
        "set yrange [0:*]", *extra,
        "plot " + ", ".join(f"'{dat}' index {i} with {style} title columnheader(1)"
                            for i, style in enumerate(styles))])


def bars(name, title, ylabel, categories, series):
    """Draws a clustered bar chart: one cluster per category, one bar per series, each series a
    (label, values, fill) with gnuplot fill and colour clauses ("fs solid 0.3 lc 1")."""
    dat = os.path.join(A.work, name + ".dat")
    with open(dat, "w") as f:
        f.write("category " + " ".join(f'"{label}"' for label, _, _ in series) + "\n")
        for i, cat in enumerate(categories):
            f.write(f'"{cat}" ' + " ".join(f"{values[i]}" for _, values, _ in series) + "\n")
    png = os.path.join(os.path.dirname(A.out), name + ".png")
    gnuplot(name, title, [
        "set terminal pngcairo size 760,520", f"set output '{png}'", f"set title '{title}'",
        f"set ylabel '{ylabel}'", "set grid ytics", "set key below maxcols 2",
        "set yrange [0:*]", "set style data histogram", "set style histogram cluster gap 1",
        "set boxwidth 0.9",
        "plot " + ", ".join(f"'{dat}' using {i + 2}{':xtic(1)' if i == 0 else ''} {fill} "
                            f"title columnheader({i + 2})" for i, (_, _, fill) in enumerate(series))])


def plot_encoders():
    series = []
    for i, ((codec, level), m) in enumerate(PLAIN.items(), start=1):
        deflate = median(m["base"], "deflate_mb_s")
        series.append((f"dsfill, {config_name(codec, level)}",
                       [(e, median(m["runs"][e], "mbps")) for e in ENCODERS], f"{LINE} lc {i}"))
        series.append((f"encoders x deflate alone, {config_name(codec, level)}",
                       [(e, e * deflate) for e in ENCODERS], f"{DASHED} lc {i}"))
    plot("bench_encoders", "Encode-only throughput vs encoder threads (plain file)", "encoders",
         "MB/s of CSV", series, [f"set xtics ({', '.join(map(str, ENCODERS))})",
                                 "set offsets graph 0.05, graph 0.05, 0, 0", "set key below"],
         size="720,520")


def plot_levels():
    def point(k, lv):
        runs = k["levels"][lv] if lv in k["levels"] else k["configs"][("libdeflate", lv)]["runs"][2]
        return lv, median(runs, "mbps")
    plot("bench_levels", "Encode-only throughput vs libdeflate level (2 encoders)", "level",
         "MB/s of CSV", [(kind, [point(k, lv) for lv in (1, 3, 6, 9)]) for kind, k in kinds.items()],
         ["set xtics (1, 3, 6, 9)", "set key right top"])


def plot_kinds():
    series = []
    for i, (codec, level) in enumerate(CONFIGS, start=1):
        name = config_name(codec, level)
        series.append((f"dsfill 2 encoders, {name}",
                       [median(k["configs"][(codec, level)]["runs"][2], "mbps") for k in kinds.values()],
                       f"fs solid 0.9 lc {i}"))
        series.append((f"2 x deflate alone, {name}",
                       [2 * median(k["configs"][(codec, level)]["base"], "deflate_mb_s") for k in kinds.values()],
                       f"fs pattern 4 lc {i}"))
    bars("bench_kinds", "Encode-only throughput vs file kind", "MB/s of CSV", list(kinds), series)


def plot_scaling():
    series = []
    cores = scaling_model.CORES
    for i, ((codec, level), m) in enumerate(PLAIN.items(), start=1):
        c = costs_of("plain", (codec, level))
        series.append((f"predicted, {config_name(codec, level)}",
                       [(n, scaling_model.predict(c, n)) for n in cores], f"{DASHED} lc {i}"))
        if "pinned" in m:
            series.append((f"measured (taskset), {config_name(codec, level)}",
                           [(n, median(runs, "mbps")) for n, runs in m["pinned"].items()],
                           f"{POINTS} lc {i}"))
    plot("bench_scaling", "Encode-only throughput vs cores: the model and the check (plain file)",
         "cores", "MB/s of CSV", series,
         # Log-log: a rate that scales with the cores is a straight line; a cap, a flat one.
         ["set logscale xy 2", f"set xtics ({', '.join(map(str, cores))})", "set xrange [0.8:20]",
          "set yrange [*:*]", "set key right bottom"])


if shutil.which("gnuplot") and not os.environ.get("NO_PLOTS"):
    plot_encoders()
    if all("levels" in k for k in kinds.values()):
        plot_levels()
    plot_kinds()
    plot_scaling()
    if rss_rows:
        plot("bench_rss", "Peak RSS vs file size (defaults)", "file size (MB)", "peak RSS (MiB)",
             [("dsfill bench", [(r["bytes"] / 1e6, r["rss"]) for r in rss_rows])])
    if auto:
        fixed = [x for x in AUTO_LEVELS if not x.startswith("auto")]
        plot("bench_auto", "Total time over a limited link: each fixed level, and auto (flat line)",
             "fixed gzip level", "wall seconds",
             # gnuplot's enhanced text would eat the '@' of "8MB>40MB@3".
             [(f"{link.replace('@', ' after ')}s fixed" if "@" in link else f"{link} fixed",
               [(int(x), r[x]["wall"]) for x in fixed]) for link, r in auto.items()] +
             [(f"{link.replace('@', ' after ')}s auto" if "@" in link else f"{link} auto",
               [(int(x), r["auto"]["wall"]) for x in (fixed[0], fixed[-1])])
              for link, r in auto.items()])
if plots:
    L.append("## Plots\n")
    for name, title in plots:
        L.append(f"![{title}]({name}.png)\n")

L.append("## Measured elsewhere\n")
L.append("- What the client-data checks cost (checked path, columns by name, `--validate-first`): "
         "[benchmarks-client-data.md](benchmarks-client-data.md), from `scripts/bench-client-data.sh`.")
L.append("- Decompression rate per input codec: [benchmarks-decompression.md](benchmarks-decompression.md), "
         "from `bench_decompress`.")
L.append("- Where the time goes, and what was tried: the profile notes below "
         "(bench/profile_notes.md).\n")

notes = os.path.join(A.repo, "bench", "profile_notes.md")
if os.path.exists(notes):
    with open(notes) as f:
        L.append(f.read())

with open(A.out, "w") as f:
    f.write("\n".join(L) + "\n")
with open(os.path.join(A.work, "results.json"), "w") as f:
    # Keys that are (codec, level) pairs become "codec Llevel" strings for JSON.
    def keyed(d):
        return {config_name(*k) if isinstance(k, tuple) else str(k): v for k, v in d.items()}
    json.dump({"kinds": {kind: dict(k, configs=keyed(k["configs"])) for kind, k in kinds.items()},
               "enc": {str(k): v for k, v in enc.items() if not isinstance(k, int) or k in (3, 9)},
               "isal0": isal0, "send_s_per_body_mb": SEND, "e2e": e2e, "e2e_tiny": e2e_tiny, "python": py,
               "shell": shell, "rss": rss_rows, "auto": auto}, f, indent=1, default=str)
print("\n".join(L))
log(f"wrote {A.out}")
