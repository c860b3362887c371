// SPDX-License-Identifier: MIT
/* Privileges: say what is missing before the kernel says EPERM. */
#include <stdio.h>

#include "errmsg.h"
#include "loader.h"

/* CapEff from /proc/self/status; 0 if unreadable. */
static unsigned long long cap_effective(void)
{
	unsigned long long caps = 0;
	char line[256];
	FILE *f = fopen("/proc/self/status", "r");

	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "CapEff: %llx", &caps) == 1)
			break;
	fclose(f);
	return caps;
}

int ff_check_privileges(char *err, size_t errlen)
{
	unsigned long long caps = cap_effective();
	const unsigned long long sys_admin = 1ULL << 21, net_admin = 1ULL << 12,
				 bpf = 1ULL << 39;

	if (caps & sys_admin)
		return 0;
	if ((caps & bpf) && (caps & net_admin))
		return 0;
	return ff_fail(err, errlen,
		    "not enough privileges: loading and attaching BPF programs needs root "
		    "(or CAP_BPF and CAP_NET_ADMIN); try: sudo flowforest ...");
}
