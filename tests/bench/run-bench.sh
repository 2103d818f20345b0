#!/bin/bash
# make bench: exit costs and footprint on both back-ends, in emulators whose
# TSC counts executed instructions, so every figure is an instruction count
# (guest and hypervisor alike) and repeats exactly run to run:
#   AMD-V: QEMU TCG -cpu EPYC with -icount shift=0,sleep=off
#   VT-x:  Bochs corei7_skylake_x, one CPU, clock sync=none (the TSC is
#          Bochs's tick count, one per instruction, whatever ips= says)
# Each run also measures its floors at boot (benchfloor=1, core/vm_smoke.c):
# a CPUID round trip through a loop around the back-end's entry stub with a
# trivial handler (step RIP), and the same through vcpu_ops->run. Figures
# are shown with their ratio to the first.
# Then the Linux child's figures, in wall-clock seconds (tests/bench/linux-bench.sh: the
# same kernel booted by QEMU -kernel, our child's start to its /init, the idle child's exits).
# Writes a text report to stdout and JSON to BUILD/bench.json.
set -eu
build=$1
here=$(dirname "$0")
dir=$build/bench
mkdir -p "$dir"
"$here/../system/mkiso.sh" "$build/hv.elf" "$dir/hv.iso" \
	"serial=com1,115200 after_boot=poweroff benchfloor=1" \
	"$build/guests/bench.elf:bench.elf partition=bench mem=4M vcpus=1"

# The root's figures (root_test=bench, partitions/root/bench.c), after its start-up script's first
# command (a `script` module of one echo):
#  - hypervisor entry (its TSC in entry.S, handed over in the boot information) to that command;
#  - the intercept round trip (intercept_bench, partitions/root/intercept_test.c): two children,
#    each doing OUT 0xE9 in a loop; child 0 shares the root's CPU 0, child 1 is on CPU 1 where
#    there are 2 CPUs (QEMU; the Bochs run has one CPU: both on CPU 0);
#  - a child of 16 MiB and one VP created with the root calls, to its first instruction (the
#    third child: on CPU 0 again), and SetVpRegisters of one register of its suspended VP.
# The root powers the machine off when done (no after_boot=poweroff: with it the root would
# power off as soon as its script is done, before the figures).
printf 'echo bench: the first command\n' > "$dir/root-script.txt"
"$here/../system/mkiso.sh" "$build/hv.elf" "$dir/hv-root.iso" \
	"serial=com1,115200 root=on root_test=bench" \
	"$dir/root-script.txt:script"

run_root_svm() {
	timeout 300 qemu-system-x86_64 -accel tcg,thread=single -icount shift=0,sleep=off \
		-cpu EPYC -smp 2 -m 256M -cdrom "$dir/hv-root.iso" -display none -monitor none \
		-no-reboot -serial "file:$dir/root-svm.txt" 2>/dev/null || true
	tr -d '\r' < "$dir/root-svm.txt" > "$dir/root-svm.log"
}

run_root_vmx() {
	"$here/../system/boot.sh" --emu bochs --iso "$dir/hv-root.iso" --cpus 1 --mem 256M \
		--cpu corei7_skylake_x --serial "$dir/root-vmx.txt" --timeout 300 \
		--workdir "$dir/bochs-root" >/dev/null 2>&1 || true
	tr -d '\r' < "$dir/root-vmx.txt" > "$dir/root-vmx.log"
}

# Power-on to the console prompt: make run's ISO (its command line, the DEMO modules, no
# after_boot=poweroff) under QEMU -icount with 2 CPUs, and under Bochs with 1; at its first prompt the root prints
# "root: console ready, TSC N" (the TSC counts instructions from power-on), and console.py, on
# COM1 over TCP, then sends `shutdown`. The wall-clock seconds are those of the same run, from
# starting the emulator to that line.
demo_mods=("$build/guests/cpuid.elf:cpuid.elf partition=demo-cpuid mem=4M"
	"$build/guests/smp.elf:smp.elf partition=demo-smp mem=4M vcpus=2" "$here/../../docs/demo.cfg:demo.cfg")
[ -f "$build/guests/ticker.elf" ] && demo_mods+=("$build/guests/ticker.elf:ticker.elf")
"$here/../system/mkiso.sh" "$build/hv.elf" "$dir/hv-prompt.iso" "serial=com1,115200 loglvl=info" \
	"${demo_mods[@]}"
printf '%s\n' 'expect root: console ready, TSC [0-9]+$ 240' 'mark prompt' 'send shutdown' \
	> "$dir/prompt-conversation.txt"

