// SPDX-License-Identifier: MIT
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pcap/pcap.h>

#include "capgen.h"
#include "pkt.h"

struct frame {
	uint64_t ts_us;
	uint32_t seq;		/* generation order: ties keep it */
	uint16_t len;
	uint8_t *data;
};

struct gen {
	struct frame *f;
	size_t n, cap;
	uint64_t rng;
	uint32_t seq;
};

static uint64_t rnd(struct gen *g)
{
	g->rng ^= g->rng << 13;
	g->rng ^= g->rng >> 7;
	g->rng ^= g->rng << 17;
	return g->rng;
}

static int add(struct gen *g, uint64_t ts, const uint8_t *buf, size_t len)
{
	if (len == 0)
		return -1;
	if (g->n == g->cap) {
		size_t nc = g->cap ? g->cap * 2 : 4096;
		struct frame *nf = realloc(g->f, nc * sizeof(*nf));

		if (!nf)
			return -1;
		g->f = nf;
		g->cap = nc;
	}
	g->f[g->n].data = malloc(len);
	if (!g->f[g->n].data)
		return -1;
	memcpy(g->f[g->n].data, buf, len);
	g->f[g->n].len = len;
	g->f[g->n].ts_us = ts;
	g->f[g->n].seq = g->seq++;
	g->n++;
	return 0;
}

static int add_spec(struct gen *g, uint64_t ts, const struct pkt_spec *s)
{
	uint8_t buf[PKT_MAX_FRAME];

	return add(g, ts, buf, pkt_build(s, buf, sizeof(buf)));
}

static void swap_dir(struct pkt_spec *s)
{
	const char *a = s->saddr;
	uint16_t p = s->sport;

	s->saddr = s->daddr;
	s->daddr = a;
	s->sport = s->dport;
	s->dport = p;
}

/* A TCP conversation: handshake, a few data packets each way, FIN. */
static int tcp_conv(struct gen *g, struct pkt_spec *s, uint64_t t)
{
	struct pkt_spec c = *s, r = *s;
	int i, n = 1 + rnd(g) % 12, rc = 0;

	swap_dir(&r);
	c.tcp_flags = 0x02;
	c.window = 64240;
	c.tcp_opts_len = 20;
	rc |= add_spec(g, t, &c);
	r.tcp_flags = 0x12;
	r.window = 65160;
	r.tcp_opts_len = 20;
	t += 20 + rnd(g) % 300;
	rc |= add_spec(g, t, &r);
	c.tcp_opts_len = r.tcp_opts_len = 12;
	c.tcp_flags = 0x10;
	t += 10 + rnd(g) % 100;
	rc |= add_spec(g, t, &c);
	for (i = 0; i < n; i++) {
		struct pkt_spec *d = (rnd(g) & 1) ? &c : &r;

		d->tcp_flags = 0x18;
		d->payload_len = rnd(g) % 1400;
		t += 1 + rnd(g) % 5000;
		rc |= add_spec(g, t, d);
		d->payload_len = 0;
		d->tcp_flags = 0x10;
	}
	c.tcp_flags = 0x11;
	t += 100 + rnd(g) % 1000;
	rc |= add_spec(g, t, &c);
	r.tcp_flags = 0x11;
	t += 10 + rnd(g) % 100;
	rc |= add_spec(g, t, &r);
	c.tcp_flags = 0x10;
	t += 10;
	rc |= add_spec(g, t, &c);
	return rc;
}

static int udp_conv(struct gen *g, struct pkt_spec *s, uint64_t t)
{
	struct pkt_spec r = *s;
	int i, n = 1 + rnd(g) % 4, rc = 0;

	swap_dir(&r);
	for (i = 0; i < n; i++) {
		s->payload_len = 20 + rnd(g) % 200;
		rc |= add_spec(g, t, s);
		t += 50 + rnd(g) % 2000;
		if (rnd(g) % 4) {
			r.payload_len = 40 + rnd(g) % 1200;
			rc |= add_spec(g, t, &r);
		}
		t += 1000 + rnd(g) % 100000;
	}
	return rc;
}

static int ping(struct gen *g, struct pkt_spec *s, uint64_t t)
{
	struct pkt_spec r = *s;
	int i, n = 1 + rnd(g) % 6, rc = 0;

	s->icmp_type = s->family == 6 ? 128 : 8;
	r = *s;
	swap_dir(&r);
	r.icmp_type = s->family == 6 ? 129 : 0;
	r.sport = r.dport = 0;
	s->sport = s->dport = 0;
	s->icmp_id = r.icmp_id = rnd(g);
	for (i = 0; i < n; i++) {
		s->icmp_seq = r.icmp_seq = i;
		s->payload_len = r.payload_len = 56;
		rc |= add_spec(g, t, s);
		t += 30 + rnd(g) % 200;
		rc |= add_spec(g, t, &r);
		t += 1000000;
	}
	return rc;
}

