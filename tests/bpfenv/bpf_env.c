// SPDX-License-Identifier: MIT
/* The BPF tests' harness: see bpf_env.h. */
#include "bpf_env.h"
#include <sched.h>


/* IP and L4 header bytes of one forward packet of `f`, whose forward
 * packets all have the same headers: what the parser walked (the header
 * statistics count the L4 header alone, as CICFlowMeter does). */
__u64 ip_l4_hdr(const struct ff_flow *f)
{
	const struct ff_dir_stats *d = &f->dir[FF_DIR_FWD];

	return d->pkts ? (d->wire_bytes - d->len_sum) / d->pkts : 0;
}
const char *const hook_prog[H__N] = { "ff_xdp", "ff_tc", "ff_socket" };


struct bpf_env env;



/* ---- helpers --------------------------------------------------------- */

int on_event(void *ctx, void *data, size_t size)
{
	if (size < sizeof(struct ff_event) || env.n_ev >= MAX_EVENTS) {
		env.ev_dropped++;
		return 0;
	}
	memcpy(&env.ev[env.n_ev++], data, sizeof(struct ff_event));
	return 0;
}

/* Collect whatever the ring buffer holds into env.ev. */
int poll_events(void)
{
	int n = ring_buffer__consume(env.rb);

	assert_true(n >= 0);
	return env.n_ev;
}

void set_clock_us(__u64 us)
{
	__u32 zero = 0;
	__u64 ns = us * 1000;

	assert_int_equal(bpf_map_update_elem(env.clock_fd, &zero, &ns, BPF_ANY), 0);
}

/* The replay's original frame length (ff_clock[1]); 0: the frame's own. */
void set_wire_len(__u64 len)
{
	__u32 one = 1;

	assert_int_equal(bpf_map_update_elem(env.clock_fd, &one, &len, BPF_ANY), 0);
}

/*
 * skb test_run (tc) wants a whole IP header behind an IP ethertype and an
 * Ethernet header in any case; XDP only the Ethernet header. Shorter
 * frames go through the socket path, which the 0x88b5 prefix frees.
 */
bool tc_accepts(const uint8_t *frame, size_t len)
{
	uint16_t type;

	if (len < 14)
		return false;
	type = frame[12] << 8 | frame[13];
	if (type == PKT_ETHERTYPE_IP)
		return len >= 14 + 20;
	if (type == PKT_ETHERTYPE_IPV6)
		return len >= 14 + 40;
	return true;
}

bool hook_accepts(enum hook h, const uint8_t *frame, size_t len)
{
	if (h == H_XDP)
		return len >= 14;
	if (h == H_TC)
		return tc_accepts(frame, len);
	return true;
}

__u32 run_frame(enum hook h, const uint8_t *frame, size_t len)
{
	static uint8_t buf[PKT_MAX_FRAME + 14];
	LIBBPF_OPTS(bpf_test_run_opts, o, .repeat = 1);

	assert_true(len <= PKT_MAX_FRAME);
	if (h == H_TC && !tc_accepts(frame, len))
		fail_msg("test_run refuses this %zu-byte frame for tc", len);
	if (h == H_SOCK) {
		/*
		 * For a socket filter, BPF_PROG_TEST_RUN strips an Ethernet
		 * header (eth_type_trans) and runs the program on the rest,
		 * while a real SOCK_RAW packet socket hands it the whole
		 * frame. Give test_run a header to strip; its ethertype is
		 * not IP, so test_run does not require an IP header after.
		 */
		pkt_eth(buf, 14, NULL, NULL, 0x88b5);
		memcpy(buf + 14, frame, len);
		o.data_in = buf;
		o.data_size_in = len + 14;
	} else {
		o.data_in = frame;
		o.data_size_in = len;
	}
	assert_int_equal(bpf_prog_test_run_opts(env_prog(h), &o), 0);
	return o.retval;
}

/* What each hook returns for a packet it lets through. */
__u32 pass_ret(enum hook h, size_t len)
{
	return h == H_XDP ? XDP_PASS : h == H_TC ? TC_ACT_OK : (__u32)len;
}

__u32 drop_ret(enum hook h)
{
	return h == H_XDP ? XDP_DROP : h == H_TC ? TC_ACT_SHOT : 0;
}

