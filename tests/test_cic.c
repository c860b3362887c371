// SPDX-License-Identifier: MIT
/*
 * CICFlowMeter's definitions, without the dataset: the features of the
 * first BENIGN row of CIC-IDS2017 (improved) from its packets, activity
 * and idle periods, bulk transfers, subflows, ICMP, the CIC column table,
 * and `extract --format cic` (columns, order, timestamps, flow timeout,
 * Total TCP Flow Time across it). Expected values are worked out by hand
 * in the comments. No privileges needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <pcap/pcap.h>
#include <cmocka.h>

#include "packet_path.h"
#include "dataset.h"
#include "features_info.h"
#include "flowcsv.h"
#include "pkt.h"
#include "scratch.h"

static const struct ff_config def_cfg = FF_CONFIG_DEFAULT;

/* One packet of `s` at `t_us` through the shared parser and flow update. */
static void feed(struct ff_flow *f, const struct pkt_spec *s, __u64 t_us,
		 const struct ff_config *cfg)
{
	__u8 buf[PKT_MAX_FRAME];
	size_t n = pkt_build(s, buf, sizeof(buf));
	struct ff_frame fr = { buf, (__u32)n, 0 };
	struct ff_flow_key k;
	struct ff_pkt p;

	assert_true(n > 0);
	memset(&p, 0, sizeof(p));
	assert_int_equal(ff_parse(&fr, 0, &p), FF_PARSE_OK);
	ff_flow_update(f, &p, ff_flow_key_make(&p, &k), t_us, cfg);
}

static struct pkt_spec udp(int fwd, __u16 len)
{
	struct pkt_spec s = { .family = 4, .proto = 17, .payload_len = len };

	s.saddr = fwd ? "192.168.10.5" : "192.168.10.3";
	s.daddr = fwd ? "192.168.10.3" : "192.168.10.5";
	s.sport = fwd ? 58181 : 53;
	s.dport = fwd ? 53 : 58181;
	return s;
}

static struct pkt_spec tcp(int fwd, __u8 flags, __u16 len)
{
	struct pkt_spec s = { .family = 4, .proto = 6, .tcp_flags = flags, .window = 29200,
			      .payload_len = len };

	s.saddr = fwd ? "10.0.0.1" : "10.0.0.2";
	s.daddr = fwd ? "10.0.0.2" : "10.0.0.1";
	s.sport = fwd ? 40000 : 80;
	s.dport = fwd ? 80 : 40000;
	return s;
}

#define V(id) (fv.v[FF_F_##id])

/*
 * The example, row 307514: a DNS query and its answer, twice.
 * Payloads 35, 51, 51, 35 (fwd 35, 35; bwd 51, 51) at 0, 4, 198, 245 us.
 * CIC: Fwd Header Length 16, Fwd Seg Size Min 8 (UDP headers alone),
 * Packet Length Std 9.2376 and Variance 85.33 (sample: 256 / 3), Flow IAT
 * Std 99.63 (IATs 4, 194, 47, sample), Fwd Act Data Pkts 1 (the first
 * packet does not count), Subflow Fwd Bytes 17 (70 / 4 packets), ICMP
 * Code and Type -1. The old code gave 56, 28, 8, 64, 82, 2 and 0.
 */
static void test_dns_row(void **state)
{
	struct ff_flow f = { 0 };
	struct ff_features fv;
	struct pkt_spec a = udp(1, 35), b = udp(0, 51);

	(void)state;
	feed(&f, &a, 1000000, &def_cfg);
	feed(&f, &b, 1000004, &def_cfg);
	feed(&f, &b, 1000198, &def_cfg);
	feed(&f, &a, 1000245, &def_cfg);
	ff_features_compute(&f, &fv);
	assert_int_equal(V(DST_PORT), 53);
	assert_int_equal(V(FLOW_DURATION), 245);
	assert_int_equal(V(FWD_HDR_LEN), 16);
	assert_int_equal(V(BWD_HDR_LEN), 16);
	assert_int_equal(V(FWD_SEG_MIN), 8);
	assert_int_equal(V(PKT_LEN_MEAN), 43);
	assert_int_equal(V(PKT_LEN_STD), 9);
	assert_int_equal(V(PKT_LEN_VAR), 85);
	assert_int_equal(V(FWD_LEN_STD), 0);
	assert_int_equal(V(FLOW_IAT_MEAN), 81);
	assert_int_equal(V(FLOW_IAT_STD), 99);
	assert_int_equal(V(FWD_ACT_DATA_PKTS), 1);
	assert_int_equal(V(SUBFLOW_FWD_PKTS), 0);
	assert_int_equal(V(SUBFLOW_FWD_BYTES), 17);
	assert_int_equal(V(SUBFLOW_BWD_BYTES), 25);
	assert_int_equal(V(ICMP_CODE), 0);	/* written as -1 */
	assert_int_equal(V(ICMP_TYPE), 0);
	assert_int_equal(V(TCP_FLOW_TIME), 0);	/* not TCP */
	assert_int_equal(V(FLOW_BYTES_PER_S), 702040);	/* 172 B / 245 us */
}

