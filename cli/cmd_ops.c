// SPDX-License-Identifier: MIT
/*
 * Commands that work on a pinned classifier from another process:
 * stats, flows, stop, allow, deny.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <bpf/bpf.h>
#include <json-c/json.h>

#include "commands.h"
#include "loader.h"
#include "metrics.h"
#include "output.h"

static int want_help(int argc, char **argv)
{
	for (int i = 1; i < argc; i++)
		if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h"))
			return 1;
	return 0;
}

/* --iface IF [flags...]: returns the interface or NULL (message printed). */
static const char *iface_arg(int argc, char **argv, const char *cmd)
{
	for (int i = 1; i < argc - 1; i++)
		if (!strcmp(argv[i], "--iface") || !strcmp(argv[i], "-i"))
			return argv[i + 1];
	fprintf(stderr, "%s: --iface is required\n", cmd);
	return NULL;
}

static int open_pinned(const char *iface, struct ff_maps *mp, const char *cmd)
{
	char err[512];

	if (ff_check_privileges(err, sizeof(err)) || ff_pinned_open(iface, mp, err, sizeof(err))) {
		fprintf(stderr, "%s: %s\n", cmd, err);
		return -1;
	}
	return 0;
}

/* Class names of the active model (from its header). */
static __u32 active_classes(const struct ff_maps *mp, struct ff_model *names)
{
	struct ff_model_meta meta;
	__u32 i;

	memset(names, 0, sizeof(*names));
	if (ff_maps_active_meta(mp, &meta))
		return 0;
	names->n_classes = meta.n_classes < FF_MAX_CLASSES ? meta.n_classes : FF_MAX_CLASSES;
	for (i = 0; i < names->n_classes; i++) {
		memcpy(names->class_names[i], meta.class_names[i], FF_CLASS_NAME_LEN);
		names->class_names[i][FF_CLASS_NAME_LEN - 1] = 0;
		names->actions[i] = meta.actions[i];
	}
	return meta.generation;
}

int cmd_stats(int argc, char **argv)
{
	struct ff_counters c;
	struct ff_model names;
	struct ff_maps mp;
	const char *iface;
	int json = 0, prom = 0, i;

	if (want_help(argc, argv)) {
		printf("Usage: flowforest stats --iface IF [--json|--prometheus]\n\n"
		       "Counters of the pinned classifier on IF (see `flowforest run --pin`).\n\n"
		       "Examples:\n  sudo flowforest stats -i eth0\n  sudo flowforest stats -i eth0 --json\n");
		return 0;
	}
	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json"))
			json = 1;
		else if (!strcmp(argv[i], "--prometheus"))
			prom = 1;
	}
	iface = iface_arg(argc, argv, "stats");
	if (!iface)
		return 2;
	if (open_pinned(iface, &mp, "stats"))
		return 1;
	active_classes(&mp, &names);
	if (prom) {
		char *t = ff_metrics_render(&mp, iface,
					    (const char (*)[FF_NAME_MAX])names.class_names,
					    names.n_classes);

		if (t)
			fputs(t, stdout);
		free(t);
	} else if (ff_maps_counters(&mp, &c)) {
		fprintf(stderr, "stats: cannot read the counters\n");
		ff_maps_close(&mp);
		return 1;
	} else if (json) {
		ff_counters_print_json(stdout, &c, &names);
	} else {
		for (i = 0; i < FF_C__FIXED; i++)
			printf("%-18s %" PRIu64 "\n", ff_counter_names[i], (uint64_t)c.c[i]);
		for (i = 0; i < (int)names.n_classes; i++)
			printf("class %-12s %" PRIu64 " packets (%s)\n", names.class_names[i],
			       (uint64_t)c.class_pkts[i], ff_action_name(names.actions[i]));
		printf("%-18s %" PRIu64 "\n", "unclassified", (uint64_t)c.unclassified_pkts);
	}
	ff_maps_close(&mp);
	return 0;
}

struct flow_row {
	struct ff_flow_key key;
	struct ff_flow f;
};

static int sort_by_bytes;

static int cmp_rows(const void *a, const void *b)
{
	const struct flow_row *x = a, *y = b;
	__u64 vx = sort_by_bytes ? x->f.dir[0].wire_bytes + x->f.dir[1].wire_bytes : ff_flow_pkts(&x->f);
	__u64 vy = sort_by_bytes ? y->f.dir[0].wire_bytes + y->f.dir[1].wire_bytes : ff_flow_pkts(&y->f);

	return vx < vy ? 1 : vx > vy ? -1 : 0;
}