# run_prompt VENDOR BOOT-ARGS...: ${VENDOR}_prompt (the TSC at the prompt) and ${VENDOR}_prompt_wall.
run_prompt() {
	local v=$1 tsc wall
	shift
	"$here/../system/console.py" --log "$dir/prompt-$v.txt" --exit-timeout 120 \
		"$dir/prompt-conversation.txt" -- --iso "$dir/hv-prompt.iso" --mem 512M --timeout 400 \
		--workdir "$dir/prompt-$v" "$@" > "$dir/prompt-$v.out" 2>&1 || true
	"$here/../system/console.py" --transform < "$dir/prompt-$v.txt" > "$dir/prompt-$v.log"
	tsc=$(sed -n 's/.*root: console ready, TSC \([0-9][0-9]*\).*/\1/p' "$dir/prompt-$v.log" |
		head -n 1)
	wall=$(sed -n 's/^mark prompt \([0-9.]*\)$/\1/p' "$dir/prompt-$v.out")
	if [ -z "$tsc" ] || [ -z "$wall" ]; then
		echo "bench: the $v console run did not reach 'root: console ready, TSC N'; console.py said:" >&2
		tail -n 40 "$dir/prompt-$v.out" >&2
		exit 1
	fi
	printf -v "${v}_prompt" '%s' "$tsc"
	printf -v "${v}_prompt_wall" '%s' "$wall"
}

# The root run's figures: ${v}_rt0 (child on CPU 0, the root's), ${v}_rt1 (the second child).
parse_root() {
	local v=$1 log=$dir/root-$1.log
	eval "${v}_rt0=\$(val "$log" intercept_rt_child0)"
	eval "${v}_rt1=\$(val "$log" intercept_rt_child1)"
	eval "${v}_boot=\$(val "$log" hv_entry_to_first_command)"
	eval "${v}_create=\$(val "$log" create_to_first_insn)"
	eval "${v}_deposited=\$(val "$log" deposited_pages)"
	eval "${v}_zero_page=\$(val "$log" zero_page)"
	eval "${v}_setreg=\$(val "$log" set_vp_register)"
	for k in rt0 rt1 boot create deposited zero_page setreg; do
		eval "[ -n \"\${${v}_$k}\" ]" && continue
		echo "bench: the root run on $v did not report $k; serial log tail:" >&2
		tail -n 20 "$log" >&2
		exit 1
	done
}

run_svm() {
	timeout 300 qemu-system-x86_64 -accel tcg,thread=single -icount shift=0,sleep=off \
		-cpu EPYC -smp 1 -m 256M -cdrom "$dir/hv.iso" -display none -monitor none \
		-no-reboot -serial "file:$dir/svm.txt" 2>/dev/null || true
	tr -d '\r' < "$dir/svm.txt" > "$dir/svm.log"
}

run_vmx() {
	"$here/../system/boot.sh" --emu bochs --iso "$dir/hv.iso" --cpus 1 --mem 256M \
		--cpu corei7_skylake_x --serial "$dir/vmx.txt" --timeout 300 \
		--workdir "$dir/bochs" >/dev/null 2>&1 || true
	tr -d '\r' < "$dir/vmx.txt" > "$dir/vmx.log"
}

# first number after "KEY=" (KEY preceded by a space) in LOG
val() { sed -n "s/.* $2=\([0-9][0-9]*\).*/\1/p" "$1" | head -n 1; }

# Parse one vendor's log into variables prefixed with the vendor's name.
parse() {
	local v=$1 log=$dir/$1.log start entry line
	eval "${v}_floor=\$(val "$log" floor)"
	eval "${v}_run_floor=\$(val "$log" run_floor)"
	eval "${v}_cpuid=\$(val "$log" cpuid_exit)"
	eval "${v}_hcall=\$(val "$log" hypercall_exit)"
	eval "${v}_io=\$(val "$log" io_exit)"
	# the root's cost line for the child: pages of its pool in use (tables, VPs) and the object
	line=$(grep "root: 'bench': deposited" "$log" | head -n 1)
	eval "${v}_part_kib=$(echo "$line" |
		sed -n 's/.*, \([0-9]*\) in use: .*partition object \([0-9]*\) pages.*/$(( (\1 + \2) * 4 ))/p')"
	eval "${v}_vcpu_kib=$(echo "$line" | sed -n 's/.*VPs \([0-9]*\);.*/$((\1 * 4))/p')"
	for k in floor run_floor cpuid hcall io part_kib vcpu_kib; do
		eval "[ -n \"\${${v}_$k}\" ]" && continue
		echo "bench: the $v run did not report $k; serial log tail:" >&2
		tail -n 20 "$log" >&2
		exit 1
	done
}

# "N (R.RRx)": a figure and its ratio to the floor
ratio() { awk -v n="$1" -v f="$2" 'BEGIN { printf "%d (%.2fx)", n, n / f }'; }

run_svm
run_vmx
run_root_svm
run_root_vmx
run_prompt svm --emu qemu --cpus 2 --qemu-arg -icount --qemu-arg shift=0,sleep=off
run_prompt vmx --emu bochs --cpus 1	# Bochs's TSC: one tick an instruction (clock sync=none)
parse svm
parse vmx
parse_root svm
parse_root vmx
image=$(size -A "$build/hv.elf" | awk '$1 ~ /^\.(text|rodata|data|bss)$/ { s += $2 } END { print s }')
file=$(stat -c %s "$build/hv.elf")

