// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The live-traffic generator's XDP program, run by bench/livegen.c with
 * BPF_PROG_TEST_RUN in live-frames mode (BPF_F_TEST_XDP_LIVE_FRAMES): every
 * frame of the template (Ethernet + IPv4 + UDP) gets the source address and
 * port of the next flow of a round-robin over gen_state.n_flows flows, a
 * fresh IPv4 header checksum, and goes out of the test run's interface
 * (XDP_TX: the kernel turns it into a redirect to that interface; on a veth
 * it arrives at the peer).
 *
 * livegen also attaches this program to the generator namespace's loopback
 * (generic XDP, where it passes everything: no frame there has the test
 * run's ifindex) only so that the program stays in the kernel's XDP
 * dispatcher: otherwise every test run adds and removes it, and each change
 * waits for an RCU grace period (milliseconds).
 *
 * With gap_fp set, frames are paced: one every gap_fp / 1024 ns.
 *
 * Flow f (0 <= f < n_flows) is 10.128.0.0 + (f >> 14) : 1024 + (f & 0x3fff),
 * so up to 16,384 ports per address and 2^21 flows in 10.128.0.0/11.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct gen_state {
	__u32 n_flows;	/* set by user space */
	__u32 next;	/* next flow */
	__u64 sent;	/* frames handed to XDP_TX */
	__u32 ifindex;	/* the test run's interface; anything else passes */
	__u32 pad;
	__u64 gap_fp;	/* pacing: ns between frames << 10, 0 = no pacing */
	__u64 next_fp;	/* when the next frame is due, ns << 10 */
	__u64 idle;	/* frames not sent (dropped) while waiting */
	/* Flood (livegen --flood): all frames but every est_every-th open a
	 * new flow (a spoofed source address and port each, to flood_port);
	 * the others are the n_flows established flows' (to est_port). */
	__u32 est_every;	/* 0: no flood */
	__u16 flood_port;
	__u16 est_port;
	__u64 flood_seq;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct gen_state);
} gen_state SEC(".maps");

#define ETH_HLEN 14

static __always_inline __u16 csum_fold(__u32 s)
{
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return (__u16)~s;
}

SEC("xdp")
int gen_tx(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	__u8 *ip = data + ETH_HLEN;
	__u16 *w = (__u16 *)ip;
	__u32 zero = 0, f, addr, sum = 0, sport, dport;
	struct gen_state *g;
	int i;

	if (data + ETH_HLEN + 20 + 8 > end)
		return XDP_ABORTED;
	g = bpf_map_lookup_elem(&gen_state, &zero);
	if (!g || g->n_flows == 0 || ctx->ingress_ifindex != g->ifindex)
		return XDP_PASS;
	/* Pacing: a frame that is not due yet is dropped at once (recycled
	 * by the test run), so the stream is smooth at nanosecond scale
	 * instead of coming in bursts that overflow the receiver's ring. */
	if (g->gap_fp) {
		__u64 now = bpf_ktime_get_ns() << 10;

		if (now < g->next_fp) {
			g->idle++;
			return XDP_DROP;
		}
		/* Late by more than 100 us (preempted): restart the schedule
		 * rather than send a burst. */
		if (now - g->next_fp > (100000ULL << 10))
			g->next_fp = now;
		g->next_fp += g->gap_fp;
	}
	if (g->est_every && g->sent % g->est_every) {
		__u64 s = g->flood_seq++;

		/* 11.0.0.0/8, 16,384 ports each: 2^38 flows before one repeats */
		addr = 0x0b000000u + ((s >> 14) & 0xffffff);
		sport = 1024 + (s & 0x3fff);
		dport = g->flood_port;
	} else {
		f = g->next;
		g->next = f + 1 >= g->n_flows ? 0 : f + 1;
		addr = 0x0a800000u + (f >> 14);		/* 10.128.0.0 + f / 16384 */
		sport = 1024 + (f & 0x3fff);
		dport = g->est_port;
	}
	g->sent++;

	ip[12] = addr >> 24;
	ip[13] = addr >> 16;
	ip[14] = addr >> 8;
	ip[15] = addr;
	ip[20] = sport >> 8;	/* UDP or TCP source port */
	ip[21] = sport & 0xff;
	if (g->est_every) {
		ip[22] = dport >> 8;
		ip[23] = dport & 0xff;
	}
	ip[10] = ip[11] = 0;
	for (i = 0; i < 10; i++)
		sum += w[i];
	w[5] = csum_fold(sum);
	return XDP_TX;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
