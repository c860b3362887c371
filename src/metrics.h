/* SPDX-License-Identifier: MIT */
/* Prometheus text metrics on a local address, from the counter map. */
#ifndef FLOWFOREST_METRICS_H
#define FLOWFOREST_METRICS_H

#include <stddef.h>
#include "loader.h"

struct ff_metrics;

/* Serve http://ADDR:PORT/metrics from a thread, several clients at once.
 * Classes are named from the active model's header at each scrape (after
 * a swap, by the new model); numbered while no model is installed. */
struct ff_metrics *ff_metrics_start(const char *addr_port, const struct ff_maps *mp,
				    const char *iface, char *err, size_t errlen);
void ff_metrics_stop(struct ff_metrics *m);
/* The text a scrape gets (for tests and `flowforest stats --prometheus`). */
char *ff_metrics_render(const struct ff_maps *mp, const char *iface);
/* A label value escaped per the exposition format (\\, \", \n); -1 if it
 * does not fit in outlen bytes with its NUL. */
int ff_prom_escape(const char *in, char *out, size_t outlen);

#endif
