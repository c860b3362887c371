// SPDX-License-Identifier: MIT
/*
 * Per-packet cost of the XDP pipeline with BPF_PROG_TEST_RUN, against an
 * empty XDP program, and the verifier's work as the model grows.
 *
 *   bench_pipeline [--json FILE] [--repeat N] [--quick]
 *
 * Every figure is the median of 5 runs (min and max reported); the kernel's
 * test_run duration is the average over `repeat` runs of one packet.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "loader.h"
#include "model.h"
#include "pkt.h"
#include "forest.h"

#define RUNS 5

struct result {
	char name[96];
	double med, min, max;	/* ns per packet */
	__u32 verified_insns;
	double load_ms;
};

static struct result results[64];
static int n_results;
static unsigned repeat = 1000000;

static int cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

/* ns per run of `prog` on `pkt`, median/min/max of RUNS */
static struct result *measure(const char *name, int prog, const void *pkt, __u32 len,
			      unsigned rep)
{
	struct result *r = &results[n_results++];
	double v[RUNS];
	int i;

	snprintf(r->name, sizeof(r->name), "%s", name);
	for (i = 0; i < RUNS; i++) {
		LIBBPF_OPTS(bpf_test_run_opts, tr, .data_in = pkt, .data_size_in = len,
			    .repeat = rep);

		if (bpf_prog_test_run_opts(prog, &tr)) {
			fprintf(stderr, "test run failed: %s\n", strerror(errno));
			exit(1);
		}
		v[i] = tr.duration;
	}
	qsort(v, RUNS, sizeof(v[0]), cmp_d);
	r->med = v[RUNS / 2];
	r->min = v[0];
	r->max = v[RUNS - 1];
	printf("%-58s %8.1f ns  (min %.1f, max %.1f)\n", name, r->med, r->min, r->max);
	fflush(stdout);
	return r;
}

