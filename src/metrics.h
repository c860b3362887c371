/* SPDX-License-Identifier: MIT */
/* Prometheus text metrics on a local address, from the counter map. */
#ifndef FLOWFOREST_METRICS_H
#define FLOWFOREST_METRICS_H

#include <stddef.h>
#include "loader.h"

struct ff_metrics;

/* Serve http://ADDR:PORT/metrics from a thread. `class_names` may be NULL
 * (classes are then numbered); it must stay valid while serving. */
struct ff_metrics *ff_metrics_start(const char *addr_port, const struct ff_maps *mp,
				    const char *iface,
				    const char (*class_names)[FF_NAME_MAX], const __u32 *n_classes,
				    char *err, size_t errlen);
void ff_metrics_stop(struct ff_metrics *m);
/* The text a scrape gets (for tests and `flowforest stats --prometheus`). */
char *ff_metrics_render(const struct ff_maps *mp, const char *iface,
			const char (*class_names)[FF_NAME_MAX], __u32 n_classes);

#endif
