// SPDX-License-Identifier: MIT
/* Test packet builder; see pkt.h for the frame layout. */
#include <arpa/inet.h>
#include <string.h>

#include "pkt.h"

static const uint8_t pkt_default_smac[6] = { 0x02, 0, 0, 0, 0, 0x01 };
static const uint8_t pkt_default_dmac[6] = { 0x02, 0, 0, 0, 0, 0x02 };

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void put32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = (v >> 16) & 0xff;
	p[2] = (v >> 8) & 0xff;
	p[3] = v & 0xff;
}

uint32_t pkt_csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	for (i = 0; i + 1 < len; i += 2)
		sum += (uint32_t)p[i] << 8 | p[i + 1];
	if (len & 1)
		sum += (uint32_t)p[len - 1] << 8;
	return sum;
}

uint16_t pkt_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

size_t pkt_eth(uint8_t *buf, size_t cap, const uint8_t *dmac,
	       const uint8_t *smac, uint16_t ethertype)
{
	if (cap < 14)
		return 0;
	memcpy(buf, dmac ? dmac : pkt_default_dmac, 6);
	memcpy(buf + 6, smac ? smac : pkt_default_smac, 6);
	put16(buf + 12, ethertype);
	return 14;
}

size_t pkt_vlan(uint8_t *buf, size_t cap, uint16_t tci, uint16_t next_type)
{
	if (cap < 4)
		return 0;
	put16(buf, tci);
	put16(buf + 2, next_type);
	return 4;
}

size_t pkt_arp(uint8_t *buf, size_t cap)
{
	static const uint8_t spa[4] = { 10, 0, 0, 1 }, tpa[4] = { 10, 0, 0, 2 };
	static const uint8_t bcast[6] = { 0xff, 0xff, 0xff, 0xff, 0xff, 0xff };
	uint8_t *a = buf + 14;

	if (cap < 14 + 28 || !pkt_eth(buf, cap, bcast, NULL, PKT_ETHERTYPE_ARP))
		return 0;
	put16(a, 1);			/* Ethernet */
	put16(a + 2, PKT_ETHERTYPE_IP);
	a[4] = 6;
	a[5] = 4;
	put16(a + 6, 1);		/* request */
	memcpy(a + 8, pkt_default_smac, 6);
	memcpy(a + 14, spa, 4);
	memset(a + 18, 0, 6);
	memcpy(a + 24, tpa, 4);
	return 14 + 28;
}

static uint16_t vlan_tpid(const struct pkt_spec *s, int i)
{
	if (i < PKT_MAX_VLAN && s->vlan_tpid[i])
		return s->vlan_tpid[i];
	return s->vlans > 1 && i == 0 ? PKT_TPID_8021AD : PKT_TPID_8021Q;
}

size_t pkt_l3_off(const struct pkt_spec *s)
{
	return 14 + 4 * (size_t)(s->vlans > 0 ? s->vlans : 0);
}

static size_t ext_len(const struct pkt_ext *e)
{
	return e->type == PKT_EXT_FRAG ? 8 : 8 + 8 * (size_t)e->len8;
}

static size_t l3_hdr_len(const struct pkt_spec *s)
{
	size_t n = 0;
	int i;

	if (s->family == 4)
		return 20 + s->ip_opts_len;
	for (i = 0; i < s->n_ext && i < PKT_MAX_EXT; i++)
		n += ext_len(&s->ext_hdrs[i]);
	return 40 + n;
}

size_t pkt_l4_off(const struct pkt_spec *s)
{
	return pkt_l3_off(s) + l3_hdr_len(s);
}

static size_t l4_hdr_len(const struct pkt_spec *s)
{
	if (s->frag_off)
		return 0;	/* later fragment: no L4 header */
	switch (s->proto) {
	case 6:
		return 20 + s->tcp_opts_len;
	case 17:
		return 8;
	case 1:
	case 58:
		return 8;
	default:
		return 0;
	}
}

/* L4 header at `p` (length `hl`), then the payload; checksum over both. */
static void put_l4(const struct pkt_spec *s, uint8_t *p, size_t hl,
		   size_t len, const uint8_t *sa, const uint8_t *da, size_t alen)
{
	uint32_t sum = 0;
	uint8_t pseudo[8];
	size_t i;
	int csum_at = -1;

	for (i = hl; i < len; i++)
		p[i] = 0xab + (uint8_t)(i - hl);
	if (!hl)
		return;
	memset(p, 0, hl);
	switch (s->proto) {
	case 6:
		put16(p, s->sport);
		put16(p + 2, s->dport);
		put32(p + 4, 1000);	/* seq */
		put32(p + 8, s->tcp_flags & 0x10 ? 2000 : 0);
		p[12] = (uint8_t)((hl / 4) << 4);
		p[13] = s->tcp_flags;
		put16(p + 14, s->window);
		for (i = 20; i < hl; i++)
			p[i] = 1;	/* NOP */
		csum_at = 16;
		break;
	case 17:
		put16(p, s->sport);
		put16(p + 2, s->dport);
		put16(p + 4, (uint16_t)len);
		csum_at = 6;
		break;
	case 1:
	case 58:
		p[0] = s->icmp_type;
		p[1] = 0;
		put16(p + 4, s->icmp_id);
		put16(p + 6, s->icmp_seq);
		csum_at = 2;
		break;
	}
	if (csum_at < 0)
		return;
	if (s->proto != 1) {	/* pseudo-header: all but ICMPv4 */
		sum = pkt_csum_add(sum, sa, alen);
		sum = pkt_csum_add(sum, da, alen);
		memset(pseudo, 0, sizeof(pseudo));
		put32(pseudo, (uint32_t)len);
		pseudo[7] = s->proto;
		sum = pkt_csum_add(sum, pseudo, sizeof(pseudo));
	}
	sum = pkt_csum_add(sum, p, len);
	put16(p + csum_at, ~pkt_csum_fold(sum) & 0xffff);
	if (s->proto == 17 && !p[csum_at] && !p[csum_at + 1])
		put16(p + csum_at, 0xffff);
}