/*
 * Activity timeout 5 s. Packets at 0, 1, 2 ms, then 12.002 s (a 12 s gap),
 * 12.003 s, then 30.000 s (a 17.997 s gap), 30.0005 s. Active periods
 * 2000 and 1000 us (the last one, still open at the end, is not counted,
 * as CIC does); idle 12,000,000 and 17,997,000 us. Sample std of the
 * active periods sqrt(500000) = 707.1, of the idle ones 4,240,519.4.
 */
static void test_active_idle(void **state)
{
	static const __u64 t[] = { 0, 1000, 2000, 12002000, 12003000, 30000000, 30000500 };
	struct ff_config cfg = def_cfg;
	struct ff_flow f = { 0 };
	struct ff_features fv;
	size_t i;

	(void)state;
	for (i = 0; i < FF_ARRAY_SIZE(t); i++) {
		struct pkt_spec s = tcp(i % 2 == 0, FF_TCP_ACK, 10);

		feed(&f, &s, 5000000000ULL + t[i], &cfg);
	}
	ff_features_compute(&f, &fv);
	assert_int_equal(V(ACTIVE_MEAN), 1500);
	assert_int_equal(V(ACTIVE_STD), 707);
	assert_int_equal(V(ACTIVE_MAX), 2000);
	assert_int_equal(V(ACTIVE_MIN), 1000);
	assert_int_equal(V(IDLE_MEAN), 14998500);
	assert_int_equal(V(IDLE_STD), 4240519);
	assert_int_equal(V(IDLE_MAX), 17997000);
	assert_int_equal(V(IDLE_MIN), 12000000);

	/* the timeout is configuration: at 20 s no gap is idle */
	memset(&f, 0, sizeof(f));
	cfg.activity_us = 20000000;
	for (i = 0; i < FF_ARRAY_SIZE(t); i++) {
		struct pkt_spec s = tcp(i % 2 == 0, FF_TCP_ACK, 10);

		feed(&f, &s, 5000000000ULL + t[i], &cfg);
	}
	ff_features_compute(&f, &fv);
	assert_int_equal(V(IDLE_MEAN), 0);
	assert_int_equal(V(ACTIVE_MEAN), 0);
	/* at 12 s only the 17.997 s gap is idle (12 s is not longer than
	 * 12 s): one active period, 0 to 12.003 s, closed by it */
	memset(&f, 0, sizeof(f));
	cfg.activity_us = 12000000;
	for (i = 0; i < FF_ARRAY_SIZE(t); i++) {
		struct pkt_spec s = tcp(i % 2 == 0, FF_TCP_ACK, 10);

		feed(&f, &s, 5000000000ULL + t[i], &cfg);
	}
	ff_features_compute(&f, &fv);
	assert_int_equal(V(IDLE_MEAN), 17997000);
	assert_int_equal(V(IDLE_STD), 0);
	assert_int_equal(V(ACTIVE_MEAN), 12003000);
}

/*
 * Bulks: fwd data at 0, 100, 200, 300 us (100 B each) make one bulk of 4
 * (400 B, 300 us); a fifth at 400 extends it (500 B, 400 us). Backward
 * data at 500 ends the candidate; fwd data at 600, 700, 800, 900 make a
 * second bulk (400 B, 300 us). Then fwd data 2 s later and three more
 * within 1 s of each other: a third bulk is a new candidate first.
 * Totals after the second bulk: 900 B, 9 packets, 700 us, 2 bulks:
 * Bytes/Bulk 450, Packet/Bulk 4, Rate floor(900e6 / 700) = 1285714.
 * Empty packets between them do not break a bulk.
 */
