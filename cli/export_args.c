// SPDX-License-Identifier: MIT
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include "args.h"
#include "export_args.h"

enum {
	OPT_IPFIX = 0x1100,
	OPT_PEN,
	OPT_DOMAIN,
	OPT_REFRESH,
	OPT_ACTIVE,
	OPT_EVE,
	OPT_AGGREGATE,
};

static const struct argp_option options[] = {
	{ NULL, 0, NULL, 0, "Flow export (docs/ipfix.md, docs/eve.md):", 20 },
	{ "ipfix", OPT_IPFIX, "[udp://|tcp://]HOST:PORT", 0,
	  "Send IPFIX flow records to a collector (UDP unless tcp://)" },
	{ "ipfix-pen", OPT_PEN, "N", 0,
	  "Enterprise number of flowforest's elements (default 32473, for documentation)" },
	{ "ipfix-domain", OPT_DOMAIN, "N", 0,
	  "Observation domain id (default: run the interface index, extract 0)" },
	{ "template-refresh", OPT_REFRESH, "SEC", 0, "UDP: send the templates again every SEC (default 60)" },
	{ "active-timeout", OPT_ACTIVE, "SEC", 0,
	  "Interim records of flows that go on longer (default 60, 0 = never)" },
	{ "ipfix-aggregate", OPT_AGGREGATE, NULL, 0,
	  "Dropped flows as one record per class and destination per active timeout (floods)" },
	{ "eve", OPT_EVE, "FILE", 0, "Append Suricata EVE alerts (drop and alert verdicts) to FILE, - for stdout" },
	{},
};

static error_t export_opt(int key, char *arg, struct argp_state *state)
{
	struct cli_export *e = state->input;
	char host[256], port[32];
	bool tcp;

	switch (key) {
	case OPT_IPFIX:
		if (ff_export_parse_target(arg, &tcp, host, sizeof(host), port, sizeof(port)))
			argp_error(state, "--ipfix wants [udp://|tcp://]HOST:PORT, got '%s'", arg);
		e->ipfix = arg;
		break;
	case OPT_PEN:
		e->pen = cli_uint(state, key, arg, 1, UINT_MAX);
		break;
	case OPT_DOMAIN:
		e->domain = cli_uint(state, key, arg, 0, UINT_MAX);
		e->have_domain = true;
		break;
	case OPT_REFRESH:
		e->template_refresh = cli_real(state, key, arg, 1, 86400);
		break;
	case OPT_ACTIVE:
		e->active_timeout_us = cli_usecs(state, key, arg);
		break;
	case OPT_EVE:
		e->eve = arg;
		break;
	case OPT_AGGREGATE:
		e->aggregate = true;
		break;
	default:
		return ARGP_ERR_UNKNOWN;
	}
	return 0;
}

const struct argp cli_export_argp = { options, export_opt };

void cli_export_init(struct cli_export *e)
{
	memset(e, 0, sizeof(*e));
	e->pen = FF_IPFIX_PEN_DEFAULT;
	e->template_refresh = 60;
	e->active_timeout_us = 60000000ULL;
}

bool cli_export_wanted(const struct cli_export *e)
{
	return e->ipfix || e->eve;
}

void cli_export_opts(const struct cli_export *e, struct ff_export_opts *o, __u32 default_domain)
{
	memset(o, 0, sizeof(*o));
	o->ipfix = e->ipfix;
	o->eve = e->eve;
	o->pen = e->pen;
	o->domain = e->have_domain ? e->domain : default_domain;
	o->template_refresh = e->template_refresh;
	o->active_timeout_us = e->active_timeout_us;
	o->aggregate = e->aggregate;
}

void cli_export_summary(const char *cmd, const struct ff_export_stats *xs)
{
	fprintf(stderr, "%s: exported %llu IPFIX records in %llu messages (%llu send errors, %llu "
		"dropped flows in aggregates), %llu EVE alerts\n", cmd,
		(unsigned long long)xs->records, (unsigned long long)xs->messages,
		(unsigned long long)xs->send_errors, (unsigned long long)xs->aggregated,
		(unsigned long long)xs->alerts);
}
