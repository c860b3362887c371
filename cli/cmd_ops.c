// SPDX-License-Identifier: MIT
/*
 * Commands that work on a pinned classifier from another process:
 * stats, flows, stop, allow, deny.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <json-c/json.h>

#include "args.h"
#include "commands.h"
#include "class_names.h"
#include "forest_native.h"
#include "loader.h"
#include "metrics.h"
#include "output.h"
#include "pinned.h"

/* The parent of a command whose only shared option is --iface. */
static error_t iface_parent(struct argp_state *state, const char **iface)
{
	cli_child_inputs(state, iface, NULL);
	return 0;
}

static const struct argp_child iface_child[] = { { &cli_iface_argp }, {} };

/* ---- stats ------------------------------------------------------------- */

struct stats_args {
	const char *iface;
	bool json, prom;
};

static const struct argp_option stats_options[] = {
	{ "json", 'j', NULL, 0, "Counters as one JSON object" },
	{ "prometheus", 'p', NULL, 0, "Counters in the Prometheus text format" },
	{},
};

static error_t stats_opt(int key, char *arg, struct argp_state *state)
{
	struct stats_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		return iface_parent(state, &a->iface);
	case 'j':
		a->json = true;
		break;
	case 'p':
		a->prom = true;
		break;
	case ARGP_KEY_END:
		if (a->json && a->prom)
			argp_error(state, "--json or --prometheus, not both");
		break;
	default:
		return cli_no_args(key, arg, state);
	}
	return 0;
}

static void print_stats_text(const struct ff_counters *c, const struct ff_model *names)
{
	int i;

	for (i = 0; i < FF_C__FIXED; i++)
		printf("%-18s %" PRIu64 "\n", ff_counter_names[i], (uint64_t)c->c[i]);
	for (i = 0; i < (int)names->n_classes; i++)
		printf("class %-12s %" PRIu64 " packets (%s)\n", names->class_names[i],
		       (uint64_t)c->class_pkts[i], ff_action_name(names->actions[i]));
	printf("%-18s %" PRIu64 "\n", "unclassified", (uint64_t)c->unclassified_pkts);
}

/* What runs the model at the pinned link: the native forest or the walk. */
static int native_of(const char *iface, struct ff_native_info *n)
{
	int fd = ff_pinned_prog_fd(iface), rc;

	if (fd < 0)
		return -1;
	rc = ff_native_probe(fd, n);
	close(fd);
	return rc;
}

static void print_native_text(const struct ff_native_info *n, __u32 active_gen)
{
	if (!n->attached)
		printf("%-18s walk (program verified insns %u)\n", "native_forest", n->verified_insns);
	else
		printf("%-18s generation %u%s, %u insns (program verified insns %u)\n",
		       "native_forest", n->generation,
		       n->generation == active_gen ? "" : " (not the active model's: walks)",
		       n->insns, n->verified_insns);
}

int cmd_stats(int argc, char **argv)
{
	static const struct argp argp = {
		stats_options, stats_opt, NULL,
		"Counters of the pinned classifier on IF (see `flowforest run --pin`).\v"
		"EXAMPLES:\n  sudo flowforest stats -i eth0\n  sudo flowforest stats -i eth0 --json\n"
		"  sudo flowforest stats -i eth0 --prometheus",
		iface_child,
	};
	struct stats_args a = {};
	struct ff_native_info nat;
	struct ff_counters c;
	struct ff_model names;
	struct ff_maps mp;
	int rc = 0, have_nat;
	__u32 gen;

	cli_parse(&argp, argc, argv, &a);
	if (cli_open_pinned(a.iface, &mp, "stats"))
		return 1;
	gen = cli_active_classes(&mp, &names);
	have_nat = native_of(a.iface, &nat) == 0;
	if (a.prom) {
		char *t = ff_metrics_render(&mp, a.iface);

		if (t)
			fputs(t, stdout);
		rc = !t;
		free(t);
	} else if (ff_maps_counters(&mp, &c)) {
		fprintf(stderr, "stats: cannot read the counters\n");
		rc = 1;
	} else if (a.json) {
		ff_counters_print_json(stdout, &c, &names, have_nat ? &nat : NULL);
	} else {
		print_stats_text(&c, &names);
		if (have_nat)
			print_native_text(&nat, gen);
	}
	ff_maps_close(&mp);
	return rc;
}

