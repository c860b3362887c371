// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for label rules: each line of the input as a rule (and
 * as a CIDR), and the whole input as a rules file. A rule is accepted or
 * refused with a message; an accepted rule's label is a valid label (no
 * control characters, none of , " = :), and matching never misbehaves.
 */
#include <stdint.h>
#include <string.h>

#include "labels.h"
#include "fuzz_memfile.h"

static void match_some(const struct ff_labels *l)
{
	struct ff_flow_key k = {};
	char err[256];
	int i;

	for (i = 0; i < 4; i++) {
		const char *label;

		k.family = i & 1 ? 6 : 4;
		k.proto = i < 2 ? 6 : 17;
		k.port_a = 80 * i;
		k.port_b = 1024 + i;
		memset(k.addr_a, 10 + i, sizeof(k.addr_a));
		memset(k.addr_b, 192 - i, sizeof(k.addr_b));
		label = ff_labels_match(l, &k, i & 1, (__u64)i * 1700000000000000ULL);
		if (ff_label_check(label, err, sizeof(err)))
			abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ff_labels l = { .default_label = "benign" };
	struct ff_cidr c;
	char *text, *line, *save = NULL, err[512], path[64];
	int fd;

	text = malloc(size + 1);
	memcpy(text, data, size);
	text[size] = 0;
	for (line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		ff_cidr_parse(line, &c);
		err[0] = 0;
		if (ff_labels_add(&l, line, err, sizeof(err)) && !err[0])
			abort();
	}
	free(text);
	match_some(&l);
	ff_labels_free(&l);

	fd = fuzz_memfile(data, size, path, sizeof(path));
	l.default_label = "benign";
	err[0] = 0;
	if (ff_labels_load(&l, path, err, sizeof(err)) && !err[0])
		abort();
	match_some(&l);
	ff_labels_free(&l);
	close(fd);
	return 0;
}
