#!/usr/bin/env bash
# SPDX-License-Identifier: MIT
# Build build/flowforest_VERSION_ARCH.deb from the built tree (`make deb`):
# the binary (the BPF object is inside it), man pages generated from --help
# by help2man, the systemd unit, an example config and model, the docs.
# Depends comes from the shared libraries the binary links (dpkg-shlibdeps).
set -euo pipefail
cd "$(dirname "$0")/.."

bin=./flowforest
[ -x "$bin" ] || { echo "mkdeb: build flowforest first (make)" >&2; exit 1; }
version=$("$bin" --version | awk '{print $2}')
arch=$(dpkg --print-architecture)
work=build/deb
root=$work/root
deb=build/flowforest_${version}_${arch}.deb

rm -rf "$work"
mkdir -p "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/man/man1" "$root/lib/systemd/system" \
	"$root/etc/flowforest" "$root/usr/share/flowforest" "$root/usr/share/doc/flowforest" \
	"$work/bin" "$work/debian"

install -m 0755 "$bin" "$root/usr/bin/flowforest"
strip --strip-unneeded --remove-section=.comment --remove-section=.note "$root/usr/bin/flowforest"

# Man pages: flowforest(1) and one per command, flowforest-run(1), ...
# help2man runs each with --help; a command is wrapped so that it looks like
# a program of its own.
commands=$("$bin" --help | awk '/^Commands:/ {on=1; next} on && /^  [a-z]/ {print $1} on && /^$/ {exit}')
help2man --no-info --no-discard-stderr --version-string="$version" \
	--name="traffic classification with decision trees in the kernel" \
	--output="$work/flowforest.1" "$bin"
for c in $commands; do
	w="$work/bin/flowforest-$c"
	printf '#!/bin/sh\nexec "%s" %s "$@"\n' "$(realpath "$bin")" "$c" > "$w"
	chmod +x "$w"
	desc=$("$bin" --help | awk -v c="$c" '$1 == c {$1=""; sub(/^ +/, ""); print; exit}')
	help2man --no-info --no-discard-stderr --version-string="$version" --name="$desc" \
		--output="$work/flowforest-$c.1" "$w"
done
for m in "$work"/*.1; do
	gzip -9n < "$m" > "$root/usr/share/man/man1/$(basename "$m").gz"
done

install -m 0644 packaging/flowforest@.service "$root/lib/systemd/system/"
install -m 0644 packaging/example.conf "$root/etc/flowforest/example.conf"
install -m 0644 lab/models/handwritten.json "$root/usr/share/flowforest/example-model.json"
for d in README.md docs/fleet.md docs/ipfix.md docs/eve.md docs/operations.md docs/events.md; do
	[ -f "$d" ] && install -m 0644 "$d" "$root/usr/share/doc/flowforest/"
done
install -m 0644 packaging/copyright "$root/usr/share/doc/flowforest/copyright"
{
	echo "flowforest ($version) unstable; urgency=medium"
	echo
	echo "  * Built from the flowforest source tree by make deb."
	echo
	echo " -- flowforest maintainers <maintainers@flowforest.invalid>  $(date -R -d @"${SOURCE_DATE_EPOCH:-$(git log -1 --format=%ct 2>/dev/null || date +%s)}")"
} | gzip -9n > "$root/usr/share/doc/flowforest/changelog.gz"

# Depends from the libraries the binary links.
cat > "$work/debian/control" <<CTRL
Source: flowforest
Maintainer: flowforest maintainers <maintainers@flowforest.invalid>

Package: flowforest
Architecture: $arch
CTRL
depends=$(cd "$work" && dpkg-shlibdeps -O -eroot/usr/bin/flowforest 2>/dev/null |
	sed -n 's/^shlibs:Depends=//p')
[ -n "$depends" ] || { echo "mkdeb: dpkg-shlibdeps found no dependencies" >&2; exit 1; }
size=$(du -sk --exclude=DEBIAN "$root" | cut -f1)

cat > "$root/DEBIAN/control" <<CTRL
Package: flowforest
Version: $version
Architecture: $arch
Maintainer: flowforest maintainers <maintainers@flowforest.invalid>
Installed-Size: $size
Depends: $depends
Section: net
Priority: optional
Homepage: https://flowforest.invalid/
Description: traffic classification with decision trees in the kernel
 flowforest runs decision-tree and random-forest models inside the kernel
 (XDP, TC, socket filter) on flow features computed per packet, and drops,
 alerts on or passes flows by class. It exports flow records over IPFIX,
 alerts in Suricata's EVE format and Prometheus metrics, and runs as a
 systemd service per interface (flowforest@IFACE).
CTRL
echo /etc/flowforest/example.conf > "$root/DEBIAN/conffiles"
install -m 0755 packaging/postinst packaging/prerm packaging/postrm "$root/DEBIAN/"
(cd "$root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' | sort -z |
	xargs -0 md5sum) > "$root/DEBIAN/md5sums"
dpkg-deb --root-owner-group -Zxz --build "$root" "$deb" >/dev/null
echo "$deb"
