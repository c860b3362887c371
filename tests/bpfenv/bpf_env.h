/* SPDX-License-Identifier: MIT */
/*
 * The BPF tests' harness (tests/bpfenv/bpf_env.c): one loaded classifier
 * with the hand-written model, hand-built frames through ff_xdp, ff_tc and
 * ff_socket with BPF_PROG_TEST_RUN, and the counters, flow table and ring
 * buffer read back. Time comes from the replay clock (map ff_clock), set
 * before each packet. Before every test (test_setup) the flow table, the
 * counters and the ring buffer are emptied and the hand-written model
 * (lab/models/handwritten.json) is installed again. Needs root; as a
 * normal user every test is skipped. Used by tests/test_bpf_*.c.
 */
#ifndef FLOWFOREST_TESTS_BPF_ENV_H
#define FLOWFOREST_TESTS_BPF_ENV_H

#include <arpa/inet.h>
#include <errno.h>
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "loader.h"
#include "flowforest.skel.h"
#include "model_file.h"
#include "pkt.h"

enum hook { H_XDP, H_TC, H_SOCK, H__N };

#define MAX_EVENTS 64
#define T0_US 1000000ULL	/* replay clock of a test's first packet */

struct bpf_env {
	bool loaded;
	struct ff_loader l;
	struct ff_model hw;		/* lab/models/handwritten.json */
	int prog[H__N];
	int infer_fd;
	int flows_fd, clock_fd, counters_fd, in_fd, out_fd, meta_fd, active_fd;
	struct ring_buffer *rb;
	struct ff_event ev[MAX_EVENTS];
	int n_ev;
	int ev_dropped;
};

extern struct bpf_env env;
extern const char *const hook_prog[H__N];
extern __u64 rnd_state;		/* xorshift: fixed seeds, reproducible */

/* Classes of the hand-written model. */
#define CLS_BENIGN 0
#define CLS_UDP_PROBE 1
#define CLS_PING_FLOOD 2

#define REQUIRE_BPF()                                                         \
	do {                                                                  \
		if (!env.loaded) {                                            \
			print_message("[   SKIP   ] %s: the BPF tests need root "  \
				      "(geteuid() != 0)\n", __func__);         \
			skip();                                               \
		}                                                             \
	} while (0)

__u64 ip_l4_hdr(const struct ff_flow *f);
int on_event(void *ctx, void *data, size_t size);
int poll_events(void);
void set_clock_us(__u64 us);
void set_wire_len(__u64 len);
bool tc_accepts(const uint8_t *frame, size_t len);
bool hook_accepts(enum hook h, const uint8_t *frame, size_t len);
__u32 run_frame(enum hook h, const uint8_t *frame, size_t len);
__u32 pass_ret(enum hook h, size_t len);
__u32 drop_ret(enum hook h);
__u32 send_pkt(enum hook h, const struct pkt_spec *s, __u64 t_us,
		      size_t *len_out);
void get_counters(struct ff_counters *c);
int flow_get(const struct ff_flow_key *k, struct ff_flow *f);
void flow_must(const struct ff_flow_key *k, struct ff_flow *f);
int flow_count(void);
int key_for(struct ff_flow_key *k, int family, __u8 proto,
		   const char *src, __u16 sport, const char *dst, __u16 dport,
		   bool frag_later);
void clear_flows(void);
int zero_counters(void);
__u32 cur_gen(void);
int install(const struct ff_model *m);
int env_prog(int h);	/* the program to run at hook h (native forest copy or own) */
int env_infer(void);	/* ff_infer, the same way */
int install_reading(const __u32 *fids, __u32 n);
int reset_state(void);
int test_setup(void **state);
int load_handwritten(struct ff_model *m);
int group_setup(void **state);
int group_teardown(void **state);
__u64 scratch_feature(int fid, bool zero);
void pin_one_cpu(void);
__u64 rnd(void);
__u32 rnd_below(__u32 n);

#endif
