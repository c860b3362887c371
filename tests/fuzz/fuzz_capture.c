// SPDX-License-Identifier: MIT
/*
 * libFuzzer target for the capture reader: any file is read as pcap or
 * pcapng (through libpcap) and extracted with the shared packet path and
 * the CSV writer, or refused with a message; a file cut short ends early.
 * Never a crash, leak or undefined behaviour.
 */
#include <stdint.h>
#include <string.h>

#include "capture.h"
#include "extract.h"
#include "fuzz_memfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct ff_extract_opts o = { .cfg = FF_CONFIG_DEFAULT };
	struct ff_labels labels = { .default_label = "benign" };
	struct ff_csv csv = { .labels = &labels };
	struct ff_extract_stats st;
	char path[64], err[512];
	const char *paths[1] = { path };
	int fd;

	fd = fuzz_memfile(data, size, path, sizeof(path));
	csv.out = fopen("/dev/null", "w");
	if (!csv.out)
		abort();
	o.csv = &csv;
	err[0] = 0;
	if (ff_extract(paths, 1, &o, &st, err, sizeof(err)) && !err[0])
		abort();
	if (st.cut_short && !strstr(st.cut_msg, "cut short"))
		abort();
	fclose(csv.out);
	close(fd);
	return 0;
}
