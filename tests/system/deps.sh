#!/bin/sh
# Install the Debian packages that building, running and testing need, when
# any is missing. Used by `make run` and `make test`; needs root (or sudo).
# (The Linux child's kernel and busybox-static are downloaded, not installed:
# tests/linux/fetch-deb.sh; cpio packs its initramfs, acpica-tools' iasl
# compiles its ACPI tables.)
set -e
PKGS="gcc make binutils grub-common grub-pc-bin grub-efi-amd64-bin xorriso mtools
qemu-system-x86 ovmf bochs bochsbios vgabios libcmocka-dev clang libclang-rt-14-dev python3 cpio acpica-tools"
missing=""
for p in $PKGS; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "ok installed" || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
echo "deps: installing$missing"
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO=sudo
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends $missing
