// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The baselines for per-packet cost: programs that only pass, one per hook
 * type (XDP, TC, socket filter). */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bench_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

SEC("tc")
int bench_pass_tc(struct __sk_buff *skb)
{
	return TC_ACT_OK;
}

SEC("socket")
int bench_pass_socket(struct __sk_buff *skb)
{
	return skb->len;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
