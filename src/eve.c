// SPDX-License-Identifier: MIT
#include <stdbool.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <json-c/json.h>

#include "eve.h"
#include "output.h"

/* The first rule whose word the class name contains decides; the texts are
 * classifications from Suricata's classification.config. */
static const struct {
	const char *word;
	struct ff_eve_class c;
} rules[] = {
	{ "flood", { "Attempted Denial of Service", 2 } },
	{ "dos", { "Attempted Denial of Service", 2 } },
	{ "slow", { "Attempted Denial of Service", 2 } },
	{ "scan", { "Detection of a Network Scan", 3 } },
	{ "probe", { "Detection of a Network Scan", 3 } },
	{ "sweep", { "Detection of a Network Scan", 3 } },
	{ "brute", { "Attempted User Privilege Gain", 1 } },
	{ "hydra", { "Attempted User Privilege Gain", 1 } },
	{ "password", { "Attempted User Privilege Gain", 1 } },
	{ "bot", { "A Network Trojan was detected", 1 } },
	{ "trojan", { "A Network Trojan was detected", 1 } },
	{ "infiltration", { "A Network Trojan was detected", 1 } },
	{ "web", { "Web Application Attack", 1 } },
	{ "sql", { "Web Application Attack", 1 } },
	{ "xss", { "Web Application Attack", 1 } },
};

struct ff_eve_class ff_eve_classify(const char *name)
{
	static const struct ff_eve_class other = { "Potentially Bad Traffic", 2 };
	size_t i;

	for (i = 0; name && i < FF_ARRAY_SIZE(rules); i++)
		if (strcasestr(name, rules[i].word))
			return rules[i].c;
	return other;
}

void ff_eve_timestamp(__s64 wall_us, char *buf, size_t len)
{
	time_t sec = wall_us / 1000000;
	struct tm tm;
	size_t n;

	gmtime_r(&sec, &tm);
	n = strftime(buf, len, "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf + n, len - n, ".%06lld+0000", (long long)(wall_us % 1000000));
}

/* Suricata's protocol names. */
static const char *eve_proto(__u8 proto, char *buf, size_t len)
{
	switch (proto) {
	case 6: return "TCP";
	case 17: return "UDP";
	case 1: return "ICMP";
	case 58: return "IPv6-ICMP";
	case 132: return "SCTP";
	default:
		snprintf(buf, len, "%u", proto);
		return buf;
	}
}

static void add_str(json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static void add_int(json_object *o, const char *k, __s64 v)
{
	json_object_object_add(o, k, json_object_new_int64(v));
}

void ff_eve_alert(FILE *out, const struct ff_event *e, const char *class_name,
		  __s64 wall_offset_us, const char *iface)
{
	const struct ff_flow_key *k = &e->key;
	const __u8 *src = e->initiator_is_b ? k->addr_b : k->addr_a;
	const __u8 *dst = e->initiator_is_b ? k->addr_a : k->addr_b;
	__u16 sport = e->initiator_is_b ? k->port_b : k->port_a;
	__u16 dport = e->initiator_is_b ? k->port_a : k->port_b;
	struct ff_eve_class c = ff_eve_classify(class_name);
	json_object *o = json_object_new_object(), *a, *f;
	char ts[48], sbuf[64], dbuf[64], pbuf[8], sig[96];
	bool ports = k->proto == 6 || k->proto == 17 || k->proto == 132;

	ff_eve_timestamp((__s64)e->ts_us + wall_offset_us, ts, sizeof(ts));
	ff_format_addr(k->family, src, sbuf, sizeof(sbuf));
	ff_format_addr(k->family, dst, dbuf, sizeof(dbuf));
	add_str(o, "timestamp", ts);
	/* Suricata's flow ids stay below 2^53, so that JSON readers that hold
	 * numbers as doubles keep them exact. */
	add_int(o, "flow_id", ff_event_flow_id(e) & ((1ULL << 53) - 1));
	if (iface)
		add_str(o, "in_iface", iface);
	add_str(o, "event_type", "alert");
	add_str(o, "src_ip", sbuf);
	if (ports)
		add_int(o, "src_port", sport);
	add_str(o, "dest_ip", dbuf);
	if (ports)
		add_int(o, "dest_port", dport);
	add_str(o, "proto", eve_proto(k->proto, pbuf, sizeof(pbuf)));

	a = json_object_new_object();
	add_str(a, "action", e->action == FF_ACT_DROP ? "blocked" : "allowed");
	add_int(a, "gid", 1);
	add_int(a, "signature_id", FF_EVE_SID_BASE + e->cls);
	add_int(a, "rev", e->model_gen);
	snprintf(sig, sizeof(sig), "%s", class_name ? class_name : "unknown");
	add_str(a, "signature", sig);
	add_str(a, "category", c.category);
	add_int(a, "severity", c.severity);
	json_object_object_add(a, "metadata", json_object_new_object());
	{
		json_object *md = json_object_object_get(a, "metadata"), *arr;
		char v[32];

		arr = json_object_new_array();
		snprintf(v, sizeof(v), "%.3f", e->score / 1000.0);
		json_object_array_add(arr, json_object_new_string(v));
		json_object_object_add(md, "flowforest_score", arr);
		arr = json_object_new_array();
		json_object_array_add(arr, json_object_new_string(ff_event_type_name(e->type)));
		json_object_object_add(md, "flowforest_event", arr);
	}
	json_object_object_add(o, "alert", a);

	f = json_object_new_object();
	add_int(f, "pkts_toserver", e->pkts - e->resp_pkts);
	add_int(f, "pkts_toclient", e->resp_pkts);
	add_int(f, "bytes_toserver", e->bytes - e->resp_bytes);
	add_int(f, "bytes_toclient", e->resp_bytes);
	ff_eve_timestamp((__s64)e->first_us + wall_offset_us, ts, sizeof(ts));
	add_str(f, "start", ts);
	json_object_object_add(o, "flow", f);

	fprintf(out, "%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}
