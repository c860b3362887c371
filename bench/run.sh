#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# bench/run.sh: every flowforest benchmark; writes bench/results.md (tables
# for a person) and bench/results.json (every figure, with units, machine,
# kernel, toolchain and the command). Run by `sudo make bench` after the
# build; about 10 minutes on a 2-core VM, bounded to 15.
#
#   1. per-packet cost with BPF_PROG_TEST_RUN (build/bench/bench_pipeline):
#      hooks against empty programs, the model from 1 to 256 trees and
#      depth 4 to 24 (ns/packet, load time, verified instructions), a
#      realistic mix (also through the user-space twin's code), the flow
#      table from 64k to 4M entries, a random flow's packet stage by stage
#      (the lookup alone first), memory of the maps
#   2. live throughput over a veth pair (build/bench/livegen): XDP, TC
#      ingress and socket filter against an XDP program that only passes,
#      1k / 100k / 1M flows, generator and receiver on different cores,
#      both SCHED_RR while measured (other processes cannot take their
#      core: the pass-only receiver is saturated, so received packets/s
#      is its capacity; livegen --no-rt to compare);
#      a flood of spoofed one-packet flows (SYN, UDP) with established
#      flows, dropped or not, with and without the one-packet fast path;
#      the kernel's run time per packet (kernel.bpf_stats_enabled), and at
#      100k flows with the model at first packets only (the checkpoints' share)
#   3. the user-space twin (flowforest twin, TPACKET_V3) on the same traffic:
#      at saturation, and paced so that it loses nothing (CPU per packet)
#   4. extraction speed (flowforest extract) on a generated capture
#
# Environment: FF_BENCH_QUICK=1 for a short smoke run (a minute or two;
# figures are not meant to be quoted), FF_BENCH_RUNS (live runs per point,
# default 3), FF_BENCH_DURATION (live window in seconds, default 3),
# FF_BENCH_PACED_RATE (frames/s of the paced XDP-vs-twin runs, default 100000).
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$(id -u)" -ne 0 ]; then
	echo "bench: needs root (BPF, network namespaces): sudo make bench" >&2
	exit 1
fi
for f in flowforest build/bench/bench_pipeline build/bench/livegen build/bench/livegen.bpf.o \
	build/bench/empty.bpf.o build/bench/mkmodel build/bench/mkpcap build/bench/bench_extract \
	build/bench/codegen_eval; do
	[ -e "$f" ] || { echo "bench: $f is missing; run make all first" >&2; exit 1; }
done

QUICK=${FF_BENCH_QUICK:-0}
RUNS=${FF_BENCH_RUNS:-3}
DURATION=${FF_BENCH_DURATION:-3}
WARMUP=1
FLOWS="1000 100000 1000000"
CONVS=310000			# about 3 million frames
PACED_RATE=${FF_BENCH_PACED_RATE:-100000}
if [ "$QUICK" = 1 ]; then
	RUNS=1 DURATION=1 FLOWS="1000 100000" CONVS=30000
fi
NCPU=$(nproc)
GEN_CPU=0
RX_CPU=$((NCPU > 1 ? 1 : 0))
START=$(date +%s)
DEADLINE=$((START + 14 * 60))	# stop starting new steps after 14 minutes

. lab/netns.sh
PREFIX=ffb$(($$ % 100000))
NS_A=$(ff_lab_ns "$PREFIX" a) NS_B=$(ff_lab_ns "$PREFIX" b)
DEV_A=$(ff_lab_dev "$PREFIX" a) DEV_B=$(ff_lab_dev "$PREFIX" b)
TMP=$(mktemp -d /tmp/ffbench.XXXXXX)
STATS_PREV=$(cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null || echo 0)
BG_PIDS=()