static void test_bulk(void **state)
{
	struct ff_flow f = { 0 };
	struct ff_features fv;
	struct pkt_spec d = tcp(1, FF_TCP_ACK | FF_TCP_PSH, 100), e = tcp(1, FF_TCP_ACK, 0);
	struct pkt_spec back = tcp(0, FF_TCP_ACK | FF_TCP_PSH, 50);
	__u64 t0 = 7000000000ULL;

	(void)state;
	feed(&f, &d, t0, &def_cfg);
	feed(&f, &d, t0 + 100, &def_cfg);
	feed(&f, &e, t0 + 150, &def_cfg);
	feed(&f, &d, t0 + 200, &def_cfg);
	feed(&f, &d, t0 + 300, &def_cfg);
	ff_features_compute(&f, &fv);
	assert_int_equal(V(FWD_BULK_BYTES), 400);
	assert_int_equal(V(FWD_BULK_PKTS), 4);
	assert_int_equal(V(FWD_BULK_RATE), 1333333);
	feed(&f, &d, t0 + 400, &def_cfg);
	ff_features_compute(&f, &fv);
	assert_int_equal(V(FWD_BULK_BYTES), 500);
	assert_int_equal(V(FWD_BULK_RATE), 1250000);
	feed(&f, &back, t0 + 500, &def_cfg);
	feed(&f, &d, t0 + 600, &def_cfg);
	feed(&f, &d, t0 + 700, &def_cfg);
	feed(&f, &d, t0 + 800, &def_cfg);
	ff_features_compute(&f, &fv);
	assert_int_equal(V(FWD_BULK_BYTES), 500);	/* 3 packets: not yet */
	feed(&f, &d, t0 + 900, &def_cfg);
	ff_features_compute(&f, &fv);
	assert_int_equal(V(FWD_BULK_BYTES), 450);
	assert_int_equal(V(FWD_BULK_PKTS), 4);
	assert_int_equal(V(FWD_BULK_RATE), 1285714);
	assert_int_equal(V(BWD_BULK_BYTES), 0);		/* one packet is no bulk */
	/* more than 1 s later: a new candidate, not a continuation */
	feed(&f, &d, t0 + 2000900, &def_cfg);
	feed(&f, &d, t0 + 2001000, &def_cfg);
	ff_features_compute(&f, &fv);
	assert_int_equal(V(FWD_BULK_BYTES), 450);
	assert_int_equal(V(FWD_BULK_PKTS), 4);
}

/* CIC gives ICMP flows port 0 and writes the code and type; the feature is
 * the value + 1 (0: not ICMP). */
static void test_icmp(void **state)
{
	struct pkt_spec s = { .family = 4, .proto = 1, .saddr = "10.1.0.1", .daddr = "10.1.0.2",
			      .icmp_type = 8, .icmp_id = 4242, .payload_len = 56 };
	struct ff_flow f = { 0 };
	struct ff_features fv;

	(void)state;
	feed(&f, &s, 1000, &def_cfg);
	feed(&f, &s, 2000, &def_cfg);
	ff_features_compute(&f, &fv);
	assert_int_equal(V(DST_PORT), 0);
	assert_int_equal(V(ICMP_TYPE), 9);
	assert_int_equal(V(ICMP_CODE), 1);
	assert_int_equal(V(PROTOCOL), 1);
}

/* Every CIC column of the table is identifying or resolves to a feature
 * whose CIC name is the column's; the order is CICFlowMeter's. */
static void test_cic_columns(void **state)
{
	int i, mapped = 0;

	(void)state;
	assert_int_equal(ff_cic_n_columns, 89);
	assert_string_equal(ff_cic_columns[0].name, "Flow ID");
	assert_string_equal(ff_cic_columns[6].name, "Timestamp");
	assert_string_equal(ff_cic_columns[ff_cic_n_columns - 2].name, "Total TCP Flow Time");
	for (i = 0; i < ff_cic_n_columns; i++) {
		const struct ff_cic_column *c = &ff_cic_columns[i];

		if (!strstr(",Flow ID,Src IP,Src Port,Dst IP,Timestamp,Label,", c->name)) {
			assert_true(c->fid >= 0);
			assert_string_equal(ff_feature_table[c->fid].cic, c->name);
			mapped += c->mapped;
		}
		assert_ptr_equal(ff_cic_column_find(c->name), c);
	}
	assert_true(mapped >= 70);
	/* every feature with a CIC name is one of CIC's columns */
	for (i = 0; i < FF_NUM_FEATURES; i++)
		if (ff_feature_table[i].cic[0])
			assert_non_null(ff_cic_column_find(ff_feature_table[i].cic));
}

/* ---------------------------------------------------- extract --format cic */

static char dir[] = "/tmp/ff-cic-XXXXXX";

