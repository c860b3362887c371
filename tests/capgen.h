/* SPDX-License-Identifier: MIT */
/*
 * A synthetic but varied capture for parity tests and benchmarks: TCP
 * conversations with handshake, data and FIN, UDP request/response, ICMP and
 * ICMPv6 echo, IPv6 with extension headers, VLAN and QinQ, IPv4 and IPv6
 * fragments, port-swapped twins, flows that go silent past the idle timeout
 * and resume, ARP, and garbage or truncated frames. Deterministic for a seed.
 */
#ifndef FLOWFOREST_TESTS_CAPGEN_H
#define FLOWFOREST_TESTS_CAPGEN_H

#include <stdint.h>

struct capgen_stats {
	uint64_t frames;
	uint64_t flows;		/* conversations generated */
};

/* Write a pcap of about `n_flows` conversations to `path`; 0 on success. */
int capgen_write(const char *path, unsigned n_flows, uint64_t seed,
		 struct capgen_stats *st);

#endif
