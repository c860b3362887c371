// SPDX-License-Identifier: MIT
/*
 * IPFIX encoding (RFC 7011) of flowforest's flow records. A small encoder of
 * our own instead of libfixbuf: four fixed templates, fixed-size fields but
 * one string, no options templates, no reading of foreign templates. Own
 * code keeps the package's dependencies to what it already links and lets
 * the encoder be fuzzed in-process (tests/fuzz/fuzz_ipfix.c).
 */
#include <stdio.h>
#include <string.h>

#include "ipfix.h"

#define IPFIX_VERSION 10
#define SET_TEMPLATE 2
#define HDR_LEN 16
#define VARLEN 0xffff

/* Information elements, by number (IANA) or ours (enterprise). */
enum {
	IE_OCTETS = 1, IE_PACKETS = 2, IE_FLOWS = 3, IE_PROTO = 4, IE_TCP_FLAGS = 6, IE_SPORT = 7,
	IE_SRC4 = 8, IE_DPORT = 11, IE_DST4 = 12, IE_SRC6 = 27, IE_DST6 = 28,
	IE_FWD_STATUS = 89, IE_END_REASON = 136, IE_START_MS = 152, IE_END_MS = 153,
	IE_FW_EVENT = 233, IE_BIFLOW_DIR = 239,
};
enum {	/* flowforest's enterprise-specific elements (docs/ipfix.md) */
	FE_CLASS = 1, FE_CLASS_ID = 2, FE_SCORE = 3, FE_MODEL_GEN = 4, FE_ACTION = 5,
};
#define PEN_STD 0
#define PEN_OURS 1	/* stands for the configured enterprise number */

struct field {
	__u16 ie, len;
	__u8 pen;	/* PEN_STD, PEN_OURS, or reverse (RFC 5103) */
	__u8 final_only;
	__u8 v6;	/* 0 both, 4 or 6 */
};

#define REV 2

static const struct field fields[] = {
	{ IE_SRC4, 4, PEN_STD, 0, 4 },
	{ IE_DST4, 4, PEN_STD, 0, 4 },
	{ IE_SRC6, 16, PEN_STD, 0, 6 },
	{ IE_DST6, 16, PEN_STD, 0, 6 },
	{ IE_SPORT, 2 },
	{ IE_DPORT, 2 },
	{ IE_PROTO, 1 },
	{ IE_START_MS, 8 },
	{ IE_END_MS, 8 },
	{ IE_PACKETS, 8 },
	{ IE_OCTETS, 8 },
	{ IE_PACKETS, 8, REV },
	{ IE_OCTETS, 8, REV },
	{ IE_FLOWS, 8 },
	{ IE_TCP_FLAGS, 2 },
	{ IE_BIFLOW_DIR, 1 },
	{ IE_FWD_STATUS, 1 },
	{ IE_FW_EVENT, 1 },
	{ IE_END_REASON, 1, PEN_STD, 1 },
	{ FE_CLASS_ID, 2, PEN_OURS },
	{ FE_SCORE, 2, PEN_OURS },
	{ FE_MODEL_GEN, 4, PEN_OURS },
	{ FE_ACTION, 1, PEN_OURS },
	/* last: collectors that skip a variable-length field they do not
	 * know still find the fixed ones at their offsets */
	{ FE_CLASS, VARLEN, PEN_OURS },
};

static bool tmpl_has(__u16 tmpl, const struct field *f)
{
	bool v6 = tmpl == FF_IPFIX_T_V6 || tmpl == FF_IPFIX_T_V6_INTERIM;
	bool interim = tmpl == FF_IPFIX_T_V4_INTERIM || tmpl == FF_IPFIX_T_V6_INTERIM;

	if (f->v6 && f->v6 != (v6 ? 6 : 4))
		return false;
	return !(interim && f->final_only);
}

static void put16(__u8 *p, __u16 v)
{
	p[0] = v >> 8;
	p[1] = v;
}