static size_t put_ipv4(const struct pkt_spec *s, uint8_t *p, size_t l4len)
{
	size_t hl = 20 + s->ip_opts_len, i;
	uint16_t frag = s->frag_off & 0x1fff;

	if (s->more_frags)
		frag |= 0x2000;
	p[0] = 0x40 | (uint8_t)(hl / 4);
	p[1] = 0;
	put16(p + 2, (uint16_t)(hl + l4len));
	put16(p + 4, 0x1234);
	put16(p + 6, frag);
	p[8] = s->ttl ? s->ttl : 64;
	p[9] = s->proto;
	put16(p + 10, 0);
	if (inet_pton(AF_INET, s->saddr, p + 12) != 1 ||
	    inet_pton(AF_INET, s->daddr, p + 16) != 1)
		return 0;
	for (i = 20; i < hl; i++)
		p[i] = i + 1 < hl ? 1 : 0;	/* NOP ... EOL */
	put16(p + 10, ~pkt_csum_fold(pkt_csum_add(0, p, hl)) & 0xffff);
	return hl;
}

static size_t put_ipv6(const struct pkt_spec *s, uint8_t *p, size_t l4len)
{
	size_t off = 40, hl = l3_hdr_len(s), j;
	uint8_t *nh = p + 6;	/* where the next "next header" goes */
	int i;

	put32(p, 6u << 28);
	put16(p + 4, (uint16_t)(hl - 40 + l4len));
	p[7] = s->ttl ? s->ttl : 64;
	if (inet_pton(AF_INET6, s->saddr, p + 8) != 1 ||
	    inet_pton(AF_INET6, s->daddr, p + 24) != 1)
		return 0;
	for (i = 0; i < s->n_ext; i++) {
		const struct pkt_ext *e = &s->ext_hdrs[i];
		uint8_t *x = p + off;
		size_t el = ext_len(e);

		*nh = e->type;
		memset(x, 0, el);
		if (e->type == PKT_EXT_FRAG) {
			put16(x + 2, (uint16_t)(s->frag_off << 3 |
						(s->more_frags ? 1 : 0)));
			put32(x + 4, 0xcafe);
		} else {
			x[1] = e->len8;
			if (e->type == PKT_EXT_ROUTING) {
				x[2] = 0;	/* type 0 */
				x[3] = 0;	/* segments left */
			} else {
				/* PadN over the 6 (+8 * len8) option bytes */
				x[2] = 1;
				x[3] = (uint8_t)(el - 4);
			}
		}
		nh = x;
		off += el;
	}
	*nh = s->proto;
	for (j = off; j < hl; j++)
		p[j] = 0;
	return hl;
}

size_t pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t cap)
{
	size_t l3 = pkt_l3_off(s), l3h, l4h, l4len, total, alen;
	const uint8_t *sa, *da;
	uint8_t *ip;
	int i;

	if ((s->family != 4 && s->family != 6) || s->vlans < 0 ||
	    s->vlans > PKT_MAX_VLAN || s->n_ext < 0 || s->n_ext > PKT_MAX_EXT ||
	    s->ip_opts_len % 4 || s->ip_opts_len > 40 ||
	    s->tcp_opts_len % 4 || s->tcp_opts_len > 40 || !s->saddr || !s->daddr)
		return 0;
	if (s->family == 4 && s->n_ext)
		return 0;
	l3h = l3_hdr_len(s);
	l4h = l4_hdr_len(s);
	l4len = l4h + s->payload_len;
	total = l3 + l3h + l4len;
	if (total > cap || l3h + l4len > 0xffff)
		return 0;

	pkt_eth(buf, cap, s->dmac, s->smac,
		s->vlans ? vlan_tpid(s, 0) :
		s->family == 4 ? PKT_ETHERTYPE_IP : PKT_ETHERTYPE_IPV6);
	for (i = 0; i < s->vlans; i++)
		pkt_vlan(buf + 14 + 4 * i, 4, (uint16_t)(100 + i),
			 i + 1 < s->vlans ? vlan_tpid(s, i + 1) :
			 s->family == 4 ? PKT_ETHERTYPE_IP : PKT_ETHERTYPE_IPV6);

	ip = buf + l3;
	if (s->family == 4) {
		if (!put_ipv4(s, ip, l4len))
			return 0;
		sa = ip + 12;
		da = ip + 16;
		alen = 4;
	} else {
		if (!put_ipv6(s, ip, l4len))
			return 0;
		sa = ip + 8;
		da = ip + 24;
		alen = 16;
	}
	put_l4(s, ip + l3h, l4h, l4len, sa, da, alen);
	return total;
}
