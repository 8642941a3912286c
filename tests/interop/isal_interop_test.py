#!/usr/bin/env python3
"""Interoperability of --codec isal: bodies written by `dsfill encode --codec isal` at each ISA-L
level decode, with Python's gzip, base64 and json modules alone, to exactly the rows Python's
csv module reads from the same file. A dsfill built without ISA-L must refuse --codec isal with
a usage error (exit 2) naming ISA-L; that case is checked instead.

Usage: isal_interop_test.py DSFILL_BINARY GEN_CSV_SCRIPT
"""
import base64
import csv
import gzip
import json
import os
import subprocess
import sys
import tempfile

DSFILL, GEN = sys.argv[1], sys.argv[2]


def main() -> int:
    failures = 0
    with tempfile.TemporaryDirectory() as tmp:
        data = os.path.join(tmp, "hard.csv")
        subprocess.run([sys.executable, GEN, "--rows", "30000", "--hard", "--seed", "4", "-o", data],
                       check=True, timeout=120)
        with open(data, newline="", encoding="utf-8") as f:
            want = [r for r in csv.reader(f, strict=True) if r][1:]
        for level in ("0", "1", "2", "3"):
            out = os.path.join(tmp, f"bodies{level}.jsonl")
            proc = subprocess.run([DSFILL, "encode", data, "-o", out, "--codec", "isal", "--level", level],
                                  capture_output=True, text=True, timeout=120)
            if proc.returncode == 2 and "ISA-L" in proc.stderr:
                print("dsfill built without ISA-L: --codec isal refused with a usage error, as documented")
                print("1 passed, 0 failed")
                return 0
            if proc.returncode != 0:
                print(f"FAIL level {level}: exit {proc.returncode}: {proc.stderr.strip()}")
                failures += 1
                continue
            got = []
            with open(out, encoding="utf-8") as f:
                for line in f:
                    body = json.loads(line)
                    raw = base64.b64decode(body["insert-data"], validate=True)
                    got.extend(json.loads(gzip.decompress(raw).decode("utf-8")))
            if got != want:
                print(f"FAIL level {level}: {len(got)} rows decoded, {len(want)} expected")
                failures += 1
            else:
                print(f"ok   level {level}: {len(got)} rows")
    print(f"{4 - failures} passed, {failures} failed")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
