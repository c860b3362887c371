/* SPDX-License-Identifier: MIT */
/*
 * Reading captures (pcap and pcapng through libpcap) as Ethernet frames:
 * raw-IP, Linux cooked (SLL, SLL2) and BSD loopback captures get a synthetic
 * Ethernet header, so the one parser sees the same bytes offline and in
 * replay through the kernel.
 */
#ifndef FLOWFOREST_CAPTURE_H
#define FLOWFOREST_CAPTURE_H

#include <stdbool.h>
#include <stddef.h>
#include <linux/types.h>

#define FF_FRAME_MAX 65550

struct ff_capture {
	void *pcap;		/* pcap_t */
	const char *path;
	int linktype;
	__u64 frames;		/* frames read */
	__u64 skipped;		/* frames of a link type or size we cannot use */
	__u64 size;		/* file size, for progress */
	bool cut_short;		/* the last record was incomplete */
	char cut_msg[512];	/* ... and a warning that says so */
	__u32 wire_len;		/* the last frame's original length (as Ethernet):
				 * more than its bytes under a snap length */
	__u8 buf[FF_FRAME_MAX + 32];
};

int ff_capture_open(struct ff_capture *c, const char *path, char *err, size_t errlen);
/* 1 and a frame, 0 at the end, -1 on a read error (message in err). The
 * frame stays valid until the next call. A file that ends inside a record
 * ends there (0), with cut_short and cut_msg set: what came before is kept,
 * as tshark does, and the caller decides how loud to be. */
int ff_capture_next(struct ff_capture *c, const __u8 **frame, __u32 *len,
		    __u64 *ts_us, char *err, size_t errlen);
/* Bytes of the file consumed so far (for progress), or 0 if unknown. */
__u64 ff_capture_offset(struct ff_capture *c);
void ff_capture_close(struct ff_capture *c);

#endif
