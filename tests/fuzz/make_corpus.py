#!/usr/bin/env python3
"""Writes the seed corpora of the fuzz targets to tests/fuzz/corpus/<target>/.

Each seed carries the target's parameter prefix (see the layout comment of each
tests/fuzz/*_check.h). Rerun after changing a layout: python3 tests/fuzz/make_corpus.py
"""
import base64
import gzip
import hashlib
import json
import os

HERE = os.path.dirname(os.path.abspath(__file__))

CSV_SAMPLES = [
    b"",
    b"a,b,c\n1,2,3\n",
    b"a,b,c\r\n1,2,3\r\n4,5,6",
    b"a,b\r1,2\r3,4\r",
    b"\n\na,b\n\n1,2\n\r\n",
    b'name,note\n"Smith, J","said ""hi""\nthen left"\n"x",""\n',
    b'"a""b",c\n"multi\r\nline",d\n',
    b"\xef\xbb\xbfid,text\n1,caf\xc3\xa9\n2,\xe2\x82\xac\xf0\x9f\x98\x80\n",
    b"id,text\n1,caf\xe9\n2,\xff\xfe\n3,\xc3\n",
    b"a,b\n1,\n,2\n,\n",
    b"qty,price\n6,2.55\n-1,1e3\n0,\n",
    b"qty,price\nx,2\n",
    b'a,b\n1,2"3\n',            # bare quote
    b'a,b\n"1"x,2\n',           # after closing quote
    b'a,b\n1,"open\n2,3\n',     # unterminated
    b"a,b\n1,2,3\n",            # ragged
    b"a\n\x00\x01\x1f,\x7f\n",
    b'"","",""\n"""",a,"b"""\n',
    b"a;b;c\n1;2;3\n",
    b"a\tb\n'x\ty'\t2\n",
    b"536365,85123A,WHITE HANGING HEART T-LIGHT HOLDER,6,2010-12-01 08:26:00,2.55,17850\n" * 3,
]


