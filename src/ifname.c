// SPDX-License-Identifier: MIT
#include <net/if.h>
#include <string.h>

#include "errmsg.h"
#include "ifname.h"

int ff_ifname_check(const char *name, char *err, size_t errlen)
{
	const unsigned char *p;

	if (!name[0])
		return ff_fail(err, errlen, "an interface name cannot be empty");
	if (strlen(name) >= IFNAMSIZ)
		return ff_fail(err, errlen, "interface name '%.*s...' is longer than %d characters",
			       IFNAMSIZ, name, IFNAMSIZ - 1);
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return ff_fail(err, errlen, "'%s' is not an interface name", name);
	/* the kernel's dev_valid_name(): no '/', ':' is allowed; no spaces */
	for (p = (const unsigned char *)name; *p; p++)
		if (*p == '/' || *p <= ' ' || *p == 0x7f)
			return ff_fail(err, errlen, "an interface name cannot hold '/', spaces or "
				       "control characters");
	return 0;
}
