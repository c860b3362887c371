// SPDX-License-Identifier: MIT
/* flowforest replay: a capture through the real BPF program. */
#include <stdio.h>

#include "commands.h"
#include "flow_args.h"

static const char doc[] =
	"Push a capture through the loaded BPF program and write what the kernel computed.\v"
	"Every frame goes through the XDP program with BPF_PROG_TEST_RUN, in capture\n"
	"order, with the kernel's clock replaced by the capture's timestamps. The\n"
	"kernel exports the features of each checkpoint and, at the end, of every\n"
	"flow; the CSV has the same rows and columns as `flowforest extract`, so the\n"
	"two can be compared byte for byte (tests/ do). With --model the class and\n"
	"score columns are the kernel's verdicts. Needs root (loads BPF programs).\n"
	"\n"
	"EXAMPLES:\n"
	"  sudo flowforest replay --pcap day1.pcap -o kernel.csv\n"
	"  sudo flowforest replay --pcap lab.pcap --model m.json -o kernel.csv\n"
	"  flowforest extract --pcap x.pcap -o a.csv && sudo flowforest replay --pcap x.pcap -o b.csv && cmp a.csv b.csv";

int cmd_replay(int argc, char **argv)
{
	return flow_args_main(argc, argv, doc, "replay", true);
}
