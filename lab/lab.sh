# shellcheck shell=bash disable=SC2034  # LAB_*: for the scripts that source this
# SPDX-License-Identifier: MIT
# lab/lab.sh: the traffic lab. A server, benign clients and attackers, each
# in its own network namespace, joined by a bridge in a namespace of its own;
# real services on the server, real tools as traffic sources.
#
# Source it from bash, or run it:
#
#   bash lab/lab.sh up PREFIX       # namespaces, bridge, addresses (no services)
#   bash lab/lab.sh status PREFIX   # what exists
#   bash lab/lab.sh down PREFIX     # kill everything in them, delete them
#
#   . lab/lab.sh
#   lab_up P && lab_services_start P "$dir/srv" && lab_capture_start P "$dir/x.pcap"
#   LAB_RESULTS=$dir/results.txt lab_mix P train 40     # or single pieces:
#   lab_browse P c1 10 200 900 & lab_attack_synflood P 5000 150 80 train; wait
#   lab_capture_stop; lab_services_stop P; lab_down P
#
# Layout (PREFIX: 1 to 8 characters of [A-Za-z0-9_]):
#
#   PREFIX-br    bridge br0; one veth port per node (b-NODE), no address
#   PREFIX-NODE  eth0, peer of b-NODE:
#
#   node   role                      training address   live address
#   srv    server: nginx, sshd,      10.199.0.10        (same)  fd99::10
#          iperf3, dnsmasq
#   c1     benign client             10.199.1.11        10.199.1.21  fd99::1:11
#   c2     benign client             10.199.1.12        10.199.1.22  fd99::1:12
#   nmap   nmap SYN scan             10.199.10.11       10.199.10.21
#   mscan  masscan                   10.199.10.12       10.199.10.22
#   synf   SYN floods                10.199.11.11       10.199.11.21  (spoofs .100-255, 10.128.0.0/11, fd99:11::/32)
#   udpf   UDP floods                10.199.12.11       10.199.12.21  (spoofs .100-255, 10.160.0.0/11, fd99:12::/32)
#   slow   slowhttptest (slowloris)  10.199.13.11       10.199.13.21
#   brute  hydra SSH brute force     10.199.14.11       10.199.14.21
#   t50    ICMP floods               10.199.15.11       10.199.15.21  (spoofs .100-255, 10.96.0.0/11, fd99:15::/32)
#
# Every node has both its addresses from the start; `lab_phase PREFIX
# train|live` picks the source address its traffic leaves with. One /16 on one
# bridge: no routing (the server's route to the floods' spread /11s goes to
# a gateway that does not exist, lab_spread), nothing outside these
# namespaces. Labels go by the
# attacker's /24 (lab_labels): the live phase uses other addresses of the same
# subnets, so its flows are labelled as well.
#
# Every command is bounded in time; every tool in its packet count too.

LAB_SRV4=10.199.0.10
LAB_SRV6=fd99::10
LAB_NET4=10.199.0.0/16
LAB_NET6=fd99::/64
LAB_SSH_USER=fflab
LAB_SSH_PASS='forest-Lab-42'
LAB_NODES="srv c1 c2 nmap mscan synf udpf slow brute t50 hfl"
LAB_ATTACKERS="nmap mscan synf udpf slow brute t50 hfl"
LAB_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
# Debian's python3, first: its python3-sklearn and python3-xgboost are the
# project's (Debian packages only). A python3 earlier in PATH, as pyenv's
# shims, starts in about 1.1 s (0.6 s of CPU) against 0.04 s, 2 cores,
# measured; a lab round starts dozens of Python tools, and pyenv's Python
# has no sklearn for the tests' comparisons.
[ -x /usr/bin/python3 ] && PATH=/usr/bin:$PATH
# benign clients of lab/benign.py: extra addresses of c1, per phase
LAB_BENIGN_N=40

# lab_addr NODE train|live: the node's IPv4 address in that phase.
lab_addr() {
	local t l
	case "$1" in
	srv) t=10.199.0.10 l=10.199.0.10 ;;
	c1) t=10.199.1.11 l=10.199.1.21 ;;
	c2) t=10.199.1.12 l=10.199.1.22 ;;
	nmap) t=10.199.10.11 l=10.199.10.21 ;;
	mscan) t=10.199.10.12 l=10.199.10.22 ;;
	synf) t=10.199.11.11 l=10.199.11.21 ;;
	udpf) t=10.199.12.11 l=10.199.12.21 ;;
	slow) t=10.199.13.11 l=10.199.13.21 ;;
	brute) t=10.199.14.11 l=10.199.14.21 ;;
	t50) t=10.199.15.11 l=10.199.15.21 ;;
	hfl) t=10.199.16.11 l=10.199.16.21 ;;
	*) return 1 ;;
	esac
	if [ "${2:-train}" = live ]; then echo "$l"; else echo "$t"; fi
}

# lab_addr6 NODE: the node's IPv6 address (benign nodes and the server only).
lab_addr6() {
	case "$1" in
	srv) echo fd99::10 ;;
	c1) echo fd99::1:11 ;;
	c2) echo fd99::1:12 ;;
	*) return 1 ;;
	esac
}

# The SYN flood spoofs an unused address of its subnet, as a flood does: the
# server's SYN-ACKs go nowhere and its half-open connections pile up.
lab_synflood_spoof() { if [ "${1:-train}" = live ]; then echo 10.199.11.199; else echo 10.199.11.99; fi; }

# lab_class NODE: the class of the traffic a node sends.
lab_class() {
	case "$1" in
	c1 | c2 | srv) echo benign ;;
	nmap | mscan) echo portscan ;;
	synf) echo syn_flood ;;
	udpf) echo udp_flood ;;
	slow) echo slow_http ;;
	brute) echo ssh_bruteforce ;;
	t50) echo icmp_flood ;;
	hfl) echo http_flood ;;
	*) return 1 ;;
	esac
}

# lab_labels: label rules for `flowforest extract --labels`, by the
# attacker's /24 (host=: either end, so the server's replies and ICMP errors
# to an attacker are the attacker's too). Everything else is benign.
lab_labels() {
	cat <<-'EOF'
	# flowforest label rules for the lab (lab/lab.sh): one /24 per attack class.
	# Training and live addresses of an attacker share its /24. Default: benign.
	portscan:host=10.199.10.0/24
	syn_flood:host=10.199.11.0/24
	udp_flood:host=10.199.12.0/24
	slow_http:host=10.199.13.0/24
	ssh_bruteforce:host=10.199.14.0/24
	icmp_flood:host=10.199.15.0/24
	http_flood:host=10.199.16.0/24
	EOF
	lab_spread | while read -r cls _ to; do echo "$cls:host=$to"; done
	lab_spread6 | while read -r cls to; do echo "$cls:host=$to"; done
	return 0
}

# lab_spread: CLASS FROM TO per flood: TO is the /11 its spoofing tools
# (lab/rawflood.py, t50) spread their sources over with LAB_SPREAD=1
# (lab/demo.sh --spread-floods), each flow from a
# network of its own, as a real spoofed flood comes from the whole address
# space (seen from one /24, a flood shows its sender; spread, only the
# receiver's context shows it). TO has its class's label rule (lab_labels),
# and the server's route to it goes nowhere (lab_up). FROM is the class's
# /24 (lab/pcaprewrite.py --spread FROM=TO rewrites a capture so).
LAB_SPREAD_GW=10.199.0.254	# no node has it
lab_spread() {
	cat <<-'EOF'
	syn_flood 10.199.11.0/24 10.128.0.0/11
	udp_flood 10.199.12.0/24 10.160.0.0/11
	icmp_flood 10.199.15.0/24 10.96.0.0/11
	EOF
}

# lab_spread6: CLASS PREFIX per flood: the /32 its IPv6 senders
# (lab/rawflood.py, nping -6) spoof their sources from (one address, a /64,
# a /48 or the whole /32: lab/plan.py draws it per segment); its label rule
# is the class's, and the server's route to it goes nowhere as for
# lab_spread.
LAB_SPREAD_GW6=fd99::fe	# no node has it
lab_spread6() {
	cat <<-'EOF'
	syn_flood fd99:11::/32
	udp_flood fd99:12::/32
	icmp_flood fd99:15::/32
	EOF
}

# lab_benign_sources train|live: lab/benign.py's client addresses (c1's
# extra ones), comma-separated: half of them in one /24 (a busy network:
# 10.199.2.x for training, 10.199.3.x live), half each alone in a /24 of its
# own (10.199.41-60.2, live .3), as clients come from many networks: a
# quiet network's first flows are not a scan.
lab_benign_sources() {
	local n=2 i h=$((LAB_BENIGN_N / 2)) out=
	[ "$1" = live ] && n=3
	for i in $(seq 1 "$LAB_BENIGN_N"); do
		if [ "$i" -le "$h" ]; then out+=,10.199.$n.$i; else out+=,10.199.$((40 + i - h)).$n; fi
	done
	echo "${out#,}"
}

# lab_dns_sources train|live: lab/benign.py's clients that only send DNS
# queries (10.199.71-80.2, live .3), each alone in a /24, c1's extra
# addresses too. A network that only asks DNS never comes back by
# ctx_src_return_age_us (a query is a flow's one packet), as a spoofed
# flood's never does; without them the lab's DNS clients all browsed too,
# and a storm of queries from networks whose first connection had not
# completed yet was named udp_flood (docs/lab.md, "DNS-only clients").
lab_dns_sources() {
	local n=2 i out=
	[ "$1" = live ] && n=3
	for i in $(seq 71 80); do out+=,10.199.$i.$n; done
	echo "${out#,}"
}

