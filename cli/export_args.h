/* SPDX-License-Identifier: MIT */
/* --ipfix, --eve and their settings: one argp child for `run` and `extract`. */
#ifndef FLOWFOREST_EXPORT_ARGS_H
#define FLOWFOREST_EXPORT_ARGS_H

#include <argp.h>
#include <stdbool.h>
#include "export.h"

struct cli_export {
	const char *ipfix;
	const char *eve;
	__u32 pen;
	__u32 domain;
	bool have_domain;
	bool aggregate;
	double template_refresh;
	__u64 active_timeout_us;
};

/* Input: struct cli_export * (cli_export_init() first). */
extern const struct argp cli_export_argp;
void cli_export_init(struct cli_export *e);
bool cli_export_wanted(const struct cli_export *e);
/* "exported N IPFIX records in M messages ..." on stderr. */
void cli_export_summary(const char *cmd, const struct ff_export_stats *xs);
/* The exporter's options from the command line; the caller fills in the
 * clock offset, the classes, the idle timeout and the interface. */
void cli_export_opts(const struct cli_export *e, struct ff_export_opts *o, __u32 default_domain);

#endif
