#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# The small end-to-end demo: two network namespaces joined by a veth pair,
# `flowforest run --hook xdp` with the hand-written model on b's side, and
# traffic from a: normal pings (pass), a ping flood (dropped from the 32nd
# packet on, the first checkpoint after it exceeds 20 packets), UDP to port
# 5000 (delivered) and to 9999 (a "udp_probe": dropped).
#
# Usage (root, from the repository root, after `make all`):
#   bash lab/demo-small.sh
# Exits 0 when every expectation holds, 1 otherwise. Takes about 5 seconds;
# everything is bounded in time, and the namespaces are removed on any exit.
# shellcheck disable=SC2317  # check, trap handlers: called indirectly
set -uo pipefail
cd "$(dirname "$0")/.." || exit 1

FF=./flowforest
MODEL=lab/models/handwritten.json
P=ffdemo$$
P=${P:0:14}
. lab/netns.sh

NS_A=$(ff_lab_ns "$P" a) NS_B=$(ff_lab_ns "$P" b)
DEV_A=$(ff_lab_dev "$P" a) DEV_B=$(ff_lab_dev "$P" b)
A4=$FF_LAB_V4_A B4=$FF_LAB_V4_B

checks=0 failed=0
ff_pid=
lab_up=0
tmp=

if [ -t 1 ]; then
	B=$'\e[1m' G=$'\e[32m' R=$'\e[31m' D=$'\e[2m' N=$'\e[0m'
else
	B='' G='' R='' D='' N=''
fi

say() { printf '%s\n' "$*"; }
phase() { printf '\n%s%s%s\n' "$B" "$*" "$N"; }
detail() { printf '    %s\n' "$*"; }

# check DESCRIPTION COMMAND...: run COMMAND, count and print the result.
check() {
	local what=$1
	shift
	checks=$((checks + 1))
	if "$@"; then
		printf '    %sok%s    %s\n' "$G" "$N" "$what"
	else
		failed=$((failed + 1))
		printf '    %sFAIL%s  %s\n' "$R" "$N" "$what"
	fi
}

cleanup() {
	local rc=$? _
	trap - EXIT INT TERM
	listen_stop
	if [ -n "$ff_pid" ] && kill -0 "$ff_pid" 2>/dev/null; then
		kill -INT "$ff_pid" 2>/dev/null
		for _ in $(seq 50); do kill -0 "$ff_pid" 2>/dev/null || break; sleep 0.1; done
		kill -9 "$ff_pid" 2>/dev/null
		wait "$ff_pid" 2>/dev/null
	fi
	[ "$lab_up" = 1 ] && ff_lab_down "$P"
	[ -n "$tmp" ] && rm -rf "$tmp"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

die() { printf '%sdemo-small: %s%s\n' "$R" "$*" "$N" >&2; exit 1; }

# A value of a flat JSON object (one event or the counters line).
jget() {
	local re="\"$2\":(\"([^\"]*)\"|([^,}]*))"
	if [[ $1 =~ $re ]]; then
		if [ -n "${BASH_REMATCH[2]}" ]; then echo "${BASH_REMATCH[2]}"; else echo "${BASH_REMATCH[3]}"; fi
	fi
}

# One event as a line: class, action, tuple, packets.
pretty_event() {
	local l=$1 proto src dst sport dport tuple was=
	proto=$(jget "$l" proto) src=$(jget "$l" src) dst=$(jget "$l" dst)
	sport=$(jget "$l" sport) dport=$(jget "$l" dport)
	case "$proto" in
	tcp | udp)
		[[ $src == *:* ]] && src="[$src]" dst="[$dst]"
		tuple="$proto $src:$sport -> $dst:$dport" ;;
	icmp | icmpv6)
		tuple="$proto $src -> $dst"
		[ "$sport" != 0 ] && tuple="$tuple id $sport" ;;
	*) tuple="$proto $src -> $dst" ;;
	esac
	[ "$(jget "$l" event)" = changed ] && was=" (was $(jget "$l" prev_class))"
	printf '%-10s %-6s %-46s %4s%s\n' "$(jget "$l" class)" "$(jget "$l" action)" \
		"$tuple" "$(jget "$l" pkts)" "$was"
}

# has_event CLASS ACTION PROTO DPORT|"" [PKTS]: such an event was printed.
has_event() {
	local l
	while IFS= read -r l; do
		[ "$(jget "$l" class)" = "$1" ] && [ "$(jget "$l" action)" = "$2" ] &&
			[ "$(jget "$l" proto)" = "$3" ] &&
			{ [ -z "$4" ] || [ "$(jget "$l" dport)" = "$4" ]; } &&
			{ [ -z "${5:-}" ] || [ "$(jget "$l" pkts)" = "$5" ]; } && return 0
	done < "$tmp/events"
	return 1
}

