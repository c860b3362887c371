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
	bool export_evictions;		/* make room itself, reporting evicted flows */
};

struct flowforest_bpf;

/* The maps an operator works with: from the loaded object, or opened from
 * their pins by another process (`flowforest stats`, `model load`, ...). */
struct ff_maps {
	int flows, nodes, meta, active, counters, events, ctl, allow, deny;
};

struct ff_loader {
	struct flowforest_bpf *skel;
	struct ff_maps maps;
	enum ff_hook hook;
	int ifindex;
	int link_fd;		/* XDP or tcx link */
	int sock_fd;		/* socket filter */
	bool tc_attached;	/* legacy clsact filter (no tcx links) */
	bool tc_hook_created;	/* we created clsact and remove it on detach */
	__u32 max_flows;
};

#define FF_PIN_ROOT "/sys/fs/bpf/flowforest"

const char *ff_hook_name(enum ff_hook h);
int ff_hook_parse(const char *s);	/* -1 if unknown */

/* Privileges and environment checks with a message for a person. */
int ff_check_privileges(char *err, size_t errlen);

int ff_loader_open(struct ff_loader *l, const struct ff_load_opts *o,
		   char *err, size_t errlen);
/* Write `m` into the inactive slot, then flip the active index. Per-class
 * actions are taken from `actions` when not NULL, else from the model.
 * With `reclassify`, flows decided by the old model are decided again at
 * their next packet; otherwise they keep their verdicts until their next
 * checkpoint. Returns the new model generation (> 0), or -1. */
int ff_maps_install_model(const struct ff_maps *mp, const struct ff_model *m,
			  const __u32 *actions, bool reclassify, char *err, size_t errlen);
int ff_loader_install_model(struct ff_loader *l, const struct ff_model *m,
			    const __u32 *actions, char *err, size_t errlen);
int ff_maps_counters(const struct ff_maps *mp, struct ff_counters *out);
/* The active model's header (generation, classes, trees). */
int ff_maps_active_meta(const struct ff_maps *mp, struct ff_model_meta *out);

/* Allow (deny = false) or deny list: add or remove one CIDR. */
int ff_maps_list_update(const struct ff_maps *mp, bool deny, const char *cidr, bool add,
			char *err, size_t errlen);
/* Call fn for every prefix of a list. */
int ff_maps_list_walk(const struct ff_maps *mp, bool deny,
		      void (*fn)(const char *cidr, __u64 hits, void *ctx), void *ctx);
/* One CIDR per line (# comments), added to a list. */
int ff_maps_list_load(const struct ff_maps *mp, bool deny, const char *path, char *err,
		      size_t errlen);

/* Pinning under FF_PIN_ROOT/IF: maps and the link (mode 0600). */
int ff_pin_dir(const char *ifname, char *buf, size_t len);
bool ff_pinned_exists(const char *ifname);
int ff_loader_pin(struct ff_loader *l, const char *ifname, char *err, size_t errlen);
int ff_pinned_open(const char *ifname, struct ff_maps *mp, char *err, size_t errlen);
void ff_maps_close(struct ff_maps *mp);
/* Detach a pinned classifier and remove its pins. */
int ff_pinned_stop(const char *ifname, char *err, size_t errlen);
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

/* Remove a legacy flowforest TC filter left behind on `ifindex` (kernels
 * without tcx links, after kill -9). */
int ff_tc_cleanup(int ifindex, bool egress);

/* Names of counters, by FF_C_* index. */
extern const char *const ff_counter_names[FF_C__FIXED];

#endif
