#!/usr/bin/env python3
"""A seeded HTTP/1.1 fault proxy between `dsfill load` and a dataset-fill server, on 127.0.0.1.

    fault_proxy.py --listen 127.0.0.1:0 --upstream 127.0.0.1:8080 --seed 7 \\
                   --plan 'latency=200:0.1,503=2@3,reset_after:0.05' [--log summary.json]

Once bound it prints `listening on http://127.0.0.1:PORT` on stdout. It reads each request
(head and body, Content-Length or chunked), decides what to do with it from the plan, and either
forwards it on the connection's own keep-alive upstream connection or injects a fault.

PLAN is a comma-separated list of rules `FAULT:PROBABILITY` or `FAULT@N` (the Nth request, 1-based):

    latency=MS     wait MS milliseconds before acting (combines with one of the faults below)
    reset_before   close the client connection with RST before forwarding anything
    reset_during   forward the head and half the body, then RST the server and the client
    reset_after    forward the whole request, read the server's whole response, then RST the
                   client without a byte of it (the ambiguous case: stored, but not acknowledged)
    stall          forward nothing and hold the connection until the client gives up
    slice          forward the request and relay the response in 1-7 byte writes with tiny pauses
                   (about 30 us a piece, so 1 MiB takes ~9 s; --slice-bytes N slices only the
                   first N bytes of each message)
    503[=S] 429[=S]  answer directly with that status, `Retry-After: S` (default 1) and a JSON
                   error envelope; nothing is forwarded and the connection stays open

Decisions depend only on (seed, plan, request index): the index counts request heads in the
order the proxy reads them, over all connections. Each index gets its own generator,
random.Random("SEED/INDEX") (string seeds hash with SHA-512, so this is stable across runs and
Python versions); it draws one number per probabilistic rule in plan order. Latency rules add up;
of the other rules, an exact `@N` match wins, else the first probabilistic rule whose draw is
below its probability. Slice sizes come from the same generator. With one client connection (or
requests sent one at a time) a run is therefore replayed exactly by the same seed and plan.

It stops on SIGTERM/SIGINT, after --max-seconds, or once --max-requests requests have been
handled, and then writes a JSON summary (counts per fault, requests forwarded, the decisions)
to --log, or to stderr without --log. Exit status: 0 after any of those stops, 2 on bad usage.
Python 3.11 standard library only.
"""
import argparse
import asyncio
import json
import random
import re
import signal
import socket
import struct
import sys
import time

FAULTS = ("latency", "reset_before", "reset_during", "reset_after", "stall", "slice", "503", "429")
TERMINAL = tuple(f for f in FAULTS if f != "latency")
MAX_HEAD_BYTES = 64 * 1024
MAX_DECISIONS_LOGGED = 10000
# Gives the server time to read the half body before the RST, so it sees a cut body, not nothing.
RESET_DURING_PAUSE_S = 0.05
RULE_RE = re.compile(r"^(?P<name>[a-z_0-9]+)(?:=(?P<value>\d+))?(?::(?P<prob>[0-9.eE+-]+)|@(?P<at>\d+))$")


class PlanError(ValueError):
    pass


class HttpError(Exception):
    pass


class Rule:
    def __init__(self, name, value, prob, at):
        self.name, self.value, self.prob, self.at = name, value, prob, at


class Decision:
    def __init__(self, index, latency_ms, fault, value, rng):
        self.index, self.latency_ms, self.fault, self.value, self.rng = index, latency_ms, fault, value, rng

    def label(self):
        parts = []
        if self.latency_ms:
            parts.append("latency=%d" % self.latency_ms)
        if self.fault:
            parts.append(self.fault if self.value is None else "%s=%d" % (self.fault, self.value))
        return "+".join(parts)


