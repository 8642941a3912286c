#!/usr/bin/env python3
"""The body of scripts/bench-compare.sh (see there for usage and environment)."""
import argparse
import json
import os
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time

P = argparse.ArgumentParser()
P.add_argument("--data", required=True)
P.add_argument("--size-label", required=True)
P.add_argument("--repo", required=True)
P.add_argument("--build", required=True)
P.add_argument("--work", required=True)
P.add_argument("--out", required=True)
A = P.parse_args()

DSFILL = os.path.join(A.build, "dsfill")
BASELINE = os.path.join(A.build, "bench", "bench_baseline")
REPEAT = int(os.environ.get("REPEAT", "3"))
SKIP = set(os.environ.get("SKIP", "").split())
DATA_BYTES = os.path.getsize(A.data)
# "auto" is the default (--codec auto: one scale over ISA-L and libdeflate); "auto-libdeflate" is
# --level auto over libdeflate's levels alone, the yardstick for what walking both adds.
AUTO_LEVELS = ["1", "2", "3", "4", "5", "6", "7", "8", "9", "12", "auto", "auto-libdeflate"]
COLUMNS = ["RowId", "InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate",
           "UnitPrice", "CustomerID", "Country"]


def log(msg):
    print(f"bench-compare: {msg}", file=sys.stderr, flush=True)


def timed(cmd, **kw):
    """Runs cmd under /usr/bin/time -v; returns (stdout, wall s, cpu s, peak RSS MiB)."""
    with tempfile.NamedTemporaryFile("r", suffix=".time") as tf:
        t0 = time.monotonic()
        proc = subprocess.run(["/usr/bin/time", "-v", "-o", tf.name, *cmd], capture_output=True,
                              text=True, **kw)
        wall = time.monotonic() - t0
        stats = {}
        for line in tf.read().splitlines():
            key, _, value = line.strip().rpartition(": ")
            stats[key] = value
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd[0]} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    cpu = float(stats.get("User time (seconds)", 0)) + float(stats.get("System time (seconds)", 0))
    rss = int(stats.get("Maximum resident set size (kbytes)", 0)) / 1024
    return proc.stdout, wall, cpu, rss


def warm(path):
    """Reads `path` once so the next run finds it in the page cache. Some virtual machines' hosts
    reclaim a guest's cached file pages within seconds (bench/profile_notes.md, round 5): a run
    that found the file gone from the cache would measure the disk, not dsfill."""
    with open(path, "rb") as f:
        while f.read(1 << 20):
            pass


KERNELS = {}  # the SIMD kernels dsfill bench reports it ran


def dsfill_bench(path, level, encoders, codec="libdeflate"):
    summary = os.path.join(A.work, "summary.json")
    warm(path)
    _, wall, cpu, rss = timed([DSFILL, "bench", path, "--encoders", str(encoders), "--level",
                               str(level), "--codec", codec, "--summary-json", summary])
    with open(summary) as f:
        s = json.load(f)
    KERNELS.update(s.get("kernels", {}))
    return {"mbps": s["mb_per_second"], "rows_s": s["rows_per_second"], "cpu": cpu, "rss": rss,
            "wall": s["wall_seconds"], "ratio": s["compression_ratio"], "levels": s.get("level_batches")}


def baseline(level, codec="libdeflate"):
    warm(A.data)
    out, _, _, _ = timed([BASELINE, A.data, "--level", str(level), "--codec", codec])
    return json.loads(out)


def spread(values, digits=1):
    return (f"{statistics.median(values):.{digits}f} "
            f"({min(values):.{digits}f}-{max(values):.{digits}f})")


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
            "rss": rss, "cpu": cpu, "sent": s["bytes_sent"], "levels": s.get("level_batches")}


results = {"size": DATA_BYTES, "cores": os.cpu_count()}
rows_total = None

# 1. Encode only, against the single-thread yardstick (CPU time of deflate alone).
log("encode-only and the single-thread libdeflate yardstick")
enc = {}
for level in (1, 6):
    base = [baseline(level) for _ in range(REPEAT)]
    runs = {e: [dsfill_bench(A.data, level, e) for _ in range(REPEAT)] for e in (1, 2)}
    rows_total = base[0]["rows"]
    enc[level] = {"base": base, "runs": runs}
for level in (3, 9):
    enc[level] = {"runs": {2: [dsfill_bench(A.data, level, 2)]}}
