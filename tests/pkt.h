/* SPDX-License-Identifier: MIT */
/*
 * Tiny packet builder for tests: hand-built Ethernet frames, written into a
 * caller's buffer. Every function returns the number of bytes written, or 0
 * when the buffer is too small or the spec is invalid (bad address string,
 * options not a multiple of 4, ...). No allocation, no tables.
 *
 * A frame built by pkt_build() is, in order:
 *
 *   Ethernet (dst, src from the spec or 02:00:00:00:00:02 / :01)
 *   0..3 VLAN tags: tag i uses vlan_tpid[i], or, if that is 0, 0x88a8 for
 *     the outer tag of several and 0x8100 otherwise (so vlans=2 is QinQ);
 *     3 tags are allowed so tests can check the parser's limit
 *   IPv4 (family 4): IHL = 5 + ip_opts_len / 4 (options are NOPs ending in
 *     EOL), tot_len covers the whole IP packet, frag_off (8-byte units) and
 *     more_frags set the fragment field, header checksum correct
 *   or IPv6 (family 6): the chain ext_hdrs[0..n_ext) in order, each with
 *     next header set to the following one; hop-by-hop and destination
 *     options are padded with PadN, routing is type 0 with segments left 0;
 *     len8 adds 8-byte units beyond the first 8 (the header's "Hdr Ext Len");
 *     a fragment header takes frag_off / more_frags from the spec
 *   L4 header by proto, omitted for later fragments (frag_off != 0):
 *     TCP (sport, dport, tcp_flags, window, tcp_opts_len bytes of NOP
 *       options; data offset follows), UDP (sport, dport, length),
 *     ICMP / ICMPv6 (icmp_type, code 0, id = icmp_id, seq = icmp_seq);
 *     any other proto: no L4 header
 *   payload_len bytes of payload (0xab, 0xac, ...)
 *
 * L4 checksums are correct for unfragmented packets (pseudo-header with the
 * spec's addresses); fragments carry whatever the whole-datagram checksum
 * of their part would be, which nothing checks.
 */
#ifndef FLOWFOREST_TESTS_PKT_H
#define FLOWFOREST_TESTS_PKT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define PKT_MAX_EXT 16		/* IPv6 extension headers in one spec */
#define PKT_MAX_VLAN 3
#define PKT_MAX_FRAME 4096

#define PKT_ETHERTYPE_IP 0x0800
#define PKT_ETHERTYPE_IPV6 0x86dd
#define PKT_ETHERTYPE_ARP 0x0806
#define PKT_TPID_8021Q 0x8100
#define PKT_TPID_8021AD 0x88a8

/* IPv6 extension header types (their IP protocol numbers). */
enum pkt_ext_type {
	PKT_EXT_HOP = 0,
	PKT_EXT_ROUTING = 43,
	PKT_EXT_FRAG = 44,
	PKT_EXT_DSTOPTS = 60,
};

struct pkt_ext {
	uint8_t type;		/* enum pkt_ext_type */
	uint8_t len8;		/* extra 8-byte units (not for PKT_EXT_FRAG) */
};

struct pkt_spec {
	int family;		/* 4 or 6 */
	int vlans;		/* 0..PKT_MAX_VLAN */
	uint16_t vlan_tpid[PKT_MAX_VLAN];	/* 0: default, see above */
	const uint8_t *smac, *dmac;		/* NULL: defaults */
	uint8_t proto;		/* 6 TCP, 17 UDP, 1 ICMP, 58 ICMPv6, other */
	const char *saddr;	/* "10.0.0.1" or "2001:db8::1" */
	const char *daddr;
	uint16_t sport, dport;	/* host order */
	uint8_t tcp_flags;	/* FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 ... */
	uint16_t window;
	uint8_t tcp_opts_len;	/* multiple of 4, at most 40 */
	uint16_t payload_len;
	uint8_t ip_opts_len;	/* IPv4 options: multiple of 4, at most 40 */
	uint8_t ttl;		/* 0: 64 */
	uint16_t frag_off;	/* fragment offset in 8-byte units */
	bool more_frags;
	struct pkt_ext ext_hdrs[PKT_MAX_EXT];	/* IPv6 only */
	int n_ext;
	uint8_t icmp_type;	/* 8 / 0 echo request / reply; 128 / 129 for v6 */
	uint16_t icmp_id;
	uint16_t icmp_seq;
};

/* The whole frame described by `s`. */
size_t pkt_build(const struct pkt_spec *s, uint8_t *buf, size_t cap);

/* Offsets into a frame that pkt_build() would produce: where the IP header
 * starts, and where the L4 header starts (after options / extensions). */
size_t pkt_l3_off(const struct pkt_spec *s);
size_t pkt_l4_off(const struct pkt_spec *s);

/* Pieces, for frames pkt_build() does not make. Each writes at buf[0]. */
size_t pkt_eth(uint8_t *buf, size_t cap, const uint8_t *dmac,
	       const uint8_t *smac, uint16_t ethertype);
size_t pkt_vlan(uint8_t *buf, size_t cap, uint16_t tci, uint16_t next_type);
/* An ARP request from 10.0.0.1 for 10.0.0.2, Ethernet header included. */
size_t pkt_arp(uint8_t *buf, size_t cap);

/* Internet checksum (RFC 1071) of `len` bytes, folded, not inverted. */
uint32_t pkt_csum_add(uint32_t sum, const void *data, size_t len);
uint16_t pkt_csum_fold(uint32_t sum);

#endif
