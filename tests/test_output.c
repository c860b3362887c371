// SPDX-License-Identifier: MIT
/*
 * What extract and replay write and read, at the edges: the flow CSV with
 * long and hostile names (bounded, quoted as RFC 4180 says, read back by
 * the trainer's reader), label names, output files that are replaced whole
 * and never through a planted symlink, and captures cut short. No
 * privileges needed.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <cmocka.h>

#include "capgen.h"
#include "capture.h"
#include "dataset.h"
#include "flowcsv.h"
#include "labels.h"
#include "lines.h"
#include "outfile.h"
#include "scratch.h"

static char dir[] = "/tmp/ff-output-XXXXXX";

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

static void snapshot(struct ff_snapshot *s)
{
	memset(s, 0, sizeof(*s));
	s->key.family = 6;	/* the longest addresses */
	memset(s->key.addr_a, 0xfe, 16);
	memset(s->key.addr_b, 0xfd, 16);
	s->key.port_a = 65535;
	s->key.port_b = 65534;
	s->key.proto = 255;
	s->key.frag_later = 1;
	s->first_us = s->ts_us = ~0ULL;
	s->reason = FF_SNAP_END;
	memset(s->features, 0xff, sizeof(s->features));	/* 20 digits each */
}

/* One row into memory; the caller frees it. */
static char *one_row(const struct ff_labels *labels, const struct ff_model *m,
		     const struct ff_snapshot *s)
{
	struct ff_csv c = { .labels = labels, .model = m };
	char *buf = NULL;
	size_t len = 0;

	c.out = open_memstream(&buf, &len);
	assert_non_null(c.out);
	ff_csv_row(&c, s);
	fclose(c.out);
	return buf;
}

/* A label longer than the old 4096-byte line buffer, on the longest row:
 * written whole (the old writer smashed its stack here). */
static void test_csv_row_long_label(void **state)
{
	struct ff_labels labels = {};
	struct ff_snapshot s;
	char *label = malloc(5001), *row;

	(void)state;
	memset(label, 'A', 5000);
	label[5000] = 0;
	labels.default_label = label;
	snapshot(&s);
	row = one_row(&labels, NULL, &s);
	assert_non_null(strstr(row, label));
	assert_int_equal(row[strlen(row) - 1], '\n');
	assert_memory_equal(row + strlen(row) - 5001, label, 5000);
	free(row);
	free(label);
}

/* RFC 4180: a field with a comma, a quote or a line break is quoted and
 * its quotes doubled; plain fields are left alone. */
