// SPDX-License-Identifier: MIT
/*
 * flowforest in the systems operators already run:
 *  - IPFIX: the encoder and reader, the rules of when a record is due, UDP
 *    template refresh, TCP; a real collector (nfcapd, read back with nfdump;
 *    pmacct's nfacctd for forwardingStatus) fed by `extract` from a capture
 *    and by `run` on real traffic between two network namespaces;
 *  - EVE: alerts checked against field types written from Suricata's docs
 *    (tests/data/eve-alert-types.json);
 *  - run --config: the settings file;
 *  - the Debian package and the systemd unit: make deb, dpkg -i,
 *    --version, model validate, systemd-analyze verify, dpkg --purge.
 * Tests that need root or a tool skip with the reason. Runs from the
 * repository root (tests/run.sh does that).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <json-c/json.h>
#include <pcap/pcap.h>

#include "config.h"
#include "eve.h"
#include "export.h"
#include "ipfix.h"
#include "pkt.h"

#define FF "./flowforest"
#define MODEL "lab/models/handwritten.json"
#define CLS_BENIGN 0
#define CLS_UDP_PROBE 1
#define CLS_PING_FLOOD 2

static char tmpdir[64];

/* ---- helpers ------------------------------------------------------------- */

static void tpath(char *buf, size_t len, const char *name)
{
	snprintf(buf, len, "%s/%s", tmpdir, name);
}

/* Run a shell command with bash, bounded in time; its exit status (-1 if
 * killed by a signal). */
static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	pid_t pid;
	int st;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	fflush(NULL);
	pid = fork();
	if (pid == 0) {
		execlp("timeout", "timeout", "-k", "2", "60", "bash", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) != pid)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *s;
	long n;

	if (!f)
		return strdup("");
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	fseek(f, 0, SEEK_SET);
	s = calloc(1, n + 1);
	if (fread(s, 1, n, f) != (size_t)n)
		s[0] = 0;
	fclose(f);
	return s;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static bool have(const char *tool)
{
	return sh("command -v %s >/dev/null", tool) == 0;
}

static void need_root_and(const char *tool)
{
	if (geteuid() != 0) {
		print_message("[ SKIP    ] needs root\n");
		skip();
	}
	if (tool && !have(tool)) {
		print_message("[ SKIP    ] %s is not installed (scripts/install-deps.sh)\n", tool);
		skip();
	}
	if (access(FF, X_OK)) {
		print_message("[ SKIP    ] %s is not built\n", FF);
		skip();
	}
}

/* A UDP socket on 127.0.0.1 and a free port. */
static int udp_listener(int *port)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	assert_true(fd >= 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(getsockname(fd, (struct sockaddr *)&a, &al), 0);
	*port = ntohs(a.sin_port);
	return fd;
}

static int free_udp_port(void)
{
	int port, fd = udp_listener(&port);

	close(fd);
	return port;
}

/* Records read back from messages. */
struct got {
	struct ff_flow_rec r[256];
	int n;
	int messages, with_templates;
	struct ff_ipfix_reader rd;
};

static void on_rec(void *ctx, const struct ff_flow_rec *r, __u32 domain)
{
	struct got *g = ctx;

	(void)domain;
	if (g->n < (int)FF_ARRAY_SIZE(g->r))
		g->r[g->n++] = *r;
}

static void read_msg(struct got *g, const __u8 *buf, size_t len)
{
	char err[256];

	g->messages++;
	if (len > 20 && buf[16] == 0 && buf[17] == 2)	/* first set: templates */
		g->with_templates++;
	if (ff_ipfix_read(&g->rd, buf, len, on_rec, g, err, sizeof(err)) < 0)
		fail_msg("our own message does not read back: %s", err);
}

/* Every datagram waiting on `fd`. */
static void drain_udp(int fd, struct got *g)
{
	__u8 buf[65536];
	struct pollfd p = { fd, POLLIN };

	while (poll(&p, 1, 200) > 0) {
		ssize_t n = recv(fd, buf, sizeof(buf), 0);

		if (n <= 0)
			break;
		read_msg(g, buf, n);
	}
}

static void key4(struct ff_flow_key *k, const char *a, int pa, const char *b, int pb, int proto)
{
	memset(k, 0, sizeof(*k));
	k->family = 4;
	k->proto = proto;
	inet_pton(AF_INET, a, k->addr_a);
	inet_pton(AF_INET, b, k->addr_b);
	k->port_a = pa;
	k->port_b = pb;
}

static void flow_counts(struct ff_flow *f, __u64 p0, __u64 b0, __u64 p1, __u64 b1, __u64 last)
{
	f->dir[0].pkts = p0;
	f->dir[0].wire_bytes = b0;
	f->dir[1].pkts = p1;
	f->dir[1].wire_bytes = b1;
	f->last_us = last;
}

static int setup(void **state)
{
	(void)state;
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/ff-fleet-%d", (int)getpid());
	mkdir(tmpdir, 0700);
	return 0;
}

/* Collectors a failed test left running (each test kills its own on
 * success): every pid file in tmpdir names one; `timeout` leads its own
 * process group, so the group goes too. */
static int teardown(void **state)
{
	(void)state;
	sh("for f in %s/*.pid; do [ -s \"$f\" ] || continue; p=$(cat \"$f\");"
	   " kill -9 -- -$p $p 2>/dev/null; done; true", tmpdir);
	sh("rm -rf %s", tmpdir);
	return 0;
}

/* ---- 1. IPFIX encoding ------------------------------------------------------ */

static struct ff_flow_rec sample_rec(int family, __u8 reason, const char *cls_name)
{
	struct ff_flow_rec r;
	int i;

	memset(&r, 0, sizeof(r));
	r.family = family;
	r.proto = 6;
	for (i = 0; i < 16; i++) {
		r.src[i] = family == 4 && i >= 4 ? 0 : 10 + i;
		r.dst[i] = family == 4 && i >= 4 ? 0 : 200 - i;
	}
	r.sport = 40000;
	r.dport = 443;
	r.start_ms = 1795999331951ULL;
	r.end_ms = r.start_ms + 4321;
	r.pkts = 12;
	r.bytes = 3456;
	r.rpkts = 7;
	r.rbytes = 890123;
	r.tcp_flags = 0x1b;
	r.reason = reason;
	r.action = FF_ACT_DROP;
	r.cls = 2;
	r.score = 875;
	r.model_gen = 3;
	snprintf(r.class_name, sizeof(r.class_name), "%s", cls_name);
	return r;
}

