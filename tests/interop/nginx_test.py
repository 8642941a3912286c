#!/usr/bin/env python3
"""dsfill through real nginx (Debian's nginx-light) terminating TLS in front of `dsfill serve`.

Everything on 127.0.0.1, with a CA and certificates this test makes with openssl:
  1. a load through nginx over https with --cacert, where nginx's client_max_body_size 256k
     refuses the batches as too large (413): dsfill splits them, every row is stored exactly
     once, and the summary counts the splits;
  2. the fill URL as the API documentation prints it (.../dataset-fill) loads like the base;
  3. a certificate from an unknown CA, one for another host name, and an expired one fail at
     once (one request, no retries) with the reason in the message; --insecure loads anyway,
     with its warning;
  4. a CA directory (--capath) verifies like --cacert;
  5. mTLS: nginx with ssl_verify_client on stores the load of a client with --cert/--key and
     refuses one without them (exit 4, nothing stored);
  6. redirects: a 308 is followed (and remembered), a 307 followed for each request, a 301
     stops the load naming where it points.

Usage: nginx_test.py DSFILL GEN_CSV. Exits 0 when every case passes; skips (exit 0, saying so)
when nginx or openssl is not installed. Bounded: each process has a timeout, all are stopped.
"""
import collections
import json
import os
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time

NGINX = shutil.which("nginx") or "/usr/sbin/nginx"
ROWS = 20000


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, timeout=60,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_certificates(d):
    """A CA, a server certificate for localhost/127.0.0.1 it signs, and a stranger CA's
    certificate for the same names; one for another name (wrong.example) by the real CA."""
    for ca in ("ca", "other-ca"):
        openssl("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", ca + ".key",
                "-out", ca + ".pem", "-days", "2", "-subj", "/CN=dsfill test " + ca, cwd=d)

    def leaf(name, ca, san, days="2", usage=None):
        openssl("req", "-newkey", "rsa:2048", "-nodes", "-keyout", name + ".key", "-out",
                name + ".csr", "-subj", "/CN=" + san.split(",")[0].split(":")[1], cwd=d)
        with open(os.path.join(d, name + ".ext"), "w") as f:
            f.write("subjectAltName=" + san + "\n")
            if usage:
                f.write("extendedKeyUsage=" + usage + "\n")
        openssl("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem", "-CAkey", ca + ".key",
                "-CAcreateserial", "-out", name + ".pem", "-days", days, "-extfile", name + ".ext",
                cwd=d)

    leaf("server", "ca", "DNS:localhost,IP:127.0.0.1")
    leaf("stranger", "other-ca", "DNS:localhost,IP:127.0.0.1")
    leaf("wrongname", "ca", "DNS:wrong.example")
    leaf("expired", "ca", "DNS:localhost,IP:127.0.0.1", days="-1")
    leaf("client", "ca", "DNS:dsfill-client", usage="clientAuth")
    # A CA directory as --capath wants it: certificates under their subject-hash names.
    os.makedirs(os.path.join(d, "cadir"))
    shutil.copy(os.path.join(d, "ca.pem"), os.path.join(d, "cadir", "ca.pem"))
    openssl("rehash", os.path.join(d, "cadir"), cwd=d)


# Server blocks that present the server certificate with more directives than the others.
EXTRA = {
    "mtls": "ssl_verify_client on; ssl_client_certificate %s/ca.pem;",
    # Moved APIs as nginx says so: permanent (308), temporary (307), and a 301 not followed.
    "server": "location ~ ^/old/(.*)$ { return 308 /$1; } "
              "location ~ ^/tmp/(.*)$ { return 307 /$1; } location /gone/ { return 301 /; }",
}
CERT_OF = {"mtls": "server"}


def nginx_conf(d, upstream, ports):
    servers = []
    for name, port in ports.items():
        cert = CERT_OF.get(name, name)
        extra = EXTRA[name].replace("%s", d) if name in EXTRA else ""
        servers.append("""
    server {
        listen 127.0.0.1:%d ssl;
        ssl_certificate %s/%s.pem;
        ssl_certificate_key %s/%s.key;
        client_max_body_size 256k;
        %s
        location / { proxy_pass http://127.0.0.1:%d; proxy_http_version 1.1; }
    }""" % (port, d, cert, d, cert, extra, upstream))
    return """
daemon off;
master_process off;
worker_processes 1;
user root;
pid %s/nginx.pid;
error_log %s/nginx-error.log warn;
events { worker_connections 128; }
http {
    access_log %s/nginx-access.log;
    client_body_temp_path %s/body;
    proxy_temp_path %s/proxy;
    %s
}
""" % (d, d, d, d, d, "\n".join(servers))