static void test_csv_field_quoting(void **state)
{
	static const struct { const char *in, *out; } cases[] = {
		{ "benign", "benign" },
		{ "", "" },
		{ "a,b", "\"a,b\"" },
		{ "say \"hi\"", "\"say \"\"hi\"\"\"" },
		{ "two\nlines", "\"two\nlines\"" },
		{ "cr\r", "\"cr\r\"" },
		{ "\"", "\"\"\"\"" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *buf = NULL;
		size_t len = 0;
		FILE *f = open_memstream(&buf, &len);

		ff_csv_field(f, cases[i].in);
		fclose(f);
		assert_string_equal(buf, cases[i].out);
		free(buf);
	}
}

/* A class name with a comma and a quote does not shift the columns: the
 * trainer's reader gets every row back with the same label and score. */
static void test_csv_round_trip(void **state)
{
	struct ff_model m = { .n_classes = 2 };
	struct ff_labels labels = { .default_label = "x" };
	struct ff_dataset_opts o = { .label_column = "class" };
	struct ff_dataset ds = {};
	struct ff_snapshot s;
	struct ff_csv c = { .labels = &labels, .model = &m };
	char path[256], err[512];
	const char *paths[1] = { path };
	int i;

	(void)state;
	strcpy(m.class_names[0], "evil, \"quoted\"\nclass");
	strcpy(m.class_names[1], "plain");
	snprintf(path, sizeof(path), "%s/rt.csv", dir);
	c.out = fopen(path, "w");
	assert_non_null(c.out);
	ff_csv_header(&c);
	snapshot(&s);
	for (i = 0; i < 4; i++) {
		s.cls = i & 1;
		s.score = 500 + i;
		s.features[0] = i;
		ff_csv_row(&c, &s);
	}
	fclose(c.out);
	assert_int_equal(ff_dataset_load(&ds, paths, 1, &o, err, sizeof(err)), 0);
	assert_int_equal(ds.n_rows, 4);
	assert_int_equal(ds.n_classes, 2);
	assert_string_equal(ds.class_names[ds.y[0]], m.class_names[0]);
	assert_string_equal(ds.class_names[ds.y[1]], "plain");
	ff_dataset_free(&ds);
}

static void test_label_names(void **state)
{
	struct ff_labels l = {};
	char err[256], long_name[200];

	(void)state;
	assert_int_equal(ff_label_check("syn_flood", err, sizeof(err)), 0);
	assert_int_equal(ff_label_check("DoS Hulk", err, sizeof(err)), 0);
	assert_int_equal(ff_label_check("", err, sizeof(err)), -1);
	assert_int_equal(ff_label_check("tab\there", err, sizeof(err)), -1);
	assert_int_equal(ff_label_check("nl\n", err, sizeof(err)), -1);
	assert_int_equal(ff_label_check("esc\x1b[31m", err, sizeof(err)), -1);
	assert_int_equal(ff_label_check("del\x7f", err, sizeof(err)), -1);
	assert_int_equal(ff_label_check("a,b", err, sizeof(err)), -1);
	memset(long_name, 'A', sizeof(long_name) - 1);
	long_name[sizeof(long_name) - 1] = 0;
	assert_int_equal(ff_label_check(long_name, err, sizeof(err)), -1);
	long_name[FF_LABEL_MAX - 1] = 0;
	assert_int_equal(ff_label_check(long_name, err, sizeof(err)), 0);
	/* rules use the same check */
	assert_int_equal(ff_labels_add(&l, "ok:dport=80", err, sizeof(err)), 0);
	assert_int_equal(ff_labels_add(&l, "b\ad:dport=80", err, sizeof(err)), -1);
	assert_non_null(strstr(err, "control characters"));
	assert_int_equal(ff_labels_add(&l, "a\tb", err, sizeof(err)), -1);
	ff_labels_free(&l);
}

/* Numbers in rules are parsed strictly; a time range too large for
 * microseconds is refused (the fuzzer found 1.7e24 cast to u64, undefined). */
static void test_label_rule_numbers(void **state)
{
	static const char *const bad[] = {
		"x:time=1700000000-1700000101700000100.5", "x:time=1e30-1e31", "x:time=nan-5",
		"x:time=5-1", "x:time=-5-1", "x:time=5", "x:dport= 80", "x:dport=+80",
		"x:dport=80x", "x:dport=65536", "x:proto=256", "x:proto=0x6", "x:sport=",
	};
	static const char *const good[] = {
		"x:time=1700000000-1700000100.5", "x:time=1e-3-5", "x:time=0-0", "x:dport=0",
		"x:port=65535", "x:proto=255", "x:proto=icmpv6",
	};
	struct ff_labels l = {};
	char err[256];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (ff_labels_add(&l, bad[i], err, sizeof(err)) == 0)
			fail_msg("'%s' accepted", bad[i]);
	for (i = 0; i < sizeof(good) / sizeof(good[0]); i++)
		if (ff_labels_add(&l, good[i], err, sizeof(err)))
			fail_msg("'%s' refused: %s", good[i], err);
	assert_int_equal(l.n, sizeof(good) / sizeof(good[0]));
	assert_int_equal(l.rules[0].t_to_us, 1700000100500000ULL);
	assert_int_equal(l.rules[1].t_from_us, 1000);
	assert_int_equal(l.rules[1].t_to_us, 5000000);
	ff_labels_free(&l);
}

/* The one line reader: comments at the start of a line or after a blank,
 * CR LF, blank lines, lines of any length, a '#' inside a word kept. */
static void test_line_reader(void **state)
{
	struct ff_lines in;
	struct ff_labels l = {};
	char path[256], err[512], *line, *big = malloc(1001);
	FILE *f;

	(void)state;
	memset(big, 'x', 1000);
	big[1000] = 0;
	snprintf(path, sizeof(path), "%s/lines.txt", dir);
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "# header\n  10.0.0.0/8   # office\r\na#b\n\n\t\r\n%s\nlast", big);
	fclose(f);
	assert_int_equal(ff_lines_open(&in, path, err, sizeof(err)), 0);
	assert_int_equal(ff_lines_next(&in, &line, err, sizeof(err)), 1);
	assert_string_equal(line, "10.0.0.0/8");
	assert_int_equal(in.lineno, 2);
	assert_int_equal(ff_lines_next(&in, &line, err, sizeof(err)), 1);
	assert_string_equal(line, "a#b");
	assert_int_equal(ff_lines_next(&in, &line, err, sizeof(err)), 1);
	assert_string_equal(line, big);
	assert_int_equal(in.lineno, 6);
	assert_int_equal(ff_lines_next(&in, &line, err, sizeof(err)), 1);
	assert_string_equal(line, "last");
	assert_int_equal(ff_lines_next(&in, &line, err, sizeof(err)), 0);
	ff_lines_close(&in);
	free(big);

	/* label rules files follow it: a trailing comment, and a long rule
	 * is one rule (its 600-byte buffer used to split it in two) */
	f = fopen(path, "w");
	assert_non_null(f);
	fprintf(f, "web:dport=80   # the web servers\r\nscan:src=10.0.0.0/8%0700d\n", 0);
	fclose(f);
	assert_int_equal(ff_labels_load(&l, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, ":2:"));
	assert_int_equal(l.n, 1);
	assert_int_equal(l.rules[0].dport, 80);
	ff_labels_free(&l);
	/* a NUL byte: not text */
	f = fopen(path, "w");
	assert_non_null(f);
	fwrite("a\0b\n", 1, 4, f);
	fclose(f);
	assert_int_equal(ff_labels_load(&l, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "NUL"));
	ff_labels_free(&l);
}