# lab_page_sources train|live [one|mixed]: lab/benign.py's browsers that
# never query the lab's DNS (their resolver is elsewhere, as most web
# clients' is), c1's extra addresses too: "one", a /24 of 20 whose pages all
# use one scheme (10.199.4.x for training, 10.199.5.x live); "mixed", a /24
# of 20 mixing HTTP and HTTPS (10.199.6.x, live 10.199.7.x) and 10 each alone
# in a /24 of its own (10.199.61-70.2, live .3); both without the third
# argument. Every other benign network sends DNS queries to the server; with
# only those, a busy /24 without one-packet flows was taught as a flood
# (docs/lab.md).
lab_page_sources() {
	local n=2 i out= w=${2:-both}
	[ "$1" = live ] && n=3
	[ "$w" = mixed ] || for i in $(seq 1 20); do out+=,10.199.$((n + 2)).$i; done
	[ "$w" = one ] || for i in $(seq 1 20) $(seq 61 70); do
		if [ "$i" -le 20 ]; then out+=,10.199.$((n + 4)).$i; else out+=,10.199.$i.$n; fi
	done
	echo "${out#,}"
}

# lab_tools SCHEDULE...: label rules CLASS/TOOL for lab/evaluate.py's
# leave-one-tool-out, one per tool run of the schedules (lab_mix's
# $LAB_SCHEDULE: the class's subnet while that tool ran; a class's tools run
# one after the other), then the classes of lab_labels for the flows outside
# every window (a late retransmission).
lab_tools() {
	local tool cls t0 t1 net
	echo "# flowforest lab: CLASS/TOOL per attack tool run, from the run's schedule"
	cat "$@" | while read -r tool cls t0 t1; do
		for net in $(lab_labels | sed -n "s/^$cls:host=//p"); do
			echo "$cls/$tool:host=$net,time=$t0-$(awk -v t="$t1" 'BEGIN { printf "%.2f", t + 1 }')"
		done
	done
	lab_labels | grep -v '^#'
}

lab_ns() { printf '%s-%s\n' "$1" "$2"; }

_lab_t() { timeout --kill-after=2 "${LAB_TIMEOUT:-10}" "$@"; }

_lab_prefix_ok() {
	[[ "$1" =~ ^[A-Za-z0-9_]{1,8}$ ]] && return 0
	echo "lab: bad prefix '$1' (1 to 8 characters of [A-Za-z0-9_])" >&2
	return 1
}

# lab_exec PREFIX NODE CMD...: CMD in the node's namespace, bounded in time
# (LAB_EXEC_TIMEOUT seconds, default 60) and, inside a mix, by its tool's
# slot (LAB_TOOL_END, in the mix's $SECONDS: _lab_chain): past it, CMD does
# not start (124, as timeout's).
lab_exec() {
	local ns t=${LAB_EXEC_TIMEOUT:-60}
	if [ -n "${LAB_TOOL_END:-}" ]; then
		[ "$SECONDS" -lt "$LAB_TOOL_END" ] || return 124
		[ $((LAB_TOOL_END - SECONDS)) -lt "$t" ] && t=$((LAB_TOOL_END - SECONDS))
	fi
	ns=$(lab_ns "$1" "$2")
	shift 2
	timeout --kill-after=2 "$t" ip netns exec "$ns" "$@"
}

# lab_exists PREFIX: some namespace of that lab exists.
lab_exists() {
	ip netns list 2>/dev/null | grep -qE "^$1-(br|$(tr ' ' '|' <<< "$LAB_NODES"))( |\$)"
}

# lab_down PREFIX: kill every process in the lab's namespaces, delete them.
# Idempotent; always returns 0.
lab_down() {
	local p=$1 n ns pids _
	_lab_prefix_ok "$p" || return 0
	for n in $LAB_NODES br; do
		ns=$(lab_ns "$p" "$n")
		[ -e "/run/netns/$ns" ] || [ -e "/var/run/netns/$ns" ] || continue
		for _ in 1 2 3 4 5; do
			pids=$(_lab_t ip netns pids "$ns" 2>/dev/null) || true
			[ -n "$pids" ] || break
			# shellcheck disable=SC2086
			kill -9 $pids 2>/dev/null || true
			sleep 0.1
		done
		_lab_t ip netns delete "$ns" >/dev/null 2>&1 || true
	done
	return 0
}

# lab_up PREFIX: create the lab (a stale one of that PREFIX is removed
# first). Non-zero, with nothing left behind, on failure.
lab_up() {
	local p=$1 br n ns a
	_lab_prefix_ok "$p" || return 1
	command -v ip > /dev/null || { echo "lab: 'ip' (iproute2) is missing" >&2; return 1; }
	lab_down "$p"
	br=$(lab_ns "$p" br)
	if ! {
		_lab_t ip netns add "$br" &&
		_lab_t ip -n "$br" link set lo up &&
		_lab_t ip -n "$br" link add br0 type bridge &&
		_lab_t ip -n "$br" link set br0 up
	}; then
		echo "lab: cannot create the bridge namespace $br" >&2
		lab_down "$p"
		return 1
	fi
	for n in $LAB_NODES; do
		ns=$(lab_ns "$p" "$n")
		if ! {
			_lab_t ip netns add "$ns" &&
			_lab_t ip -n "$ns" link set lo up &&
			_lab_t ip -n "$br" link add "b-$n" type veth peer name eth0 netns "$ns" &&
			_lab_t ip -n "$br" link set "b-$n" master br0 &&
			_lab_t ip -n "$br" link set "b-$n" up &&
			# one frame per MSS, as on a real wire: no TSO/GSO super-frames,
			# so the capture and the XDP hook see the same packets
			_lab_t ip -n "$ns" link set eth0 gso_max_segs 1 &&
			_lab_t ip -n "$ns" link set eth0 up &&
			_lab_t ip -n "$ns" addr add "$(lab_addr "$n" train)/16" dev eth0 &&
			{ [ "$n" = srv ] || _lab_t ip -n "$ns" addr add "$(lab_addr "$n" live)/16" dev eth0; } &&
			{ ! a=$(lab_addr6 "$n") || _lab_t ip -n "$ns" addr add "$a/64" dev eth0 nodad; } &&
			{ [ "$n" != c1 ] || for a in $(lab_benign_sources train | tr , ' ') \
				$(lab_benign_sources live | tr , ' ') $(lab_page_sources train | tr , ' ') \
				$(lab_page_sources live | tr , ' ') $(lab_dns_sources train | tr , ' ') \
				$(lab_dns_sources live | tr , ' '); do echo "addr add $a/16 dev eth0"; done |
				_lab_t ip -n "$ns" -batch -; }
		}; then
			echo "lab: cannot set up namespace $ns" >&2
			lab_down "$p"
			return 1
		fi
	done
	# the server: a small one without SYN cookies (so that a SYN flood hurts
	# it, as it hurts many real services), giving up half-open connections
	# after ~7 s
	_lab_t ip netns exec "$(lab_ns "$p" srv)" sysctl -q -w net.ipv4.tcp_syncookies=0 \
		net.ipv4.tcp_synack_retries=2 net.ipv4.tcp_max_syn_backlog=4096 > /dev/null ||
		{ lab_down "$p"; return 1; }
	# the floods' spread sources (lab_spread): the server answers them
	# (a SYN-ACK, an ICMP error) through a gateway that does not exist, so
	# that their half-open connections pile up as under a real spoofed flood
	# and the answers die in the server's own neighbour queue
	{
		lab_spread | while read -r _ _ to; do echo "route add $to via $LAB_SPREAD_GW dev eth0"; done
		lab_spread6 | while read -r _ to; do echo "route add $to via $LAB_SPREAD_GW6 dev eth0"; done
	} | _lab_t ip -n "$(lab_ns "$p" srv)" -batch - || { lab_down "$p"; return 1; }
	lab_phase "$p" train || { lab_down "$p"; return 1; }
	# every node reaches the server
	for n in $LAB_NODES; do
		[ "$n" = srv ] && continue
		_lab_ready "$p" "$n" || { lab_down "$p"; return 1; }
	done
	return 0
}

_lab_ready() {
	local _
	for _ in 1 2 3; do
		_lab_t ip netns exec "$(lab_ns "$1" "$2")" ping -n -q -c1 -W1 "$LAB_SRV4" > /dev/null 2>&1 && return 0
	done
	echo "lab: $LAB_SRV4 does not answer from $(lab_ns "$1" "$2")" >&2
	return 1
}

# lab_phase PREFIX train|live: the source address each node's traffic uses.
lab_phase() {
	local p=$1 ph=$2 n
	for n in $LAB_NODES; do
		[ "$n" = srv ] && continue
		_lab_t ip -n "$(lab_ns "$p" "$n")" route replace "$LAB_NET4" dev eth0 \
			src "$(lab_addr "$n" "$ph")" || return 1
	done
}

