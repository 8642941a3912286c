#!/usr/bin/env python3
"""The oracle: prints, as JSON, the data rows Python's csv module reads from a CSV file
(the header row skipped), exactly as the API documentation's sample client would send them."""
import csv
import json
import sys

with open(sys.argv[1], newline="", encoding="utf-8-sig") as f:
    rows = list(csv.reader(f))
json.dump(rows[1:], sys.stdout, ensure_ascii=False)
