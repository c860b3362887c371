// SPDX-License-Identifier: MIT
/*
 * Live throughput over a veth pair: a generator in one network namespace
 * sends UDP frames of many flows with BPF_PROG_TEST_RUN in live-frames mode
 * (bench/livegen.bpf.c returns XDP_TX, so frames leave the generator's veth
 * end and arrive at the peer), and the peer runs a receiver:
 *
 *   pass      an XDP program that only passes (the baseline)
 *   xdp       flowforest's ff_xdp in native mode (loader API)
 *   tc        the pass program (it gives the veth its NAPI) + ff_tc at TC ingress
 *   socket    the pass program + ff_socket on a raw socket, drained by a thread
 *   external  the pass program only: something else (flowforest twin) receives
 *
 * Run it inside the receiver's namespace (`ip netns exec NS-b livegen ...`);
 * it enters the generator's namespace (--gen-netns) only to send. The
 * generator runs on --gen-cpu; the receiver's NAPI runs in a kernel thread
 * (threaded NAPI, switched on here) pinned to --rx-cpu, so
 * generator and receiver each have a core. Its CPU time per packet
 * (napi_ns_per_pkt, from /proc/PID/schedstat) is the receiving core's cost
 * even when other processes share the core.
 *
 * With --drop every class's action is drop: from a flow's first checkpoint on
 * (its first packet), the hook drops it. With --flood too, the established
 * flows' clients (10.128.0.0/11) are in the allow list: with every class
 * dropping, an operator's allow list is the only way traffic passes, and
 * those flows are still tracked and classified (the allow list overrides
 * the action, not the verdict), so they keep their entries and verdicts.
 *
 * Every run: fresh receiver, --warmup seconds of traffic, then a window of
 * --duration seconds over which rates are measured. A run in which the
 * receive thread had less than 85 % of its core (other processes took it)
 * is reported with "discarded":true and run again, at most twice per run;
 * a run kept after that is marked "noisy":true. Against other processes,
 * the generator and the receive thread run SCHED_RR (priority 1) while
 * measured (--no-rt: not): alone on their cores that is SCHED_FIFO; with
 * --hook external, run the receiving process with `chrt -r 1` too and the
 * two take turns on the receiving core, as with nothing else running. The
 * kernel's RT throttling still leaves others 5 % of each core. One JSON
 * object per run on stdout (or --json FILE). With --stats, kernel.bpf_stats_enabled is set
 * to 1 for the window only (the previous value is restored right after, and
 * on SIGINT/SIGTERM) and the receiver programs' run_time_ns / run_cnt give
 * the kernel's own time per packet.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <pthread.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "clock.h"
#include "loader.h"
#include "flowforest.skel.h"
#include "bench/empty.skel.h"
#include "bench/livegen.skel.h"
#include "model_file.h"
#include "pkt.h"
#include "forest.h"

enum rx_hook { RX_PASS, RX_XDP, RX_TC, RX_SOCKET, RX_EXTERNAL };
static const char *const rx_names[] = { "pass", "xdp", "tc", "socket", "external" };

struct gen_state {		/* bench/livegen.bpf.c */
	__u32 n_flows;
	__u32 next;
	__u64 sent;
	__u32 ifindex;
	__u32 pad;
	__u64 gap_fp;
	__u64 next_fp;
	__u64 idle;
	__u32 est_every;
	__u16 flood_port;
	__u16 est_port;
	__u64 flood_seq;
};

static struct {
	const char *gen_netns, *gen_dev, *rx_dev, *model_path, *json;
	enum rx_hook hook;
	unsigned flows[16];
	int n_flows;
	int runs;
	double warmup, duration;
	__u32 table;		/* flow-table size, 0: 2 x flows (at least 65,536) */
	int gen_cpu, rx_cpu;
	bool stats;
	bool drop;		/* every class's action is drop */
	double rate;		/* frames/s, 0 = as fast as possible */
	__u32 chunk, batch;
	const char *flood;	/* "syn" or "udp": spoofed one-packet flows */
	__u32 est_every;	/* with --flood: every Nth frame is an established flow's */
	bool no_fast;		/* without the one-packet fast path (cfg.first_fast) */
	bool no_rt;		/* generator and receive thread keep their scheduling class */
	bool cp_first;		/* the model at a flow's first packet only: the
				 * checkpoints' share of the per-packet cost */
} o = {
	.hook = RX_PASS, .runs = 3, .warmup = 1, .duration = 3, .table = 0,
	.gen_cpu = 0, .rx_cpu = 1, .chunk = 65536, .batch = 64, .est_every = 16,
};

#define FLOOD_PORT 80		/* the flood's destination port (class "flood") */
#define EST_PORT 5001		/* the established flows' (class "benign") */
#define EST_CLIENTS "10.128.0.0/11"	/* their sources (bench/livegen.bpf.c) */