static void fleet_ipfix_roundtrip(void **state)
{
	struct ff_flow_rec in[3] = {
		sample_rec(4, FF_REC_IDLE, "ping_flood"),
		sample_rec(6, FF_REC_EVICTED, "syn_flood_with_a_long_name"),
		sample_rec(4, FF_REC_CHANGED, "udp_probe"),
	};
	static struct ff_ipfix_msg m;
	static struct got g;
	size_t len;
	int i;

	(void)state;
	memset(&g, 0, sizeof(g));
	ff_ipfix_msg_begin(&m, FF_IPFIX_PEN_DEFAULT, true);
	for (i = 0; i < 3; i++)
		assert_int_equal(ff_ipfix_msg_add(&m, &in[i]), 0);
	len = ff_ipfix_msg_end(&m, 1795999339, 41, 7);
	assert_int_equal(m.buf[0] << 8 | m.buf[1], 10);
	assert_int_equal(m.buf[2] << 8 | m.buf[3], len);
	read_msg(&g, m.buf, len);
	assert_int_equal(g.n, 3);
	assert_int_equal(g.with_templates, 1);
	for (i = 0; i < 3; i++) {
		const struct ff_flow_rec *a = &in[i], *b = &g.r[i];

		assert_int_equal(b->family, a->family);
		assert_memory_equal(b->src, a->src, a->family == 4 ? 4 : 16);
		assert_memory_equal(b->dst, a->dst, a->family == 4 ? 4 : 16);
		assert_int_equal(b->sport, a->sport);
		assert_int_equal(b->dport, a->dport);
		assert_int_equal(b->proto, a->proto);
		assert_int_equal(b->start_ms, a->start_ms);
		assert_int_equal(b->end_ms, a->end_ms);
		assert_int_equal(b->pkts, a->pkts);
		assert_int_equal(b->bytes, a->bytes);
		assert_int_equal(b->rpkts, a->rpkts);
		assert_int_equal(b->rbytes, a->rbytes);
		assert_int_equal(b->tcp_flags, a->tcp_flags);
		assert_int_equal(b->reason, a->reason);
		assert_int_equal(b->cls, a->cls);
		assert_int_equal(b->score, a->score);
		assert_int_equal(b->model_gen, a->model_gen);
		assert_int_equal(b->action, a->action);
		assert_string_equal(b->class_name, a->class_name);
	}
	/* The denied flow is denied in the standard elements too. */
	assert_int_equal(ff_ipfix_fw_event(&in[0]), FF_FW_EVENT_DENIED);
	assert_int_equal(ff_ipfix_fwd_status(&in[0]), FF_FWD_DROPPED);
	in[0].action = FF_ACT_PASS;
	assert_int_equal(ff_ipfix_fw_event(&in[0]), FF_FW_EVENT_DELETED);
	assert_int_equal(ff_ipfix_fwd_status(&in[0]), FF_FWD_FORWARDED);
}

/* A message never outgrows a datagram; malformed input is refused with a
 * reason, never read past its end. */
static void fleet_ipfix_bounds(void **state)
{
	struct ff_flow_rec r = sample_rec(6, FF_REC_IDLE, "x");
	static struct ff_ipfix_msg m;
	struct ff_ipfix_reader rd;
	char err[256];
	size_t len;
	int n = 0, k;

	(void)state;
	ff_ipfix_msg_begin(&m, 1234, true);
	while (ff_ipfix_msg_add(&m, &r) == 0)
		n++;
	len = ff_ipfix_msg_end(&m, 1, 0, 0);
	assert_true(len <= FF_IPFIX_MSG_MAX);
	assert_true(n > 5);
	memset(&rd, 0, sizeof(rd));
	assert_int_equal(ff_ipfix_read(&rd, m.buf, len, NULL, NULL, err, sizeof(err)), n);
	for (k = 1; k < 40; k++) {	/* cut anywhere: an error, not a crash */
		memset(&rd, 0, sizeof(rd));
		m.buf[2] = (len - k * 7) >> 8;
		m.buf[3] = (len - k * 7) & 0xff;
		assert_int_equal(ff_ipfix_read(&rd, m.buf, len - k * 7, NULL, NULL, err,
					       sizeof(err)), -1);
		assert_true(err[0] != 0);
	}
	memset(&rd, 0, sizeof(rd));
	assert_int_equal(ff_ipfix_read(&rd, (const __u8 *)"\0\x09\0\x10", 4, NULL, NULL, err,
				       sizeof(err)), -1);
}

/* ---- 2. when records are due ------------------------------------------------ */

static struct ff_exporter *open_udp_exporter(int port, double refresh)
{
	struct ff_export_opts o = {};
	static const char names[3][FF_NAME_MAX] = { "benign", "udp_probe", "ping_flood" };
	static char target[64];
	struct ff_exporter *x;
	char err[256];

	snprintf(target, sizeof(target), "udp://127.0.0.1:%d", port);
	o.ipfix = target;
	o.pen = FF_IPFIX_PEN_DEFAULT;
	o.domain = 9;
	o.template_refresh = refresh;
	o.active_timeout_us = 5000000;
	o.idle_timeout_us = 10000000;
	o.wall_offset_us = 1700000000000000LL;
	o.class_names = names;
	o.n_classes = 3;
	x = ff_export_open(&o, err, sizeof(err));
	if (!x)
		fail_msg("%s", err);
	return x;
}

static void fleet_export_rules(void **state)
{
	static struct got g;
	struct ff_flow_key k1, k2, k3;
	struct ff_flow f1 = {}, f2 = {}, f3 = {};
	struct ff_exporter *x;
	struct ff_event e;
	int port, fd, i;
	__u64 p = 0, b = 0;

	(void)state;
	memset(&g, 0, sizeof(g));
	fd = udp_listener(&port);
	x = open_udp_exporter(port, 60);

	/* f1: a long dropped flow: active timeout, then idle */
	key4(&k1, "10.0.0.1", 40000, "10.0.0.2", 80, 6);
	f1.first_us = 1000000;
	f1.cls = CLS_UDP_PROBE;
	f1.action = FF_ACT_DROP;
	f1.flags[1] = 1;
	flow_counts(&f1, 3, 300, 2, 200, 1500000);
	ff_export_flow(x, &k1, &f1, 1500000, false);		/* nothing due */
	flow_counts(&f1, 5, 500, 2, 200, 7000000);
	ff_export_flow(x, &k1, &f1, 7000000, false);		/* active timeout */
	flow_counts(&f1, 6, 600, 2, 200, 8000000);
	ff_export_flow(x, &k1, &f1, 9000000, false);		/* not yet due again */
	ff_export_flow(x, &k1, &f1, 20000000, false);		/* idle */
	ff_export_event_fill(&e, &k1, &f1, f1.cls, 21000000, FF_EV_ENDED);
	ff_export_event(x, &e);					/* already reported */

	/* f2: a verdict change, then evicted with more packets */
	key4(&k2, "10.0.0.3", 5000, "10.0.0.4", 9999, 17);
	f2.first_us = 2000000;
	f2.cls = CLS_UDP_PROBE;
	f2.action = FF_ACT_DROP;
	flow_counts(&f2, 4, 400, 0, 0, 2100000);
	ff_export_event_fill(&e, &k2, &f2, CLS_BENIGN, 2100000, FF_EV_CHANGED);
	ff_export_event(x, &e);
	flow_counts(&f2, 9, 900, 1, 50, 2200000);
	ff_export_event_fill(&e, &k2, &f2, f2.cls, 2300000, FF_EV_EVICTED);
	ff_export_event(x, &e);

	/* f3: seen by one scan, gone by the next without an event */
	key4(&k3, "10.0.0.5", 1, "10.0.0.6", 2, 17);
	f3.first_us = 3000000;
	f3.cls = FF_CLASS_NONE;
	flow_counts(&f3, 1, 60, 0, 0, 3000000);
	ff_export_scan_begin(x, false);
	ff_export_flow(x, &k3, &f3, 3100000, false);
	ff_export_scan_end(x);
	ff_export_scan_begin(x, false);
	ff_export_scan_end(x);
	ff_export_flush(x);
	drain_udp(fd, &g);

	assert_int_equal(g.n, 5);
	/* f1 active: everything so far */
	assert_int_equal(g.r[0].reason, FF_REC_ACTIVE);
	assert_int_equal(g.r[0].pkts, 5);
	assert_int_equal(g.r[0].bytes, 500);
	assert_int_equal(g.r[0].rpkts, 2);
	assert_int_equal(g.r[0].rbytes, 200);
	assert_int_equal(g.r[0].tcp_flags, 0x02);
	assert_string_equal(g.r[0].class_name, "udp_probe");
	assert_int_equal(g.r[0].start_ms, (1700000000000000ULL + 1000000) / 1000);
	/* f1 idle: the rest only */
	assert_int_equal(g.r[1].reason, FF_REC_IDLE);
	assert_int_equal(g.r[1].pkts, 1);
	assert_int_equal(g.r[1].bytes, 100);
	assert_int_equal(g.r[1].rpkts, 0);
	/* f2: the change (interim), then the rest at eviction */
	assert_int_equal(g.r[2].reason, FF_REC_CHANGED);
	assert_int_equal(g.r[2].pkts, 4);
	assert_int_equal(g.r[3].reason, FF_REC_EVICTED);
	assert_int_equal(g.r[3].pkts, 5);
	assert_int_equal(g.r[3].bytes, 500);
	assert_int_equal(g.r[3].rpkts, 1);
	assert_int_equal(g.r[3].rbytes, 50);
	/* f3: vanished, reported as evicted, undecided */
	assert_int_equal(g.r[4].reason, FF_REC_EVICTED);
	assert_int_equal(g.r[4].pkts, 1);
	assert_int_equal(g.r[4].cls, FF_CLASS_NONE);
	assert_string_equal(g.r[4].class_name, "");
	/* nothing counted twice, nothing lost */
	for (i = 0; i < g.n; i++) {
		p += g.r[i].pkts + g.r[i].rpkts;
		b += g.r[i].bytes + g.r[i].rbytes;
	}
	assert_int_equal(p, 8 + 10 + 1);
	assert_int_equal(b, 800 + 950 + 60);
	assert_int_equal(g.rd.seq_errors, 0);
	ff_export_close(x);
	close(fd);
}

