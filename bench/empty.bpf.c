// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The baseline for per-packet cost: an XDP program that only passes. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bench_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
