#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# lab/holdout.sh: labelled captures of attacks made otherwise than the lab
# (lab/lab.sh, lab/plan.py) makes them: other tools, other parameters,
# another network. A held-out test set for a model trained by `make demo`.
#
# shellcheck disable=SC2317  # cleanup and scenario functions: called indirectly
set -u

usage() {
	cat <<-'EOF'
	usage: sudo bash lab/holdout.sh [--out DIR] [--only S1,S2,...] [--seed N] [--list]

	Records one capture per scenario into DIR (default /work/holdout):
	DIR/SCENARIO.pcap and its label rules DIR/SCENARIO.rules (`flowforest
	extract --labels` syntax, CLASS/TOOL labels as lab/evaluate.py reads
	them), and DIR/scenarios.tsv (scenario, tool, parameters, seconds).

	Its own network, not the lab's: namespaces PREFIX-br (a bridge),
	PREFIX-srv (nginx :80 :443, sshd, dnsmasq, iperf3: lab_services_start of
	lab/lab.sh), PREFIX-cli (20 benign clients), PREFIX-atk (the attacker), in
	172.31.0.0/16 and fd31:31::/64:

	  server            172.31.0.10        fd31:31::10
	  benign clients    172.31.1.1-20      fd31:31::1:1-20   (the only benign sources)
	  attacker          172.31.66.5        fd31:31::66:5     (spoofs anything else)

	The capture is what the server receives (tcpdump -Q out on the bridge's
	port towards it), neighbour discovery and multicast (IPv4 and IPv6) left
	out. Label rules: everything from the benign clients' 172.31.1.0/24 and
	fd31:31::1:0/112 is benign; the attack is everything else towards the
	attacked service (address, protocol, port), or everything from the
	attacker's address for the attacks that do not spoof. Spoofed sources
	are drawn over the whole address space: lab/holdout_send.py never draws
	from the benign ranges; hping3 --rand-source and mausezahn -A rand may
	(a chance of about 1 in 2,000 per 8,000 packets that one such packet
	lands in the benign /24; docs/lab.md).

	Bounded: every tool by its packet count and a timeout; the whole run
	takes about 3 minutes. Needs root. Takes /tmp/ff-lab.lock (flock) for the
	run unless FF_LAB_LOCKED=1 says the caller holds it. Every namespace and
	process it made is removed on any exit, Ctrl-C included.

	Options:
	  --out DIR      where the captures go (created; existing captures of the
	                 chosen scenarios are replaced)
	  --only LIST    only these scenarios (comma-separated; --list names them)
	  --seed N       seed of the senders' random draws (default 1)
	  --prefix P     namespace prefix (default ho + the process id)
	  --list         list the scenarios and exit

	Examples:
	  sudo bash lab/holdout.sh --out /work/holdout
	  sudo bash lab/holdout.sh --out /tmp/ho --only syn-hping3-randsrc,benign-browse
	  python3 lab/evaluate.py --out /tmp/ev --model lab/out/model.json --holdout /work/holdout
	EOF
}

HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
OUT=/work/holdout
ONLY=
SEED=1
PREFIX=
LIST=0
while [ $# -gt 0 ]; do
	case $1 in
	--out) OUT=${2:?--out needs a directory}; shift ;;
	--only) ONLY=${2:?--only needs a list}; shift ;;
	--seed) SEED=${2:?--seed needs a number}; shift ;;
	--prefix) PREFIX=${2:?--prefix needs a name}; shift ;;
	--list) LIST=1 ;;
	-h | --help) usage; exit 0 ;;
	*) echo "holdout: unknown option '$1' (--help)" >&2; exit 2 ;;
	esac
	shift
done
[[ "$SEED" =~ ^[0-9]+$ ]] || { echo "holdout: --seed: not a number: '$SEED'" >&2; exit 2; }

# ---- the network -----------------------------------------------------------------

SRV4=172.31.0.10
SRV6=fd31:31::10
ATK4=172.31.66.5
ATK6=fd31:31::66:5
BENIGN4=172.31.1.0/24
BENIGN6=fd31:31::1:0/112
NCLI=20
NODES="srv cli atk"

