#!/usr/bin/env python3
"""dsfill through a real forward proxy (Debian's tinyproxy) with Basic credentials.

Everything on 127.0.0.1: `dsfill serve` (SQLite), nginx terminating TLS in front of it (a CA and
certificate made with openssl), tinyproxy with BasicAuth:
  1. plain http through the proxy from HTTP_PROXY (absolute-form requests), credentials in the
     variable's URL: every row once, the proxy's log shows the requests, the summary names the
     proxy without its credentials;
  2. https through a CONNECT tunnel (--proxy, credentials from DSFILL_PROXY_USER), TLS verified
     end to end with nginx: every row once, the log shows CONNECT;
  3. NO_PROXY naming the host bypasses a (dead) proxy: the load goes direct;
  4. a dead proxy: exit 5 after retries, the message names the proxy;
  5. wrong and missing credentials: 407 (401 to a CONNECT), exit 5 at once (no retries), for CONNECT and plain;
  6. credentials on the command line are refused (exit 2) without echoing them.
No credential appears in any output. Usage: proxy_test.py DSFILL GEN_CSV. Skips (exit 0,
saying so) when tinyproxy, nginx or openssl is missing. Each process has a timeout.
"""
import collections
import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import nginx_test  # noqa: E402  (certificates, ports, the stored rows, stopping)

TINYPROXY = shutil.which("tinyproxy") or "/usr/bin/tinyproxy"
ROWS = 5000
USER, PASSWORD = "dsfill", "s3cr3t-Pa55.word"


def wait_port(port):
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError("nothing listens on %d" % port)


