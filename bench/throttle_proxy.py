#!/usr/bin/env python3
"""A bandwidth-limited link on loopback, for benchmarks: a TCP proxy on 127.0.0.1 that forwards
to an upstream port on 127.0.0.1 and lets the client->server direction through at RATE bytes/s
shared by all connections (one token bucket, like one uplink). Answers flow back unthrottled.

    bench/throttle_proxy.py --listen 18081 --upstream 18080 --rate 20MB [--max-seconds 600]
    bench/throttle_proxy.py ... --rate 8MB --then 40MB --after 3   (a link that speeds up)

With --then, the rate changes to the --then rate --after seconds once the first byte went
through: a link whose bandwidth changes mid-load, where no fixed gzip level suits both parts.

Touches no system setting (no tc, no qdisc): it is a plain process that stops by itself after
--max-seconds, or on SIGTERM/SIGINT. Prints "ready PORT" on stdout once it listens.
"""
import argparse
import asyncio
import signal
import sys
import time

CHUNK = 64 * 1024


def parse_rate(text: str) -> float:
    units = {"KB": 1e3, "MB": 1e6, "GB": 1e9, "KIB": 2**10, "MIB": 2**20}
    t = text.upper()
    for unit, mult in units.items():
        if t.endswith(unit):
            return float(t[: -len(unit)]) * mult
    return float(t)


class Bucket:
    """One token bucket for the whole link: each chunk waits until the link could carry it."""

    def __init__(self, rate: float, then: float = 0, after: float = 0):
        self.rate = rate
        self.then = then
        self.after = after
        self.first = None  # when the first byte went through
        self.next_free = time.monotonic()
        self.lock = asyncio.Lock()

    async def take(self, n: int) -> None:
        async with self.lock:
            now = time.monotonic()
            if self.first is None:
                self.first = now
            rate = self.then if self.then and now - self.first >= self.after else self.rate
            start = max(now, self.next_free)
            self.next_free = start + n / rate
            delay = self.next_free - now
        if delay > 0:
            await asyncio.sleep(delay)


async def pipe(reader, writer, bucket):
    try:
        while True:
            data = await reader.read(CHUNK)
            if not data:
                break
            if bucket is not None:
                await bucket.take(len(data))
            writer.write(data)
            await writer.drain()
    except (ConnectionError, asyncio.CancelledError):
        pass
    finally:
        try:
            writer.close()
        except Exception:
            pass


async def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--listen", type=int, required=True, help="port on 127.0.0.1 (0: any free)")
    ap.add_argument("--upstream", type=int, required=True, help="port of the server on 127.0.0.1")
    ap.add_argument("--rate", required=True, help="client->server bytes/s, e.g. 20MB, 500KB")
    ap.add_argument("--then", help="the rate after --after seconds (default: --rate throughout)")
    ap.add_argument("--after", type=float, default=0,
                    help="seconds after the first byte when --then takes over")
    ap.add_argument("--max-seconds", type=float, default=900, help="stop after this long")
    args = ap.parse_args()
    bucket = Bucket(parse_rate(args.rate), parse_rate(args.then) if args.then else 0, args.after)

    async def handle(client_reader, client_writer):
        try:
            up_reader, up_writer = await asyncio.open_connection("127.0.0.1", args.upstream)
        except OSError:
            client_writer.close()
            return
        await asyncio.gather(pipe(client_reader, up_writer, bucket),
                             pipe(up_reader, client_writer, None))

    server = await asyncio.start_server(handle, "127.0.0.1", args.listen)
    port = server.sockets[0].getsockname()[1]
    print(f"ready {port}", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    try:
        await asyncio.wait_for(stop.wait(), timeout=args.max_seconds)
    except asyncio.TimeoutError:
        pass
    server.close()
    return 0


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
