// SPDX-License-Identifier: MIT
#include <arpa/inet.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>
#include <json-c/json.h>

#include "forest_native.h"
#include "output.h"
#include "loader.h"

void ff_format_addr(__u8 family, const __u8 *addr, char *buf, size_t len)
{
	if (!inet_ntop(family == 6 ? AF_INET6 : AF_INET, addr, buf, len))
		snprintf(buf, len, "?");
}

const char *ff_proto_name(__u8 proto, char *buf, size_t len)
{
	switch (proto) {
	case 6: return "tcp";
	case 17: return "udp";
	case 1: return "icmp";
	case 58: return "icmpv6";
	default:
		snprintf(buf, len, "%u", proto);
		return buf;
	}
}

static __s64 clock_offset_us;
static int have_offset;

void ff_output_set_clock_offset(__s64 realtime_minus_monotonic_us)
{
	clock_offset_us = realtime_minus_monotonic_us;
	have_offset = 1;
}

const char *ff_event_type_name(__u8 type)
{
	switch (type) {
	case FF_EV_CLASSIFIED: return "classified";
	case FF_EV_CHANGED: return "changed";
	case FF_EV_EVICTED: return "evicted";
	case FF_EV_ENDED: return "ended";
	case FF_EV_FLOOD: return "flood";
	default: return "unknown";
	}
}

/* A stable id of the flow: the same for every event of one flow. */
__u64 ff_event_flow_id(const struct ff_event *e)
{
	const __u8 *p = (const __u8 *)&e->key;
	__u64 h = 1469598103934665603ULL ^ e->first_us;
	size_t i;

	for (i = 0; i < sizeof(e->key); i++)
		h = (h ^ p[i]) * 1099511628211ULL;
	return h & 0x7fffffffffffffffULL;
}

static json_object *class_json(const struct ff_model *m, __u16 cls)
{
	if (cls == FF_CLASS_NONE)
		return NULL;
	if (m && cls < m->n_classes)
		return json_object_new_string(m->class_names[cls]);
	return json_object_new_int(cls);
}