static volatile sig_atomic_t stop;
static int stats_prev = -1;	/* kernel.bpf_stats_enabled before we set it */

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "livegen: ");
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static int read_int_file(const char *path, long long *v)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -1;
	ok = fscanf(f, "%lld", v) == 1;
	fclose(f);
	return ok ? 0 : -1;
}

static int write_str_file(const char *path, const char *s)
{
	FILE *f = fopen(path, "w");
	int rc;

	if (!f)
		return -1;
	rc = fputs(s, f) < 0;
	rc |= fclose(f) != 0;
	return rc ? -1 : 0;
}

#define STATS_SYSCTL "/proc/sys/kernel/bpf_stats_enabled"

static void stats_set(bool on)
{
	long long v;

	if (on) {
		if (read_int_file(STATS_SYSCTL, &v))
			die("cannot read " STATS_SYSCTL);
		stats_prev = (int)v;
		if (write_str_file(STATS_SYSCTL, "1"))
			die("cannot write " STATS_SYSCTL);
	} else if (stats_prev >= 0) {
		write_str_file(STATS_SYSCTL, stats_prev ? "1" : "0");
		stats_prev = -1;
	}
}

static void on_signal(int sig)
{
	/* Restore the sysctl here too: the process is about to stop. */
	if (stats_prev >= 0) {
		int fd = open(STATS_SYSCTL, O_WRONLY);

		if (fd >= 0) {
			if (write(fd, stats_prev ? "1" : "0", 1) < 0) {
				/* nothing more to do in a signal handler */
			}
			close(fd);
		}
		stats_prev = -1;
	}
	stop = 1;
	(void)sig;
}

static void pin_self(int cpu)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set))
		fprintf(stderr, "livegen: cannot pin to CPU %d: %s\n", cpu, strerror(errno));
}

/* This thread (the generator) SCHED_RR (rt) or back to SCHED_OTHER. */
static void self_rt(bool rt)
{
	struct sched_param sp = { .sched_priority = rt ? 1 : 0 };

	if (sched_setscheduler(0, rt ? SCHED_RR : SCHED_OTHER, &sp) && rt)
		fprintf(stderr, "livegen: the generator stays SCHED_OTHER: %s\n", strerror(errno));
}

/* ---- the receiver's NAPI threads --------------------------------------- */

#define MAX_NAPI 8
static pid_t napi_pids[MAX_NAPI];
static int n_napi;

/* Switch the receiver's NAPI to a kernel thread and pin the thread(s). */
static void napi_threads_pin(void)
{
	char path[300], comm[64], want[32];
	struct dirent *de;
	DIR *d;
	int tries;

	snprintf(path, sizeof(path), "/sys/class/net/%s/threaded", o.rx_dev);
	if (write_str_file(path, "1"))
		die("cannot enable threaded NAPI (%s): %s", path, strerror(errno));
	/* kthread comm: "napi/DEV-ID", truncated to 15 characters */
	snprintf(want, sizeof(want), "napi/%s-", o.rx_dev);
	want[15] = 0;
	for (tries = 0; tries < 50; tries++) {
		n_napi = 0;
		d = opendir("/proc");
		if (!d)
			die("cannot read /proc");
		while ((de = readdir(d)) && n_napi < MAX_NAPI) {
			FILE *f;

			if (de->d_name[0] < '0' || de->d_name[0] > '9')
				continue;
			snprintf(path, sizeof(path), "/proc/%s/comm", de->d_name);
			f = fopen(path, "r");
			if (!f)
				continue;
			if (fgets(comm, sizeof(comm), f) &&
			    !strncmp(comm, want, strlen(want)))
				napi_pids[n_napi++] = atoi(de->d_name);
			fclose(f);
		}
		closedir(d);
		if (n_napi)
			break;
		usleep(10000);
	}
	if (!n_napi)
		die("no NAPI thread for %s", o.rx_dev);
	for (int i = 0; i < n_napi; i++) {
		cpu_set_t set;

		CPU_ZERO(&set);
		CPU_SET(o.rx_cpu, &set);
		if (sched_setaffinity(napi_pids[i], sizeof(set), &set))
			die("cannot pin NAPI thread %d: %s", napi_pids[i], strerror(errno));
	}
}

/* The receive thread(s) SCHED_RR (rt) or back to SCHED_OTHER. */
static void napi_threads_rt(bool rt)
{
	struct sched_param sp = { .sched_priority = rt ? 1 : 0 };

	for (int i = 0; i < n_napi; i++)
		if (sched_setscheduler(napi_pids[i], rt ? SCHED_RR : SCHED_OTHER, &sp) && rt)
			fprintf(stderr, "livegen: NAPI thread %d stays SCHED_OTHER: %s\n",
				napi_pids[i], strerror(errno));
}

static __u64 napi_runtime_ns(void)
{
	__u64 sum = 0;

	for (int i = 0; i < n_napi; i++) {
		char path[64];
		long long v;

		snprintf(path, sizeof(path), "/proc/%d/schedstat", napi_pids[i]);
		if (read_int_file(path, &v) == 0)
			sum += v;
	}
	return sum;
}