# lab_status PREFIX: the lab's namespaces, addresses and processes.
lab_status() {
	local p=$1 n ns
	for n in br $LAB_NODES; do
		ns=$(lab_ns "$p" "$n")
		[ -e "/run/netns/$ns" ] || continue
		printf '%-12s %s  pids: %s\n' "$ns" \
			"$(ip -n "$ns" -br addr show dev "$([ "$n" = br ] && echo br0 || echo eth0)" 2>/dev/null | awk '{$1=$2=""; print}' | xargs)" \
			"$(ip netns pids "$ns" 2>/dev/null | xargs)"
	done
}

# ---- services -----------------------------------------------------------------------

# lab_services_start PREFIX DIR: nginx, sshd, iperf3 and dnsmasq in the server
# namespace, with their configuration, keys, logs and pid files in DIR (a
# fresh directory). Returns once every service answers.
lab_services_start() {
	local p=$1 d=$2 ns i hash _
	ns=$(lab_ns "$p" srv)
	mkdir -p "$d/www" "$d/nginx" "$d/ssh" "$d/home" || return 1
	chmod 755 "$d" "$d/www" "$d/home"

	# web pages of a few sizes
	{
		echo '<!doctype html><html><head><title>flowforest lab</title></head><body>'
		echo '<h1>The flowforest lab server</h1>'
		for i in $(seq 40); do echo "<p>Paragraph $i of a page that a person reads.</p>"; done
		echo '</body></html>'
	} > "$d/www/index.html"
	head -c 30000 /dev/zero | tr '\0' 'a' > "$d/www/news.html"
	head -c 120000 /dev/zero | tr '\0' 'b' > "$d/www/photo.jpg"
	echo 'User-agent: *' > "$d/www/robots.txt"
	mkdir -p "$d/www/docs" && cp "$d/www/index.html" "$d/www/docs/index.html"
	# files of many sizes (lab/benign.py), sparse: no disk space taken
	mkdir -p "$d/www/f"
	for i in 1k 4k 16k 64k 256k 1m 2m 5m; do truncate -s "${i^^}" "$d/www/f/$i"; done
	# HTTPS: a self-signed certificate made now, for this run only
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 1 \
		-subj /CN=lab.test -keyout "$d/nginx/key.pem" -out "$d/nginx/cert.pem" > /dev/null 2>&1 ||
		return 1

	cat > "$d/nginx/nginx.conf" <<-EOF
	# a small web server: a worker per core, 1024 connections each, short
	# header timeout. Its workers run at a higher priority: in the lab the
	# server shares two cores with every client and attack tool, and at
	# nice 0 its one worker waited 0.5-1 s of every second for a CPU while
	# the attacks ran (/proc/PID/schedstat in a demo run), and answered in
	# 0.2-1.7 s (run K: benign requests timing out, a closed-loop HTTP
	# flood slowed to a browser's rate); a real server has its CPUs to itself
	worker_processes 2;
	worker_priority -10;
	daemon off;
	user www-data;
	pid $d/nginx/nginx.pid;
	error_log $d/nginx/error.log warn;
	events { worker_connections 1024; }
	http {
	    access_log $d/nginx/access.log;
	    client_body_temp_path $d/nginx/body;
	    proxy_temp_path $d/nginx/proxy;
	    fastcgi_temp_path $d/nginx/fastcgi;
	    uwsgi_temp_path $d/nginx/uwsgi;
	    scgi_temp_path $d/nginx/scgi;
	    client_header_timeout 10s;
	    keepalive_timeout 30s;
	    keepalive_requests 10000;
	    server {
	        listen $LAB_SRV4:80 default_server backlog=128;
	        listen [$LAB_SRV6]:80 default_server backlog=128;
	        listen $LAB_SRV4:443 ssl default_server backlog=128;
	        ssl_certificate $d/nginx/cert.pem;
	        ssl_certificate_key $d/nginx/key.pem;
	        root $d/www;
	        location / { try_files \$uri \$uri/ =404; }
	        # a slow server: 64 KB/s per connection
	        location /slow/ { alias $d/www/; limit_rate 64k; }
	    }
	}
	EOF

	# sshd: own config, host keys in DIR, a test user with a password that
	# exists only inside sshd's own mount namespace (passwd, group and shadow
	# copies bound over /etc; /run a private tmpfs for /run/sshd, /var/log one
	# for wtmp, btmp and lastlog): nothing changes on the host.
	rm -f "$d/ssh/host_"*
	ssh-keygen -q -t ed25519 -N '' -f "$d/ssh/host_ed25519" > /dev/null || return 1
	ssh-keygen -q -t rsa -b 2048 -N '' -f "$d/ssh/host_rsa" > /dev/null || return 1
	hash=$(perl -e 'print crypt($ARGV[0], "\$6\$" . join("", map { ("a".."z")[rand 26] } 1..12) . "\$")' "$LAB_SSH_PASS")
	cp /etc/passwd "$d/ssh/passwd" && cp /etc/group "$d/ssh/group" && cp /etc/shadow "$d/ssh/shadow" || return 1
	echo "$LAB_SSH_USER:x:4242:4242:flowforest lab:$d/home:/bin/sh" >> "$d/ssh/passwd"
	echo "$LAB_SSH_USER:x:4242:" >> "$d/ssh/group"
	echo "$LAB_SSH_USER:$hash:19000:0:99999:7:::" >> "$d/ssh/shadow"
	chmod 640 "$d/ssh/shadow"
	chown 4242:4242 "$d/home"
	# MaxStartups 30:30:100, not OpenSSH's 10:30:60: a brute-force
	# connection that XDP drops is never reset, and sshd keeps it as an
	# unauthenticated one until LoginGraceTime; with 1-4 guessing senders
	# and 10, benign logins were refused (demo run A4: 12 of 18 with
	# flowforest, 18 of 18 without), as on any server that expects them
	cat > "$d/ssh/sshd_config" <<-EOF
	# a small ssh server for the lab
	ListenAddress $LAB_SRV4:22
	HostKey $d/ssh/host_ed25519
	HostKey $d/ssh/host_rsa
	PidFile $d/ssh/sshd.pid
	UsePAM no
	PasswordAuthentication yes
	KbdInteractiveAuthentication no
	PermitRootLogin no
	StrictModes no
	AllowUsers $LAB_SSH_USER
	LoginGraceTime 15
	MaxStartups 30:30:100
	MaxAuthTries 6
	UseDNS no
	PrintMotd no
	PrintLastLog no
	Subsystem sftp internal-sftp
	EOF

	# every service at nice -10 (nginx's workers by worker_priority), for a
	# real server has its CPUs to itself; with nginx alone above the others
	# (demo runs A3, A4, on a busier machine) lab/benign.py sent 1,100 DNS
	# queries a run instead of 7,100
	ip netns exec "$ns" nginx -c "$d/nginx/nginx.conf" -p "$d/nginx" > "$d/nginx/stdout" 2>&1 &
	# shellcheck disable=SC2016  # $1 expands in that shell
	ip netns exec "$ns" nice -n -10 bash -c '
		mount --bind "$1/passwd" /etc/passwd && mount --bind "$1/shadow" /etc/shadow &&
		mount --bind "$1/group" /etc/group &&
		mount -t tmpfs -o size=1m,mode=755 fflab-run /run && mkdir -m 755 /run/sshd &&
		mount -t tmpfs -o size=4m,mode=755 fflab-log /var/log &&
		exec /usr/sbin/sshd -D -e -f "$1/sshd_config"' sshd "$d/ssh" > "$d/ssh/log" 2>&1 &
	ip netns exec "$ns" nice -n -10 iperf3 -s -B "$LAB_SRV4" -p 5201 > "$d/iperf3.log" 2>&1 &
	ip netns exec "$ns" nice -n -10 dnsmasq --keep-in-foreground --conf-file=/dev/null --no-resolv \
		--no-hosts --bind-interfaces --listen-address="$LAB_SRV4" --port=53 --user=root \
		--pid-file="$d/dnsmasq.pid" --address=/lab.test/"$LAB_SRV4" \
		--address=/www.lab.test/"$LAB_SRV4" --log-facility="$d/dnsmasq.log" > /dev/null 2>&1 &
	disown -a	# no "Killed" notices when lab_services_stop ends them

	for _ in $(seq 100); do
		ip netns exec "$ns" ss -Hltn 'sport = :80' | grep -q . &&
			ip netns exec "$ns" ss -Hltn 'sport = :22' | grep -q . &&
			ip netns exec "$ns" ss -Hltn 'sport = :5201' | grep -q . &&
			ip netns exec "$ns" ss -Hlun 'sport = :53' | grep -q . && break
		sleep 0.1
	done
	# nginx's workers (www-data) must read DIR: every directory above it
	# must be searchable (mktemp -d makes 0700 ones)
	_lab_t ip netns exec "$ns" curl -sf -o /dev/null -m 3 "http://$LAB_SRV4/news.html" && return 0
	echo "lab: the services did not start; listening in $ns:" >&2
	ip netns exec "$ns" ss -Hltun >&2
	tail -n 5 "$d/nginx/error.log" "$d/nginx/stdout" "$d/ssh/log" "$d/iperf3.log" >&2 2>/dev/null
	return 1
}

# lab_services_stop PREFIX: end every process in the server namespace.
lab_services_stop() {
	local ns pids _
	ns=$(lab_ns "$1" srv)
	for _ in 1 2 3 4 5; do
		pids=$(_lab_t ip netns pids "$ns" 2>/dev/null) || true
		[ -n "$pids" ] || return 0
		# shellcheck disable=SC2086
		kill -9 $pids 2>/dev/null
		sleep 0.1
	done
}

