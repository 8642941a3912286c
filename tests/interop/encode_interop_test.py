#!/usr/bin/env python3
"""Interoperability: bodies written by `dsfill encode` decode, with Python's standard library
alone (json, base64, gzip), to exactly the rows Python's csv module reads from the same file.

Usage: encode_interop_test.py DSFILL_BINARY GEN_CSV_SCRIPT

Blank lines are skipped by dsfill (documented in codec/csv_dialect.h); Python's csv module
returns them as empty lists, so those are dropped before comparing.
"""
import base64
import csv
import gzip
import io
import json
import os
import subprocess
import sys
import tempfile

DSFILL, GEN = sys.argv[1], sys.argv[2]
failures = 0


def python_rows(path, delimiter=",", encoding="utf-8"):
    with open(path, newline="", encoding=encoding) as f:
        rows = [r for r in csv.reader(f, delimiter=delimiter, strict=True) if r]
    return rows[1:]  # header skipped, as the API's sample client does


def decode_bodies(path):
    rows, bodies = [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            body = json.loads(line)
            bodies.append(body)
            data = body["insert-data"]
            text = gzip.decompress(base64.b64decode(data, validate=True)) if body["compressed"] else data
            if isinstance(text, bytes):
                text = text.decode("utf-8")
            rows.extend(json.loads(text))
    return rows, bodies


def check(name, csv_path, extra_args=(), delimiter=",", encoding="utf-8", expect_bodies=None):
    global failures
    with tempfile.TemporaryDirectory() as tmp:
        out = os.path.join(tmp, "bodies.jsonl")
        cmd = [DSFILL, "encode", csv_path, "-o", out, *extra_args]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=120)
        if proc.returncode != 0:
            print(f"FAIL {name}: exit {proc.returncode}: {proc.stderr.strip()}")
            failures += 1
            return
        got, bodies = decode_bodies(out)
        want = python_rows(csv_path, delimiter, encoding)
        if got != want:
            first = next((i for i, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
            print(f"FAIL {name}: {len(got)} rows decoded, {len(want)} expected; first difference at row {first}:")
            print(f"   got  {got[first] if first < len(got) else None!r}")
            print(f"   want {want[first] if first < len(want) else None!r}")
            failures += 1
            return
        if expect_bodies is not None and len(bodies) != expect_bodies:
            print(f"FAIL {name}: {len(bodies)} bodies, expected {expect_bodies}")
            failures += 1
            return
        print(f"ok   {name}: {len(got)} rows in {len(bodies)} bodies")


with tempfile.TemporaryDirectory() as tmp:
    for seed in (1, 2, 3):
        for crlf in (False, True):
            path = os.path.join(tmp, f"hard{seed}{crlf}.csv")
            gen = [sys.executable, GEN, "--rows", "3000", "--hard", "--seed", str(seed), "-o", path]
            subprocess.run(gen + (["--crlf"] if crlf else []), check=True, timeout=60)
            for batch in ("1", "7", "1000", "100000"):
                check(f"hard seed={seed} crlf={crlf} batch-rows={batch}", path, ["--batch-rows", batch])
            check(f"hard seed={seed} crlf={crlf} uncompressed", path, ["--no-compress", "--batch-rows", "500"])
            check(f"hard seed={seed} crlf={crlf} level 1", path, ["--level", "1", "--batch-bytes", "64KiB"])

    # Hand-written corner cases: quoted newlines at every position, BOM, no final newline,
    # bare CR record ends, empty fields, a semicolon dialect and Latin-1 input.
    cases = {
        "corners": '\ufeffa,b,c\r\n"x\ny","",\r\n"q""uote",,"z"\n,,\n\n"1\r\n2","3,4",5',
        "bare-cr": "a,b\r1,2\r3,4\r",
        "only-header": "a,b,c\n",
        "control": 'a,b\n"tab\tand\x01ctl","back\\slash/"\n',
    }
    for name, text in cases.items():
        path = os.path.join(tmp, name + ".csv")
        with open(path, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        check(name, path, ["--batch-rows", "1"])
    path = os.path.join(tmp, "semi.csv")
    with open(path, "w", encoding="utf-8", newline="") as f:
        f.write('a;b\n"x;y";2\n3;"4\n5"\n')
    check("semicolon", path, ["--delimiter", ";"], delimiter=";")
    path = os.path.join(tmp, "latin1.csv")
    with open(path, "wb") as f:
        f.write("name,city\nRenée,Zürich\nJosé,São Paulo\n".encode("latin-1"))
    check("latin1", path, ["--encoding", "latin1"], encoding="latin-1")

# Bad input: exit 3 and a message naming the row (and a byte offset), never a partial success.
bad = {
    "ragged": (b"a,b\n1,2\n3\n", "row 3"),
    "unterminated": (b'a,b\n1,"2\n3,4\n', "row 2"),
    "bad-utf8": (b"a,b\n1,\xff\n", "row 2"),
    "bare-quote": (b'a,b\n1,x"y\n', "row 2"),
    "after-quote": (b'a,b\n1,"x"y\n', "row 2"),
}
with tempfile.TemporaryDirectory() as tmp:
    for name, (data, where) in bad.items():
        path = os.path.join(tmp, name + ".csv")
        with open(path, "wb") as f:
            f.write(data)
        proc = subprocess.run([DSFILL, "encode", path, "-o", os.path.join(tmp, "out")],
                              capture_output=True, text=True, timeout=60)
        if proc.returncode != 3 or where not in proc.stderr or "byte" not in proc.stderr \
                or path not in proc.stderr:
            print(f"FAIL bad input {name}: exit {proc.returncode}, stderr {proc.stderr.strip()!r}")
            failures += 1
        else:
            print(f"ok   bad input {name}: {proc.stderr.strip()}")

# A non-ASCII delimiter or quote would be read two ways (dialect byte vs UTF-8): usage error.
with tempfile.TemporaryDirectory() as tmp:
    path = os.path.join(tmp, "ok.csv")
    with open(path, "wb") as f:
        f.write(b"a,b\n1,2\n")
    for flag in ("--delimiter", "--quote"):
        proc = subprocess.run([DSFILL.encode(), b"encode", path.encode(), flag.encode(), b"\xa9", b"-o",
                               os.path.join(tmp, "out").encode()], capture_output=True, timeout=60)
        if proc.returncode != 2 or b"ASCII" not in proc.stderr:
            print(f"FAIL non-ASCII {flag}: exit {proc.returncode}, stderr {proc.stderr!r}")
            failures += 1
        else:
            print(f"ok   non-ASCII {flag} refused")

print(f"interop: {'FAILED' if failures else 'all cases passed'}")
sys.exit(1 if failures else 0)
