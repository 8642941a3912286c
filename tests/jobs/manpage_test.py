#!/usr/bin/env python3
"""The generated man page exists, parses as roff sections, and documents every subcommand of
`dsfill --help` and every option of `dsfill load --help`, defaults included.

Usage: manpage_test.py DSFILL_BINARY MAN_FILE
"""
import re
import subprocess
import sys

binary, man = sys.argv[1], sys.argv[2]
text = open(man).read()
plain = text.replace("\\-", "-").replace("\\e", "\\")
assert text.startswith(".TH DSFILL 1"), text[:80]
top = subprocess.run([binary, "--help"], capture_output=True, text=True, timeout=30).stdout
subs = re.findall(r"^  (\w+)\s", top.split("Subcommands:", 1)[1], re.M)
assert len(subs) >= 5, subs
for sub in subs:
    assert '.SH "DSFILL %s"' % sub.upper() in text, "no section for " + sub
load = subprocess.run([binary, "load", "--help"], capture_output=True, text=True, timeout=30).stdout
options = re.findall(r"^  (--?[\w-].*?)(?:\s{2,}|$)", load, re.M)
assert any("--shard TEXT=0/1" in o for o in options), options
for option in options:
    assert option in plain, "option missing from the man page: " + option
print("man page: %d subcommands, %d load options" % (len(subs), len(options)))
