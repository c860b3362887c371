/* SPDX-License-Identifier: MIT */
/*
 * Alerts in Suricata's EVE JSON format, so that what reads Suricata's alerts
 * (Filebeat's Suricata module, Wazuh, Security Onion, ...) reads
 * flowforest's unchanged. Fields and mapping: docs/eve.md.
 */
#ifndef FLOWFOREST_EVE_H
#define FLOWFOREST_EVE_H

#include <stdio.h>
#include "packet_path.h"

/* Suricata's local-use signature range starts at 1,000,000; flowforest's
 * classes are signatures FF_EVE_SID_BASE + class id. */
#define FF_EVE_SID_BASE 1990000

struct ff_eve_class {
	const char *category;	/* Suricata classification text */
	int severity;		/* 1 (high) to 3 (low) */
};

/* Category and severity of a class, from its name (docs/eve.md). */
struct ff_eve_class ff_eve_classify(const char *class_name);

/* Suricata's timestamp: 2026-11-30T01:02:03.123456+0000 (UTC). */
void ff_eve_timestamp(__s64 wall_us, char *buf, size_t len);

/* One alert line for event `e` (a verdict whose action is drop or alert).
 * `wall_offset_us` turns the event's clock into wall-clock time; `iface`
 * may be NULL. */
void ff_eve_alert(FILE *out, const struct ff_event *e, const char *class_name,
		  __s64 wall_offset_us, const char *iface);

#endif
