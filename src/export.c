// SPDX-License-Identifier: MIT
/*
 * Which record is due when, and sending it. Every flow the exporter knows
 * has an entry with what was already reported, so that records carry deltas
 * (what nfdump, pmacct and every NetFlow collector add up) and a flow is
 * reported once however its end is noticed: by a scan, by the kernel's
 * `ended` or `evicted` event, or by the agent stopping.
 */
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>

#include "eve.h"
#include "export.h"

struct entry {
	struct ff_flow_key key;
	__u64 first_us;
	__u64 sent_pkts, sent_bytes, sent_rpkts, sent_rbytes;
	__u64 reported_us;	/* flow clock of the last record (first_us before) */
	struct ff_event last;	/* the flow as last seen */
	__u32 scan;		/* scan that last saw it */
	__u8 used;
	__u8 done;		/* final record sent */
};

struct ff_exporter {
	struct ff_export_opts o;
	char class_names[FF_MAX_CLASSES][FF_NAME_MAX];
	__u32 n_classes;
	/* IPFIX */
	int fd;
	bool tcp;
	struct addrinfo *addr;
	struct ff_ipfix_msg msg;
	bool msg_open;
	__u32 seq;
	double templates_at;	/* wall clock of the last template set */
	double reconnect_at;
	/* aggregates of dropped flows: per class, protocol and destination */
	struct ff_flow_rec *agg;
	__u64 agg_until_us;	/* flow clock: the current aggregates go out then */
	bool agg_clock;
	/* EVE */
	FILE *eve;
	/* flows */
	struct entry *tab;
	size_t cap, count;
	__u32 scan;
	bool baseline;
	struct ff_export_stats st;
};

static double wall_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* ---- the table of known flows (linear probing, backward-shift delete) ---- */