static char *slurp(const char *path)
{
	char *buf = calloc(1, 4096);
	FILE *f = fopen(path, "r");

	assert_non_null(f);
	assert_true(fread(buf, 1, 4095, f) < 4095);
	fclose(f);
	return buf;
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static mode_t test_umask(void)
{
	mode_t m = umask(0);

	umask(m);
	return m;
}

static size_t entries(void)
{
	char cmd[256];
	FILE *p;
	size_t n = 0;

	snprintf(cmd, sizeof(cmd), "ls -A '%s' | wc -l", dir);
	p = popen(cmd, "r");
	assert_non_null(p);
	assert_int_equal(fscanf(p, "%zu", &n), 1);
	pclose(p);
	return n;
}

/* Committed: the new text replaces the old whole. Aborted: the old text
 * stays and no temporary is left. */
static void test_outfile_commit_abort(void **state)
{
	struct ff_outfile o;
	char path[256], err[256], *s;
	size_t before;
	struct stat st;

	(void)state;
	snprintf(path, sizeof(path), "%s/out.csv", dir);
	write_file(path, "old\n");
	before = entries();
	assert_int_equal(ff_outfile_open(&o, path, err, sizeof(err)), 0);
	assert_non_null(o.tmp);
	fputs("half", o.f);
	ff_outfile_abort(&o);
	s = slurp(path);
	assert_string_equal(s, "old\n");
	free(s);
	assert_int_equal(entries(), before);

	assert_int_equal(ff_outfile_open(&o, path, err, sizeof(err)), 0);
	fputs("new\n", o.f);
	assert_int_equal(ff_outfile_commit(&o, err, sizeof(err)), 0);
	s = slurp(path);
	assert_string_equal(s, "new\n");
	free(s);
	assert_int_equal(entries(), before);
	/* the mode fopen() would give, not mkstemp's 0600 */
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0666 & ~test_umask());

	/* a device is written in place, never replaced */
	assert_int_equal(ff_outfile_open(&o, "/dev/null", err, sizeof(err)), 0);
	assert_null(o.tmp);
	fputs("x", o.f);
	assert_int_equal(ff_outfile_commit(&o, err, sizeof(err)), 0);
	assert_int_equal(stat("/dev/null", &st), 0);
	assert_true(S_ISCHR(st.st_mode));
	/* a folder that does not exist fails at open, naming the file */
	snprintf(path, sizeof(path), "%s/none/out.csv", dir);
	assert_int_equal(ff_outfile_open(&o, path, err, sizeof(err)), -1);
	assert_non_null(strstr(err, "out.csv"));
}

