// SPDX-License-Identifier: MIT
/* flowforest detach --iface IF: remove a TC filter left by a killed agent. */
#include <net/if.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"
#include "loader.h"

int cmd_detach(int argc, char **argv)
{
	const char *iface = NULL;
	int ifindex, i, removed = 0;
	char err[256];

	for (i = 1; i < argc; i++) {
		if ((!strcmp(argv[i], "--iface") || !strcmp(argv[i], "-i")) && i + 1 < argc)
			iface = argv[++i];
		else if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
			printf("Usage: flowforest detach --iface IF\n\n"
			       "Remove flowforest's TC filters (ingress and egress) from IF. XDP needs\n"
			       "no such step: it is attached through a link that dies with the agent.\n\n"
			       "Example:\n  sudo flowforest detach --iface eth0\n");
			return 0;
		} else {
			fprintf(stderr, "flowforest detach: unexpected argument '%s'\n", argv[i]);
			return 2;
		}
	}
	if (!iface) {
		fprintf(stderr, "flowforest detach: --iface is required\n");
		return 2;
	}
	ifindex = if_nametoindex(iface);
	if (!ifindex) {
		fprintf(stderr, "flowforest: no such interface: %s\n", iface);
		return 1;
	}
	if (ff_check_privileges(err, sizeof(err))) {
		fprintf(stderr, "flowforest: %s\n", err);
		return 1;
	}
	if (ff_tc_cleanup(ifindex, false) == 0)
		removed++;
	if (ff_tc_cleanup(ifindex, true) == 0)
		removed++;
	printf("%s: removed %d flowforest TC filter(s)\n", iface, removed);
	return 0;
}