int cmd_flows(int argc, char **argv)
{
	struct ff_flow_key k, next;
	struct flow_row *rows = NULL;
	struct ff_model names;
	struct ff_maps mp;
	const char *iface, *only = NULL;
	size_t n = 0, cap = 0, i, top = 20;
	void *prev = NULL;
	int json = 0, a;

	if (want_help(argc, argv)) {
		printf("Usage: flowforest flows --iface IF [--top N] [--sort pkts|bytes] [--class NAME] [--json]\n\n"
		       "The largest flows in the pinned classifier's table, with their verdicts.\n\n"
		       "Examples:\n  sudo flowforest flows -i eth0 --top 10\n"
		       "  sudo flowforest flows -i eth0 --class syn_flood --json\n");
		return 0;
	}
	for (a = 1; a < argc; a++) {
		if (!strcmp(argv[a], "--json"))
			json = 1;
		else if (!strcmp(argv[a], "--top") && a + 1 < argc)
			top = strtoul(argv[++a], NULL, 10);
		else if (!strcmp(argv[a], "--sort") && a + 1 < argc) {
			a++;
			if (strcmp(argv[a], "pkts") && strcmp(argv[a], "bytes")) {
				fprintf(stderr, "flows: --sort wants pkts or bytes\n");
				return 2;
			}
			sort_by_bytes = !strcmp(argv[a], "bytes");
		} else if (!strcmp(argv[a], "--class") && a + 1 < argc)
			only = argv[++a];
	}
	iface = iface_arg(argc, argv, "flows");
	if (!iface)
		return 2;
	if (open_pinned(iface, &mp, "flows"))
		return 1;
	active_classes(&mp, &names);
	while (bpf_map_get_next_key(mp.flows, prev, &next) == 0) {
		k = next;
		prev = &k;
		if (n == cap) {
			struct flow_row *nr = realloc(rows, (cap = cap ? cap * 2 : 1024) * sizeof(*rows));

			if (!nr)
				break;
			rows = nr;
		}
		rows[n].key = k;
		if (bpf_map_lookup_elem(mp.flows, &k, &rows[n].f))
			continue;
		if (only) {
			__u16 c = rows[n].f.cls;

			if (c == FF_CLASS_NONE || c >= names.n_classes ||
			    strcmp(names.class_names[c], only))
				continue;
		}
		n++;
	}
	qsort(rows, n, sizeof(*rows), cmp_rows);
	if (!json)
		printf("%-5s %-22s %-22s %9s %11s %-14s %5s\n", "proto", "initiator", "responder",
		       "pkts", "bytes", "class", "score");
	for (i = 0; i < n && i < top; i++) {
		const struct ff_flow_key *fk = &rows[i].key;
		const struct ff_flow *f = &rows[i].f;
		const __u8 *src = f->initiator_is_b ? fk->addr_b : fk->addr_a;
		const __u8 *dst = f->initiator_is_b ? fk->addr_a : fk->addr_b;
		__u16 sp = f->initiator_is_b ? fk->port_b : fk->port_a;
		__u16 dp = f->initiator_is_b ? fk->port_a : fk->port_b;
		char s[64], d[64], se[80], de[80], pb[8];
		const char *cls = f->cls == FF_CLASS_NONE ? "-" :
				  f->cls < names.n_classes ? names.class_names[f->cls] : "?";

		ff_format_addr(fk->family, src, s, sizeof(s));
		ff_format_addr(fk->family, dst, d, sizeof(d));
		if (json) {
			json_object *o = json_object_new_object();

			json_object_object_add(o, "proto", json_object_new_string(ff_proto_name(fk->proto, pb, sizeof(pb))));
			json_object_object_add(o, "src", json_object_new_string(s));
			json_object_object_add(o, "sport", json_object_new_int(sp));
			json_object_object_add(o, "dst", json_object_new_string(d));
			json_object_object_add(o, "dport", json_object_new_int(dp));
			json_object_object_add(o, "pkts", json_object_new_uint64(ff_flow_pkts(f)));
			json_object_object_add(o, "bytes", json_object_new_uint64(f->dir[0].wire_bytes + f->dir[1].wire_bytes));
			json_object_object_add(o, "class", f->cls == FF_CLASS_NONE ? NULL : json_object_new_string(cls));
			json_object_object_add(o, "score", json_object_new_double(f->score / 1000.0));
			json_object_object_add(o, "action", json_object_new_string(ff_action_name(f->action)));
			json_object_object_add(o, "first_us", json_object_new_uint64(f->first_us));
			json_object_object_add(o, "last_us", json_object_new_uint64(f->last_us));
			printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
			json_object_put(o);
			continue;
		}
		snprintf(se, sizeof(se), fk->family == 6 ? "[%s]:%u" : "%s:%u", s, sp);
		snprintf(de, sizeof(de), fk->family == 6 ? "[%s]:%u" : "%s:%u", d, dp);
		printf("%-5s %-22s %-22s %9" PRIu64 " %11" PRIu64 " %-14s %5.3f\n",
		       ff_proto_name(fk->proto, pb, sizeof(pb)), se, de, (uint64_t)ff_flow_pkts(f),
		       (uint64_t)(f->dir[0].wire_bytes + f->dir[1].wire_bytes), cls, f->score / 1000.0);
	}
	if (!json)
		printf("(%zu flows%s)\n", n, only ? " of that class" : "");
	free(rows);
	ff_maps_close(&mp);
	return 0;
}