# lab_services_restart PREFIX DIR: fresh services (and so fresh sockets:
# no half-open or stuck connections left from an earlier phase).
lab_services_restart() {
	lab_services_stop "$1"
	lab_services_start "$1" "$2"
}

# lab_capture_start PREFIX FILE: capture what the server receives (the
# bridge's port towards the server, outgoing: exactly the frames that reach
# the server's eth0, where XDP runs, including those XDP will drop).
LAB_CAP_PID=
lab_capture_start() {
	local p=$1 f=$2 _
	ip netns exec "$(lab_ns "$p" br)" tcpdump -i b-srv -Q out -s 0 -B 32768 -U -n -w "$f" \
		> "$f.log" 2>&1 &
	LAB_CAP_PID=$!
	for _ in $(seq 50); do
		grep -q 'listening on' "$f.log" 2>/dev/null && return 0
		kill -0 "$LAB_CAP_PID" 2>/dev/null || break
		sleep 0.1
	done
	echo "lab: tcpdump did not start: $(cat "$f.log")" >&2
	return 1
}

# lab_capture_stop: stop the capture; prints tcpdump's "N packets captured,
# N dropped by kernel" summary on stderr.
lab_capture_stop() {
	[ -n "$LAB_CAP_PID" ] || return 0
	sleep 0.3
	kill -INT "$LAB_CAP_PID" 2>/dev/null
	for _ in $(seq 50); do kill -0 "$LAB_CAP_PID" 2>/dev/null || break; sleep 0.1; done
	kill -9 "$LAB_CAP_PID" 2>/dev/null
	wait "$LAB_CAP_PID" 2>/dev/null
	LAB_CAP_PID=
}

# ---- traffic: benign --------------------------------------------------------------
# Every function runs in the foreground, bounded in time (timeout) and in
# packets (counts, sizes, durations); the caller puts them in the background.
# Results: one line per attempt, "KIND ok|fail SECONDS", appended to
# $LAB_RESULTS when set.

_lab_result() { [ -n "${LAB_RESULTS:-}" ] && echo "$1 $2 $3 $(date +%s.%N | cut -c1-14)" >> "$LAB_RESULTS"; return 0; }

# _lab_pause MIN_MS MAX_MS: a human-like pause.
_lab_pause() { sleep "$(awk -v a="$1" -v b="$2" -v r=$RANDOM 'BEGIN { printf "%.3f", (a + (b - a) * r / 32767) / 1000 }')"; }

# _lab_fetch PREFIX NODE TOOL URL: one HTTP fetch (curl or wget, 3 s at
# most); its result goes to $LAB_RESULTS: ok for a 2xx or 3xx answer, and for
# the 404 of a page that does not exist (the server answered); anything else
# (no answer in time, 403, 5xx) fails.
_lab_fetch() {
	local t0 rc code
	t0=$(date +%s.%N)
	if [ "$3" = wget ]; then
		LAB_EXEC_TIMEOUT=6 lab_exec "$1" "$2" wget -q -T 3 -t 1 -O /dev/null "$4" 2>/dev/null
		rc=$?
	else
		code=$(LAB_EXEC_TIMEOUT=6 lab_exec "$1" "$2" curl -s -o /dev/null -m 3 -w '%{http_code}' "$4")
		rc=1
		case "$code:$4" in
		[23]??:*) rc=0 ;;
		404:*/missing.html) rc=0 ;;
		esac
	fi
	_lab_result http "$([ "$rc" = 0 ] && echo ok || echo fail)" \
		"$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')"
}

# lab_browse PREFIX NODE SECONDS MIN_MS MAX_MS: a person browsing for
# SECONDS: a page (curl, or wget, some over IPv6), then its 1 to 3 assets on
# connections of their own, as a browser does, then a pause.
lab_browse() {
	local p=$1 n=$2 secs=$3 lo=$4 hi=$5 end i=0 host tool page _
	local pages=(/ /index.html /news.html /docs/ /missing.html)
	local assets=(/photo.jpg /robots.txt /news.html /index.html)
	end=$((SECONDS + secs))
	while [ "$SECONDS" -lt "$end" ]; do
		i=$((i + 1))
		host=$LAB_SRV4 tool=curl
		[ $((i % 9)) = 4 ] && host="[$LAB_SRV6]"
		page=${pages[$((RANDOM % ${#pages[@]}))]}
		[ $((i % 7)) = 2 ] && [ "$page" != /missing.html ] && tool=wget
		_lab_fetch "$p" "$n" "$tool" "http://$host$page"
		for _ in $(seq $((1 + RANDOM % 3))); do
			_lab_fetch "$p" "$n" curl "http://$host${assets[$((RANDOM % ${#assets[@]}))]}" &
		done
		wait
		_lab_pause "$lo" "$hi"
	done
}

# _lab_ssh_algos: the OpenSSH client's algorithm options for one
# connection, drawn: its defaults, or a short list of one key exchange,
# cipher and host key type, as users' and programs' configurations have.
# Both the benign logins and the guessing client draw from it: the bytes of
# a key exchange say which client configuration connected, not whether it
# guessed (run K: left out, the OpenSSH client's guesses were taken for
# logins, 1 of 8, the other tools' handshakes being all smaller).
_lab_ssh_algos() {
	local sets=(
		""
		"-o KexAlgorithms=curve25519-sha256 -o Ciphers=aes128-ctr -o MACs=hmac-sha2-256 -o HostKeyAlgorithms=ssh-ed25519"
		"-o KexAlgorithms=ecdh-sha2-nistp256 -o Ciphers=aes256-gcm@openssh.com -o HostKeyAlgorithms=rsa-sha2-256"
		"-o KexAlgorithms=diffie-hellman-group14-sha256 -o Ciphers=chacha20-poly1305@openssh.com"
	)
	echo "${sets[$((RANDOM % ${#sets[@]}))]}"
}

# lab_ssh_logins PREFIX NODE COUNT MIN_MS MAX_MS: successful ssh logins
# (sshpass), each running one command, algorithms drawn (_lab_ssh_algos).
lab_ssh_logins() {
	local p=$1 n=$2 c=$3 lo=$4 hi=$5 i t0 out
	for i in $(seq "$c"); do
		t0=$(date +%s.%N)
		# shellcheck disable=SC2046  # the options split into words
		out=$(LAB_EXEC_TIMEOUT=8 lab_exec "$p" "$n" sshpass -p "$LAB_SSH_PASS" ssh -F /dev/null \
			$(_lab_ssh_algos) -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR \
			-o ConnectTimeout=4 -o ServerAliveInterval=2 -o ServerAliveCountMax=2 \
			-o PubkeyAuthentication=no -o PreferredAuthentications=password \
			"$LAB_SSH_USER@$LAB_SRV4" "echo lab-ok-$i; uptime" 2>&1)
		_lab_result ssh "$(grep -q "lab-ok-$i" <<< "$out" && echo ok || echo fail)" "$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.3f", b - a }')"
		_lab_pause "$lo" "$hi"
	done
}

# lab_dns PREFIX NODE COUNT MIN_MS MAX_MS: DNS queries to dnsmasq (dig).
lab_dns() {
	local p=$1 n=$2 c=$3 lo=$4 hi=$5 i names=(lab.test www.lab.test mail.lab.test)
	for i in $(seq "$c"); do
		if LAB_EXEC_TIMEOUT=5 lab_exec "$p" "$n" dig +tries=1 +time=2 +short "@$LAB_SRV4" \
			"${names[$((i % 3))]}" A 2>/dev/null | grep -q .; then
			_lab_result dns ok 0
		else
			_lab_result dns fail 0
		fi
		_lab_pause "$lo" "$hi"
	done
}

# lab_iperf PREFIX NODE SECONDS MBITS: one short bulk transfer (iperf3).
lab_iperf() {
	local p=$1 n=$2
	if LAB_EXEC_TIMEOUT=$(($3 + 8)) lab_exec "$p" "$n" iperf3 -c "$LAB_SRV4" -p 5201 -t "$3" \
		-b "${4}M" --connect-timeout 3000 > /dev/null 2>&1; then
		_lab_result iperf ok 0
	else
		_lab_result iperf fail 0
	fi
}

# ---- traffic: attacks -------------------------------------------------------------
# Every attack class comes from three or four tools or parameter sets; each
# run draws their parameters at random (ports, payload sizes, TCP windows,
# TTLs, rates from slow to flood, spoofed or real sources) from bash's
# RANDOM, seeded per run (lab_mix), so a run can be repeated. Each function
# takes every parameter explicitly and is bounded in packets and time.

# _lab_srv_mac PREFIX NODE: the server's MAC as a static neighbour of NODE
# (raw packets to an unresolved neighbour are dropped, all but 3).
_lab_srv_mac() {
	local mac
	mac=$(ip -n "$(lab_ns "$1" srv)" link show dev eth0 | awk '/link\/ether/ { print $2 }')
	ip -n "$(lab_ns "$1" "$2")" neigh replace "$LAB_SRV4" lladdr "$mac" dev eth0 nud permanent
	echo "$mac"
}

# lab_attack_nmap PREFIX sS|sT PORTS RATE SRC [ORDER]: nmap SYN or connect
# scan of the server from SRC (PORTS: an nmap port list; 1 probe per port,
# RATE probes/s; ORDER: random, nmap's default, or seq: -r, the ports in
# sequence). --min-rate too: with its probes dropped (the live run) nmap
# took its drawn pace for congestion and slowed down, -sS 968 ports at
# 2,773/s in 12 s and -sT to its 15 s timeout (run G), and the scan tools
# at two paces no longer all fitted the live mix (run P2: nmap -sT never
# started).
lab_attack_nmap() {
	local order=()
	[ "${6:-random}" = seq ] && order=(-r)
	LAB_EXEC_TIMEOUT=40 lab_exec "$1" nmap nmap "-$2" "${order[@]}" -n -Pn --max-retries 0 \
		--min-rate "$4" --max-rate "$4" --max-rtt-timeout 300ms --host-timeout 15s -S "$5" \
		-e eth0 -p "$3" "$LAB_SRV4" > /dev/null 2>&1
}

# lab_attack_masscan PREFIX PORTS RATE SRC: masscan of the server from SRC.
lab_attack_masscan() {
	local p=$1 mac
	mac=$(_lab_srv_mac "$p" mscan)
	LAB_EXEC_TIMEOUT=40 lab_exec "$p" mscan masscan "$LAB_SRV4" -p "$2" --rate "$3" \
		--wait 1 --adapter eth0 --adapter-ip "$4" --router-mac "$mac" > /dev/null 2>&1
}

# lab_attack_nping_scan PREFIX PORTS RATE FLAGS TTL WIN SRC: nping, one TCP
# probe with FLAGS (syn, fin, ack, ...) per port.
lab_attack_nping_scan() {
	LAB_EXEC_TIMEOUT=40 lab_exec "$1" nmap nping -q -H --tcp -p "$2" --rate "$3" --flags "$4" \
		--ttl "$5" --win "$6" -c 1 -S "$7" "$LAB_SRV4" > /dev/null 2>&1
}

# lab_attack_hping_syn PREFIX COUNT INTERVAL_US PORT WIN TTL DATA SRC [FLAGS
# [SPORT]]: hping3 SYN flood from SRC (spoofed), DATA bytes of payload;
# FLAGS (_lab_syn_flags: S, the default, SA a SYN-ACK, SEC with ECE and
# CWR), SPORT one source port for every packet (0, the default: hping3's
# rising ones).
lab_attack_hping_syn() {
	local o=()
	[ "${10:-0}" != 0 ] && o=(-s "${10}" -k)
	# shellcheck disable=SC2046  # the flags' options, one word each
	LAB_EXEC_TIMEOUT=60 lab_exec "$1" synf hping3 -q $(_lab_syn_flags "${9:-S}" hping3) \
		"${o[@]}" -p "$4" -c "$2" -i "u$3" -w "$5" -t "$6" -d "$7" -a "$8" "$LAB_SRV4" \
		> /dev/null 2>&1
}

# _lab_syn_flags FLAGS hping3|trafgen: a SYN flood's TCP flags (letters of
# S, A: ACK, E: ECE, C: CWR; lab/rawflood.py --flags) as the tool's
# options: hping3's -S -A -X -Y, trafgen's "syn, ack, ece, cwr".
_lab_syn_flags() {
	local f=$1 i out=
	for ((i = 0; i < ${#f}; i++)); do
		case $2:${f:i:1} in
		hping3:S) out+=" -S" ;; hping3:A) out+=" -A" ;; hping3:E) out+=" -X" ;; hping3:C) out+=" -Y" ;;
		trafgen:S) out+=", syn" ;; trafgen:A) out+=", ack" ;; trafgen:E) out+=", ece" ;;
		trafgen:C) out+=", cwr" ;;
		*) echo "_lab_syn_flags: '${f:i:1}' of '$f' for $2" >&2; return 1 ;;
		esac
	done
	echo "${out#, }"
}