/* A datagram sent as a first and a later fragment. */
static int fragmented(struct gen *g, struct pkt_spec *s, uint64_t t)
{
	struct pkt_spec f = *s;
	int rc = 0;

	if (f.family == 6) {
		f.n_ext = 1;
		f.ext_hdrs[0] = (struct pkt_ext){ PKT_EXT_FRAG, 0 };
	}
	f.more_frags = true;
	f.payload_len = 1200;
	rc |= add_spec(g, t, &f);
	f.more_frags = false;
	f.frag_off = (1200 + 8) / 8;
	f.payload_len = 300;
	rc |= add_spec(g, t + 3, &f);
	return rc;
}

static int cmp_frame(const void *a, const void *b)
{
	const struct frame *x = a, *y = b;

	if (x->ts_us != y->ts_us)
		return x->ts_us < y->ts_us ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

int capgen_write(const char *path, unsigned n_flows, uint64_t seed,
		 struct capgen_stats *st)
{
	static char a4[64][16], a6[64][48];
	struct gen g = { .rng = seed | 1 };
	uint64_t base = 1700000000ULL * 1000000ULL;
	pcap_t *dead = NULL;
	pcap_dumper_t *d = NULL;
	uint8_t buf[PKT_MAX_FRAME];
	unsigned i;
	size_t k;
	int rc = -1;

	for (i = 0; i < 64; i++) {
		snprintf(a4[i], sizeof(a4[i]), "10.%u.%u.%u", i % 4, i / 4, 1 + i);
		snprintf(a6[i], sizeof(a6[i]), "fd00:%x::%x", i % 4, 1 + i);
	}
	for (i = 0; i < n_flows; i++) {
		struct pkt_spec s = { 0 };
		uint64_t t = base + rnd(&g) % 20000000ULL;
		unsigned kind = rnd(&g) % 16, ca = rnd(&g) % 32, sa = 32 + rnd(&g) % 32;
		int r = 0;

		s.family = (kind & 1) ? 6 : 4;
		s.saddr = s.family == 4 ? a4[ca] : a6[ca];
		s.daddr = s.family == 4 ? a4[sa] : a6[sa];
		s.sport = 1024 + rnd(&g) % 60000;
		s.dport = (uint16_t[]){ 80, 443, 22, 53, 123, 8080 }[rnd(&g) % 6];
		s.ttl = 32 + rnd(&g) % 32;
		if (kind == 2 || kind == 3)
			s.vlans = 1 + (kind == 3);
		if (s.family == 6 && kind == 5) {
			s.n_ext = 2;
			s.ext_hdrs[0] = (struct pkt_ext){ PKT_EXT_HOP, 0 };
			s.ext_hdrs[1] = (struct pkt_ext){ PKT_EXT_DSTOPTS, 1 };
		}
		if (kind < 8) {
			s.proto = 6;
			r = tcp_conv(&g, &s, t);
			if (kind == 4) {	/* the port-swapped twin */
				uint16_t p = s.sport;

				s.sport = s.dport;
				s.dport = p;
				r |= tcp_conv(&g, &s, t + 7);
			}
			if (kind == 6)		/* silence past the idle timeout */
				r |= tcp_conv(&g, &s, t + 130000000ULL);
		} else if (kind < 12) {
			s.proto = 17;
			r = kind == 11 ? fragmented(&g, &s, t) : udp_conv(&g, &s, t);
		} else if (kind < 14) {
			s.proto = s.family == 6 ? 58 : 1;
			r = ping(&g, &s, t);
		} else if (kind == 14) {
			r = add(&g, t, buf, pkt_arp(buf, sizeof(buf)));
		} else {
			size_t len = 14 + rnd(&g) % 60, j;

			s.proto = 6;
			s.payload_len = 10;
			pkt_build(&s, buf, sizeof(buf));
			if (rnd(&g) & 1)	/* garbage after a real header */
				for (j = 14; j < len; j++)
					buf[j] = rnd(&g);
			r = add(&g, t, buf, len);
		}
		if (r)
			goto out;
	}
	qsort(g.f, g.n, sizeof(*g.f), cmp_frame);

	dead = pcap_open_dead(DLT_EN10MB, 65535);
	d = dead ? pcap_dump_open(dead, path) : NULL;
	if (!d)
		goto out;
	for (k = 0; k < g.n; k++) {
		struct pcap_pkthdr h = { .caplen = g.f[k].len, .len = g.f[k].len };

		h.ts.tv_sec = g.f[k].ts_us / 1000000;
		h.ts.tv_usec = g.f[k].ts_us % 1000000;
		pcap_dump((u_char *)d, &h, g.f[k].data);
	}
	if (st) {
		st->frames = g.n;
		st->flows = n_flows;
	}
	rc = 0;
out:
	if (d)
		pcap_dump_close(d);
	if (dead)
		pcap_close(dead);
	for (k = 0; k < g.n; k++)
		free(g.f[k].data);
	free(g.f);
	return rc;
}
