#!/bin/bash
# make bench: exit costs and footprint, measured in QEMU (AMD-V) with
# -icount shift=0,sleep=off, where the TSC counts executed instructions, so
# every figure is an instruction count and repeats exactly run to run.
# Writes a text report to stdout and JSON to BUILD/bench.json.
set -eu
build=$1
here=$(dirname "$0")
dir=$build/bench
mkdir -p "$dir"
"$here/../system/mkiso.sh" "$build/hv.elf" "$dir/hv.iso" \
	"serial=com1,115200 after_boot=poweroff loglvl=debug" \
	"$build/guests/bench.elf:bench.elf partition=bench mem=4M vcpus=1"
timeout 300 qemu-system-x86_64 -accel tcg,thread=single -icount shift=0,sleep=off \
	-cpu EPYC -smp 1 -m 256M -cdrom "$dir/hv.iso" -display none -monitor none \
	-no-reboot -serial "file:$dir/serial.txt" 2>/dev/null || true
log=$dir/serial.txt
val() { sed -n "s/.*$1=\([0-9]*\).*/\1/p" "$log" | tr -d '\r' | head -n 1; }
cpuid=$(val 'BENCH cpuid_exit')
hcall=$(val 'BENCH hypercall_exit')
io=$(val 'BENCH io_exit')
start=$(sed -n "s/.*'bench': started at TSC \([0-9]*\).*/\1/p" "$log" | head -n 1)
entry=$(val 'BENCH first_insn_tsc')
first=$([ -n "$start" ] && [ -n "$entry" ] && echo $((entry - start)))
line=$(grep "'bench': created" "$log" | head -n 1 | tr -d '\r')
part_kib=$(echo "$line" | sed -n 's/.*overhead \([0-9]*\) KiB.*/\1/p')
vcpu_kib=$(echo "$line" | sed -n 's/.*vCPUs \([0-9]*\)).*/\1/p')
image=$(size -A "$build/hv.elf" | awk '$1 ~ /^\.(text|rodata|data|bss)$/ { s += $2 } END { print s }')
file=$(stat -c %s "$build/hv.elf")
if [ -z "$cpuid" ] || [ -z "$hcall" ] || [ -z "$io" ] || [ -z "$first" ]; then
	echo "bench: the benchmark guest did not report; serial log tail:" >&2
	tail -n 20 "$log" >&2
	exit 1
fi
cat <<REPORT
benchmark (QEMU TCG, -cpu EPYC, AMD-V; -icount shift=0: 1 TSC tick = 1 instruction)
  CPUID exit round trip            $cpuid instructions
  null hypercall round trip        $hcall instructions
  I/O-port exit round trip         $io instructions
  partition start -> first insn    $first instructions
  hypervisor image in memory       $image bytes (file $file bytes)
  memory overhead per partition    $part_kib KiB (with 1 vCPU)
  memory overhead per vCPU         $vcpu_kib KiB
REPORT
cat > "$build/bench.json" <<JSON
{
  "emulator": "qemu-tcg-icount-epyc-svm",
  "unit": "instructions",
  "cpuid_exit": $cpuid,
  "hypercall_exit": $hcall,
  "io_exit": $io,
  "start_to_first_instruction": $first,
  "image_bytes": $image,
  "image_file_bytes": $file,
  "partition_overhead_kib": $part_kib,
  "vcpu_overhead_kib": $vcpu_kib
}
JSON
echo "bench: JSON in $build/bench.json"