/* busy, total and stolen (by the hypervisor) jiffies of one CPU */
static void cpu_jiffies(int cpu, __u64 *busy, __u64 *total, __u64 *steal)
{
	char line[512], want[16];
	FILE *f = fopen("/proc/stat", "r");

	*busy = *total = *steal = 0;
	if (!f)
		return;
	snprintf(want, sizeof(want), "cpu%d ", cpu);
	while (fgets(line, sizeof(line), f)) {
		unsigned long long v[10] = {};

		if (strncmp(line, want, strlen(want)))
			continue;
		sscanf(line + strlen(want), "%llu %llu %llu %llu %llu %llu %llu %llu %llu %llu",
		       &v[0], &v[1], &v[2], &v[3], &v[4], &v[5], &v[6], &v[7], &v[8], &v[9]);
		for (int i = 0; i < 8; i++)	/* guest time is inside user */
			*total += v[i];
		*busy = *total - v[3] - v[4];	/* minus idle, iowait */
		*steal = v[7];
		break;
	}
	fclose(f);
}

static __u64 dev_stat(const char *name)
{
	char path[256];
	long long v = 0;

	snprintf(path, sizeof(path), "/sys/class/net/%s/statistics/%s", o.rx_dev, name);
	read_int_file(path, &v);
	return v;
}

/* ---- receivers ---------------------------------------------------------- */

struct receiver {
	struct ff_loader l;
	bool have_ff;
	int pass_link;
	int ff_prog;		/* the hook's program, for run-time stats */
	pthread_t user;
	bool user_running;
	volatile bool user_stop;
	volatile __u64 drained, events_read;
	double load_ms;
};

static int pass_prog = -1;
static int rx_ifindex;
static struct ff_model model;

/* User space's share of the kernel hooks: the event reader (what `flowforest
 * run` does) and, for the socket hook, reading the raw socket the filter
 * lets packets into. One thread on the generator's core, so that the
 * receiving core does the classification and nothing else. */
static int on_event(void *ctx, void *data, size_t len)
{
	struct receiver *r = ctx;

	(void)data;
	(void)len;
	r->events_read++;
	return 0;
}

static void *user_thread(void *arg)
{
	struct receiver *r = arg;
	struct ring_buffer *rb;
	char buf[128];
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(o.gen_cpu, &set);
	pthread_setaffinity_np(pthread_self(), sizeof(set), &set);
	rb = ring_buffer__new(FF_MAP_FD(&r->l, ff_events), on_event, r, NULL);
	if (!rb)
		die("cannot open the event ring buffer");
	while (!r->user_stop) {
		ring_buffer__poll(rb, r->l.sock_fd >= 0 ? 0 : 20);
		if (r->l.sock_fd >= 0) {
			int n = 0;

			while (n < 256 && recv(r->l.sock_fd, buf, sizeof(buf), MSG_TRUNC | MSG_DONTWAIT) > 0)
				n++;
			r->drained += n;
			if (!n)
				usleep(100);
		}
	}
	ring_buffer__consume(rb);
	ring_buffer__free(rb);
	return NULL;
}

static __u32 table_for(unsigned n_flows)
{
	__u32 t = 65536;

	if (o.table)
		return o.table;
	while (t < 2 * n_flows)
		t <<= 1;
	return t;
}

static void receiver_up(struct receiver *r, unsigned n_flows)
{
	char err[512];
	double t0 = ff_mono_s();

	memset(r, 0, sizeof(*r));
	r->pass_link = -1;
	r->ff_prog = -1;
	if (o.hook != RX_XDP) {
		LIBBPF_OPTS(bpf_link_create_opts, lo, .flags = XDP_FLAGS_DRV_MODE);

		r->pass_link = bpf_link_create(pass_prog, rx_ifindex, BPF_XDP, &lo);
		if (r->pass_link < 0)
			die("cannot attach the pass program to %s: %s", o.rx_dev, strerror(errno));
	}
	if (o.hook == RX_XDP || o.hook == RX_TC || o.hook == RX_SOCKET) {
		struct ff_config cfg = FF_CONFIG_DEFAULT;
		struct ff_load_opts lo = { .max_flows = table_for(n_flows), .cfg = cfg };

		if (o.cp_first) {
			lo.cfg.n_checkpoints = 1;
			lo.cfg.checkpoints[0] = 1;
			lo.cfg.cp_every = 0;
			lo.cfg.cp_flags = 0;
		}
		if (o.flood) {
			/* the fast path for one-packet flows, aggregated events */
			lo.cfg.first_fast = !o.no_fast;
			lo.cfg.flood_events = 0;
		}
		enum ff_hook h = o.hook == RX_XDP ? FF_HOOK_XDP :
				 o.hook == RX_TC ? FF_HOOK_TC_INGRESS : FF_HOOK_SOCKET;

		__u32 drop_all[FF_MAX_CLASSES];

		for (int i = 0; i < FF_MAX_CLASSES; i++)
			drop_all[i] = FF_ACT_DROP;
		if (ff_loader_open(&r->l, &lo, err, sizeof(err)) ||
		    (o.flood && o.drop &&
		     ff_maps_list_update(&r->l.maps, false, EST_CLIENTS, true, err, sizeof(err))) ||
		    ff_loader_install_model(&r->l, &model, o.drop ? drop_all : NULL, err,
					    sizeof(err)) < 0 ||
		    ff_loader_attach(&r->l, h, rx_ifindex, err, sizeof(err)))
			die("%s", err);
		r->have_ff = true;
		r->ff_prog = o.hook == RX_XDP ? FF_PROG_FD(&r->l, ff_xdp) :
			     o.hook == RX_TC ? FF_PROG_FD(&r->l, ff_tc) : FF_PROG_FD(&r->l, ff_socket);
	}
	r->load_ms = (ff_mono_s() - t0) * 1e3;
	napi_threads_pin();
	if (!o.no_rt)
		napi_threads_rt(true);
	if (r->have_ff) {
		if (pthread_create(&r->user, NULL, user_thread, r))
			die("cannot start the user-space thread");
		r->user_running = true;
	}
}

