/* SPDX-License-Identifier: MIT */
/*
 * IPFIX (RFC 7011) messages: flowforest's templates and flow records, and a
 * reader for them. Only encoding lives here; export.c decides when a record
 * is due and sends messages. Layout of the records, the information
 * elements and the enterprise number: docs/ipfix.md.
 */
#ifndef FLOWFOREST_IPFIX_H
#define FLOWFOREST_IPFIX_H

#include <stdbool.h>
#include <stddef.h>
#include "packet_path.h"

/* IANA's enterprise number for documentation use (RFC 5612): the default
 * until an operator configures one of their own (--ipfix-pen). */
#define FF_IPFIX_PEN_DEFAULT 32473
/* RFC 5103: reverse-direction information elements. */
#define FF_IPFIX_PEN_REVERSE 29305

/* A message fits one UDP datagram on a 1500-byte path without fragments. */
#define FF_IPFIX_MSG_MAX 1400
#define FF_IPFIX_CLASS_MAX 63		/* class names longer than this are cut */

/* Templates: final records (with flowEndReason) and interim ones (a verdict
 * changed while the flow goes on), for IPv4 and IPv6. */
enum ff_ipfix_tmpl {
	FF_IPFIX_T_V4 = 256,
	FF_IPFIX_T_V6 = 257,
	FF_IPFIX_T_V4_INTERIM = 258,
	FF_IPFIX_T_V6_INTERIM = 259,
};

/* flowEndReason (IANA), and flowforest's own reason for every record. */
enum ff_rec_reason {
	FF_REC_CHANGED = 0,	/* interim: the verdict changed */
	FF_REC_IDLE = 1,	/* idle timeout */
	FF_REC_ACTIVE = 2,	/* active timeout: the flow goes on */
	FF_REC_END = 3,		/* end of flow detected (not used yet) */
	FF_REC_FORCED = 4,	/* the agent stopped, or the capture ended */
	FF_REC_EVICTED = 5,	/* lack of resources: evicted from a full table */
};

/* firewallEvent (IANA) */
enum {
	FF_FW_EVENT_DELETED = 2,
	FF_FW_EVENT_DENIED = 3,
	FF_FW_EVENT_ALERT = 4,
	FF_FW_EVENT_UPDATE = 5,
};

/* forwardingStatus (RFC 7270): status in the two high bits, reason below. */
#define FF_FWD_FORWARDED 0x40	/* forwarded, reason unknown */
#define FF_FWD_DROPPED 0x80	/* dropped, reason unknown */

/* One flow record, oriented from the initiator. Counters are deltas since
 * the previous record of the same flow. */
struct ff_flow_rec {
	__u8 family;		/* 4 or 6 */
	__u8 proto;
	__u8 src[16], dst[16];	/* initiator, responder (IPv4: first 4 bytes) */
	__u16 sport, dport;
	__u64 start_ms, end_ms;	/* wall clock, milliseconds since 1970 */
	__u64 pkts, bytes;	/* initiator to responder; IP bytes */
	__u64 rpkts, rbytes;	/* responder to initiator */
	__u64 flows;		/* flows in this record: 1 (0 is taken as 1), or
				 * more for an aggregate (any source) */
	__u8 tcp_flags;
	__u8 reason;		/* enum ff_rec_reason */
	__u8 action;		/* enum ff_action */
	__u16 cls;		/* FF_CLASS_NONE before the first verdict */
	__u16 score;		/* permille */
	__u32 model_gen;
	char class_name[FF_IPFIX_CLASS_MAX + 1];	/* "" before the first verdict */
};

struct ff_ipfix_msg {
	__u8 buf[FF_IPFIX_MSG_MAX];
	size_t len;
	size_t set_off;		/* offset of the open data set's header, 0 if none */
	__u16 set_id;
	__u32 records;		/* data records in this message */
	__u32 pen;
};

/* Start a message (header space reserved); with `templates`, the template
 * set first. */
void ff_ipfix_msg_begin(struct ff_ipfix_msg *m, __u32 pen, bool templates);
/* Append a record; -1 when the message has no room left (send it, begin
 * another, add again). */
int ff_ipfix_msg_add(struct ff_ipfix_msg *m, const struct ff_flow_rec *r);
/* Write the header; returns the message length. `seq` counts the data
 * records sent before this message in the observation domain. */
size_t ff_ipfix_msg_end(struct ff_ipfix_msg *m, __u32 export_time, __u32 seq, __u32 domain);

/* firewallEvent and forwardingStatus of a record (docs/ipfix.md). */
__u8 ff_ipfix_fw_event(const struct ff_flow_rec *r);
__u8 ff_ipfix_fwd_status(const struct ff_flow_rec *r);

/* Reading messages back (tests, fuzzing): templates are learnt from the
 * messages themselves, so only flowforest's own elements are understood. */
struct ff_ipfix_reader {
	struct {
		__u16 id, n;
		__u16 ie[32], len[32];
		__u32 pen[32];
	} tmpl[8];
	int n_tmpl;
	__u32 next_seq;
	bool have_seq;
	__u64 seq_errors;
};

/* Decode one message; `on_rec` gets each data record of a known template.
 * Returns the number of records, -1 with a message on malformed input. */
int ff_ipfix_read(struct ff_ipfix_reader *rd, const __u8 *msg, size_t len,
		  void (*on_rec)(void *ctx, const struct ff_flow_rec *r, __u32 domain), void *ctx,
		  char *err, size_t errlen);

#endif