# The defaults (--level auto: with no network it runs at the fastest level).
enc["auto"] = {"runs": {2: [dsfill_bench(A.data, "auto", 2, "auto") for _ in range(REPEAT)]}}
enc["auto-libdeflate"] = {"runs": {2: [dsfill_bench(A.data, "auto", 2) for _ in range(REPEAT)]}}
isal = None
try:
    isal = {"base": baseline(1, "isal"), "runs": [dsfill_bench(A.data, 1, 2, "isal") for _ in range(REPEAT)],
            "base0": baseline(0, "isal"), "runs0": [dsfill_bench(A.data, 0, 2, "isal")]}
except RuntimeError as e:
    log(f"--codec isal unavailable: {e}")

# 2. End to end against dsfill serve --discard on loopback.
e2e = {}
if "e2e" not in SKIP:
    log("end to end against dsfill serve --discard")
    server, port = start_server()
    try:
        for level in (1, 6, "auto"):
            e2e[level] = [dsfill_load(A.data, f"http://127.0.0.1:{port}", level, f"e2e{level}-{i}")
                          for i in range(REPEAT)]
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
    out, wall, cpu, rss = timed([sys.executable, "-c", script, A.data])
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
    pipeline = f"tail -n +2 {A.data} | parallel --pipe -j2 --block 8M --halt now,fail=1 bash {chunk_sh}"
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
    paths = [(A.size_label, A.data)]
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
        if path != A.data:
            os.remove(path)

# 6. --level auto against fixed levels over a bandwidth-limited link.
auto = {}
if "auto" not in SKIP:
    small = os.path.join(A.work, "auto.csv")
    limit = min(DATA_BYTES, 100_000_000)
    with open(A.data, "rb") as src, open(small, "wb") as dst:
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

# The report.
L = []
mb = DATA_BYTES / 1e6
L.append("# Benchmarks\n")
L.append(f"Generated by `scripts/bench-compare.sh {A.size_label}` on {time.strftime('%Y-%m-%d')}: "
         f"a {mb:.0f} MB CSV ({rows_total:,} rows, 9 columns, from `scripts/gen_big_csv.sh`), "
         f"{os.cpu_count()} cores"
         + (f", SIMD kernels: transcoder {KERNELS['transcoder']}, boundary {KERNELS['boundary']}, "
            f"base64 {KERNELS['base64']}" if KERNELS else "")
         + f". Medians of {REPEAT} runs, with (min-max).\n")
L.append("MB/s are CSV megabytes per second of wall time. The yardstick is `bench_baseline`: "
         "the same batches, deflate alone on one thread, timed in CPU seconds, so "
         "`ratio to 2x deflate` = dsfill's rate / (2 x that rate) says how close two encoders "
         "come to the compressor's limit. On a shared machine wall time includes time other "
         "processes took, so the CPU-based ratio (deflate CPU seconds / dsfill's CPU seconds, "
         "the share of dsfill's work that is deflate itself) is given too.\n")
L.append("## Encode only (`dsfill bench`)\n")
L.append("| codec | level | encoders | MB/s | rows/s | peak RSS MiB | ratio to 2x deflate (wall) | deflate share of CPU | compression |")
L.append("|---|---|---|---|---|---|---|---|---|")
for level in (1, 6):
    b = enc[level]["base"]
    drate = statistics.median(x["deflate_mb_s"] for x in b)
    dsec = statistics.median(x["deflate_seconds"] for x in b)
    for e in (1, 2):
        r = enc[level]["runs"][e]
        m = [x["mbps"] for x in r]
        share = [dsec / x["cpu"] for x in r]
        L.append(f"| libdeflate | {level} | {e} | {spread(m)} | {statistics.median(x['rows_s'] for x in r):,.0f} "
                 f"| {max(x['rss'] for x in r):.0f} | {spread([x / (e * drate) for x in m], 2)} "
                 f"| {spread([100 * s for s in share])}% | {r[0]['ratio']:.2f} |")
for level in (3, 9):
    r = enc[level]["runs"][2][0]
    L.append(f"| libdeflate | {level} | 2 | {r['mbps']:.1f} | {r['rows_s']:,.0f} | {r['rss']:.0f} | | | {r['ratio']:.2f} |")