# Events flowforest printed since the last call.
events_seen=0
new_events() {
	local n l
	sleep 0.3	# flowforest polls its ring buffer every 100 ms
	n=$(wc -l < "$tmp/events")
	[ "$n" -gt "$events_seen" ] || { detail "${D}event:${N} none"; return; }
	while IFS= read -r l; do
		detail "${D}event:${N} $(pretty_event "$l")"
	done < <(sed -n "$((events_seen + 1)),${n}p" "$tmp/events")
	events_seen=$n
}

# UDP listener in b: `nc -u -l` into a file; returns once it is bound.
# listen_stop ends it.
listener=
listen_b() {
	local port=$1 out=$2 _
	ip netns exec "$NS_B" timeout 10 nc -d -u -l "$B4" "$port" > "$out" 2>/dev/null &
	listener=$!
	for _ in $(seq 50); do
		ip netns exec "$NS_B" ss -Hlun "sport = :$port" 2>/dev/null | grep -q . && return 0
		sleep 0.1
	done
	return 1
}

listen_stop() {
	[ -n "$listener" ] || return 0
	{ kill "$listener" && wait "$listener"; } 2>/dev/null
	listener=
}

file_has() { grep -q -- "$2" "$1" 2>/dev/null; }
file_empty() { [ ! -s "$1" ]; }
is() { [ "$1" = "$2" ]; }

# ---- preconditions -------------------------------------------------------------

[ "$(id -u)" = 0 ] || die "needs root (network namespaces and BPF): sudo bash lab/demo-small.sh"
[ -x "$FF" ] || die "$FF not found: run \`make all\` first (and run this from the repository root)"
[ -r "$MODEL" ] || die "$MODEL not found"
for c in ip tc ping nc ss timeout; do
	command -v "$c" > /dev/null || die "'$c' is missing (apt-get install iproute2 iputils-ping netcat-openbsd coreutils)"
done
tmp=$(mktemp -d /tmp/ff-demo.XXXXXX) || die "mktemp failed"
start=$SECONDS

say "${B}flowforest small demo${N}: XDP classifier with $MODEL"
say "  benign: pass   udp_probe (UDP to port 9999): drop   ping_flood (ICMP, > 20 packets): drop"
say "  flows are classified at their 1st, 2nd, 4th, 8th, 16th, 32nd, ... packet"

# ---- lab ----------------------------------------------------------------------

phase "[lab] two namespaces and a veth pair"
lab_up=1
ff_lab_up "$P" || die "cannot create the namespaces (ff_lab_up $P)"
detail "$NS_A: $DEV_A $A4  <--veth-->  $NS_B: $DEV_B $B4"

phase "[attach] flowforest run --hook xdp on $DEV_B (in $NS_B)"
ip netns exec "$NS_B" "$FF" run --iface "$DEV_B" --hook xdp --model "$MODEL" \
	--json --interval 0 --duration 45 > "$tmp/events" 2> "$tmp/stderr" &
ff_pid=$!
for _ in $(seq 150); do
	grep -q "attached to" "$tmp/stderr" && break
	kill -0 "$ff_pid" 2>/dev/null || break
	sleep 0.1
done
grep -q "attached to" "$tmp/stderr" || { cat "$tmp/stderr" >&2; die "flowforest did not attach"; }
detail "$(grep "attached to" "$tmp/stderr" | sed 's/; Ctrl-C to stop//')"
detail "ip link: $(ip -n "$NS_B" link show dev "$DEV_B" | grep -o 'prog/xdp[a-z]* id [0-9]*' | head -1) on $DEV_B"

# ---- 1: normal pings ---------------------------------------------------------------

phase "[1/4] a pings b 3 times: a benign flow, passed"
out=$(ff_lab_exec "$P" a ping -n -c 3 -i 0.2 -W 1 "$B4" 2>&1)
loss=$(grep 'packets transmitted' <<< "$out")
detail "ping: $loss"
new_events
check "all 3 pings answered" is "$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<< "$loss")" 3

# ---- 2: ping flood ---------------------------------------------------------------

phase "[2/4] a floods b: 60 pings at 10 ms intervals"
detail "expected: packets 1-31 pass; at the 32nd (a checkpoint, > 20 packets) the flow becomes ping_flood and is dropped"
out=$(ff_lab_exec "$P" a ping -n -q -c 60 -i 0.01 -W 1 "$B4" 2>&1)
loss=$(grep 'packets transmitted' <<< "$out")
detail "ping: $loss"
new_events
received=$(sed -n 's/.* \([0-9]*\) received.*/\1/p' <<< "$loss")
check "31 of 60 answered, the rest dropped" is "${received:-?}" 31
check "event: the ping flow became ping_flood/drop at packet 32" has_event ping_flood drop icmp "" 32

