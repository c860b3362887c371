/* SPDX-License-Identifier: MIT */
/*
 * What libbpf says: its warnings (which carry the verifier's log when a
 * program is refused) always reach stderr; its debug output only with -v.
 */
#ifndef FLOWFOREST_LOG_H
#define FLOWFOREST_LOG_H

/* Route libbpf's messages through flowforest's filter (once, at start). */
void ff_log_init(void);
/* 0: warnings only (the default); 1 or more: libbpf's debug output too. */
void ff_log_set_verbose(int level);
/* While muted, warnings are dropped too: for calls whose failure is an
 * expected answer (probing for a filter that may not be there). Debug
 * output with -v still shows them. */
void ff_log_mute(int on);

#endif