/* --ipfix-aggregate: a flood of dropped single-packet flows from spoofed
 * sources is one record per class and destination; other flows are not
 * folded; nothing is lost in the sums. */
static void fleet_export_aggregate(void **state)
{
	static struct got g;
	struct ff_export_opts o = {};
	static const char names[3][FF_NAME_MAX] = { "benign", "udp_probe", "ping_flood" };
	struct ff_flow_key k;
	struct ff_flow f = {};
	struct ff_exporter *x;
	struct ff_event e;
	char target[64], err[256], src[32];
	__u64 p = 0, flows = 0;
	int port, fd, i, agg = 0;

	(void)state;
	memset(&g, 0, sizeof(g));
	fd = udp_listener(&port);
	snprintf(target, sizeof(target), "127.0.0.1:%d", port);
	o.ipfix = target;
	o.pen = FF_IPFIX_PEN_DEFAULT;
	o.active_timeout_us = 60000000;
	o.idle_timeout_us = 10000000;
	o.aggregate = true;
	o.class_names = names;
	o.n_classes = 3;
	x = ff_export_open(&o, err, sizeof(err));
	if (!x)
		fail_msg("%s", err);
	for (i = 0; i < 1000; i++) {	/* the flood: evicted one by one */
		snprintf(src, sizeof(src), "10.%d.%d.%d", 100 + i / 65536, (i / 256) % 256, i % 256);
		key4(&k, src, 1024 + i, "10.9.0.2", 9999, 17);
		memset(&f, 0, sizeof(f));
		f.first_us = f.last_us = 1000 + i;
		f.cls = CLS_UDP_PROBE;
		f.action = FF_ACT_DROP;
		flow_counts(&f, 1, 48, 0, 0, 1000 + i);
		ff_export_event_fill(&e, &k, &f, f.cls, 2000 + i, FF_EV_EVICTED);
		ff_export_event(x, &e);
	}
	key4(&k, "10.9.0.7", 1, "10.9.0.3", 9999, 17);	/* another destination */
	ff_export_event_fill(&e, &k, &f, f.cls, 5000, FF_EV_EVICTED);
	ff_export_event(x, &e);
	key4(&k, "10.9.0.7", 2, "10.9.0.2", 80, 6);	/* a benign flow: on its own */
	f.cls = CLS_BENIGN;
	f.action = FF_ACT_PASS;
	ff_export_event_fill(&e, &k, &f, f.cls, 5000, FF_EV_EVICTED);
	ff_export_event(x, &e);
	ff_export_finish(x);
	drain_udp(fd, &g);
	assert_int_equal(g.n, 3);
	for (i = 0; i < g.n; i++) {
		p += g.r[i].pkts;
		flows += g.r[i].flows;
		if (g.r[i].flows > 1) {
			agg++;
			assert_int_equal(g.r[i].flows, 1000);
			assert_int_equal(g.r[i].pkts, 1000);
			assert_int_equal(g.r[i].bytes, 48000);
			assert_int_equal(g.r[i].dport, 9999);
			assert_int_equal(g.r[i].sport, 0);
			assert_int_equal(g.r[i].src[0], 0);
			assert_int_equal(g.r[i].reason, FF_REC_FORCED);
			assert_string_equal(g.r[i].class_name, "udp_probe");
		}
	}
	assert_int_equal(agg, 1);
	assert_int_equal(p, 1002);
	assert_int_equal(flows, 1002);
	assert_int_equal(ff_export_stats(x)->aggregated, 1001);
	ff_export_close(x);
	close(fd);
}

/* A takeover learns what the previous agent reported: no record for it. */
static void fleet_export_takeover_baseline(void **state)
{
	static struct got g;
	struct ff_flow_key k;
	struct ff_flow f = {};
	struct ff_exporter *x;
	int port, fd;

	(void)state;
	memset(&g, 0, sizeof(g));
	fd = udp_listener(&port);
	x = open_udp_exporter(port, 60);
	key4(&k, "10.1.0.1", 1000, "10.1.0.2", 22, 6);
	f.first_us = 1000000;
	f.cls = CLS_BENIGN;
	flow_counts(&f, 50, 5000, 40, 40000, 1000000);
	ff_export_scan_begin(x, true);
	ff_export_flow(x, &k, &f, 1000000, false);
	ff_export_scan_end(x);
	flow_counts(&f, 53, 5300, 41, 41000, 2000000);
	ff_export_flow(x, &k, &f, 2000000, true);
	ff_export_flush(x);
	drain_udp(fd, &g);
	assert_int_equal(g.n, 1);
	assert_int_equal(g.r[0].reason, FF_REC_FORCED);
	assert_int_equal(g.r[0].pkts, 3);
	assert_int_equal(g.r[0].rpkts, 1);
	assert_int_equal(g.r[0].rbytes, 1000);
	ff_export_close(x);
	close(fd);
}

/* UDP: templates in the first message and again after template_refresh
 * (RFC 7011, 8.4), not in between. */