# ---- 3: UDP to 5000 ---------------------------------------------------------------

phase "[3/4] a sends a UDP datagram to b port 5000: benign, delivered"
listen_b 5000 "$tmp/rx5000" || die "the listener on port 5000 did not start"
ff_lab_exec "$P" a bash -c "echo 'hello, port 5000' > /dev/udp/$B4/5000"
for _ in $(seq 30); do file_has "$tmp/rx5000" hello && break; sleep 0.1; done
detail "listener on $B4:5000 got: $(head -c 100 "$tmp/rx5000")"
listen_stop
new_events
check "the datagram arrived" file_has "$tmp/rx5000" "hello, port 5000"

# ---- 4: UDP to 9999 ---------------------------------------------------------------

phase "[4/4] a sends UDP datagrams to b port 9999: udp_probe, dropped"
listen_b 9999 "$tmp/rx9999" || die "the listener on port 9999 did not start"
ff_lab_exec "$P" a bash -c "exec 3>/dev/udp/$B4/9999; for i in 1 2 3; do echo 'probe \$i' >&3; sleep 0.05; done"
sleep 0.5
if file_empty "$tmp/rx9999"; then
	detail "listener on $B4:9999 got nothing (0 bytes)"
else
	detail "listener on $B4:9999 got: $(head -c 100 "$tmp/rx9999")"
fi
listen_stop
new_events
check "nothing arrived on port 9999" file_empty "$tmp/rx9999"
check "event: udp_probe/drop for port 9999" has_event udp_probe drop udp 9999
check "event: benign/pass for port 5000" has_event benign pass udp 5000

# ---- stop ----------------------------------------------------------------------

phase "[stop] SIGINT to flowforest"
kill -INT "$ff_pid"
ff_rc=
for _ in $(seq 50); do
	kill -0 "$ff_pid" 2>/dev/null || { wait "$ff_pid"; ff_rc=$?; break; }
	sleep 0.1
done
ff_pid_done=$ff_pid
[ -n "$ff_rc" ] && ff_pid=
detail "$(grep 'detaching' "$tmp/stderr")"
check "flowforest exited with status 0" is "${ff_rc:-still running}" 0

phase "[events] every event flowforest printed"
detail "$(printf '%-10s %-6s %-46s %4s' CLASS ACTION TUPLE PKTS)"
while IFS= read -r l; do detail "$(pretty_event "$l")"; done < "$tmp/events"
detail "${D}(icmpv6 to ff02::... is the kernel's own IPv6 housekeeping: neighbour discovery, MLD)${N}"

phase "[counters] final"
c=$(grep '^{' "$tmp/stderr" | tail -n 1)
detail "packets $(jget "$c" packets)  bytes $(jget "$c" bytes)  flows $(jget "$c" flows_created)  classifications $(jget "$c" classifications)  events $(jget "$c" events) (lost $(jget "$c" events_lost))"
detail "dropped $(jget "$c" dropped)  alerted $(jget "$c" alerted)  not-ip $(jget "$c" not_ip)"
[[ $c =~ \"class_pkts\":\{([^}]*)\} ]] && detail "packets by class: $(tr -d '"' <<< "${BASH_REMATCH[1]}" | sed 's/,/  /g; s/:/ /g')"
counters_ok() { [ "$(jget "$c" packets)" -gt 0 ] && [ "$(jget "$c" dropped)" -gt 0 ]; } 2>/dev/null
check "final counters: packets > 0, dropped > 0" counters_ok

# ---- clean up ----------------------------------------------------------------------

phase "[clean up]"
xdp=$(ip -n "$NS_B" link show dev "$DEV_B" | grep -o 'xdp.*' || true)
detail "ip -n $NS_B link show dev $DEV_B: ${xdp:-no XDP program}"
check "no XDP program left on $DEV_B (pid $ff_pid_done is gone)" is "$xdp" ""
ff_lab_down "$P"
lab_up=0
left=$(ip netns list | grep -E "^($NS_A|$NS_B)( |\$)" || true)
check "namespaces $NS_A and $NS_B removed" is "$left" ""

say ""
if [ "$failed" -eq 0 ]; then
	say "${G}${B}demo-small: all $checks checks passed${N} in $((SECONDS - start))s"
	exit 0
fi
say "${R}${B}demo-small: $failed of $checks checks FAILED${N}"
exit 1
