#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""lab/benign.py: many benign clients at once, for the lab: what a naive
detector flags, and enough flows to bound its false alarms.

  python3 lab/benign.py --server 10.199.0.10 --sources 10.199.3.1,10.199.3.2,... \\
      --seconds 40 --http-rate 90 --dns-rate 60 --results FILE [--seed N]
  python3 lab/benign.py --server 10.199.0.10 --page-sources 10.199.5.1,10.199.5.2,... \\
      --page-gap 0.3,1.5 --page-scheme https --seconds 20

Runs for --seconds, from the --sources addresses (each a client):

  web      new HTTP or HTTPS connections at --http-rate a second (Poisson),
           each with its own user agent, 1 request (Connection: close) or
           2..6 on a keep-alive connection, files of 1 KB to 1 MB, some from
           the slow location (the server sends 64 KB/s)
  bursts   every 3..8 s, 10..40 clients ask at the same moment
  bulk     every 4..10 s, a download of 2 to 5 MB
  long     a few keep-alive sessions of 10..25 s, a request every 1..3 s
  dns      queries for random names at --dns-rate a second, and every
           5..12 s a storm of 100..300 queries within a second

and from --page-sources, browsers that never ask this server's DNS (their
resolver is elsewhere, as a web server's clients' usually is: a network
that sends no one-packet flows is not a flood for that):

  pages    each client opens a page every PAGE-GAP seconds (its own mean,
           drawn in --page-gap): 2..8 parallel connections, HTTP or HTTPS
           (--page-scheme: one of them for every page, as a site that
           serves one, or mixed), keep-alive (1..4 requests) or one request
           each, small assets and now and then a large file; a share of the
           pages by curl --parallel (a C client: its packets come faster)
  rushes   every 4..10 s, most page clients open a page at the same moment

and from --dns-sources, clients that only ask this server's DNS (a
resolver, a device, a monitor: they never send a flow's second packet, so
by ctx_src_return_age_us they never come back, as a spoofed flood's
sources do): the dns queries and storms above, at half the rate.