def parse_plan(text):
    """Returns the rules of PLAN, or raises PlanError naming the bad rule."""
    rules = []
    for raw in text.split(","):
        token = raw.strip()
        if not token or token == "none":
            continue
        m = RULE_RE.match(token)
        if not m:
            raise PlanError("bad rule %r: expected FAULT:PROBABILITY or FAULT@N" % token)
        name = m.group("name")
        if name not in FAULTS:
            raise PlanError("bad rule %r: unknown fault %r (known: %s)" % (token, name, ", ".join(FAULTS)))
        value = int(m.group("value")) if m.group("value") is not None else None
        if name == "latency" and value is None:
            raise PlanError("bad rule %r: latency needs =MS" % token)
        if value is not None and name not in ("latency", "503", "429"):
            raise PlanError("bad rule %r: %s takes no =VALUE" % (token, name))
        if name in ("503", "429") and value is None:
            value = 1
        prob = at = None
        if m.group("prob") is not None:
            try:
                prob = float(m.group("prob"))
            except ValueError:
                prob = -1.0
            if not 0.0 <= prob <= 1.0:
                raise PlanError("bad rule %r: probability must be in [0, 1]" % token)
        else:
            at = int(m.group("at"))
            if at < 1:
                raise PlanError("bad rule %r: request numbers start at 1" % token)
        rules.append(Rule(name, value, prob, at))
    return rules


def decide(rules, seed, index):
    """Returns the decision for request INDEX; a pure function of (rules, seed, index)."""
    rng = random.Random("%d/%d" % (seed, index))
    draws = [rng.random() if r.prob is not None else None for r in rules]
    latency = 0
    fault = value = None
    for r, u in zip(rules, draws):
        hit = r.at == index if r.at is not None else u < r.prob
        if hit and r.name == "latency":
            latency += r.value
    for r in rules:
        if r.name != "latency" and r.at == index:
            fault, value = r.name, r.value
            break
    if fault is None:
        for r, u in zip(rules, draws):
            if r.name != "latency" and r.prob is not None and u < r.prob:
                fault, value = r.name, r.value
                break
    return Decision(index, latency, fault, value, rng)


def reset(writer):
    """Closes the connection with an RST (SO_LINGER 1, 0) instead of a FIN."""
    if writer is None:
        return
    sock = writer.get_extra_info("socket")
    if sock is not None:
        try:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
        except OSError:
            pass
    writer.transport.abort()


def close(writer):
    if writer is not None and not writer.transport.is_closing():
        writer.close()


async def read_head(reader):
    """Returns the bytes up to and including the blank line, or None at EOF before any byte."""
    try:
        return await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError as e:
        if not e.partial:
            return None
        raise HttpError("connection closed inside a message head (%d bytes)" % len(e.partial))
    except asyncio.LimitOverrunError:
        raise HttpError("message head longer than %d bytes" % MAX_HEAD_BYTES)


def parse_head(head):
    """Returns (start line parts, {lower-case name: value}) of a message head."""
    lines = head[:-4].decode("latin-1").split("\r\n")
    start = lines[0].split(" ", 2)
    if len(start) < 2:
        raise HttpError("bad start line %r" % lines[0][:80])
    headers = {}
    for line in lines[1:]:
        name, sep, value = line.partition(":")
        if not sep or not name or name != name.strip():
            raise HttpError("bad header line %r" % line[:80])
        key = name.lower()
        value = value.strip()
        headers[key] = headers[key] + ", " + value if key in headers else value
    return start, headers


def without_header(head, name):
    """Returns HEAD without the header lines called NAME (case-insensitive)."""
    lines = head[:-4].split(b"\r\n")
    prefix = name.lower().encode("latin-1") + b":"
    kept = [lines[0]] + [l for l in lines[1:] if not l.lower().startswith(prefix)]
    return b"\r\n".join(kept) + b"\r\n\r\n"


async def read_chunked(reader):
    """Returns a chunked body verbatim (sizes, data, trailers), read up to its end."""
    out = bytearray()
    while True:
        line = await reader.readuntil(b"\r\n")
        out += line
        size_text = line[:-2].split(b";", 1)[0].strip()
        try:
            size = int(size_text, 16)
        except ValueError:
            raise HttpError("bad chunk size %r" % size_text[:20])
        if size == 0:
            while True:
                trailer = await reader.readuntil(b"\r\n")
                out += trailer
                if trailer == b"\r\n":
                    return bytes(out)
        out += await reader.readexactly(size + 2)