SAMPLER=
cleanup() {
	local p
	[ -n "$SAMPLER" ] && kill "$SAMPLER" 2>/dev/null
	for p in "${BG_PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
	done
	ff_lab_down "$PREFIX"
	# livegen restores it itself; this covers a livegen killed with -9
	echo "$STATS_PREV" > /proc/sys/kernel/bpf_stats_enabled 2>/dev/null || true
	rm -rf "$TMP"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

say() { printf '\n== %s (%ds)\n' "$*" $(($(date +%s) - START)); }
time_left() { [ "$(date +%s)" -lt "$DEADLINE" ]; }

# ---- the machine, and how busy it is before we start ----------------------
cpu_busy() {	# fraction of all CPUs busy over $1 seconds
	local a b
	a=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
	sleep "$1"
	b=$(awk '/^cpu /{print $2+$3+$4+$7+$8+$9, $2+$3+$4+$5+$6+$7+$8+$9}' /proc/stat)
	echo "$a $b" | awk '{d = $4 - $2; v = 0; if (d > 0) v = ($3 - $1) / d; printf "%.3f", v}'
}
say "machine"
BUSY_BEFORE=$(cpu_busy 2)
LOAD_BEFORE=$(cut -d' ' -f1-3 /proc/loadavg)
OTHERS=$(ps -eo pcpu=,comm= --sort=-pcpu | awk '$1 >= 5 {printf "%s%s %s%%", s, $2, $1; s=", "}' | head -c 300)
cat > "$TMP/machine.json" <<EOF
{"nproc": $NCPU,
 "cpu_model": "$(awk -F': ' '/model name/{print $2; exit}' /proc/cpuinfo | sed 's/"/\\"/g')",
 "memory_kib": $(awk '/MemTotal/{print $2}' /proc/meminfo),
 "kernel": "$(uname -r)",
 "clang": "$(clang --version | head -1 | sed 's/"/\\"/g')",
 "gcc": "$(gcc --version | head -1 | sed 's/"/\\"/g')",
 "libbpf": "$(dpkg-query -W -f='${Version}' libbpf1 2>/dev/null || pkg-config --modversion libbpf 2>/dev/null || echo unknown)",
 "bpftool": "$(bpftool version 2>/dev/null | head -1 | sed 's/"/\\"/g')",
 "hypervisor": "$(lscpu 2>/dev/null | awk -F': *' '/Hypervisor vendor/{print $2}')",
 "command": "sudo make bench (bash bench/run.sh)",
 "environment": "FF_BENCH_QUICK=$QUICK FF_BENCH_RUNS=$RUNS FF_BENCH_DURATION=$DURATION FF_BENCH_PACED_RATE=$PACED_RATE",
 "paced_rate": $PACED_RATE,
 "date": "$(date -u +%Y-%m-%dT%H:%M:%SZ)",
 "gen_cpu": $GEN_CPU, "rx_cpu": $RX_CPU,
 "cpu_busy_before": $BUSY_BEFORE,
 "loadavg_before": "$LOAD_BEFORE",
 "other_processes_before": "$OTHERS"}
EOF
cat "$TMP/machine.json"
if awk -v b="$BUSY_BEFORE" 'BEGIN {exit !(b > 0.15)}'; then
	echo "bench: warning: the machine is already $(awk -v b="$BUSY_BEFORE" 'BEGIN{printf "%d", b*100}')% busy" \
		"($OTHERS); figures will be noisy" >&2
fi

# the 1-minute load average every 5 s while we run: how busy others kept
# the machine (our own runs add about 1 to 2)
(while sleep 5; do cut -d' ' -f1 /proc/loadavg; done) > "$TMP/load_during.txt" &
SAMPLER=$!

# ---- the lab: two namespaces and a veth pair -------------------------------
say "lab $NS_A <-> $NS_B"
ff_lab_up "$PREFIX"

# ---- 1. per-packet cost ------------------------------------------------------
say "per-packet cost (BPF_PROG_TEST_RUN)"
# in the receiver's namespace, with an idle veth pair there: bench_pipeline
# keeps its XDP programs attached to it (see --keep-devs) so that test runs
# do not wait for RCU grace periods
timeout 10 ip -n "$NS_B" link add "${PREFIX}x" type veth peer name "${PREFIX}y"
PIPE_ARGS=(--keep-devs "${PREFIX}x,${PREFIX}y" --json "$TMP/pipeline.json")
[ "$QUICK" = 1 ] && PIPE_ARGS+=(--quick --runs 3)
ff_lab_exec_long() { timeout --kill-after=5 "$1" ip netns exec "$2" "${@:3}"; }
# 900 s: section 2 times every model twice (native forest, walk); 540 s ran out
# after the grid, at 9 min (2026-11-30)
ff_lab_exec_long 900 "$NS_B" build/bench/bench_pipeline "${PIPE_ARGS[@]}"

# the forest as generated BPF code against the data-driven walk (issue 14
# item 3): ns per model run and verified instructions, growing forests
: > "$TMP/codegen.jsonl"
for td in "4 4" "8 8" "16 12" "32 12" "128 16" "256 24"; do
	timeout 120 build/bench/codegen_eval $td 20000 >> "$TMP/codegen.jsonl" ||
		echo "bench: codegen_eval $td failed" >&2
done
cat "$TMP/codegen.jsonl"

# ---- 2. live throughput ------------------------------------------------------
MODEL=$TMP/forest-32x12.json
build/bench/mkmodel 32 12 "$MODEL"
FLOWS_CSV=$(echo "$FLOWS" | tr ' ' ',')
livegen() {	# livegen HOOK EXTRA-ARGS...
	local hook=$1
	shift
	ff_lab_exec_long 300 "$NS_B" build/bench/livegen --gen-netns "/run/netns/$NS_A" \
		--gen-dev "$DEV_A" --rx-dev "$DEV_B" --hook "$hook" --model "$MODEL" \
		--gen-cpu "$GEN_CPU" --rx-cpu "$RX_CPU" --warmup "$WARMUP" --duration "$DURATION" "$@"
}
for hook in pass xdp tc socket; do
	time_left || break
	say "live: $hook, flows $FLOWS_CSV, $RUNS runs"
	livegen "$hook" --flows "$FLOWS_CSV" --runs "$RUNS" --json "$TMP/live.jsonl"
	tail -n "$(($(echo "$FLOWS" | wc -w) * RUNS))" "$TMP/live.jsonl" | cut -c1-200
done
if time_left; then
	say "live: xdp, every class drops, flows $FLOWS_CSV, $RUNS runs"
	livegen xdp --drop --flows "$FLOWS_CSV" --runs "$RUNS" --json "$TMP/live.jsonl"
fi
# the flood: spoofed one-packet flows (SYN, UDP) with 1,000 established flows
# (livegen --flood): against the pass-only program on the same traffic, with
# every class dropping (the established clients in the allow list) and not,
# and without the one-packet fast path
EST=1000
for spec in "pass syn" "xdp syn --drop" "xdp syn" "xdp syn --drop --no-fast" "pass udp" \
	"xdp udp --drop"; do
	time_left || break
	set -- $spec
	say "live flood: $*, $EST established flows, $RUNS runs"
	livegen "$1" --flood "$2" "${@:3}" --flows "$EST" --runs "$RUNS" --json "$TMP/live.jsonl"
done
for hook in pass xdp tc socket; do
	time_left || break
	say "live: $hook with kernel.bpf_stats_enabled (run time per packet)"
	livegen "$hook" --flows "$FLOWS_CSV" --runs 1 --stats --json "$TMP/live_stats.jsonl"
done
# the checkpoints' share at 100,000 flows: the model at first packets only,
# against the xdp run time above
if time_left; then
	say "live: xdp, checkpoint at first packets only (--cp-first), run time per packet"
	livegen xdp --cp-first --flows 100000 --runs 1 --stats --json "$TMP/live_cpfirst.jsonl"
fi

# ---- 3. the user-space twin on the same traffic ------------------------------
# twin_run FLOWS OUT LIVEGEN-ARGS...: the twin on the receiving core, with
# the veth's NAPI thread (one core receives and classifies, as for the
# hooks), while livegen sends (--hook external: only the pass-only XDP
# program on the receiver). Both SCHED_RR (livegen makes its NAPI thread
# so): they take turns on the core and other processes do not take it, as
# for the kernel hooks.
twin_run() {
	local n=$1 out=$2
	shift 2
	timeout --kill-after=5 $((WARMUP + DURATION + 30)) ip netns exec "$NS_B" \
		taskset -c "$RX_CPU" chrt -r 1 ./flowforest twin --iface "$DEV_B" --model "$MODEL" \
		--flows "$n" --json --interval 0.25 --duration $((WARMUP + DURATION + 3)) \
		--quiet > "$out" &
	BG_PIDS+=($!)
	sleep 1
	livegen external --flows "$n" --runs 1 "$@"
	wait "${BG_PIDS[-1]}" || echo "bench: the twin failed (exit $?)" >&2
	BG_PIDS=()
	tail -n 1 "$out" | cut -c1-200
}
for n in $FLOWS; do
	for ((r = 0; r < RUNS; r++)); do
		time_left || break
		say "twin: $n flows, run $r"
		twin_run "$n" "$TMP/twin-$n-$r.jsonl" --json "$TMP/live_twin.jsonl"
	done
done
# CPU per packet with nothing lost: the same paced stream (PACED_RATE frames/s,
# low enough for the twin to take every frame) to XDP and to the twin
for n in $FLOWS; do
	time_left || break
	say "paced at $PACED_RATE frames/s: xdp, $n flows"
	livegen xdp --rate "$PACED_RATE" --flows "$n" --runs "$RUNS" --json "$TMP/paced.jsonl"
	for ((r = 0; r < RUNS; r++)); do
		time_left || break
		say "paced at $PACED_RATE frames/s: twin, $n flows, run $r"
		twin_run "$n" "$TMP/twin-paced-$n-$r.jsonl" --rate "$PACED_RATE" \
			--json "$TMP/paced_twin.jsonl"
	done
done

# ---- 4. extraction speed ---------------------------------------------------
if time_left; then
	say "extraction: generating a capture of $CONVS conversations"
	build/bench/mkpcap "$CONVS" "$TMP/big.pcap" > "$TMP/pcap_frames"
	echo "$(cat "$TMP/pcap_frames") frames, $(($(stat -c %s "$TMP/big.pcap") / 1048576)) MiB"
	cat "$TMP/big.pcap" > /dev/null		# in the page cache for every run
	say "extraction: flowforest extract on CPU $RX_CPU, CSV to /dev/null"
	: > "$TMP/extract_cli.txt"
	for ((r = 0; r < RUNS; r++)); do
		timeout 300 taskset -c "$RX_CPU" ./flowforest extract --pcap "$TMP/big.pcap" \
			-o /dev/null 2>&1 | tail -n 1 | tee -a "$TMP/extract_cli.txt"
	done
	say "extraction: library without CSV (parse + flow update), then with the model"
	timeout 300 taskset -c "$RX_CPU" build/bench/bench_extract --runs "$RUNS" --json \
		"$TMP/big.pcap" > "$TMP/extract_lib.json"
	cat "$TMP/extract_lib.json"
	timeout 300 taskset -c "$RX_CPU" build/bench/bench_extract --runs "$RUNS" --json \
		--model "$MODEL" "$TMP/big.pcap" > "$TMP/extract_lib_model.json"
	cat "$TMP/extract_lib_model.json"
	rm -f "$TMP/big.pcap"
fi

# ---- report -----------------------------------------------------------------
say "report"
BUSY_AFTER=$(cpu_busy 1)
LOAD_AFTER=$(cut -d' ' -f1-3 /proc/loadavg)
STATS_NOW=$(cat /proc/sys/kernel/bpf_stats_enabled 2>/dev/null || echo "?")
printf '{"cpu_busy_after": %s, "loadavg_after": "%s", "elapsed_s": %d, "bpf_stats_enabled_before": %s, "bpf_stats_enabled_after": "%s"}\n' \
	"$BUSY_AFTER" "$LOAD_AFTER" $(($(date +%s) - START)) "$STATS_PREV" "$STATS_NOW" > "$TMP/after.json"
python3 bench/report.py "$TMP" bench/results.json bench/results.md
echo
cat bench/results.md