def write(target, name, data):
    folder = os.path.join(HERE, "corpus", target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def csv_scanner():
    prefixes = [
        bytes([0, 0]) + bytes([1, 2, 3, 0, 5, 1, 7, 200]) + bytes([5, 64, 130, 255]),
        bytes([0, 0]) + bytes([1] * 8) + bytes([0, 0, 0, 0]),
        bytes([1, 0]) + bytes([2, 3, 2, 3, 2, 3, 2, 3]) + bytes([10, 70, 200, 3]),
        bytes([2, 0]) + bytes([255] * 8) + bytes([63, 63, 63, 63]),
        bytes([4, 0]) + bytes([0, 1, 0, 1, 4, 4, 4, 9]) + bytes([129, 1, 2, 192]),
    ]
    for i, csv in enumerate(CSV_SAMPLES):
        for j, p in enumerate(prefixes):
            if (i + j) % 2 == 0 or j == 0:
                write("csv_scanner_fuzz", f"seed_{i:02d}_{j}", p + csv)


def rows_json():
    # [dialect][extra][options][kinds mask][start]
    prefixes = [
        bytes([0, 0, 0, 0, 0]),          # UTF-8 strict, all strings
        bytes([0, 0, 2, 0, 17]),         # UTF-8 replace
        bytes([0, 0, 1, 0, 0]),          # Latin-1
        bytes([0, 0, 4 | (6 << 5), 0b10, 0]),   # 7 columns, column 2 numeric
        bytes([0, 0, 4 | 2 | (1 << 5), 0b11, 3]),  # 2 numeric columns
        bytes([0, 0, 8 | (3 << 4), 0, 0]),        # expected_fields 3
    ]
    for i, csv in enumerate(CSV_SAMPLES):
        for j, p in enumerate(prefixes):
            if (i + j) % 2 == 0 or j == 0:
                write("rows_json_fuzz", f"seed_{i:02d}_{j}", p + csv)


ROWS = [["536365", "85123A", "WHITE HANGING HEART T-LIGHT HOLDER", "6", "2010-12-01 08:26:00",
         "2.55", "17850"],
        ["536366", "22633", "HAND WARMER \"UNION\" JACK\n", "6", "2010-12-01 08:28:00", "1.85",
         ""]]


def payload_decoder():
    j = json.dumps(ROWS).encode()
    mixed = b'[["a",1,null,-2.5e3],["\\u00e9\\n\\"",0,null,1E+2]]'
    gz = gzip.compress(j)
    write("payload_decoder_fuzz", "b64_gzip", bytes([0]) + base64.b64encode(gz))
    write("payload_decoder_fuzz", "b64_gzip_mixed", bytes([0]) + base64.b64encode(gzip.compress(mixed)))
    write("payload_decoder_fuzz", "gzip", bytes([1]) + gz)
    write("payload_decoder_fuzz", "json_encoded", bytes([2]) + j)
    write("payload_decoder_fuzz", "json_mixed", bytes([2 | (1 << 4)]) + mixed)
    write("payload_decoder_fuzz", "json_plain", bytes([3]) + j)
    write("payload_decoder_fuzz", "json_empty", bytes([3]) + b"[]")
    write("payload_decoder_fuzz", "json_trailing", bytes([3]) + b"[[\"a\"]] x")
    write("payload_decoder_fuzz", "json_nested", bytes([3]) + b"[[[\"a\"]],{}]")
    write("payload_decoder_fuzz", "bad_base64", bytes([0]) + b"H4sI====")
    write("payload_decoder_fuzz", "truncated_gzip", bytes([1]) + gz[: len(gz) // 2])
    write("payload_decoder_fuzz", "two_members", bytes([1]) + gz + gz)
    write("payload_decoder_fuzz", "bomb", bytes([1]) + gzip.compress(b"[" + b"0," * 600000 + b"0]"))
    write("payload_decoder_fuzz", "bomb_ratio", bytes([1 | (2 << 2)]) + gzip.compress(b" " * 5000))


def http_request(method, target, body=b"", headers=(), chunked=False):
    lines = [f"{method} {target} HTTP/1.1", "Host: 127.0.0.1"]
    lines += list(headers)
    if chunked:
        lines.append("Transfer-Encoding: chunked")
        half = len(body) // 2
        parts = [body[:half], body[half:]]
        payload = b"".join(b"%x\r\n" % len(p) + p + b"\r\n" for p in parts if p) + b"0\r\n\r\n"
    else:
        if method in ("POST", "PUT") or body:
            lines.append(f"Content-Length: {len(body)}")
        payload = body
    return ("\r\n".join(lines) + "\r\n\r\n").encode() + payload


COLUMNS = [
    {"name": "InvoiceNo", "alias": "InvoiceNo", "type": "dimension", "subtype": "text"},
    {"name": "StockCode", "alias": "StockCode", "type": "dimension", "subtype": "text"},
    {"name": "Description", "alias": "Description", "type": "dimension", "subtype": "text"},
    {"name": "Quantity", "alias": "Quantity", "type": "measure", "subtype": "numeric"},
    {"name": "InvoiceDate", "alias": "InvoiceDate", "type": "dimension", "subtype": "date",
     "format": "%Y-%m-%d %H:%M:%S"},
    {"name": "UnitPrice", "alias": "UnitPrice", "type": "measure", "subtype": "numeric"},
    {"name": "CustomerID", "alias": "CustomerID", "type": "dimension", "subtype": "text"},
]


def fill_body(compressed, append=True, rows=ROWS, columns=COLUMNS):
    text = json.dumps(rows)
    data = base64.b64encode(gzip.compress(text.encode())).decode() if compressed else text
    return json.dumps({"user-code": "u1", "dataset-code": "d1", "columns": columns,
                       "insert-data": data, "append": append, "compressed": compressed}).encode()


def server_request():
    auth = "Authorization: Bearer s3cret-token"
    t = "server_request_fuzz"
    for setup in (0, 1, 2):
        for chunk in (255, 7):
            pre = bytes([setup, chunk])
            write(t, f"fill_gzip_{setup}_{chunk}", pre + http_request(
                "POST", "/dataset-fill", fill_body(True), [auth, "Content-Type: application/json"]))
            write(t, f"fill_plain_{setup}_{chunk}", pre + http_request(
                "POST", "/dataset-fill", fill_body(False, append=False), [auth]))
        pre = bytes([setup, 255])
        write(t, f"fill_chunked_{setup}", pre + http_request(
            "POST", "/dataset-fill", fill_body(True), [auth], chunked=True))
        write(t, f"fill_idem_{setup}", pre + http_request(
            "POST", "/dataset-fill", fill_body(True), [auth, 'Idempotency-Key: "load-1:0-100"']) * 2)
        create = json.dumps({"user-code": "u1", "dataset-code": "d2", "columns": COLUMNS}).encode()
        complete = json.dumps({"user-code": "u1", "dataset-code": "d1"}).encode()
        write(t, f"pipeline_{setup}", pre +
              http_request("POST", "/datasets", create, [auth]) +
              http_request("POST", "/dataset-fill", fill_body(False), [auth]) +
              http_request("POST", "/dataset-complete", complete, [auth]) +
              http_request("GET", "/datasets/u1/d1", b"", [auth]))
    pre = bytes([0, 255])
    broken = {
        "no_length": b"POST /dataset-fill HTTP/1.1\r\nHost: x\r\n\r\n{}",
        "bad_te": b"POST /dataset-fill HTTP/1.1\r\nTransfer-Encoding: gzip, chunked\r\n\r\n0\r\n\r\n",
        "bad_chunk": b"POST /dataset-fill HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n",
        "short_body": b"POST /dataset-fill HTTP/1.1\r\nContent-Length: 100\r\n\r\n{\"user-code\"",
        "dup_length": b"POST /dataset-fill HTTP/1.1\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
        "empty_json": http_request("POST", "/dataset-fill", b"{}"),
        "not_json": http_request("POST", "/dataset-fill", b"\x00\xff garbage"),
        "wrong_method": http_request("GET", "/dataset-fill"),
        "unknown_route": http_request("DELETE", "/nope?x=1"),
        "http10": b"POST /dataset-complete HTTP/1.0\r\nContent-Length: 2\r\n\r\n{}",
        "bad_columns": http_request("POST", "/dataset-fill", fill_body(
            False, columns=[{"name": "rowid", "alias": 1, "type": "x", "subtype": "date"}])),
        "ragged_rows": http_request("POST", "/dataset-fill", fill_body(False, rows=[["1"], ["2", "3"]])),
        "bad_base64": http_request("POST", "/dataset-fill", json.dumps(
            {"user-code": "u1", "dataset-code": "d1", "columns": COLUMNS, "insert-data": "@@@",
             "append": True, "compressed": True}).encode()),
        "bad_key": http_request("POST", "/dataset-fill", fill_body(False), ["Idempotency-Key: \x01"]),
        "describe_bad": http_request("GET", "/datasets/u1/../etc"),
    }
    for name, data in broken.items():
        write(t, name, pre + data)
    write(t, "no_auth", bytes([1, 255]) + http_request("POST", "/dataset-fill", fill_body(True)))
    write(t, "wrong_token", bytes([1, 255]) + http_request(
        "POST", "/dataset-fill", fill_body(True), ["Authorization: Bearer nope"]))


if __name__ == "__main__":
    csv_scanner()
    rows_json()
    payload_decoder()
    server_request()
