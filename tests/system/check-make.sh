#!/bin/bash
# check-make.sh: every make target installs its packages (the `deps` target)
# before it runs any tool, so that on a fresh machine with only gcc, binutils
# and make each target works from a clean clone.
#
# How: each target is made from nothing, with -j8, into a scratch build
# folder, with every tool it may run (compilers, linker, GRUB tools,
# emulators) replaced by a stub on PATH, and with DEPS_SH replaced by a
# stand-in that takes a second and then leaves a mark. A stub that runs
# before the mark exists is a tool run before the packages were installed:
# on a fresh machine it would not be there. Under -j8, a rule not ordered
# after `deps` starts at once, inside that second. The stubs write an
# executable that succeeds wherever a tool is asked for an output file (-o),
# so each target goes all the way through; what they make is never looked
# at, only when they ran. The targets are checked side by side.
#
# Then: deps.sh names the package of every tool and firmware file used here
# (dpkg -S, for those installed on this machine).
set -u
cd "$(dirname "$0")/../.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
stubs=$tmp/bin
mkdir -p "$stubs"

# The deps stand-in and the stubs find their check's folder in CHECK_DIR.
printf '%s\n' '#!/bin/sh' 'sleep 1' 'touch "$CHECK_DIR/deps-done"' \
	'echo deps >> "$CHECK_DIR/calls"' > "$tmp/deps.sh"
chmod +x "$tmp/deps.sh"

TOOLS="gcc cc ld clang size grub-file grub-mkrescue xorriso mformat qemu-system-x86_64 bochs-bin iasl"
# The Linux material's download (tests/linux/fetch-deb.sh, apt-get and dpkg-deb) is a stub too:
# it records when it ran and writes its DEST (its 4th argument), an executable.
printf '%s\n' '#!/bin/sh' \
	'if [ -e "$CHECK_DIR/deps-done" ]; then r=ok; else r=BEFORE-DEPS; fi' \
	'echo "fetch-deb $r" >> "$CHECK_DIR/calls"' \
	'mkdir -p "$(dirname "$4")"' "printf '#!/bin/sh\\nexit 0\\n' > \"\$4\"" 'chmod +x "$4"' \
	> "$stubs/fetch-deb.sh"
chmod +x "$stubs/fetch-deb.sh"
for t in $TOOLS; do
	printf '%s\n' '#!/bin/sh' \
		'if [ -e "$CHECK_DIR/deps-done" ]; then r=ok; else r=BEFORE-DEPS; fi' \
		"echo \"$t \$r\" >> \"\$CHECK_DIR/calls\"" \
		'out= prev=' \
		'for a in "$@"; do [ "$prev" = -o ] && out=$a; prev=$a; done' \
		'if [ -n "$out" ]; then' \
		'	mkdir -p "$(dirname "$out")"' \
		"	printf '#!/bin/sh\\nexit 0\\n' > \"\$out\"" \
		'	chmod +x "$out"' \
		'fi' \
		'exit 0' > "$stubs/$t"
	chmod +x "$stubs/$t"
done

# check_target NAME [TARGET]: make it; the verdict goes to $tmp/NAME/result
check_target() {
	local dir=$tmp/$1 target=${2:-} what=${2:-(default)} early ran
	mkdir -p "$dir"
	CHECK_DIR=$dir PATH=$stubs:$PATH timeout 300 make -j8 -k --no-print-directory \
		BUILD="$dir/build" DEPS_SH="$tmp/deps.sh" CHECK_MAKE_SH=true CASES=qemu-bios-1cpu \
		LINUX_FETCH_SH="$stubs/fetch-deb.sh" \
		${target:+"$target"} >"$dir/make.out" 2>&1 </dev/null
	early=$(grep -c 'BEFORE-DEPS' "$dir/calls" 2>/dev/null)
	ran=$(grep -vc '^deps$' "$dir/calls" 2>/dev/null)
	if ! grep -qx deps "$dir/calls" 2>/dev/null; then
		echo "FAIL make $what: deps never ran"
	elif [ "${early:-0}" -gt 0 ]; then
		echo "FAIL make $what: ran before deps:" \
			$(grep 'BEFORE-DEPS' "$dir/calls" | sort | uniq -c | awk '{print $2 " (" $1 "x)"}')
	elif [ "${ran:-0}" -eq 0 ]; then
		echo "FAIL make $what: no tool ran at all (the check checked nothing)"
	else
		echo "PASS make $what: deps first, then $ran tool runs"
	fi > "$dir/result"
}

# plain `make` builds `all` (hv.elf and hv.iso); the system cases are cut to one
targets=(default run guests unit fuzz system bench test)
for t in "${targets[@]}"; do
	check_target "$t" "${t#default}" &
done
wait
failed=0
for t in "${targets[@]}"; do
	cat "$tmp/$t/result"
	grep -q '^FAIL' "$tmp/$t/result" && failed=$((failed + 1))
done

# deps.sh's list against the packages that own what the build and tests use
pkgs=" $(sed -n '/^PKGS="/,/"$/p' tests/system/deps.sh | sed 's/^PKGS=//' | tr -d '"' | tr '\n\t' '  ') "
owner_listed() {	# FILE WHAT: FILE's package (when installed) is in deps.sh
	local owner
	[ -e "$1" ] || return 0
	owner=$(dpkg -S "$(readlink -f "$1")" 2>/dev/null | head -n 1 | cut -d: -f1)
	[ "$1" = /usr/bin/clang ] && owner=clang	# a link to clang-14, which `clang` brings
	[ -z "$owner" ] || [[ $pkgs == *" $owner "* ]] && return 0
	echo "FAIL deps.sh does not install $owner ($2)"
	failed=$((failed + 1))
}
for f in /usr/bin/grub-file /usr/bin/grub-mkrescue /usr/bin/xorriso /usr/bin/mformat \
	/usr/bin/qemu-system-x86_64 /usr/bin/bochs-bin /usr/bin/clang /usr/include/cmocka.h \
	/usr/lib/grub/i386-pc/modinfo.sh /usr/lib/grub/x86_64-efi/modinfo.sh \
	/usr/share/OVMF/OVMF_CODE_4M.fd /usr/share/bochs/BIOS-bochs-latest \
	/usr/share/vgabios/vgabios.bin /usr/bin/cpio /usr/bin/iasl; do
	owner_listed "$f" "$f"
done
owner_listed "$(clang -print-file-name=libclang_rt.fuzzer-x86_64.a 2>/dev/null)" "libFuzzer"

if [ "$failed" -eq 0 ]; then
	echo "check-make: every target installs its packages before it runs a tool"
	exit 0
fi
echo "check-make: $failed problems"
exit 1