int cmd_stop(int argc, char **argv)
{
	const char *iface;
	char err[512];

	if (want_help(argc, argv)) {
		printf("Usage: flowforest stop --iface IF\n\n"
		       "Detach the pinned classifier on IF and remove its pins.\n\n"
		       "Example:\n  sudo flowforest stop -i eth0\n");
		return 0;
	}
	iface = iface_arg(argc, argv, "stop");
	if (!iface)
		return 2;
	if (ff_check_privileges(err, sizeof(err)) || ff_pinned_stop(iface, err, sizeof(err))) {
		fprintf(stderr, "stop: %s\n", err);
		return 1;
	}
	printf("%s: flowforest stopped and unpinned\n", iface);
	return 0;
}

static void print_prefix(const char *cidr, __u64 hits, void *ctx)
{
	(void)ctx;
	printf("%-44s %" PRIu64 " hits\n", cidr, (uint64_t)hits);
}

static int list_cmd(int argc, char **argv, bool deny)
{
	const char *cmd = deny ? "deny" : "allow", *iface, *verb;
	struct ff_maps mp;
	char err[512];
	int i, rc = 0, first;

	if (want_help(argc, argv) || argc < 2) {
		printf("Usage: flowforest %s add|del --iface IF CIDR...\n"
		       "       flowforest %s list --iface IF\n"
		       "       flowforest %s load --iface IF FILE\n\n"
		       "%s\nPrefixes match either endpoint, IPv4 or IPv6; changes apply to the next packet.\n\n"
		       "Examples:\n  sudo flowforest %s add -i eth0 %s\n  sudo flowforest %s list -i eth0\n",
		       cmd, cmd, cmd,
		       deny ? "The denylist of the pinned classifier: traffic from or to these prefixes is\n"
			      "dropped before the model runs (unless allowlisted)."
			    : "The allowlist of the pinned classifier: traffic from or to these prefixes is\n"
			      "never dropped, whatever the model says.",
		       cmd, deny ? "203.0.113.0/24 2001:db8:bad::/48" : "192.0.2.0/24 fd00:10::/64", cmd);
		return argc < 2 ? 2 : 0;
	}
	verb = argv[1];
	if (strcmp(verb, "add") && strcmp(verb, "del") && strcmp(verb, "list") && strcmp(verb, "load")) {
		fprintf(stderr, "%s: unknown action '%s' (add, del, list, load)\n", cmd, verb);
		return 2;
	}
	iface = iface_arg(argc, argv, cmd);
	if (!iface)
		return 2;
	if (open_pinned(iface, &mp, cmd))
		return 1;
	if (!strcmp(verb, "list")) {
		ff_maps_list_walk(&mp, deny, print_prefix, NULL);
		ff_maps_close(&mp);
		return 0;
	}
	first = 0;
	for (i = 2; i < argc; i++) {
		if (!strcmp(argv[i], "--iface") || !strcmp(argv[i], "-i")) {
			i++;
			continue;
		}
		first++;
		if (!strcmp(verb, "load"))
			rc |= ff_maps_list_load(&mp, deny, argv[i], err, sizeof(err));
		else
			rc |= ff_maps_list_update(&mp, deny, argv[i], !strcmp(verb, "add"), err, sizeof(err));
		if (rc) {
			fprintf(stderr, "%s: %s\n", cmd, err);
			break;
		}
	}
	if (!first) {
		fprintf(stderr, "%s %s: which prefixes?\n", cmd, verb);
		rc = 2;
	}
	ff_maps_close(&mp);
	return rc ? (rc == 2 ? 2 : 1) : 0;
}

int cmd_allow(int argc, char **argv)
{
	return list_cmd(argc, argv, false);
}

int cmd_deny(int argc, char **argv)
{
	return list_cmd(argc, argv, true);
}