row() {
	printf '  %-46s %-20s %s\n' "$1" "$2" "$3"
}
echo "benchmark: instructions per operation (the TSC counts instructions), ratio to the floor"
row "" "AMD-V (QEMU EPYC)" "VT-x (Bochs Skylake-X)"
row "floor: entry stub, trivial handler" "$svm_floor" "$vmx_floor"
row "floor through vcpu_ops->run" "$(ratio "$svm_run_floor" "$svm_floor")" \
	"$(ratio "$vmx_run_floor" "$vmx_floor")"
row "CPUID exit round trip" "$(ratio "$svm_cpuid" "$svm_floor")" "$(ratio "$vmx_cpuid" "$vmx_floor")"
row "null hypercall round trip" "$(ratio "$svm_hcall" "$svm_floor")" \
	"$(ratio "$vmx_hcall" "$vmx_floor")"
row "port with no device, through the root (*)" "$(ratio "$svm_io" "$svm_floor")" "$(ratio "$vmx_io" "$vmx_floor")"
row "root intercept round trip, child on CPU 0" "$(ratio "$svm_rt0" "$svm_floor")" \
	"$(ratio "$vmx_rt0" "$vmx_floor")"
row "root intercept round trip, child on CPU 1" "$(ratio "$svm_rt1" "$svm_floor")" "n/a (1 CPU)"
row "SetVpRegisters, one register (root call)" "$(ratio "$svm_setreg" "$svm_floor")" \
	"$(ratio "$vmx_setreg" "$vmx_floor")"
row "child of 16 MiB, 1 VP: root calls -> 1st insn" "$svm_create" "$vmx_create"
row "  of which pmem zeroing deposited pages (+)" "$((svm_deposited * svm_zero_page))" \
	"$((vmx_deposited * vmx_zero_page))"
row "hypervisor entry -> root's 1st script command" "$svm_boot (2 CPUs)" "$vmx_boot (1 CPU)"
row "power-on -> console prompt (make run)" "$svm_prompt (2 CPUs) (#)" "$vmx_prompt (1 CPU)"
row "memory overhead per partition (1 vCPU)" "$svm_part_kib KiB" "$vmx_part_kib KiB"
row "memory overhead per vCPU" "$svm_vcpu_kib KiB" "$vmx_vcpu_kib KiB"
echo "  hypervisor image in memory: $image bytes (file $file bytes)"
echo "  (*) the bench child's OUT to port 0x80 (nothing there), completed by the root: on"
echo "      CPU 0 beside the root, which also relays the log meanwhile (the figure above it"
echo "      is the intercept path alone, measured by the root with OUT 0xE9)."
echo "  (+) the root's deposits take zeroed pages from its allocator (rep stosq); mshv's"
echo "      pages are not zeroed. Pages deposited: $svm_deposited (AMD-V), $vmx_deposited (VT-x)."
echo "  (#) make run's ISO (its 2 demonstration partitions): instructions from power-on"
echo "      (firmware and GRUB included) to the root's first prompt; those runs took"
echo "      $svm_prompt_wall s (QEMU -icount, ~4x slower than make run's plain TCG) and"
echo "      $vmx_prompt_wall s (Bochs) of wall-clock time to the prompt."
echo
"$here/linux-bench.sh" "$build" || exit 1


vendor_json() {
	local v=$1 emu=$2
	cat <<JSON
    "$v": {
      "emulator": "$emu",
      "floor": $(eval echo "\$${v}_floor"),
      "run_floor": $(eval echo "\$${v}_run_floor"),
      "cpuid_exit": $(eval echo "\$${v}_cpuid"),
      "hypercall_exit": $(eval echo "\$${v}_hcall"),
      "io_no_device_through_root": $(eval echo "\$${v}_io"),
      "root_intercept_rt_cpu0": $(eval echo "\$${v}_rt0"),
      "root_intercept_rt_cpu1": $([ "$v" = svm ] && eval echo "\$${v}_rt1" || echo null),
      "root_set_vp_register": $(eval echo "\$${v}_setreg"),
      "root_create_child_to_first_instruction": $(eval echo "\$${v}_create"),
      "root_create_child_deposited_pages": $(eval echo "\$${v}_deposited"),
      "root_zero_page": $(eval echo "\$${v}_zero_page"),
      "hv_entry_to_root_first_command": $(eval echo "\$${v}_boot"),
      "power_on_to_console_prompt": $(eval echo "\$${v}_prompt"),
      "power_on_to_console_prompt_wall_s": $(eval echo "\$${v}_prompt_wall"),
      "partition_overhead_kib": $(eval echo "\$${v}_part_kib"),
      "vcpu_overhead_kib": $(eval echo "\$${v}_vcpu_kib")
    }
JSON
}
{
	echo "{"
	echo '  "unit": "instructions",'
	echo "  \"image_bytes\": $image,"
	echo "  \"image_file_bytes\": $file,"
	echo '  "vendors": {'
	vendor_json svm qemu-tcg-icount-epyc
	echo "    ,"
	vendor_json vmx bochs-corei7_skylake_x-1cpu-sync-none
	echo "  },"
	echo '  "linux":'
	sed 's/^/  /' "$dir/linux.json"
	echo "}"
} > "$build/bench.json"
echo "bench: JSON in $build/bench.json"
