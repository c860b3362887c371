/* SPDX-License-Identifier: MIT */
/*
 * Packet parser shared by every hook and by user space.
 *
 * The parser never dereferences the frame itself: it asks the includer for
 * bytes with ff_load() (declared below, defined by the includer), which copies `len` bytes at offset `off` of the frame into `dst` and
 * returns 0, or returns non-zero when the frame is too short. The BPF side
 * implements it with direct packet access (XDP) or bpf_skb_load_bytes (TC,
 * socket filter: socket filters may not read packet memory directly); user
 * space with a bounds-checked copy from a capture buffer. Headers are copied
 * into small stack structs, so the same code is verifiable for every context.
 *
 * Fragments: the first fragment (offset 0) carries the L4 header and is
 * parsed and keyed like any packet. Later fragments have no L4 header; they
 * are keyed with both ports 0 and flagged FF_FRAG_LATER, so they form their
 * own port-less flow and are never mistaken for a port flow.
 */
#ifndef FLOWFOREST_PARSE_H
#define FLOWFOREST_PARSE_H

#include "common.h"

#define FF_ETH_HLEN 14
#define FF_ETH_P_IP 0x0800
#define FF_ETH_P_IPV6 0x86DD
#define FF_ETH_P_8021Q 0x8100
#define FF_ETH_P_8021AD 0x88A8

#define FF_IPPROTO_HOPOPTS 0
#define FF_IPPROTO_ICMP 1
#define FF_IPPROTO_TCP 6
#define FF_IPPROTO_UDP 17
#define FF_IPPROTO_ROUTING 43
#define FF_IPPROTO_FRAGMENT 44
#define FF_IPPROTO_ESP 50
#define FF_IPPROTO_AH 51
#define FF_IPPROTO_ICMPV6 58
#define FF_IPPROTO_NONE 59
#define FF_IPPROTO_DSTOPTS 60

#define FF_MAX_VLAN 2
#define FF_MAX_EXTHDR 8 /* IPv6 extension headers followed at most */
#define FF_MAX_L3_OFF 64 /* Ethernet + 2 VLAN tags, with room to spare */
#define FF_MAX_L4_OFF 1024 /* IPv4 options or IPv6 extension chains */

/* TCP flag bits as they appear in byte 13 of the TCP header. */
#define FF_TCP_FIN 0x01
#define FF_TCP_SYN 0x02
#define FF_TCP_RST 0x04
#define FF_TCP_PSH 0x08
#define FF_TCP_ACK 0x10
#define FF_TCP_URG 0x20
#define FF_TCP_ECE 0x40
#define FF_TCP_CWR 0x80

enum ff_parse_result {
	FF_PARSE_OK = 0,
	FF_PARSE_NOT_IP,	/* ARP, LLDP, ...: not ours, passed */
	FF_PARSE_TRUNCATED,	/* frame ends inside a header */
	FF_PARSE_MALFORMED,	/* bad IHL, bad version, bad lengths */
	FF_PARSE_UNSUPPORTED,	/* too many VLAN tags or extension headers */
	FF_PARSE__MAX,
};

enum ff_frag {
	FF_FRAG_NONE = 0,
	FF_FRAG_FIRST = 1,
	FF_FRAG_LATER = 2,
};

/* What the parser learns from one frame. Addresses are 16 bytes for both
 * families; IPv4 uses the first 4 and leaves the rest zero. */
struct __attribute__((aligned(8))) ff_pkt {
	__u8 saddr[16];
	__u8 daddr[16];
	__u16 sport;		/* host order; ICMP echo: identifier */
	__u16 dport;
	__u8 proto;		/* upper-layer protocol after extension headers */
	__u8 family;		/* 4 or 6 */
	__u8 tcp_flags;
	__u8 frag;		/* enum ff_frag */
	__u32 l3_len;		/* IP total length (header + payload) */
	__u16 hdr_len;		/* IP header(s) + L4 header */
	__u16 payload_len;	/* L4 payload */
	__u16 tcp_window;	/* raw, unscaled */
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 ttl;		/* TTL or hop limit */
	__u8 vlans;
	__u8 l4_hdr_len;	/* L4 header alone (CIC's "header length") */
};