/* Symlinks planted at every name the old code could pick (out.csv.tmp.PID
 * for this process) and at a guess of ours: none is followed. */
static void test_outfile_planted_symlink(void **state)
{
	struct ff_outfile o;
	char path[256], victim[256], link[300], err[256], *s;

	(void)state;
	snprintf(path, sizeof(path), "%s/target.csv", dir);
	snprintf(victim, sizeof(victim), "%s/victim", dir);
	write_file(victim, "precious\n");
	snprintf(link, sizeof(link), "%s.tmp.%d", path, getpid());
	assert_int_equal(symlink(victim, link), 0);
	assert_int_equal(ff_outfile_open(&o, path, err, sizeof(err)), 0);
	fputs("rows\n", o.f);
	assert_int_equal(ff_outfile_commit(&o, err, sizeof(err)), 0);
	s = slurp(victim);
	assert_string_equal(s, "precious\n");
	free(s);
	s = slurp(path);
	assert_string_equal(s, "rows\n");
	free(s);
	unlink(link);
}

/* A capture cut inside its last record: every complete frame is read,
 * then the end, with a warning to give; cut inside the file header, it
 * is no capture at all. */
static void test_capture_cut_short(void **state)
{
	struct ff_capture *cap = malloc(sizeof(*cap));
	struct capgen_stats st;
	char path[256], cut[256], cmd[700], err[512];
	const __u8 *frame;
	__u32 len;
	__u64 ts, n = 0;
	struct stat sb;
	int r;

	(void)state;
	snprintf(path, sizeof(path), "%s/full.pcap", dir);
	snprintf(cut, sizeof(cut), "%s/cut.pcap", dir);
	assert_int_equal(capgen_write(path, 20, 7, &st), 0);
	assert_int_equal(stat(path, &sb), 0);
	/* 5 bytes short: inside the last frame's data */
	snprintf(cmd, sizeof(cmd), "head -c %lld '%s' > '%s'", (long long)sb.st_size - 5, path, cut);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(ff_capture_open(cap, cut, err, sizeof(err)), 0);
	while ((r = ff_capture_next(cap, &frame, &len, &ts, err, sizeof(err))) == 1)
		n++;
	assert_int_equal(r, 0);
	assert_true(cap->cut_short);
	assert_non_null(strstr(cap->cut_msg, "cut short"));
	assert_int_equal(n, st.frames - 1);
	ff_capture_close(cap);
	/* the whole file: no warning */
	assert_int_equal(ff_capture_open(cap, path, err, sizeof(err)), 0);
	n = 0;
	while ((r = ff_capture_next(cap, &frame, &len, &ts, err, sizeof(err))) == 1)
		n++;
	assert_int_equal(r, 0);
	assert_false(cap->cut_short);
	assert_int_equal(n, st.frames);
	ff_capture_close(cap);
	/* 10 bytes: not even a file header */
	snprintf(cmd, sizeof(cmd), "head -c 10 '%s' > '%s'", path, cut);
	assert_int_equal(system(cmd), 0);
	assert_int_equal(ff_capture_open(cap, cut, err, sizeof(err)), -1);
	free(cap);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_csv_row_long_label),
		cmocka_unit_test(test_csv_field_quoting),
		cmocka_unit_test(test_csv_round_trip),
		cmocka_unit_test(test_label_names),
		cmocka_unit_test(test_label_rule_numbers),
		cmocka_unit_test(test_line_reader),
		cmocka_unit_test(test_outfile_commit_abort),
		cmocka_unit_test(test_outfile_planted_symlink),
		cmocka_unit_test(test_capture_cut_short),
	};

	return cmocka_run_group_tests_name("output", tests, setup, teardown);
}