The per-run share of HTTPS (mixed), of keep-alive connections, of large
files and of curl's pages, and the most connections a page opens, are
drawn from --seed. --part http or dns runs only the --sources clients'
HTTP or only their DNS (the lab runs one process of each: with both in one,
Python's one-thread-at-a-time kept the DNS queries waiting on the HTTP
threads, and a faster server cut them from 7,100 to 1,600 a run).
Results go to --results as the lab's lines "KIND ok|fail SECONDS WALLTIME
SRC PORT DPORT" (KIND http or dns; SRC PORT the client's end of the
request's connection or socket, PORT 0 when it never had one: a
connection that did not open, or a curl page's URL still waiting for a
connection when its 3 s were up, whose SECONDS count from the page's
start; DPORT the server's port). lab/report.py matches a failure to
flowforest's drops of that client by them. Bounded:
every request has a 3 s timeout, the whole run --seconds plus 5. Seeded
(--seed). Standard library only.
"""
import argparse
import http.client
import random
import socket
import ssl
import struct
import subprocess
import sys
import threading
import time

AGENTS = [
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/126.0 Safari/537.36",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 Mobile/15E148",
    "curl/7.88.1", "Wget/1.21.3", "python-requests/2.28.1", "Go-http-client/1.1",
    "Debian APT-HTTP/1.3 (2.6.1)", "okhttp/4.12.0",
]
# files the lab's server has (lab_services_start): name and size
FILES = ["/f/1k", "/f/4k", "/f/16k", "/f/64k", "/f/256k", "/f/1m", "/index.html", "/news.html",
         "/robots.txt", "/missing.html"]
BULK = ["/f/2m", "/f/5m"]


class Run:
    def __init__(self, a):
        self.a = a
        self.end = time.monotonic() + a.seconds
        self.lock = threading.Lock()
        # a line a write: other processes append to the same file
        self.out = open(a.results, "a", buffering=1) if a.results else None
        self.ctx = ssl.create_default_context()
        self.ctx.check_hostname = False
        self.ctx.verify_mode = ssl.CERT_NONE
        self.counts = {"http ok": 0, "http fail": 0, "dns ok": 0, "dns fail": 0}

    def result(self, kind, ok, t0, who, dport):
        """One request's line; who: (address, port) of the client's end."""
        k = f"{kind} {'ok' if ok else 'fail'}"
        with self.lock:
            self.counts[k] += 1
            if self.out and not self.out.closed:
                self.out.write(f"{k} {time.monotonic() - t0:.3f} {time.time():.2f} "
                               f"{who[0]} {who[1]} {dport}\n")

    def conn(self, rng, https, src=None):
        src = (src or rng.choice(self.a.sources), 0)
        if https:
            return http.client.HTTPSConnection(self.a.server, 443, timeout=3, source_address=src,
                                               context=self.ctx)
        return http.client.HTTPConnection(self.a.server, 80, timeout=3, source_address=src)

    def session(self, rng, paths, keep, gap=(0, 0), https=None, src=None, ua=None):
        """One connection, len(paths) requests; each result recorded."""
        https = rng.random() < 0.35 if https is None else https
        ua = ua or rng.choice(AGENTS)
        c = self.conn(rng, https, src)
        try:
            for i, p in enumerate(paths):
                t0 = time.monotonic()
                last = i == len(paths) - 1
                ok = False
                who = (c.source_address[0], 0)
                try:
                    c.request("GET", p, headers={"User-Agent": ua, "Accept": "*/*",
                                                 "Connection": "keep-alive" if keep and not last
                                                 else "close"})
                    who = local_end(c.sock, who)
                    r = c.getresponse()
                    r.read()
                    ok = r.status < 400 or (r.status == 404 and p == "/missing.html")
                except (OSError, http.client.HTTPException):
                    self.result("http", False, t0, local_end(c.sock, who), c.port)
                    return
                self.result("http", ok, t0, who, c.port)
                if gap[1] and not last:
                    time.sleep(rng.uniform(*gap))
                if time.monotonic() > self.end + 3:
                    return
        finally:
            c.close()

    def web(self, seed):
        rng = random.Random(seed)
        while time.monotonic() < self.end:
            time.sleep(rng.expovariate(self.a.http_rate / self.a.workers))
            n = 1 if rng.random() < 0.5 else rng.randint(2, 6)
            paths = [rng.choice(FILES) if rng.random() < 0.9 else "/slow" + rng.choice(FILES[:4])
                     for _ in range(n)]
            self.session(rng, paths, keep=n > 1)

    def bursts(self, seed):
        rng = random.Random(seed)
        while True:
            time.sleep(rng.uniform(3, 8))
            if time.monotonic() > self.end - 1:
                return
            ts = [threading.Thread(target=self.session, args=(random.Random(rng.getrandbits(32)),
                                                              [rng.choice(FILES[:3])], False))
                  for _ in range(rng.randint(10, 40))]
            for t in ts:
                t.start()
            for t in ts:
                t.join()

    def bulk(self, seed):
        rng = random.Random(seed)
        while True:
            time.sleep(rng.uniform(4, 10))
            if time.monotonic() > self.end - 2:
                return
            self.session(rng, [rng.choice(BULK)], keep=False)

    def long(self, seed):
        rng = random.Random(seed)
        time.sleep(rng.uniform(0, 5))
        while time.monotonic() < self.end - 10:
            n = rng.randint(5, 10)
            self.session(rng, [rng.choice(FILES[:5]) for _ in range(n)], keep=True, gap=(1, 3))

    def page(self, rng, src, ua):
        """A browser opening a page: its connections in parallel, one scheme."""
        p = self.page_params
        https = {"http": False, "https": True}.get(self.a.page_scheme, rng.random() < p["https"])
        if rng.random() < p["curl"]:
            self.curl_page(rng, src, ua, https)
            return
        ts = []
        for _ in range(rng.randint(2, p["par"])):
            keep = rng.random() < p["keep"]
            paths = [self.page_path(rng) for _ in range(rng.randint(1, 4) if keep else 1)]
            ts.append(threading.Thread(target=self.session,
                                       args=(random.Random(rng.getrandbits(32)), paths, keep),
                                       kwargs={"https": https, "src": src, "ua": ua}, daemon=True))
        for t in ts:
            t.start()
        for t in ts:
            t.join(max(0, self.end + 4 - time.monotonic()))

    def page_path(self, rng):
        if rng.random() < self.page_params["large"]:
            return rng.choice(BULK + FILES[4:6])
        return rng.choice(FILES[:4] + FILES[6:])

    def curl_page(self, rng, src, ua, https):
        """A page by curl: its URLs over up to N parallel connections, reused
        (keep-alive) or closed after each request."""
        p = self.page_params
        conns = rng.randint(2, p["par"])
        urls = [f"{'https' if https else 'http'}://{self.a.server}{self.page_path(rng)}"
                for _ in range(rng.randint(conns, 2 * conns))]
        cmd = ["curl", "-Z", "--parallel-max", str(conns), "-s", "-k", "-m", "3",
               "--interface", src, "-A", ua, "-w", CURL_W]
        if rng.random() >= p["keep"]:
            cmd += ["-H", "Connection: close"]
        for u in urls:
            cmd += ["-o", "/dev/null", u]
        t0 = time.monotonic()
        try:
            out = subprocess.run(cmd, capture_output=True, text=True, timeout=8).stdout
        except (OSError, subprocess.TimeoutExpired):
            out = ""
        for ok, start, who in curl_results(out, len(urls), t0, time.monotonic(), src):
            self.result("http", ok, start, who, 443 if https else 80)

    def pages(self, seed, src):
        rng = random.Random(seed)
        ua = rng.choice(AGENTS)
        mean = rng.uniform(*self.a.page_gap)
        time.sleep(rng.uniform(0, mean))
        while time.monotonic() < self.end:
            self.page(rng, src, ua)
            time.sleep(rng.uniform(0.3, 1.7) * mean)

    def rushes(self, seed):
        rng = random.Random(seed)
        while True:
            time.sleep(rng.uniform(4, 10))
            if time.monotonic() > self.end - 2:
                return
            srcs = rng.sample(self.a.page_sources,
                              rng.randint((len(self.a.page_sources) + 1) // 2,
                                          len(self.a.page_sources)))
            for s in srcs:
                threading.Thread(target=self.page, args=(random.Random(rng.getrandbits(32)), s,
                                                         rng.choice(AGENTS)), daemon=True).start()

    def dns_query(self, rng, sock):
        qid = rng.getrandbits(16)
        name = "".join(rng.choice("abcdefghijklmnopqrstuvwxyz") for _ in range(rng.randint(3, 12)))
        labels = [name, rng.choice(["lab", "www.lab", "mail.lab", "cdn.lab"]), "test"]
        q = b"".join(bytes([len(p)]) + p.encode() for l in labels for p in l.split("."))
        pkt = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0) + q + b"\0" + \
            struct.pack("!HH", rng.choice([1, 1, 1, 28, 15]), 1)
        t0 = time.monotonic()
        try:
            sock.sendto(pkt, (self.a.server, 53))
            while True:
                data = sock.recv(2048)
                if data[:2] == pkt[:2]:
                    break
            self.result("dns", True, t0, local_end(sock, ("?", 0)), 53)
        except OSError:
            self.result("dns", False, t0, local_end(sock, ("?", 0)), 53)

    def dns(self, seed, storms, sources, rate):
        """Queries from sources at rate a second (Poisson), and with storms
        every 5..12 s 100..300 queries one after the other."""
        rng = random.Random(seed)
        next_storm = time.monotonic() + rng.uniform(2, 6)
        while time.monotonic() < self.end:
            if storms and time.monotonic() >= next_storm:
                n = rng.randint(100, 300)
                for _ in range(n):
                    self.one_dns(rng, sources, timeout=0.5)
                next_storm = time.monotonic() + rng.uniform(5, 12)
            time.sleep(rng.expovariate(rate))
            self.one_dns(rng, sources, timeout=2)

    def one_dns(self, rng, sources, timeout):
        s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        s.settimeout(timeout)
        try:
            s.bind((rng.choice(sources), 0))
            self.dns_query(rng, s)
        finally:
            s.close()


# curl's line per URL of a page: its answer, time, and its end of the connection
CURL_W = "%{http_code}|%{time_total}|%{local_ip}|%{local_port}|%{url}\n"


def local_end(sock, fallback):
    """(address, port) of a connected socket's own end, else fallback."""
    try:
        return sock.getsockname()[:2]
    except (AttributeError, OSError):
        return fallback


