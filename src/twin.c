// SPDX-License-Identifier: MIT
/*
 * The user-space twin (see twin.h): TPACKET_V3 ring -> the kernel's
 * per-packet sequence (include/flowforest/track.h through utrack.h), with
 * the user-space flow table as its storage.
 */
#include <errno.h>
#include <net/if.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>

#include "clock.h"
#include "utrack.h"
#include "twin.h"

#define TWIN_BLOCK_SIZE (1u << 20)	/* 1 MiB blocks */
#define TWIN_BLOCK_NR 64		/* 64 MiB of ring */
#define TWIN_FRAME_SIZE 2048
#define TWIN_RETIRE_MS 10		/* hand over a partly filled block after 10 ms */

static void cpu_s(double *user, double *sys)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	*user = ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6;
	*sys = ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

static int fail(char *err, size_t errlen, const char *what)
{
	snprintf(err, errlen, "%s: %s", what, strerror(errno));
	return -1;
}

struct ff_twin {
	const struct ff_twin_opts *o;
	struct ff_twin_stats *st;
	struct ff_track track;		/* the kernel's sequence (utrack.h) */
};

static void on_event(void *user, const struct ff_flow *f, const struct ff_event *e)
{
	struct ff_twin *t = user;

	t->o->event(t->o, e);
}

/* The stats that the counters give (the kernel's names for them). */
static void stats_sync(struct ff_twin *t)
{
	const struct ff_counters *c = &t->track.cnt;
	struct ff_twin_stats *st = t->st;

	st->packets = c->c[FF_C_PACKETS];
	st->bytes = c->c[FF_C_BYTES];
	ff_parse_fail_from_counters(st->parse_fail, c);
	st->frag_later = c->c[FF_C_FRAG_LATER];
	st->flows = c->c[FF_C_FLOWS_CREATED];
	st->classifications = c->c[FF_C_CLASSIFICATIONS];
	st->events = c->c[FF_C_EVENTS];
	st->dropped = c->c[FF_C_DROPPED];
	st->alerted = c->c[FF_C_ALERTED];
	memcpy(st->class_pkts, c->class_pkts, sizeof(st->class_pkts));
	st->unclassified_pkts = c->unclassified_pkts;
	st->table_bytes = t->track.table.cap * sizeof(*t->track.table.slots);
}

/* One frame through the kernel's sequence (ff_account + ff_track). */
int ff_twin_packet(struct ff_twin *t, const __u8 *data, __u32 len, __u32 wire_len,
		   __u64 now_us)
{
	return ff_utrack_frame(&t->track, data, len, wire_len, now_us) < 0 ? -1 : 0;
}

static int twin_init(struct ff_twin *t, const struct ff_twin_opts *o, struct ff_twin_stats *st)
{
	memset(t, 0, sizeof(*t));
	t->o = o;
	t->st = st;
	if (ff_utrack_init(&t->track, o->flows ? o->flows : 65536))
		return -1;
	t->track.cfg = o->cfg;
	t->track.model = o->model;
	t->track.actions = o->actions;
	t->track.on_event = o->event ? on_event : NULL;
	t->track.user = t;
	return 0;
}

struct ff_twin *ff_twin_new(const struct ff_twin_opts *o, struct ff_twin_stats *st)
{
	struct ff_twin *t = malloc(sizeof(*t));

	memset(st, 0, sizeof(*st));
	if (t && twin_init(t, o, st)) {
		free(t);
		return NULL;
	}
	return t;
}

size_t ff_twin_flows(const struct ff_twin *t)
{
	return t->track.table.count;
}

void ff_twin_counters(const struct ff_twin *t, struct ff_counters *out)
{
	*out = t->track.cnt;
}

size_t ff_twin_table_bytes(const struct ff_twin *t)
{
	return t->track.table.cap * sizeof(*t->track.table.slots);
}

void ff_twin_free(struct ff_twin *t)
{
	if (!t)
		return;
	ff_utrack_free(&t->track);
	free(t);
}

