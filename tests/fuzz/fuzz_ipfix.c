// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the IPFIX encoder and reader (src/ipfix.c), built
 * with ASan and UBSan. Any byte string is (a) read as a message, which must
 * either decode or be refused with a reason, and (b) taken as flow records,
 * which must encode into messages no larger than a datagram that read back
 * to the same records.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ipfix.h"

static void count(void *ctx, const struct ff_flow_rec *r, __u32 domain)
{
	(void)r;
	(void)domain;
	(*(int *)ctx)++;
}

static struct ff_flow_rec decoded[64];
static int n_decoded;

static void keep(void *ctx, const struct ff_flow_rec *r, __u32 domain)
{
	(void)ctx;
	(void)domain;
	if (n_decoded < 64)
		decoded[n_decoded++] = *r;
}

/* A record from raw bytes, made valid where the encoder relies on it. */
static void rec_from(struct ff_flow_rec *r, const uint8_t *p)
{
	memcpy(r, p, sizeof(*r));
	r->family = r->family & 1 ? 6 : 4;
	if (r->family == 4) {
		memset(r->src + 4, 0, 12);
		memset(r->dst + 4, 0, 12);
	}
	r->reason %= 6;
	r->class_name[FF_IPFIX_CLASS_MAX] = 0;
	/* the reader stops a string at its NUL: so does the comparison */
	memset(r->class_name + strlen(r->class_name), 0,
	       sizeof(r->class_name) - strlen(r->class_name));
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static struct ff_ipfix_msg m;
	struct ff_ipfix_reader rd;
	struct ff_flow_rec in[64];
	char err[256];
	size_t len, off;
	int n = 0, added = 0, i, got = 0;

	memset(&rd, 0, sizeof(rd));
	if (ff_ipfix_read(&rd, data, size, count, &got, err, sizeof(err)) < 0 && !err[0])
		abort();	/* a refusal says why */

	ff_ipfix_msg_begin(&m, 32473, size & 1);
	for (off = 0; off + sizeof(struct ff_flow_rec) <= size && n < 64;
	     off += sizeof(struct ff_flow_rec), n++) {
		rec_from(&in[n], data + off);
		if (ff_ipfix_msg_add(&m, &in[n]))
			break;
		added++;
	}
	len = ff_ipfix_msg_end(&m, 1, 2, 3);
	if (len > FF_IPFIX_MSG_MAX)
		abort();
	if (!(size & 1))
		return 0;	/* without templates the message cannot be read alone */
	memset(&rd, 0, sizeof(rd));
	n_decoded = 0;
	if (ff_ipfix_read(&rd, m.buf, len, keep, NULL, err, sizeof(err)) != added)
		abort();
	for (i = 0; i < added; i++) {
		const struct ff_flow_rec *a = &in[i], *b = &decoded[i];

		if (a->pkts != b->pkts || a->bytes != b->bytes || a->rpkts != b->rpkts ||
		    a->rbytes != b->rbytes || a->start_ms != b->start_ms || a->end_ms != b->end_ms ||
		    a->sport != b->sport || a->dport != b->dport || a->proto != b->proto ||
		    a->cls != b->cls || a->score != b->score || a->model_gen != b->model_gen ||
		    a->action != b->action || a->family != b->family ||
		    memcmp(a->src, b->src, 16) || memcmp(a->dst, b->dst, 16) ||
		    strcmp(a->class_name, b->class_name) ||
		    (a->reason != FF_REC_CHANGED && a->reason != b->reason))
			abort();
	}
	return 0;
}
