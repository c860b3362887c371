// SPDX-License-Identifier: MIT
/* Allow and deny lists: CIDR prefixes in two LPM tries. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <bpf/bpf.h>

#include "errmsg.h"
#include "labels.h"
#include "lines.h"
#include "loader.h"
#include "loader_maps.h"

static int list_fd(const struct ff_maps *mp, bool deny)
{
	return deny ? mp->deny : mp->allow;
}

/* Count prefix `c` (host bits zero) in the /16s it touches of list
 * `deny`'s cover: +1 or -1 (a /0 touches all 65,536). */
static void cover_add(struct ff_list_cover *cv, bool deny, const struct ff_cidr *c, int delta)
{
	__u16 *n = cv->n[deny][c->family == 6];
	__u32 first = ff_cover_idx(c->addr), i, span = 1;

	if (c->plen < FF_COVER_BITS)	/* host bits zero: first is aligned */
		span = 1U << (FF_COVER_BITS - c->plen);
	for (i = 0; i < span; i++)
		ff_ctl_add16(&n[first + i], delta);
}

int ff_maps_list_update(const struct ff_maps *mp, bool deny, const char *cidr, bool add,
			char *err, size_t errlen)
{
	struct ff_lpm_key k = {};
	struct ff_list_cover *cv;
	struct ff_cidr c;
	struct ff_ctl *ctl;
	__u64 zero = 0;
	__u32 *count;
	int rc = 0;

	if (ff_cidr_parse(cidr, &c))
		return ff_fail(err, errlen, "'%s' is not an IPv4 or IPv6 prefix (like 10.0.0.0/8 or fd00::/64)",
			    cidr);
	k.prefixlen = 8 + c.plen;
	k.family = c.family;
	memcpy(k.addr, c.addr, 16);
	/* host bits beyond the prefix must be zero for a clean listing */
	for (int bit = c.plen; bit < 128; bit++)
		k.addr[bit / 8] &= ~(0x80 >> (bit % 8));
	memcpy(c.addr, k.addr, 16);
	ctl = ff_ctl_map(mp, err, errlen);
	if (!ctl)
		return -1;
	cv = ff_cover_map(mp, err, errlen);
	if (!cv) {
		ff_ctl_unmap(ctl);
		return -1;
	}
	count = deny ? &ctl->n_deny : &ctl->n_allow;
	/*
	 * The kernel skips a list whose count is 0, and an address whose /16
	 * the list's cover does not count, so neither count ever falls below
	 * the entries: raised before an insert, lowered after a delete. Only
	 * the process whose insert or delete took effect (NOEXIST, ENOENT)
	 * keeps its change of the counts.
	 */
	if (add) {
		ff_ctl_add(count, 1);
		cover_add(cv, deny, &c, 1);
		if (bpf_map_update_elem(list_fd(mp, deny), &k, &zero, BPF_NOEXIST)) {
			int e = errno;

			cover_add(cv, deny, &c, -1);
			ff_ctl_add(count, -1);
			if (e != EEXIST)
				rc = ff_fail(err, errlen, "cannot add %s: %s", cidr, strerror(e));
		}
	} else if (bpf_map_delete_elem(list_fd(mp, deny), &k)) {
		rc = errno == ENOENT ? ff_fail(err, errlen, "%s is not in the %s list", cidr,
					       deny ? "deny" : "allow")
				     : ff_fail(err, errlen, "cannot remove %s: %s", cidr,
					       strerror(errno));
	} else {
		cover_add(cv, deny, &c, -1);
		ff_ctl_add(count, -1);
	}
	ff_cover_unmap(cv);
	ff_ctl_unmap(ctl);
	return rc;
}

int ff_maps_list_walk(const struct ff_maps *mp, bool deny,
		      void (*fn)(const char *cidr, __u64 hits, void *ctx), void *ctx)
{
	struct ff_lpm_key k, next;
	char addr[64], buf[80];
	void *prev = NULL;
	__u64 hits;
	int fd = list_fd(mp, deny);

	while (bpf_map_get_next_key(fd, prev, &next) == 0) {
		k = next;
		prev = &k;
		if (bpf_map_lookup_elem(fd, &k, &hits))
			continue;
		inet_ntop(k.family == 6 ? AF_INET6 : AF_INET, k.addr, addr, sizeof(addr));
		snprintf(buf, sizeof(buf), "%s/%u", addr, k.prefixlen - 8);
		fn(buf, hits, ctx);
	}
	return 0;
}

int ff_maps_list_load(const struct ff_maps *mp, bool deny, const char *path, char *err,
		      size_t errlen)
{
	struct ff_lines in;
	char sub[200], *line;
	int r;

	if (ff_lines_open(&in, path, err, errlen))
		return -1;
	while ((r = ff_lines_next(&in, &line, err, errlen)) == 1)
		if (ff_maps_list_update(mp, deny, line, true, sub, sizeof(sub))) {
			ff_fail(err, errlen, "%s:%u: %s", path, in.lineno, sub);
			r = -1;
			break;
		}
	ff_lines_close(&in);
	return r;
}