def main():
    dsfill, gen_csv = sys.argv[1], sys.argv[2]
    if not os.path.exists(TINYPROXY) or not os.path.exists(nginx_test.NGINX) \
            or shutil.which("openssl") is None:
        print("proxy_test: SKIPPED: tinyproxy, nginx or openssl missing (scripts/bootstrap.sh)")
        return 0
    d = tempfile.mkdtemp(prefix="dsfill-proxy-")
    procs = []
    failures = []

    def check(cond, what):
        if not cond:
            failures.append(what)
            print("proxy_test: FAIL: " + what)

    try:
        nginx_test.make_certificates(d)
        csv = os.path.join(d, "in.csv")
        subprocess.run([sys.executable, gen_csv, "--rows", str(ROWS), "--hard", "-o", csv],
                       check=True, timeout=60)
        db = os.path.join(d, "store.db")
        server = subprocess.Popen([dsfill, "serve", "--listen", "127.0.0.1:0", "--db", db,
                                   "--auto-create"], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        procs.append(server)
        upstream = int(server.stdout.readline().strip().rsplit(":", 1)[1])
        tls_port = nginx_test.free_port()
        os.makedirs(os.path.join(d, "body"))
        os.makedirs(os.path.join(d, "proxy"))
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(nginx_test.nginx_conf(d, upstream, {"server": tls_port}))
        procs.append(subprocess.Popen([nginx_test.NGINX, "-p", d, "-c",
                                       os.path.join(d, "nginx.conf")],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        proxy_port = nginx_test.free_port()
        log = os.path.join(d, "tinyproxy.log")
        with open(os.path.join(d, "tinyproxy.conf"), "w") as f:
            f.write("Port %d\nListen 127.0.0.1\nTimeout 30\nLogFile \"%s\"\nLogLevel Info\n"
                    "PidFile \"%s/tinyproxy.pid\"\nMaxClients 64\nAllow 127.0.0.1\n"
                    "BasicAuth %s %s\nDisableViaHeader Yes\n"
                    % (proxy_port, log, d, USER, PASSWORD))
        procs.append(subprocess.Popen([TINYPROXY, "-d", "-c", os.path.join(d, "tinyproxy.conf")],
                                      stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_port(tls_port)
        wait_port(proxy_port)
        dead_port = nginx_test.free_port()
        want = collections.Counter(str(i) for i in range(1, ROWS + 1))
        ca = os.path.join(d, "ca.pem")
        plain_url = "http://127.0.0.1:%d/" % upstream
        tls_url = "https://localhost:%d/" % tls_port
        proxy = "http://127.0.0.1:%d" % proxy_port
        with_creds = "http://%s:%s@127.0.0.1:%d" % (USER, PASSWORD, proxy_port)
        outputs = []

        def load(url, *extra, env=None, mode="replace", timeout=120):
            summary = os.path.join(d, "summary.json")
            if os.path.exists(summary):
                os.remove(summary)
            cmd = [dsfill, "load", csv, "--url", url, "--user-code", "u1", "--dataset-code", "d1",
                   "--mode", mode, "--progress", "never", "--level", "1", "--batch-rows", "500",
                   "--summary-json", summary, *extra]
            clean = {k: v for k, v in os.environ.items()
                     if k.lower() not in ("http_proxy", "https_proxy", "all_proxy", "no_proxy")}
            clean["DSFILL_TOKEN"] = ""
            # A state directory per run: the default checkpoint of one run (an unfinished one,
            # say) must not meet the next's, which loads the same file again.
            clean["STATE_DIRECTORY"] = tempfile.mkdtemp(dir=d)
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                               env=dict(clean, **(env or {})))
            text = open(summary).read() if os.path.exists(summary) else "{}"
            outputs.append(p.stdout + p.stderr + text)
            return p, json.loads(text)

        def log_lines(needle):
            return sum(1 for line in open(log, errors="replace") if needle in line)

        # 1. Plain http, the proxy from HTTP_PROXY with credentials in its URL.
        p, s = load(plain_url, env={"HTTP_PROXY": with_creds})
        check(p.returncode == 0, "plain via proxy: exit %d: %s" % (p.returncode, p.stderr))
        check(nginx_test.stored_ids(db) == want, "plain via proxy: rows differ")
        forwarded = log_lines("POST http://127.0.0.1:%d/dataset-fill" % upstream)
        check(forwarded >= ROWS // 500, "the proxy's log shows %d fills" % forwarded)
        check(s.get("proxy", "").startswith(proxy + " (from HTTP_PROXY)"),
              "summary's proxy: %r" % s.get("proxy"))
        print("proxy_test: plain http via tinyproxy: exit %d, %d fills in its log, proxy %r"
              % (p.returncode, forwarded, s.get("proxy")))

        # 2. https through CONNECT, --proxy, credentials from DSFILL_PROXY_USER.
        p, s = load(tls_url, "--cacert", ca, "--proxy", proxy,
                    env={"DSFILL_PROXY_USER": USER + ":" + PASSWORD})
        check(p.returncode == 0, "https via CONNECT: exit %d: %s" % (p.returncode, p.stderr))
        check(nginx_test.stored_ids(db) == want, "https via CONNECT: rows differ")
        tunnels = log_lines("CONNECT localhost:%d" % tls_port)
        check(tunnels >= 1, "the proxy's log shows no CONNECT")
        print("proxy_test: https via CONNECT: exit %d, %d tunnels, %d requests"
              % (p.returncode, tunnels, s.get("requests", 0)))

        # 3. NO_PROXY bypasses a proxy that would fail.
        p, s = load(tls_url, "--cacert", ca,
                    env={"HTTPS_PROXY": "http://127.0.0.1:%d" % dead_port,
                         "NO_PROXY": "example.com, localhost"})
        check(p.returncode == 0, "NO_PROXY: exit %d: %s" % (p.returncode, p.stderr))
        check("NO_PROXY matches localhost" in s.get("proxy", ""), "NO_PROXY: %r" % s.get("proxy"))
        check(nginx_test.stored_ids(db) == want, "NO_PROXY: rows differ")

        # 4. A dead proxy: the network exit after retries, naming the proxy.
        started = time.monotonic()
        p, s = load(tls_url, "--cacert", ca, "--retries", "2",
                    env={"HTTPS_PROXY": "http://127.0.0.1:%d" % dead_port}, mode="append")
        check(p.returncode == 5 and "cannot reach the proxy http://127.0.0.1:%d" % dead_port
              in p.stderr, "dead proxy: exit %d: %s" % (p.returncode, p.stderr))
        check(s.get("retries", 0) >= 1, "dead proxy: not retried: %s" % s.get("retries"))
        print("proxy_test: dead proxy: exit %d after %.1f s, %d retries: %s"
              % (p.returncode, time.monotonic() - started, s.get("retries", 0),
                 p.stderr.strip().splitlines()[-1][:160]))

        # 5. 407: wrong and missing credentials, not retried; nothing stored.
        for url, extra, env, what in (
                (tls_url, ("--cacert", ca), {"HTTPS_PROXY": "http://%s:wrong@127.0.0.1:%d"
                                             % (USER, proxy_port)}, "refused the credentials"),
                (tls_url, ("--cacert", ca, "--proxy", proxy), {}, "asks for credentials"),
                (plain_url, (), {"HTTP_PROXY": proxy}, "asks for credentials")):
            p, s = load(url, *extra, env=env, mode="append")
            # tinyproxy answers a CONNECT with wrong credentials 401, a plain request 407.
            check(p.returncode == 5 and ("407" in p.stderr or "401" in p.stderr)
                  and what in p.stderr,
                  "407 (%s): exit %d: %s" % (what, p.returncode, p.stderr))
            check(s.get("retries", 1) == 0, "407 retried %s times" % s.get("retries"))
        check(nginx_test.stored_ids(db) == want, "a refused load changed the rows")
        print("proxy_test: 407: %s" % p.stderr.strip().splitlines()[-1][:200])

        # 6. Credentials on the command line: refused, not echoed.
        p, s = load(plain_url, "--proxy", with_creds)
        check(p.returncode == 2 and "DSFILL_PROXY_USER" in p.stderr,
              "--proxy with credentials: exit %d: %s" % (p.returncode, p.stderr))
        check(nginx_test.stored_ids(db) == want, "refused --proxy changed the rows")

        leaked = [o for o in outputs if PASSWORD in o]
        check(not leaked, "the password appears in %d outputs" % len(leaked))
    finally:
        nginx_test.stop_processes(procs)
        shutil.rmtree(d, ignore_errors=True)
    if failures:
        return 1
    print("proxy_test: all cases passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
