/* SPDX-License-Identifier: MIT */
/*
 * The shared packet path (include/flowforest/) bound to user-space memory:
 * where the parser reads bytes from (a capture buffer; the walk reads plain
 * arrays, struct ff_walk_mem). The kernel's binding of the same headers is
 * bpf/flowforest.bpf.c. Include this instead
 * of the shared headers in any user-space file that runs the packet path.
 */
#ifndef FLOWFOREST_PACKET_PATH_H
#define FLOWFOREST_PACKET_PATH_H

#include <stdint.h>
#include <string.h>

#include "flowforest/parse.h"
#include "flowforest/flow.h"
#include "flowforest/features.h"
#include "flowforest/model.h"
#include "flowforest/events.h"
#include "flowforest/ctl.h"

/* A frame in memory: what user space hands to ff_parse(). */
struct ff_frame {
	const __u8 *data;
	__u32 len;		/* bytes at data */
	__u32 wire_len;		/* length on the wire (a capture's original
				 * length); 0: the same as len */
};

static __always_inline int ff_load(void *src, const int kind, __u32 off,
				   void *dst, __u32 len)
{
	const struct ff_frame *fr = src;

	(void)kind;
	if (off > fr->len || len > fr->len - off)
		return -1;
	memcpy(dst, fr->data + off, len);
	return 0;
}

static __always_inline __u32 ff_frame_len(void *src, const int kind)
{
	const struct ff_frame *fr = src;

	(void)kind;
	return fr->wire_len ? fr->wire_len : fr->len;
}

#endif /* FLOWFOREST_PACKET_PATH_H */