static void fleet_export_udp_template_refresh(void **state)
{
	static struct got g;
	struct ff_flow_key k;
	struct ff_flow f = {};
	struct ff_exporter *x;
	struct ff_event e;
	struct timespec ts = { 1, 100000000 };
	int port, fd;

	(void)state;
	memset(&g, 0, sizeof(g));
	fd = udp_listener(&port);
	x = open_udp_exporter(port, 1);
	key4(&k, "10.2.0.1", 1, "10.2.0.2", 2, 17);
	f.first_us = 1;
	f.cls = CLS_UDP_PROBE;
	flow_counts(&f, 1, 40, 0, 0, 1);
	ff_export_event_fill(&e, &k, &f, CLS_BENIGN, 1, FF_EV_CHANGED);
	ff_export_event(x, &e);
	ff_export_flush(x);
	ff_export_event(x, &e);
	ff_export_flush(x);
	nanosleep(&ts, NULL);
	ff_export_event(x, &e);
	ff_export_flush(x);
	drain_udp(fd, &g);
	assert_int_equal(g.messages, 3);
	assert_int_equal(g.with_templates, 2);
	assert_int_equal(g.n, 3);
	ff_export_close(x);
	close(fd);
}

/* TCP: a stream of messages, templates once at the start. */
static void fleet_export_tcp(void **state)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t al = sizeof(a);
	struct ff_export_opts o = {};
	static struct got g;
	static __u8 buf[1 << 16];
	struct ff_flow_key k;
	struct ff_flow f = {};
	struct ff_exporter *x;
	struct ff_event e;
	char target[64], err[256];
	size_t have = 0, off = 0;
	int ls, cs, i;

	(void)state;
	memset(&g, 0, sizeof(g));
	ls = socket(AF_INET, SOCK_STREAM, 0);
	assert_int_equal(bind(ls, (struct sockaddr *)&a, sizeof(a)), 0);
	assert_int_equal(listen(ls, 1), 0);
	getsockname(ls, (struct sockaddr *)&a, &al);
	snprintf(target, sizeof(target), "tcp://127.0.0.1:%d", ntohs(a.sin_port));
	o.ipfix = target;
	o.pen = 4242;
	o.idle_timeout_us = 1000000;
	x = ff_export_open(&o, err, sizeof(err));
	if (!x)
		fail_msg("%s", err);
	cs = accept(ls, NULL, NULL);
	assert_true(cs >= 0);
	key4(&k, "10.3.0.1", 1, "10.3.0.2", 2, 17);
	for (i = 0; i < 200; i++) {	/* several messages' worth */
		k.port_a = 1000 + i;
		f.first_us = 5;
		f.cls = FF_CLASS_NONE;
		flow_counts(&f, 2, 100, 1, 70, 5);
		ff_export_flow(x, &k, &f, 5, true);
	}
	ff_export_event_fill(&e, &k, &f, 0, 6, FF_EV_CHANGED);
	ff_export_close(x);
	for (;;) {
		ssize_t n = recv(cs, buf + have, sizeof(buf) - have, 0);

		if (n <= 0)
			break;
		have += n;
	}
	while (have - off >= 4) {
		size_t len = buf[off + 2] << 8 | buf[off + 3];

		assert_true(len >= 16 && off + len <= have);
		read_msg(&g, buf + off, len);
		off += len;
	}
	assert_int_equal(off, have);
	assert_true(g.messages > 1);
	assert_int_equal(g.with_templates, 1);
	assert_int_equal(g.n, 200);
	assert_int_equal(g.r[199].sport, 1199);
	assert_int_equal(g.r[199].rbytes, 70);
	close(cs);
	close(ls);
}

/* ---- 3. EVE ------------------------------------------------------------------ */

static bool is_timestamp(const char *s)
{
	int y, mo, d, h, mi, sec, us, tz;
	char sign;

	/* 2026-11-30T01:02:03.123456+0000 */
	return strlen(s) == 31 &&
	       sscanf(s, "%4d-%2d-%2dT%2d:%2d:%2d.%6d%c%4d", &y, &mo, &d, &h, &mi, &sec, &us, &sign,
		      &tz) == 9 && (sign == '+' || sign == '-');
}

/* The value at a dotted path, or NULL. */
static json_object *at_path(json_object *o, const char *path)
{
	char buf[128], *tok, *save = NULL;

	snprintf(buf, sizeof(buf), "%s", path);
	for (tok = strtok_r(buf, ".", &save); tok && o; tok = strtok_r(NULL, ".", &save))
		if (!json_object_object_get_ex(o, tok, &o))
			return NULL;
	return o;
}

/* NULL if `rec` has the types of tests/data/eve-alert-types.json, else the
 * first field that does not (static). */
static const char *eve_check(json_object *rec, json_object *types)
{
	static char bad[160];
	json_object *fields;

	assert_true(json_object_object_get_ex(types, "fields", &fields));
	json_object_object_foreach(fields, path, tv) {
		const char *t = json_object_get_string(tv);
		size_t tl = strlen(t);
		bool opt = tl && t[tl - 1] == '?';
		json_object *v = at_path(rec, path);
		char type[64];
		bool ok;

		snprintf(type, sizeof(type), "%.*s", (int)(opt ? tl - 1 : tl), t);
		if (!v) {
			if (opt)
				continue;
			snprintf(bad, sizeof(bad), "%s missing", path);
			return bad;
		}
		if (!strcmp(type, "string"))
			ok = json_object_is_type(v, json_type_string);
		else if (!strcmp(type, "integer"))
			ok = json_object_is_type(v, json_type_int) && json_object_get_int64(v) >= 0;
		else if (!strcmp(type, "port"))
			ok = json_object_is_type(v, json_type_int) && json_object_get_int(v) >= 0 &&
			     json_object_get_int(v) <= 65535;
		else if (!strcmp(type, "severity"))
			ok = json_object_is_type(v, json_type_int) && json_object_get_int(v) >= 1 &&
			     json_object_get_int(v) <= 3;
		else if (!strcmp(type, "object"))
			ok = json_object_is_type(v, json_type_object);
		else if (!strcmp(type, "timestamp"))
			ok = json_object_is_type(v, json_type_string) &&
			     is_timestamp(json_object_get_string(v));
		else if (!strcmp(type, "ip")) {
			__u8 a[16];
			const char *s = json_object_get_string(v);

			ok = json_object_is_type(v, json_type_string) &&
			     (inet_pton(AF_INET, s, a) == 1 || inet_pton(AF_INET6, s, a) == 1);
		} else {	/* one|two|three */
			char alts[128], *tok, *save = NULL;
			const char *s = json_object_get_string(v);

			snprintf(alts, sizeof(alts), "%s", type);
			ok = false;
			for (tok = strtok_r(alts, "|", &save); tok; tok = strtok_r(NULL, "|", &save))
				ok |= json_object_is_type(v, json_type_string) && !strcmp(s, tok);
		}
		if (!ok) {
			snprintf(bad, sizeof(bad), "%s is not %s: %s", path, t,
				 json_object_to_json_string(v));
			return bad;
		}
	}
	return NULL;
}