static void receiver_down(struct receiver *r)
{
	napi_threads_rt(false);
	if (r->user_running) {
		r->user_stop = true;
		pthread_join(r->user, NULL);
	}
	if (r->have_ff)
		ff_loader_close(&r->l);
	if (r->pass_link >= 0)
		close(r->pass_link);
	usleep(50000);		/* let the NAPI thread go */
}

/* ---- snapshots ---------------------------------------------------------- */

struct snap {
	double t;
	__u64 sent;
	__u64 rx_packets, rx_dropped;
	struct ff_counters ff;
	__u64 napi_ns;
	__u64 rx_busy, rx_total, gen_busy, gen_total, rx_steal, gen_steal;
	__u64 prog_ns, prog_cnt, pass_ns, pass_cnt;
	__u64 drained, events_read;
};

static int gen_map_fd;

static void prog_stats(int fd, __u64 *ns, __u64 *cnt)
{
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	*ns = *cnt = 0;
	if (fd >= 0 && bpf_obj_get_info_by_fd(fd, &info, &len) == 0) {
		*ns = info.run_time_ns;
		*cnt = info.run_cnt;
	}
}

static void snapshot(struct receiver *r, struct snap *s)
{
	__u32 zero = 0;
	struct gen_state g;

	memset(s, 0, sizeof(*s));
	s->t = ff_mono_s();
	if (bpf_map_lookup_elem(gen_map_fd, &zero, &g) == 0)
		s->sent = g.sent;
	s->rx_packets = dev_stat("rx_packets");
	s->rx_dropped = dev_stat("rx_dropped");
	if (r->have_ff)
		ff_loader_counters(&r->l, &s->ff);
	s->napi_ns = napi_runtime_ns();
	cpu_jiffies(o.rx_cpu, &s->rx_busy, &s->rx_total, &s->rx_steal);
	cpu_jiffies(o.gen_cpu, &s->gen_busy, &s->gen_total, &s->gen_steal);
	prog_stats(r->ff_prog, &s->prog_ns, &s->prog_cnt);
	prog_stats(pass_prog, &s->pass_ns, &s->pass_cnt);
	s->drained = r->drained;
	s->events_read = r->events_read;
}

/* ---- the generator ------------------------------------------------------ */

static int gen_prog, gen_lo_link = -1;
static int gen_ifindex;
static __u8 frame[128];
static size_t frame_len;

/* Send until `until` (monotonic seconds); returns frames handed to the
 * program (with --rate, most of them are dropped at once while waiting). */
static __u64 generate(double until)
{
	struct xdp_md ctx = { .data_end = frame_len, .ingress_ifindex = gen_ifindex };
	__u64 total = 0;

	while (!stop && ff_mono_s() < until) {
		LIBBPF_OPTS(bpf_test_run_opts, tr, .data_in = frame, .data_size_in = frame_len,
			    .ctx_in = &ctx, .ctx_size_in = sizeof(ctx),
			    .flags = BPF_F_TEST_XDP_LIVE_FRAMES, .batch_size = o.batch,
			    .repeat = o.chunk);

		if (bpf_prog_test_run_opts(gen_prog, &tr)) {
			if (errno == EINTR)
				continue;
			die("live test run failed: %s", strerror(errno));
		}
		total += o.chunk;
	}
	return total;
}

/* ---- output ------------------------------------------------------------- */

/* After a flood: how many of the n established flows still have their
 * table entry, and how many of those still hold the verdict their class
 * gets (benign; its action: drop with --drop, overridden by the allow
 * list, else pass). */