static void open_loader(struct ff_loader *l, struct ff_config *cfg, __u32 flows)
{
	struct ff_load_opts o = { .cfg = *cfg, .max_flows = flows };
	char err[512];

	if (ff_loader_open(l, &o, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		exit(1);
	}
}

static size_t udp_packet(__u8 *buf, unsigned i)
{
	char src[32];
	struct pkt_spec s = { .family = 4, .proto = 17, .saddr = src, .daddr = "10.200.0.1",
			      .sport = 1024 + (i % 50000), .dport = 53, .payload_len = 18 };

	snprintf(src, sizeof(src), "10.%u.%u.%u", 1 + (i >> 16) % 200, (i >> 8) & 255, i & 255);
	return pkt_build(&s, buf, PKT_MAX_FRAME);
}

int main(int argc, char **argv)
{
	struct ff_config every = FF_CONFIG_DEFAULT, never = FF_CONFIG_DEFAULT,
			 def = FF_CONFIG_DEFAULT;
	const char *json = NULL;
	struct bpf_object *empty;
	struct ff_loader l;
	struct ff_model m;
	__u8 pkt[PKT_MAX_FRAME];
	char err[512], name[96];
	size_t len;
	int quick = 0, i, e_fd, trees_list[] = { 1, 8, 32, 128, 256 }, depth_list[] = { 8, 12, 16, 24 };
	struct result *r_empty, *r;
	FILE *jf;

	for (i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--json") && i + 1 < argc)
			json = argv[++i];
		else if (!strcmp(argv[i], "--repeat") && i + 1 < argc)
			repeat = strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--quick"))
			quick = 1;
		else {
			fprintf(stderr, "usage: bench_pipeline [--json FILE] [--repeat N] [--quick]\n");
			return 2;
		}
	}
	if (quick)
		repeat = 100000;
	libbpf_set_print(NULL);

	/* Checkpoint on every packet, or never (only the first packet). */
	every.n_checkpoints = 1;
	every.checkpoints[0] = 1;
	every.cp_every = 1;
	every.cp_flags = 0;
	never.n_checkpoints = 1;
	never.checkpoints[0] = 1;
	never.cp_every = 0;
	never.cp_flags = 0;

	empty = bpf_object__open_file("build/bench/empty.bpf.o", NULL);
	if (!empty || bpf_object__load(empty)) {
		fprintf(stderr, "bench: cannot load build/bench/empty.bpf.o\n");
		return 1;
	}
	e_fd = bpf_program__fd(bpf_object__find_program_by_name(empty, "bench_pass"));
	len = udp_packet(pkt, 1);
	printf("BPF_PROG_TEST_RUN, %u repeats, median of %d runs, 64-byte UDP/IPv4 frame\n\n",
	       repeat, RUNS);
	r_empty = measure("empty XDP program (XDP_PASS)", e_fd, pkt, len, repeat);

	/* No model: parse + flow update, verdict cached (none). */
	open_loader(&l, &never, 65536);
	r = measure("parse + flow update (no model)", ff_loader_prog_fd(&l, "ff_xdp"), pkt, len,
		    repeat);
	r->verified_insns = ff_loader_verified_insns(&l, "ff_xdp");
	{
		__u8 arp[64];
		size_t al = pkt_arp(arp, sizeof(arp));

		measure("parse only (ARP frame: not IP, counted, passed)",
			ff_loader_prog_fd(&l, "ff_xdp"), arp, al, repeat);
	}
	ff_loader_close(&l);

	/* Full pipeline with a 32-tree depth-12 forest. */
	if (comb_forest(&m, 32, 12))
		return 1;
	open_loader(&l, &never, 65536);
	if (ff_loader_install_model(&l, &m, NULL, err, sizeof(err))) {
		fprintf(stderr, "bench: %s\n", err);
		return 1;
	}
	measure("full pipeline, verdict cached (32 trees, depth 12)",
		ff_loader_prog_fd(&l, "ff_xdp"), pkt, len, repeat);
	ff_loader_close(&l);
	ff_model_free(&m);

	for (unsigned d = 0; d < sizeof(depth_list) / sizeof(depth_list[0]); d++)
		for (unsigned t = 0; t < sizeof(trees_list) / sizeof(trees_list[0]); t++) {
			double t0;

			if (comb_forest(&m, trees_list[t], depth_list[d])) {
				printf("%d trees of depth %d do not fit in %d nodes\n", trees_list[t],
				       depth_list[d], FF_MAX_NODES);
				continue;
			}
			t0 = mono_ms();
			open_loader(&l, &every, 65536);
			if (ff_loader_install_model(&l, &m, NULL, err, sizeof(err))) {
				fprintf(stderr, "bench: %s\n", err);
				return 1;
			}
			snprintf(name, sizeof(name), "model at every packet: %3d trees, depth %2d",
				 trees_list[t], depth_list[d]);
			r = measure(name, ff_loader_prog_fd(&l, "ff_xdp"), pkt, len,
				    trees_list[t] >= 32 ? repeat / 20 : repeat);
			r->load_ms = mono_ms() - t0;
			r->verified_insns = ff_loader_verified_insns(&l, "ff_xdp");
			ff_loader_close(&l);
			ff_model_free(&m);
		}

	/* Realistic mix: 10,000 flows of 64 packets each (default
	 * checkpoints: 1,2,4,...,64 = 7 model runs per flow, 11 %). */
	{
		double sum = 0;
		unsigned flows = quick ? 1000 : 10000, per = 64;
		struct result *mix = &results[n_results++];

		if (comb_forest(&m, 32, 12))
			return 1;
		open_loader(&l, &def, 65536);
		if (ff_loader_install_model(&l, &m, NULL, err, sizeof(err))) {
			fprintf(stderr, "bench: %s\n", err);
			return 1;
		}
		for (i = 0; i < (int)flows; i++) {
			LIBBPF_OPTS(bpf_test_run_opts, tr, .data_size_in = 0, .repeat = per);

			len = udp_packet(pkt, 1000 + i);
			tr.data_in = pkt;
			tr.data_size_in = len;
			bpf_prog_test_run_opts(ff_loader_prog_fd(&l, "ff_xdp"), &tr);
			sum += tr.duration;
		}
		snprintf(mix->name, sizeof(mix->name),
			 "realistic mix: %u flows x %u pkts, 32 trees depth 12", flows, per);
		mix->med = mix->min = mix->max = sum / flows;
		printf("%-58s %8.1f ns\n", mix->name, mix->med);
		ff_loader_close(&l);
		ff_model_free(&m);
	}

	printf("\nratios to the empty program (%.1f ns):\n", r_empty->med);
	for (i = 1; i < n_results; i++)
		printf("  %-56s %6.2fx\n", results[i].name, results[i].med / r_empty->med);

	if (json) {
		jf = fopen(json, "w");
		if (!jf) {
			perror(json);
			return 1;
		}
		fprintf(jf, "{\"unit\":\"ns/packet\",\"repeat\":%u,\"runs\":%d,\"results\":[", repeat, RUNS);
		for (i = 0; i < n_results; i++)
			fprintf(jf, "%s{\"name\":\"%s\",\"median_ns\":%.1f,\"min_ns\":%.1f,\"max_ns\":%.1f,"
				"\"ratio_to_empty\":%.3f,\"verified_insns\":%u,\"load_ms\":%.1f}",
				i ? "," : "", results[i].name, results[i].med, results[i].min,
				results[i].max, results[i].med / r_empty->med,
				results[i].verified_insns, results[i].load_ms);
		fprintf(jf, "]}\n");
		fclose(jf);
	}
	bpf_object__close(empty);
	return 0;
}