for key, codec in (("auto", "auto (both)"), ("auto-libdeflate", "libdeflate")):
    r = enc[key]["runs"][2]
    L.append(f"| {codec} | auto (the default) | 2 | {spread([x['mbps'] for x in r])} | "
             f"{statistics.median(x['rows_s'] for x in r):,.0f} | {max(x['rss'] for x in r):.0f} "
             f"| | | {r[0]['ratio']:.2f} |")
if isal:
    for lv, key, bkey in ((1, "runs", "base"), (0, "runs0", "base0")):
        r = isal[key]
        m = [x["mbps"] for x in r]
        drate = isal[bkey]["deflate_mb_s"]
        L.append(f"| isal | {lv} | 2 | {spread(m)} | {statistics.median(x['rows_s'] for x in r):,.0f} "
                 f"| {max(x['rss'] for x in r):.0f} | {spread([x / (2 * drate) for x in m], 2)} "
                 f"| {100 * isal[bkey]['deflate_seconds'] / statistics.median(x['cpu'] for x in r):.0f}% "
                 f"| {r[0]['ratio']:.2f} |")
L.append("")
L.append("Single-thread yardstick (`bench_baseline`, MB/s of CSV per CPU second, median):\n")
L.append("| codec | level | cut (reader) | CSV -> JSON | deflate | base64 |")
L.append("|---|---|---|---|---|---|")
for level in (1, 6):
    b = enc[level]["base"]
    med = lambda k: statistics.median(x[k] for x in b)
    L.append(f"| libdeflate | {level} | {med('cut_mb_s'):.0f} | {med('transcode_mb_s'):.0f} | "
             f"{med('deflate_mb_s'):.1f} | {med('base64_mb_s'):.0f} |")
if isal:
    for key in ("base", "base0"):
        x = isal[key]
        L.append(f"| isal | {x['level']} | {x['cut_mb_s']:.0f} | {x['transcode_mb_s']:.0f} | "
                 f"{x['deflate_mb_s']:.1f} | {x['base64_mb_s']:.0f} |")
L.append("")
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
if shutil.which("gnuplot") and not os.environ.get("NO_PLOTS"):
    docs = os.path.dirname(A.out)

    def plot(name, title, xlabel, ylabel, series, style="linespoints"):
        dat = os.path.join(A.work, name + ".dat")
        with open(dat, "w") as f:
            for label, pts in series:
                f.write(f'"{label}"\n')
                for x, y in pts:
                    f.write(f"{x} {y}\n")
                f.write("\n\n")
        png = os.path.join(docs, name + ".png")
        cmds = [f"set terminal pngcairo size 720,420", f"set output '{png}'", f"set title '{title}'",
                f"set xlabel '{xlabel}'", f"set ylabel '{ylabel}'", "set grid", "set key left top",
                "set yrange [0:*]",
                "plot " + ", ".join(f"'{dat}' index {i} with {style} lw 2 pt 7 title columnheader(1)"
                                    for i in range(len(series)))]
        subprocess.run(["gnuplot", "-e", "; ".join(cmds)], check=True)
        plots.append((name, title))

    plot("bench_encoders", "Encode-only throughput vs encoder threads", "encoders", "MB/s of CSV",
         [(f"level {lv}", [(e, statistics.median(x["mbps"] for x in enc[lv]["runs"][e])) for e in (1, 2)])
          for lv in (1, 6)] +
         [(f"encoders x single-thread deflate, level {lv}",
           [(e, e * statistics.median(x["deflate_mb_s"] for x in enc[lv]["base"])) for e in (1, 2)])
          for lv in (1, 6)])
    plot("bench_levels", "Encode-only throughput vs gzip level (2 encoders)", "level", "MB/s of CSV",
         [("libdeflate", [(lv, statistics.median(x["mbps"] for x in enc[lv]["runs"][2])) for lv in (1, 3, 6, 9)])])
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

notes = os.path.join(A.repo, "bench", "profile_notes.md")
if os.path.exists(notes):
    with open(notes) as f:
        L.append(f.read())

with open(A.out, "w") as f:
    f.write("\n".join(L) + "\n")
with open(os.path.join(A.work, "results.json"), "w") as f:
    json.dump({"enc": {str(k): v for k, v in enc.items()}, "isal": isal, "e2e": e2e, "python": py,
               "shell": shell, "rss": rss_rows, "auto": auto}, f, indent=1, default=str)
print("\n".join(L))
log(f"wrote {A.out}")