async def read_body(reader, headers):
    """Returns a request body verbatim, framed by chunked or Content-Length (else empty)."""
    coding = headers.get("transfer-encoding", "").lower()
    if coding:
        if coding.split(",")[-1].strip() != "chunked":
            raise HttpError("unsupported transfer coding %r" % coding)
        return await read_chunked(reader)
    if "content-length" in headers:
        try:
            length = int(headers["content-length"])
        except ValueError:
            raise HttpError("bad Content-Length %r" % headers["content-length"])
        if length < 0:
            raise HttpError("bad Content-Length %r" % headers["content-length"])
        return await reader.readexactly(length)
    return b""


async def read_response(reader, method):
    """Returns (the whole response verbatim, whether the connection ends after it)."""
    out = bytearray()
    while True:
        head = await read_head(reader)
        if head is None:
            raise HttpError("upstream closed before a response")
        start, headers = parse_head(head)
        try:
            status = int(start[1])
        except ValueError:
            raise HttpError("bad status line %r" % head[:80])
        out += head
        if 100 <= status < 200 and status != 101:
            continue  # An interim response; the final one follows.
        close_after = "close" in headers.get("connection", "").lower() or start[0] == "HTTP/1.0"
        if method == "HEAD" or status in (204, 304):
            return bytes(out), close_after
        if "chunked" in headers.get("transfer-encoding", "").lower():
            out += await read_chunked(reader)
        elif "content-length" in headers:
            out += await reader.readexactly(int(headers["content-length"]))
        else:
            out += await reader.read()  # Delimited by the end of the connection.
            close_after = True
        return bytes(out), close_after


def error_response(status, retry_after, keep_alive):
    reason = {503: "Service Unavailable", 429: "Too Many Requests"}[status]
    body = json.dumps({"data": {"status": "error",
                                "message": "fault proxy: injected %d %s" % (status, reason)}},
                      separators=(",", ":")).encode()
    head = ("HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nRetry-After: %d\r\n"
            "Content-Length: %d\r\nConnection: %s\r\n\r\n"
            % (status, reason, retry_after, len(body), "keep-alive" if keep_alive else "close"))
    return head.encode() + body


class Proxy:
    def __init__(self, args, rules):
        self.args = args
        self.rules = rules
        self.upstream_host, self.upstream_port = args.upstream
        self.stop_event = asyncio.Event()
        self.stopped_by = None
        self.tasks = set()
        self.started = time.monotonic()
        self.counts = {
            "connections": 0, "requests": 0, "forwarded": 0, "responses_relayed": 0,
            "upstream_errors": 0, "client_errors": 0, "refused_over_limit": 0, "slice_pieces": 0,
        }
        self.faults = {f: 0 for f in FAULTS}
        self.decisions = []

    def stop(self, why):
        if self.stopped_by is None:
            self.stopped_by = why
        self.stop_event.set()

    def log(self, text):
        if self.args.verbose:
            print("fault_proxy: " + text, file=sys.stderr, flush=True)

    def summary(self):
        return {
            "seed": self.args.seed, "plan": self.args.plan,
            "upstream": "%s:%d" % (self.upstream_host, self.upstream_port),
            "stopped_by": self.stopped_by, "seconds": round(time.monotonic() - self.started, 3),
            **self.counts, "faults": self.faults,
            "decisions": [[d.index, d.label()] for d in self.decisions[:MAX_DECISIONS_LOGGED]],
        }

    async def on_client(self, reader, writer):
        task = asyncio.current_task()
        self.tasks.add(task)
        self.counts["connections"] += 1
        try:
            await Connection(self, reader, writer).run()
        except asyncio.CancelledError:
            reset(writer)
        finally:
            self.tasks.discard(task)