def curl_results(out, n_urls, t0, now, src):
    """A curl page's results from its CURL_W lines: (ok, start, (address,
    port)) per URL, start on the monotonic clock (now - its time). A URL
    without a connection (port 0: none opened, or still waiting for one
    when its 3 s ran out: curl -Z queues a page's next URLs behind a
    connection that has not answered yet) counts from the page's start t0,
    as does a URL curl wrote no line for (curl killed)."""
    res = []
    for line in out.splitlines():
        f = line.split("|")
        if len(f) != 5:
            continue
        code, secs, ip, port, url = f
        ok = code[:1] in ("2", "3") or (code == "404" and url.endswith("/missing.html"))
        if port in ("", "0"):
            res.append((ok, t0, (src, 0)))
        else:
            res.append((ok, now - float(secs), (ip, int(port))))
    res += [(False, t0, (src, 0))] * max(0, n_urls - len(res))
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 epilog=__doc__.split("\n\n", 1)[1],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--server", required=True)
    ap.add_argument("--sources", default="", help="comma-separated client addresses")
    ap.add_argument("--seconds", type=float, required=True)
    ap.add_argument("--http-rate", type=float, default=60)
    ap.add_argument("--dns-rate", type=float, default=40)
    ap.add_argument("--workers", type=int, default=24)
    ap.add_argument("--page-sources", default="",
                    help="comma-separated addresses of browsers that send no DNS to --server")
    ap.add_argument("--dns-sources", default="",
                    help="comma-separated addresses of clients that only send DNS queries")
    ap.add_argument("--page-scheme", choices=["mixed", "http", "https"], default="mixed")
    ap.add_argument("--page-gap", default="0.3,2",
                    help="MIN,MAX: each page client's mean seconds between pages is drawn in it")
    ap.add_argument("--part", choices=["both", "http", "dns"], default="both",
                    help="the --sources clients' HTTP, their DNS, or both: one process "
                         "each keeps the DNS queries from waiting on the HTTP threads "
                         "(Python runs one thread at a time)")
    ap.add_argument("--results")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    a.sources = [s for s in a.sources.split(",") if s]
    a.page_sources = [s for s in a.page_sources.split(",") if s]
    a.dns_sources = [s for s in a.dns_sources.split(",") if s]
    if not a.sources and not a.page_sources and not a.dns_sources:
        ap.error("no clients: give --sources, --page-sources or --dns-sources")
    gap = a.page_gap
    try:
        a.page_gap = tuple(float(x) for x in gap.split(","))
        if len(a.page_gap) != 2 or not 0 < a.page_gap[0] <= a.page_gap[1]:
            raise ValueError
    except ValueError:
        ap.error(f"--page-gap {gap!r}: MIN,MAX seconds, 0 < MIN <= MAX")
    run = Run(a)
    rng = random.Random(a.seed)
    # this run's browsers: HTTPS share, keep-alive share, large files, widest page
    run.page_params = {"https": rng.uniform(0.2, 0.7), "keep": rng.uniform(0.2, 0.8),
                       "large": rng.uniform(0.02, 0.12), "par": rng.randint(4, 8),
                       "curl": rng.uniform(0.3, 0.8)}
    jobs = []
    if a.sources:
        web = [(run.web, (rng.getrandbits(32),)) for _ in range(a.workers)]
        web += [(run.bursts, (rng.getrandbits(32),)), (run.bulk, (rng.getrandbits(32),))]
        web += [(run.long, (rng.getrandbits(32),)) for _ in range(3)]
        dns = [(run.dns, (rng.getrandbits(32), st, a.sources, a.dns_rate / 2)) for st in (False, True)]
        jobs += (web if a.part != "dns" else []) + (dns if a.part != "http" else [])
    if a.dns_sources and a.part != "http":
        jobs += [(run.dns, (rng.getrandbits(32), st, a.dns_sources, a.dns_rate / 4))
                 for st in (False, True)]
    jobs += [(run.pages, (rng.getrandbits(32), s)) for s in a.page_sources]
    if a.page_sources:
        jobs.append((run.rushes, (rng.getrandbits(32),)))
    ts = [threading.Thread(target=f, args=x, daemon=True) for f, x in jobs]
    for t in ts:
        t.start()
    deadline = time.monotonic() + a.seconds + 5
    for t in ts:
        t.join(max(0, deadline - time.monotonic()))
    if run.out:
        with run.lock:
            run.out.close()
    print("benign: " + ", ".join(f"{k} {v}" for k, v in run.counts.items()), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