/* ---- flows ------------------------------------------------------------- */

struct flows_args {
	const char *iface;
	const char *only;
	unsigned long long top;
	bool by_bytes;
	bool json;
};

static const struct argp_option flows_options[] = {
	{ "top", 'n', "N", 0, "Show the N largest flows (default 20)" },
	{ "sort", 's', "KEY", 0, "pkts (default) or bytes" },
	{ "class", 'C', "NAME", 0, "Only flows the model put in this class" },
	{ "json", 'j', NULL, 0, "One JSON object per flow" },
	{},
};

static error_t flows_opt(int key, char *arg, struct argp_state *state)
{
	struct flows_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		return iface_parent(state, &a->iface);
	case 'n':
		a->top = cli_uint(state, key, arg, 1, 1000000000);
		break;
	case 's':
		a->by_bytes = cli_word(state, key, arg, (const char *const[]){ "pkts", "bytes", NULL });
		break;
	case 'C':
		a->only = arg;
		break;
	case 'j':
		a->json = true;
		break;
	default:
		return cli_no_args(key, arg, state);
	}
	return 0;
}

struct flow_row {
	struct ff_flow_key key;
	struct ff_flow f;
};

static int sort_by_bytes;

static __u64 row_bytes(const struct flow_row *r)
{
	return r->f.dir[0].wire_bytes + r->f.dir[1].wire_bytes;
}

static int cmp_rows(const void *a, const void *b)
{
	const struct flow_row *x = a, *y = b;
	__u64 vx = sort_by_bytes ? row_bytes(x) : ff_flow_pkts(&x->f);
	__u64 vy = sort_by_bytes ? row_bytes(y) : ff_flow_pkts(&y->f);

	return vx < vy ? 1 : vx > vy ? -1 : 0;
}

/* Every flow of the table (of class `only`, if given); *n rows. */
static struct flow_row *read_flows(const struct ff_maps *mp, struct ff_class_book *names,
				   const char *only, size_t *n)
{
	struct flow_row *rows = NULL;
	struct ff_flow_key k, next;
	void *prev = NULL;
	size_t cap = 0;

	*n = 0;
	while (bpf_map_get_next_key(mp->flows, prev, &next) == 0) {
		k = next;
		prev = &k;
		if (*n == cap) {
			struct flow_row *nr = realloc(rows, (cap = cap ? cap * 2 : 1024) * sizeof(*rows));

			if (!nr)
				break;
			rows = nr;
		}
		rows[*n].key = k;
		if (bpf_map_lookup_elem(mp->flows, &k, &rows[*n].f))
			continue;
		if (only && strcmp(ff_class_book_name(names, rows[*n].f.model_gen, rows[*n].f.cls),
				   only))
			continue;
		(*n)++;
	}
	return rows;
}

static void print_flow(const struct flow_row *r, struct ff_class_book *names, bool json)
{
	const struct ff_flow_key *fk = &r->key;
	const struct ff_flow *f = &r->f;
	const __u8 *src = f->initiator_is_b ? fk->addr_b : fk->addr_a;
	const __u8 *dst = f->initiator_is_b ? fk->addr_a : fk->addr_b;
	__u16 sp = f->initiator_is_b ? fk->port_b : fk->port_a;
	__u16 dp = f->initiator_is_b ? fk->port_a : fk->port_b;
	char s[64], d[64], se[80], de[80], pb[8];
	/* named by the model that decided it: after a swap, flows decided
	 * before it keep the old model's names */
	const char *cls = ff_class_book_name(names, f->model_gen, f->cls);
	json_object *o;

	ff_format_addr(fk->family, src, s, sizeof(s));
	ff_format_addr(fk->family, dst, d, sizeof(d));
	if (!json) {
		snprintf(se, sizeof(se), fk->family == 6 ? "[%s]:%u" : "%s:%u", s, sp);
		snprintf(de, sizeof(de), fk->family == 6 ? "[%s]:%u" : "%s:%u", d, dp);
		printf("%-5s %-22s %-22s %9" PRIu64 " %11" PRIu64 " %-14s %5.3f\n",
		       ff_proto_name(fk->proto, pb, sizeof(pb)), se, de, (uint64_t)ff_flow_pkts(f),
		       (uint64_t)row_bytes(r), cls, f->score / 1000.0);
		return;
	}
	o = json_object_new_object();
	json_object_object_add(o, "proto", json_object_new_string(ff_proto_name(fk->proto, pb, sizeof(pb))));
	json_object_object_add(o, "src", json_object_new_string(s));
	json_object_object_add(o, "sport", json_object_new_int(sp));
	json_object_object_add(o, "dst", json_object_new_string(d));
	json_object_object_add(o, "dport", json_object_new_int(dp));
	json_object_object_add(o, "pkts", json_object_new_uint64(ff_flow_pkts(f)));
	json_object_object_add(o, "bytes", json_object_new_uint64(row_bytes(r)));
	json_object_object_add(o, "class", f->cls == FF_CLASS_NONE ? NULL : json_object_new_string(cls));
	json_object_object_add(o, "score", json_object_new_double(f->score / 1000.0));
	json_object_object_add(o, "action", json_object_new_string(ff_action_name(f->action)));
	json_object_object_add(o, "model_gen", json_object_new_int64(f->model_gen));
	json_object_object_add(o, "first_us", json_object_new_uint64(f->first_us));
	json_object_object_add(o, "last_us", json_object_new_uint64(f->last_us));
	printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	json_object_put(o);
}

