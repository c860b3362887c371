/* SPDX-License-Identifier: MIT */
/* Events and counters as JSON lines or text, for people and for collectors. */
#ifndef FLOWFOREST_OUTPUT_H
#define FLOWFOREST_OUTPUT_H

#include <stdio.h>
#include "packet_path.h"
#include "model_file.h"

/* "10.0.0.1" or "fd00::1" */
void ff_format_addr(__u8 family, const __u8 *addr, char *buf, size_t len);
const char *ff_proto_name(__u8 proto, char *buf, size_t len);

const char *ff_event_type_name(__u8 type);
/* The same for every event of one flow (JSON, EVE and IPFIX agree). */
__u64 ff_event_flow_id(const struct ff_event *e);
/* Events carry the kernel's monotonic clock; with this offset they also
 * get a wall-clock "timestamp". */
void ff_output_set_clock_offset(__s64 realtime_minus_monotonic_us);

/* One event as one JSON line (schema in docs/events.md). `m` gives class
 * names; NULL prints numbers. */
void ff_event_print_json(FILE *out, const struct ff_event *e, const struct ff_model *m);

void ff_counters_print_text(FILE *out, const struct ff_counters *c, const struct ff_model *m);
struct ff_native_info;
/* With `nat` (not NULL): a "native_forest" member, what runs the model. */
void ff_counters_print_json(FILE *out, const struct ff_counters *c, const struct ff_model *m,
			    const struct ff_native_info *nat);

#endif
