/* SPDX-License-Identifier: MIT */
/*
 * The BPF side from user space. One struct ff_loader per running
 * classifier; struct ff_maps for a process that reaches one through its pins.
 * Implemented by role: loader.c (open, size, load, close), loader_attach.c,
 * loader_model.c, loader_lists.c, loader_pins.c, loader_privs.c, and
 * loader_maps.c (the one table of the maps).
 */
#ifndef FLOWFOREST_LOADER_H
#define FLOWFOREST_LOADER_H

#include <stdbool.h>
#include <stddef.h>
#include "packet_path.h"
#include "model_file.h"

struct bpf_program;
struct bpf_insn;

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
	bool no_native_forest;		/* models run as the walk only (loader_native.c) */
};

struct flowforest_bpf;

/* The maps an operator works with: from the loaded object, or opened from
 * their pins by another process (`flowforest stats`, `model load`, ...). */
struct ff_maps {
	int flows, nodes, meta, active, counters, events, ctl, allow, deny, cover;
	/* The loaded object these maps are (NULL: opened from pins): a model
	 * installed through them is also compiled to its native forest. */
	struct ff_loader *loader;
	/* Opened from the pins of this interface: an install replaces the
	 * program at the pinned link with its native forest copy. */
	char iface[16];
	bool no_native;		/* ... or with the walk (--no-native-forest) */
	char native_note[320];	/* the last install's native forest, for a person */
};

/* The native forest (forest_codegen.h, loader_native.c): the active model
 * as instructions inside copies of the programs that run it (ff_xdp,
 * ff_tc, ff_socket, ff_infer), built when first asked for and at the hook
 * from the install on. */
#define FF_NATIVE_PROGS 4
struct ff_native {
	bool off;		/* --no-native-forest: always the walk */
	size_t max_insns;	/* the code's cap; 0: FF_NATIVE_MAX_INSNS */
	__u32 generation;	/* of `body`; 0: none */
	struct bpf_insn *body;	/* the active model's code, NULL: the walk */
	size_t n_body;
	int fd[FF_NATIVE_PROGS];	/* copies with the body; -1: none yet, -2: failed */
	__u32 verified[FF_NATIVE_PROGS];	/* their verified instructions */
	double code_ms, load_ms;	/* last install: emit; load of the hook's copy */
	char why[256];		/* why the walk runs (a refused model), or "" */
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
	struct ff_native native;
};

#define FF_PIN_ROOT "/sys/fs/bpf/flowforest"

const char *ff_hook_name(enum ff_hook h);
int ff_hook_parse(const char *s);	/* -1 if unknown */

/* loader_privs.c: privileges, with a message for a person. */
int ff_check_privileges(char *err, size_t errlen);

/* loader.c: open, size and load the object (nothing attached yet). */
int ff_loader_open(struct ff_loader *l, const struct ff_load_opts *o,
		   char *err, size_t errlen);
void ff_loader_close(struct ff_loader *l);
/* Flow-table entries kept free by eviction with `ncpus` possible CPUs
 * (reasons in loader.c); never more than max_flows / 8. */
#define FF_EVICT_SLACK_PER_CPU 256
#define FF_MIN_FLOWS 64
__u32 ff_evict_reserve(__u32 ncpus, __u32 max_flows);
/* Where eviction starts; -1 if the table is too small to evict from. */
int ff_evict_at(__u32 ncpus, __u32 max_flows, __u32 *evict_at);
/* Sum of the per-CPU counters. */
int ff_loader_counters(struct ff_loader *l, struct ff_counters *out);
/* Instructions the verifier walked for a loaded program. */
__u32 ff_prog_verified_insns(int prog_fd);

/* A program's or map's fd by its skeleton handle (the caller includes
 * flowforest.skel.h): a misspelt name fails to compile instead of
 * returning -1 at run time. FF_PROG_FD is the program to run: its native
 * forest copy when there is one (ff_loader_prog_fd); FF_SKEL_PROG_FD the
 * object's own. */
#define FF_PROG_FD(l, name) ff_loader_prog_fd((l), (l)->skel->progs.name)
#define FF_SKEL_PROG_FD(l, name) bpf_program__fd((l)->skel->progs.name)
#define FF_MAP_FD(l, name) bpf_map__fd((l)->skel->maps.name)