/* A TCP SYN without ACK: what opens a connection (or a spoofed flood's
 * half-open one), and what a retransmission or a flood repeats. */
static __always_inline int ff_pkt_bare_syn(const struct ff_pkt *p)
{
	return p->proto == FF_IPPROTO_TCP && (p->tcp_flags & (FF_TCP_SYN | FF_TCP_ACK)) == FF_TCP_SYN;
}

struct ff_eth_hdr { __u8 dst[6]; __u8 src[6]; __u16 proto; };
struct ff_vlan_hdr { __u16 tci; __u16 proto; };
struct ff_ipv4_hdr {
	__u8 vihl; __u8 tos; __u16 tot_len; __u16 id; __u16 frag_off;
	__u8 ttl; __u8 proto; __u16 check; __u8 saddr[4]; __u8 daddr[4];
};
struct ff_ipv6_hdr {
	__u32 vtcfl; __u16 payload_len; __u8 nexthdr; __u8 hop_limit;
	__u8 saddr[16]; __u8 daddr[16];
};
struct ff_ext_hdr { __u8 nexthdr; __u8 len; __u16 frag_off; __u32 id; };
struct ff_tcp_hdr {
	__u16 sport; __u16 dport; __u32 seq; __u32 ack; __u8 doff; __u8 flags;
	__u16 window; __u16 check; __u16 urg;
};
struct ff_udp_hdr { __u16 sport; __u16 dport; __u16 len; __u16 check; };
struct ff_icmp_hdr { __u8 type; __u8 code; __u16 check; __u16 id; __u16 seq; };

/* Header copies on the stack are 8-byte aligned so that a copy from the
 * frame can use wide loads and stores (the BPF verifier requires aligned
 * stack access; packet access may be unaligned on x86-64 and arm64). */
#define FF_HDR_ALIGN __attribute__((aligned(8)))

/* Glue: defined by the includer (BPF side or user space). */
static __always_inline int ff_load(void *src, const int kind, __u32 off,
				   void *dst, __u32 len);
/* The frame's length on the wire, from the Ethernet header on: what an IP
 * header's length may claim at most. For a capture with a snap length this
 * is the original length, not the bytes kept. */
static __always_inline __u32 ff_frame_len(void *src, const int kind);

/* L4 header at `off`, after `l3_hdr` bytes of IP header(s). */
static __always_inline int ff_parse_l4(void *src, const int kind, __u32 off,
				       struct ff_pkt *p, __u32 l3_hdr)
{
	__u32 l4_hdr = 0;

	if (off > FF_MAX_L4_OFF)
		return FF_PARSE_UNSUPPORTED;