# the scenarios, in the order they run: NAME CLASS/TOOL what (lab/lab.sh and
# lab/plan.py use none of these tools with these parameters)
SCENARIOS=(
	"benign-browse|benign|20 clients: curl over HTTP and HTTPS (IPv4 and IPv6), 1-4 files a connection (keep-alive), files 1 KB to 5 MB, ssh logins, dig lookups; 25 s"
	"benign-busy|benign|20 clients as browsers opening a page: 3-8 parallel connections each (curl -Z), HTTP or HTTPS, small files, every 0.3-1.5 s, their names looked up elsewhere (no DNS to this server); 25 s"
	"syn-hping3-randsrc|syn_flood/hping3-randsrc|hping3 -S --rand-source (the whole IPv4 space) -d 100 -w 29200 to :443, 8,000 SYNs at about 4,000/s"
	"syn-linuxopts|syn_flood/holdout_send-syn|lab/holdout_send.py syn: Linux-like options (MSS 1400, SACK, TS, wscale 10), window 64800, TTL 57, sources over the whole IPv4 space, to :80, 6,000 at 3,000/s"
	"syn-slow|syn_flood/holdout_send-slow|lab/holdout_send.py syn: the same fingerprint, sources over the whole IPv4 space, to :22, 800 at 100/s"
	"syn6-linuxopts|syn_flood/holdout_send-syn6|lab/holdout_send.py syn over IPv6: sources over 2000::/3, to [fd31:31::10]:443, 4,000 at 2,000/s"
	"scan-connect-nc|portscan/nc-z|nc -z (netcat-openbsd): a TCP connect scan of ports 1-2500, one after the other"
	"scan-udp-nmap|portscan/nmap-sU|nmap -sU: a UDP scan of ports 1-2000 at 500-1,000 probes/s"
	"udp-iperf3-oneflow|udp_flood/iperf3-udp|iperf3 -u -b 40M -l 1000 for 3 s: a one-flow UDP flood to :5201 (plus iperf3's TCP control connection, labelled udp_flood/iperf3-control)"
	"udp-mausezahn-randsrc|udp_flood/mausezahn|mausezahn -A rand: UDP from port 53000 of a random IPv4 source to ports 1-4000, twice (a new random source each time), 300 bytes of payload, at most 6,600/s"
	"amp-dns|udp_flood/dns-amp|lab/holdout_send.py dns: DNS ANY responses of 900-1,400 bytes from port 53 of 300 reflectors over the whole IPv4 space, each to a random port, 6,000 at 2,000/s"
	"amp-ntp|udp_flood/ntp-amp|lab/holdout_send.py ntp: NTP monlist responses (468-byte packets) from port 123 of 300 reflectors, 20 each to one port, 6,000 at 2,000/s"
	"icmp-hping3-randsrc|icmp_flood/hping3-randsrc|hping3 -1 --rand-source -d 1000: ICMP echo from the whole IPv4 space, 5,000 at about 3,000/s"
	"icmp-sizes|icmp_flood/holdout_send-icmp|lab/holdout_send.py icmp: echo requests of 1, 18 or 1472 bytes of data in turn, random sources and ids, 5,000 at 2,500/s"
	"icmp6-spoofed|icmp_flood/holdout_send-icmp6|lab/holdout_send.py icmp over IPv6: ICMPv6 echo of 64 or 1232 bytes from 2000::/3, 4,000 at 2,000/s"
	"icmp6-pingflood|icmp_flood/ping6-f|ping -6 -f -s 1000: an ICMPv6 echo flood from the attacker's own address, 3,000 requests (one flow)"
	"http-ab|http_flood/ab|ab (apache2-utils): 3,000 GETs of / over 20 concurrent connections, one request a connection (HTTP/1.0)"
	"http-ab-keepalive|http_flood/ab-k|ab -k: 6,000 GETs of /f/1k over 10 keep-alive connections"
	"http-py|http_flood/py-get|a Python HTTP/1.1 GET flood (http.client): 8 threads, 2,400 requests of random query strings, 1-3 a connection, browser-like headers"
	"http-nc|http_flood/nc-http10|nc (netcat-openbsd): bare HTTP/1.0 GETs with no header, 4 loops of 200, one connection each"
	"http-wget|http_flood/wget-i|wget -i: 6 wgets fetching 300 URLs each over keep-alive connections"
	"slowloris-py|slow_http/py-slowloris|a Python slowloris: 120 connections, a partial request each, then one header line every 3-7 s, for 12 s"
	"slowloris-nc|slow_http/nc-slowloris|nc: 80 connections, a partial request each, then a header line every 4 s, 3 times"
	"ssh-nmap-brute|ssh_bruteforce/nmap-ssh-brute|nmap --script ssh-brute: 30 passwords for 3 users, for 25 s at most"
)