static void put32(__u8 *p, __u32 v)
{
	put16(p, v >> 16);
	put16(p + 2, v);
}

static void put64(__u8 *p, __u64 v)
{
	put32(p, v >> 32);
	put32(p + 4, v);
}

static __u16 get16(const __u8 *p) { return (__u16)(p[0] << 8 | p[1]); }
static __u32 get32(const __u8 *p) { return (__u32)get16(p) << 16 | get16(p + 2); }

__u8 ff_ipfix_fw_event(const struct ff_flow_rec *r)
{
	if (r->cls != FF_CLASS_NONE && r->action == FF_ACT_DROP)
		return FF_FW_EVENT_DENIED;
	if (r->cls != FF_CLASS_NONE && r->action == FF_ACT_ALERT)
		return FF_FW_EVENT_ALERT;
	return r->reason == FF_REC_CHANGED || r->reason == FF_REC_ACTIVE ?
		       FF_FW_EVENT_UPDATE : FF_FW_EVENT_DELETED;
}

__u8 ff_ipfix_fwd_status(const struct ff_flow_rec *r)
{
	return r->cls != FF_CLASS_NONE && r->action == FF_ACT_DROP ? FF_FWD_DROPPED :
								      FF_FWD_FORWARDED;
}

static void close_set(struct ff_ipfix_msg *m)
{
	if (m->set_off)
		put16(m->buf + m->set_off + 2, m->len - m->set_off);
	m->set_off = 0;
	m->set_id = 0;
}

static void add_template(struct ff_ipfix_msg *m, __u16 id)
{
	size_t start = m->len, i;
	__u16 n = 0;

	m->len += 4;
	for (i = 0; i < FF_ARRAY_SIZE(fields); i++) {
		const struct field *f = &fields[i];

		if (!tmpl_has(id, f))
			continue;
		n++;
		put16(m->buf + m->len, f->ie | (f->pen != PEN_STD ? 0x8000 : 0));
		put16(m->buf + m->len + 2, f->len);
		m->len += 4;
		if (f->pen != PEN_STD) {
			put32(m->buf + m->len, f->pen == REV ? FF_IPFIX_PEN_REVERSE : m->pen);
			m->len += 4;
		}
	}
	put16(m->buf + start, id);
	put16(m->buf + start + 2, n);
}

void ff_ipfix_msg_begin(struct ff_ipfix_msg *m, __u32 pen, bool templates)
{
	static const __u16 all[] = { FF_IPFIX_T_V4, FF_IPFIX_T_V6, FF_IPFIX_T_V4_INTERIM,
				     FF_IPFIX_T_V6_INTERIM };
	size_t i;

	m->len = HDR_LEN;
	m->set_off = 0;
	m->set_id = 0;
	m->records = 0;
	m->pen = pen;
	if (!templates)
		return;
	m->set_off = m->len;
	put16(m->buf + m->len, SET_TEMPLATE);
	m->len += 4;
	for (i = 0; i < FF_ARRAY_SIZE(all); i++)
		add_template(m, all[i]);	/* about 420 bytes: always fits */
	close_set(m);
}

static size_t class_len(const struct ff_flow_rec *r)
{
	return strnlen(r->class_name, FF_IPFIX_CLASS_MAX);
}

/* Bytes a record takes in template `id`. */
static size_t rec_size(__u16 id, const struct ff_flow_rec *r)
{
	size_t i, n = 0;

	for (i = 0; i < FF_ARRAY_SIZE(fields); i++)
		if (tmpl_has(id, &fields[i]))
			n += fields[i].len == VARLEN ? 1 + class_len(r) : fields[i].len;
	return n;
}