static void ring_stats(int fd, struct ff_twin_stats *st)
{
	struct tpacket_stats_v3 s = {};
	socklen_t len = sizeof(s);

	/* Reading resets the kernel's counters: accumulate. tp_packets
	 * already includes tp_drops. */
	if (getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &s, &len) == 0) {
		st->ring_packets += s.tp_packets;
		st->ring_drops += s.tp_drops;
		st->ring_freeze += s.tp_freeze_q_cnt;
	}
}

int ff_twin_run(const struct ff_twin_opts *o, struct ff_twin_stats *st,
		char *err, size_t errlen)
{
	struct tpacket_req3 req = {
		.tp_block_size = o->block_size ? o->block_size : TWIN_BLOCK_SIZE,
		.tp_block_nr = o->block_nr ? o->block_nr : TWIN_BLOCK_NR,
		.tp_frame_size = TWIN_FRAME_SIZE,
		.tp_retire_blk_tov = TWIN_RETIRE_MS,
	};
	struct sockaddr_ll sll = { .sll_family = AF_PACKET, .sll_protocol = htons(ETH_P_ALL) };
	int ver = TPACKET_V3, fd = -1, rc = -1;
	struct ff_twin t;
	double end, next_progress, u0, s0, u1, s1;
	size_t ring_len;
	__u8 *ring = MAP_FAILED;
	__u32 cur = 0, i;

	memset(st, 0, sizeof(*st));
	req.tp_frame_nr = (__u32)((__u64)req.tp_block_size * req.tp_block_nr / req.tp_frame_size);
	ring_len = (size_t)req.tp_block_size * req.tp_block_nr;
	sll.sll_ifindex = if_nametoindex(o->iface);
	if (!sll.sll_ifindex) {
		snprintf(err, errlen, "no such interface: %s", o->iface);
		return -1;
	}
	if (twin_init(&t, o, st)) {
		snprintf(err, errlen, "out of memory for the flow table");
		return -1;
	}
	fd = socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ALL));
	if (fd < 0) {
		fail(err, errlen, "cannot open a raw socket (root or CAP_NET_RAW needed)");
		goto out;
	}
	if (setsockopt(fd, SOL_PACKET, PACKET_VERSION, &ver, sizeof(ver))) {
		fail(err, errlen, "PACKET_VERSION TPACKET_V3");
		goto out;
	}
	if (setsockopt(fd, SOL_PACKET, PACKET_RX_RING, &req, sizeof(req))) {
		fail(err, errlen, "PACKET_RX_RING");
		goto out;
	}
	ring = mmap(NULL, ring_len, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE,
		    fd, 0);
	if (ring == MAP_FAILED) {
		fail(err, errlen, "mmap of the receive ring");
		goto out;
	}
	if (bind(fd, (struct sockaddr *)&sll, sizeof(sll))) {
		fail(err, errlen, "bind to the interface");
		goto out;
	}
	ring_stats(fd, st);	/* reset */
	memset(st, 0, sizeof(*st));

	st->t_start = ff_mono_s();
	cpu_s(&u0, &s0);
	end = o->duration > 0 ? st->t_start + o->duration : 0;
	next_progress = o->interval > 0 ? st->t_start + o->interval : 0;
	for (;;) {
		struct tpacket_block_desc *bd =
			(struct tpacket_block_desc *)(ring + (size_t)cur * req.tp_block_size);
		double now;

		if (__atomic_load_n(&bd->hdr.bh1.block_status, __ATOMIC_ACQUIRE) & TP_STATUS_USER) {
			struct tpacket3_hdr *h =
				(struct tpacket3_hdr *)((__u8 *)bd + bd->hdr.bh1.offset_to_first_pkt);
			__u32 n = bd->hdr.bh1.num_pkts;

			for (i = 0; i < n; i++) {
				__u64 ts = (__u64)h->tp_sec * 1000000ULL + h->tp_nsec / 1000;

				if (ff_twin_packet(&t, (__u8 *)h + h->tp_mac, h->tp_snaplen,
						   h->tp_len, ts)) {
					snprintf(err, errlen, "out of memory after %zu flows",
						 t.track.table.count);
					goto done;
				}
				h = (struct tpacket3_hdr *)((__u8 *)h + h->tp_next_offset);
			}
			__atomic_store_n(&bd->hdr.bh1.block_status, TP_STATUS_KERNEL,
					 __ATOMIC_RELEASE);
			cur = (cur + 1) % req.tp_block_nr;
			st->blocks++;
		} else {
			struct pollfd p = { .fd = fd, .events = POLLIN | POLLERR };

			if (o->stop && *o->stop)
				break;
			poll(&p, 1, 50);
		}
		if (o->stop && *o->stop)
			break;
		now = ff_mono_s();
		if (end && now >= end)
			break;
		if (next_progress && now >= next_progress && o->progress) {
			ring_stats(fd, st);
			cpu_s(&u1, &s1);
			st->seconds = now - st->t_start;
			st->cpu_user = u1 - u0;
			st->cpu_sys = s1 - s0;
			stats_sync(&t);
			o->progress(o, st);
			next_progress = now + o->interval;
		}
	}
	rc = 0;
