#!/usr/bin/env python3
"""Writes dsfill.1 (roff) from the help text of the built binary, so the man page and
`dsfill [SUBCOMMAND] --help` never disagree: every option with its default, every subcommand.

Usage: make_manpage.py DSFILL_BINARY OUTPUT_FILE
"""
import re
import subprocess
import sys

ENTRY = re.compile(r"^  (\S.*?)(?:\s{2,}(\S.*))?$")
CONTINUATION = " " * 30


def help_text(binary, *args):
    r = subprocess.run([binary, *args, "--help"], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        sys.exit("make_manpage: %s %s --help exited %d: %s" % (binary, " ".join(args),
                                                               r.returncode, r.stderr))
    return r.stdout


def parse(text):
    """Returns (intro lines, usage, {section: [(name, description)]}, footer lines)."""
    intro, usage, sections, footer = [], "", {}, []
    current = None
    for line in text.splitlines():
        if line.startswith("Usage:"):
            usage = line[len("Usage:"):].strip()
            current = "intro-done"
            continue
        if re.match(r"^[A-Z][A-Za-z ]*:$", line):
            current = line[:-1]
            sections[current] = []
            continue
        if current is None:
            intro.append(line)
        elif current in sections and line.startswith(CONTINUATION) and sections[current]:
            name, desc = sections[current][-1]
            sections[current][-1] = (name, (desc + " " + line.strip()).strip())
        elif current in sections and ENTRY.match(line):
            m = ENTRY.match(line)
            sections[current].append((m.group(1), m.group(2) or ""))
        elif line.strip():
            footer.append(line.strip())
            current = "footer"
    return intro, usage, sections, footer


def roff(text):
    text = text.replace("\\", "\\e").replace("-", "\\-")
    return "\n".join(("\\&" + l) if l.startswith((".", "'")) else l for l in text.split("\n"))


def entries(out, items):
    for name, desc in items:
        out.append(".TP")
        out.append("\\fB%s\\fR" % roff(name))
        out.append(roff(desc) if desc else "")


def main():
    binary, output = sys.argv[1], sys.argv[2]
    intro, usage, sections, footer = parse(help_text(binary))
    subcommands = sections.get("Subcommands", [])
    version = subprocess.run([binary, "--version"], capture_output=True, text=True,
                             timeout=30).stdout.strip()
    out = ['.TH DSFILL 1 "" "%s" "User Commands"' % roff(version),
           ".SH NAME",
           "dsfill \\- load big CSV files into datasets through POST /dataset\\-fill",
           ".SH SYNOPSIS",
           "\\fBdsfill\\fR %s" % roff(usage.replace("dsfill", "", 1).strip()),
           ".SH DESCRIPTION",
           roff(" ".join(l.strip() for l in intro if l.strip())),
           ".PP",
           "Each option is listed with its value type and, after \\fB=\\fR, its default; an option "
           "shown without a default is empty or off unless its description says otherwise.",
           ".SH OPTIONS"]
    entries(out, sections.get("Options", []))
    out.append(".SH SUBCOMMANDS")
    entries(out, subcommands)
    for name, _ in subcommands:
        sub_intro, sub_usage, sub_sections, _ = parse(help_text(binary, name))
        out.append(".SH \"DSFILL %s\"" % roff(name.upper()))
        out.append("\\fB%s\\fR" % roff(sub_usage))
        out.append(".PP")
        out.append(roff(" ".join(l.strip() for l in sub_intro if l.strip())))
        for section in ("Positionals", "Options"):
            if sub_sections.get(section):
                out.append(".SS %s" % section)
                entries(out, sub_sections[section])
    out += [".SH ENVIRONMENT",
            ".TP", "\\fBDSFILL_TOKEN\\fR",
            "The tenant token, sent as Authorization: Bearer (or use \\-\\-token\\-file). "
            "Never read from a command\\-line flag or a job file.",
            ".SH EXIT STATUS",
            roff(" ".join(footer)),
            ".SH SEE ALSO",
            "docs/loading.md, docs/server.md, docs/scheduling.md, docs/scale\\-out.md in the "
            "dsfill sources."]
    with open(output, "w") as f:
        f.write("\n".join(out) + "\n")


if __name__ == "__main__":
    main()
