#!/usr/bin/env python3
"""Every test's name reads: ctest's list holds no test longer than 160 characters and no value
printed as raw bytes ("24-byte object <B8-0B ...>", what gtest prints for a parameter struct
without a PrintTo).

Usage: test_names_test.py BUILD_DIR
"""
import subprocess
import sys

listing = subprocess.run(["ctest", "--test-dir", sys.argv[1], "-N"], capture_output=True,
                         text=True, timeout=120, check=True).stdout
names = [line.split(": ", 1)[1] for line in listing.splitlines() if line.strip().startswith("Test")
         and ": " in line]
assert len(names) > 100, "ctest listed %d tests" % len(names)
bad = [n for n in names if len(n) > 160 or "-byte object" in n]
for n in bad:
    print("unreadable test name (%d chars): %s" % (len(n), n[:200]))
sys.exit(1 if bad else 0)