	if (p->frag == FF_FRAG_LATER) {
		l4_hdr = 0;
	} else if (p->proto == FF_IPPROTO_TCP) {
		struct ff_tcp_hdr th FF_HDR_ALIGN;

		if (ff_load(src, kind, off, &th, sizeof(th)))
			return FF_PARSE_TRUNCATED;
		l4_hdr = (th.doff >> 4) * 4;
		if (l4_hdr < sizeof(th))
			return FF_PARSE_MALFORMED;
		p->sport = ff_ntohs(th.sport);
		p->dport = ff_ntohs(th.dport);
		p->tcp_flags = th.flags;
		p->tcp_window = ff_ntohs(th.window);
	} else if (p->proto == FF_IPPROTO_UDP) {
		struct ff_udp_hdr uh FF_HDR_ALIGN;

		if (ff_load(src, kind, off, &uh, sizeof(uh)))
			return FF_PARSE_TRUNCATED;
		l4_hdr = sizeof(uh);
		p->sport = ff_ntohs(uh.sport);
		p->dport = ff_ntohs(uh.dport);
	} else if (p->proto == FF_IPPROTO_ICMP ||
		   p->proto == FF_IPPROTO_ICMPV6) {
		struct ff_icmp_hdr ih FF_HDR_ALIGN;

		if (ff_load(src, kind, off, &ih, sizeof(ih)))
			return FF_PARSE_TRUNCATED;
		l4_hdr = sizeof(ih);
		p->icmp_type = ih.type;
		p->icmp_code = ih.code;
		/* Echo request and reply share the identifier, so both
		 * directions of a ping land in one flow. */
		if ((p->proto == FF_IPPROTO_ICMP &&
		     (ih.type == 8 || ih.type == 0)) ||
		    (p->proto == FF_IPPROTO_ICMPV6 &&
		     (ih.type == 128 || ih.type == 129))) {
			p->sport = ff_ntohs(ih.id);
			p->dport = p->sport;
		}
	}
	/* Other protocols (ESP, GRE, SCTP, ...) are flows keyed by address
	 * and protocol only. */

	if (l3_hdr + l4_hdr > p->l3_len)
		return FF_PARSE_MALFORMED;
	/* An IP length that the frame does not hold (the IP stack drops
	 * such a packet) would inflate the byte features for free. Checked
	 * after the headers, so a frame cut inside one stays "truncated". */
	if (off - l3_hdr + p->l3_len > ff_frame_len(src, kind))
		return FF_PARSE_MALFORMED;
	p->hdr_len = l3_hdr + l4_hdr;
	p->l4_hdr_len = l4_hdr;
	p->payload_len = p->l3_len - p->hdr_len;
	return FF_PARSE_OK;
}

static __always_inline int ff_parse_ipv4(void *src, const int kind, __u32 off,
					 struct ff_pkt *p)
{
	struct ff_ipv4_hdr ih FF_HDR_ALIGN;
	__u32 ihl, tot;
	__u16 frag;

	if (ff_load(src, kind, off, &ih, sizeof(ih)))
		return FF_PARSE_TRUNCATED;
	if ((ih.vihl >> 4) != 4)
		return FF_PARSE_MALFORMED;
	ihl = (ih.vihl & 0x0f) * 4;
	tot = ff_ntohs(ih.tot_len);
	if (ihl < sizeof(ih) || tot < ihl)
		return FF_PARSE_MALFORMED;

	p->family = 4;
	p->proto = ih.proto;
	p->ttl = ih.ttl;
	p->l3_len = tot;
	/* p is zeroed by the caller: bytes 4..15 stay 0. */
	__builtin_memcpy(p->saddr, ih.saddr, 4);
	__builtin_memcpy(p->daddr, ih.daddr, 4);

	frag = ff_ntohs(ih.frag_off);
	if (frag & 0x1fff)
		p->frag = FF_FRAG_LATER;
	else if (frag & 0x2000)
		p->frag = FF_FRAG_FIRST;

	/* Options: the L4 header starts after them (checked by the load). */
	return ff_parse_l4(src, kind, off + ihl, p, ihl);
}

static __always_inline int ff_parse_ipv6(void *src, const int kind, __u32 off,
					 struct ff_pkt *p)
{
	struct ff_ipv6_hdr ih FF_HDR_ALIGN;
	struct ff_ext_hdr eh FF_HDR_ALIGN;
	__u32 l3_hdr = sizeof(ih);
	__u8 next;
	int i;

	if (ff_load(src, kind, off, &ih, sizeof(ih)))
		return FF_PARSE_TRUNCATED;
	if ((ff_ntohl(ih.vtcfl) >> 28) != 6)
		return FF_PARSE_MALFORMED;

	p->family = 6;
	p->ttl = ih.hop_limit;
	p->l3_len = sizeof(ih) + (__u32)ff_ntohs(ih.payload_len);
	__builtin_memcpy(p->saddr, ih.saddr, 16);
	__builtin_memcpy(p->daddr, ih.daddr, 16);