# Sources of the floods (lab/plan.py draws one per segment, so that every
# tool covers several corners of the source context and every corner has
# two tools or more): ADDR, one address (the node's real one or a spoofed
# one), or PREFIX@B, a random address of PREFIX for every B packets (B 1:
# a new source per packet). PREFIX is IPv4, or IPv6 of a /32, /48, /64
# (lab_spread6).

# _lab_rand_addr PREFIX: a random address of PREFIX (IPv4, never .0 or
# .255; IPv6: a prefix of whole 16-bit groups, written G:G[:G:G]::/LEN).
_lab_rand_addr() {
	local net=${1%/*} len=${1#*/} a b c d x i g
	if [ "${net#*:}" != "$net" ]; then
		g=${net%::}
		# no command substitution inside: a fork costs 0.1 s and more in
		# a busy mix, and floods draw an address per burst
		for ((i = len / 16 + 1; i <= 8; i++)); do
			printf -v x %x $((RANDOM * 2 + RANDOM % 2))
			g+=:$x
		done
		echo "$g"
		return
	fi
	IFS=. read -r a b c d <<< "$net"
	x=$(( (a << 24 | b << 16 | c << 8 | d) + ((RANDOM << 15 | RANDOM) & ((1 << (32 - len)) - 1)) ))
	d=$((x & 255))
	[ "$len" -lt 24 ] && d=$((1 + d % 254))
	echo "$((x >> 24 & 255)).$((x >> 16 & 255)).$((x >> 8 & 255)).$d"
}

# _lab_bursts COUNT SRC DEFAULT_B CMD...: CMD once per burst, `{src}` in
# it replaced by the burst's source and `{n}` by its packet count (SRC as
# above; ADDR: bursts of DEFAULT_B from it), until COUNT packets or the
# end of the tool's slot in a mix (LAB_TOOL_END, lab_exec).
_lab_bursts() {
	local n=$1 src=$2 b=$3 a arg cmd
	shift 3
	[ "${src#*@}" != "$src" ] && b=${src#*@}
	while [ "$n" -gt 0 ] && [ "$SECONDS" -lt "${LAB_TOOL_END:-999999999}" ]; do
		a=$src
		[ "${src#*@}" != "$src" ] && a=$(_lab_rand_addr "${src%@*}")
		cmd=()
		for arg in "$@"; do
			arg=${arg//\{src\}/$a}
			cmd+=("${arg//\{n\}/$((n < b ? n : b))}")
		done
		"${cmd[@]}"
		n=$((n - b))
	done
}

# _lab_t50 PREFIX NODE COUNT SRC T50-ARGS...: t50 from NODE in bursts (t50
# has no rate option; one burst of thousands at ~150,000 packets/s would
# overflow the receiving CPU's backlog): of 250 from one address, or of B
# from a random address of PREFIX each (SRC PREFIX@B).
_lab_t50() {
	local p=$1 node=$2 n=$3 src=$4
	shift 4
	_lab_srv_mac "$p" "$node" > /dev/null
	_lab_bursts "$n" "$src" 250 _lab_t50_burst "$p" "$node" "{src}" "{n}" "$@"
}
_lab_t50_burst() {
	local p=$1 node=$2 a=$3 n=$4
	shift 4
	LAB_EXEC_TIMEOUT=10 lab_exec "$p" "$node" t50 "$LAB_SRV4" "$@" --threshold "$n" -s "$a" \
		> /dev/null 2>&1
	sleep 0.05
}

# _lab_nping PREFIX NODE COUNT RATE SRC NPING-ARGS...: nping from SRC (one
# address: one run; PREFIX@B: a run of B packets from a random address of
# PREFIX each); to the server's IPv6 address for an IPv6 SRC, as whole
# frames (the attacker has no IPv6 address).
_lab_nping() {
	local p=$1 node=$2 n=$3 rate=$4 src=$5 dst=$LAB_SRV4 o=()
	shift 5
	if [ "${src#*:}" != "$src" ]; then
		dst=$LAB_SRV6
		o=(-6 -N --send-eth -e eth0 --dest-mac "$(_lab_srv_mac "$p" "$node")"
			--source-mac "$(ip -n "$(lab_ns "$p" "$node")" link show dev eth0 |
				awk '/link\/ether/ { print $2 }')")
	fi
	[ "$dst" = "$LAB_SRV6" ] && set -- "${@/#--ttl/--hop-limit}"
	_lab_bursts "$n" "$src" "$n" lab_exec "$p" "$node" nping -q -H "${o[@]}" -c "{n}" \
		--rate "$rate" -S "{src}" "$@" "$dst" > /dev/null 2>&1
}

# _lab_rawflood PREFIX NODE MODE COUNT PPS SRC ARGS...: lab/rawflood.py MODE
# from SRC (ADDR, or PREFIX@B: --burst B), to the server's IPv4 or (an IPv6
# SRC) IPv6 address.
_lab_rawflood() {
	local p=$1 node=$2 mode=$3 n=$4 pps=$5 src=$6 dst=$LAB_SRV4 o=()
	shift 6
	case $src in
	*@*) o=(--spoof "${src%@*}" --burst "${src#*@}") ;;
	*) o=(--spoof "$src") ;;
	esac
	if [ "${src#*:}" != "$src" ]; then
		dst=$LAB_SRV6
		o+=(--dev eth0 --dst-mac "$(_lab_srv_mac "$p" "$node")")
	fi
	LAB_EXEC_TIMEOUT=70 lab_exec "$p" "$node" python3 "$LAB_DIR/rawflood.py" "$mode" "$dst" \
		--count "$n" --pps "$pps" "${o[@]}" "$@" > /dev/null 2>&1
}