static void fleet_eve_alert_types(void **state)
{
	json_object *types = json_object_from_file("tests/data/eve-alert-types.json"), *rec, *v;
	struct ff_flow_key k;
	struct ff_flow f = {};
	struct ff_event e;
	char *buf = NULL, *line, *save = NULL;
	size_t len = 0;
	const char *why;
	FILE *mem;
	int n = 0;

	(void)state;
	assert_non_null(types);
	mem = open_memstream(&buf, &len);
	/* a dropped UDP flow (v4), an alerted TCP flow (v6), an ICMP flow */
	key4(&k, "10.4.0.2", 9999, "10.4.0.9", 5353, 17);
	f.first_us = 1000;
	f.initiator_is_b = 1;
	f.cls = CLS_UDP_PROBE;
	f.action = FF_ACT_DROP;
	f.score = 1000;
	flow_counts(&f, 3, 120, 1, 60, 2000);
	ff_export_event_fill(&e, &k, &f, FF_CLASS_NONE, 2000, FF_EV_CLASSIFIED);
	ff_eve_alert(mem, &e, "udp_probe", 1795999331000000LL, "eth0");
	memset(&k, 0, sizeof(k));
	k.family = 6;
	k.proto = 6;
	inet_pton(AF_INET6, "fd99::1", k.addr_a);
	inet_pton(AF_INET6, "fd99::2", k.addr_b);
	k.port_a = 40000;
	k.port_b = 22;
	f.initiator_is_b = 0;
	f.action = FF_ACT_ALERT;
	ff_export_event_fill(&e, &k, &f, CLS_BENIGN, 3000, FF_EV_CHANGED);
	ff_eve_alert(mem, &e, "ssh_bruteforce", 1795999331000000LL, NULL);
	key4(&k, "10.4.0.1", 7, "10.4.0.2", 7, 1);
	ff_export_event_fill(&e, &k, &f, CLS_BENIGN, 3000, FF_EV_CHANGED);
	ff_eve_alert(mem, &e, "ping_flood", 1795999331000000LL, NULL);
	fclose(mem);

	for (line = strtok_r(buf, "\n", &save); line; line = strtok_r(NULL, "\n", &save), n++) {
		rec = json_tokener_parse(line);
		assert_non_null(rec);
		why = eve_check(rec, types);
		if (why)
			fail_msg("EVE line %d: %s\n%s", n + 1, why, line);
		assert_string_equal(json_object_get_string(at_path(rec, "event_type")), "alert");
		if (n == 0) {	/* oriented from the initiator, counters per side */
			assert_string_equal(json_object_get_string(at_path(rec, "src_ip")), "10.4.0.9");
			assert_int_equal(json_object_get_int(at_path(rec, "src_port")), 5353);
			assert_string_equal(json_object_get_string(at_path(rec, "alert.action")), "blocked");
			assert_string_equal(json_object_get_string(at_path(rec, "alert.signature")), "udp_probe");
			assert_int_equal(json_object_get_int(at_path(rec, "alert.signature_id")),
					 FF_EVE_SID_BASE + CLS_UDP_PROBE);
			assert_string_equal(json_object_get_string(at_path(rec, "proto")), "UDP");
			assert_int_equal(json_object_get_int(at_path(rec, "flow.pkts_toserver")), 3);
			assert_int_equal(json_object_get_int(at_path(rec, "flow.pkts_toclient")), 1);
			assert_int_equal(json_object_get_int(at_path(rec, "flow.bytes_toclient")), 60);
			assert_string_equal(json_object_get_string(at_path(rec, "timestamp")),
					    "2026-11-30T00:42:11.002000+0000");
		}
		if (n == 1) {
			assert_string_equal(json_object_get_string(at_path(rec, "alert.action")), "allowed");
			assert_int_equal(json_object_get_int(at_path(rec, "alert.severity")), 1);
		}
		if (n == 2)	/* ICMP: no ports, as in Suricata */
			assert_null(at_path(rec, "src_port"));
		/* The checker can fail: a wrong type is caught. */
		json_object_object_add(rec, "flow_id", json_object_new_string("1"));
		assert_non_null(eve_check(rec, types));
		v = at_path(rec, "alert");
		json_object_object_add(v, "severity", json_object_new_int(4));
		json_object_put(rec);
	}
	assert_int_equal(n, 3);
	free(buf);
	json_object_put(types);
}

/* ---- 4. settings files -------------------------------------------------------- */

static void fleet_config_file(void **state)
{
	static const char text[] =
		"# a comment\n"
		"iface = eth0\n"
		"\n"
		"  model=\"/etc/flowforest/m.json\"  \n"
		"pin = yes   # trailing comment\n"
		"action = udp_probe=drop\n"
		"active_timeout = 30\n";
	struct ff_settings s;
	char err[256], path[256], *out;

	(void)state;
	assert_int_equal(ff_settings_parse(text, sizeof(text) - 1, "t.conf", &s, err, sizeof(err)), 0);
	assert_int_equal(s.n, 5);
	assert_string_equal(s.v[0].name, "iface");
	assert_string_equal(s.v[0].value, "eth0");
	assert_int_equal(s.v[0].line, 2);
	assert_string_equal(s.v[1].value, "/etc/flowforest/m.json");
	assert_string_equal(s.v[2].value, "yes");
	assert_string_equal(s.v[3].value, "udp_probe=drop");
	assert_string_equal(s.v[4].name, "active-timeout");
	ff_settings_free(&s);
	assert_int_equal(ff_settings_parse("a = \"x\n", 7, "t.conf", &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "t.conf:1"));
	assert_int_equal(ff_settings_parse("\n\nb c = 1\n", 9, "t.conf", &s, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "t.conf:3"));

	if (access(FF, X_OK)) {
		print_message("[ SKIP    ] the rest needs %s\n", FF);
		return;
	}
	/* Through `run`: names are run's long options, checked with the line. */
	tpath(path, sizeof(path), "bad.conf");
	write_file(path, "model = " MODEL "\n\nhokk = xdp\n");
	assert_int_equal(sh(FF " run --config %s --iface lo >%s/out 2>&1", path, tmpdir), 2);
	out = slurp(strcat(strcpy(err, tmpdir), "/out"));
	assert_non_null(strstr(out, "bad.conf:3: unknown setting 'hokk'"));
	free(out);
	write_file(path, "model = " MODEL "\npin = maybe\n");
	assert_int_equal(sh(FF " run --config %s --iface lo >%s/out 2>&1", path, tmpdir), 2);
	out = slurp(err);
	assert_non_null(strstr(out, "bad.conf:2: 'pin' is yes or no"));
	free(out);
	/* The values arrive, and the command line wins over the file. */
	tpath(path, sizeof(path), "good.conf");
	write_file(path, "iface = nosuchif0\nmodel = " MODEL "\nquiet = yes\n");
	assert_int_equal(sh(FF " run --config %s >%s/out 2>&1", path, tmpdir), 1);
	out = slurp(err);
	assert_non_null(strstr(out, "no such interface: nosuchif0"));
	free(out);
	assert_int_equal(sh(FF " run --config=%s --iface nosuchif1 >%s/out 2>&1", path, tmpdir), 1);
	out = slurp(err);
	assert_non_null(strstr(out, "no such interface: nosuchif1"));
	free(out);
	/* The shipped example is valid: every name is one of run's options. */
	assert_int_equal(sh(FF " run --config packaging/example.conf --iface nosuchif2 --model " MODEL
			    " >%s/out 2>&1", tmpdir), 1);
	out = slurp(err);
	assert_non_null(strstr(out, "nosuchif2"));
	free(out);
}

/* ---- 5. a real collector: extract over a capture ---------------------------- */

struct cap {
	pcap_dumper_t *d;
	uint64_t ts;
};

static void cap_add(struct cap *c, const struct pkt_spec *s, __u64 *pkts, __u64 *bytes)
{
	uint8_t buf[2048];
	size_t len = pkt_build(s, buf, sizeof(buf));
	struct pcap_pkthdr h = { .caplen = len, .len = len };

	c->ts += 1000;
	h.ts.tv_sec = 1795990000 + c->ts / 1000000;
	h.ts.tv_usec = c->ts % 1000000;
	pcap_dump((u_char *)c->d, &h, buf);
	*pkts += 1;
	*bytes += len - 14;	/* IP bytes: the frame without Ethernet */
}

