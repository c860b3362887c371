# SPDX-License-Identifier: MIT
# lab/netns.sh: a two-namespace lab for flowforest's tests and demos.
# Source it from bash:
#
#   . lab/netns.sh
#   ff_lab_up ff42 || exit 1         # namespaces ff42-a and ff42-b
#   ff_lab_exec ff42 a ping -c1 10.199.0.2
#   ff_lab_down ff42                 # idempotent, never fails
#
# Layout for PREFIX:
#
#   namespace PREFIX-a                     namespace PREFIX-b
#   PREFIXa 10.199.0.1/24, fd99::1/64 <--veth--> PREFIXb 10.199.0.2/24, fd99::2/64
#
# PREFIX: 1 to 14 characters of [A-Za-z0-9_] (a device name has at most 15).
# Only the two namespaces are touched; nothing in the calling namespace.
# Every command is bounded in time: FF_LAB_TIMEOUT seconds (default 10) for
# set-up and tear-down steps, FF_LAB_EXEC_TIMEOUT (default 60) for
# ff_lab_exec. To get the pid of a long-running process (to signal it), start
# it with `ip netns exec "$(ff_lab_ns PREFIX b)" CMD &` instead: ip execs CMD,
# so $! is CMD's pid.

FF_LAB_V4_A=10.199.0.1
FF_LAB_V4_B=10.199.0.2
FF_LAB_V6_A=fd99::1
FF_LAB_V6_B=fd99::2

# ff_lab_ns PREFIX a|b: the namespace's name.
ff_lab_ns() { printf '%s-%s\n' "$1" "$2"; }

# ff_lab_dev PREFIX a|b: the veth end inside that namespace.
ff_lab_dev() { printf '%s%s\n' "$1" "$2"; }

# ff_lab_addr PREFIX a|b [4|6]: the address of that side.
ff_lab_addr() {
	case "$2${3:-4}" in
	a4) echo "$FF_LAB_V4_A" ;;
	b4) echo "$FF_LAB_V4_B" ;;
	a6) echo "$FF_LAB_V6_A" ;;
	b6) echo "$FF_LAB_V6_B" ;;
	*) return 1 ;;
	esac
}

_ff_lab_t() { timeout --kill-after=2 "${FF_LAB_TIMEOUT:-10}" "$@"; }

_ff_lab_prefix_ok() {
	[[ "$1" =~ ^[A-Za-z0-9_]{1,14}$ ]] && return 0
	echo "ff_lab: bad prefix '$1' (1 to 14 characters of [A-Za-z0-9_])" >&2
	return 1
}

# ff_lab_exec PREFIX a|b CMD...: run CMD in that namespace, bounded in time.
ff_lab_exec() {
	local ns
	_ff_lab_prefix_ok "$1" || return 1
	ns=$(ff_lab_ns "$1" "$2")
	shift 2
	timeout --kill-after=2 "${FF_LAB_EXEC_TIMEOUT:-60}" ip netns exec "$ns" "$@"
}

# ff_lab_down PREFIX: kill whatever still runs in the two namespaces, delete
# them (the veth pair goes with them). Idempotent; always returns 0.
ff_lab_down() {
	local p=$1 side ns pids _
	_ff_lab_prefix_ok "$p" || return 0
	for side in a b; do
		ns=$(ff_lab_ns "$p" "$side")
		[ -e "/run/netns/$ns" ] || [ -e "/var/run/netns/$ns" ] || continue
		for _ in 1 2 3; do
			pids=$(_ff_lab_t ip netns pids "$ns" 2>/dev/null) || true
			[ -n "$pids" ] || break
			# shellcheck disable=SC2086
			kill -9 $pids 2>/dev/null || true
			sleep 0.1
		done
		_ff_lab_t ip netns delete "$ns" >/dev/null 2>&1 || true
	done
	return 0
}

# Both families answer from a to b (up to ~3 s). Addresses are added after
# the links are up: IPv6 addresses added to a down veth miss the first
# neighbour solicitation, which then costs a 1 s retransmission.
_ff_lab_ready() {
	local _
	for _ in 1 2 3; do
		_ff_lab_t ip netns exec "$1" ping -n -q -c1 -W1 "$FF_LAB_V4_B" >/dev/null 2>&1 &&
		_ff_lab_t ip netns exec "$1" ping -n -q -c1 -W1 "$FF_LAB_V6_B" >/dev/null 2>&1 &&
		return 0
	done
	echo "ff_lab: $FF_LAB_V4_B or $FF_LAB_V6_B does not answer from $1" >&2
	return 1
}

# ff_lab_up PREFIX: create the lab (removing a stale one of that PREFIX
# first). Returns non-zero, with nothing left behind, on failure.
ff_lab_up() {
	local p=$1 na nb da db
	_ff_lab_prefix_ok "$p" || return 1
	na=$(ff_lab_ns "$p" a) nb=$(ff_lab_ns "$p" b)
	da=$(ff_lab_dev "$p" a) db=$(ff_lab_dev "$p" b)
	ff_lab_down "$p"
	if ! {
		_ff_lab_t ip netns add "$na" &&
		_ff_lab_t ip netns add "$nb" &&
		_ff_lab_t ip -n "$na" link add "$da" type veth peer name "$db" netns "$nb" &&
		_ff_lab_t ip -n "$na" link set lo up &&
		_ff_lab_t ip -n "$nb" link set lo up &&
		_ff_lab_t ip -n "$na" link set "$da" up &&
		_ff_lab_t ip -n "$nb" link set "$db" up &&
		_ff_lab_t ip -n "$na" addr add "$FF_LAB_V4_A/24" dev "$da" &&
		_ff_lab_t ip -n "$nb" addr add "$FF_LAB_V4_B/24" dev "$db" &&
		_ff_lab_t ip -n "$na" addr add "$FF_LAB_V6_A/64" dev "$da" nodad &&
		_ff_lab_t ip -n "$nb" addr add "$FF_LAB_V6_B/64" dev "$db" nodad &&
		_ff_lab_ready "$na"
	}; then
		echo "ff_lab: cannot set up namespaces $na and $nb" >&2
		ff_lab_down "$p"
		return 1
	fi
	return 0
}
