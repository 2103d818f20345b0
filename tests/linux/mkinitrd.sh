#!/bin/sh
# mkinitrd.sh BUSYBOX INIT OUT: the Linux child's initramfs, a gzip'd newc cpio (the Debian kernel
# has CONFIG_RD_GZIP=y) with /bin/busybox, a link per applet in /bin (busybox --list, run here:
# it is the static binary), the mount points /dev /proc /sys, and INIT as /init. /dev is a
# devtmpfs that /init mounts (the kernel's built-in initramfs already has /dev/console for the
# first console). Reproducible: names sorted, every mtime and owner the same, gzip -n.
set -eu
bb=$1 init=$2 out=$3
stage=$out.root
rm -rf "$stage"
mkdir -p "$stage/bin" "$stage/dev" "$stage/proc" "$stage/sys" "$stage/tmp"
cp "$bb" "$stage/bin/busybox"
chmod 755 "$stage/bin/busybox"
for a in $("$bb" --list); do
	[ "$a" = busybox ] || ln -s busybox "$stage/bin/$a"
done
ln -s bin "$stage/sbin"
cp "$init" "$stage/init"
chmod 755 "$stage/init"
find "$stage" -exec touch -h -d @0 {} +
(cd "$stage" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --reproducible --quiet) |
	gzip -n -9 > "$out.new"
mv "$out.new" "$out"
rm -rf "$stage"
