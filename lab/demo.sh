#!/usr/bin/env bash
# `make demo`: the end-to-end demonstration. Today it runs the small lab
# (two namespaces, the hand-written model at XDP, live traffic, events and
# drops); see lab/demo-small.sh.
set -euo pipefail
cd "$(dirname "$0")/.."
exec bash lab/demo-small.sh "$@"