/* Build `s`, set the clock, run it through hook `h`. */
__u32 send_pkt(enum hook h, const struct pkt_spec *s, __u64 t_us,
		      size_t *len_out)
{
	uint8_t frame[PKT_MAX_FRAME];
	size_t len = pkt_build(s, frame, sizeof(frame));

	assert_true(len > 0);
	set_clock_us(t_us);
	if (len_out)
		*len_out = len;
	return run_frame(h, frame, len);
}

void get_counters(struct ff_counters *c)
{
	assert_int_equal(ff_loader_counters(&env.l, c), 0);
}

int flow_get(const struct ff_flow_key *k, struct ff_flow *f)
{
	return bpf_map_lookup_elem(env.flows_fd, k, f);
}

void flow_must(const struct ff_flow_key *k, struct ff_flow *f)
{
	if (flow_get(k, f)) {
		char a[INET6_ADDRSTRLEN], b[INET6_ADDRSTRLEN];
		int af = k->family == 4 ? AF_INET : AF_INET6;

		inet_ntop(af, k->addr_a, a, sizeof(a));
		inet_ntop(af, k->addr_b, b, sizeof(b));
		fail_msg("no flow entry for %s:%u <-> %s:%u proto %u frag_later %u",
			 a, k->port_a, b, k->port_b, k->proto, k->frag_later);
	}
}

int flow_count(void)
{
	struct ff_flow_key k, next;
	int n = 0;

	if (bpf_map_get_next_key(env.flows_fd, NULL, &next))
		return 0;
	do {
		k = next;
		n++;
	} while (!bpf_map_get_next_key(env.flows_fd, &k, &next));
	return n;
}

/*
 * The canonical key, written out independently of ff_flow_key_make():
 * endpoint a is the smaller (address, port) pair, addresses compared as
 * 16 bytes in memcmp order, then ports as numbers. Returns 1 when the
 * sender (src) is endpoint b.
 */
int key_for(struct ff_flow_key *k, int family, __u8 proto,
		   const char *src, __u16 sport, const char *dst, __u16 dport,
		   bool frag_later)
{
	__u8 s[16] = { 0 }, d[16] = { 0 };
	int af = family == 4 ? AF_INET : AF_INET6, cmp;

	assert_int_equal(inet_pton(af, src, s), 1);
	assert_int_equal(inet_pton(af, dst, d), 1);
	memset(k, 0, sizeof(*k));
	cmp = memcmp(s, d, 16);
	if (cmp == 0)
		cmp = sport < dport ? -1 : sport > dport;
	if (cmp <= 0) {
		memcpy(k->addr_a, s, 16);
		memcpy(k->addr_b, d, 16);
		k->port_a = sport;
		k->port_b = dport;
	} else {
		memcpy(k->addr_a, d, 16);
		memcpy(k->addr_b, s, 16);
		k->port_a = dport;
		k->port_b = sport;
	}
	k->proto = proto;
	k->family = family;
	k->frag_later = frag_later;
	return cmp > 0;
}

void clear_flows(void)
{
	struct ff_flow_key k;

	while (!bpf_map_get_next_key(env.flows_fd, NULL, &k))
		assert_int_equal(bpf_map_delete_elem(env.flows_fd, &k), 0);
}

int zero_counters(void)
{
	int ncpu = libbpf_num_possible_cpus(), rc;
	__u32 zero = 0;
	void *z;

	if (ncpu <= 0)
		return -1;
	z = calloc(ncpu, sizeof(struct ff_counters));
	if (!z)
		return -1;
	rc = bpf_map_update_elem(env.counters_fd, &zero, z, BPF_ANY);
	free(z);
	return rc;
}

/* The generation of the active model, as the kernel sees it. */
__u32 cur_gen(void)
{
	struct ff_model_meta meta;

	if (ff_maps_active_meta(&env.l.maps, &meta))
		return 0;
	return meta.generation;
}

/* The program to run at hook h: with the active model's native forest
 * when it has one (built on first use after an install), else the
 * object's own; env.prog[] are always the object's own. */
int env_prog(int h)
{
	switch (h) {
	case H_XDP:
		return FF_PROG_FD(&env.l, ff_xdp);
	case H_TC:
		return FF_PROG_FD(&env.l, ff_tc);
	default:
		return FF_PROG_FD(&env.l, ff_socket);
	}
}

