// SPDX-License-Identifier: MIT
/*
 * Write a large synthetic capture for the extraction benchmark with
 * tests/capgen.h (TCP, UDP, ICMP, IPv6 with extension headers, VLANs,
 * fragments, garbage; deterministic for a seed):
 *
 *   mkpcap CONVERSATIONS FILE [SEED]
 *
 * Prints the number of frames written.
 */
#include <stdio.h>
#include <stdlib.h>

#include "capgen.h"

int main(int argc, char **argv)
{
	struct capgen_stats st;

	if (argc < 3 || argc > 4) {
		fprintf(stderr, "usage: mkpcap CONVERSATIONS FILE [SEED]\n");
		return 2;
	}
	if (capgen_write(argv[2], strtoul(argv[1], NULL, 10),
			 argc == 4 ? strtoull(argv[3], NULL, 10) : 42, &st)) {
		fprintf(stderr, "mkpcap: cannot write %s\n", argv[2]);
		return 1;
	}
	printf("%llu\n", (unsigned long long)st.frames);
	return 0;
}