static void est_check(struct receiver *r, unsigned n, unsigned *present, unsigned *verdict_ok)
{
	struct ff_flow *f = malloc(sizeof(*f));
	unsigned i;

	*present = *verdict_ok = 0;
	if (!f)
		die("out of memory");
	for (i = 0; i < n; i++) {
		struct ff_pkt p = { .family = 4, .proto = o.flood[0] == 's' ? 6 : 17,
				    .sport = 1024 + (i & 0x3fff), .dport = EST_PORT };
		struct ff_flow_key k;
		__u32 a = 0x0a800000u + (i >> 14);

		p.saddr[0] = a >> 24, p.saddr[1] = a >> 16, p.saddr[2] = a >> 8, p.saddr[3] = a;
		p.daddr[0] = 10, p.daddr[1] = 199, p.daddr[2] = 0, p.daddr[3] = 2;
		ff_flow_key_make(&p, &k);
		if (bpf_map_lookup_elem(r->l.maps.flows, &k, f))
			continue;
		(*present)++;
		if (f->cls == 0 && f->action == (o.drop ? FF_ACT_DROP : FF_ACT_PASS))
			(*verdict_ok)++;
	}
	free(f);
}

static FILE *out;

/* The receive thread's share of its core over the window. */
static double napi_share(const struct snap *a, const struct snap *b)
{
	double dt = b->t - a->t;

	return dt > 0 ? (b->napi_ns - a->napi_ns) / (dt * 1e9) : 0;
}

static void report(struct receiver *r, unsigned n_flows, int run, const struct snap *a,
		   const struct snap *b, bool discarded, bool noisy)
{
	char name[64];
	double dt = b->t - a->t;
	__u64 rx = b->rx_packets - a->rx_packets;
	__u64 ffp = b->ff.c[FF_C_PACKETS] - a->ff.c[FF_C_PACKETS];
	__u64 prog_cnt = b->prog_cnt - a->prog_cnt, pass_cnt = b->pass_cnt - a->pass_cnt;
	double rx_busy = b->rx_total > a->rx_total ?
		(double)(b->rx_busy - a->rx_busy) / (b->rx_total - a->rx_total) : 0;
	double gen_busy = b->gen_total > a->gen_total ?
		(double)(b->gen_busy - a->gen_busy) / (b->gen_total - a->gen_total) : 0;

	snprintf(name, sizeof(name), "%s%s%s%s%s", rx_names[o.hook], o.flood ? "_flood_" : "",
		 o.flood ? o.flood : "", o.drop ? "_drop" : "", o.flood && o.no_fast ? "_nofast" : "");
	fprintf(out, "{%s%s\"hook\":\"%s\",\"n_flows\":%u,\"run\":%d,\"t_start\":%.6f,\"t_end\":%.6f,"
		"\"window_s\":%.4f,\"sent_pps\":%.0f,\"rx_pps\":%.0f,\"rx_dropped_pps\":%.0f,"
		"\"lost_pps\":%.0f,",
		discarded ? "\"discarded\":true," : "", noisy ? "\"noisy\":true," : "", name, n_flows, run, a->t, b->t, dt, (b->sent - a->sent) / dt, rx / dt,
		(b->rx_dropped - a->rx_dropped) / dt,
		((double)(b->sent - a->sent) - (double)rx) / dt);
	fprintf(out, "\"rx_cpu_steal\":%.3f,\"gen_cpu_steal\":%.3f,",
		b->rx_total > a->rx_total ?
		(double)(b->rx_steal - a->rx_steal) / (b->rx_total - a->rx_total) : 0,
		b->gen_total > a->gen_total ?
		(double)(b->gen_steal - a->gen_steal) / (b->gen_total - a->gen_total) : 0);
	fprintf(out, "\"napi_share\":%.3f,\"napi_rt\":%s,\"napi_ns_per_pkt\":%.1f,\"rx_cpu_busy\":%.3f,\"gen_cpu_busy\":%.3f,"
		"\"load_ms\":%.1f,\"table\":%u",
		napi_share(a, b), o.no_rt ? "false" : "true",
		rx ? (double)(b->napi_ns - a->napi_ns) / rx : 0, rx_busy, gen_busy, r->load_ms,
		r->have_ff ? table_for(n_flows) : 0);
	if (o.cp_first)
		fprintf(out, ",\"cp_first\":true");
	if (r->have_ff)
		fprintf(out, ",\"ff_pps\":%.0f,\"classified_ps\":%.0f,\"dropped_ps\":%.0f,"
			"\"flows_created_ps\":%.0f,\"alloc_fail\":%llu,\"events_lost\":%llu,"
			"\"unclassified_pps\":%.0f,\"events_ps\":%.0f,\"events_read_ps\":%.0f",
			ffp / dt,
			(b->ff.c[FF_C_CLASSIFICATIONS] - a->ff.c[FF_C_CLASSIFICATIONS]) / dt,
			(b->ff.c[FF_C_DROPPED] - a->ff.c[FF_C_DROPPED]) / dt,
			(b->ff.c[FF_C_FLOWS_CREATED] - a->ff.c[FF_C_FLOWS_CREATED]) / dt,
			(unsigned long long)(b->ff.c[FF_C_FLOW_ALLOC_FAIL] -
					     a->ff.c[FF_C_FLOW_ALLOC_FAIL]),
			(unsigned long long)(b->ff.c[FF_C_EVENTS_LOST] - a->ff.c[FF_C_EVENTS_LOST]),
			(b->ff.unclassified_pkts - a->ff.unclassified_pkts) / dt,
			(b->ff.c[FF_C_EVENTS] - a->ff.c[FF_C_EVENTS]) / dt,
			(b->events_read - a->events_read) / dt);
	if (o.flood) {
		unsigned present = 0, ok = 0;

		if (r->have_ff)
			est_check(r, n_flows, &present, &ok);
		fprintf(out, ",\"flood\":\"%s\",\"est_every\":%u", o.flood, o.est_every);
		if (r->have_ff)
			fprintf(out, ",\"est_flows\":%u,\"est_present\":%u,\"est_verdict_ok\":%u,"
				"\"first_fast\":%s,\"first_drops_ps\":%.0f,\"first_memo_ps\":%.0f,"
				"\"evicted_ps\":%.0f,\"allowed_ps\":%.0f,\"est_allowlisted\":%s",
				n_flows, present, ok, o.no_fast ? "false" : "true",
				(b->ff.c[FF_C_FIRST_DROPS] - a->ff.c[FF_C_FIRST_DROPS]) / dt,
				(b->ff.c[FF_C_FIRST_MEMO] - a->ff.c[FF_C_FIRST_MEMO]) / dt,
				(b->ff.c[FF_C_EVICTED] - a->ff.c[FF_C_EVICTED]) / dt,
				(b->ff.c[FF_C_ALLOWED] - a->ff.c[FF_C_ALLOWED]) / dt,
				o.drop ? "true" : "false");
	}
	if (o.stats) {
		fprintf(out, ",\"stats\":true");
		if (prog_cnt)
			fprintf(out, ",\"prog_ns_per_pkt\":%.1f,\"prog_run_cnt\":%llu",
				(double)(b->prog_ns - a->prog_ns) / prog_cnt,
				(unsigned long long)prog_cnt);
		if (pass_cnt)
			fprintf(out, ",\"pass_prog_ns_per_pkt\":%.1f,\"pass_run_cnt\":%llu",
				(double)(b->pass_ns - a->pass_ns) / pass_cnt,
				(unsigned long long)pass_cnt);
	}
	if (o.hook == RX_SOCKET)
		fprintf(out, ",\"socket_read_pps\":%.0f", (b->drained - a->drained) / dt);
	fprintf(out, "}\n");
	fflush(out);
}