static void put_field(__u8 *p, const struct field *f, const struct ff_flow_rec *r)
{
	if (f->pen == PEN_OURS) {
		switch (f->ie) {
		case FE_CLASS:
			p[0] = class_len(r);
			memcpy(p + 1, r->class_name, p[0]);
			return;
		case FE_CLASS_ID: put16(p, r->cls); return;
		case FE_SCORE: put16(p, r->score); return;
		case FE_MODEL_GEN: put32(p, r->model_gen); return;
		case FE_ACTION: p[0] = r->action; return;
		}
		return;
	}
	switch (f->ie) {
	case IE_SRC4: memcpy(p, r->src, 4); return;
	case IE_DST4: memcpy(p, r->dst, 4); return;
	case IE_SRC6: memcpy(p, r->src, 16); return;
	case IE_DST6: memcpy(p, r->dst, 16); return;
	case IE_SPORT: put16(p, r->sport); return;
	case IE_DPORT: put16(p, r->dport); return;
	case IE_PROTO: p[0] = r->proto; return;
	case IE_START_MS: put64(p, r->start_ms); return;
	case IE_END_MS: put64(p, r->end_ms); return;
	case IE_PACKETS: put64(p, f->pen == REV ? r->rpkts : r->pkts); return;
	case IE_OCTETS: put64(p, f->pen == REV ? r->rbytes : r->bytes); return;
	case IE_TCP_FLAGS: put16(p, r->tcp_flags); return;
	case IE_FLOWS: put64(p, r->flows ? r->flows : 1); return;
	case IE_BIFLOW_DIR: p[0] = 1; return;	/* source is the initiator */
	case IE_FWD_STATUS: p[0] = ff_ipfix_fwd_status(r); return;
	case IE_FW_EVENT: p[0] = ff_ipfix_fw_event(r); return;
	case IE_END_REASON: p[0] = r->reason; return;
	}
}

static __u16 rec_template(const struct ff_flow_rec *r)
{
	if (r->reason == FF_REC_CHANGED)
		return r->family == 6 ? FF_IPFIX_T_V6_INTERIM : FF_IPFIX_T_V4_INTERIM;
	return r->family == 6 ? FF_IPFIX_T_V6 : FF_IPFIX_T_V4;
}

int ff_ipfix_msg_add(struct ff_ipfix_msg *m, const struct ff_flow_rec *r)
{
	__u16 id = rec_template(r);
	size_t need = rec_size(id, r), i;
	__u8 *p;

	if (m->set_id != id)
		need += 4;
	if (m->len + need > sizeof(m->buf))
		return -1;
	if (m->set_id != id) {
		close_set(m);
		m->set_off = m->len;
		m->set_id = id;
		put16(m->buf + m->len, id);
		m->len += 4;
	}
	p = m->buf + m->len;
	for (i = 0; i < FF_ARRAY_SIZE(fields); i++) {
		const struct field *f = &fields[i];

		if (!tmpl_has(id, f))
			continue;
		put_field(p, f, r);
		p += f->len == VARLEN ? 1 + p[0] : f->len;
	}
	m->len = p - m->buf;
	m->records++;
	return 0;
}

size_t ff_ipfix_msg_end(struct ff_ipfix_msg *m, __u32 export_time, __u32 seq, __u32 domain)
{
	close_set(m);
	put16(m->buf, IPFIX_VERSION);
	put16(m->buf + 2, m->len);
	put32(m->buf + 4, export_time);
	put32(m->buf + 8, seq);
	put32(m->buf + 12, domain);
	return m->len;
}

/* ---- reading ------------------------------------------------------------ */

#define FAIL(...) do { snprintf(err, errlen, __VA_ARGS__); return -1; } while (0)

