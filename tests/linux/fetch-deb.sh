#!/bin/sh
# fetch-deb.sh PACKAGE DIR MEMBER DEST: the Debian package PACKAGE (a meta-package such as
# linux-image-amd64 is resolved to the package it depends on) downloaded with `apt-get download`
# into DIR/deb, unpacked there with `dpkg-deb -x` (nothing is installed: the machine's /boot and
# /bin stay as they are), and its file MEMBER (a shell pattern, relative to the package's root)
# copied to DEST. With LINUX_DEBS=FOLDER set, a PACKAGE_*.deb found there is used instead of
# downloading (for a machine without network).
set -eu
pkg=$1 dir=$2 member=$3 dest=$4
mkdir -p "$dir/deb"
# linux-image-amd64 depends on the kernel of the day, linux-image-6.1.0-NN-amd64
resolve() {
	case $pkg in
	linux-image-amd64)
		apt-cache depends "$pkg" 2>/dev/null |
			sed -n 's/^ *Depends: \(linux-image-[0-9][^ ]*\)$/\1/p' | head -n 1 ;;
	*)	apt-cache show "$pkg" >/dev/null 2>&1 && echo "$pkg" ;;
	esac
}
real=$(resolve || true)
if [ -z "$real" ] && [ -z "${LINUX_DEBS:-}" ]; then
	# no package lists (a machine whose lists were cleaned): fetch them once
	SUDO=""
	[ "$(id -u)" -eq 0 ] || SUDO=sudo
	echo "linux: apt-cache does not know $pkg: apt-get update" >&2
	$SUDO apt-get update -q >&2 || true
	real=$(resolve || true)
fi
if [ -z "$real" ]; then
	echo "linux: cannot resolve the package $pkg with apt-cache: the Linux test material needs" \
	     "Debian's package lists (apt-get update, the network), or LINUX_DEBS=FOLDER" >&2
	exit 1
fi
deb=
if [ -n "${LINUX_DEBS:-}" ]; then
	deb=$(ls "$LINUX_DEBS/${real}_"*_amd64.deb 2>/dev/null | head -n 1 || true)
	[ -n "$deb" ] && echo "  DEB     $real (from $LINUX_DEBS)"
fi
if [ -z "$deb" ]; then
	echo "  DEB     $real (apt-get download)"
	rm -f "$dir/deb/${real}_"*.deb
	# apt-get download as root drops to the _apt user, which must be able to write here; a
	# folder of our own it cannot: say nothing of the "unsandboxed" note, the file still comes
	if ! (cd "$dir/deb" && apt-get download -q "$real" 2>&1 | grep -v 'unsandboxed' >&2;
	      ls "${real}_"*.deb >/dev/null 2>&1); then
		echo "linux: 'apt-get download $real' failed: the Linux test material needs the" \
		     "network and Debian's package lists (apt-get update), or LINUX_DEBS=FOLDER" \
		     "holding ${real}_*.deb" >&2
		exit 1
	fi
	deb=$(ls "$dir/deb/${real}_"*.deb | head -n 1)
fi
root=$dir/deb/$real
rm -rf "$root"
dpkg-deb -x "$deb" "$root"
# shellcheck disable=SC2086
set -- $root/$member
[ $# -eq 1 ] && [ -f "$1" ] || { echo "linux: $deb has no single $member" >&2; exit 1; }
cp "$1" "$dest.new"
mv "$dest.new" "$dest"
echo "$real $(dpkg-deb -f "$deb" Version)" > "$dest.version"
rm -rf "$root"