int env_infer(void)
{
	return FF_PROG_FD(&env.l, ff_infer);
}

int install(const struct ff_model *m)
{
	char err[256];

	if (ff_loader_install_model(&env.l, m, NULL, err, sizeof(err))) {
		print_error("install model: %s\n", err);
		return -1;
	}
	return 0;
}

/* A model of one split per feature in `fids` (n of them; NULL: every
 * feature), each tree's two leaves class 0 (pass): it changes no verdict
 * but makes checkpoints compute those features (a model's feature set). */
int install_reading(const __u32 *fids, __u32 n)
{
	struct ff_model m;
	struct ff_xnode t[3];
	char err[256];
	__u32 i;
	int rc;

	memset(&m, 0, sizeof(m));
	m.n_classes = 1;
	m.n_features = 1;
	snprintf(m.class_names[0], FF_NAME_MAX, "benign");
	if (!fids)
		n = FF_NUM_FEATURES;
	for (i = 0; i < n; i++) {
		memset(t, 0, sizeof(t));
		t[0].feature = fids ? fids[i] : i;
		t[0].left = 1;
		t[0].right = 2;
		t[1].feature = t[2].feature = FF_NODE_LEAF;
		t[1].right = t[2].right = 1;
		if (ff_model_add_tree(&m, t, 3, err, sizeof(err))) {
			print_error("install_reading: %s\n", err);
			return -1;
		}
	}
	rc = ff_model_validate(&m, err, sizeof(err)) ? -1 : install(&m);
	ff_model_free(&m);
	return rc;
}

/* Per-test state: empty flows, counters and events, the hand-written model. */
int reset_state(void)
{
	int ctx_fd = FF_MAP_FD(&env.l, ff_ctx);
	struct ff_ctx_slot zero = {};
	struct ff_flow_key k;
	__u32 i;

	while (!bpf_map_get_next_key(env.flows_fd, NULL, &k))
		if (bpf_map_delete_elem(env.flows_fd, &k))
			return -1;
	/* the context of one test is not another's */
	for (i = 0; i < ff_ctx_entries(0); i++)	/* the clock's slot too */
		if (bpf_map_update_elem(ctx_fd, &i, &zero, BPF_ANY))
			return -1;
	if (zero_counters())
		return -1;
	if (ring_buffer__consume(env.rb) < 0)
		return -1;
	env.n_ev = 0;
	env.ev_dropped = 0;
	{
		__u32 one = 1;
		__u64 no_len = 0;

		if (bpf_map_update_elem(env.clock_fd, &one, &no_len, BPF_ANY))
			return -1;
	}
	return install(&env.hw);
}

int test_setup(void **state)
{
	if (!env.loaded)
		return 0;
	return reset_state();
}

int load_handwritten(struct ff_model *m)
{
	static const char *const rel[] = {
		"lab/models/handwritten.json",
		"../lab/models/handwritten.json",
		"../../lab/models/handwritten.json",
	};
	static const char from_bin[] = "/../../lab/models/handwritten.json";
	char path[PATH_MAX], err[256];
	const char *found = NULL;
	ssize_t n;
	size_t i;

	for (i = 0; i < FF_ARRAY_SIZE(rel) && !found; i++)
		if (!access(rel[i], R_OK))
			found = rel[i];
	if (!found) {
		/* Relative to the binary, build/tests/test_bpf_*. */
		n = readlink("/proc/self/exe", path, sizeof(path) - sizeof(from_bin));
		if (n > 0) {
			path[n] = 0;
			*strrchr(path, '/') = 0;
			strcat(path, from_bin);
			if (!access(path, R_OK))
				found = path;
		}
	}
	if (!found) {
		print_error("cannot find lab/models/handwritten.json (run from the repo root)\n");
		return -1;
	}
	if (ff_model_load(found, m, err, sizeof(err))) {
		print_error("%s\n", err);
		return -1;
	}
	return 0;
}