static int read_templates(struct ff_ipfix_reader *rd, const __u8 *p, size_t len,
			  char *err, size_t errlen)
{
	size_t off = 0;

	while (len - off >= 4) {
		__u16 id = get16(p + off), n = get16(p + off + 2), i;
		int slot;

		off += 4;
		if (id < 256)
			FAIL("template id %u below 256", id);
		if (n > FF_ARRAY_SIZE(rd->tmpl[0].ie))
			FAIL("template %u: %u fields, at most %zu understood", id, n,
			     FF_ARRAY_SIZE(rd->tmpl[0].ie));
		for (slot = 0; slot < rd->n_tmpl && rd->tmpl[slot].id != id; slot++)
			;
		if (slot == FF_ARRAY_SIZE(rd->tmpl))
			FAIL("more than %zu templates", FF_ARRAY_SIZE(rd->tmpl));
		rd->tmpl[slot].id = id;
		rd->tmpl[slot].n = 0;
		for (i = 0; i < n; i++) {
			__u16 ie, flen;
			__u32 pen = 0;

			if (len - off < 4)
				FAIL("template %u truncated", id);
			ie = get16(p + off);
			flen = get16(p + off + 2);
			off += 4;
			if (ie & 0x8000) {
				if (len - off < 4)
					FAIL("template %u truncated", id);
				pen = get32(p + off);
				off += 4;
			}
			if (flen == 0)
				FAIL("template %u: field of length 0", id);
			rd->tmpl[slot].ie[i] = ie & 0x7fff;
			rd->tmpl[slot].len[i] = flen;
			rd->tmpl[slot].pen[i] = pen;
		}
		rd->tmpl[slot].n = n;
		if (slot == rd->n_tmpl)
			rd->n_tmpl++;
	}
	return 0;
}

static __u64 get_uint(const __u8 *p, __u16 len)
{
	__u64 v = 0;

	while (len--)
		v = v << 8 | *p++;
	return v;
}

/* One field into `r`; elements we do not know are skipped. */
static void read_field(struct ff_flow_rec *r, __u16 ie, __u32 pen, const __u8 *p, __u16 len,
		       __u32 our_pen)
{
	__u64 v = len <= 8 ? get_uint(p, len) : 0;

	if (pen == FF_IPFIX_PEN_REVERSE) {
		if (ie == IE_PACKETS)
			r->rpkts = v;
		else if (ie == IE_OCTETS)
			r->rbytes = v;
		return;
	}
	if (pen && pen == our_pen) {
		switch (ie) {
		case FE_CLASS:
			memcpy(r->class_name, p, len < FF_IPFIX_CLASS_MAX ? len : FF_IPFIX_CLASS_MAX);
			break;
		case FE_CLASS_ID: r->cls = v; break;
		case FE_SCORE: r->score = v; break;
		case FE_MODEL_GEN: r->model_gen = v; break;
		case FE_ACTION: r->action = v; break;
		}
		return;
	}
	if (pen)
		return;
	switch (ie) {
	case IE_SRC4: if (len == 4) { memcpy(r->src, p, 4); r->family = 4; } break;
	case IE_DST4: if (len == 4) memcpy(r->dst, p, 4); break;
	case IE_SRC6: if (len == 16) { memcpy(r->src, p, 16); r->family = 6; } break;
	case IE_DST6: if (len == 16) memcpy(r->dst, p, 16); break;
	case IE_SPORT: r->sport = v; break;
	case IE_DPORT: r->dport = v; break;
	case IE_PROTO: r->proto = v; break;
	case IE_START_MS: r->start_ms = v; break;
	case IE_END_MS: r->end_ms = v; break;
	case IE_PACKETS: r->pkts = v; break;
	case IE_OCTETS: r->bytes = v; break;
	case IE_TCP_FLAGS: r->tcp_flags = v; break;
	case IE_END_REASON: r->reason = v; break;
	case IE_FLOWS: r->flows = v; break;
	}
}