# _lab_trafgen_sa PREFIX: trafgen's ipv4() source fields for a random
# address of PREFIX per packet (the octets the prefix leaves open drawn at
# run time; never .0 or .255 below a /24)
_lab_trafgen_sa() {
	local net=${1%/*} len=${1#*/} o k lo
	IFS=. read -r -a o <<< "$net"
	printf 'sa=%s' "$net"
	for k in 0 1 2 3; do
		[ $((8 * (k + 1))) -le "$len" ] && continue
		lo=$((o[k] & ~((1 << (8 * (k + 1) - (len > 8 * k ? len : 8 * k))) - 1) & 255))
		if [ "$k" = 3 ] && [ "$len" -lt 24 ]; then
			printf ', sa[3]=drnd(1, 254)'
		else
			printf ', sa[%d]=drnd(%d, %d)' "$k" "$lo" \
				$((lo + (1 << (8 * (k + 1) - (len > 8 * k ? len : 8 * k))) - 1))
		fi
	done
}

# lab_attack_trafgen PREFIX NODE syn|udp|icmp COUNT PPS SRC PORT BYTES TTL
# [FLAGS [FROM_PORT]]: trafgen (netsniff-ng), a packet builder of its own:
# every packet from a random address of SRC (PREFIX@1) or from one (ADDR),
# a random source port (a new flow each) to PORT (syn, udp; PORT 0: random
# ports), BYTES bytes of payload; syn: FLAGS as _lab_syn_flags (S), from
# source port FROM_PORT (0, the default: a random one each).
lab_attack_trafgen() {
	local p=$1 node=$2 mode=$3 src=${6%@*} cfg l4 mac sp='drnd(1024, 65535)' dp=$7
	case $src in */*) ;; *) src=$src/32 ;; esac
	mac=$(_lab_srv_mac "$p" "$node")
	[ "$7" = 0 ] && dp='drnd(1, 65535)'
	case $mode in
	syn)
		[ "${11:-0}" != 0 ] && sp=${11}
		l4="tcp(sp=$sp, dp=$dp, seq=drnd(), $(_lab_syn_flags "${10:-S}" trafgen), win=$((1024 + RANDOM % 64000)))" ;;
	udp) l4="udp(sp=$sp, dp=$dp)" ;;
	*) l4="icmp4(echorequest, id=$RANDOM, seq=$RANDOM)" ;;
	esac
	cfg=$(mktemp "${LAB_TMPDIR:-/tmp}/fflab-trafgen.XXXXXX") || return 1
	echo "{ eth(da=$mac), ipv4($(_lab_trafgen_sa "$src"), da=$LAB_SRV4, ttl=$9, id=drnd()), $l4$([ "$8" -gt 0 ] && echo ", fill(0x$(printf %02x $((RANDOM % 256))), $8)") }" > "$cfg"
	LAB_EXEC_TIMEOUT=70 lab_exec "$p" "$node" trafgen -o eth0 -i "$cfg" -n "$4" \
		-t "$((1000000 / $5))us" --cpus 1 > /dev/null 2>&1
	rm -f "$cfg"
}

# lab_attack_t50_syn PREFIX COUNT PORT WIN TTL SRC: t50 SYN flood in bursts
# (SRC: ADDR or PREFIX@B, see _lab_t50).
lab_attack_t50_syn() {
	_lab_t50 "$1" synf "$2" "$6" --protocol TCP --syn --dport "$3" --window "$4" --ttl "$5"
}

# lab_attack_nping_syn PREFIX COUNT RATE PORT WIN TTL DATA SRC: nping SYN
# flood (one source port per run: a single flow of many SYNs from one
# address; SRC PREFIX@B: runs of B, IPv4 or IPv6, _lab_nping).
lab_attack_nping_syn() {
	LAB_EXEC_TIMEOUT=60 _lab_nping "$1" synf "$2" "$3" "$8" --tcp --flags syn -p "$4" --win "$5" \
		--ttl "$6" --data-length "$7"
}

# lab_attack_rawsyn PREFIX COUNT PPS PORT TTL WIN PAYLOAD LINUX SEED [SRC
# [FLAGS [FROM_PORT]]]: the lab's own sender (lab/rawflood.py): every SYN
# from a random port (FROM_PORT, not 0: from that one), from SRC
# (_lab_rawflood; default: the subnet's upper half); LINUX=1 adds Linux's
# TCP options; FLAGS as rawflood.py --flags (S, SA, SEC); PORT 0: a random
# destination port each (with FLAGS SA and FROM_PORT 80 or 443: SYN-ACK
# reflection).
lab_attack_rawsyn() {
	local o=()
	[ "$8" = 1 ] && o=(--linux-options)
	_lab_rawflood "$1" synf syn "$2" "$3" "${10:-10.199.11.128/25@1}" --port "$4" --ttl "$5" \
		--win "$6" --payload "$7" "${o[@]}" --seed "$9" --flags "${11:-S}" --from-port "${12:-0}"
}

# lab_attack_hping_udp PREFIX COUNT INTERVAL_US PORT BYTES SRC: hping3 UDP
# flood (PORT: N, or ++N for rising ports).
lab_attack_hping_udp() {
	LAB_EXEC_TIMEOUT=60 lab_exec "$1" udpf hping3 -q --udp -p "$4" -d "$5" -c "$2" -i "u$3" \
		-a "$6" "$LAB_SRV4" > /dev/null 2>&1
}

# lab_attack_nping_udp PREFIX COUNT RATE PORTS BYTES SRC: nping UDP flood
# over a port range (COUNT rounds of the range) (SRC: _lab_nping).
lab_attack_nping_udp() {
	LAB_EXEC_TIMEOUT=60 _lab_nping "$1" udpf "$2" "$3" "$6" --udp -p "$4" --data-length "$5"
}

# lab_attack_t50_udp PREFIX COUNT SRC [PORT]: t50 UDP flood in bursts, to
# random ports or (PORT, not 0) to one (SRC: ADDR or PREFIX@B).
lab_attack_t50_udp() {
	local o=()
	[ "${4:-0}" != 0 ] && o=(--dport "$4")
	_lab_t50 "$1" udpf "$2" "$3" --protocol UDP "${o[@]}"
}

# lab_attack_reflect PREFIX COUNT PPS SPORT SIZE SEED [DPORT [SRC]]:
# amplification replies (lab/rawflood.py reflect): UDP from reflectors'
# service port SPORT, SIZE (A-B) bytes, from SRC (_lab_rawflood; default:
# random addresses of the subnet's upper half), to random ports or (DPORT,
# not 0) to one.
lab_attack_reflect() {
	_lab_rawflood "$1" udpf reflect "$2" "$3" "${8:-10.199.12.128/25@1}" --sport "$4" \
		--size "$5" --dport "${7:-0}" --seed "$6"
}

# lab_attack_rawudp PREFIX COUNT PPS SIZE TTL SEED DPORT SRC: a UDP flood
# (lab/rawflood.py udp): random source ports, SIZE (A-B) bytes, from SRC
# (_lab_rawflood), to random ports or (DPORT, not 0) to one.
lab_attack_rawudp() {
	_lab_rawflood "$1" udpf udp "$2" "$3" "$8" --size "$4" --ttl "$5" --dport "$7" --seed "$6"
}

# lab_attack_t50 PREFIX COUNT SRC: t50 ICMP echo flood in bursts, a random
# ICMP id per packet (SRC: ADDR or PREFIX@B).
lab_attack_t50() {
	_lab_t50 "$1" t50 "$2" "$3" --protocol ICMP
}

# lab_attack_rawicmp PREFIX COUNT PPS SIZE TTL SAME SEED [SRC]: ICMP (an
# IPv6 SRC: ICMPv6) echo flood (lab/rawflood.py icmp) from SRC
# (_lab_rawflood; default: random addresses of the subnet's upper half),
# SIZE (A-B) bytes of data; a random id per packet (a flow each) or, with
# SAME=1, one id (a flow per source).
lab_attack_rawicmp() {
	local o=()
	[ "$6" = 1 ] && o=(--same-id)
	_lab_rawflood "$1" t50 icmp "$2" "$3" "${8:-10.199.15.128/25@1}" --size "$4" --ttl "$5" \
		"${o[@]}" --seed "$7"
}

# lab_attack_hping_icmp PREFIX COUNT INTERVAL_US BYTES SRC: hping3 ICMP echo flood.
lab_attack_hping_icmp() {
	LAB_EXEC_TIMEOUT=60 lab_exec "$1" t50 hping3 -q -1 -d "$4" -c "$2" -i "u$3" -a "$5" \
		"$LAB_SRV4" > /dev/null 2>&1
}

# lab_attack_nping_icmp PREFIX COUNT RATE BYTES TTL SRC: nping ICMP (an
# IPv6 SRC: ICMPv6) echo flood (SRC: _lab_nping).
lab_attack_nping_icmp() {
	LAB_EXEC_TIMEOUT=60 _lab_nping "$1" t50 "$2" "$3" "$6" --icmp --data-length "$4" --ttl "$5"
}

# lab_attack_pingflood PREFIX COUNT BYTES: ping -f (a real source, replies
# awaited).
lab_attack_pingflood() {
	LAB_EXEC_TIMEOUT=10 lab_exec "$1" t50 ping -n -q -f -c "$2" -s "$3" -w 4 "$LAB_SRV4" \
		> /dev/null 2>&1
}

# lab_attack_slowhttp PREFIX H|B|X CONNS RATE INTERVAL SECONDS: slowhttptest:
# slowloris (H: headers never ended), slow body (B: a POST body trickled),
# slow read (X: the response read through a tiny window).
lab_attack_slowhttp() {
	local m=$2 o=()
	case $m in
	X) o=(-k 2 -n 2 -w 32 -y 64 -z 32 -u "http://$LAB_SRV4/f/1m") ;;
	B) o=(-x 24 -s 8192 -u "http://$LAB_SRV4/") ;;
	*) o=(-x 24 -u "http://$LAB_SRV4/") ;;
	esac
	LAB_EXEC_TIMEOUT=$(($6 + 10)) lab_exec "$1" slow slowhttptest "-$m" -c "$3" -r "$4" -i "$5" \
		-p 3 -l "$6" "${o[@]}" > /dev/null 2>&1
}

# lab_attack_appslow PREFIX headers|body|read CONNS RATE INTERVAL CHUNK SECONDS SEED [RCVBUF]:
# the lab's own slow HTTP client (lab/appattack.py slow), a second
# implementation of slowhttptest's three behaviours (INTERVAL, CHUNK: A-B).
lab_attack_appslow() {
	local path=/
	[ "$2" = read ] && path=/f/5m
	LAB_EXEC_TIMEOUT=$(($7 + 10)) lab_exec "$1" slow python3 "$LAB_DIR/appattack.py" slow "$2" \
		"http://$LAB_SRV4$path" --conns "$3" --rate "$4" --interval "$5" --chunk "$6" \
		--seconds "$7" --seed "$8" --rcvbuf "${9:-1024}" > /dev/null 2>&1
}

# lab_attack_hydra PREFIX WORDS TASKS: hydra SSH brute force with a wordlist
# of WORDS wrong passwords over TASKS connections (hydra runs in a temporary
# directory, under $LAB_TMPDIR when set: its restore file stays there). It
# waits 1 s for an answer (-w): with 5, each task sat 5 s after sshd closed
# its connection (run L: 5 connections in 12 s; with 1, 11 in 6 s).
lab_attack_hydra() {
	local p=$1 w i
	w=$(mktemp -d "${LAB_TMPDIR:-/tmp}/fflab-hydra.XXXXXX") || return 1
	for i in $(seq "$2"); do echo "password$i"; done > "$w/words"
	(cd "$w" && LAB_EXEC_TIMEOUT=${LAB_TOOL_SECONDS:-12} lab_exec "$p" brute hydra -l "$LAB_SSH_USER" -P "$w/words" \
		-t "$3" -w 1 -I -q "ssh://$LAB_SRV4" > /dev/null 2>&1)
	rm -rf "$w"
}

# lab_attack_sshguess PREFIX COUNT PAUSE_MS [PARALLEL [PROMPTS]]: the OpenSSH
# client guessing (sshpass, a wrong password per connection, PROMPTS tries
# each, default 3, algorithms drawn: _lab_ssh_algos), COUNT connections over PARALLEL (default 1) senders,
# each pausing PAUSE_MS to twice that between its connections; none starts
# after $LAB_MIX_END (lab_mix: a dropped guess stalls its sender 6 s, and
# run K's went on after the classifier had stopped: 2 flows without a
# verdict, counted as missed) or $LAB_TOOL_SECONDS (12) after the first.
lab_attack_sshguess() {
	local p=$1 j par=${4:-1} end=$((SECONDS + ${LAB_TOOL_SECONDS:-12})) pids=()
	[ "$end" -lt "${LAB_MIX_END:-999999999}" ] || end=${LAB_MIX_END:-999999999}
	for j in $(seq "$par"); do
		_lab_sshguess "$p" $((($2 + par - j) / par)) "$3" "${5:-3}" "$end" & pids+=($!)
	done
	wait "${pids[@]}"	# its own senders, not its caller's other children
}

_lab_sshguess() {
	local p=$1 i
	for i in $(seq "$2"); do
		[ "$SECONDS" -lt "$5" ] || break
		# shellcheck disable=SC2046  # the options split into words
		LAB_EXEC_TIMEOUT=6 lab_exec "$p" brute sshpass -p "wrong-$i-$RANDOM" ssh -F /dev/null \
			$(_lab_ssh_algos) -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=QUIET \
			-o ConnectTimeout=3 -o PubkeyAuthentication=no -o NumberOfPasswordPrompts="$4" \
			-o PreferredAuthentications=password "admin@$LAB_SRV4" true > /dev/null 2>&1
		_lab_pause "$3" "$(($3 * 2))"
	done
}

# lab_attack_medusa PREFIX WORDS THREADS [PAUSE_MS]: medusa's ssh module
# (libssh2), a list of WORDS wrong passwords over THREADS parallel logins
# (it guesses about 3 on a connection); with PAUSE_MS, slowly instead: a
# medusa for each 3 of the WORDS (one connection), PAUSE_MS to twice that
# between them, none started after $LAB_TOOL_SECONDS (12) or $LAB_MIX_END.
lab_attack_medusa() {
	local p=$1 w i left=$2 end=$((SECONDS + ${LAB_TOOL_SECONDS:-12}))
	[ "$end" -lt "${LAB_MIX_END:-999999999}" ] || end=${LAB_MIX_END:-999999999}
	w=$(mktemp "${LAB_TMPDIR:-/tmp}/fflab-medusa.XXXXXX") || return 1
	while [ "$left" -gt 0 ] && [ "$SECONDS" -lt "$end" ]; do
		for i in $(seq "$([ "${4:-0}" -gt 0 ] && echo $((left < 3 ? left : 3)) || echo "$left")"); do
			echo "secret$i$RANDOM"
		done > "$w"
		left=$((left - $(wc -l < "$w")))
		LAB_EXEC_TIMEOUT=$((end - SECONDS + 1)) lab_exec "$p" brute medusa -h "$LAB_SRV4" \
			-u "$LAB_SSH_USER" -P "$w" -M ssh -t "$3" -T 1 -e n > /dev/null 2>&1
		[ "${4:-0}" -gt 0 ] && _lab_pause "$4" "$(($4 * 2))"
	done
	rm -f "$w"
}

# lab_attack_ncrack PREFIX WORDS CONNS TRIES [DELAY_MS]: ncrack (its own ssh
# code), WORDS wrong passwords over at most CONNS parallel connections, TRIES
# guesses per connection (1: a connection per guess, as sshpass), DELAY_MS
# (default 0) between the connections it opens (cd: 300 made 16 in 6 s).
lab_attack_ncrack() {
	local p=$1 w i
	w=$(mktemp "${LAB_TMPDIR:-/tmp}/fflab-ncrack.XXXXXX") || return 1
	for i in $(seq "$2"); do echo "letmein$i$RANDOM"; done > "$w"
	LAB_EXEC_TIMEOUT=${LAB_TOOL_SECONDS:-12} lab_exec "$p" brute ncrack --user "$LAB_SSH_USER" -P "$w" \
		"ssh://$LAB_SRV4:22,CL=$3,at=$4,cr=0,to=10s,cd=${5:-0}ms" > /dev/null 2>&1
	rm -f "$w"
}

# lab_attack_curlflood PREFIX REQUESTS PARALLEL keep|close|https [PATH]: an
# HTTP request flood by curl: REQUESTS GETs of PATH (default /f/1k) over
# PARALLEL connections, reused (keep, https) or one per request (close).
lab_attack_curlflood() {
	local o=(-s -o /dev/null --parallel --parallel-max "$3" -m 6 --connect-timeout 2) url="http://$LAB_SRV4"
	case $4 in
	close) o+=(-H "Connection: close") ;;
	https) o+=(-k) url="https://$LAB_SRV4" ;;
	esac
	LAB_EXEC_TIMEOUT=12 lab_exec "$1" hfl curl "${o[@]}" "$url${5:-/f/1k}?[1-$2]" > /dev/null 2>&1
}

# lab_attack_ab PREFIX REQUESTS CONCURRENCY keep|close PATH: ApacheBench, the
# same GET REQUESTS times (-t before -n: -t alone means 50,000) over
# CONCURRENCY keep-alive connections (keep) or
# a connection per request (close).
lab_attack_ab() {
	local o=()
	[ "$4" = keep ] && o=(-k)
	LAB_EXEC_TIMEOUT=12 lab_exec "$1" hfl ab -q -t 8 -n "$2" -c "$3" -s 3 "${o[@]}" \
		"http://$LAB_SRV4$5" > /dev/null 2>&1
}

# lab_attack_appflood PREFIX keep|close http|https REQUESTS CONNS RATE SEED:
# the lab's own HTTP request flood (lab/appattack.py flood): random paths,
# query strings and user agent; RATE requests/s over all connections (0:
# as fast as the server answers).
lab_attack_appflood() {
	LAB_EXEC_TIMEOUT=14 lab_exec "$1" hfl python3 "$LAB_DIR/appattack.py" flood "$2" \
		"$3://$LAB_SRV4/" --requests "$4" --conns "$5" --rate "$6" --seconds 8 --seed "$7" \
		> /dev/null 2>&1
}

# ---- mixes ----------------------------------------------------------------------

# _lab_slot LEFT N: the seconds the next of a class's N remaining tools may
# run, with LEFT seconds left in the mix: an even share of them (what a
# tool leaves unused goes to the ones after it). Where the tools are quick
# this cuts little; where the lab's own load slows them (run AB, 2 cores:
# nping's SYN flood, two of whose four segments took 8 s in an idle lab,
# took 57 s of a 60 s mix, and no other SYN flood tool ran; run AE, with 6 s
# kept for each tool after one: the last two SYN flood tools 1 s and 0 s)
# a tool cannot take the time of the tools after it.
_lab_slot() {
	echo $(($1 / $2))
}

# _lab_chain PREFIX CLASS PLAN_FILE: the class's tools of the plan
# (lab/plan.py), one after the other in the plan's (random) order, 1.5 to 3 s
# apart; each one's start and end go to $LAB_SCHEDULE, its parameters to
# $LAB_PARAMS.
_lab_chain() {
	local P=$1 cls=$2 tool params cmd t0 line n i=0 left slot seg segs
	n=$(grep -c "^$cls " "$3")
	while IFS= read -r line; do
		cmd=${line#*|} line=${line%%|*}
		read -r _ tool params <<< "$line"
		t0=$(date +%s.%N)
		left=$((${LAB_MIX_END:-999999999} - SECONDS))
		slot=$(_lab_slot "$left" $((n - i)))
		i=$((i + 1))
		LAB_TOOL_END=$((SECONDS + slot))
		# the plan's segments of the tool ("; "), none started past its slot
		readarray -t segs <<< "${cmd//; /$'\n'}"
		for seg in "${segs[@]}"; do
			[ "$SECONDS" -lt "$LAB_TOOL_END" ] || break
			eval "$seg"
		done
		unset LAB_TOOL_END
		[ -n "${LAB_SCHEDULE:-}" ] &&
			echo "$tool $cls ${t0:0:14} $(date +%s.%N | cut -c1-14)" >> "$LAB_SCHEDULE"
		[ -n "${LAB_PARAMS:-}" ] && echo "$cls $tool ${t0:0:14} ${cmd#* \$P }" >> "$LAB_PARAMS"
		sleep "$(awk -v r="$RANDOM" 'BEGIN { printf "%.2f", 1.5 + 1.5 * r / 32767 }')"
		[ "$SECONDS" -lt "${LAB_MIX_END:-999999999}" ] || break
	done < <(grep "^$cls " "$3")
}

# _lab_at PREFIX DELAY NAME CMD...: after DELAY seconds run CMD; its start and
# end go to $LAB_SCHEDULE as "NAME CLASS START END" (Unix seconds).
_lab_at() {
	local delay=$2 name=$3 node t0 rc
	shift 3
	sleep "$delay"
	node=${name%%:*}
	t0=$(date +%s.%N)
	"$@"
	rc=$?
	[ -n "${LAB_SCHEDULE:-}" ] &&
		echo "${name#*:} $(lab_class "$node") ${t0:0:14} $(date +%s.%N | cut -c1-14)" >> "$LAB_SCHEDULE"
	return $rc
}

# lab_mix PREFIX train|live SECONDS [benign|all] [SEED]: benign traffic for
# SECONDS (curl/wget browsing, ssh logins, dig, iperf3, ping from c1 and
# c2; lab/benign.py's many clients from c1's extra addresses, and its
# browsers without DNS: lab_page_sources) and, with
# "all" (default), every attack class's tools one after the other, their
# parameters drawn at random (seeded by SEED and the phase). Returns when
# everything has ended (each piece is bounded in time and packets). Results
# of benign requests go to $LAB_RESULTS, attack times to $LAB_SCHEDULE, the
# drawn parameters to $LAB_PARAMS. LAB_FLOODS=subnet (default): the floods'
# spoofed sources stay in their /24; LAB_FLOODS=segments: every flood tool
# in segments, each from a source spread drawn for it (one address to the
# class's /11 of lab_spread, IPv6 over lab_spread6) (lab/plan.py --floods);
# LAB_SYN_SHAPES=1 (with segments): the SYN floods in other shapes too
# (lab/plan.py --syn-shapes).
lab_mix() {
	local p=$1 ph=$2 T=$3 what=${4:-all} seed=${5:-1} pids=() k=2 cls plan s=0 net part
	lab_phase "$p" "$ph" || return 1
	# k: a short mix (under 30 s) sends about half of every count
	[ "$T" -lt 30 ] && k=1
	[ "$ph" = live ] && s=1
	plan=$(mktemp "${LAB_TMPDIR:-/tmp}/fflab-plan.XXXXXX") || return 1
	local LAB_MIX_END=$((SECONDS + T + 20))	# no tool starts after this
	python3 "$LAB_DIR/plan.py" --seed $((seed * 2 + s)) --scale "$k" \
		--src "nmap=$(lab_addr nmap "$ph")" --src "mscan=$(lab_addr mscan "$ph")" \
		--src "udpf=$(lab_addr udpf "$ph")" --src "t50=$(lab_addr t50 "$ph")" \
		--src "synf=$(lab_addr synf "$ph")" --floods "${LAB_FLOODS:-subnet}" \
		${LAB_CLASSES:+--classes "$LAB_CLASSES"} ${LAB_SYN_SHAPES:+--syn-shapes} > "$plan" ||
		{ rm -f "$plan"; return 1; }
	lab_browse "$p" c1 "$T" 300 1200 & pids+=($!)
	lab_browse "$p" c2 "$T" 150 900 & pids+=($!)
	lab_ssh_logins "$p" c2 $((T / 4 + 1)) 1000 3000 & pids+=($!)
	lab_ssh_logins "$p" c1 $((T / 5 + 1)) 800 2500 & pids+=($!)
	lab_dns "$p" c2 "$T" 300 1200 & pids+=($!)
	_lab_at "$p" "$((T / 3 + s * 5))" c1:iperf3 lab_iperf "$p" c1 2 $((40 + s * 20)) & pids+=($!)
	_lab_at "$p" "$((T / 4 + s * 3))" c2:ping lab_exec "$p" c2 ping -n -q -c 4 -i 0.5 "$LAB_SRV4" > /dev/null & pids+=($!)
	# lab/benign.py's clients: their HTTP and their DNS in a process each
	# (in one, the DNS queries waited on the HTTP threads)
	for part in http dns; do
		LAB_EXEC_TIMEOUT=$((T + 15)) lab_exec "$p" c1 python3 "$LAB_DIR/benign.py" \
			--server "$LAB_SRV4" --sources "$(lab_benign_sources "$ph")" --seconds "$T" \
			--dns-sources "$(lab_dns_sources "$ph")" \
			--seed "$((seed * 2 + 7))" --part "$part" --http-rate $((90 * k)) \
			--dns-rate $((110 * k)) --workers 40 ${LAB_RESULTS:+--results "$LAB_RESULTS"} \
			2>> "${LAB_RESULTS:-/dev/null}.benign" & pids+=($!)
	done
	# browsers without DNS (lab_page_sources), a process per network: one
	# scheme (HTTP or HTTPS, drawn), and mixed; a short mix opens fewer
	# pages. On by default (LAB_PAGE_BROWSERS=0 turns them off): without
	# them every benign network of the lab sends DNS to the server, and the
	# forest learned to call a busy /24 without one-packet flows an HTTP
	# flood (held-out busy browsing 99.6 % flagged; docs/lab.md)
	for net in $([ "${LAB_PAGE_BROWSERS:-1}" = 1 ] && echo one mixed); do
		LAB_EXEC_TIMEOUT=$((T + 15)) lab_exec "$p" c1 python3 "$LAB_DIR/benign.py" \
			--server "$LAB_SRV4" --page-sources "$(lab_page_sources "$ph" "$net")" \
			--page-scheme "$([ "$net" = mixed ] && echo mixed ||
				{ [ $(((seed + s) % 2)) = 0 ] && echo https || echo http; })" \
			--page-gap "$([ "$k" = 1 ] && echo 1.5,6 || echo 0.8,3)" --seconds "$T" \
			--seed "$((seed * 4 + s * 2 + ${#net}))" ${LAB_RESULTS:+--results "$LAB_RESULTS"} \
			2>> "${LAB_RESULTS:-/dev/null}.benign" & pids+=($!)
	done
	if [ "$what" = all ]; then
		for cls in $(cut -d' ' -f1 "$plan" | sort -u); do
			{ sleep 1; _lab_chain "$p" "$cls" "$plan"; } & pids+=($!)
		done
	fi
	wait "${pids[@]}"
	rm -f "$plan"
	lab_quiesce "$p"
	return 0
}

# lab_quiesce PREFIX: abort every TCP connection left in the lab (a client
# whose server stopped answering, or whose packets were dropped, keeps
# retransmitting for minutes; those would leak into the next run).
lab_quiesce() {
	local n
	for n in $LAB_NODES; do
		_lab_t ip netns exec "$(lab_ns "$1" "$n")" ss -K -tn state connected > /dev/null 2>&1
	done
	sleep 0.2
}

# ---- command line -------------------------------------------------------------------

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
	set -u
	case "${1:-} ${2:-}" in
	"up "?*) lab_up "$2" ;;
	"down "?*) lab_down "$2" ;;
	"status "?*) lab_status "$2" ;;
	"labels "*) lab_labels ;;
	*)
		echo "usage: bash lab/lab.sh up|down|status PREFIX | labels" >&2
		exit 2
		;;
	esac
fi