void ff_event_print_json(FILE *out, const struct ff_event *e, const struct ff_model *m)
{
	const struct ff_flow_key *k = &e->key;
	/* Orient the tuple from the initiator's side. */
	const __u8 *src = e->initiator_is_b ? k->addr_b : k->addr_a;
	const __u8 *dst = e->initiator_is_b ? k->addr_a : k->addr_b;
	__u16 sport = e->initiator_is_b ? k->port_b : k->port_a;
	__u16 dport = e->initiator_is_b ? k->port_a : k->port_b;
	char sbuf[64], dbuf[64], pbuf[8];
	json_object *o = json_object_new_object();

	ff_format_addr(k->family, src, sbuf, sizeof(sbuf));
	ff_format_addr(k->family, dst, dbuf, sizeof(dbuf));
	if (have_offset) {
		__s64 wall = (__s64)e->ts_us + clock_offset_us;
		time_t sec = wall / 1000000;
		struct tm tm;
		char ts[40];

		gmtime_r(&sec, &tm);
		strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
		snprintf(ts + strlen(ts), sizeof(ts) - strlen(ts), ".%06lldZ",
			 (long long)(wall % 1000000));
		json_object_object_add(o, "timestamp", json_object_new_string(ts));
	}
	json_object_object_add(o, "ts_us", json_object_new_uint64(e->ts_us));
	json_object_object_add(o, "flow_id", json_object_new_uint64(ff_event_flow_id(e)));
	json_object_object_add(o, "event", json_object_new_string(ff_event_type_name(e->type)));
	json_object_object_add(o, "proto", json_object_new_string(
		ff_proto_name(k->proto, pbuf, sizeof(pbuf))));
	json_object_object_add(o, "src", json_object_new_string(sbuf));
	json_object_object_add(o, "sport", json_object_new_int(sport));
	json_object_object_add(o, "dst", json_object_new_string(dbuf));
	json_object_object_add(o, "dport", json_object_new_int(dport));
	if (k->frag_later)
		json_object_object_add(o, "fragments", json_object_new_boolean(1));
	json_object_object_add(o, "class", class_json(m, e->cls));
	json_object_object_add(o, "class_id", json_object_new_int(e->cls));
	json_object_object_add(o, "prev_class", class_json(m, e->prev_cls));
	json_object_object_add(o, "score", json_object_new_double(e->score / 1000.0));
	json_object_object_add(o, "action", json_object_new_string(ff_action_name(e->action)));
	json_object_object_add(o, "pkts", json_object_new_uint64(e->pkts));
	json_object_object_add(o, "bytes", json_object_new_uint64(e->bytes));
	json_object_object_add(o, "first_us", json_object_new_uint64(e->first_us));
	json_object_object_add(o, "last_us", json_object_new_uint64(e->last_us));
	json_object_object_add(o, "model_gen", json_object_new_int64(e->model_gen));
	fprintf(out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

void ff_counters_print_text(FILE *out, const struct ff_counters *c, const struct ff_model *m)
{
	__u32 i;

	fprintf(out, "pkts %" PRIu64 " flows %" PRIu64 " classified %" PRIu64
		" dropped %" PRIu64 " alerted %" PRIu64 " events %" PRIu64 " lost %" PRIu64
		" parse-fail %" PRIu64 " not-ip %" PRIu64,
		(uint64_t)c->c[FF_C_PACKETS], (uint64_t)c->c[FF_C_FLOWS_CREATED],
		(uint64_t)c->c[FF_C_CLASSIFICATIONS], (uint64_t)c->c[FF_C_DROPPED],
		(uint64_t)c->c[FF_C_ALERTED], (uint64_t)c->c[FF_C_EVENTS],
		(uint64_t)c->c[FF_C_EVENTS_LOST],
		(uint64_t)(c->c[FF_C_TRUNCATED] + c->c[FF_C_MALFORMED] + c->c[FF_C_UNSUPPORTED]),
		(uint64_t)c->c[FF_C_NOT_IP]);
	for (i = 0; m && i < m->n_classes; i++)
		if (c->class_pkts[i])
			fprintf(out, " %s=%" PRIu64, m->class_names[i], (uint64_t)c->class_pkts[i]);
	fputc('\n', out);
}

/* {"attached": bool, "generation": G, "insns": N, "program_verified_insns": V} */
static json_object *native_json(const struct ff_native_info *n)
{
	json_object *o = json_object_new_object();

	json_object_object_add(o, "attached", json_object_new_boolean(n->attached));
	if (n->attached) {
		json_object_object_add(o, "generation", json_object_new_uint64(n->generation));
		json_object_object_add(o, "insns", json_object_new_uint64(n->insns));
	}
	json_object_object_add(o, "program_verified_insns",
			       json_object_new_uint64(n->verified_insns));
	return o;
}

void ff_counters_print_json(FILE *out, const struct ff_counters *c, const struct ff_model *m,
			    const struct ff_native_info *nat)
{
	json_object *o = json_object_new_object(), *cls = json_object_new_object();
	char name[32];
	__u32 i;

	for (i = 0; i < FF_C__FIXED; i++)
		json_object_object_add(o, ff_counter_names[i], json_object_new_uint64(c->c[i]));
	json_object_object_add(o, "unclassified_pkts", json_object_new_uint64(c->unclassified_pkts));
	for (i = 0; i < FF_MAX_CLASSES; i++) {
		if (m && i >= m->n_classes)
			break;
		if (m)
			json_object_object_add(cls, m->class_names[i],
					       json_object_new_uint64(c->class_pkts[i]));
		else if (c->class_pkts[i]) {
			snprintf(name, sizeof(name), "%u", i);
			json_object_object_add(cls, name, json_object_new_uint64(c->class_pkts[i]));
		}
	}
	json_object_object_add(o, "class_pkts", cls);
	if (nat)
		json_object_object_add(o, "native_forest", native_json(nat));
	fprintf(out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}