if [ "$LIST" = 1 ]; then
	for s in "${SCENARIOS[@]}"; do IFS='|' read -r n t w <<< "$s"; printf '%-24s %-34s %s\n' "$n" "$t" "$w"; done
	exit 0
fi
if [ -n "$ONLY" ]; then
	for n in ${ONLY//,/ }; do
		printf '%s\n' "${SCENARIOS[@]}" | grep -q "^$n|" ||
			{ echo "holdout: unknown scenario '$n' (--list)" >&2; exit 2; }
	done
fi
[ "$(id -u)" = 0 ] || { echo "holdout: needs root (namespaces, raw sockets)" >&2; exit 1; }
if [ "${FF_LAB_LOCKED:-0}" != 1 ]; then
	exec env FF_LAB_LOCKED=1 flock -w 900 /tmp/ff-lab.lock bash "$0" --out "$OUT" --seed "$SEED" \
		${ONLY:+--only "$ONLY"} ${PREFIX:+--prefix "$PREFIX"}
fi
for c in ip tcpdump hping3 nmap nc iperf3 mausezahn ab curl dig sshpass ssh nginx sshd dnsmasq python3 ping; do
	command -v "$c" > /dev/null || [ -x "/usr/sbin/$c" ] ||
		{ echo "holdout: '$c' is missing (sudo bash scripts/install-deps.sh)" >&2; exit 1; }
done

# lab.sh: the server's services (lab_services_start), on this network's addresses
# shellcheck source=lab/lab.sh
. "$HERE/lab.sh"
LAB_SRV4=$SRV4
LAB_SRV6=$SRV6
P=${PREFIX:-ho$(($$ % 100000))}
_lab_prefix_ok "$P" || exit 2
ns() { echo "$P-$1"; }
x() { local n=$1; shift; timeout --kill-after=2 "${T:-60}" ip netns exec "$(ns "$n")" "$@"; }

CAP_PID=
TMP=
PART=	# the scenario being recorded: its unfinished files go on failure
ho_down() {
	local n pids _
	for n in $NODES br; do
		[ -e "/run/netns/$(ns "$n")" ] || continue
		for _ in 1 2 3 4 5; do
			pids=$(timeout 5 ip netns pids "$(ns "$n")" 2>/dev/null) || true
			[ -n "$pids" ] || break
			# shellcheck disable=SC2086
			kill -9 $pids 2>/dev/null
			sleep 0.1
		done
		timeout 10 ip netns delete "$(ns "$n")" 2> /dev/null
	done
}
cleanup() {
	trap '' INT TERM
	[ -n "$CAP_PID" ] && kill -9 "$CAP_PID" 2> /dev/null
	ho_down
	[ -n "$TMP" ] && rm -rf "$TMP"
	[ -n "$PART" ] && rm -f "$PART.pcap.part" "$PART.rules.part"
	return 0
}
trap cleanup EXIT
trap 'echo "holdout: interrupted, cleaning up" >&2; exit 130' INT
trap 'exit 143' TERM
die() { echo "holdout: $*" >&2; exit 1; }

ho_up() {
	local n a i br
	br=$(ns br)
	ip netns add "$br" && ip -n "$br" link set lo up && ip -n "$br" link add br0 type bridge &&
		ip -n "$br" link set br0 up || return 1
	for n in $NODES; do
		ip netns add "$(ns "$n")" && ip -n "$(ns "$n")" link set lo up &&
			ip -n "$br" link add "b-$n" type veth peer name eth0 netns "$(ns "$n")" &&
			ip -n "$br" link set "b-$n" master br0 && ip -n "$br" link set "b-$n" up &&
			ip -n "$(ns "$n")" link set eth0 gso_max_segs 1 &&
			ip -n "$(ns "$n")" link set eth0 up || return 1
	done
	ip -n "$(ns srv)" addr add "$SRV4/16" dev eth0 &&
		ip -n "$(ns srv)" addr add "$SRV6/64" dev eth0 nodad &&
		ip -n "$(ns atk)" addr add "$ATK4/16" dev eth0 &&
		ip -n "$(ns atk)" addr add "$ATK6/64" dev eth0 nodad || return 1
	for i in $(seq "$NCLI"); do
		echo "addr add 172.31.1.$i/16 dev eth0"
		echo "addr add fd31:31::1:$i/64 dev eth0 nodad"
	done | ip -n "$(ns cli)" -batch - || return 1
	# a real server's defaults (SYN cookies on), not the lab's weakened one
	for n in cli atk; do
		for a in $SRV4 $SRV6; do
			x "$n" ping -n -q -c1 -W2 "$a" > /dev/null 2>&1 ||
				x "$n" ping -n -q -c1 -W2 "$a" > /dev/null 2>&1 || { echo "no answer from $a in $n" >&2; return 1; }
		done
	done
	SRVMAC=$(ip -n "$(ns srv)" link show dev eth0 | awk '/link\/ether/ { print $2 }')
	ip -n "$(ns atk)" neigh replace "$SRV4" lladdr "$SRVMAC" dev eth0 nud permanent
}

cap_start() {
	ip netns exec "$(ns br)" tcpdump -i b-srv -Q out -s 0 -B 32768 -U -n -w "$1" \
		'not ip multicast and not ip6 multicast and not (icmp6 and ip6[40] >= 133 and ip6[40] <= 137)' > "$TMP/tcpdump.log" 2>&1 &
	CAP_PID=$!
	for _ in $(seq 50); do
		grep -q 'listening on' "$TMP/tcpdump.log" && return 0
		sleep 0.1
	done
	return 1
}
cap_stop() {
	sleep 0.5
	kill -INT "$CAP_PID" 2> /dev/null
	for _ in $(seq 50); do kill -0 "$CAP_PID" 2> /dev/null || break; sleep 0.1; done
	kill -9 "$CAP_PID" 2> /dev/null
	wait "$CAP_PID" 2> /dev/null
	CAP_PID=
	grep -E 'captured|dropped by kernel' "$TMP/tcpdump.log" | tr '\n' ' '
}

# ---- benign traffic --------------------------------------------------------------

pause() { sleep "$(awk -v a="$1" -v b="$2" -v r=$RANDOM 'BEGIN { printf "%.3f", a + (b - a) * r / 32767 }')"; }

FILES=(/f/1k /f/4k /f/16k /f/64k /f/256k /f/1m /f/2m /f/5m / /index.html /news.html /photo.jpg)
# browse I SECONDS: client I fetches 1-4 files a connection (curl reuses it:
# keep-alive), over HTTP or HTTPS, IPv4 or (one time in 5) IPv6, with pauses
browse() {
	local i=$1 end=$((SECONDS + $2)) a url args k
	while [ "$SECONDS" -lt "$end" ] && [ ! -e "$TMP/stop" ]; do
		a=172.31.1.$i url="http://$SRV4"
		case $((RANDOM % 5)) in
		0) a=fd31:31::1:$i url="http://[$SRV6]" ;;
		1 | 2) url="https://$SRV4" ;;
		esac
		args=()
		k=$((1 + RANDOM % 4))
		for _ in $(seq "$k"); do
			# the big files rarely: most pages are small
			if [ $((RANDOM % 8)) = 0 ]; then
				args+=(-o /dev/null "$url${FILES[$((5 + RANDOM % 3))]}")
			else
				args+=(-o /dev/null "$url${FILES[$(( (RANDOM % 9 + 8) % 12 ))]}")
			fi
		done
		T=15 x cli curl -sk -m 12 --interface "$a" -A "Mozilla/5.0 (holdout $i)" "${args[@]}" > /dev/null 2>&1
		pause 0.2 1.5
	done
}
# busy I SECONDS: client I as a browser opening pages: 3-8 parallel
# connections a page (curl -Z), small files, short pauses
busy() {
	local i=$1 end=$((SECONDS + $2)) url args
	while [ "$SECONDS" -lt "$end" ]; do
		url="http://$SRV4"
		[ $((RANDOM % 2)) = 0 ] && url="https://$SRV4"
		args=()
		for _ in $(seq $((3 + RANDOM % 6))); do
			args+=(-o /dev/null "$url${FILES[$(( (RANDOM % 9 + 8) % 12 ))]}")
		done
		T=12 x cli curl -sk -m 8 -Z --parallel-max 8 --interface "172.31.1.$i" \
			-A "Mozilla/5.0 (holdout busy $i)" "${args[@]}" > /dev/null 2>&1
		pause 0.3 1.5
	done
}
dns_lookups() {
	local i=$1 end=$((SECONDS + $2)) names=(lab.test www.lab.test mail.lab.test example.org)
	while [ "$SECONDS" -lt "$end" ] && [ ! -e "$TMP/stop" ]; do
		T=5 x cli dig +tries=1 +time=2 +short -b "172.31.1.$i" "@$SRV4" "${names[$((RANDOM % 4))]}" > /dev/null 2>&1
		pause 0.3 2
	done
}
ssh_logins() {
	local i=$1 n=$2 k
	for k in $(seq "$n"); do
		T=10 x cli sshpass -p "$LAB_SSH_PASS" ssh -F /dev/null -b "172.31.1.$i" \
			-o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=QUIET \
			-o ConnectTimeout=4 -o PubkeyAuthentication=no -o PreferredAuthentications=password \
			"$LAB_SSH_USER@$SRV4" "echo holdout-$k; ls / > /dev/null" > /dev/null 2>&1
		pause 1 3
	done
}
# background N SECONDS: N clients browsing and looking names up (in attack
# captures), until $TMP/stop exists
BG=()
background() {
	local i
	BG=()
	rm -f "$TMP/stop"
	for i in $(seq "$1"); do
		browse "$i" "$2" & BG+=($!)
		dns_lookups "$((i + 10))" "$2" & BG+=($!)
	done
}

