#!/usr/bin/env python3
"""Decodes dataset-fill request bodies the way the API's Python reference client encodes them.

Reads a file of request bodies, one JSON object per line, and prints every row each body carries
as one JSON line (json.dumps of the row). Uses only the standard library, so it is an independent
check of what dsfill writes: json.loads -> insert-data -> base64 -> gzip -> json.loads.

usage: decode_body.py BODIES_FILE   ('-' reads standard input)
Exit status: 0 when every body decodes, 1 (with a message naming the line) otherwise.
"""
import base64
import binascii
import gzip
import json
import sys
import zlib


def decode_body(text):
    """Returns the rows carried by one request body."""
    body = json.loads(text)
    if not isinstance(body, dict):
        raise ValueError("body is not a JSON object")
    data = body["insert-data"]
    if not isinstance(data, str):
        raise ValueError("insert-data is not a string")
    if body.get("compressed", False):
        payload = gzip.decompress(base64.b64decode(data, validate=True)).decode("utf-8")
    else:
        payload = data
    rows = json.loads(payload)
    if not isinstance(rows, list) or not all(isinstance(r, list) for r in rows):
        raise ValueError("insert-data is not an array of rows")
    return rows


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[-2], file=sys.stderr)
        return 2
    stream = sys.stdin if argv[1] == "-" else open(argv[1], encoding="utf-8", newline="\n")
    out = sys.stdout
    with stream:
        for number, line in enumerate(stream, start=1):
            if not line.strip():
                continue
            try:
                rows = decode_body(line)
            except (ValueError, KeyError, binascii.Error, OSError, EOFError, zlib.error) as e:
                print(f"{argv[1]}: body on line {number}: {e}", file=sys.stderr)
                return 1
            for row in rows:
                out.write(json.dumps(row))
                out.write("\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
