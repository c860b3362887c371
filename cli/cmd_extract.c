// SPDX-License-Identifier: MIT
/* flowforest extract: flow features from captures, as the kernel computes them. */
#include <stdio.h>

#include "commands.h"
#include "flow_args.h"

static const char doc[] =
	"Compute flow features from captures with the kernel's own code.\v"
	"Reads pcap and pcapng files in order, as one stream, on the capture's\n"
	"clock, and writes one CSV row per flow snapshot: at each checkpoint (the\n"
	"packet counts the kernel classifies at), at TCP FIN/RST, when a flow\n"
	"restarts after the idle timeout, and for every flow at the end of the\n"
	"capture. Columns: Flow ID, Src IP, Src Port, Dst IP, first_us, ts_us,\n"
	"reason, the features (CICFlowMeter names where they exist; see\n"
	"docs/features.md), Label, and with --model the twin's class and score\n"
	"(permille). Src is the flow's initiator.\n"
	"\n"
	"With --format cic, one row per flow in CICFlowMeter's columns and order\n"
	"(as CIC-IDS2017 improved: Flow ID, Src IP, ..., Timestamp in UTC, the\n"
	"features, Label), and CICFlowMeter's flow termination: a flow ends 120 s\n"
	"(--flow-timeout) after its first packet, TCP teardown stays in the flow;\n"
	"one-packet flows are not written. Integers: the floor of CIC's value\n"
	"(docs/cic-definitions.md).\n"
	"\n"
	"Label rules: LABEL:COND,... with src=CIDR dst=CIDR host=CIDR sport=N\n"
	"dport=N port=N proto=tcp|udp|icmp|icmpv6|N time=FROM-TO (Unix seconds).\n"
	"\n"
	"EXAMPLES:\n"
	"  flowforest extract --pcap day1.pcap -o flows.csv\n"
	"  flowforest extract a.pcap b.pcapng -l syn_flood:src=10.9.0.0/16,dport=80 -o flows.csv\n"
	"  flowforest extract --pcap lab.pcap --labels lab.rules --model m.json -o scored.csv\n"
	"  flowforest extract --pcap day1.pcap --model m.json -o /dev/null --ipfix 127.0.0.1:4739\n"
	"  flowforest extract --format cic day1.pcap -L day1.rules -o day1_cic.csv\n"
	"\n"
	"--ipfix and --eve send the records and alerts `run` would have sent for the\n"
	"traffic in the capture, on the capture's clock (docs/ipfix.md, docs/eve.md).";

int cmd_extract(int argc, char **argv)
{
	return flow_args_main(argc, argv, doc, "extract", false);
}