int cmd_flows(int argc, char **argv)
{
	static const struct argp argp = {
		flows_options, flows_opt, NULL,
		"The largest flows in the pinned classifier's table, with their verdicts.\v"
		"EXAMPLES:\n  sudo flowforest flows -i eth0 --top 10\n"
		"  sudo flowforest flows -i eth0 --sort bytes\n"
		"  sudo flowforest flows -i eth0 --class syn_flood --json",
		iface_child,
	};
	struct flows_args a = { .top = 20 };
	struct flow_row *rows;
	struct ff_class_book names;
	struct ff_maps mp;
	size_t n, i;

	cli_parse(&argp, argc, argv, &a);
	if (cli_open_pinned(a.iface, &mp, "flows"))
		return 1;
	ff_class_book_init(&names, &mp);
	rows = read_flows(&mp, &names, a.only, &n);
	sort_by_bytes = a.by_bytes;
	qsort(rows, n, sizeof(*rows), cmp_rows);
	if (!a.json)
		printf("%-5s %-22s %-22s %9s %11s %-14s %5s\n", "proto", "initiator", "responder",
		       "pkts", "bytes", "class", "score");
	for (i = 0; i < n && i < a.top; i++)
		print_flow(&rows[i], &names, a.json);
	if (!a.json)
		printf("(%zu flows%s)\n", n, a.only ? " of that class" : "");
	free(rows);
	ff_maps_close(&mp);
	return 0;
}

/* ---- stop -------------------------------------------------------------- */

int cmd_stop(int argc, char **argv)
{
	const char *iface = cli_iface_only(argc, argv,
		"Detach the pinned classifier on IF and remove its pins.\v"
		"EXAMPLE:\n  sudo flowforest stop -i eth0");
	char err[512];

	if (ff_check_privileges(err, sizeof(err)) || ff_pinned_stop(iface, err, sizeof(err))) {
		fprintf(stderr, "stop: %s\n", err);
		return 1;
	}
	printf("%s: flowforest stopped and unpinned\n", iface);
	return 0;
}

/* ---- allow, deny ------------------------------------------------------- */

static bool list_deny;	/* which list `allow`/`deny` works on */

struct list_args {
	const char *iface;
	char **items;		/* CIDRs, or files for load */
	int n;
	bool want_items;
};

