// SPDX-License-Identifier: GPL-2.0 OR MIT
/* The baselines for per-packet cost: programs that only pass, one per hook
 * type (XDP, TC, socket filter), and one that reads the monotonic clock
 * before it passes (what every tracked packet pays for its time stamp:
 * the floor of the realistic mix's ratio to the empty program). */
#include <linux/bpf.h>
#include <linux/pkt_cls.h>
#include <bpf/bpf_helpers.h>

SEC("xdp")
int bench_pass(struct xdp_md *ctx)
{
	return XDP_PASS;
}

/* written, so that the clock is read */
__u64 bench_clock_ns;

SEC("xdp")
int bench_clock(struct xdp_md *ctx)
{
	bench_clock_ns = bpf_ktime_get_ns();
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