	next = ih.nexthdr;
	for (i = 0; i < FF_MAX_EXTHDR + 1; i++) {
		__u32 hl;

		if (next != FF_IPPROTO_HOPOPTS && next != FF_IPPROTO_ROUTING &&
		    next != FF_IPPROTO_DSTOPTS && next != FF_IPPROTO_FRAGMENT &&
		    next != FF_IPPROTO_AH)
			break;
		if (i == FF_MAX_EXTHDR)	/* a ninth extension header */
			return FF_PARSE_UNSUPPORTED;
		if (l3_hdr > FF_MAX_L4_OFF)
			return FF_PARSE_UNSUPPORTED;
		if (ff_load(src, kind, off + l3_hdr, &eh, sizeof(eh)))
			return FF_PARSE_TRUNCATED;
		if (next == FF_IPPROTO_FRAGMENT) {
			__u16 fo = ff_ntohs(eh.frag_off);

			hl = 8;
			if (fo & 0xfff8) {
				/* A later fragment: what follows is payload,
				 * not another header; its next header field
				 * names the datagram's protocol. */
				p->frag = FF_FRAG_LATER;
				next = eh.nexthdr;
				l3_hdr += hl;
				break;
			}
			if (fo & 1)
				p->frag = FF_FRAG_FIRST;
		} else if (next == FF_IPPROTO_AH) {
			hl = ((__u32)eh.len + 2) * 4;
		} else {
			hl = ((__u32)eh.len + 1) * 8;
		}
		next = eh.nexthdr;
		l3_hdr += hl;
	}
	if (l3_hdr > p->l3_len)
		return FF_PARSE_MALFORMED;
	p->proto = next;
	return ff_parse_l4(src, kind, off + l3_hdr, p, l3_hdr);
}

/* Parse one Ethernet frame. `p` must be zeroed by the caller. */
static __always_inline int ff_parse(void *src, const int kind, struct ff_pkt *p)
{
	struct ff_eth_hdr eth FF_HDR_ALIGN;
	struct ff_vlan_hdr vh FF_HDR_ALIGN;
	__u32 off = FF_ETH_HLEN;
	__u16 proto;
	int i;

	if (ff_load(src, kind, 0, &eth, sizeof(eth)))
		return FF_PARSE_TRUNCATED;
	proto = ff_ntohs(eth.proto);

	for (i = 0; i < FF_MAX_VLAN + 1; i++) {
		if (proto != FF_ETH_P_8021Q && proto != FF_ETH_P_8021AD)
			break;
		if (i == FF_MAX_VLAN)
			return FF_PARSE_UNSUPPORTED;
		if (ff_load(src, kind, off, &vh, sizeof(vh)))
			return FF_PARSE_TRUNCATED;
		proto = ff_ntohs(vh.proto);
		off += sizeof(vh);
		p->vlans++;
	}

	if (proto == FF_ETH_P_IP)
		return ff_parse_ipv4(src, kind, off, p);
	if (proto == FF_ETH_P_IPV6)
		return ff_parse_ipv6(src, kind, off, p);
	return FF_PARSE_NOT_IP;
}

/* Is `p` IPv6 neighbour discovery (ICMPv6 133-137: router and neighbour
 * solicitations and advertisements, redirects)? Never dropped, whatever
 * its flow is named (ff_track_allowed): without it a host's IPv6
 * neighbours cannot reach it at all, so one wrong verdict would cut them
 * off instead of losing a flow. It is still tracked and classified, as
 * offline. */
static __always_inline int ff_pkt_neighbour_discovery(const struct ff_pkt *p)
{
	return p->proto == FF_IPPROTO_ICMPV6 && p->icmp_type >= 133 && p->icmp_type <= 137;
}

#endif /* FLOWFOREST_PARSE_H */