done:
	ring_stats(fd, st);
	cpu_s(&u1, &s1);
	st->seconds = ff_mono_s() - st->t_start;
	st->cpu_user = u1 - u0;
	st->cpu_sys = s1 - s0;
	stats_sync(&t);
out:
	if (ring != MAP_FAILED)
		munmap(ring, ring_len);
	if (fd >= 0)
		close(fd);
	ff_utrack_free(&t.track);
	return rc;
}

void ff_twin_stats_json(FILE *out, const struct ff_twin_stats *st,
			const struct ff_model *m, bool final)
{
	__u64 bad = 0;
	double cpu = st->cpu_user + st->cpu_sys;
	int i;

	for (i = FF_PARSE_TRUNCATED; i < FF_PARSE__MAX; i++)
		bad += st->parse_fail[i];
	fprintf(out,
		"{\"final\":%s,\"t_start\":%.6f,\"t\":%.6f,\"seconds\":%.3f,\"packets\":%llu,"
		"\"bytes\":%llu,\"pps\":%.0f,\"ring_packets\":%llu,\"ring_drops\":%llu,"
		"\"ring_freeze\":%llu,\"cpu_user_s\":%.3f,\"cpu_sys_s\":%.3f,"
		"\"cpu_ns_per_pkt\":%.1f,\"not_ip\":%llu,\"unparseable\":%llu,\"flows\":%llu,"
		"\"classifications\":%llu,\"events\":%llu,\"dropped\":%llu,\"alerted\":%llu,"
		"\"unclassified_pkts\":%llu,\"table_bytes\":%zu,\"class_pkts\":{",
		final ? "true" : "false", st->t_start, st->t_start + st->seconds, st->seconds,
		(unsigned long long)st->packets, (unsigned long long)st->bytes,
		st->seconds > 0 ? st->packets / st->seconds : 0.0,
		(unsigned long long)st->ring_packets, (unsigned long long)st->ring_drops,
		(unsigned long long)st->ring_freeze, st->cpu_user, st->cpu_sys,
		st->packets ? cpu * 1e9 / st->packets : 0.0,
		(unsigned long long)st->parse_fail[FF_PARSE_NOT_IP], (unsigned long long)bad,
		(unsigned long long)st->flows, (unsigned long long)st->classifications,
		(unsigned long long)st->events, (unsigned long long)st->dropped,
		(unsigned long long)st->alerted, (unsigned long long)st->unclassified_pkts,
		st->table_bytes);
	for (i = 0; m && i < (int)m->n_classes; i++) {
		const char *c;

		fputs(i ? ",\"" : "\"", out);
		for (c = m->class_names[i]; *c; c++)
			if (*c == '"' || *c == '\\')
				fprintf(out, "\\%c", *c);
			else if ((unsigned char)*c < 0x20)
				fprintf(out, "\\u%04x", *c);
			else
				fputc(*c, out);
		fprintf(out, "\":%llu", (unsigned long long)st->class_pkts[i]);
	}
	fprintf(out, "}}\n");
	fflush(out);
}
