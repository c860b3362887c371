// SPDX-License-Identifier: MIT
/* flowforest detach --iface IF: remove a TC filter left by a killed agent. */
#include <net/if.h>
#include <stdio.h>

#include "args.h"
#include "commands.h"
#include "loader.h"

int cmd_detach(int argc, char **argv)
{
	const char *iface = cli_iface_only(argc, argv,
		"Remove flowforest's TC filters (ingress and egress) from IF.\v"
		"XDP needs no such step: it is attached through a link that dies with the\n"
		"agent. A pinned classifier is removed with `flowforest stop` instead.\n\n"
		"EXAMPLE:\n  sudo flowforest detach --iface eth0");
	int ifindex, removed = 0;
	char err[256];

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
