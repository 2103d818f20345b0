#!/bin/sh
# mkiso.sh ELF ISO "CMDLINE" [MODULE...]: a GRUB rescue ISO (BIOS and UEFI)
# whose single entry boots ELF with CMDLINE, plus one module2 line per MODULE
# (given as path[:name], the name becoming the module's command line).
set -e
elf=$1 iso=$2 cmdline=$3
shift 3
root=$(dirname "$iso")/$(basename "$iso" .iso).root
rm -rf "$root"
mkdir -p "$root/boot/grub" "$root/boot/modules"
cp "$elf" "$root/boot/hv.elf"
{
	echo "set timeout=0"
	echo "set default=0"
	echo "menuentry \"microhypervisor\" {"
	echo "	multiboot2 /boot/hv.elf $cmdline"
	for m in "$@"; do
		path=${m%%:*}
		name=${m#*:}
		[ "$name" = "$m" ] && name=$(basename "$path")
		cp "$path" "$root/boot/modules/$(basename "$path")"
		echo "	module2 /boot/modules/$(basename "$path") $name"
	done
	echo "	boot"
	echo "}"
} > "$root/boot/grub/grub.cfg"
grub-mkrescue -o "$iso" "$root" >/dev/null 2>&1 || {
	echo "mkiso: grub-mkrescue failed:" >&2
	grub-mkrescue -o "$iso" "$root"
	exit 1
}
