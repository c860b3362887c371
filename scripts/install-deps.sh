#!/usr/bin/env bash
# Install every build, test and demo dependency of flowforest from Debian
# packages. Idempotent: packages already present are not touched, and apt is
# only consulted when something is missing. Needs root.
set -euo pipefail

PKGS=(
  # build: BPF side and skeletons
  clang llvm bpftool libbpf-dev libelf-dev zlib1g-dev linux-libc-dev
  # build: user side
  gcc make pkg-config libpcap-dev libjson-c-dev
  # tests
  libcmocka-dev iproute2 iputils-ping netcat-openbsd python3 tshark util-linux
  libclang-rt-14-dev
  # tests of model imports and the GBDT comparison (scikit-learn, XGBoost)
  python3-sklearn python3-joblib python3-xgboost
  # the traffic lab and demo (lab/): services, traffic and attack tools, capture
  nginx openssh-server openssh-client sshpass iperf3 dnsmasq-base bind9-dnsutils curl wget
  nmap masscan hping3 slowhttptest hydra t50 tcpdump procps
  # the held-out captures (lab/holdout.sh): tools the lab does not train on
  netsniff-ng
  # second implementations of the application-layer attacks (lab/plan.py)
  apache2-utils medusa ncrack
  # fleet integration tests: a real IPFIX collector, unit checks, packaging
  nfdump pmacct systemd help2man lintian dpkg-dev fakeroot
)

missing=()
for p in "${PKGS[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PKGS[@]} packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-deps: missing packages: ${missing[*]}" >&2
  echo "install-deps: run as root (sudo make ...) to install them" >&2
  exit 1
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
