// SPDX-License-Identifier: GPL-2.0 OR MIT
/* A flow lookup alone (bench_pipeline --only stages): the frame is a flow
 * key, looked up in an LRU hash of flowforest's key and value types, sized
 * and filled as the flow table is; nothing of the value is read. Against
 * ff_xdp on the same flows it splits the per-packet cost into the lookup
 * (bucket, element, key: cache and TLB misses) and everything after it. */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

/* for the key and value types only: the parser's glue (ff_load) is not
 * needed, nor defined */
#pragma clang diagnostic ignored "-Wundefined-internal"
#include "flowforest/flow.h"

struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, 65536);	/* set by bench_pipeline */
	__type(key, struct ff_flow_key);
	__type(value, struct ff_flow);
} bench_flows SEC(".maps");

SEC("xdp")
int bench_lookup(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data, *end = (void *)(long)ctx->data_end;
	struct ff_flow_key k;

	if (data + sizeof(k) > end)
		return XDP_ABORTED;
	__builtin_memcpy(&k, data, sizeof(k));
	return bpf_map_lookup_elem(&bench_flows, &k) ? XDP_PASS : XDP_DROP;
}

char LICENSE[] SEC("license") = "Dual MIT/GPL";
