/* SPDX-License-Identifier: MIT */
/*
 * Open, configure, load and attach the BPF side; install models into the
 * two model slots; read counters; detach. One struct ff_loader per running
 * classifier.
 */
#ifndef FLOWFOREST_LOADER_H
#define FLOWFOREST_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include "glue.h"
#include "model.h"

enum ff_hook {
	FF_HOOK_XDP,		/* native XDP (driver mode) */
	FF_HOOK_XDP_GENERIC,	/* XDP in the generic (skb) path */
	FF_HOOK_TC_INGRESS,
	FF_HOOK_TC_EGRESS,
	FF_HOOK_SOCKET,		/* socket filter on a raw AF_PACKET socket */
	FF_HOOK_NONE,		/* loaded, not attached (tests, replay) */
};

struct ff_load_opts {
	__u32 max_flows;		/* flow-table size, 0 = default 65,536 */
	struct ff_config cfg;		/* checkpoints */
	bool replay_clock;		/* take time from the ff_clock map */
	bool export_snapshots;		/* features of every checkpoint to ff_snapshots */
};

struct flowforest_bpf;

struct ff_loader {
	struct flowforest_bpf *skel;
	enum ff_hook hook;
	int ifindex;
	int link_fd;		/* XDP link */
	int sock_fd;		/* socket filter */
	bool tc_attached;
	bool tc_hook_created;	/* we created clsact and remove it on detach */
	__u32 generation;	/* of the last installed model */
};

const char *ff_hook_name(enum ff_hook h);
int ff_hook_parse(const char *s);	/* -1 if unknown */

/* Privileges and environment checks with a message for a person. */
int ff_check_privileges(char *err, size_t errlen);

int ff_loader_open(struct ff_loader *l, const struct ff_load_opts *o,
		   char *err, size_t errlen);
/* Write `m` into the inactive slot, then flip the active index. Per-class
 * actions are taken from `actions` when not NULL, else from the model. */
int ff_loader_install_model(struct ff_loader *l, const struct ff_model *m,
			    const __u32 *actions, char *err, size_t errlen);
int ff_loader_attach(struct ff_loader *l, enum ff_hook hook, int ifindex,
		     char *err, size_t errlen);
void ff_loader_detach(struct ff_loader *l);
void ff_loader_close(struct ff_loader *l);

/* Sum of the per-CPU counters. */
int ff_loader_counters(struct ff_loader *l, struct ff_counters *out);

/* Program and map file descriptors for tests, replay and the run loop. */
int ff_loader_prog_fd(struct ff_loader *l, const char *name);
int ff_loader_map_fd(struct ff_loader *l, const char *name);
__u32 ff_loader_verified_insns(struct ff_loader *l, const char *prog);

/* Remove a flowforest TC filter left behind on `ifindex` (e.g. after kill -9). */
int ff_tc_cleanup(int ifindex, bool egress);

/* Names of counters, by FF_C_* index. */
extern const char *const ff_counter_names[FF_C__FIXED];

#endif
