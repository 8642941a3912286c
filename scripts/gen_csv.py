#!/usr/bin/env python3
"""Generates a retail-invoice-like CSV for demos, tests and benchmarks.

Every row carries a unique integer id (column "RowId", 1-based), so a test can check that each
row was stored exactly once. Optional hard cases: quoted fields with commas, doubled quotes and
newlines (LF or CRLF inside quotes), non-ASCII text, empty fields, CRLF record ends.

    scripts/gen_csv.py --rows 100000 -o sample.csv
    scripts/gen_csv.py --size 200MB --hard -o big.csv
    scripts/gen_csv.py --size 100MB --kind transactional -o tx.csv
    scripts/gen_csv.py --size 100MB --quote-all -o quoted.csv

--kind transactional writes a payments-like file instead: ids, ISO timestamps, names, e-mail
addresses, cities with commas ("Portland, OR"), prices, and a free-text note that about half the
rows carry, quoted, with doubled quotes and newlines in it. --quote-all quotes every field
(Python's csv.QUOTE_ALL, as many exports write).
"""
import argparse
import random
import sys

WORDS = ["WHITE", "HANGING", "HEART", "T-LIGHT", "HOLDER", "METAL", "LANTERN", "CREAM", "CUPID",
         "HEARTS", "COAT", "HANGER", "KNITTED", "UNION", "FLAG", "HOT", "WATER", "BOTTLE", "RED",
         "WOOLLY", "HOTTIE", "SET", "OF", "BABUSHKA", "NESTING", "BOXES", "GLASS", "STAR",
         "FROSTED", "CANDLE", "VINTAGE", "JUMBO", "BAG", "PINK", "POLKADOT", "ALARM", "CLOCK"]
HARD = ["Crème brûlée, large", "naïve \"quoted\" text", "line one\nline two", "Zürich; Genève",
        "日本語のテキスト", "emoji 🎉 ok", "tab\there", "windows\r\nnewline", "", "a,b,c",
        "\"fully quoted\"", "Ελληνικά", "trailing space "]
COUNTRIES = ["United Kingdom", "France", "Germany", "EIRE", "Spain", "Netherlands", "Norway",
             "Côte d'Ivoire", "Portugal", "Australia"]
FIRST = ["Ana", "Luka", "Maria", "John", "Wei", "Fatima", "Olga", "Pierre", "Sofia", "Kenji",
         "Amara", "Mateo", "Zoë", "Björn", "Priya", "Noah"]
LAST = ["Horvat", "Smith", "García", "Müller", "Kowalski", "Nguyen", "Rossi", "O'Brien",
        "Dubois", "Tanaka", "Silva", "Novak", "Jensen", "Okafor"]
CITIES = ["Portland, OR", "Zagreb", "Paris", "Austin, TX", "München", "Lagos", "São Paulo",
          "Kyoto", "Dublin", "Toronto, ON", "Split", "Oslo"]
NOTES = ["Customer asked for a \"gift wrap\" option.", "Delivered to the neighbour, \"Mrs. K\".",
         "Refund requested:\nitem arrived damaged.", "Call back after 5pm, ask for \"Ivo\".",
         "Address changed;\nsee ticket #4411, \"urgent\"", "Paid in two parts, second on Friday.",
         "VIP — priority shipping", "Left at the door\r\nno signature"]
TX_HEADER = ["TxId", "CreatedAt", "CustomerName", "Email", "City", "Amount", "Currency",
             "Status", "Note"]
HEADER = ["RowId", "InvoiceNo", "StockCode", "Description", "Quantity", "InvoiceDate",
          "UnitPrice", "CustomerID", "Country"]


def quote(field: str, always: bool = False) -> str:
    if always or any(c in field for c in ',"\r\n') or field != field.strip(" "):
        return '"' + field.replace('"', '""') + '"'
    return field


def parse_size(text: str) -> int:
    units = {"KB": 10**3, "MB": 10**6, "GB": 10**9, "KIB": 2**10, "MIB": 2**20, "GIB": 2**30}
    t = text.upper()
    for unit, mult in units.items():
        if t.endswith(unit):
            return int(float(t[: -len(unit)]) * mult)
    return int(t)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rows", type=int, help="number of data rows")
    ap.add_argument("--size", help="approximate file size instead of --rows (e.g. 200MB)")
    ap.add_argument("--hard", action="store_true",
                    help="include quoted commas, quotes, newlines, non-ASCII and empty fields")
    ap.add_argument("--crlf", action="store_true", help="end records with CRLF")
    ap.add_argument("--kind", choices=["invoice", "transactional"], default="invoice",
                    help="invoice (default) or transactional rows (see above)")
    ap.add_argument("--quote-all", action="store_true", help="quote every field")
    ap.add_argument("--seed", type=int, default=1, help="random seed (same seed, same file)")
    ap.add_argument("-o", "--output", default="-", help="output file ('-' for stdout)")
    args = ap.parse_args()
    if args.rows is None and args.size is None:
        args.rows = 1000
    limit_bytes = parse_size(args.size) if args.size else None
    rng = random.Random(args.seed)
    eol = "\r\n" if args.crlf else "\n"
    out = sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8", newline="")
    written = 0
    header = TX_HEADER if args.kind == "transactional" else HEADER
    lines = [",".join(quote(h, args.quote_all) for h in header) + eol]
    written += len(lines[0])
    row = 0
    while True:
        if args.rows is not None and row >= args.rows:
            break
        if limit_bytes is not None and written >= limit_bytes:
            break
        row += 1
        if args.kind == "transactional":
            first, last = rng.choice(FIRST), rng.choice(LAST)
            fields = [str(900000 + row),
                      f"2024-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}T"
                      f"{rng.randint(0, 23):02d}:{rng.randint(0, 59):02d}:{rng.randint(0, 59):02d}Z",
                      f"{first} {last}",
                      f"{first.lower()}.{last.lower().replace(chr(39), '')}{rng.randint(1, 99)}@example.com",
                      rng.choice(CITIES), f"{rng.randint(100, 500000) / 100:.2f}",
                      rng.choice(["EUR", "USD", "GBP"]), rng.choice(["paid", "refunded", "pending"]),
                      rng.choice(NOTES) if rng.random() < 0.5 else ""]
            line = ",".join(quote(f, args.quote_all) for f in fields) + eol
            written += len(line.encode("utf-8"))
            lines.append(line)
            if len(lines) >= 10000:
                out.write("".join(lines))
                lines.clear()
            continue
        desc = " ".join(rng.choice(WORDS) for _ in range(rng.randint(2, 6)))
        if args.hard and rng.random() < 0.2:
            desc = rng.choice(HARD)
        customer = "" if rng.random() < 0.05 else str(rng.randint(12346, 18287))
        fields = [str(row), str(536365 + row // 7), f"{rng.randint(10000, 99999)}{rng.choice(['', 'A', 'B'])}",
                  desc, str(rng.randint(-5, 48)),
                  f"2010-12-{rng.randint(1, 28):02d} {rng.randint(8, 18):02d}:{rng.randint(0, 59):02d}:00",
                  f"{rng.randint(0, 5000) / 100:.2f}", customer, rng.choice(COUNTRIES)]
        line = ",".join(quote(f, args.quote_all) for f in fields) + eol
        written += len(line.encode("utf-8")) if args.hard else len(line)
        lines.append(line)
        if len(lines) >= 10000:
            out.write("".join(lines))
            lines.clear()
    out.write("".join(lines))
    if out is not sys.stdout:
        out.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