static error_t list_opt(int key, char *arg, struct argp_state *state)
{
	struct list_args *a = state->input;

	switch (key) {
	case ARGP_KEY_INIT:
		return iface_parent(state, &a->iface);
	case ARGP_KEY_ARG:
		if (!a->want_items)
			argp_error(state, "unexpected argument '%s'", arg);
		a->items = state->argv + state->next - 1;
		a->n = state->argc - state->next + 1;
		state->next = state->argc;
		break;
	case ARGP_KEY_END:
		if (a->want_items && !a->n)
			argp_error(state, "which prefixes (or files)?");
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

static const char *list_name(void)
{
	return list_deny ? "deny" : "allow";
}

/* Parse a sub-command of allow/deny; exits on usage errors. */
static void list_parse(int argc, char **argv, struct list_args *a, const char *args_doc,
		       const char *what)
{
	char doc[1024];
	struct argp argp = { NULL, list_opt, args_doc, doc, iface_child };
	const char *ex = list_deny ? "203.0.113.0/24 2001:db8:bad::/48" : "192.0.2.0/24 fd00:10::/64";

	snprintf(doc, sizeof(doc),
		 "%s the %slist of the pinned classifier on IF.\v"
		 "Prefixes match either endpoint, IPv4 or IPv6; changes apply to the next\n"
		 "packet.\n\n"
		 "EXAMPLES:\n  sudo flowforest %s add -i eth0 %s\n"
		 "  sudo flowforest %s list -i eth0\n  sudo flowforest %s load -i eth0 prefixes.txt",
		 what, list_name(), list_name(), ex, list_name(), list_name());
	cli_parse(&argp, argc, argv, a);
}

static void print_prefix(const char *cidr, __u64 hits, void *ctx)
{
	(void)ctx;
	printf("%-44s %" PRIu64 " hits\n", cidr, (uint64_t)hits);
}

/* add, del or load every item; 0 or 1. */
static int list_change(int argc, char **argv, int verb)
{
	static const char *const what[] = { "Add CIDRs to", "Remove CIDRs from",
					    "Add the CIDRs of files (one per line) to" };
	struct list_args a = { .want_items = true };
	struct ff_maps mp;
	char err[512];
	int i, rc = 0;

	list_parse(argc, argv, &a, verb == 2 ? "FILE..." : "CIDR...", what[verb]);
	if (cli_open_pinned(a.iface, &mp, list_name()))
		return 1;
	for (i = 0; i < a.n && !rc; i++) {
		if (verb == 2)
			rc = ff_maps_list_load(&mp, list_deny, a.items[i], err, sizeof(err));
		else
			rc = ff_maps_list_update(&mp, list_deny, a.items[i], verb == 0, err,
						 sizeof(err));
		if (rc)
			fprintf(stderr, "%s: %s\n", list_name(), err);
	}
	ff_maps_close(&mp);
	return rc ? 1 : 0;
}

static int list_add(int argc, char **argv)
{
	return list_change(argc, argv, 0);
}

static int list_del(int argc, char **argv)
{
	return list_change(argc, argv, 1);
}

static int list_load(int argc, char **argv)
{
	return list_change(argc, argv, 2);
}

static int list_list(int argc, char **argv)
{
	struct list_args a = {};
	struct ff_maps mp;

	list_parse(argc, argv, &a, NULL, "Show, with hit counts,");
	if (cli_open_pinned(a.iface, &mp, list_name()))
		return 1;
	ff_maps_list_walk(&mp, list_deny, print_prefix, NULL);
	ff_maps_close(&mp);
	return 0;
}

static int list_cmd(int argc, char **argv, bool deny)
{
	static const struct cli_command subs[] = {
		{ "add", list_add, "add CIDRs" },
		{ "del", list_del, "remove CIDRs" },
		{ "list", list_list, "show the prefixes and their hits" },
		{ "load", list_load, "add the CIDRs of files, one per line" },
	};

	list_deny = deny;
	return cli_dispatch(argc, argv, subs, sizeof(subs) / sizeof(subs[0]),
			    deny ? "The denylist of the pinned classifier: traffic from or to these\n"
				   "prefixes is dropped before the model runs (unless allowlisted)."
				 : "The allowlist of the pinned classifier: traffic from or to these\n"
				   "prefixes is never dropped, whatever the model says.",
			    deny ? "  sudo flowforest deny add -i eth0 203.0.113.0/24 2001:db8:bad::/48\n"
				   "  sudo flowforest deny list -i eth0"
				 : "  sudo flowforest allow add -i eth0 192.0.2.0/24 fd00:10::/64\n"
				   "  sudo flowforest allow list -i eth0");
}

int cmd_allow(int argc, char **argv)
{
	return list_cmd(argc, argv, false);
}

int cmd_deny(int argc, char **argv)
{
	return list_cmd(argc, argv, true);
}
