#!/bin/bash
# Whole-system tests: boot the hypervisor ISO in QEMU (AMD-V) and Bochs
# (VT-x) with a given command line, and check the serial log line by line.
# Usage: run-tests.sh BUILD_DIR [NAME_FILTER]
set -u
build=$1 filter=${2:-}
here=$(dirname "$0")
elf=$build/hv.elf
out=$build/systest
passed=0 failed=0 failures=()
mkdir -p "$out"

# A case's directory ($dir), fresh; false (the case is skipped) when the filter leaves it out.
case_begin() {
	[ -n "$filter" ] && [[ $1 != *$filter* ]] && return 1
	dir=$out/$1
	rm -rf "$dir"
	mkdir -p "$dir"
}

# case NAME EMU CPUS UEFI TIMEOUT "CMDLINE" EXPECT... [-- FORBID...] [++ QEMU-ARGS...]
# An EXPECT of the form mod:PATH:MODULE-LINE adds a boot module instead; one
# of the form cpu:MODEL chooses the emulated CPU; one of the form
# order:RE1=>RE2 asks that the first line matching RE1 come before the
# first line matching RE2; one of the form check:FUNC runs the shell function
# FUNC on the serial log, a non-zero exit (its output says why) failing the case.
# Every EXPECT is an extended regex that some line of the serial log must match;
# every FORBID one that no line may match. The log checked is COM1's unless a
# QEMU-ARG set names a second serial file, given as @com2.
run_case() { retrying run_case_once "$@"; }
run_case_once() {
	local name=$1 emu=$2 cpus=$3 uefi=$4 tmo=$5 cmdline=$6
	shift 6
	local expect=() forbid=() qargs=() mods=() cpu=() orders=() checks=() mode=expect log
	for a in "$@"; do
		case $a in
		mod:*) mods+=("${a#mod:}") ;;
		check:*) checks+=("${a#check:}") ;;
		cpu:*) cpu=(--cpu "${a#cpu:}") ;;
		order:*) orders+=("${a#order:}") ;;
		--) mode=forbid ;;
		++) mode=qemu ;;
		*) case $mode in
		   expect) expect+=("$a") ;;
		   forbid) forbid+=("$a") ;;
		   qemu) qargs+=(--qemu-arg "$a") ;;
		   esac ;;
		esac
	done
	local dir
	case_begin "$name" || return
	log=$dir/com1.txt
	"$here/mkiso.sh" "$elf" "$dir/hv.iso" \
		"serial=com1,115200 after_boot=poweroff on_panic=poweroff $cmdline" \
		"${mods[@]}"
	for i in "${!qargs[@]}"; do
		qargs[$i]=${qargs[$i]//@com2/$dir/com2.txt}
		[[ ${qargs[$i]} == *com2.txt* ]] && log=$dir/com2.txt
	done
	local t0=$SECONDS
	"$here/boot.sh" --emu "$emu" --iso "$dir/hv.iso" --cpus "$cpus" --mem 256M \
		--uefi "$uefi" --serial "$dir/com1.txt" --timeout "$tmo" --workdir "$dir" \
		"${cpu[@]}" "${qargs[@]}" >"$dir/emu.out" 2>&1
	local rc=$? problems=()
	# what a terminal shows (console.py): the root's prompt redraws leave whole lines
	"$here/console.py" --transform < "$log" > "$dir/serial.txt" 2>/dev/null
	for re in "${expect[@]}"; do
		grep -qE -- "$re" "$dir/serial.txt" || problems+=("missing: $re")
	done
	for re in "${forbid[@]}"; do
		grep -qE -- "$re" "$dir/serial.txt" && problems+=("present: $re")
	done
	for o in "${orders[@]}"; do
		local first=${o%%=>*} then=${o#*=>} l1 l2
		l1=$(grep -nE -- "$first" "$dir/serial.txt" | head -n 1 | cut -d: -f1)
		l2=$(grep -nE -- "$then" "$dir/serial.txt" | head -n 1 | cut -d: -f1)
		[ -n "$l1" ] && [ -n "$l2" ] && [ "$l1" -lt "$l2" ] ||
			problems+=("out of order: '$first' (line ${l1:-none}) before '$then' (line ${l2:-none})")
	done
	local c why
	for c in "${checks[@]}"; do
		why=$("$c" "$dir/serial.txt") || problems+=("check $c: $why")
	done
	[ "$rc" = 124 ] || [ "$rc" = 137 ] && problems+=("timed out after ${tmo}s")
	local tails=("serial log tail ($log)=$dir/serial.txt=30")
	[ "$emu" = bochs ] && tails+=("bochs.log tail=$dir/bochs.log=15") ||
		tails+=("$emu's output=$dir/emu.out=5")
	verdict "$name" "$t0" "$rc" "${tails[@]}"
}

# QEMU 7.2's TCG (AMD-V, no NRIPS) rarely loses a guest's state at an exit: it stores its own
# host state over the guest's in the VMCB (docs/root.md, "QEMU's lost guest state"). The
# hypervisor sees that on the exit and ends the guest with this line; nothing can restore the
# state. A case that fails with it is not judged on that run: `retrying` runs it once more, says
# RETRY with the line, and the summary names it. A second failure of any kind is a FAIL.
QEMU_SLIP="svm: exit [0-9a-f]+ holding the host's state"
slip_retry=0 slipped=0 retried=()
retrying() {
	slip_retry=1 slipped=0
	rm -f "$out/$2.slip.txt"
	"$@"
	slip_retry=0
	[ "$slipped" = 1 ] && "$@"
	slipped=0
}

# PASS, or FAIL with the caller's `problems` and the tails of its files, each given as
# TITLE=FILE=LINES; the counters and the list of failures follow.
verdict() {
	local name=$1 t0=$2 rc=$3 t
	shift 3
	if [ ${#problems[@]} -eq 0 ]; then
		passed=$((passed + 1))
		printf 'PASS %-22s (%ss)\n' "$name" $((SECONDS - t0))
		return
	fi
	local slip
	if [ "$slip_retry" = 1 ] && slip=$(grep -m 1 -E "$QEMU_SLIP" "$dir/serial.txt" 2>/dev/null); then
		slipped=1
		retried+=("$name")
		cp "$dir/serial.txt" "$out/$name.slip.txt"
		printf 'RETRY %-21s (%ss): QEMU lost a guest state, %s (log %s)\n' "$name" \
			$((SECONDS - t0)) "${slip#*E: }" "$out/$name.slip.txt"
		return
	fi
	failed=$((failed + 1))
	failures+=("$name")
	printf 'FAIL %-22s (%ss, exit %s)\n' "$name" $((SECONDS - t0)) "$rc"
	printf '     %s\n' "${problems[@]}"
	for t in "$@"; do
		echo "     --- ${t%%=*} ---"
		t=${t#*=}
		tail -n "${t##*=}" "${t%=*}" 2>/dev/null | sed 's/^/     | /'
	done
}

# console_case NAME EMU CPUS TIMEOUT "CMDLINE" CONVERSATION [MODULE...] [-- FORBID...]
# Boots as run_case does but without after_boot=poweroff, and plays CONVERSATION on COM1 over TCP
# (tests/system/console.py, whose header lists the directives). It passes when every directive is
# met, the machine then powers off by itself within the directive timeout (the last directive is
# normally `send shutdown`), and no line of the log (transformed) matches a FORBID regex. A
# MODULE is path[:module line] as mkiso.sh takes it (a mod: prefix is allowed); mem:SIZE instead
# gives the machine SIZE of RAM (default 256M), dtmo:SECONDS a directive's default timeout
# (console.py --timeout). TIMEOUT bounds the whole run. The raw log is com1.txt, the transformed
# one serial.txt, console.py's report console.out.
console_case() { retrying console_case_once "$@"; }
console_case_once() {
	local name=$1 emu=$2 cpus=$3 tmo=$4 cmdline=$5 conv=$6
	shift 6
	local mods=() forbid=() mode=mod a mem=256M dtmo=()
	for a in "$@"; do
		case $mode/$a in
		mod/--) mode=forbid ;;
		mod/mem:*) mem=${a#mem:} ;;
		mod/dtmo:*) dtmo=(--timeout "${a#dtmo:}") ;;
		mod/*) mods+=("${a#mod:}") ;;
		forbid/*) forbid+=("$a") ;;
		esac
	done
	local dir
	case_begin "$name" || return
	"$here/mkiso.sh" "$elf" "$dir/hv.iso" "serial=com1,115200 $cmdline" "${mods[@]}"
	local t0=$SECONDS
	"$here/console.py" --log "$dir/com1.txt" "${dtmo[@]}" "$conv" -- --emu "$emu" \
		--iso "$dir/hv.iso" --cpus "$cpus" --mem "$mem" --timeout "$tmo" --workdir "$dir" \
		>"$dir/console.out" 2>&1
	local rc=$? problems=() re
	"$here/console.py" --transform < "$dir/com1.txt" > "$dir/serial.txt" 2>/dev/null
	for re in "${forbid[@]}"; do
		grep -qE -- "$re" "$dir/serial.txt" && problems+=("present: $re")
	done
	case $rc in
	0) ;;
	1) problems+=("the conversation failed ($conv)") ;;
	124|137) problems+=("timed out after ${tmo}s") ;;
	*) problems+=("the emulator ended with status $rc") ;;
	esac
	# Bochs ends with 1 on a power-off and on its own panic alike (boot.sh makes 1 a 0); the
	# power-off itself is logged as a panic ("ACPI control: soft power off")
	local panic
	[ "$emu" = bochs ] && panic=$(grep '>>PANIC<<' "$dir/bochs.log" 2>/dev/null |
		grep -v 'soft power off' | head -n 1) && [ -n "$panic" ] &&
		problems+=("Bochs panicked: $panic")
	local tails=("console.py ($dir/console.out)=$dir/console.out=40")
	[ "$emu" = bochs ] && tails+=("bochs.log tail=$dir/bochs.log=15")
	verdict "$name" "$t0" "$rc" "${tails[@]}"
}

# background NAME FUNCTION ARGS...: run a case beside the others (its own folder, its own
# console port), for the one long case, Bochs booting Linux (about 7 minutes of one core), so
# that `make test` stays within its time on 2 cores; background_wait (at the end) counts it.
bg_pids=() bg_names=()
background() {
	local name=$1
	shift
	[ -n "$filter" ] && [[ $name != *$filter* ]] && return
	( passed=0 failed=0 failures=(); "$@" ) > "$out/$name.bg" 2>&1 &
	bg_pids+=($!)
	bg_names+=("$name")
}
background_wait() {
	local i name
	for i in "${!bg_pids[@]}"; do
		name=${bg_names[$i]}
		wait "${bg_pids[$i]}"
		cat "$out/$name.bg"
		grep -q "^RETRY $name " "$out/$name.bg" && retried+=("$name")
		if grep -q "^PASS $name " "$out/$name.bg"; then
			passed=$((passed + 1))
		else
			failed=$((failed + 1))
			failures+=("$name")
		fi
	done
}

READY_SVM='^hv: ready: cpus=%s virt=svm npt=1 nrips=[01] asids=[0-9]+ mem_free_mib=[0-9]+$'
READY_VMX='^hv: ready: cpus=%s virt=vmx ept=1 vpid=1 ug=1 mem_free_mib=[0-9]+$'
ready_svm() { printf "$READY_SVM" "$1"; }
ready_vmx() { printf "$READY_VMX" "$1"; }
NO_PANIC='PANIC|exception [0-9]+'
# The Linux child's cases (issue 12; the rest of them and what they check: further down, with
# linux_direct). Bochs booting Linux is the longest case by far: it runs beside the others.
LINUX_CASES=${LINUX_CASES:-1}
LINUX_FORBID='Oops|WARNING:|BUG:|stall|hung_task|Call Trace|unchecked MSR|PIT calibration|Fast TSC calibration'
linux_case() {
	local name=$1 emu=$2 cpus=$3 tmo=$4 dtmo=$5 conv=$6
	[ "$LINUX_CASES" = 1 ] || [[ $filter == *linux* ]] || return 0
	console_case "$name" "$emu" "$cpus" "$tmo" "" "$here/$conv" mem:1G "dtmo:$dtmo" \
		"$build/linux/vmlinuz:vmlinuz" "$build/linux/initrd.gz:initrd.gz" \
		-- "$NO_PANIC" "$LINUX_FORBID" "^root: 'lx': crashed" '^\[lx\] init: FAIL'
}
background bochs-linux linux_case bochs-linux bochs 2 2400 1200 linux-poweroff.txt
# The machine powered off because nothing is left to run: the root asked (it is the default), or
# the hypervisor found no partition (no root could start, or root=off).
OFF='hv: (the root asked to power off|no partition left running: powering off)'
# A child the hypervisor created itself from a module line (the root is part 1): none with root=on.
HV_CREATED="part ([2-9]|[1-9][0-9]+) '[^']+': created, [0-9]+ MiB"

run_case qemu-bios-1cpu qemu 1 0 60 "" \
	"$(ready_svm 1)" 'loaded by GRUB' 'mem: [0-9]+ map entries from the BIOS map' \
	'acpi: .*MADT found \(1 CPUs' 'powering off' -- "$NO_PANIC"
run_case qemu-bios-4cpu qemu 4 0 90 "" \
	"$(ready_svm 4)" 'smp: 4 CPUs online \(xAPIC mode\)' -- "$NO_PANIC" 'did not answer'
run_case qemu-uefi-2cpu qemu 2 1 120 "" \
	"$(ready_svm 2)" 'smp: 2 CPUs online' 'acpi: revision 2, XSDT' -- "$NO_PANIC"
run_case bochs-vmx-1cpu bochs 1 0 120 "" \
	"$(ready_vmx 1)" 'Intel VT-x: EPT 1 .*VPID 1 .*unrestricted guest 1' -- "$NO_PANIC"
run_case bochs-vmx-2cpu bochs 2 0 180 "" \
	"$(ready_vmx 2)" 'smp: 2 CPUs online \(x2APIC mode\)' -- "$NO_PANIC"
run_case bochs-vmx-xapic bochs 2 0 180 "x2apic=0" \
	"$(ready_vmx 2)" 'smp: 2 CPUs online \(xAPIC mode\)' -- "$NO_PANIC"
# the self-test also reads back which exceptions always exit (#DB on AMD-V
# only) and that CR4.MCE is set on the host and in the guest's hardware CR4
# while the guest reads its own 0; the benchmark floors (make bench) are
# measured on the way
run_case qemu-vmcheck qemu 2 0 60 "vmcheck=1 benchfloor=1" \
	'^hv: vmcheck: passed \(9 of 9 exits as expected\)' "$(ready_svm 2)" \
	'^hv: vmcheck: exceptions that always exit: #DB #AC #MC$' \
	'^hv: vmcheck: CR4.MCE host 1, guest hardware 1, guest reads 0$' \
	'^hv: BENCH svm floor=[0-9]+ run_floor=[0-9]+ ' -- "$NO_PANIC"
run_case bochs-vmcheck bochs 1 0 120 "vmcheck=1 benchfloor=1" \
	'^hv: vmcheck: passed \(9 of 9 exits as expected\)' "$(ready_vmx 1)" \
	'^hv: vmcheck: exceptions that always exit: #AC #MC$' \
	'^hv: vmcheck: CR4.MCE host 1, guest hardware 1, guest reads 0$' \
	'^hv: BENCH vmx floor=[0-9]+ run_floor=[0-9]+ ' \
	'vmx: guest WBINVD exits \(completed without touching the caches\)' -- "$NO_PANIC"
# hardware check: what is missing is said, and the hypervisor still comes up; with no root
# (it cannot run either) no partition= module becomes a partition, and the machine still
# powers off (with root=on it once waited for ever)
run_case qemu-no-virt qemu 1 0 60 "" \
	'virt: cannot run partitions on this machine; missing: VT-x or AMD-V' \
	'^hv: ready: cpus=1 virt=none mem_free_mib=[0-9]+$' \
	"mod:$build/guests/cpuid.elf:cpuid.elf partition=cpuid" \
	'root: not started: this machine cannot run partitions' "$OFF" \
	-- "$NO_PANIC" '\[cpuid\]' "'cpuid': created" '^root: up' ++ -cpu qemu64,-svm
run_case qemu-svm-no-npt qemu 1 0 60 "" \
	'virt: cannot run partitions on this machine; missing: NPT' \
	'^hv: ready: cpus=1 virt=svm npt=0 ' -- "$NO_PANIC" ++ -cpu qemu64,+svm
run_case qemu-options qemu 4 0 90 "bogus=1 loglvl=loud maxcpus=2 loglvl=debug" \
	"$(ready_svm 2)" "unknown option 'bogus' ignored" "bad value for option 'loglvl' ignored" \
	'maxcpus=2 reached' '\(cpu1\) D: smp: cpu1 up' -- "$NO_PANIC"
run_case qemu-absent-cpu qemu 2 0 90 "smp_absent_apic=9" \
	"$(ready_svm 2)" 'APIC id 9 did not answer INIT-SIPI-SIPI, left out' -- "$NO_PANIC"
run_case qemu-crash-pf qemu 2 0 60 "crash=pf on_panic=poweroff" \
	'exception 14 \(#PF page fault\)' 'faulting address 0000700000000000 \(not-present write' \
	'rip=[0-9a-f]{16} cs=0008' 'cr2=0000700000000000' \
	'^hv: PANIC on cpu0 at arch/x86/trap.c:[0-9]+: unhandled exception 14' \
	'^hv: panic: 1 of 1 other CPUs stopped$' \
	'on_panic=poweroff: powering off' -- 'after_boot=poweroff: powering off'
run_case qemu-crash-ud qemu 1 0 60 "crash=ud on_panic=poweroff" \
	'exception 6 \(#UD invalid opcode\)' '^hv: PANIC on cpu0' -- 'after_boot=poweroff: powering off'
# A trap on a CPU that holds the log's locks (as when fetching a line to
# send): the NMI handler's line, and an exception's report before the
# panic, go straight to the serial port instead of waiting for this CPU.
# The panic waits until the other CPUs say they stopped.
run_case qemu-nmi-in-log qemu 1 0 60 "crash=nmi_in_log" \
	"$(ready_svm 1)" 'hv: crash=nmi_in_log: the NMI handler runs while this CPU holds the log' \
	'^\(cpu0\) W: NMI at rip [0-9a-f]{16} ignored$' \
	'hv: crash=nmi_in_log: the NMI handler returned' \
	"$OFF" -- "$NO_PANIC"
run_case qemu-ud-in-log qemu 4 0 90 "crash=ud_in_log on_panic=poweroff" \
	'hv: crash=ud_in_log: ud2 while this CPU holds the log' \
	'^\(cpu0\) E: exception 6 \(#UD invalid opcode\), error code 0x0$' 'rip=[0-9a-f]{16} cs=0008' \
	'^hv: PANIC on cpu0 at arch/x86/trap.c:[0-9]+: unhandled exception 6' \
	'^hv: panic: 3 of 3 other CPUs stopped$' 'on_panic=poweroff: powering off' \
	-- 'after_boot=poweroff: powering off' 'lines lost'
run_case qemu-serial-com2 qemu 1 0 60 "serial=com2,9600" \
	"$(ready_svm 1)" ++ -serial file:@com2

# The partition suite: every test guest at once; two of them die on purpose.
G=$build/guests
guest_suite() {
	local name=$1 emu=$2 cpus=$3 tmo=$4 smpcpus=$5 cmdline=${6:-}
	local ok='stopped itself, exit code 0'
	# The root (docs/root.md, "Children") creates the 14 children, holds their ports and
	# their consoles. Every port goes to the root, so the hypervisor denies none (io's
	# statistics have no "denied io="): the root counts, per child, the accesses it
	# emulated that reached no device (io's denied ports; none for msr, which only uses
	# its debug port); the root prints a child's unfinished last line
	# before its own crash report (the hypervisor logs its crash line at the fault, before
	# the root has read the message); the root scrubs and frees a child's RAM, the
	# hypervisor only withdraws its pool; the root powers the machine off.
	local io_stats="'io': guest .* io=[1-9][0-9]*" last_words="=>root: 'crash': crashed on vCPU 0"
	local scrubbed='memory scrubbed, [0-9]+ pages withdrawn' off='hv: the root asked to power off'
	shift $(($# < 6 ? $# : 6))	# the rest: more lines to expect
	run_case "$name" "$emu" "$cpus" 0 "$tmo" "$cmdline" \
		"mod:$G/cpuid.elf:cpuid.elf partition=cpuid mem=4M on_stop=destroy on_crash=destroy" \
		"mod:$G/msr.elf:msr.elf partition=msr mem=4M on_stop=destroy on_crash=destroy" \
		"mod:$G/io.elf:io.elf partition=io mem=4M on_stop=destroy on_crash=destroy" \
		"mod:$G/timer.elf:timer.elf partition=timer mem=4M on_stop=destroy on_crash=destroy" \
		"mod:$G/secret.elf:secret.elf partition=secret mem=4M on_stop=destroy on_crash=destroy" \
		"mod:$G/snoop.elf:snoop.elf partition=snoop mem=4M on_stop=destroy on_crash=destroy" \
		"mod:$G/wildwrite.elf:wildwrite.elf partition=wildwrite mem=4M on_stop=destroy on_crash=destroy" \
		"mod:$G/wildexec.elf:wildexec.elf partition=wildexec mem=4M on_stop=destroy on_crash=destroy" \
		"mod:$G/crash.elf:crash.elf partition=crash mem=2M on_stop=destroy on_crash=destroy" \
		"mod:$G/fpu.elf:fpu.elf partition=fpu-a mem=2M cpus=0 on_stop=destroy on_crash=destroy" \
		"mod:$G/fpu.elf:fpu.elf partition=fpu-b mem=2M cpus=0 on_stop=destroy on_crash=destroy" \
		"mod:$G/wakeup.elf:wakeup.elf partition=wakeup mem=2M on_stop=destroy on_crash=destroy" \
		"mod:$G/smp.elf:smp.elf partition=smp-a mem=4M vcpus=2 cpus=$smpcpus on_stop=destroy on_crash=destroy" \
		"mod:$G/smp.elf:smp.elf partition=smp-b mem=4M vcpus=2 cpus=$smpcpus on_stop=destroy on_crash=destroy" \
		"\[cpuid\] PASS cpuid.40000000 vendor is Microsoft Hv" "'cpuid': $ok" \
		"\[cpuid\] PASS leaves above the highest basic and extended leaves read as zero" \
		"\[cpuid\] PASS no feature whose instruction or MSR is refused is shown" \
		"\[msr\] PASS rdmsr IA32_FEATURE_CONTROL raises #GP" "'msr': $ok" \
		"\[io\] PASS inl from PCI config address reads all ones" "'io': $ok" \
		"\[io\] PASS inl from a denied port zero-extends into RAX" \
		"\[io\] PASS inl from the debug port zero-extends into RAX" "\[io\] PASS inw keeps RAX\[63:16\]" \
		"\[timer\] PASS HLT returned through the timer interrupt" "'timer': $ok" \
		"\[timer\] PASS the pending interrupt arrives as soon as the guest sets IF" \
		"\[timer\] PASS a hypercall without the fast flag is refused" \
		"\[timer\] PASS a hypercall with a rep count is refused" \
		"\[timer\] PASS the refused hypercall armed no timer" \
		"\[secret\] PASS the secret is intact" "'secret': $ok" \
		"\[snoop\] PASS another partition's secret is not in my memory" \
		"'snoop': crashed on vCPU 0: read of guest-physical 0000000000500000 outside its memory" \
		"'crash': crashed on vCPU 0: triple fault" \
		"order:\[crash\] my last words, unfinished\$$last_words" \
		"\[wildwrite\] PASS a write to my own memory sticks" \
		"'wildwrite': crashed on vCPU 0: write of guest-physical 0000000000600000 outside its memory" \
		"'wildexec': crashed on vCPU 0: fetch of guest-physical 0000000000700000 outside its memory" \
		"\[smp-a\] PASS the shared counter adds up" "'smp-a': $ok" \
		"\[fpu-a\] PASS XMM0 kept its value while others ran" "'fpu-a': $ok" \
		"\[fpu-b\] PASS XMM0 starts clean" "'fpu-b': $ok" \
		"\[fpu-a\] PASS DR0 kept its value while others ran" "\[fpu-b\] PASS DR0 starts clean" \
		"\[fpu-a\] PASS x87 FIP/FDP are not another partition's" \
		"\[fpu-b\] PASS x87 FIP/FDP are not another partition's" \
		"\[wakeup\] PASS after a CPUID exit, a pending interrupt is taken after sti; hlt" \
		"\[wakeup\] PASS after a hypercall exit, a pending interrupt is taken after sti; hlt" \
		"'wakeup': $ok" \
		"\[smp-b\] PASS the shared counter adds up" "'smp-b': $ok" \
		"'snoop': destroyed, $scrubbed" \
		"'cpuid': guest [0-9]+ us, hypervisor [0-9]+ us, exits cpuid=[0-9]+ rdmsr=[0-9]+ wrmsr=[0-9]+ io=[0-9]+ hypercall=[0-9]+" \
		"$io_stats" "'timer': guest .* hlt=[1-9]" \
		"\[msr\] PASS WBINVD and INVD complete without a fault" "'msr': guest .* cacheflush=2, denied io=0 msr=5" \
		"^root: 'io': ports: [0-9]+ emulated, [1-9][0-9]* to no device$" \
		"^root: 'msr': ports: [1-9][0-9]* emulated, 0 to no device$" \
		"'crash': guest .* triple=1" "'snoop': guest .* slp=1" \
		"'smp-b': destroyed, $scrubbed" \
		'hv: free memory ([0-9]+) pages, at boot \1 pages' \
		"$off" "$@" \
		-- '\] FAIL' 'PANIC' 'did not stop me'
}
# A vCPU halted with interrupts off and its timer armed sleeps for good; its
# neighbour on the same CPU must only see the quantum (about 50 external-
# interrupt exits in 500 ms, 550 on Bochs with the VMX preemption timer),
# not thousands from a due timer that made every deadline 1 us. TOO_MANY is
# a regex for the forbidden counts.
irqoff_case() {
	local name=$1 emu=$2 tmo=$3 too_many=$4
	run_case "$name" "$emu" 1 0 "$tmo" "" \
		"mod:$G/irqoff.elf:irqoff.elf partition=irqoff mem=2M vcpus=2 on_stop=destroy on_crash=destroy" \
		"\[irqoff\] PASS VP 0 halted with interrupts off" "'irqoff': stopped itself, exit code 0$" \
		"'irqoff': guest .* hlt=1 .*extint=[0-9]+" \
		-- '\] FAIL' 'PANIC' "'irqoff': guest .* extint=$too_many"
}
# A child whose every VP halts for good (HLT, interrupts off, no timer) has ended: the root says
# it stopped (destroyed: on_stop=destroy), rather than keeping it suspended for ever.
run_case qemu-halt-all qemu 2 0 60 "" \
	"mod:$G/halter.elf:halter.elf partition=halter mem=2M vcpus=2 on_stop=destroy" \
	"\[halter\] VP 0 halting for good" "\[halter\] VP 1 halting for good" \
	"'halter': halted: every vCPU stopped with interrupts off" "'halter': destroyed" \
	-- 'PANIC' 'crashed'
irqoff_case qemu-irqoff-neighbour qemu 60 '([2-9][0-9]{2}|[0-9]{4,})'	# 200 and up
irqoff_case bochs-irqoff-neighbour bochs 60 '([2-9][0-9]{3}|[0-9]{5,})'	# 2000 and up

# One CPU here; more CPUs in qemu-root-partitions and bochs-root-partitions below.
guest_suite qemu-partitions-1cpu qemu 1 120 0
guest_suite bochs-partitions-1cpu bochs 1 300 0

# CPU features a partition does not have: VMX/SVM/SMX/XSAVE/MONITOR instructions
# raise #UD, CR4 refuses their bits with #GP, CR0.NE and CR8 behave, CR4.MCE
# reads back as written. QEMU runs with PKU on the host (-cpu EPYC,+pku): PKE
# must still be refused, since PKRU is not switched between partitions; and
# with UMIP (+umip), which must take effect when set (Bochs's Skylake has none).
cpuctl_suite() {
	local name=$1 emu=$2 tmo=$3 qemu_args=()
	local ok='stopped itself, exit code 0$' insn
	local expect=("mod:$G/ctlreg.elf:ctlreg.elf partition=ctlreg mem=2M on_stop=destroy on_crash=destroy"
		"mod:$G/virtinsn.elf:virtinsn.elf partition=virtinsn mem=2M on_stop=destroy on_crash=destroy"
		"\[ctlreg\] PASS CR8 \(TPR\) reads back what was written"
		"\[ctlreg\] PASS CR0.NE can be cleared and set"
		"\[ctlreg\] PASS CR0 is back as it was"
		"\[ctlreg\] PASS CR4.PSE can be toggled"
		"\[ctlreg\] PASS CR4.PGE can be toggled \(from R9\)"
		"\[ctlreg\] PASS CR4.VMXE raises #GP"
		"\[ctlreg\] PASS CR4.OSXSAVE raises #GP"
		"\[ctlreg\] PASS CR4.PKE raises #GP"
		"\[ctlreg\] PASS CR4 reserved bit 15 raises #GP"
		"\[ctlreg\] PASS a refused CR4 write changes nothing"
		"\[ctlreg\] PASS CR4.MCE reads back what was written \(0, 1, 0\)"
		"\[ctlreg\] PASS CR8 to and from RSP, RSP kept across a CPUID exit"
		"\[ctlreg\] PASS CR4 from RSP"
		"\[ctlreg\] PASS CR4 into RSP, RSP kept across a CPUID exit"
		"'ctlreg': $ok" "'virtinsn': $ok")
	for insn in VMXON VMCLEAR VMPTRLD VMPTRST VMREAD VMWRITE VMLAUNCH VMRESUME VMXOFF INVEPT \
		INVVPID VMFUNC GETSEC VMRUN VMLOAD VMSAVE STGI CLGI SKINIT INVLPGA XSETBV MONITOR MWAIT; do
		expect+=("\[virtinsn\] PASS $insn raises #UD")
	done
	# on VT-x the hypervisor emulates these CR0/CR8 writes; on AMD-V the CPU checks them
	[ "$emu" = bochs ] && expect+=(
		"\[ctlreg\] PASS CR8 with a reserved bit raises #GP, CR8 unchanged"
		"\[ctlreg\] PASS CR0 with PG and without PE raises #GP"
		"\[ctlreg\] PASS CR0 with bit 32 set raises #GP"
		"\[ctlreg\] PASS CR0 with NW and without CD raises #GP"
		"\[ctlreg\] PASS CR0.PG cannot be cleared in 64-bit mode")
	[ "$emu" = qemu ] && qemu_args=(++ -cpu EPYC,+pku,+umip) &&
		expect+=("\[ctlreg\] cpuid.7.ecx=[0-9a-f]* \(PKU 0\)" "'ctlreg': guest .* cr=[1-9]"
			"\[ctlreg\] PASS without CR4.UMIP, SGDT runs at CPL 3"
			"\[ctlreg\] PASS with CR4.UMIP set, SGDT at CPL 3 raises #GP")
	[ "$emu" = bochs ] && expect+=("\[ctlreg\] SKIP UMIP is not offered")
	run_case "$name" "$emu" 1 0 "$tmo" "" "${expect[@]}" \
		-- '\] FAIL' 'PANIC' 'crashed on vCPU' "${qemu_args[@]}"
}
cpuctl_suite qemu-cpuctl qemu 60
cpuctl_suite bochs-cpuctl bochs 180

# What a vCPU is, beside the suite (with 2 CPUs and 2 vCPUs on CPU 0, so
# that the two take turns): hypercalls refused at CPL 3, the partition's own topology,
# its own TSC_AUX per vCPU (two vCPUs taking turns on CPU 0), and RDTSCP
# and INVPCID without #UD where CPUID offers them.
cpu_suite() {
	local name=$1 emu=$2 cpus=$3 tmo=$4
	local ok='stopped itself, exit code 0$'
	# Bochs's CPU model has INVPCID; QEMU's EPYC has not, and CPUID must say so
	local invpcid="\[topo\] PASS vp1: INVPCID is not offered"
	[ "$emu" = bochs ] && invpcid="\[topo\] PASS vp1: INVPCID \(all contexts\) runs without a fault"
	run_case "$name" "$emu" "$cpus" 0 "$tmo" "" \
		"mod:$G/ring3.elf:ring3.elf partition=ring3 mem=4M on_stop=destroy on_crash=destroy" \
		"mod:$G/topo.elf:topo.elf partition=topo mem=4M vcpus=2 cpus=0 on_stop=destroy on_crash=destroy" \
		"\[ring3\] PASS PARTITION_EXIT from ring 3 raises #UD" \
		"\[ring3\] PASS SET_TIMER from ring 3 raises #UD" \
		"\[ring3\] PASS ring 3 could not cancel the kernel's timer" "'ring3': $ok" \
		"\[topo\] PASS vp1: cpuid.1 initial APIC id is the VP index" \
		"\[topo\] PASS vp1: cpuid.b: 1 thread per core, vp_count cores" \
		"\[topo\] PASS vp1: cpuid.4 cache sharing fits the partition" \
		"\[topo\] PASS vp1: cpuid.80000008 NC is vp_count - 1" \
		"\[topo\] PASS vp0: RDTSCP and RDMSR TSC_AUX start at the VP index" \
		"\[topo\] PASS vp0: RDTSCP and RDMSR return the TSC_AUX I wrote" \
		"\[topo\] PASS vp1: RDTSCP returns my own TSC_AUX after the others ran" \
		"\[topo\] PASS every vCPU kept a TSC_AUX of its own" "$invpcid" "'topo': $ok" \
		"$OFF" \
		-- '\] FAIL' 'PANIC' 'crashed on vCPU' 'not created'
}
cpu_suite qemu-cpu-2cpu qemu 2 90
cpu_suite bochs-cpu-1cpu bochs 1 200

# TLFS hypercalls from a child (core/hypercall.c): the checks every call
# shares (alignment, one page, inside its memory, reserved bits, form),
# GetPartitionId refused for want of the privilege, PostMessage's arguments.
hvcall_case() {
	local name=$1 emu=$2 tmo=$3 t expect=()
	for t in "GetPartitionId from a child: HV_STATUS_ACCESS_DENIED" \
		"the denied GetPartitionId wrote nothing" \
		"GetPartitionId, output GPA not 8-byte aligned: HV_STATUS_INVALID_ALIGNMENT" \
		"GetPartitionId, output GPA outside my memory: HV_STATUS_INVALID_ALIGNMENT" \
		"GetPartitionId with a reserved bit: HV_STATUS_INVALID_HYPERCALL_INPUT" \
		"GetPartitionId with a rep count: HV_STATUS_INVALID_HYPERCALL_INPUT" \
		"GetPartitionId as a fast call: HV_STATUS_INVALID_HYPERCALL_INPUT" \
		"no refused GetPartitionId wrote anything" \
		"PostMessage: no such connection: HV_STATUS_INVALID_CONNECTION_ID" \
		"PostMessage with a 241-byte payload: HV_STATUS_INVALID_PARAMETER" \
		"PostMessage, input GPA not 8-byte aligned: HV_STATUS_INVALID_ALIGNMENT" \
		"PostMessage, input ending at the page end: accepted" \
		"PostMessage, input crossing a page: HV_STATUS_INVALID_ALIGNMENT" \
		"PostMessage, input GPA outside my memory: HV_STATUS_INVALID_ALIGNMENT" \
		"an unknown TLFS code: HV_STATUS_INVALID_HYPERCALL_CODE, whatever the other bits" \
		"our own null call still works"; do
		expect+=("\\[hvcall\\] PASS $t")
	done
	run_case "$name" "$emu" 1 0 "$tmo" "" \
		"mod:$G/hvcall.elf:hvcall.elf partition=hvcall mem=2M on_stop=destroy on_crash=destroy" \
		"${expect[@]}" "'hvcall': stopped itself, exit code 0$" \
		-- '\] FAIL' 'PANIC' 'crashed on vCPU'
}
hvcall_case qemu-hvcall qemu 60
hvcall_case bochs-hvcall bochs 120
# The Hyper-V guest identity as a child sees it (tests/guests/tlfs.c, with
# 2 VPs): the CPUID leaves Linux detects Hyper-V by, no root privilege,
# the synthetic MSRs, and the hypercall page on this CPU's instruction.
# Both VPs on the last CPU: off the root's CPU 0 where there are two, so that VP_RUNTIME's
# 10 ms of computing are VP 0's alone (the root's console work would otherwise take a share).
tlfs_case() {
	local name=$1 emu=$2 cpus=$3 tmo=$4 insn=$5
	local ok='stopped itself, exit code 0$' t='\[tlfs\] PASS'
	run_case "$name" "$emu" "$cpus" 0 "$tmo" "" \
		"mod:$G/tlfs.elf:tlfs.elf partition=tlfs mem=4M vcpus=2 cpus=$((cpus - 1)) on_stop=destroy on_crash=destroy" \
		"$t VP_INDEX is 0 on VP 0" "$t VP_INDEX is 1 on VP 1" \
		"$t VP 0 reads a TIME_REF_COUNT at least VP 1's earlier one" \
		"$t VP 1 reads a TIME_REF_COUNT at least VP 0's earlier one" \
		"$t cpuid.1:ecx\[31\] \(hypervisor present\) is set" \
		"$t cpuid.40000000:eax, the highest leaf, is 0x40000006" \
		"$t cpuid.40000000 vendor is Microsoft Hv" "$t cpuid.40000001 interface is Hv#1" \
		"$t cpuid.40000002 build 27744-27751, version 10.0" \
		"$t cpuid.40000003:eax has the hypercall and VP-index MSRs" \
		"$t cpuid.40000003:eax has the reference counter and the frequency MSRs" \
		"$t cpuid.40000003:eax offers the reference TSC page, not TSC invariance" \
		"$t cpuid.40000003:ebx has no CreatePartitions, PartitionId, MemoryPool, CpuManagement, Isolation" \
		"$t cpuid.40000003:edx: frequency MSRs, crash MSRs, the hypercall MSR lock, direct synthetic timers" \
		"$t cpuid.40000004: deprecate AutoEOI" "$t cpuid.40000005: 8 VPs" \
		"$t cpuid.40000006: MSR bitmaps and SLAT in use" "$t cpuid.40000007 and above read zero" \
		"$t a write to VP_INDEX, VP_RUNTIME, TIME_REF_COUNT or the frequencies raises #GP" \
		"$t RESET, not offered, raises #GP" \
		"$t REFERENCE_TSC outside the partition's memory raises #GP and changes nothing" \
		"$t REFERENCE_TSC enables the page and reads back" \
		"$t the reference TSC page gives TIME_REF_COUNT's time" \
		"$t VP_RUNTIME counts the VP's time in guest mode, within the partition's life" \
		"$t TSC_FREQUENCY is the TSC's rate in Hz" "$t APIC_FREQUENCY is 200 MHz" \
		"$t TIME_REF_COUNT counts from the partition's creation" \
		"$t TIME_REF_COUNT runs at 10 MHz against the TSC" "$t TIME_REF_COUNT never goes back" \
		"$t GUEST_OS_ID and HYPERCALL start at 0" \
		"$t with GUEST_OS_ID 0, enabling the page does nothing" \
		"$t GUEST_OS_ID reads back what was written" \
		"$t HYPERCALL enables the page; its RsvdP bits read back as written" \
		"$t the hypercall page is $insn; RET, then INT3" \
		"$t a call through the hypercall page works" "$t the runtime's calls go through the page" \
		"$t enabling the page outside the partition's memory raises #GP and changes nothing" \
		"$t HYPERCALL with enable 0 disables the page" "$t GUEST_OS_ID 0 disables the page" \
		"$t HYPERCALL can be locked" "$t a locked HYPERCALL refuses writes" \
		"$t the locked page still works" "'tlfs': $ok" "'tlfs': guest .* rdmsr=[1-9]" \
		-- '\] FAIL' 'PANIC' 'crashed on vCPU' 'not created'
}
tlfs_case qemu-tlfs qemu 2 90 VMMCALL
tlfs_case bochs-tlfs bochs 1 200 VMCALL

# Many vCPUs: TLB tags are per CPU and recycled by generations, so the
# number of vCPUs is not bounded by them. QEMU's EPYC has 15 ASIDs for
# guests on each CPU: 40 vCPUs on 2 CPUs are 20 a CPU. Bochs has 65535
# VPIDs, so tlb_tags=3 makes its generations turn over with 16 vCPUs.
crowd_case() {
	local name=$1 emu=$2 nparts=$3 tmo=$4 cmdline=$5 i mods=() expect=()
	shift 5
	expect=("$@")
	for ((i = 1; i <= nparts; i++)); do
		mods+=("mod:$G/crowd.elf:crowd.elf partition=crowd$i mem=2M vcpus=8 cpus=0-1 on_stop=destroy on_crash=destroy")
		expect+=("\[crowd$i\] PASS every vCPU woke up every time"
			"\[crowd$i\] PASS every vCPU saw its own memory after every wake-up"
			"'crowd$i': stopped itself, exit code 0$")
	done
	run_case "$name" "$emu" 2 0 "$tmo" "$cmdline" "${mods[@]}" "${expect[@]}" \
		'hv: free memory ([0-9]+) pages, at boot \1 pages' -- '\] FAIL' 'PANIC' 'not created'
}
crowd_case qemu-40-vcpus qemu 5 120 ""
crowd_case bochs-16-vcpus bochs 2 300 "tlb_tags=3" 'vcpu: at most 3 TLB tags per CPU \(tlb_tags=\)'

# Multiboot (address fields) and Multiboot2 (ELF32) kernels as partitions, created by the
# root: its loader (partitions/childload.c) starts them in 32-bit protected mode with the
# information block; each checks its entry state and boot information from the inside.
multiboot_suite() {
	local name=$1 emu=$2 tmo=$3 k
	local ok='stopped itself, exit code 0$'
	local mb='mem=4M cmdline="console=ttyS0 mb-test" on_stop=destroy on_crash=destroy'
	local expect=() early nodrop=()
	# QEMU's UART sends at once, so all of chatty's lines arrive; Bochs's takes
	# the emulated time per character, and chatty's lines, each byte a round
	# trip through the root, may outgrow its budget in the root (docs/root.md,
	# "A child's output"): then its OLDEST unsent lines are dropped, with a
	# note where they are missing, so an early line may be missing but its
	# last lines always arrive, before the root's line about its end
	early="\[chatty\] line 63 of a flood"
	nodrop=('\[chatty\] [0-9]+ lines dropped')
	[ "$emu" = bochs ] && nodrop=() &&
		early="\[chatty\] (line 63 of a flood|[0-9]+ lines dropped \(more than 7168 bytes waiting for the serial port\))"
	for k in mb1 mb2; do
		expect+=("mod:$G/$k.elf:$k.elf partition=$k $mb"
			"\[$k\] PASS cr0: PE=1 \(protected mode\), PG=0 \(paging off\)"
			"\[$k\] PASS cs: present ring-0 32-bit code segment"
			"\[$k\] PASS cs: a far jump through cs:offset lands at the offset"
			"\[$k\] PASS cr0: NE can be set" "\[$k\] PASS cr0: NE can be cleared"
			"\[$k\] PASS cr4: PSE can be toggled"
			"\[$k\] PASS ebx points to the information"
			"\[$k\] PASS cmdline is \"console=ttyS0 mb-test\""
			"\[$k\] PASS mmap: first entry is usable RAM at 0"
			"\[$k\] PASS mmap: usable RAM starts at 1 MiB"
			"\[$k\] PASS hypercall TSC_KHZ: the frequency in EBX:ECX"
			"\[$k\] PASS GetPartitionId from 32-bit code: HV_STATUS_ACCESS_DENIED in EDX:EAX"
			"\[$k\] PASS GetPartitionId, EDI:ESI not 8-byte aligned: HV_STATUS_INVALID_ALIGNMENT"
			"\[$k\] PASS GetPartitionId, EDI = 1: outside my memory, HV_STATUS_INVALID_ALIGNMENT"
			"\[$k\] PASS PostMessage with EBX:ECX = its input: HV_STATUS_INVALID_CONNECTION_ID"
			"\[$k\] PASS PostMessage, input crossing a page: HV_STATUS_INVALID_ALIGNMENT"
			"\[$k\] PASS the timer set from 32-bit code fires once at vector 0x40"
			"\[$k\] [0-9]+ checks, 0 failed"
			"'$k': $ok")
	done
	run_case "$name" "$emu" 1 0 "$tmo" "" "${expect[@]}" \
		"mod:$G/chatty.elf:chatty.elf partition=chatty mem=2M on_stop=destroy" \
		"$early" "\[chatty\] line 499 of a flood" \
		"\[chatty\] PASS the flood is over and I am still running" \
		"order:\[chatty\] line 499 of a flood=>^root: 'chatty': stopped itself" \
		"'chatty': stopped itself, exit code 0" \
		"\[mb1\] PASS eax holds the Multiboot magic 0x2badb002" \
		"\[mb1\] PASS flags has bits 0 \(mem\), 2 \(cmdline\), 6 \(mmap\), 9 \(loader name\)" \
		"\[mb1\] PASS mem_lower is 639 KiB" \
		"\[mb1\] PASS boot_loader_name is \"microhypervisor\"" \
		"\[mb1\] PASS a hypercall from real mode raises #UD and does not run" \
		"\[mb2\] PASS hypercall with a rep count in EDX: HV_STATUS_INVALID_HYPERCALL_INPUT" \
		"^root: 'mb1': Multiboot kernel, entry 100000$" \
		"\[mb2\] PASS eax holds the Multiboot2 magic 0x36d76289" \
		"\[mb2\] PASS total_size is sane" \
		"\[mb2\] PASS boot loader name is \"microhypervisor\"" \
		"\[mb2\] PASS basic meminfo: mem_lower is 639 KiB" \
		"\[mb2\] PASS mmap: entry_size is 24" \
		"\[mb2\] PASS an end tag \(type 0, size 8\) closes the information" \
		"^root: 'mb2': Multiboot2 kernel, entry 100000$" \
		"part [0-9]+ 'mb1': stopped itself, exit code 0$" "part [0-9]+ 'mb2': stopped itself, exit code 0$" \
		'hv: the root asked to power off' \
		-- '\] FAIL' 'PANIC' 'cannot load image' 'crashed' 'not created' "$HV_CREATED" \
		"${nodrop[@]}"
}
multiboot_suite qemu-multiboot qemu 120
multiboot_suite bochs-multiboot bochs 300

# Exceptions the hypervisor always intercepts (#AC, #DB on AMD-V) reach the
# guest as without a hypervisor; DR7 survives an exit. QEMU's TCG has no
# alignment checking, so #AC is seen on Bochs only, VT-x (corei7_skylake_x)
# and AMD-V (ryzen). Bochs's AMD-V does not write DR6 before a #DB intercept
# (real AMD-V does, as QEMU: KVM relies on it), so DR6 is checked on QEMU
# and on VT-x (where #DB is not intercepted) only: those two checks fail on
# Bochs's AMD-V, which is its exit code.
exception_case() {
	local name=$1 emu=$2 cpu=$3 tmo=$4 ac=$5 dr6=$6 code=2 expect=() c
	local checks=('#DB single step arrives after the instruction'
		'#DB from a DR0 instruction breakpoint arrives at the instruction'
		'DR7 keeps 0x401 across an exit')
	[ "$dr6" = dr6 ] && code=0 && checks+=('#DB single step: DR6.BS is set'
		'#DB from a DR0 instruction breakpoint: DR6.B0 is set, BS clear')
	for c in "${checks[@]}"; do expect+=("\[reflect\] PASS $c"); done
	run_case "$name" "$emu" 1 0 "$tmo" "" "cpu:$cpu" \
		"mod:$G/reflect.elf:reflect.elf partition=reflect mem=4M" \
		"${expect[@]}" "\[reflect\] $ac" \
		"'reflect': stopped itself, exit code $code\$" \
		-- 'FAIL .*(arrives|across)' 'PANIC' 'crashed on vCPU'
}
AC_PASS='PASS #AC at CPL 3 arrives through my IDT at the faulting load, error code 0'
exception_case qemu-exceptions qemu EPYC 60 'SKIP #AC: the misaligned load at CPL 3 ran without' dr6
exception_case bochs-exceptions-vmx bochs corei7_skylake_x 120 "$AC_PASS" dr6
exception_case bochs-exceptions-svm bochs ryzen 120 "$AC_PASS" no-dr6

# CPUID on CPU models that have what a partition must not be shown: Tiger
# Lake's speculation controls (IA32_SPEC_CTRL and the others, leaf 7 EDX)
# and TSC_ADJUST, Ryzen's MONITORX/MWAITX and MSR-based extensions
# (0x80000001 ECX). Tiger Lake also offers UMIP on VT-x, where the guest
# reads CR4 from the read shadow: set, it must take effect (ctlreg).
cpuid_model_case() {
	local name=$1 cpu=$2 tmo=$3
	shift 3
	run_case "$name" bochs 1 0 "$tmo" "" "cpu:$cpu" \
		"mod:$G/cpuid.elf:cpuid.elf partition=cpuid mem=2M" \
		"\[cpuid\] PASS leaves above the highest basic and extended leaves read as zero" \
		"\[cpuid\] PASS no feature whose instruction or MSR is refused is shown" \
		"\[cpuid\] PASS cpuid.7 has subleaf 0 only" \
		"'cpuid': stopped itself, exit code 0$" "$@" -- '\] FAIL' 'PANIC' 'crashed on vCPU'
}
cpuid_model_case bochs-cpuid-tigerlake tigerlake 120 \
	"mod:$G/ctlreg.elf:ctlreg.elf partition=ctlreg mem=2M" \
	"\[ctlreg\] PASS with CR4.UMIP set, SGDT at CPL 3 raises #GP" \
	"'ctlreg': stopped itself, exit code 0$"
cpuid_model_case bochs-cpuid-ryzen ryzen 120

# An exception injected into a real-mode guest goes through its IVT without
# an error code (VT-x refuses to enter with one).
realmode_case() {
	local name=$1 emu=$2 tmo=$3
	run_case "$name" "$emu" 1 0 "$tmo" "" \
		"mod:$G/mbreal.elf:mbreal.elf partition=mbreal mem=4M" \
		"\[mbreal\] PASS real mode: RDMSR of a denied MSR raises #GP through the IVT" \
		"\[mbreal\] PASS real mode: the #GP frame holds no error code" \
		"'mbreal': stopped itself, exit code 0$" -- '\] FAIL' 'PANIC' 'crashed on vCPU'
}
realmode_case qemu-realmode qemu 60
realmode_case bochs-realmode bochs 120

# The log is buffered: a partition that logs on one CPU while another floods
# the log from the other is never held up by the serial port (Bochs: its
# UART takes the real time per character, in emulated time), and every line
# still reaches the log, in order, by power-off. The root (on CPU 0)
# completes every port write of both: pace runs on CPU 1, so that its line
# ends measure the root's answer, not the CPU time the root spends serving
# chatty beside it (the scheduler's share, docs/root.md "A child's output").
# Chatty may outgrow its budget in the root: it then loses its oldest lines
# (its first line, or the note where they are missing, comes first), never
# its last one.
pace_expect=()
for ((i = 0; i < 40; i++)); do pace_expect+=("\[pace\] line $i at my own pace"); done
run_case bochs-log-pace bochs 2 0 300 "" \
	"mod:$G/chatty.elf:chatty.elf partition=chatty mem=2M cpus=0 on_stop=destroy" \
	"mod:$G/pace.elf:pace.elf partition=pace mem=2M cpus=1 on_stop=destroy" \
	"\[pace\] the slowest line end took [0-9]+ us" \
	"\[pace\] PASS no line end waited on the serial port" "${pace_expect[@]}" \
	"\[chatty\] line 499 of a flood" "'chatty': stopped itself, exit code 0" \
	"order:\[pace\] line 0 at my own pace=>\[pace\] line 1 at my own pace" \
	"order:\[pace\] line 38 at my own pace=>\[pace\] line 39 at my own pace" \
	"order:\[chatty\] (line 0 of a flood|[0-9]+ lines dropped)=>\[chatty\] line 499 of a flood" \
	"'pace': stopped itself, exit code 0" "$OFF" \
	-- '\] FAIL' 'PANIC' 'lines \([0-9]+ bytes\) lost' '\[pace\] .*dropped'

# A partition that floods the debug port for 4 s (faster than the serial
# port sends, on Bochs, whose UART takes the emulated time per character:
# at 19200 baud, as each byte is a round trip through the root) loses its
# own lines only, oldest first, with a note where they are missing: its
# last line ("flooded N lines") arrives before the root's line about its
# end, every line of its neighbours, another's crash report and the
# hypervisor's own lines arrive, and no line of the log is overwritten
# before it is sent. Pace measures its line ends meanwhile, from the CPU
# without the root (above).
flood_expect=()
for ((i = 0; i < 40; i++)); do flood_expect+=("\[pace\] line $i at my own pace"); done
run_case bochs-log-flood bochs 2 0 400 "serial=com1,19200" \
	"mod:$G/flood.elf:flood.elf partition=flood mem=2M cpus=0 on_stop=destroy" \
	"mod:$G/pace.elf:pace.elf partition=pace mem=2M cpus=1 on_stop=destroy" \
	"mod:$G/crash.elf:crash.elf partition=crash mem=2M cpus=1 on_crash=destroy" \
	"\[flood\] [0-9]+ lines dropped \(more than 7168 bytes waiting for the serial port\)" \
	"${flood_expect[@]}" "\[pace\] PASS no line end waited on the serial port" \
	"'pace': stopped itself, exit code 0" "\[crash\] my last words, unfinished" \
	"'crash': crashed on vCPU 0: triple fault" '^\(cpu1\) E:   rsi=[0-9a-f]{16} ' \
	"'crash': destroyed, memory scrubbed" \
	"'flood': stopped itself, exit code 0" "'flood': destroyed, memory scrubbed" \
	"order:\[flood\] [0-9]+ lines dropped=>root: 'flood': stopped itself" \
	"\[flood\] flooded [0-9]+ lines$" \
	"order:\[flood\] [0-9]+ lines dropped=>\[flood\] flooded [0-9]+ lines" \
	"order:\[flood\] flooded [0-9]+ lines=>root: 'flood': stopped itself" \
	"$OFF" \
	-- '\] FAIL' 'PANIC' 'lines \([0-9]+ bytes\) lost' 'lines lost' 'overwritten before'

# A busy CPU (no idle time) still sends the log, some of it each quantum:
# the first burst leaves while the partition computes, so the second fits
# in its budget in the root. At 9600 baud, as each byte is a round trip
# through the root (on the same CPU): a burst is made faster than the port
# sends it, and only some 0.7 KB of the first leaves while it is made.
run_case bochs-log-busy bochs 1 0 300 "serial=com1,9600" \
	"mod:$G/burst.elf:burst.elf partition=burst mem=2M on_stop=destroy" \
	"\[burst\] first burst, line 49 " "\[burst\] second burst, line 49 " \
	"order:\[burst\] first burst, line 49 =>\[burst\] second burst, line 00 " \
	"'burst': stopped itself, exit code 0" "$OFF" \
	-- 'lines dropped' 'PANIC' 'lost'

# "A woken vCPU goes first" must not let a partition starve another on its
# CPU: hog.c computes until just before its quantum ends and halts so as
# to be woken at once (by a 50 us timer, or with its interrupt already
# pending at sti; hlt); meter.c, beside it on the one CPU, must still get
# at least 30% of it in each of the hog's three phases. QEMU counts
# instructions for the TSC (-icount), so that the host's load does not
# show as time the meter did not run.
share_case() {
	local name=$1 emu=$2 tmo=$3 p
	local expect=()
	shift 3
	for p in 1 2 3; do
		expect+=("\[meter\] PASS phase $p: my share of the CPU is at least 30%")
	done
	run_case "$name" "$emu" 1 0 "$tmo" "" \
		"mod:$G/hog.elf:hog.elf partition=hog mem=2M on_stop=destroy on_crash=destroy" \
		"mod:$G/meter.elf:meter.elf partition=meter mem=2M on_stop=destroy on_crash=destroy" \
		"${expect[@]}" "'meter': stopped itself, exit code 0$" \
		"\[hog\] wake-ups: [1-9][0-9]* in phase 1, [1-9][0-9]* in phase 2, [1-9][0-9]* in phase 3" \
		"'hog': stopped itself, exit code 0$" -- '\] FAIL' 'PANIC' 'crashed on vCPU' "$@"
}
share_case qemu-fair-share qemu 90 ++ -icount shift=3,sleep=off
share_case bochs-fair-share bochs 200

# ... and a vCPU woken from HLT still goes first: next to three busy vCPUs
# on its CPU, a vCPU napping on a 2 ms timer is running again within 2 ms
# of every deadline (round robin alone: up to 30 ms).
latency_case() {
	local name=$1 emu=$2 tmo=$3
	shift 3
	run_case "$name" "$emu" 1 0 "$tmo" "" \
		"mod:$G/sleeper.elf:sleeper.elf partition=sleeper mem=2M vcpus=4 on_stop=destroy on_crash=destroy" \
		"\[sleeper\] PASS every nap ended within 2 ms of its deadline" \
		"'sleeper': stopped itself, exit code 0$" -- '\] FAIL' 'PANIC' 'crashed on vCPU' "$@"
}
latency_case qemu-wake-latency qemu 60 ++ -icount shift=3,sleep=off
latency_case bochs-wake-latency bochs 120

# A vCPU that holds its CPU in the hypervisor's #DB or #AC reflection (its
# delivery of the exception raises it again, CVE-2015-5307 style; dbloop.c,
# acloop.c) must not starve the vCPUs beside it: the neighbour on CPU 0
# (nap.c) must finish its 20 timer wake-ups while the looper's VP 0 loops
# there, before the looper's VP 1 (CPU 1) stops it a second later, and the
# looper must really have looped (thousands of exception exits). The napper
# comes first, so that the looper's VP 0 lands on CPU 0. Bochs only: QEMU
# 7.2 has no alignment check, and aborts on a data breakpoint hit while it
# delivers an exception.
loop_case() {
	local name=$1 cpu=$2 guest=$3 tmo=$4
	run_case "$name" bochs 2 0 "$tmo" "" "cpu:$cpu" \
		"mod:$G/nap.elf:nap.elf partition=napper mem=2M cpus=0 on_stop=destroy on_crash=destroy" \
		"mod:$G/$guest.elf:$guest.elf partition=looper mem=2M vcpus=2 cpus=0-1 on_stop=destroy on_crash=destroy" \
		"\[napper\] PASS woke up 20 times" "'napper': stopped itself, exit code 0$" \
		"\[looper\] VP 0 enters the #(DB|AC) loop" "'looper': stopped itself, exit code 0$" \
		"'looper': guest .* exception=[0-9]{4,}" \
		"order:'napper': stopped itself=>'looper': stopped itself" \
		-- '\] FAIL' 'PANIC' 'crashed on vCPU'
}
loop_case bochs-dbloop-svm ryzen dbloop 200
loop_case bochs-acloop-vmx corei7_skylake_x acloop 200
loop_case bochs-acloop-svm ryzen acloop 200

# An #AC that strikes while the partition's timer interrupt is delivered
# (at CPL 3, onto a misaligned stack; tests/guests/mb/mbacirq.S) reaches
# the guest, and the interrupt follows it instead of being lost. Bochs
# only (QEMU has no alignment check); VT-x and AMD-V.
acirq_case() {
	local name=$1 cpu=$2
	run_case "$name" bochs 1 0 120 "" "cpu:$cpu" \
		"mod:$G/mbacirq.elf:mbacirq.elf partition=acirq mem=4M" \
		"\[acirq\] PASS #AC while my timer interrupt was delivered at CPL 3 reaches my handler" \
		"\[acirq\] PASS the timer interrupt whose delivery #AC interrupted arrives after it" \
		"'acirq': stopped itself, exit code 0$" -- '\] FAIL' 'PANIC' 'crashed on vCPU'
}
acirq_case bochs-acirq-vmx corei7_skylake_x
acirq_case bochs-acirq-svm ryzen

# SynIC with synthetic timers as the message source (tests/guests/synic.c):
# the MSRs' #GP rules, a message in its slot with its vector, msg_pending
# and EOM, a masked SINT or SCONTROL off holding messages back until
# unmasked or on, a periodic timer waking HLT, direct mode, and pending
# vectors injected highest first. AMD-V under QEMU, VT-x under Bochs.
synic_case() {
	local name=$1 emu=$2 tmo=$3
	run_case "$name" "$emu" 1 0 "$tmo" "" \
		"mod:$G/synic.elf:synic.elf partition=synic mem=2M on_stop=destroy on_crash=destroy" \
		"\[synic\] PASS an unmasked SINT with vector 15 raises #GP" \
		"\[synic\] PASS the expiry is an HVMSG_TIMER_EXPIRED in SINT3's slot" \
		"\[synic\] PASS a second expiry while the slot is busy sets msg_pending" \
		"\[synic\] PASS after EOM the waiting message is in the slot" \
		"\[synic\] PASS a masked SINT delivers nothing" \
		"\[synic\] PASS unmasked, it delivers the message that waited" \
		"\[synic\] PASS turned on, the SynIC delivers what waited" \
		"\[synic\] PASS a periodic timer woke HLT three times" \
		"\[synic\] PASS pending vectors are injected highest first" \
		"'synic': stopped itself, exit code 0$" -- '\] FAIL' 'PANIC' 'crashed on vCPU'
}
synic_case qemu-synic qemu 60
synic_case bochs-synic bochs 120

# Bad boot modules: the root's default script (core/script.c) refuses each bad line with a
# message naming the module and what is wrong, in its turn, and creates nothing for it; a bad
# image or too little memory is refused by the root before any hypercall (no "destroyed"
# line); the good partitions around them run. Module 8's line is longer than the boot
# information holds (the hypervisor marks it cut, rootboot.h's modules_cut).
R="root: module"
run_case qemu-bad-modules qemu 1 0 60 "" \
	"mod:$G/cpuid.elf:cpuid.elf partition=good mem=4M" \
	"mod:tests/guests/guest.ld:guest.ld partition=junk" \
	"mod:$G/cpuid.elf:cpuid.elf partition=odd mem=3M" \
	"mod:$G/cpuid.elf:cpuid.elf partition=good" \
	"mod:$G/cpuid.elf:cpuid.elf partition=many vcpus=9" \
	"mod:$G/cpuid.elf:cpuid.elf partition=1st" \
	"mod:$G/cpuid.elf:cpuid.elf partition=typo memory=4M" \
	"mod:$G/cpuid.elf:cpuid.elf partition=big mem=2G" \
	"mod:$G/cpuid.elf:cpuid.elf cmdline=$(printf '%0240d' 0) partition=long mem=4M" \
	"mod:$G/cpuid.elf:cpuid.elf partition=huge mem=512M" \
	"mod:$G/cpuid.elf:cpuid.elf partition=after mem=4M" \
	"^default:[0-9]+: part create: cannot load 'guest.ld': not an ELF file$" \
	"^$R 2 'cpuid.elf': partition 'odd' not created: mem= must be a multiple of 2 MiB, at most 1 GiB$" \
	"^$R 3 'cpuid.elf': partition 'good' not created: the name is in use \(an earlier module line\)$" \
	"^$R 4 'cpuid.elf': partition 'many' not created: vcpus= must be 1 to 8$" \
	"^$R 5 'cpuid.elf': partition '1st' not created: the name must be 1-31 letters" \
	"^$R 6 'cpuid.elf': partition 'typo' not created: unknown key 'memory'$" \
	"^$R 7 'cpuid.elf': partition 'big' not created: mem= must be a multiple of 2 MiB, at most 1 GiB$" \
	"^$R 8 'cpuid.elf': (ignored|partition '[^']*' not created): its line is longer than 255 characters$" \
	"^default:[0-9]+: part create: 'huge' needs [0-9]+ KiB \(memory and overhead\), [0-9]+ KiB free$" \
	"order:^$R 2 'cpuid.elf'=>^$R 3 'cpuid.elf'" "order:^$R 8 'cpuid.elf'=>'huge' needs" \
	"order:'huge' needs=>'after': created" \
	"'good': stopped itself, exit code 0" "'after': stopped itself, exit code 0" "$OFF" \
	-- "$NO_PANIC" "'(junk|odd|many|1st|typo|big|long|huge)': (created|destroyed)" \
	"no partition '(odd|many|1st|typo|big|long)'"

# The deposit model through the root (docs/root.md, "Creating a child"): pool=N is the
# root's deposit budget for the child. It deposits nothing ahead, one page each time a call
# answers INSUFFICIENT_MEMORY, N at most, and logs what it deposited and what the child's
# pool holds in use at each step (from the hypervisor's own count, HVCALL_X_PARTITION_STATS):
# a 4 MiB child mapped in 4 KiB pages needs 5 table pages (1 at InitializePartition, 4 for
# MapGpaPages) and 3 pages a VP (2 for the vCPU, 1 for its intercept-message page), and
# MapGpaPages wants 3 pages free before each rep, so 11 pages suffice for one VP and 14
# for two. With 4 the creation fails at MapGpaPages, cleanly: the 4 pages are withdrawn,
# and every page goes back to the hypervisor in the end.
pool_case() {
	local name=$1 emu=$2 tmo=$3
	local obj='partition object [0-9]+ pages of my own pool'
	run_case "$name" "$emu" 1 0 "$tmo" "" \
		"mod:$G/cpuid.elf:cpuid.elf partition=exact mem=4M pool=11 on_stop=destroy" \
		"mod:$G/cpuid.elf:cpuid.elf partition=exact2 mem=4M vcpus=2 pool=14 on_stop=destroy" \
		"mod:$G/cpuid.elf:cpuid.elf partition=short mem=4M pool=4 on_stop=destroy" \
		"^root: 'exact': deposited 11 pages \(pool=11\), 8 in use: tables 5, VPs 3; $obj$" \
		"^root: 'exact2': deposited 14 pages \(pool=14\), 11 in use: tables 5, VPs 6; $obj$" \
		"^root: 'short': MapGpaPages: [A-Z_]*INSUFFICIENT_MEMORY, its deposit budget spent \(pool=4: 4 pages deposited\)$" \
		"^root: 'short': destroyed, memory scrubbed, 4 pages withdrawn, " \
		"^default:[0-9]+: part create: 'short' not created \(the line above says why\)$" \
		"'exact': stopped itself, exit code 0" "'exact2': stopped itself, exit code 0" \
		"'exact': destroyed, memory scrubbed" \
		"'exact2': destroyed, memory scrubbed" \
		'hv: free memory ([0-9]+) pages, at boot \1 pages' \
		-- "$NO_PANIC" "'short': created" "'short': started"
}
pool_case qemu-pool-deposit qemu 60
pool_case bochs-pool-deposit bochs 180
# The root partition (root=on, docs/root.md): partition 0 runs our root
# kernel over all RAM the hypervisor does not keep, owns COM1 and relays the
# hypervisor's log. The hypervisor creates no partition= child (HV_CREATED is
# forbidden): the root's default script creates, starts and waits for each,
# emulates their ports (their "[name]" lines are the root's), and with
# after_boot=poweroff powers the machine off when none is left ("hv: the root
# asked to power off" where root=off cases expect "no partition left running").

# "mm: hypervisor's LO-HI (...)" and "root: ram LO-HI" lines: LO HI pairs, in decimal.
ranges_of() {
	local re=$1 file=$2
	sed -nE "s/$re/\1 \2/p" "$file" | while read -r lo hi; do
		echo "$((16#$lo)) $((16#$hi))"
	done
}
# The root's RAM, as its boot information says, overlaps none of the
# hypervisor's ranges as the hypervisor logged them.
root_ram_outside_hv() {
	local hv root a b c d n=0
	hv=$(ranges_of "^\(cpu0\) I: mm: hypervisor's ([0-9a-f]{16})-([0-9a-f]{16}) .*" "$1")
	root=$(ranges_of '^root: ram ([0-9a-f]{16})-([0-9a-f]{16})$' "$1")
	[ -n "$hv" ] && [ -n "$root" ] || { echo "no hypervisor or root ranges in the log"; return 1; }
	while read -r a b; do
		while read -r c d; do
			n=$((n + 1))
			[ "$a" -gt "$d" ] || [ "$c" -gt "$b" ] ||
				{ printf 'root %x-%x overlaps the hypervisor'\''s %x-%x\n' "$a" "$b" "$c" "$d"; return 1; }
		done <<<"$hv"
	done <<<"$root"
	[ "$n" -gt 0 ]
}
# root_probe=hv read an address of the hypervisor's, as the hypervisor logged them.
probe_hits_hv() {
	local at c d
	at=$(sed -nE 's/^root: root_probe=hv: reading ([0-9a-f]{16}),.*/\1/p' "$1")
	[ -n "$at" ] || { echo "no probe line"; return 1; }
	at=$((16#$at))
	while read -r c d; do
		[ "$at" -ge "$c" ] && [ "$at" -le "$d" ] && return 0
	done < <(ranges_of "^\(cpu0\) I: mm: hypervisor's ([0-9a-f]{16})-([0-9a-f]{16}) .*" "$1")
	echo "the probed address is in none of the hypervisor's ranges"
	return 1
}
# Each of the hypervisor's own lines (not a guest's "[name]" line) appears once. The debug
# line of each intercept to the root is the same for every port access of a VP (root=on: the
# root's children's debug ports are intercepts), so it does not count.
hv_lines_once() {
	local twice
	twice=$(grep -E '^\(cpu[0-9]+\) [EWID]: ' "$1" | grep -vE '^\(cpu[0-9]+\) [EWID]: \[' |
		grep -vE '^\(cpu[0-9]+\) D: intercept: part [0-9]+ vp [0-9]+ on cpu [0-9]+: message ' |
		sort | uniq -d | head -n 3)
	[ -z "$twice" ] || { echo "sent twice: $twice"; return 1; }
}
ROOT_UP='^root: up: [0-9]+ MiB RAM in [0-9]+ ranges, '
HANDOVER='I: log: the root partition sends the log from here on$'
MERGED='.\(cpu[0-9]+\) [EWID]: '	# a line that starts inside another: torn or mixed output
root_suite() {
	local name=$1 emu=$2 cpus=$3 tmo=$4
	run_case "$name" "$emu" "$cpus" 0 "$tmo" "root=on loglvl=debug" \
		"mod:$G/cpuid.elf:cpuid.elf partition=cpuid mem=4M cpus=0 on_stop=destroy on_crash=destroy" \
		"mod:$G/nap.elf:nap.elf partition=nap mem=2M on_stop=destroy on_crash=destroy" \
		"mod:tests/system/tiny-module.txt:tiny" \
		"^\(cpu0\) I: root: kernel from hv.elf \(built in\), [0-9]+ bytes" \
		"part 1 'root': created, [0-9]+ MiB, 1 vCPU" "$HANDOVER" \
		"${ROOT_UP}3 modules: cpuid.elf nap.elf tiny$" \
		'^root: hypercall page at [0-9a-f]{16}, placed by the hypervisor$' \
		'^root: wall clock (19|20)[0-9]{2}-[01][0-9]-[0-3][0-9] [0-2][0-9]:[0-5][0-9]:[0-5][0-9] UTC \(from the RTC\)$' \
		"^root: module 'cpuid.elf' at [0-9a-f]{16}, [0-9]+ bytes, begins 7f 45 4c 46, ends [0-9a-f]{2}$" \
		"^root: module 'nap.elf' at [0-9a-f]{16}, [0-9]+ bytes, begins 7f 45 4c 46, ends [0-9a-f]{2}$" \
		"^root: module 'tiny' at [0-9a-f]{16}, 27 bytes, begins 61 20 6d 6f, ends 0a$" \
		"\[cpuid\] PASS cpuid.40000000 vendor is Microsoft Hv" "\[nap\] PASS woke up 20 times" \
		"'cpuid': stopped itself, exit code 0" "'nap': stopped itself, exit code 0" \
		'^root: running the default script, [0-9]+ bytes$' '^root: default: done, 4 lines$' \
		"root: 'cpuid': created, partition [0-9]+, 4 MiB, 1 VP$" \
		"part [0-9]+ 'cpuid': VP 0 on CPU 0, as the root asked" \
		"root: 'nap': stopped itself, exit code 0" 'hv: the root asked to power off' \
		"order:hv: ready: cpus=$cpus=>$HANDOVER" "order:$HANDOVER=>$ROOT_UP" \
		"order:$HANDOVER=>\[cpuid\] PASS cpuid.1:ecx.hypervisor is set" \
		"order:'nap': stopped itself=>hv: the root asked to power off" \
		'hv: free memory ([0-9]+) pages, at boot \1 pages' \
		check:root_ram_outside_hv check:hv_lines_once \
		-- "$NO_PANIC" "$MERGED" 'lines lost' '\] FAIL' 'log read refused' "$HV_CREATED"
}
root_suite qemu-root qemu 2 90
root_suite bochs-root bochs 1 300
# root_test=intercepts (docs/root.md, "Intercepts"): the root creates two children through the
# TLFS calls, the rotor puts them on consecutive CPUs (with 2 CPUs: the root's CPU 0 and CPU 1);
# each one's port I/O, unmapped-GPA write and HLT reach the root's SINT0 and intercept page, the
# root checks and completes each and tears the child down.
intercept_suite() {
	local name=$1 emu=$2 cpus=$3 tmo=$4 cpu
	local per_cpu=()
	for ((cpu = 0; cpu < cpus; cpu++)); do
		per_cpu+=("intercept: part [0-9]+ vp 0 on cpu $cpu: message 80010000 to the root")
	done
	run_case "$name" "$emu" "$cpus" 0 "$tmo" "root=on loglvl=debug root_test=intercepts" \
		"^root: child 0 \(partition [0-9]+\): 7 intercepts checked and completed, torn down$" \
		"^root: child 1 \(partition [0-9]+\): 7 intercepts checked and completed, torn down$" \
		"^root: test PASS intercepts \(2 children, [0-9]+ SINT0 interrupts\)$" \
		"${per_cpu[@]}" \
		"intercept: part [0-9]+ vp 0 on cpu [0-9]+: message 80000000 to the root" \
		"intercept: part [0-9]+ vp 0 on cpu [0-9]+: message 80010007 to the root" \
		"part [0-9]+ '[^']+': deleted by the root" \
		-- "$NO_PANIC" 'root: test FAIL' 'crashed'
}
intercept_suite qemu-root-intercepts qemu 2 120
intercept_suite bochs-root-intercepts bochs 1 400
# root_test=calls (partitions/root/selftest.c, docs/hypercalls.md): the root creates, runs and
# tears down children through the root hypercalls, as mshv does, and checks every refusal; each
# check is a "root: test PASS" line, and all of them must be there (ROOT_CALL_PASSES), none FAIL.
ROOT_CALL_PASSES=(
	'GetPartitionId' 'CreatePartition with deposits into the root'
	'a deposit that splits a 2 MiB mapping succeeds or is INSUFFICIENT_MEMORY'
	'deposits from many 2 MiB blocks took table pages' 'every page deposited one per block withdrawn'
	"the blocks merged again: the hypervisor's table pages are back"
	'208 pages deposited, InitializePartition' '90 pages deposited, CreateVp'
	'MapGpaPages of 16 MiB' 'SetVpRegisters: 32-bit protected mode at 0x1000'
	'EXPLICIT_SUSPEND cleared' 'the child ran and stopped itself' "the child's exit code"
	"the value the child computed, read from its RAM" 'the CPUID vendor the child stored'
	"the child's exit statistics" 'FinalizePartition' 'Finalize unmapped its RAM'
	'DeletePartition after the withdrawals' 'a deleted partition is gone'
	'all our pages are back after the teardown' "the hypervisor's free pages are exactly back"
	'Initialize of partition 0' 'Initialize of a partition that does not exist'
	'Initialize of the root itself' 'Initialize twice \(wrong state\)'
	'Delete before Finalize \(wrong state\)' 'Delete of SELF'
	'CreateVp 5 before 1 \(wrong VP index\)' 'CreateVp 300 \(past 255\)'
	'GetVpRegisters of a VP that does not exist' "MapGpaPages of the hypervisor's memory"
	'MapGpaPages of a page already mapped into a child'
	'MapGpaPages LARGE_PAGE at a GFN not 2 MiB aligned' 'MapGpaPages at a GPA past 52 bits'
	'MapGpaPages writable but not readable' 'MapGpaPages into a partition that does not exist'
	"DepositMemory of the hypervisor's memory" 'DepositMemory of a page mapped into a child'
	'DepositMemory of a PFN past 52 bits' 'DepositMemory of 600 reps \(past the input page\)'
	'DepositMemory with no rep count' 'DepositMemory with the rep start at the count'
	'a rep count on a simple call' 'GetPartitionProperty of an unknown property'
	'SetPartitionProperty of synthetic features after Initialize'
	'AssertVirtualInterrupt of a fixed vector below 16' 'nothing changed by the refused calls'
	'SetVpRegisters stops at its bad second element, one rep done' '... and the first was set'
	'GetVpRegisters reads RIP back' 'a new VP is explicitly suspended'
	'MapGpaPages with garbage padding' 'the same page mapped twice'
	'CreateVp with garbage padding and subnode id' 'MapGpaPages of a 2 MiB page'
	'... maps 512 frames' 'a frame inside the 2 MiB page cannot be deposited'
	'UnmapGpaPages of the 2 MiB page' '... unmaps its 512 frames'
	'GetSystemProperty: scheduler type 3 \(core SMT\), stale argument ignored' 'UnmapGpaPages'
	"the unmapped page is the root's again \(it can be deposited\)"
	"the second child's exit code" 'all pages are back after the second child'
	'the exits by reason add up to the exits' "the child's hypercall and cpuid exits, by reason"
	"the child's denials: none"
	'HVCALL_X_HV_INFO into a deposited page is refused'
	'HVCALL_X_LOG_HISTORY with its block in a deposited page is refused'
	'HVCALL_X_HV_INFO into an unaligned buffer' '... writes nothing'
	'HVCALL_X_HV_INFO into a buffer outside our RAM' 'HVCALL_X_HV_INFO'
	'HVCALL_X_HV_INFO: the version' 'HVCALL_X_HV_INFO: the CPUs online'
	'HVCALL_X_HV_INFO: the features partitions need, none missing'
	'HVCALL_X_HV_INFO: the partitions, the root counted'
	'HVCALL_X_HV_INFO: free within total, which is root, held and free'
	'HVCALL_X_HV_INFO: free as HVCALL_X_PARTITION_STATS says' "HVCALL_X_HV_INFO: the root's RAM"
	'HVCALL_X_HV_INFO: TSC and uptime'
	'HVCALL_X_LOG_HISTORY into a buffer too small for a line'
	'HVCALL_X_LOG_HISTORY with a reserved field set' '... changes nothing'
	'HVCALL_X_LOG_HISTORY with an unaligned block' 'HVCALL_X_LOG_HISTORY from 0: whole lines'
	'HVCALL_X_LOG_HISTORY to the newest line, then nothing newer'
	'HVCALL_X_LOG_HISTORY: lines we drained with HVCALL_X_LOG_READ are kept'
	'HVCALL_X_LOG_HISTORY from past the newest line' 'HVCALL_X_LOG_HISTORY from inside a line'
)
for c in CreatePartition InitializePartition FinalizePartition DeletePartition GetPartitionProperty \
	 SetPartitionProperty GetPartitionId DepositMemory WithdrawMemory MapGpaPages UnmapGpaPages \
	 CreateVp DeleteVp GetVpRegisters SetVpRegisters GetSystemProperty AssertVirtualInterrupt \
	 HVCALL_X_LOG_READ HVCALL_X_PARTITION_STATS HVCALL_X_POWER_OFF HVCALL_X_HV_INFO \
	 HVCALL_X_LOG_HISTORY; do
	ROOT_CALL_PASSES+=("a child calling $c gets ACCESS_DENIED")
done
# The back-end HVCALL_X_HV_INFO names is the emulator's: svm under QEMU (-cpu EPYC), vmx under Bochs.
root_calls_case() {
	local name=$1 emu=$2 cpus=$3 tmo=$4 backend=$5 expect=() p
	for p in "${ROOT_CALL_PASSES[@]}" "HVCALL_X_HV_INFO: back-end $backend"; do
		expect+=("^root: test PASS ${p//./\\.}\$")
	done
	run_case "$name" "$emu" "$cpus" 0 "$tmo" "root=on root_test=calls after_boot=idle" \
		"${expect[@]}" '^root: test done, 0 failed$' 'hv: the root asked to power off' \
		-- "$NO_PANIC" 'root: test FAIL' 'root: PANIC'
}
root_calls_case qemu-root-calls qemu 2 120 svm
root_calls_case bochs-root-calls bochs 1 400 vmx
# The partition suite beside the root, in the hypervisor's 64 MiB pool, its lines through the
# root (fpu-a's: on CPU 0, which runs the root first; the others may finish before it starts).
ROOT_CREATES=('^root: running the default script, [0-9]+ bytes$'
	"part [0-9]+ 'fpu-a': VP 0 on CPU 0, as the root asked"
	"part [0-9]+ 'fpu-b': VP 0 on CPU 0, as the root asked"
	"root: 'smp-a': created, partition [0-9]+, 4 MiB, 2 VPs"
	"root: default: done, 28 lines" 'root: no child left running and after_boot=poweroff')
guest_suite qemu-root-partitions qemu 4 120 0-3 "root=on" "$HANDOVER" \
	"${ROOT_UP}14 modules: cpuid.elf msr.elf io.elf " "order:$HANDOVER=>'fpu-a': stopped itself" \
	"part [0-9]+ 'smp-a': VP 1 on CPU 1, as the root asked" "${ROOT_CREATES[@]}" \
	check:root_ram_outside_hv check:hv_lines_once -- "$HV_CREATED"
guest_suite bochs-root-partitions bochs 2 400 0-1 "root=on" "$HANDOVER" \
	"${ROOT_UP}14 modules: cpuid.elf msr.elf io.elf " \
	"part [0-9]+ 'smp-a': VP 1 on CPU 1, as the root asked" "${ROOT_CREATES[@]}" \
	check:root_ram_outside_hv check:hv_lines_once -- "$HV_CREATED"
# Under OVMF the memory map is the EFI one, in many pieces: the root still gets all but the hypervisor's.
run_case qemu-root-uefi qemu 2 1 120 "root=on" "mod:$G/cpuid.elf:cpuid.elf partition=cpuid mem=4M" \
	"${ROOT_UP}1 modules: cpuid.elf$" "$HANDOVER" "\[cpuid\] PASS cpuid.40000000 vendor is Microsoft Hv" \
	"part [0-9]+ 'cpuid': stopped itself, exit code 0" 'hv: the root asked to power off' \
	check:root_ram_outside_hv check:hv_lines_once \
	-- "$NO_PANIC" "$MERGED" 'lines lost' "$HV_CREATED"
# The root reads a byte of the hypervisor's: refused, the root crashes, the machine stops.
run_case qemu-root-probe qemu 1 0 60 "root=on root_probe=hv on_panic=poweroff" \
	'^root: root_probe=hv: reading [0-9a-f]{16}, which is not mine$' \
	"part 1 'root': crashed on vCPU 0: read of guest-physical [0-9a-f]{16} outside its memory" \
	'^hv: PANIC on cpu0 at .*: the root partition crashed: read of guest-physical' \
	'on_panic=poweroff: powering off' check:probe_hits_hv -- 'the hypervisor let me'
# The 8259s stay the hypervisor's: the root unmasking the master's IRQs is refused (all ones).
run_case qemu-root-pic qemu 1 0 60 "root=on root_probe=pic" \
	'^root: root_probe=pic: the PIC mask reads ff after writing 00$' \
	'hv: the root asked to power off' -- "$NO_PANIC"
# A boot module named "root" replaces the built-in root kernel; one that is no root image stops the boot.
run_case qemu-root-module qemu 1 0 60 "root=on" "mod:$build/root/root.bin:root" \
	"root: kernel from the boot module 'root', [0-9]+ bytes" "${ROOT_UP}1 modules: root$" \
	"^root: module 'root' at [0-9a-f]{16}, [0-9]+ bytes, begins 48 52 4f 4f, ends [0-9a-f]{2}$" \
	'hv: the root asked to power off' -- "$NO_PANIC" 'built in'
run_case qemu-root-badmodule qemu 1 0 60 "root=on on_panic=poweroff" "mod:$G/cpuid.elf:root" \
	"PANIC .*root: the kernel image from the boot module 'root' is not usable: no root image magic" \
	'on_panic=poweroff: powering off' -- '^root: up'

# The root's start-up script, a boot module named on the command line (script=NAME): it runs
# the console's commands and scripts of its own (run), and the first command that fails stops
# it with FILE:LINE: message and status 1; the root keeps running (here: powers off, as
# after_boot=poweroff says, once its child is gone).
run_case qemu-root-script qemu 1 0 60 "root=on script=startup" \
	"mod:tests/system/root-script.txt:startup" "mod:tests/system/root-script-inner.txt:inner" \
	"mod:$G/cpuid.elf:cpuid.elf" \
	'^root: running the startup script, 4096 bytes$' '^root: script starts$' \
	"^root: 'first': stopped itself, exit code 0$" '^root: inner script runs$' \
	'^kernel +: cpuid.elf$' '^root: inner: done, 3 lines$' '^first +[0-9]+ +4 +1 stopped ' \
	"^startup:12: unknown command 'frobnicate' \(help lists the commands\)$" \
	'^root: startup: stopped at line 12, status 1$' \
	"order:^root: inner: done=>^startup:12: " "$OFF" \
	-- "$NO_PANIC" 'must not run' '^root: default'

# console.py's own tests: the transform, the conversation parser, a conversation with a stand-in
# for the root's console (echo, a child's line arriving mid-typing, JSON over several lines).
console_selftest() {
	local name=console-selftest
	[ -n "$filter" ] && [[ $name != *$filter* ]] && return
	mkdir -p "$out/$name"
	if "$here/console.py" --self-test >"$out/$name/out.txt" 2>&1; then
		passed=$((passed + 1))
		echo "PASS $name"
	else
		failed=$((failed + 1))
		failures+=("$name")
		echo "FAIL $name"
		sed 's/^/     | /' "$out/$name/out.txt"
	fi
}
console_selftest
# The root's console (issue 11, docs/console.md), driven through COM1 as a user types: three
# partitions (one from an xl.cfg file), listed as text and as JSON, one paused (its counter stops)
# and resumed (it goes on), a child's console attached (its output, typed keys, Ctrl-]), one
# destroyed (its memory back in hv info), every bad input refused with its message and nothing
# changed, scripts run, shutdown powering the machine off.
console_session() {
	local name=$1 emu=$2 cpus=$3 tmo=$4
	console_case "$name" "$emu" "$cpus" "$tmo" "" "$here/console-session.txt" \
		"$G/ticker.elf:ticker.elf" "$G/cpuid.elf:cpuid.elf" "$G/mb2.elf:mb2.elf" \
		"$G/flood.elf:flood.elf" \
		"$here/console-web.cfg:console-web.cfg" "$here/console-bad.cfg:console-bad.cfg" \
		"$here/console-ok.txt:console-ok.txt" "$here/console-bad.txt:console-bad.txt" \
		-- "$NO_PANIC" 'crashed on vCPU' 'SINT0 message'
}
console_session qemu-console qemu 2 300
console_session bochs-console bochs 1 900
# The Linux child (issue 12; tests/linux/, docs/testing.md "The Linux child"): Debian 12's
# unmodified 6.1 kernel and the test initramfs (make linux-material: build/linux) as boot modules;
# the conversation creates the child 'lx' (256 MiB, vCPUs as the case says), starts it and waits
# for its /init's verdict and its end. Its kernel log and /init's lines come out through the
# root as "[lx] ...": none may report an oops, a warning, a stall, an MSR the kernel found
# missing, or a TSC calibrated with the PIT (the frequency must come from the hypervisor).
# LINUX_CASES=0 leaves them out unless the filter names them (run-tests.sh BUILD linux).
# linux_case and bochs-linux, which runs in the background from the start, are defined above.
# The material itself, without us: QEMU boots the same kernel and initramfs (-kernel, -initrd)
# and /init's checks pass there (a failure here is the material's or /init's, not the child
# platform's). Runs by default (about 10 s).
linux_direct() {
	local name=qemu-linux-direct dir t0=$SECONDS rc problems=() re
	case_begin "$name" || return 0
	timeout 120 qemu-system-x86_64 -accel tcg -cpu EPYC -smp 2 -m 256M -display none \
		-monitor none -no-reboot -kernel "$build/linux/vmlinuz" -initrd "$build/linux/initrd.gz" \
		-append "console=ttyS0 lxtest=poweroff lxcpus=2 mitigations=off" \
		-serial "file:$dir/com1.txt" >"$dir/emu.out" 2>&1
	rc=$?
	tr -d '\r' < "$dir/com1.txt" > "$dir/serial.txt"
	for re in '^init: up$' '^init: ok nproc 2$' '^init: ok timer interrupts \(LOC\+HVS\) counts up on all 2 CPUs' \
		'^init: ok IPIs' '^init: ok the monotonic clock reads in order' '^init: all checks passed$' \
		'^init: poweroff$' 'reboot: Power down'; do
		grep -qE -- "$re" "$dir/serial.txt" || problems+=("missing: $re")
	done
	grep -qE -- '^init: FAIL|Kernel panic' "$dir/serial.txt" &&
		problems+=("present: $(grep -m1 -E -- '^init: FAIL|Kernel panic' "$dir/serial.txt")")
	[ "$rc" = 0 ] || problems+=("QEMU ended with status $rc")
	verdict "$name" "$t0" "$rc" "serial log tail=$dir/serial.txt=20"
}
linux_direct
linux_case qemu-linux qemu 2 600 300 linux-poweroff.txt
linux_case qemu-linux-smp4 qemu 4 600 300 linux-poweroff-4.txt
linux_case qemu-linux-reboot qemu 2 900 300 linux-reboot.txt
# a panic: the kernel's own oops lines are expected here, so not linux_case's forbidden list
[ "$LINUX_CASES" = 1 ] || [[ $filter == *linux* ]] &&
	console_case qemu-linux-panic qemu 2 600 "" "$here/linux-panic.txt" mem:1G dtmo:300 \
		"$build/linux/vmlinuz:vmlinuz" "$build/linux/initrd.gz:initrd.gz" -- "$NO_PANIC"

# Commands piped into the console, as `printf 'part list\nshutdown\n' | make run` does (boot.sh
# --interactive: QEMU's -serial stdio; Bochs's COM1 socket bridged by console.py): every byte
# arrives, even those the emulator holds before the hypervisor runs, each command runs, and
# shutdown ends the emulator.
pipe_case() { retrying pipe_case_once "$1-console-pipe" "$@"; }
pipe_case_once() {
	local name=$1 emu=$2 backend=$3 dir t0=$SECONDS rc
	case_begin "$name" || return
	"$here/mkiso.sh" "$elf" "$dir/hv.iso" "serial=com1,115200" "$G/cpuid.elf:cpuid.elf partition=c mem=2M"
	printf 'part list\nhv info\necho piped: %s\nshutdown\n' "$(printf 'x%.0s' $(seq 1 40))" |
		"$here/boot.sh" --emu "$emu" --iso "$dir/hv.iso" --cpus 1 --mem 256M --timeout 300 \
		--workdir "$dir" --interactive > "$dir/com1.txt" 2>&1
	rc=$?
	"$here/console.py" --transform < "$dir/com1.txt" > "$dir/serial.txt"
	local problems=() re
	for re in '^root> part list$' '^root +1 ' "^backend +: $backend$" "^piped: x{40}$" \
		'^root: shutdown: [0-9]+ partitions? destroyed'; do
		grep -qE -- "$re" "$dir/serial.txt" || problems+=("missing: $re")
	done
	grep -q '^error: ' "$dir/serial.txt" && problems+=("present: $(grep -m1 '^error: ' "$dir/serial.txt")")
	[ "$rc" = 0 ] || problems+=("the emulator ended with status $rc")
	verdict "$name" "$t0" "$rc" "serial log tail=$dir/serial.txt=20"
}
pipe_case qemu svm
pipe_case bochs vmx

# A Multiboot version-1 loader (QEMU's -kernel) must get a clear message and a halt.
wrong_loader() {
	local name=qemu-wrong-loader dir=$out/qemu-wrong-loader
	[ -n "$filter" ] && [[ $name != *$filter* ]] && return
	mkdir -p "$dir"
	timeout 10 qemu-system-x86_64 -accel tcg -m 128M -kernel "$elf" -display none \
		-monitor none -no-reboot -serial "file:$dir/serial.txt" >"$dir/emu.out" 2>&1
	if grep -q '^hv: not started by a Multiboot2 loader (bad magic in EAX); halting' \
		"$dir/serial.txt"; then
		passed=$((passed + 1))
		echo "PASS $name"
	else
		failed=$((failed + 1))
		failures+=("$name")
		echo "FAIL $name: no bad-loader message"
		tail -n 10 "$dir/serial.txt" | sed 's/^/     | /'
	fi
}
wrong_loader
background_wait

echo "system: $passed passed, $failed failed"
[ ${#retried[@]} -eq 0 ] ||
	echo "system: run again after QEMU lost a guest state (docs/root.md): ${retried[*]}"
[ $((passed + failed)) -gt 0 ] || { echo "system: no case matches '$filter'"; exit 1; }
[ "$failed" -eq 0 ] || { echo "failed: ${failures[*]}"; exit 1; }