# ---- scenarios: each sends, bounded; prints its label rules -----------------------

rules_head() {
	echo "# $1: label rules (flowforest extract --labels; first match wins)"
	echo "benign:src=$BENIGN4"
	echo "benign:src=$BENIGN6"
}
# lab/holdout_send.py, seeded by --seed and the scenario's number
send() {
	T=75 x atk python3 "$HERE/holdout_send.py" "$@" --dev eth0 --dst-mac "$SRVMAC" \
		--seed "$((SEED * 100 + SC_NUM))"
}
NOT_OURS=(--exclude 172.31.0.0/16 --exclude 10.0.0.0/8 --exclude 192.168.0.0/16)

sc_benign-browse() {
	local i pids=()
	for i in $(seq "$NCLI"); do browse "$i" 25 & pids+=($!); done
	for i in 3 7 11 15; do ssh_logins "$i" 3 & pids+=($!); done
	for i in $(seq 1 2 "$NCLI"); do dns_lookups "$i" 25 & pids+=($!); done
	wait "${pids[@]}"
	rules_head "$1"
}
sc_benign-busy() {
	local i pids=()
	# a web server's view: its clients' resolver is another host
	for i in $(seq "$NCLI"); do busy "$i" 25 & pids+=($!); done
	wait "${pids[@]}"
	rules_head "$1"
}
sc_syn-hping3-randsrc() {
	T=30 x atk hping3 -q -S -p 443 --rand-source -d 100 -w 29200 -c 8000 -i u250 "$SRV4" > /dev/null 2>&1
	rules_head "$1"; echo "$2:dst=$SRV4/32,proto=tcp,dport=443"
}
sc_syn-linuxopts() {
	send syn --dst "$SRV4" --port 80 --sources 0.0.0.0/0 "${NOT_OURS[@]}" --count 6000 --pps 3000
	rules_head "$1"; echo "$2:dst=$SRV4/32,proto=tcp,dport=80"
}
sc_syn-slow() {
	send syn --dst "$SRV4" --port 22 --sources 0.0.0.0/0 "${NOT_OURS[@]}" --count 800 --pps 100
	rules_head "$1"; echo "$2:dst=$SRV4/32,proto=tcp,dport=22"
}
sc_syn6-linuxopts() {
	send syn --dst "$SRV6" --port 443 --sources 2000::/3 --count 4000 --pps 2000
	rules_head "$1"; echo "$2:dst=$SRV6/128,proto=tcp,dport=443"
}
sc_scan-connect-nc() {
	T=60 x atk nc -z -w 1 -s "$ATK4" "$SRV4" 1-2500 > /dev/null 2>&1
	rules_head "$1"; echo "$2:src=$ATK4/32"
}
sc_scan-udp-nmap() {
	T=40 x atk nmap -sU -n -Pn --min-rate 500 --max-rate 1000 --max-retries 0 --host-timeout 30s \
		-S "$ATK4" -e eth0 -p 1-2000 "$SRV4" > /dev/null 2>&1
	rules_head "$1"; echo "$2:src=$ATK4/32"
}
sc_udp-iperf3-oneflow() {
	T=15 x atk iperf3 -u -c "$SRV4" -B "$ATK4" -p 5201 -b 40M -l 1000 -t 3 --connect-timeout 3000 \
		> /dev/null 2>&1
	rules_head "$1"
	echo "udp_flood/iperf3-control:src=$ATK4/32,proto=tcp"
	echo "$2:src=$ATK4/32,proto=udp"
}
sc_udp-mausezahn-randsrc() {
	T=30 x atk mausezahn eth0 -q -A rand -B "$SRV4" -b "$SRVMAC" -c 2 -d 150 -p 300 \
		-t udp "sp=53000,dp=1-4000" > /dev/null 2>&1
	rules_head "$1"; echo "$2:dst=$SRV4/32,proto=udp,sport=53000"
}
sc_amp-dns() {
	send dns --dst "$SRV4" --sources 0.0.0.0/0 "${NOT_OURS[@]}" --reflectors 300 --size 900-1400 \
		--count 6000 --pps 2000
	rules_head "$1"; echo "$2:dst=$SRV4/32,proto=udp,sport=53"
}
sc_amp-ntp() {
	send ntp --dst "$SRV4" --sources 0.0.0.0/0 "${NOT_OURS[@]}" --reflectors 300 --per-reflector 20 \
		--pps 2000
	rules_head "$1"; echo "$2:dst=$SRV4/32,proto=udp,sport=123"
}
sc_icmp-hping3-randsrc() {
	T=30 x atk hping3 -q -1 --rand-source -d 1000 -c 5000 -i u300 "$SRV4" > /dev/null 2>&1
	rules_head "$1"; echo "$2:dst=$SRV4/32,proto=icmp"
}
sc_icmp-sizes() {
	send icmp --dst "$SRV4" --sources 0.0.0.0/0 "${NOT_OURS[@]}" --sizes 1,18,1472 --count 5000 --pps 2500
	rules_head "$1"; echo "$2:dst=$SRV4/32,proto=icmp"
}
sc_icmp6-spoofed() {
	send icmp --dst "$SRV6" --sources 2000::/3 --sizes 64,1232 --count 4000 --pps 2000
	rules_head "$1"; echo "$2:dst=$SRV6/128,proto=icmpv6"
}
sc_icmp6-pingflood() {
	T=20 x atk ping -6 -n -q -f -s 1000 -c 3000 -w 10 -I "$ATK6" "$SRV6" > /dev/null 2>&1
	rules_head "$1"; echo "$2:src=$ATK6/128,proto=icmpv6"
}
sc_http-ab() {
	T=40 x atk ab -q -s 5 -n 3000 -c 20 -B "$ATK4" "http://$SRV4/" > /dev/null 2>&1
	rules_head "$1"; echo "$2:src=$ATK4/32"
}
sc_http-ab-keepalive() {
	T=40 x atk ab -q -k -s 5 -n 6000 -c 10 -B "$ATK4" "http://$SRV4/f/1k" > /dev/null 2>&1
	rules_head "$1"; echo "$2:src=$ATK4/32"
}
sc_http-py() {
	T=40 x atk python3 - "$SRV4" "$ATK4" <<-'EOF' > /dev/null 2>&1
	import http.client, random, sys, threading
	srv, me = sys.argv[1], sys.argv[2]
	H = {"User-Agent": "Mozilla/5.0 (Windows NT 10.0; Win64; x64) Gecko/20100101 Firefox/120.0",
	     "Accept": "text/html,*/*;q=0.8", "Accept-Language": "en-US,en;q=0.5"}
	def worker(k):
	    r = random.Random(k)
	    left = 300
	    while left > 0:
	        c = http.client.HTTPConnection(srv, 80, timeout=3, source_address=(me, 0))
	        try:
	            for _ in range(min(left, r.randint(1, 3))):
	                c.request("GET", "/?q=%d" % r.getrandbits(32), headers=H)
	                c.getresponse().read()
	                left -= 1
	        except OSError:
	            left -= 1
	        c.close()
	ts = [threading.Thread(target=worker, args=(k,)) for k in range(8)]
	for t in ts:
	    t.start()
	for t in ts:
	    t.join()
	EOF
	rules_head "$1"; echo "$2:src=$ATK4/32"
}
sc_http-nc() {
	# shellcheck disable=SC2016  # expanded by that shell
	T=60 x atk bash -c 'for j in 1 2 3 4; do
		for k in $(seq 200); do
			printf "GET /?%s-%s HTTP/1.0\r\n\r\n" "$j" "$k" | nc -N -w 3 -s "$1" "$2" 80 > /dev/null
		done &
	done; wait' nc "$ATK4" "$SRV4" > /dev/null 2>&1
	rules_head "$1"; echo "$2:src=$ATK4/32"
}
sc_http-wget() {
	seq 300 | sed "s|^|http://$SRV4/f/1k?|" > "$TMP/urls"
	# shellcheck disable=SC2016  # expanded by that shell
	T=60 x atk bash -c 'for j in 1 2 3 4 5 6; do
		wget -q -O /dev/null -T 3 -t 1 --bind-address="$1" -i "$2" &
	done; wait' wget "$ATK4" "$TMP/urls" > /dev/null 2>&1
	rules_head "$1"; echo "$2:src=$ATK4/32"
}
sc_slowloris-nc() {
	# shellcheck disable=SC2016  # expanded by that shell
	T=40 x atk bash -c 'for k in $(seq 80); do
		{ printf "GET /?%s HTTP/1.1\r\nHost: %s\r\nUser-Agent: Mozilla/5.0\r\n" "$k" "$2"
		  for r in 1 2 3; do sleep 4; printf "X-a-%s: %s\r\n" "$r" "$k"; done; } |
			nc -w 20 -s "$1" "$2" 80 > /dev/null &
		sleep 0.05
	done; wait' slow "$ATK4" "$SRV4" > /dev/null 2>&1
	rules_head "$1"; echo "$2:src=$ATK4/32"
}
sc_slowloris-py() {
	T=35 x atk python3 - "$SRV4" "$ATK4" <<-'EOF' > /dev/null 2>&1
	import random, socket, sys, time
	srv, me = sys.argv[1], sys.argv[2]
	r = random.Random(7)
	conns = []
	for i in range(120):
	    try:
	        s = socket.create_connection((srv, 80), timeout=3, source_address=(me, 0))
	        s.send(b"GET /?%d HTTP/1.1\r\nHost: %s\r\nUser-Agent: Mozilla/5.0\r\n" % (i, srv.encode()))
	        conns.append([s, time.monotonic() + r.uniform(3, 7)])
	    except OSError:
	        pass
	    time.sleep(0.02)
	end = time.monotonic() + 12
	while time.monotonic() < end:
	    for c in conns:
	        if c[1] <= time.monotonic():
	            try:
	                c[0].send(b"X-a%d: %d\r\n" % (r.randint(1, 9999), r.randint(1, 9999)))
	            except OSError:
	                pass
	            c[1] = time.monotonic() + r.uniform(3, 7)
	    time.sleep(0.1)
	EOF
	rules_head "$1"; echo "$2:src=$ATK4/32"
}
sc_ssh-nmap-brute() {
	local w=$TMP/brute
	mkdir -p "$w"
	printf '%s\n' root admin "$LAB_SSH_USER" > "$w/users"
	for i in $(seq 30); do echo "guess-$i"; done > "$w/pass"
	T=35 x atk nmap -n -Pn -p 22 -S "$ATK4" -e eth0 --script ssh-brute --script-args \
		"userdb=$w/users,passdb=$w/pass,brute.firstonly=true,unpwdb.timelimit=25s" \
		--host-timeout 30s "$SRV4" > "$w/nmap.log" 2>&1
	rules_head "$1"; echo "$2:src=$ATK4/32"
}