static size_t slot_of(const struct ff_exporter *x, const struct ff_flow_key *k, __u64 first_us)
{
	const __u8 *p = (const __u8 *)k;
	__u64 h = 1469598103934665603ULL ^ first_us;
	size_t i;

	for (i = 0; i < sizeof(*k); i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return (h ^ (h >> 29)) & (x->cap - 1);
}

static struct entry *find(struct ff_exporter *x, const struct ff_flow_key *k, __u64 first_us)
{
	size_t i = slot_of(x, k, first_us);

	while (x->tab[i].used) {
		if (x->tab[i].first_us == first_us && !memcmp(&x->tab[i].key, k, sizeof(*k)))
			return &x->tab[i];
		i = (i + 1) & (x->cap - 1);
	}
	return NULL;
}

static int grow(struct ff_exporter *x)
{
	struct entry *old = x->tab;
	size_t old_cap = x->cap, i;

	x->cap = old_cap ? old_cap * 2 : 1024;
	x->tab = calloc(x->cap, sizeof(*x->tab));
	if (!x->tab) {
		x->tab = old;
		x->cap = old_cap;
		return -1;
	}
	for (i = 0; i < old_cap; i++)
		if (old[i].used) {
			size_t j = slot_of(x, &old[i].key, old[i].first_us);

			while (x->tab[j].used)
				j = (j + 1) & (x->cap - 1);
			x->tab[j] = old[i];
		}
	free(old);
	return 0;
}

static struct entry *get(struct ff_exporter *x, const struct ff_flow_key *k, __u64 first_us)
{
	struct entry *e;
	size_t i;

	if (x->cap && (e = find(x, k, first_us)))
		return e;
	if ((x->count + 1) * 2 > x->cap && grow(x))
		return NULL;
	i = slot_of(x, k, first_us);
	while (x->tab[i].used)
		i = (i + 1) & (x->cap - 1);
	e = &x->tab[i];
	memset(e, 0, sizeof(*e));
	e->used = 1;
	e->key = *k;
	e->first_us = first_us;
	e->reported_us = first_us;
	x->count++;
	return e;
}

static void drop_entry(struct ff_exporter *x, struct entry *e)
{
	size_t i = e - x->tab, j = i;

	x->tab[i].used = 0;
	x->count--;
	for (;;) {	/* close the gap so that probes still find what follows */
		size_t home;

		j = (j + 1) & (x->cap - 1);
		if (!x->tab[j].used)
			return;
		home = slot_of(x, &x->tab[j].key, x->tab[j].first_us);
		if (((j - home) & (x->cap - 1)) >= ((j - i) & (x->cap - 1))) {
			x->tab[i] = x->tab[j];
			x->tab[j].used = 0;
			i = j;
		}
	}
}

/* ---- IPFIX transport ----------------------------------------------------- */

int ff_export_parse_target(const char *s, bool *tcp, char *host, size_t hostlen, char *port,
			   size_t portlen)
{
	const char *colon, *h = s;
	size_t hl;

	*tcp = false;
	if (!strncmp(s, "udp://", 6))
		h = s + 6;
	else if (!strncmp(s, "tcp://", 6)) {
		h = s + 6;
		*tcp = true;
	}
	if (*h == '[') {
		const char *end = strchr(h, ']');

		if (!end || end[1] != ':')
			return -1;
		hl = end - h - 1;
		h++;
		colon = end + 1;
	} else {
		colon = strrchr(h, ':');
		if (!colon)
			return -1;
		hl = colon - h;
	}
	if (hl == 0 || hl >= hostlen || !colon[1] || strlen(colon + 1) >= portlen)
		return -1;
	memcpy(host, h, hl);
	host[hl] = 0;
	strcpy(port, colon + 1);
	return 0;
}

static int connect_target(struct ff_exporter *x)
{
	struct timeval tv = { 1, 0 };
	int fd;

	fd = socket(x->addr->ai_family, (x->tcp ? SOCK_STREAM : SOCK_DGRAM) | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -1;
	/* A collector that stops reading must not stop the agent for long. */
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	if (connect(fd, x->addr->ai_addr, x->addr->ai_addrlen)) {
		close(fd);
		return -1;
	}
	x->fd = fd;
	x->templates_at = 0;	/* a new session starts with the templates */
	return 0;
}

static void send_msg(struct ff_exporter *x)
{
	size_t len;
	ssize_t n;

	if (!x->msg_open)
		return;
	x->msg_open = false;
	if (x->msg.records == 0)
		return;
	len = ff_ipfix_msg_end(&x->msg, (__u32)wall_s(), x->seq, x->o.domain);
	x->seq += x->msg.records;	/* counted even if lost: the collector sees the gap */
	if (x->fd < 0) {
		x->st.send_errors++;
		return;
	}
	n = send(x->fd, x->msg.buf, len, MSG_NOSIGNAL);
	if (n == (ssize_t)len) {
		x->st.messages++;
		return;
	}
	x->st.send_errors++;
	if (x->tcp) {	/* a broken stream: start again, templates first */
		close(x->fd);
		x->fd = -1;
	}
}

static void begin_msg(struct ff_exporter *x)
{
	double now = wall_s();
	bool templates;

	if (x->fd < 0 && x->tcp && now >= x->reconnect_at) {
		if (connect_target(x))
			x->reconnect_at = now + 5;
	}
	/* UDP: templates at the start and every template_refresh seconds
	 * (RFC 7011, 8.4); TCP: once per connection. */
	templates = x->templates_at == 0 ||
		    (!x->tcp && now - x->templates_at >= x->o.template_refresh);
	if (templates)
		x->templates_at = now;
	ff_ipfix_msg_begin(&x->msg, x->o.pen, templates);
	x->msg_open = true;
}

static void send_record(struct ff_exporter *x, const struct ff_flow_rec *r)
{
	if (!x->msg_open)
		begin_msg(x);
	if (ff_ipfix_msg_add(&x->msg, r)) {
		send_msg(x);
		begin_msg(x);
		ff_ipfix_msg_add(&x->msg, r);	/* one record always fits */
	}
	x->st.records++;
}

/* ---- records --------------------------------------------------------------- */

void ff_export_event_fill(struct ff_event *e, const struct ff_flow_key *k, const struct ff_flow *f,
			  __u16 prev, __u64 now_us, __u8 type)
{
	ff_event_fill(e, k, f, prev, now_us, type);	/* the kernel's own fill */
}

static const char *class_name(const struct ff_exporter *x, __u32 gen, __u16 cls)
{
	const char *name;

	if (cls == FF_CLASS_NONE)
		return NULL;
	if (x->o.name_of && (name = x->o.name_of(x->o.name_ctx, gen, cls)))
		return name;
	return cls < x->n_classes ? x->class_names[cls] : NULL;
}

/* ---- aggregates ---------------------------------------------------------------
 * A flood of spoofed sources is a flow per packet, and a record per flow. With
 * --ipfix-aggregate, the final and active-timeout records of dropped flows are
 * added up per (class, protocol, destination address and port) and sent once
 * per active timeout with the number of flows (deltaFlowCount) and no source:
 * at most AGG_SLOTS records per interval, whatever the flood's rate. */

#define AGG_SLOTS 4096
#define AGG_PROBES 16

static bool agg_same(const struct ff_flow_rec *a, const struct ff_flow_rec *b)
{
	return a->family == b->family && a->proto == b->proto && a->dport == b->dport &&
	       a->cls == b->cls && !memcmp(a->dst, b->dst, 16);
}

static size_t agg_slot(const struct ff_flow_rec *r)
{
	__u64 h = 1469598103934665603ULL;
	size_t i;

	for (i = 0; i < 16; i++)
		h = (h ^ r->dst[i]) * 1099511628211ULL;
	h = (h ^ ((__u64)r->proto << 32 | (__u64)r->dport << 16 | r->cls)) * 1099511628211ULL;
	return (h ^ (h >> 31)) & (AGG_SLOTS - 1);
}

static void send_record(struct ff_exporter *x, const struct ff_flow_rec *r);

static void agg_flush(struct ff_exporter *x, __u8 reason)
{
	size_t i;

	for (i = 0; x->agg && i < AGG_SLOTS; i++) {
		if (!x->agg[i].flows)
			continue;
		x->agg[i].reason = reason;
		send_record(x, &x->agg[i]);
		x->agg[i].flows = 0;
	}
}

static void agg_tick(struct ff_exporter *x, __u64 now_us)
{
	__u64 every = x->o.active_timeout_us ? x->o.active_timeout_us : 60000000ULL;

	if (!x->agg)
		return;
	if (!x->agg_clock) {
		x->agg_clock = true;
		x->agg_until_us = now_us + every;
	} else if (now_us >= x->agg_until_us) {
		agg_flush(x, FF_REC_ACTIVE);
		x->agg_until_us = now_us + every;
	}
}

/* 0: `r` is in an aggregate; -1: send it on its own. */
static int agg_add(struct ff_exporter *x, const struct ff_flow_rec *r, __u64 now_us)
{
	size_t i = agg_slot(r), k;

	if (!x->agg || r->cls == FF_CLASS_NONE || r->action != FF_ACT_DROP ||
	    r->reason == FF_REC_CHANGED)
		return -1;
	agg_tick(x, now_us);
	for (k = 0; k < AGG_PROBES; k++, i = (i + 1) & (AGG_SLOTS - 1)) {
		struct ff_flow_rec *a = &x->agg[i];

		if (!a->flows) {
			*a = *r;
			memset(a->src, 0, sizeof(a->src));
			a->sport = 0;
			a->flows = 1;
			x->st.aggregated++;
			return 0;
		}
		if (!agg_same(a, r))
			continue;
		a->flows++;
		a->pkts += r->pkts;
		a->bytes += r->bytes;
		a->rpkts += r->rpkts;
		a->rbytes += r->rbytes;
		a->tcp_flags |= r->tcp_flags;
		a->start_ms = r->start_ms < a->start_ms ? r->start_ms : a->start_ms;
		a->end_ms = r->end_ms > a->end_ms ? r->end_ms : a->end_ms;
		a->score = r->score;
		a->model_gen = r->model_gen;
		x->st.aggregated++;
		return 0;
	}
	return -1;	/* crowded: this one goes out on its own */
}

/* Entry `n` has reported everything `e` counts. */
static void learn(struct entry *n, const struct ff_event *e)
{
	n->last = *e;
	n->sent_pkts = e->pkts - e->resp_pkts;
	n->sent_bytes = e->bytes - e->resp_bytes;
	n->sent_rpkts = e->resp_pkts;
	n->sent_rbytes = e->resp_bytes;
	n->reported_us = e->ts_us;
}

/* A record of what `e` counts beyond what entry `n` reported. */
static void report(struct ff_exporter *x, struct entry *n, const struct ff_event *e, __u8 reason)
{
	const struct ff_flow_key *k = &e->key;
	__u64 fwd_p = e->pkts - e->resp_pkts, fwd_b = e->bytes - e->resp_bytes;
	struct ff_flow_rec r;
	const char *name;

	memset(&r, 0, sizeof(r));
	r.family = k->family;
	r.proto = k->proto;
	memcpy(r.src, e->initiator_is_b ? k->addr_b : k->addr_a, 16);
	memcpy(r.dst, e->initiator_is_b ? k->addr_a : k->addr_b, 16);
	/* ICMP "ports" are the echo identifier in the flow key: not a
	 * transport port, so not exported as one. */
	if (k->proto != 1 && k->proto != 58) {
		r.sport = e->initiator_is_b ? k->port_b : k->port_a;
		r.dport = e->initiator_is_b ? k->port_a : k->port_b;
	}
	r.start_ms = ((__s64)e->first_us + x->o.wall_offset_us) / 1000;
	r.end_ms = ((__s64)e->last_us + x->o.wall_offset_us) / 1000;
	r.pkts = fwd_p - n->sent_pkts;
	r.bytes = fwd_b - n->sent_bytes;
	r.rpkts = e->resp_pkts - n->sent_rpkts;
	r.rbytes = e->resp_bytes - n->sent_rbytes;
	r.tcp_flags = e->tcp_flags;
	r.reason = reason;
	r.action = e->action;
	r.cls = e->cls;
	r.score = e->score;
	r.model_gen = e->model_gen;
	name = class_name(x, e->model_gen, e->cls);
	if (name)
		snprintf(r.class_name, sizeof(r.class_name), "%s", name);
	if ((r.pkts + r.rpkts || reason == FF_REC_CHANGED) && agg_add(x, &r, e->ts_us))
		send_record(x, &r);
	learn(n, e);
	if (reason != FF_REC_CHANGED && reason != FF_REC_ACTIVE)
		n->done = 1;
}

/* Counters only grow within one flow; anything else is a new flow. */
static bool has_more(const struct entry *n, const struct ff_event *e)
{
	return e->pkts > n->sent_pkts + n->sent_rpkts;
}

void ff_export_event(struct ff_exporter *x, const struct ff_event *e)
{
	struct entry *n;

	if (x->eve && (e->type == FF_EV_CLASSIFIED || e->type == FF_EV_CHANGED) &&
	    e->cls != FF_CLASS_NONE && e->action != FF_ACT_PASS) {
		ff_eve_alert(x->eve, e, class_name(x, e->model_gen, e->cls), x->o.wall_offset_us, x->o.iface);
		x->st.alerts++;
	}
	if (!x->o.ipfix)
		return;
	switch (e->type) {
	case FF_EV_CHANGED:
		n = get(x, &e->key, e->first_us);
		if (n)
			report(x, n, e, FF_REC_CHANGED);
		break;
	case FF_EV_EVICTED:
	case FF_EV_ENDED:
		n = get(x, &e->key, e->first_us);
		if (!n)
			break;
		if (!n->done || has_more(n, e))
			report(x, n, e, e->type == FF_EV_EVICTED ? FF_REC_EVICTED : FF_REC_IDLE);
		drop_entry(x, n);
		break;
	}
}

void ff_export_flow(struct ff_exporter *x, const struct ff_flow_key *k, const struct ff_flow *f,
		    __u64 now_us, bool force)
{
	struct ff_event e;
	struct entry *n;
	bool idle;

	if (!x->o.ipfix || ff_flow_pkts(f) == 0)
		return;
	n = get(x, k, f->first_us);
	if (!n)
		return;
	n->scan = x->scan;
	ff_export_event_fill(&e, k, f, f->cls, now_us, FF_EV_ENDED);
	if (x->baseline) {	/* a takeover: what was counted so far is reported */
		learn(n, &e);
		return;
	}
	idle = x->o.idle_timeout_us && now_us > f->last_us &&
	       now_us - f->last_us > x->o.idle_timeout_us;
	if (force || idle) {
		if (!n->done || has_more(n, &e))
			report(x, n, &e, force ? FF_REC_FORCED : FF_REC_IDLE);
	} else if (n->done && has_more(n, &e)) {
		n->done = 0;	/* packets after an idle end: the flow goes on */
		n->last = e;
	} else if (x->o.active_timeout_us && now_us - n->reported_us >= x->o.active_timeout_us &&
		   has_more(n, &e)) {
		report(x, n, &e, FF_REC_ACTIVE);
	} else {
		n->last = e;
	}
}

void ff_export_scan_begin(struct ff_exporter *x, bool baseline)
{
	x->scan++;
	x->baseline = baseline;
}

void ff_export_scan_end(struct ff_exporter *x)
{
	size_t i = 0;

	if (!x->o.ipfix)
		return;
	x->baseline = false;
	while (i < x->cap) {
		struct entry *n = &x->tab[i];

		if (!n->used || n->scan == x->scan) {
			i++;
			continue;
		}
		/* Gone without an event: the table evicted it, or its event was
		 * lost. What we last saw of it is all we have. */
		if (!n->done && has_more(n, &n->last))
			report(x, n, &n->last, FF_REC_EVICTED);
		drop_entry(x, n);	/* may move a later entry into slot i */
	}
}

int ff_export_scan_map(struct ff_exporter *x, int flows_fd, __u64 now_us, bool baseline,
		       bool force)
{
	enum { BATCH = 1024 };
	struct ff_flow_key *keys = malloc(BATCH * sizeof(*keys));
	struct ff_flow *vals = malloc(BATCH * sizeof(*vals));
	__u64 in_token[8], out_token[8];	/* opaque position, key-sized */
	bool first = true;
	int rc = 0;

	if (!x->o.ipfix)
		goto out;
	if (!keys || !vals) {
		rc = -ENOMEM;
		goto out;
	}
	ff_export_scan_begin(x, baseline);
	for (;;) {
		__u32 n = BATCH, i;
		int r;

		r = bpf_map_lookup_batch(flows_fd, first ? NULL : in_token, out_token, keys, vals,
					 &n, NULL);
		if (r && errno != ENOENT) {
			rc = -errno;
			break;
		}
		for (i = 0; i < n; i++)
			ff_export_flow(x, &keys[i], &vals[i], now_us, force);
		if (r)	/* ENOENT: that was the last batch */
			break;
		memcpy(in_token, out_token, sizeof(in_token));
		first = false;
	}
	if (rc == 0)
		ff_export_scan_end(x);
	if (force)
		agg_flush(x, FF_REC_FORCED);
	else
		agg_tick(x, now_us);
	ff_export_flush(x);
out:
	free(keys);
	free(vals);
	return rc;
}

/* ---- setup ------------------------------------------------------------------ */

void ff_export_set_classes(struct ff_exporter *x, const char (*names)[FF_NAME_MAX], __u32 n)
{
	__u32 i;

	x->n_classes = names ? (n < FF_MAX_CLASSES ? n : FF_MAX_CLASSES) : 0;
	for (i = 0; i < x->n_classes; i++)
		snprintf(x->class_names[i], FF_NAME_MAX, "%s", names[i]);
}

struct ff_exporter *ff_export_open(const struct ff_export_opts *o, char *err, size_t errlen)
{
	struct ff_exporter *x = calloc(1, sizeof(*x));
	char host[256], port[32];

	if (!x) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	x->o = *o;
	x->fd = -1;
	if (x->o.template_refresh <= 0)
		x->o.template_refresh = 60;
	if (o->ipfix && o->aggregate) {
		x->agg = calloc(AGG_SLOTS, sizeof(*x->agg));
		if (!x->agg) {
			snprintf(err, errlen, "out of memory");
			goto fail;
		}
	}
	ff_export_set_classes(x, o->class_names, o->n_classes);
	if (o->ipfix) {
		struct addrinfo hints = { .ai_flags = AI_ADDRCONFIG };
		int rc;

		if (ff_export_parse_target(o->ipfix, &x->tcp, host, sizeof(host), port,
					   sizeof(port))) {
			snprintf(err, errlen, "--ipfix wants [udp://|tcp://]HOST:PORT, got '%s'",
				 o->ipfix);
			goto fail;
		}
		hints.ai_socktype = x->tcp ? SOCK_STREAM : SOCK_DGRAM;
		rc = getaddrinfo(host, port, &hints, &x->addr);
		if (rc) {
			snprintf(err, errlen, "IPFIX collector %s: %s", o->ipfix, gai_strerror(rc));
			goto fail;
		}
		if (connect_target(x)) {
			snprintf(err, errlen, "IPFIX collector %s: %s", o->ipfix, strerror(errno));
			goto fail;
		}
	}
	if (o->eve) {
		x->eve = strcmp(o->eve, "-") ? fopen(o->eve, "a") : stdout;
		if (!x->eve) {
			snprintf(err, errlen, "EVE file %s: %s", o->eve, strerror(errno));
			goto fail;
		}
		/* Line-buffered: a log shipper tailing the file sees whole lines. */
		setvbuf(x->eve, NULL, _IOLBF, 0);
	}
	return x;
fail:
	ff_export_close(x);
	return NULL;
}

void ff_export_finish(struct ff_exporter *x)
{
	if (!x)
		return;
	agg_flush(x, FF_REC_FORCED);
	ff_export_flush(x);
}

void ff_export_flush(struct ff_exporter *x)
{
	if (!x)
		return;
	send_msg(x);
	if (x->eve)
		fflush(x->eve);
}

const struct ff_export_stats *ff_export_stats(const struct ff_exporter *x)
{
	return &x->st;
}

void ff_export_close(struct ff_exporter *x)
{
	if (!x)
		return;
	ff_export_finish(x);
	if (x->fd >= 0)
		close(x->fd);
	if (x->addr)
		freeaddrinfo(x->addr);
	if (x->eve && x->eve != stdout)
		fclose(x->eve);
	free(x->tab);
	free(x->agg);
	free(x);
}