static int read_data(struct ff_ipfix_reader *rd, int slot, const __u8 *p, size_t len,
		     void (*on_rec)(void *, const struct ff_flow_rec *, __u32), void *ctx,
		     __u32 domain, __u32 pen, char *err, size_t errlen)
{
	size_t off = 0, min = 0;
	int n = 0, i;

	for (i = 0; i < rd->tmpl[slot].n; i++)
		min += rd->tmpl[slot].len[i] == VARLEN ? 1 : rd->tmpl[slot].len[i];
	while (len - off >= min && min > 0) {
		struct ff_flow_rec r;

		memset(&r, 0, sizeof(r));
		r.cls = FF_CLASS_NONE;
		r.reason = FF_REC_CHANGED;	/* unless the record says otherwise */
		for (i = 0; i < rd->tmpl[slot].n; i++) {
			size_t flen = rd->tmpl[slot].len[i];

			if (flen == VARLEN) {
				if (len - off < 1)
					FAIL("variable-length field truncated");
				flen = p[off++];
				if (flen == 255) {
					if (len - off < 2)
						FAIL("variable-length field truncated");
					flen = get16(p + off);
					off += 2;
				}
			}
			if (len - off < flen)
				FAIL("record of template %u truncated", rd->tmpl[slot].id);
			read_field(&r, rd->tmpl[slot].ie[i], rd->tmpl[slot].pen[i], p + off, flen, pen);
			off += flen;
		}
		n++;
		if (on_rec)
			on_rec(ctx, &r, domain);
	}
	return n;
}

int ff_ipfix_read(struct ff_ipfix_reader *rd, const __u8 *msg, size_t len,
		  void (*on_rec)(void *ctx, const struct ff_flow_rec *r, __u32 domain), void *ctx,
		  char *err, size_t errlen)
{
	size_t off = HDR_LEN;
	__u32 seq, domain, pen = FF_IPFIX_PEN_DEFAULT;
	int total = 0;

	err[0] = 0;
	if (len < HDR_LEN)
		FAIL("message of %zu bytes is shorter than the header", len);
	if (get16(msg) != IPFIX_VERSION)
		FAIL("version %u, not 10", get16(msg));
	if (get16(msg + 2) != len)
		FAIL("header says %u bytes, message has %zu", get16(msg + 2), len);
	seq = get32(msg + 8);
	domain = get32(msg + 12);
	if (rd->have_seq && seq != rd->next_seq)
		rd->seq_errors++;
	while (len - off >= 4) {
		__u16 id = get16(msg + off), slen = get16(msg + off + 2);
		int slot, n, i;

		if (slen < 4 || slen > len - off)
			FAIL("set %u: length %u does not fit the message", id, slen);
		if (id == SET_TEMPLATE) {
			if (read_templates(rd, msg + off + 4, slen - 4, err, errlen))
				return -1;
			/* our enterprise number, as the templates announce it */
			for (slot = 0; slot < rd->n_tmpl; slot++)
				for (i = 0; i < rd->tmpl[slot].n; i++)
					if (rd->tmpl[slot].pen[i] &&
					    rd->tmpl[slot].pen[i] != FF_IPFIX_PEN_REVERSE)
						pen = rd->tmpl[slot].pen[i];
		} else if (id >= 256) {
			for (slot = 0; slot < rd->n_tmpl && rd->tmpl[slot].id != id; slot++)
				;
			if (slot == rd->n_tmpl)
				FAIL("data set %u before its template", id);
			for (i = 0; i < rd->tmpl[slot].n; i++)
				if (rd->tmpl[slot].pen[i] &&
				    rd->tmpl[slot].pen[i] != FF_IPFIX_PEN_REVERSE)
					pen = rd->tmpl[slot].pen[i];
			n = read_data(rd, slot, msg + off + 4, slen - 4, on_rec, ctx, domain, pen,
				      err, errlen);
			if (n < 0)
				return -1;
			total += n;
		} else {
			FAIL("set id %u is reserved", id);
		}
		off += slen;
	}
	if (off != len)
		FAIL("%zu trailing bytes after the last set", len - off);
	rd->next_seq = seq + total;
	rd->have_seq = true;
	return total;
}
