// SPDX-License-Identifier: MIT
#include <stdbool.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <pcap/pcap.h>

#include "capture.h"

#ifndef DLT_LINUX_SLL2
#define DLT_LINUX_SLL2 276
#endif

int ff_capture_open(struct ff_capture *c, const char *path, char *err, size_t errlen)
{
	char perr[PCAP_ERRBUF_SIZE];
	struct stat st;
	pcap_t *p;

	memset(c, 0, sizeof(*c) - sizeof(c->buf));
	c->path = path;
	p = pcap_open_offline_with_tstamp_precision(path, PCAP_TSTAMP_PRECISION_MICRO, perr);
	if (!p) {
		snprintf(err, errlen, "%s: %s", path, perr);
		return -1;
	}
	c->pcap = p;
	c->linktype = pcap_datalink(p);
	switch (c->linktype) {
	case DLT_EN10MB:
	case DLT_RAW:
	case DLT_IPV4:
	case DLT_IPV6:
	case DLT_LINUX_SLL:
	case DLT_LINUX_SLL2:
	case DLT_NULL:
	case DLT_LOOP:
		break;
	default:
		snprintf(err, errlen, "%s: link type %s is not supported (Ethernet, raw IP, Linux cooked, loopback are)",
			 path, pcap_datalink_val_to_name(c->linktype) ?: "?");
		pcap_close(p);
		c->pcap = NULL;
		return -1;
	}
	if (stat(path, &st) == 0)
		c->size = st.st_size;
	return 0;
}

/* Build an Ethernet frame in c->buf from `l3` (an IP packet). */
static const __u8 *with_eth(struct ff_capture *c, const __u8 *l3, __u32 l3len,
			    __u16 ethertype, __u32 *len)
{
	if (l3len > FF_FRAME_MAX - 14)
		l3len = FF_FRAME_MAX - 14;
	memset(c->buf, 0, 12);
	c->buf[12] = ethertype >> 8;
	c->buf[13] = ethertype & 0xff;
	memcpy(c->buf + 14, l3, l3len);
	*len = l3len + 14;
	return c->buf;
}

static __u16 ip_ethertype(const __u8 *l3, __u32 len)
{
	if (len < 1)
		return 0;
	return (l3[0] >> 4) == 6 ? 0x86DD : 0x0800;
}

/* A read error at the end of the file is a capture cut short (a capture
 * killed mid-write): the last record is incomplete, everything before it
 * is good. Anything else (a corrupt block mid-file) is an error. */
static bool cut_short(struct ff_capture *c)
{
	FILE *f = pcap_file(c->pcap);
	long off = f ? ftell(f) : -1;

	return (off >= 0 && c->size && (__u64)off >= c->size) ||
	       strstr(pcap_geterr(c->pcap), "truncated");
}

/* The frame's original length as an Ethernet frame: the record's length
 * with its link header (`l2` bytes) replaced by Ethernet's 14, never less
 * than what was kept. Returns 1. */
static int wire_len(struct ff_capture *c, __u32 orig, __u32 l2, __u32 kept)
{
	__u32 w = orig >= l2 ? orig - l2 + 14 : 0;

	c->wire_len = w > kept ? w : kept;
	return 1;
}

int ff_capture_next(struct ff_capture *c, const __u8 **frame, __u32 *len,
		    __u64 *ts_us, char *err, size_t errlen)
{
	struct pcap_pkthdr *h;
	const u_char *d;
	int rc;

	for (;;) {
		rc = pcap_next_ex(c->pcap, &h, &d);
		if (rc == PCAP_ERROR_BREAK)
			return 0;
		if (rc < 0 && cut_short(c)) {
			snprintf(c->cut_msg, sizeof(c->cut_msg),
				 "%s: the capture appears cut short after %llu frames (%s); "
				 "the frames before it are used", c->path,
				 (unsigned long long)c->frames, pcap_geterr(c->pcap));
			c->cut_short = true;
			return 0;
		}
		if (rc < 0) {
			snprintf(err, errlen, "%s: after %llu frames: %s", c->path,
				 (unsigned long long)c->frames, pcap_geterr(c->pcap));
			return -1;
		}
		if (rc == 0)
			continue;
		c->frames++;
		*ts_us = (__u64)h->ts.tv_sec * 1000000ULL + (__u64)h->ts.tv_usec;
		switch (c->linktype) {
		case DLT_EN10MB:
			*frame = d;
			*len = h->caplen;
			return wire_len(c, h->len, 14, *len);
		case DLT_RAW:
		case DLT_IPV4:
		case DLT_IPV6:
			*frame = with_eth(c, d, h->caplen, ip_ethertype(d, h->caplen), len);
			return wire_len(c, h->len, 0, *len);
		case DLT_LINUX_SLL:	/* 16 bytes, protocol at 14 */
			if (h->caplen < 16)
				break;
			*frame = with_eth(c, d + 16, h->caplen - 16, (d[14] << 8) | d[15], len);
			return wire_len(c, h->len, 16, *len);
		case DLT_LINUX_SLL2:	/* 20 bytes, protocol at 0 */
			if (h->caplen < 20)
				break;
			*frame = with_eth(c, d + 20, h->caplen - 20, (d[0] << 8) | d[1], len);
			return wire_len(c, h->len, 20, *len);
		case DLT_NULL:
		case DLT_LOOP:		/* 4-byte address family */
			if (h->caplen < 4)
				break;
			*frame = with_eth(c, d + 4, h->caplen - 4,
					  ip_ethertype(d + 4, h->caplen - 4), len);
			return wire_len(c, h->len, 4, *len);
		}
		c->skipped++;
	}
}

__u64 ff_capture_offset(struct ff_capture *c)
{
	FILE *f = c->pcap ? pcap_file(c->pcap) : NULL;
	long off = f ? ftell(f) : -1;

	return off > 0 ? (__u64)off : 0;
}

void ff_capture_close(struct ff_capture *c)
{
	if (c->pcap)
		pcap_close(c->pcap);
	c->pcap = NULL;
}