/* loader_maps.c */
int ff_maps_counters(const struct ff_maps *mp, struct ff_counters *out);
/* Every fd -1 (nothing open), so that ff_maps_close() is always safe. */
void ff_maps_init(struct ff_maps *mp);
void ff_maps_close(struct ff_maps *mp);

/* loader_model.c */
/* Write `m` into the inactive slot, then flip the active index. Per-class
 * actions are taken from `actions` when not NULL, else from the model.
 * With `reclassify`, flows decided by the old model are decided again at
 * their next packet; otherwise they keep their verdicts until their next
 * checkpoint. Returns the new model generation (> 0), or -1. */
int ff_maps_install_model(struct ff_maps *mp, const struct ff_model *m,
			  const __u32 *actions, bool reclassify, char *err, size_t errlen);
int ff_loader_install_model(struct ff_loader *l, const struct ff_model *m,
			    const __u32 *actions, char *err, size_t errlen);
/* The active model's header (generation, classes, trees). */
int ff_maps_active_meta(const struct ff_maps *mp, struct ff_model_meta *out);
/* The header of slot 0 or 1 (generation 0: being rewritten). */
int ff_maps_slot_meta(const struct ff_maps *mp, __u32 slot, struct ff_model_meta *out);

/* loader_native.c: the native forest of the model just installed as
 * generation `gen` (called by ff_maps_install_model); on failure the
 * walk runs and l->native.why says why. */
void ff_loader_native_install(struct ff_loader *l, const struct ff_model *m, __u32 gen);
/* The program to run for `prog` (a skeleton program): its native copy
 * when the active model has one (built on first use), else itself. A copy's
 * fd is closed by the next install: dup() it to keep it. */
int ff_loader_prog_fd(struct ff_loader *l, const struct bpf_program *prog);
void ff_loader_native_free(struct ff_loader *l);
/* The program running at the attached hook (its native copy or the
 * object's own), -1 when nothing is attached. */
int ff_loader_hook_prog_fd(const struct ff_loader *l);
/* The same for the classifier pinned on mp->iface (another process's):
 * this process loads the program at the link again on the running maps,
 * checks it is the same code (its tag), builds the copy and puts it at the
 * link. 0, or -1; mp->native_note says what runs. */
int ff_pinned_native_install(struct ff_maps *mp, const struct ff_model *m, __u32 gen);

/* loader_lists.c: allow (deny = false) or deny list: add or remove one CIDR. */
int ff_maps_list_update(const struct ff_maps *mp, bool deny, const char *cidr, bool add,
			char *err, size_t errlen);
/* Call fn for every prefix of a list. */
int ff_maps_list_walk(const struct ff_maps *mp, bool deny,
		      void (*fn)(const char *cidr, __u64 hits, void *ctx), void *ctx);
/* One CIDR per line (# comments), added to a list. */
int ff_maps_list_load(const struct ff_maps *mp, bool deny, const char *path, char *err,
		      size_t errlen);

/* loader_pins.c: pinning under FF_PIN_ROOT/IF: maps and the link (mode 0600). */
int ff_pin_dir(const char *ifname, char *buf, size_t len);
bool ff_pinned_exists(const char *ifname);
int ff_loader_pin(struct ff_loader *l, const char *ifname, char *err, size_t errlen);
int ff_pinned_open(const char *ifname, struct ff_maps *mp, char *err, size_t errlen);
/* The program at the pinned link (the object's or its native forest
 * copy), or -1. */
int ff_pinned_prog_fd(const char *ifname);
/* Detach a pinned classifier and remove its pins. */
int ff_pinned_stop(const char *ifname, char *err, size_t errlen);

/* loader_attach.c */
int ff_loader_attach(struct ff_loader *l, enum ff_hook hook, int ifindex,
		     char *err, size_t errlen);
void ff_loader_detach(struct ff_loader *l);
/* Remove a legacy flowforest TC filter left behind on `ifindex` (kernels
 * without tcx links, after kill -9). */
int ff_tc_cleanup(int ifindex, bool egress);

/* Names of counters, by FF_C_* index. */
extern const char *const ff_counter_names[FF_C__FIXED];

#endif