/* nfdump's view, lines of "src|sport|dst|dport|proto|ipkt|ibyt|opkt|obyt":
 * the counters of the flow from `src` with protocol `proto` (and source
 * port `sport`, unless -1), added up over its records. */
static bool nfdump_flow(const char *dump, const char *src, int sport, int proto, __u64 *v)
{
	char *s = strdup(dump), *line, *save = NULL;
	bool found = false;
	int k;

	for (k = 0; k < 4; k++)
		v[k] = 0;
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		char a[64], b[64], dp[16];
		unsigned long long c[4];
		int sp, pr;

		if (sscanf(line, " %63[^|]| %d| %63[^|]| %15[^|]|%d |%llu|%llu|%llu|%llu", a, &sp, b,
			   dp, &pr, &c[0], &c[1], &c[2], &c[3]) != 9)
			continue;
		*strchrnul(a, ' ') = 0;
		if (strcmp(a, src) || pr != proto || (sport >= 0 && sp != sport))
			continue;
		found = true;
		for (k = 0; k < 4; k++)
			v[k] += c[k];
	}
	free(s);
	return found;
}

/* Packets and bytes of every flow nfdump shows, both directions. */
static void nfdump_totals(const char *dump, __u64 *pkts, __u64 *bytes)
{
	char *s = strdup(dump), *line, *save = NULL;

	*pkts = *bytes = 0;
	for (line = strtok_r(s, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		unsigned long long c[4];

		if (sscanf(line, "%*[^|]|%*[^|]|%*[^|]|%*[^|]|%*[^|]|%llu|%llu|%llu|%llu", &c[0], &c[1],
			   &c[2], &c[3]) == 4) {
			*pkts += c[0] + c[2];
			*bytes += c[1] + c[3];
		}
	}
	free(s);
}

static void expect_flow(const char *dump, const char *src, int sport, int proto, __u64 ip,
			__u64 ib, __u64 op, __u64 ob)
{
	__u64 v[4];

	if (!nfdump_flow(dump, src, sport, proto, v))
		fail_msg("nfdump shows no flow from %s port %d proto %d", src, sport, proto);
	assert_int_equal(v[0], ip);
	assert_int_equal(v[1], ib);
	assert_int_equal(v[2], op);
	assert_int_equal(v[3], ob);
}

static void fleet_collector_extract(void **state)
{
	char pcap_path[256], dir[256], *dump, *out;
	struct pkt_spec s;
	struct cap c = { 0 };
	pcap_t *dead;
	__u64 tp[3] = { 0 }, tb[3] = { 0 }, rp = 0, rb = 0, all_p = 0, all_b = 0;
	int i, port, aport;

	(void)state;
	need_root_and("nfcapd");
	tpath(pcap_path, sizeof(pcap_path), "fleet.pcap");
	dead = pcap_open_dead(DLT_EN10MB, 65535);
	c.d = pcap_dump_open(dead, pcap_path);
	assert_non_null(c.d);
	/* a benign TCP conversation: 4 packets each way */
	memset(&s, 0, sizeof(s));
	s.family = 4;
	s.proto = 6;
	for (i = 0; i < 8; i++) {
		bool fwd = i % 2 == 0;

		s.saddr = fwd ? "10.5.0.1" : "10.5.0.2";
		s.daddr = fwd ? "10.5.0.2" : "10.5.0.1";
		s.sport = fwd ? 41000 : 80;
		s.dport = fwd ? 80 : 41000;
		s.tcp_flags = i == 0 ? 0x02 : i == 1 ? 0x12 : 0x18;
		s.payload_len = fwd ? 100 : 1000;
		cap_add(&c, &s, fwd ? &tp[0] : &rp, fwd ? &tb[0] : &rb);
	}
	/* a UDP probe of port 9999: dropped by the model */
	memset(&s, 0, sizeof(s));
	s.family = 4;
	s.proto = 17;
	s.saddr = "10.5.0.7";
	s.daddr = "10.5.0.2";
	s.sport = 5555;
	s.dport = 9999;
	s.payload_len = 20;
	for (i = 0; i < 5; i++)
		cap_add(&c, &s, &tp[1], &tb[1]);
	/* a ping flood: more than 20 echo requests, dropped from the
	 * checkpoint at 32 packets on (an interim record for the change) */
	memset(&s, 0, sizeof(s));
	s.family = 4;
	s.proto = 1;
	s.saddr = "10.5.0.8";
	s.daddr = "10.5.0.2";
	s.icmp_type = 8;
	s.icmp_id = 77;
	s.payload_len = 56;
	for (i = 0; i < 40; i++) {
		s.icmp_seq = i;
		cap_add(&c, &s, &tp[2], &tb[2]);
	}
	pcap_dump_close(c.d);
	pcap_close(dead);
	all_p = tp[0] + rp + tp[1] + tp[2];
	all_b = tb[0] + rb + tb[1] + tb[2];

	tpath(dir, sizeof(dir), "nfcapd");
	mkdir(dir, 0700);
	port = free_udp_port();
	assert_int_equal(sh("nfcapd -w %s -p %d -b 127.0.0.1 -P %s/nfcapd.pid -D >/dev/null 2>&1",
			    dir, port, tmpdir), 0);
	usleep(300000);
	assert_int_equal(sh(FF " extract --pcap %s --model " MODEL " -o /dev/null "
			    "--ipfix 127.0.0.1:%d 2>%s/extract.err", pcap_path, port, tmpdir), 0);
	usleep(300000);
	sh("kill $(cat %s/nfcapd.pid); for i in $(seq 50); do [ -e %s/nfcapd.pid ] || break; sleep 0.1; done",
	   tmpdir, tmpdir);
	/* -R reads every file: nfcapd rotates on 5-minute boundaries, so a
	 * run that straddles one leaves an empty first file and the flows in
	 * the next. */
	assert_int_equal(sh("nfdump -R %s -q -N "
			    "-o \"fmt:%%sa|%%sp|%%da|%%dp|%%pr|%%ipkt|%%ibyt|%%opkt|%%obyt\" > %s/dump",
			    dir, tmpdir), 0);
	dump = slurp(strcat(strcpy(dir, tmpdir), "/dump"));
	print_message("[ fleet   ] nfdump:\n%s", dump);
	/* the same flows, packets and bytes, per direction */
	expect_flow(dump, "10.5.0.1", 41000, 6, tp[0], tb[0], rp, rb);
	expect_flow(dump, "10.5.0.7", 5555, 17, tp[1], tb[1], 0, 0);
	expect_flow(dump, "10.5.0.8", 0, 1, tp[2], tb[2], 0, 0);
	{
		__u64 p, b;

		nfdump_totals(dump, &p, &b);
		assert_int_equal(p, all_p);
		assert_int_equal(b, all_b);
	}
	out = slurp(strcat(strcpy(dir, tmpdir), "/extract.err"));
	assert_non_null(strstr(out, "exported 4 IPFIX records"));
	free(out);
	free(dump);

	/* Denied: forwardingStatus as pmacct's nfacctd decodes it (nfdump
	 * 1.7.1 does not keep forwardingStatus or firewallEvent from IPFIX). */
	if (!have("nfacctd")) {
		print_message("[ fleet   ] nfacctd not installed: denied flows not checked\n");
		return;
	}
	aport = free_udp_port();
	snprintf(dir, sizeof(dir), "%s/prims", tmpdir);
	write_file(dir, "name=fwd_status field_type=89 len=1 semantics=u_int\n");
	snprintf(dir, sizeof(dir), "%s/nfacctd.conf", tmpdir);
	{
		char conf[1024];

		snprintf(conf, sizeof(conf),
			 "daemonize: false\nnfacctd_ip: 127.0.0.1\nnfacctd_port: %d\n"
			 "aggregate_primitives: %s/prims\nplugins: print\n"
			 "aggregate: src_host, dst_host, src_port, dst_port, proto, fwd_status\n"
			 "print_output: csv\nprint_output_file: %s/acct.csv\nprint_refresh_time: 1\n",
			 aport, tmpdir, tmpdir);
		write_file(dir, conf);
	}
	sh("timeout -k 1 8 nfacctd -f %s >%s/nfacctd.log 2>&1 & echo $! > %s/nfacctd.pid", dir, tmpdir,
	   tmpdir);
	usleep(1500000);
	assert_int_equal(sh(FF " extract --pcap %s --model " MODEL " -o /dev/null -q "
			    "--ipfix 127.0.0.1:%d", pcap_path, aport), 0);
	for (i = 0; i < 50 && sh("grep -q 9999 %s/acct.csv 2>/dev/null", tmpdir); i++)
		usleep(100000);
	out = slurp(strcat(strcpy(dir, tmpdir), "/acct.csv"));
	print_message("[ fleet   ] nfacctd:\n%s", out);
	/* SRC,DST,SPORT,DPORT,PROTO,fwd_status,PACKETS,BYTES: dropped (128)
	 * and forwarded (64), the ping flood dropped after its change */
	assert_non_null(strstr(out, "10.5.0.7,10.5.0.2,5555,9999,udp,128,5,240"));
	assert_non_null(strstr(out, "10.5.0.1,10.5.0.2,41000,80,tcp,64,4,560"));
	assert_non_null(strstr(out, "10.5.0.8,10.5.0.2,0,0,icmp,128,"));
	free(out);
	sh("kill $(cat %s/nfacctd.pid) 2>/dev/null || true", tmpdir);
}

/* ---- 6. a real collector: run on live traffic between namespaces ------------ */

static void fleet_collector_run_netns(void **state)
{
	char script[4096], *out;
	int rc;

	(void)state;
	need_root_and("nfcapd");
	if (!have("ip")) {
		print_message("[ SKIP    ] no ip netns\n");
		skip();
	}
	/* Namespace b runs flowforest and a collector on its own loopback;
	 * a sends 3 pings (benign) and 5 UDP probes of port 9999 (dropped).
	 * XDP sees what arrives at b: the requests. The collector rotates its
	 * file every 2 s, as it does every 5 minutes in service, so the flows
	 * are read from all of them. */
	snprintf(script, sizeof(script),
		 "set -e; . lab/netns.sh; P=fl%d; D=%s; trap \"ff_lab_down $P\" EXIT;"
		 "ff_lab_up $P >/dev/null; A=$(ff_lab_ns $P a); B=$(ff_lab_ns $P b);"
		 "ip netns exec $B ip link set lo up; mkdir -p $D/nf2;"
		 "ip netns exec $B nfcapd -w $D/nf2 -p 4739 -b 127.0.0.1 -t 2 -P $D/nf2.pid -D >/dev/null 2>&1;"
		 "ip netns exec $B " FF " run --iface $(ff_lab_dev $P b) --model " MODEL
		 " --duration 4 --json --interval 0 --ipfix 127.0.0.1:4739 --eve $D/eve.json"
		 " >$D/events 2>$D/run.err & FFPID=$!;"
		 "for i in $(seq 50); do grep -q \"attached to\" $D/run.err && break; sleep 0.1; done;"
		 "ip netns exec $A ping -n -q -c 3 -i 0.2 -s 56 %s >/dev/null || true;"
		 "ip netns exec $A bash -c \"exec 3>/dev/udp/%s/9999; for i in 1 2 3 4 5; do echo -n 0123456789abcdefghij >&3; sleep 0.05; done\";"
		 "wait $FFPID; sleep 0.3; kill $(cat $D/nf2.pid);"
		 "for i in $(seq 50); do [ -e $D/nf2.pid ] || break; sleep 0.1; done;"
		 "nfdump -R $D/nf2 -q -N -o \"fmt:%%sa|%%sp|%%da|%%dp|%%pr|%%ipkt|%%ibyt|%%opkt|%%obyt\" > $D/dump2",
		 (int)getpid() % 100000, tmpdir, "10.199.0.2", "10.199.0.2");
	{
		char path[256];

		tpath(path, sizeof(path), "netns.sh");
		write_file(path, script);
		rc = sh("bash %s", path);
	}
	out = slurp(strcat(strcpy(script, tmpdir), "/run.err"));
	print_message("[ fleet   ] run stderr:\n%s", out);
	assert_int_equal(rc, 0);
	free(out);
	out = slurp(strcat(strcpy(script, tmpdir), "/dump2"));
	print_message("[ fleet   ] nfdump:\n%s", out);
	/* pings: 3 requests of 84 IP bytes; UDP: 5 datagrams of 20 + 8 + 20 */
	expect_flow(out, "10.199.0.1", 0, 1, 3, 3 * 84, 0, 0);
	expect_flow(out, "10.199.0.1", -1, 17, 5, 5 * 48, 0, 0);
	{	/* every packet the classifier tracked is in a record */
		char *err = slurp(strcat(strcpy(script, tmpdir), "/run.err")), *last = NULL, *l, *sv;
		json_object *c, *cp;
		__u64 p, b, tracked;

		for (l = strtok_r(err, "\n", &sv); l; l = strtok_r(NULL, "\n", &sv))
			if (l[0] == '{')
				last = l;
		assert_non_null(last);
		c = json_tokener_parse(last);
		assert_non_null(c);
		tracked = json_object_get_uint64(at_path(c, "unclassified_pkts"));
		json_object_object_foreach(at_path(c, "class_pkts"), name, v) {
			(void)name;
			tracked += json_object_get_uint64(v);
		}
		nfdump_totals(out, &p, &b);
		assert_int_equal(p, tracked);
		cp = at_path(c, "class_pkts.udp_probe");
		assert_int_equal(json_object_get_uint64(cp), 5);
		json_object_put(c);
		free(err);
	}
	free(out);
	/* the drop verdict became a Suricata alert */
	out = slurp(strcat(strcpy(script, tmpdir), "/eve.json"));
	assert_non_null(strstr(out, "\"signature\":\"udp_probe\""));
	assert_non_null(strstr(out, "\"action\":\"blocked\""));
	free(out);
}

/* What the unit does on `systemctl restart` and `systemctl reload`: the
 * agent of a pinned classifier stops (SIGTERM), a new one takes it over
 * (--pin --takeover) and reloads its model on SIGHUP, while a stream of
 * UDP probes keeps arriving; not one of them gets through. */
static void fleet_takeover_no_gap(void **state)
{
	char script[4096], path[256], *s1, *s2, *n;
	int rc;

	(void)state;
	need_root_and("nsenter");
	if (!have("python3")) {
		print_message("[ SKIP    ] needs python3\n");
		skip();
	}
	/* ip netns exec hides the BPF filesystem: pins need nsenter */
	snprintf(script, sizeof(script),
		 "set -e; . lab/netns.sh; P=ft%d; D=%s; ff_lab_up $P >/dev/null;"
		 "A=$(ff_lab_ns $P a); B=$(ff_lab_ns $P b); DEV=$(ff_lab_dev $P b); NS=/run/netns/$B;"
		 "trap \"nsenter --net=$NS " FF " stop --iface $DEV >/dev/null 2>&1; ff_lab_down $P\" EXIT;"
		 "ip netns exec $B python3 -c \"import socket; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM);"
		 " s.bind((\\\"10.199.0.2\\\", 9999)); s.settimeout(6); n=0\n"
		 "try:\n while True: s.recv(100); n+=1\nexcept Exception: pass\n"
		 "open(\\\"$D/received\\\", \\\"w\\\").write(str(n))\" & L=$!;"
		 "nsenter --net=$NS " FF " run --iface $DEV --model " MODEL " --pin --quiet >/dev/null 2>$D/run1.err & R1=$!;"
		 "for i in $(seq 50); do grep -q \"attached to\" $D/run1.err && break; sleep 0.1; done;"
		 "ip netns exec $A python3 -c \"import socket, time; s=socket.socket(socket.AF_INET, socket.SOCK_DGRAM)\n"
		 "for i in range(150): s.sendto(b\\\"probe-probe-probe\\\", (\\\"10.199.0.2\\\", 9999)); time.sleep(0.02)\" & S=$!;"
		 "sleep 0.5; kill -TERM $R1; wait $R1;"
		 "nsenter --net=$NS " FF " run --iface $DEV --model " MODEL " --pin --takeover --quiet >/dev/null 2>$D/run2.err & R2=$!;"
		 "for i in $(seq 50); do grep -q \"took over\" $D/run2.err && break; sleep 0.1; done;"
		 "kill -HUP $R2; for i in $(seq 50); do grep -q reloaded $D/run2.err && break; sleep 0.1; done;"
		 "wait $S; kill -TERM $R2; wait $R2; wait $L;"
		 "nsenter --net=$NS " FF " stats --iface $DEV --json > $D/stats.json",
		 (int)getpid() % 100000, tmpdir);
	tpath(path, sizeof(path), "takeover.sh");
	write_file(path, script);
	rc = sh("bash %s", path);
	s1 = slurp(strcat(strcpy(script, tmpdir), "/run1.err"));
	s2 = slurp(strcat(strcpy(script, tmpdir), "/run2.err"));
	print_message("[ fleet   ] first agent:\n%s[ fleet   ] second agent:\n%s", s1, s2);
	assert_int_equal(rc, 0);
	assert_non_null(strstr(s1, "pinned"));
	assert_non_null(strstr(s2, "took over the pinned classifier"));
	assert_non_null(strstr(s2, "reloaded " MODEL " (generation"));
	n = slurp(strcat(strcpy(script, tmpdir), "/received"));
	assert_string_equal(n, "0");	/* not one probe got through */
	free(n);
	n = slurp(strcat(strcpy(script, tmpdir), "/stats.json"));
	{
		json_object *o = json_tokener_parse(n);

		assert_non_null(o);
		assert_int_equal(json_object_get_uint64(at_path(o, "class_pkts.udp_probe")), 150);
		json_object_put(o);
	}
	free(n);
	free(s1);
	free(s2);
}

/* ---- 7. the Debian package and the systemd unit ------------------------------ */

static void fleet_deb_and_unit(void **state)
{
	char *out, path[256];

	(void)state;
	need_root_and("dpkg-deb");
	if (!have("help2man") || !have("systemd-analyze") || !have("dpkg-shlibdeps")) {
		print_message("[ SKIP    ] needs help2man, systemd-analyze, dpkg-shlibdeps\n");
		skip();
	}
	if (sh("dpkg-query -W -f=\"\\${Status}\" flowforest 2>/dev/null | grep -q installed") == 0) {
		print_message("[ SKIP    ] a flowforest package is installed already; not touching it\n");
		skip();
	}
	tpath(path, sizeof(path), "deb.out");
	assert_int_equal(sh("bash packaging/mkdeb.sh >%s 2>&1", path), 0);
	out = slurp(path);
	print_message("[ fleet   ] %s", out);
	assert_non_null(strstr(out, "build/flowforest_"));
	free(out);
	assert_int_equal(sh("dpkg-deb -f build/flowforest_*_$(dpkg --print-architecture).deb Depends"
			    " | grep -q libbpf1 && dpkg-deb -f build/flowforest_*.deb Depends | grep -q libpcap"),
			 0);
	assert_int_equal(sh("for i in 1 2 3 4 5; do dpkg -i build/flowforest_*_$(dpkg --print-architecture).deb"
			    " >%s/dpkg.out 2>&1 && exit 0; sleep 2; done; exit 1", tmpdir), 0);
	assert_int_equal(sh("/usr/bin/flowforest --version | grep -q \"^flowforest \""), 0);
	assert_int_equal(sh("/usr/bin/flowforest model validate /usr/share/flowforest/example-model.json"
			    " >/dev/null"), 0);
	assert_int_equal(sh("test -f /etc/flowforest/example.conf && man -w flowforest-run >/dev/null"), 0);
	/* the unit as installed: binary, man page and syntax */
	assert_int_equal(sh("systemd-analyze verify /lib/systemd/system/flowforest@lo.service"
			    " >%s/verify.out 2>&1", tmpdir), 0);
	/* ... and a broken unit fails the same check */
	assert_int_equal(sh("mkdir -p %s/units && sed s/ExecStart=/ExecStrat=/ "
			    "/lib/systemd/system/flowforest@.service > %s/units/flowforest@.service && "
			    "! systemd-analyze verify %s/units/flowforest@lo.service >/dev/null 2>&1",
			    tmpdir, tmpdir, tmpdir), 0);
	assert_int_equal(sh("for i in 1 2 3 4 5; do dpkg --purge flowforest >%s/purge.out 2>&1 && exit 0;"
			    " sleep 2; done; exit 1", tmpdir), 0);
	assert_int_equal(sh("! dpkg-query -W flowforest >/dev/null 2>&1 && ! test -e /usr/bin/flowforest"
			    " && ! test -e /etc/flowforest && ! test -e /usr/share/flowforest && "
			    "! test -e /lib/systemd/system/flowforest@.service && "
			    "! test -e /usr/share/doc/flowforest && ! ls /usr/share/man/man1/flowforest* 2>/dev/null"),
			 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(fleet_ipfix_roundtrip),
		cmocka_unit_test(fleet_ipfix_bounds),
		cmocka_unit_test(fleet_export_rules),
		cmocka_unit_test(fleet_export_aggregate),
		cmocka_unit_test(fleet_export_takeover_baseline),
		cmocka_unit_test(fleet_export_udp_template_refresh),
		cmocka_unit_test(fleet_export_tcp),
		cmocka_unit_test(fleet_eve_alert_types),
		cmocka_unit_test(fleet_config_file),
		cmocka_unit_test(fleet_collector_extract),
		cmocka_unit_test(fleet_collector_run_netns),
		cmocka_unit_test(fleet_takeover_no_gap),
		cmocka_unit_test(fleet_deb_and_unit),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