class Connection:
    """One client connection and its own upstream connection, opened when first needed."""

    def __init__(self, proxy, reader, writer):
        self.proxy = proxy
        self.creader, self.cwriter = reader, writer
        self.ureader = self.uwriter = None

    async def run(self):
        p = self.proxy
        try:
            while await self.serve_one():
                pass
        except (HttpError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, ConnectionError, OSError) as e:
            p.counts["client_errors"] += 1
            p.log("connection error: %s" % e)
            reset(self.cwriter)
        finally:
            close(self.uwriter)
            close(self.cwriter)

    async def ensure_upstream(self):
        if self.uwriter is None or self.uwriter.transport.is_closing():
            self.ureader, self.uwriter = await asyncio.open_connection(
                self.proxy.upstream_host, self.proxy.upstream_port, limit=MAX_HEAD_BYTES)

    async def write(self, writer, data, decision):
        if decision.fault != "slice":
            writer.write(data)
            await writer.drain()
            return
        i = 0
        pieces = 0
        every = self.proxy.args.slice_pause_every
        end = len(data) if not self.proxy.args.slice_bytes else min(len(data), self.proxy.args.slice_bytes)
        while i < end:
            n = decision.rng.randint(1, 7)
            writer.write(data[i:i + n])
            await writer.drain()
            i += n
            pieces += 1
            # Yields on every piece so each is its own send(); pauses now and then so the peer
            # reads them one by one, without making a 1 MB body take minutes.
            await asyncio.sleep(0.001 if pieces % every == 0 else 0)
        if i < len(data):
            writer.write(data[i:])
            await writer.drain()
        self.proxy.counts["slice_pieces"] += pieces

    async def serve_one(self):
        """Handles one request; returns whether the connection stays open for another."""
        p = self.proxy
        head = await read_head(self.creader)
        if head is None:
            return False
        start, headers = parse_head(head)
        method = start[0]
        p.counts["requests"] += 1
        index = p.counts["requests"]
        if index > p.args.max_requests:
            p.counts["refused_over_limit"] += 1
            reset(self.cwriter)
            return False
        d = decide(p.rules, p.args.seed, index)
        if d.latency_ms:
            p.faults["latency"] += 1
        if d.fault:
            p.faults[d.fault] += 1
        if d.latency_ms or d.fault:
            p.decisions.append(d)
            p.log("request %d %s %s: %s" % (index, method, start[1][:60], d.label()))
        try:
            return await self.act(d, head, headers, method, start)
        finally:
            if index >= p.args.max_requests:
                p.stop("max-requests")

    async def act(self, d, head, headers, method, start):
        p = self.proxy
        if d.fault == "reset_before":
            reset(self.cwriter)
            return False
        if d.fault == "stall":
            # Reads and drops whatever the client sends until it closes.
            while await self.creader.read(65536):
                pass
            return False
        if "100-continue" in headers.get("expect", "").lower():
            # Answers the expectation here so the whole body can be read before deciding.
            self.cwriter.write(b"HTTP/1.1 100 Continue\r\n\r\n")
            await self.cwriter.drain()
            head = without_header(head, "expect")
        body = await read_body(self.creader, headers)
        wants_close = "close" in headers.get("connection", "").lower() or (
            len(start) > 2 and start[2] == "HTTP/1.0" and "keep-alive" not in headers.get("connection", "").lower())
        if d.latency_ms:
            await asyncio.sleep(d.latency_ms / 1000.0)
        if d.fault in ("503", "429"):
            await self.write(self.cwriter, error_response(int(d.fault), d.value, not wants_close), d)
            return not wants_close
        try:
            await self.ensure_upstream()
        except OSError as e:
            p.counts["upstream_errors"] += 1
            p.log("upstream connect failed: %s" % e)
            body502 = b'{"data":{"status":"error","message":"fault proxy: upstream unreachable"}}'
            self.cwriter.write(b"HTTP/1.1 502 Bad Gateway\r\nContent-Type: application/json\r\n"
                               b"Content-Length: %d\r\nConnection: close\r\n\r\n" % len(body502) + body502)
            await self.cwriter.drain()
            return False
        if d.fault == "reset_during":
            self.uwriter.write(head + body[:len(body) // 2])
            await self.uwriter.drain()
            await asyncio.sleep(RESET_DURING_PAUSE_S)
            reset(self.uwriter)
            reset(self.cwriter)
            return False
        try:
            await self.write(self.uwriter, head + body, d)
            response, upstream_closes = await read_response(self.ureader, method)
        except (HttpError, asyncio.IncompleteReadError, asyncio.LimitOverrunError, OSError) as e:
            # Mirrors a server that died mid-exchange: the client sees its connection reset.
            p.counts["upstream_errors"] += 1
            p.log("upstream failed during request %d: %s" % (d.index, e))
            reset(self.uwriter)
            reset(self.cwriter)
            return False
        p.counts["forwarded"] += 1
        if upstream_closes:
            close(self.uwriter)
        if d.fault == "reset_after":
            reset(self.cwriter)
            return False
        await self.write(self.cwriter, response, d)
        p.counts["responses_relayed"] += 1
        return not (upstream_closes or wants_close)


def host_port(text):
    host, sep, port = text.rpartition(":")
    if not sep or not host or not port.isdigit() or int(port) > 65535:
        raise argparse.ArgumentTypeError("expected HOST:PORT, got %r" % text)
    return host, int(port)


def positive(kind):
    def check(text):
        value = kind(text)
        if value <= 0:
            raise argparse.ArgumentTypeError("must be positive, got %r" % text)
        return value
    return check


def parse_args(argv):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--listen", type=host_port, default=("127.0.0.1", 0), help="HOST:PORT (port 0 picks one)")
    ap.add_argument("--upstream", type=host_port, required=True, help="the server's HOST:PORT")
    ap.add_argument("--seed", type=int, default=1, help="seed of every decision")
    ap.add_argument("--plan", default="", help="comma-separated FAULT:PROBABILITY / FAULT@N rules")
    ap.add_argument("--log", help="write the JSON summary here instead of stderr")
    ap.add_argument("--max-seconds", type=positive(float), default=300.0, help="stop after this long")
    ap.add_argument("--max-requests", type=positive(int), default=100000, help="stop after this many requests")
    ap.add_argument("--slice-pause-every", type=positive(int), default=64,
                    help="slice: pause 1 ms after this many pieces (yield after each)")
    ap.add_argument("--slice-bytes", type=int, default=0,
                    help="slice: cut only the first N bytes of each message, send the rest at once (0: all)")
    ap.add_argument("-v", "--verbose", action="store_true", help="log each fault on stderr")
    args = ap.parse_args(argv)
    try:
        rules = parse_plan(args.plan)
    except PlanError as e:
        ap.error(str(e))
    return args, rules


async def serve(args, rules):
    proxy = Proxy(args, rules)
    server = await asyncio.start_server(proxy.on_client, args.listen[0], args.listen[1], limit=MAX_HEAD_BYTES)
    port = server.sockets[0].getsockname()[1]
    print("listening on http://%s:%d" % (args.listen[0], port), flush=True)
    loop = asyncio.get_running_loop()
    for sig, name in ((signal.SIGTERM, "SIGTERM"), (signal.SIGINT, "SIGINT")):
        loop.add_signal_handler(sig, proxy.stop, name)
    try:
        await asyncio.wait_for(proxy.stop_event.wait(), timeout=args.max_seconds)
    except asyncio.TimeoutError:
        proxy.stop("max-seconds")
    server.close()
    for task in list(proxy.tasks):
        task.cancel()
    if proxy.tasks:
        await asyncio.wait(list(proxy.tasks), timeout=5)
    text = json.dumps(proxy.summary(), indent=1)
    if args.log:
        with open(args.log, "w", encoding="utf-8") as f:
            f.write(text + "\n")
    else:
        print(text, file=sys.stderr, flush=True)
    return 0


def main(argv=None):
    args, rules = parse_args(sys.argv[1:] if argv is None else argv)
    return asyncio.run(serve(args, rules))


if __name__ == "__main__":
    sys.exit(main())