/* ---- set-up ------------------------------------------------------------- */

static void usage(void)
{
	fprintf(stderr,
		"usage: livegen --gen-netns PATH --gen-dev IF --rx-dev IF --hook pass|xdp|tc|socket|external\n"
		"               [--flows N,N,...] [--runs R] [--warmup S] [--duration S] [--model FILE]\n"
		"               [--table N (default 2 x flows)] [--gen-cpu C] [--rx-cpu C] [--stats] [--rate PPS]\n"
		"               [--chunk N] [--batch N] [--drop] [--json FILE]\n"
		"               [--flood syn|udp [--est-every N] [--no-fast]] [--no-rt] [--cp-first]\n"
		"--drop: every class of the model drops (the hooks drop classified flows)\n"
		"--flood: spoofed one-packet flows (TCP SYN or UDP to port 80), every Nth frame\n"
		"  (default 16) one of --flows established flows' (to port 5001); the model is a\n"
		"  32 x 12 comb forest that classes port 80 flood, the rest benign; with --drop\n"
		"  every class drops and the established clients (" EST_CLIENTS ") are in the\n"
		"  allow list. The fast path for one-packet flows is on (--no-fast: off); after\n"
		"  each run, the established flows' entries and verdicts are checked\n"
		"--no-rt: generator and receive thread stay SCHED_OTHER while measured\n"
		"--cp-first: the model runs at a flow's first packet only (no later checkpoint):\n"
		"  against the default schedule, what the checkpoints cost per packet\n");
	exit(2);
}

static void get_mac(const char *dev, __u8 mac[6])
{
	struct ifreq ifr = {};
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (fd < 0 || ioctl(fd, SIOCGIFHWADDR, &ifr))
		die("cannot read the MAC address of %s: %s", dev, strerror(errno));
	memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
}