int group_setup(void **state)
{
	struct ff_load_opts o = {
		.cfg = FF_CONFIG_DEFAULT,
		.replay_clock = true,
	};
	char err[256];

	memset(&env, 0, sizeof(env));
	if (geteuid() != 0) {
		print_message("BPF tests: not root, every one is skipped\n");
		return 0;
	}
	if (load_handwritten(&env.hw))
		return -1;
	if (ff_loader_open(&env.l, &o, err, sizeof(err))) {
		print_error("ff_loader_open: %s\n", err);
		return -1;
	}
	env.prog[H_XDP] = FF_PROG_FD(&env.l, ff_xdp);
	env.prog[H_TC] = FF_PROG_FD(&env.l, ff_tc);
	env.prog[H_SOCK] = FF_PROG_FD(&env.l, ff_socket);
	env.infer_fd = FF_PROG_FD(&env.l, ff_infer);
	env.flows_fd = FF_MAP_FD(&env.l, ff_flows);
	env.clock_fd = FF_MAP_FD(&env.l, ff_clock);
	env.counters_fd = FF_MAP_FD(&env.l, ff_counters);
	env.in_fd = FF_MAP_FD(&env.l, ff_infer_in);
	env.out_fd = FF_MAP_FD(&env.l, ff_infer_out);
	env.meta_fd = FF_MAP_FD(&env.l, ff_meta);
	env.active_fd = FF_MAP_FD(&env.l, ff_active);
	if (env.prog[H_XDP] < 0 || env.prog[H_TC] < 0 || env.prog[H_SOCK] < 0 ||
	    env.infer_fd < 0 || env.flows_fd < 0 || env.clock_fd < 0 ||
	    env.counters_fd < 0 || env.in_fd < 0 || env.out_fd < 0 ||
	    env.meta_fd < 0 || env.active_fd < 0) {
		print_error("a program or map is missing from the BPF object\n");
		ff_loader_close(&env.l);
		return -1;
	}
	env.rb = ring_buffer__new(FF_MAP_FD(&env.l, ff_events), on_event,
				  NULL, NULL);
	if (!env.rb) {
		print_error("ring_buffer__new: %s\n", strerror(errno));
		ff_loader_close(&env.l);
		return -1;
	}
	env.loaded = true;
	return 0;
}

int group_teardown(void **state)
{
	if (env.rb)
		ring_buffer__free(env.rb);
	if (env.loaded)
		ff_loader_close(&env.l);
	ff_model_free(&env.hw);
	env.loaded = false;
	return 0;
}

/* One CPU for a test binary's packets: tests that read the per-CPU
 * scratch vector of the last checkpoint (scratch_feature) read an older
 * checkpoint's on the other CPU when the process moved between two packets
 * (test_bpf_flow's ctx_handshake_completes failed so at load 25). Not in
 * group_setup: the lab's tests start traffic tools, which would inherit it.
 * Threads that pin themselves (ctx_two_cpus_one_host) still can. */
void pin_one_cpu(void)
{
	cpu_set_t one;
	int cpu = sched_getcpu();

	CPU_ZERO(&one);
	CPU_SET(cpu > 0 ? cpu : 0, &one);
	sched_setaffinity(0, sizeof(one), &one);
}

/* The largest value of feature `fid` in any CPU's scratch vector (the
 * vector of the last checkpoint there), or with `zero`, every CPU's
 * vector zeroed. */
__u64 scratch_feature(int fid, bool zero)
{
	int ncpu = libbpf_num_possible_cpus(), fd = FF_MAP_FD(&env.l, ff_scratch), i;
	struct ff_features *v;
	__u32 key = 0;
	__u64 max = 0;

	assert_true(ncpu > 0);
	v = calloc(ncpu, sizeof(*v));
	assert_non_null(v);
	if (zero)
		assert_int_equal(bpf_map_update_elem(fd, &key, v, BPF_ANY), 0);
	else
		assert_int_equal(bpf_map_lookup_elem(fd, &key, v), 0);
	for (i = 0; i < ncpu; i++)
		if (v[i].v[fid] > max)
			max = v[i].v[fid];
	free(v);
	return max;
}

/* ---- xorshift, for the random tests (fixed seeds: reproducible) ---- */

__u64 rnd_state;

__u64 rnd(void)
{
	__u64 x = rnd_state;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	rnd_state = x;
	return x;
}

__u32 rnd_below(__u32 n)
{
	return n ? (__u32)(rnd() % n) : 0;
}