# ---- the run ------------------------------------------------------------------

mkdir -p "$OUT" || die "cannot create $OUT"
TMP=$(mktemp -d /tmp/ffholdout.XXXXXX) || die "mktemp failed"
chmod 755 "$TMP"
t_start=$SECONDS
echo "holdout: network $P (172.31.0.0/16, fd31:31::/64), captures to $OUT"
ho_up || die "cannot set up the network"
lab_services_start "$P" "$TMP/srv" || die "the services did not start"
[ -f "$OUT/scenarios.tsv" ] || printf 'scenario\tlabel\tseed\trecorded\tseconds\tpackets\twhat\n' > "$OUT/scenarios.tsv"
SC_NUM=0
for s in "${SCENARIOS[@]}"; do
	IFS='|' read -r name label what <<< "$s"
	SC_NUM=$((SC_NUM + 1))
	[ -z "$ONLY" ] || [[ ",$ONLY," == *",$name,"* ]] || continue
	t0=$SECONDS
	PART=$OUT/$name
	rm -f "$TMP/stop"
	cap_start "$OUT/$name.pcap.part" || die "tcpdump did not start: $(cat "$TMP/tcpdump.log")"
	[ "${label%%/*}" = benign ] || { background 5 600; sleep 0.5; }
	"sc_$name" "$name" "$label" > "$OUT/$name.rules.part"
	sleep 0.5
	touch "$TMP/stop"
	# (a bare `wait` would wait for tcpdump too)
	[ ${#BG[@]} = 0 ] || wait "${BG[@]}" 2> /dev/null
	BG=()
	for n in $NODES; do x "$n" ss -K -tn state connected > /dev/null 2>&1; done
	stats=$(cap_stop)
	mv "$OUT/$name.pcap.part" "$OUT/$name.pcap" && mv "$OUT/$name.rules.part" "$OUT/$name.rules"
	PART=
	pk=$(awk '{ print $1; exit }' <<< "$stats")
	# one line per scenario: a new recording replaces the old one's
	{
		grep -v "^$name	" "$OUT/scenarios.tsv"
		printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$name" "$label" "$SEED" "$(date -u +%FT%TZ)" \
			"$((SECONDS - t0))" "$pk" "$what"
	} > "$TMP/scenarios.tsv" && cat "$TMP/scenarios.tsv" > "$OUT/scenarios.tsv"
	echo "holdout: $name: $((SECONDS - t0)) s, $stats"
done
echo "holdout: done in $((SECONDS - t_start)) s"