static void parse_args(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "gen-netns", 1, 0, 'N' }, { "gen-dev", 1, 0, 'G' }, { "rx-dev", 1, 0, 'R' },
		{ "hook", 1, 0, 'H' }, { "flows", 1, 0, 'f' }, { "runs", 1, 0, 'r' },
		{ "warmup", 1, 0, 'w' }, { "duration", 1, 0, 'd' }, { "model", 1, 0, 'm' },
		{ "table", 1, 0, 't' }, { "gen-cpu", 1, 0, 'g' }, { "rx-cpu", 1, 0, 'x' },
		{ "stats", 0, 0, 's' }, { "rate", 1, 0, 'p' }, { "chunk", 1, 0, 'c' },
		{ "batch", 1, 0, 'b' }, { "json", 1, 0, 'j' }, { "drop", 0, 0, 'D' },
		{ "flood", 1, 0, 'F' }, { "est-every", 1, 0, 'E' }, { "no-fast", 0, 0, 'n' },
		{ "no-rt", 0, 0, 'T' }, { "cp-first", 0, 0, 'C' }, { 0 },
	};
	int c, i;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (c) {
		case 'N': o.gen_netns = optarg; break;
		case 'G': o.gen_dev = optarg; break;
		case 'R': o.rx_dev = optarg; break;
		case 'H':
			for (i = 0; i <= RX_EXTERNAL; i++)
				if (!strcmp(optarg, rx_names[i]))
					break;
			if (i > RX_EXTERNAL)
				usage();
			o.hook = i;
			break;
		case 'f': {
			char *s = optarg, *end;

			o.n_flows = 0;
			while (*s && o.n_flows < 16) {
				o.flows[o.n_flows++] = strtoul(s, &end, 10);
				s = *end == ',' ? end + 1 : end;
				if (end == s && *s)
					usage();
			}
			break;
		}
		case 'r': o.runs = atoi(optarg); break;
		case 'w': o.warmup = atof(optarg); break;
		case 'd': o.duration = atof(optarg); break;
		case 'm': o.model_path = optarg; break;
		case 't': o.table = strtoul(optarg, NULL, 10); break;
		case 'g': o.gen_cpu = atoi(optarg); break;
		case 'x': o.rx_cpu = atoi(optarg); break;
		case 's': o.stats = true; break;
		case 'p': o.rate = atof(optarg); break;
		case 'c': o.chunk = strtoul(optarg, NULL, 10); break;
		case 'b': o.batch = strtoul(optarg, NULL, 10); break;
		case 'j': o.json = optarg; break;
		case 'D': o.drop = true; break;
		case 'F':
			if (strcmp(optarg, "syn") && strcmp(optarg, "udp"))
				usage();
			o.flood = optarg;
			break;
		case 'E': o.est_every = strtoul(optarg, NULL, 10); break;
		case 'n': o.no_fast = true; break;
		case 'T': o.no_rt = true; break;
		case 'C': o.cp_first = true; break;
		default: usage();
		}
	}
	if (!o.gen_netns || !o.gen_dev || !o.rx_dev || o.runs < 1 || o.duration <= 0)
		usage();
	if (!o.no_rt) {
		long long rt_runtime = 0;

		/* Without RT throttling, two busy SCHED_RR threads would leave
		 * nothing of either core to anyone else for seconds. */
		if (read_int_file("/proc/sys/kernel/sched_rt_runtime_us", &rt_runtime) ||
		    rt_runtime < 0) {
			fprintf(stderr, "livegen: RT throttling is off (kernel.sched_rt_runtime_us): "
				"running without SCHED_RR (--no-rt)\n");
			o.no_rt = true;
		}
	}
	if (!o.n_flows) {
		o.flows[0] = 100000;
		o.n_flows = 1;
	}
	for (i = 0; i < o.n_flows; i++)
		if (o.flows[i] == 0 || o.flows[i] > (1u << 21))
			die("--flows: 1 to %u flows", 1u << 21);
	if (o.flood && o.est_every < 2)
		die("--est-every: at least 2");
	if ((o.hook == RX_XDP || o.hook == RX_TC || o.hook == RX_SOCKET) && !o.model_path &&
	    !o.flood)
		die("--model is required for hook %s", rx_names[o.hook]);
}