/* The binary under test: ./flowforest, or the sanitizer build that
 * tests/run.sh names in FLOWFOREST_BIN. */
static const char *ff_bin(void)
{
	const char *bin = getenv("FLOWFOREST_BIN");

	return bin ? bin : "./flowforest";
}

static void write_pcap(const char *path, const struct pkt_spec *const *s, const __u64 *t,
		       int n)
{
	pcap_t *dead = pcap_open_dead(DLT_EN10MB, 65535);
	pcap_dumper_t *d = pcap_dump_open(dead, path);
	int i;

	assert_non_null(d);
	for (i = 0; i < n; i++) {
		__u8 buf[PKT_MAX_FRAME];
		struct pcap_pkthdr h = { 0 };

		h.caplen = h.len = pkt_build(s[i], buf, sizeof(buf));
		h.ts.tv_sec = t[i] / 1000000;
		h.ts.tv_usec = t[i] % 1000000;
		pcap_dump((u_char *)d, &h, buf);
	}
	pcap_dump_close(d);
	pcap_close(dead);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = calloc(1, 1 << 20);
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, (1 << 20) - 1, f);
	buf[n] = 0;
	fclose(f);
	return buf;
}

/* The n-th (0-based) comma-separated field of a line, copied to out. */
static void field(const char *line, int n, char *out, size_t cap)
{
	const char *e;

	while (n-- > 0) {
		line = strchr(line, ',');
		assert_non_null(line);
		line++;
	}
	e = strpbrk(line, ",\n");
	if (!e)
		e = line + strlen(line);
	assert_true((size_t)(e - line) < cap);
	memcpy(out, line, e - line);
	out[e - line] = 0;
}

static int column(const char *name)
{
	int i;

	for (i = 0; i < ff_cic_n_columns; i++)
		if (!strcmp(ff_cic_columns[i].name, name))
			return i;
	fail_msg("no column %s", name);
	return -1;
}

/*
 * A TCP connection with a packet every 50 s from 2017-07-05 12:00:00 UTC:
 * CIC's flow timeout (120 s from the flow's first packet) ends the first
 * flow before the packet at 150 s, which starts the second; its Total TCP
 * Flow Time runs from the connection's first packet (250 s), its Flow
 * Duration from its own (100 s). A lone UDP packet is no row. The FIN and
 * RST at 100 s do not end the flow.
 */
static void test_extract_cic(void **state)
{
	struct pkt_spec a = tcp(1, FF_TCP_SYN, 0), b = tcp(0, FF_TCP_SYN | FF_TCP_ACK, 0);
	struct pkt_spec c = tcp(1, FF_TCP_FIN | FF_TCP_ACK, 0), d = tcp(0, FF_TCP_RST, 0);
	struct pkt_spec e = tcp(1, FF_TCP_ACK, 5), g = tcp(0, FF_TCP_ACK, 7);
	struct pkt_spec u = udp(1, 20);
	const struct pkt_spec *s[] = { &a, &b, &u, &c, &d, &e, &g };
	const __u64 base = 1499256000000000ULL;	/* 2017-07-05 12:00:00 UTC */
	__u64 t[] = { base, base + 50000000, base + 60000000, base + 100000000,
		      base + 100000010, base + 150000000, base + 250000000 };
	char pcap[256], csv[256], cmd[1024], buf[256], *out, *l1, *l2;

	(void)state;
	snprintf(pcap, sizeof(pcap), "%s/t.pcap", dir);
	snprintf(csv, sizeof(csv), "%s/t.csv", dir);
	write_pcap(pcap, s, t, FF_ARRAY_SIZE(s));
	snprintf(cmd, sizeof(cmd), "%s extract -q --format cic %s -o %s", ff_bin(), pcap, csv);
	assert_int_equal(system(cmd), 0);
	out = slurp(csv);
	assert_true(!strncmp(out, "Flow ID,Src IP,Src Port,Dst IP,Dst Port,Protocol,Timestamp,"
			     "Flow Duration,Total Fwd Packet,", 83));
	l1 = strchr(out, '\n') + 1;
	l2 = strchr(l1, '\n') + 1;
	assert_non_null(strchr(l2, '\n'));
	assert_int_equal(strchr(l2, '\n')[1], 0);	/* two rows: no UDP row */

	field(l1, 0, buf, sizeof(buf));
	assert_string_equal(buf, "10.0.0.1-10.0.0.2-40000-80-6");
	field(l1, column("Timestamp"), buf, sizeof(buf));
	assert_string_equal(buf, "2017-07-05 12:00:00.000000");
	field(l1, column("Flow Duration"), buf, sizeof(buf));
	assert_string_equal(buf, "100000010");
	field(l1, column("FIN Flag Count"), buf, sizeof(buf));
	assert_string_equal(buf, "1");
	field(l1, column("RST Flag Count"), buf, sizeof(buf));
	assert_string_equal(buf, "1");
	field(l1, column("ICMP Code"), buf, sizeof(buf));
	assert_string_equal(buf, "-1");
	field(l1, column("Total TCP Flow Time"), buf, sizeof(buf));
	assert_string_equal(buf, "100000010");

	field(l2, column("Timestamp"), buf, sizeof(buf));
	assert_string_equal(buf, "2017-07-05 12:02:30.000000");
	field(l2, column("Flow Duration"), buf, sizeof(buf));
	assert_string_equal(buf, "100000000");
	field(l2, column("Total TCP Flow Time"), buf, sizeof(buf));
	assert_string_equal(buf, "250000000");
	field(l2, column("Total Length of Fwd Packet"), buf, sizeof(buf));
	assert_string_equal(buf, "5");
	free(out);

	/* a longer flow timeout keeps it one flow */
	snprintf(cmd, sizeof(cmd), "%s extract -q --format cic --flow-timeout 300 %s -o %s",
		 ff_bin(), pcap, csv);
	assert_int_equal(system(cmd), 0);
	out = slurp(csv);
	l1 = strchr(out, '\n') + 1;
	assert_int_equal(strchr(l1, '\n')[1], 0);
	field(l1, column("Total Fwd Packet"), buf, sizeof(buf));
	assert_string_equal(buf, "3");
	free(out);
}