def stop_processes(procs):
    """Terminates every process, then kills those still running after 10 s."""
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


def stored_ids(db):
    con = sqlite3.connect("file:%s?mode=ro" % db, uri=True, timeout=10)
    try:
        table = con.execute("SELECT table_name FROM datasets WHERE user_code='u1' AND "
                            "dataset_code='d1'").fetchone()
        if table is None:
            return collections.Counter()
        return collections.Counter(r[0] for r in con.execute('SELECT "RowId" FROM %s' % table[0]))
    finally:
        con.close()


def main():
    dsfill, gen_csv = sys.argv[1], sys.argv[2]
    if not os.path.exists(NGINX) or shutil.which("openssl") is None:
        print("nginx_test: SKIPPED: nginx or openssl is not installed (scripts/bootstrap.sh)")
        return 0
    d = tempfile.mkdtemp(prefix="dsfill-nginx-")
    procs = []
    failures = []
    try:
        make_certificates(d)
        csv = os.path.join(d, "in.csv")
        subprocess.run([sys.executable, gen_csv, "--rows", str(ROWS), "--hard", "-o", csv],
                       check=True, timeout=60)
        db = os.path.join(d, "store.db")
        server = subprocess.Popen([dsfill, "serve", "--listen", "127.0.0.1:0", "--db", db,
                                   "--auto-create"], stdout=subprocess.PIPE,
                                  stderr=subprocess.DEVNULL, text=True)
        procs.append(server)
        line = server.stdout.readline()
        upstream = int(line.strip().rsplit(":", 1)[1])
        ports = {name: free_port()
                 for name in ("server", "stranger", "wrongname", "expired", "mtls")}
        os.makedirs(os.path.join(d, "body"))
        os.makedirs(os.path.join(d, "proxy"))
        with open(os.path.join(d, "nginx.conf"), "w") as f:
            f.write(nginx_conf(d, upstream, ports))
        nginx = subprocess.Popen([NGINX, "-p", d, "-c", os.path.join(d, "nginx.conf")],
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        procs.append(nginx)
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", ports["server"]), timeout=1).close()
                break
            except OSError:
                time.sleep(0.05)

        def load(url, *extra, mode="append", timeout=120):
            summary = os.path.join(d, "summary.json")
            if os.path.exists(summary):
                os.remove(summary)
            cmd = [dsfill, "load", csv, "--url", url, "--user-code", "u1", "--dataset-code", "d1",
                   "--mode", mode, "--progress", "never", "--level", "1", "--retries", "3",
                   "--summary-json", summary, *extra]
            # A state directory per run: each load of the same file is a new one.
            p = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout,
                               env=dict(os.environ, DSFILL_TOKEN="",
                                        STATE_DIRECTORY=tempfile.mkdtemp(dir=d)))
            data = json.load(open(summary)) if os.path.exists(summary) else {}
            return p, data

        def check(cond, what):
            if not cond:
                failures.append(what)
                print("nginx_test: FAIL: " + what)

        # 1. https through nginx, bodies over its 256k limit: split, every row once.
        base = "https://localhost:%d/" % ports["server"]
        p, s = load(base, "--cacert", os.path.join(d, "ca.pem"), mode="replace")
        check(p.returncode == 0, "load through nginx: exit %d: %s" % (p.returncode, p.stderr))
        ids = stored_ids(db)
        want = collections.Counter(str(i) for i in range(1, ROWS + 1))
        check(ids == want, "through nginx: %d rows stored, %d distinct, want %d once each"
              % (sum(ids.values()), len(ids), ROWS))
        check(s.get("size_splits", 0) > 0, "no splits counted: %s" % s)
        check(0 < s.get("largest_body_stored", 0) <= 256 * 1024,
              "largest body stored %s over nginx's limit" % s.get("largest_body_stored"))
        access = open(os.path.join(d, "nginx-access.log")).read()
        check(" 413 " in access, "nginx never answered 413")
        print("nginx_test: through nginx: %d rows once, %d splits, %d requests, largest body %d"
              % (len(ids), s.get("size_splits", 0), s.get("requests", 0),
                 s.get("largest_body_stored", 0)))

        # 2. The documented endpoint URL, over the same TLS, replace: the same rows again.
        p, s = load(base + "dataset-fill", "--cacert", os.path.join(d, "ca.pem"),
                    "--max-body-bytes", "200KB", mode="replace")
        check(p.returncode == 0, "endpoint URL: exit %d: %s" % (p.returncode, p.stderr))
        check(stored_ids(db) == want, "endpoint URL: rows differ")
        check(s.get("smallest_body_refused", 1) == 0,
              "--max-body-bytes 200KB still met a 413: %s" % s)

        # 3. Certificates that fail verification: at once, with the reason.
        for cert, reason in (("stranger", "unable to get local issuer certificate"),
                             ("wrongname", "mismatch"), ("expired", "certificate has expired")):
            url = "https://localhost:%d/" % ports[cert]
            started = time.monotonic()
            p, s = load(url, "--cacert", os.path.join(d, "ca.pem"), timeout=60)
            took = time.monotonic() - started
            check(p.returncode == 5, "%s: exit %d, want 5" % (cert, p.returncode))
            check(reason in p.stderr and "not retried" in p.stderr,
                  "%s: the reason is missing: %s" % (cert, p.stderr.strip()))
            check(s.get("retries", 1) == 0, "%s: retried %s times" % (cert, s.get("retries")))
            print("nginx_test: %s certificate: exit %d after %.2f s: %s"
                  % (cert, p.returncode, took, p.stderr.strip().splitlines()[-1][:160]))
        p, s = load("https://localhost:%d/" % ports["stranger"], "--insecure", mode="replace")
        check(p.returncode == 0, "--insecure: exit %d: %s" % (p.returncode, p.stderr))
        check("NOT verified" in p.stderr, "--insecure printed no warning: %s" % p.stderr)
        check(stored_ids(db) == want, "--insecure: rows differ")

        # 4. A CA directory verifies as the CA file does.
        p, s = load(base, "--capath", os.path.join(d, "cadir"), "--max-body-bytes", "200KB",
                    mode="replace")
        check(p.returncode == 0, "--capath: exit %d: %s" % (p.returncode, p.stderr))
        check(stored_ids(db) == want, "--capath: rows differ")

        # 5. mTLS: the client certificate is what lets the load in.
        mtls = "https://localhost:%d/" % ports["mtls"]
        ca = os.path.join(d, "ca.pem")
        p, s = load(mtls, "--cacert", ca, "--max-body-bytes", "200KB", mode="replace")
        check(p.returncode == 4, "mTLS without --cert: exit %d, want 4: %s"
              % (p.returncode, p.stderr))
        check(stored_ids(db) == want, "mTLS without --cert changed the rows")
        print("nginx_test: mTLS without a client certificate: exit %d: %s"
              % (p.returncode, p.stderr.strip().splitlines()[-1][:160] if p.stderr else ""))
        p, s = load(mtls, "--cacert", ca, "--cert", os.path.join(d, "client.pem"), "--key",
                    os.path.join(d, "client.key"), "--max-body-bytes", "200KB", mode="replace")
        check(p.returncode == 0, "mTLS with --cert/--key: exit %d: %s" % (p.returncode, p.stderr))
        check(stored_ids(db) == want, "mTLS: rows differ")

        # 6. Redirects from nginx.
        ca_args = ("--cacert", ca, "--max-body-bytes", "200KB")
        p, s = load(base + "old/", *ca_args, mode="replace")
        check(p.returncode == 0, "308: exit %d: %s" % (p.returncode, p.stderr))
        check(stored_ids(db) == want, "308: rows differ")
        check(s.get("moved_to", "").startswith("/dataset-") and 0 < s.get("redirects", 0) < 4,
              "308 not remembered: %s" % s)
        p, s = load(base + "tmp/", *ca_args, mode="replace")
        check(p.returncode == 0, "307: exit %d: %s" % (p.returncode, p.stderr))
        check(stored_ids(db) == want, "307: rows differ")
        check(s.get("redirects", 0) >= 2 and "moved_to" not in s, "307 not followed: %s" % s)
        p, s = load(base + "gone/", *ca_args)
        check(p.returncode == 4 and "HTTP 301" in p.stderr and "redirects to" in p.stderr,
              "301: exit %d: %s" % (p.returncode, p.stderr))
        check(stored_ids(db) == want, "301 changed the rows")
        print("nginx_test: redirects: 308 and 307 followed, 301: %s"
              % p.stderr.strip().splitlines()[-1][:160])
    finally:
        stop_processes(procs)
        shutil.rmtree(d, ignore_errors=True)
    if failures:
        return 1
    print("nginx_test: all cases passed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