int main(int argc, char **argv)
{
	struct livegen_bpf *gen_obj;
	struct empty_bpf *pass_obj;
	int rx_ns, gen_ns;
	__u8 gen_mac[6];
	char err[512];

	parse_args(argc, argv);
	libbpf_set_print(NULL);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	out = stdout;
	if (o.json && !(out = fopen(o.json, "a")))
		die("%s: %s", o.json, strerror(errno));

	if (o.flood) {
		if (flood_forest(&model, 32, 12, FLOOD_PORT))
			die("cannot build the flood model");
	} else if (o.model_path && ff_model_load(o.model_path, &model, err, sizeof(err))) {
		die("model: %s", err);
	}

	rx_ns = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	gen_ns = open(o.gen_netns, O_RDONLY | O_CLOEXEC);
	if (rx_ns < 0 || gen_ns < 0)
		die("cannot open the network namespaces: %s", strerror(errno));
	rx_ifindex = if_nametoindex(o.rx_dev);
	if (!rx_ifindex)
		die("no interface %s here", o.rx_dev);
	if (setns(gen_ns, CLONE_NEWNET))
		die("cannot enter %s: %s", o.gen_netns, strerror(errno));
	gen_ifindex = if_nametoindex(o.gen_dev);
	if (!gen_ifindex)
		die("no interface %s in %s", o.gen_dev, o.gen_netns);
	get_mac(o.gen_dev, gen_mac);
	if (setns(rx_ns, CLONE_NEWNET))
		die("cannot go back to the receiver's namespace");

	{
		/* To the receiver's address, but not to its MAC address: the
		 * receiver's stack drops the frame right at the start of IP
		 * (PACKET_OTHERHOST), so a passed frame costs the stack as
		 * little as possible and the hooks' cost stands out. */
		static const __u8 other_mac[6] = { 0x02, 0xff, 0, 0, 0, 0x02 };
		struct pkt_spec s = { .family = 4, .proto = 17, .saddr = "10.128.0.0",
				      .daddr = "10.199.0.2", .sport = 1024, .dport = 9,
				      .payload_len = 18, .smac = gen_mac, .dmac = other_mac };

		if (o.flood && !strcmp(o.flood, "syn")) {
			s.proto = 6;
			s.tcp_flags = 0x02;
			s.window = 1024;
			s.payload_len = 0;
		}
		frame_len = pkt_build(&s, frame, sizeof(frame));
		if (!frame_len)
			die("cannot build the frame");
		/* UDP checksum 0 (none): the generator rewrites the port. (A
		 * TCP checksum stays wrong: nothing on the path checks it.) */
		if (s.proto == 17)
			frame[14 + 20 + 6] = frame[14 + 20 + 7] = 0;
	}

	gen_obj = livegen_bpf__open_and_load();
	if (!gen_obj)
		die("cannot load the generator's BPF object: %s", strerror(errno));
	gen_prog = bpf_program__fd(gen_obj->progs.gen_tx);
	gen_map_fd = bpf_map__fd(gen_obj->maps.gen_state);
	/* Keep gen_tx in the XDP dispatcher (see livegen.bpf.c). */
	if (setns(gen_ns, CLONE_NEWNET))
		die("cannot enter %s", o.gen_netns);
	{
		LIBBPF_OPTS(bpf_link_create_opts, lo, .flags = XDP_FLAGS_SKB_MODE);
		int lo_ifindex = if_nametoindex("lo");

		gen_lo_link = lo_ifindex ? bpf_link_create(gen_prog, lo_ifindex, BPF_XDP, &lo) : -1;
		if (gen_lo_link < 0)
			fprintf(stderr, "livegen: cannot attach the generator to lo (%s); "
				"each test run will wait for an RCU grace period\n", strerror(errno));
	}
	if (setns(rx_ns, CLONE_NEWNET))
		die("cannot go back to the receiver's namespace");
	pass_obj = empty_bpf__open_and_load();
	if (!pass_obj)
		die("cannot load the empty BPF object: %s", strerror(errno));
	pass_prog = bpf_program__fd(pass_obj->progs.bench_pass);

	for (int fi = 0; fi < o.n_flows && !stop; fi++) {
		for (int run = 0, rx_retries = 0; run < o.runs && !stop; run++) {
			struct gen_state g = { .n_flows = o.flows[fi], .ifindex = gen_ifindex,
					       .gap_fp = o.rate > 0 ? (__u64)(1e9 * 1024 / o.rate) : 0,
					       .est_every = o.flood ? o.est_every : 0,
					       .flood_port = FLOOD_PORT, .est_port = EST_PORT };
			struct receiver r;
			struct snap a, b;
			__u32 zero = 0;
			bool noisy;

			if (bpf_map_update_elem(gen_map_fd, &zero, &g, BPF_ANY))
				die("cannot configure the generator");
			receiver_up(&r, o.flows[fi]);
			pin_self(o.gen_cpu);
			if (!o.no_rt)
				self_rt(true);
			if (setns(gen_ns, CLONE_NEWNET))
				die("cannot enter the generator's namespace");
			generate(ff_mono_s() + o.warmup);
			if (o.stats)
				stats_set(true);
			snapshot(&r, &a);
			generate(a.t + o.duration);
			snapshot(&r, &b);
			self_rt(false);
			if (o.stats)
				stats_set(false);
			if (setns(rx_ns, CLONE_NEWNET))
				die("cannot go back to the receiver's namespace");
			/* Another process took a good part of the receiving core:
			 * not a measurement of the receiver. Say so, and run it
			 * again (at most twice per run; then it is kept, marked). */
			noisy = !stop && o.hook != RX_EXTERNAL && o.rate == 0 &&
				napi_share(&a, &b) < 0.85;
			if (noisy && rx_retries < 2) {
				report(&r, o.flows[fi], run, &a, &b, true, false);
				receiver_down(&r);
				rx_retries++;
				run--;
				continue;
			}
			rx_retries = 0;
			if (!stop)
				report(&r, o.flows[fi], run, &a, &b, false, noisy);
			receiver_down(&r);
		}
	}
	stats_set(false);
	if (gen_lo_link >= 0)
		close(gen_lo_link);
	livegen_bpf__destroy(gen_obj);
	empty_bpf__destroy(pass_obj);
	if (o.model_path || o.flood)
		ff_model_free(&model);
	if (out != stdout)
		fclose(out);
	return stop ? 1 : 0;
}