/*
 * train's import follows the definitions: ICMP Code and Type become the
 * feature (CIC's value + 1), a CIC column whose definition flowforest does
 * not reproduce is left out with the reason, and flowforest's own CSV
 * names such a feature by its own name, so it stays trainable.
 */
static void test_import(void **state)
{
	const char *paths[1];
	struct ff_dataset_opts o = { 0 };
	struct ff_dataset ds;
	char path[256], err[512], hdr[8192];
	struct ff_csv c = { 0 };
	FILE *f;
	int col;

	(void)state;
	snprintf(path, sizeof(path), "%s/cic.csv", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("Flow ID,Dst Port,ICMP Code,ICMP Type,Fwd Seg Size Min,Label\n"
	      "a,53,-1,-1,8,BENIGN\n"
	      "b,0,3,8,0,ping\n"
	      "c,0,0,0,0,ping\n", f);
	fclose(f);
	paths[0] = path;
	assert_int_equal(ff_dataset_load(&ds, paths, 1, &o, err, sizeof(err)), 0);
	col = ff_dataset_col_of(&ds, FF_F_ICMP_CODE);
	assert_true(col >= 0);
	assert_true(ds.col[col][0] == 0 && ds.col[col][1] == 4 && ds.col[col][2] == 1);
	col = ff_dataset_col_of(&ds, FF_F_ICMP_TYPE);
	assert_true(ds.col[col][0] == 0 && ds.col[col][1] == 9 && ds.col[col][2] == 1);
	assert_int_equal(ff_dataset_col_of(&ds, FF_F_FWD_SEG_MIN), -1);
	assert_non_null(ds.left_out);
	assert_non_null(strstr(ds.left_out, "Fwd Seg Size Min (not CIC's definition: "));
	ff_dataset_free(&ds);

	/* flowforest's CSV: the feature under its own name, ICMP as CIC */
	f = fmemopen(hdr, sizeof(hdr), "w");
	c.out = f;
	ff_csv_header(&c);
	fclose(f);
	assert_non_null(strstr(hdr, ",fwd_seg_min,"));
	assert_non_null(strstr(hdr, ",fwd_init_win,"));
	assert_null(strstr(hdr, "Fwd Seg Size Min"));
	assert_non_null(strstr(hdr, ",ICMP Code,"));
	assert_non_null(strstr(hdr, ",Fwd Header Length,"));
}

static int setup(void **state)
{
	(void)state;
	return mkdtemp(dir) ? 0 : -1;
}

static int teardown(void **state)
{
	(void)state;
	return scratch_remove(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_dns_row),
		cmocka_unit_test(test_active_idle),
		cmocka_unit_test(test_bulk),
		cmocka_unit_test(test_icmp),
		cmocka_unit_test(test_cic_columns),
		cmocka_unit_test(test_extract_cic),
		cmocka_unit_test(test_import),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
