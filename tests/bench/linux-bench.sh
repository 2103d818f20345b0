#!/bin/bash
# linux-bench.sh BUILD: the Linux child's figures of `make bench` (issue 12; docs/testing.md,
# "make bench: the Linux figures"), wall-clock seconds under QEMU TCG -cpu EPYC with 2 CPUs:
#   direct   Debian 12's kernel and the test initramfs (build/linux, make linux-material) booted
#            by QEMU itself (-kernel, -initrd), from starting QEMU to /init's "init: up"
#            (lxtest=bench: /init prints it first, then powers off), median of LINUX_BENCH_RUNS;
#   child    the same kernel, initramfs and command line as a child of ours (2 vCPUs, 256 MiB),
#            from the root's `part start` to the child's "init: up" (console.py's marks);
#   ratio    child / direct (issue 12's target: at most 1.5);
#   idle     an idle Linux child (lxtest=shell, at its prompt): its exits per second by reason,
#            from two `part stats -l` 10 s apart (per second of its uptime, `part info -l`).
# The child figures need a child that boots Linux: until it does they are "n/a" (with the
# reason), and this script still succeeds. Writes BUILD/bench/linux.txt (the report's rows) and
# BUILD/bench/linux.json; prints the rows.
set -u
build=$1
here=$(dirname "$0")
sys=$here/../system
dir=$build/bench/linux
mkdir -p "$dir"
lx=$build/linux
runs=${LINUX_BENCH_RUNS:-3}
# the child's and the direct boot's command line: the cases' (tests/system/linux-*.txt) with
# lxtest=bench
cmdline=${LINUX_BENCH_CMDLINE:-console=ttyS0 quiet lxtest=bench lxcpus=2 mitigations=off}
for f in "$lx/vmlinuz" "$lx/initrd.gz"; do
	[ -f "$f" ] || { echo "bench: no $f (make linux-material)" >&2; exit 1; }
done

# direct_run N: seconds from starting QEMU to "init: up" on its serial port (stdio), or empty
direct_run() {
	local t0 t1=
	t0=$EPOCHREALTIME
	while IFS= read -r l; do
		case $l in *"init: up"*) t1=$EPOCHREALTIME; break ;; esac
	done < <(timeout 120 qemu-system-x86_64 -accel tcg -cpu EPYC -smp 2 -m 256M \
		-kernel "$lx/vmlinuz" -initrd "$lx/initrd.gz" -append "$cmdline" \
		-display none -monitor none -no-reboot -serial stdio 2>/dev/null | tee "$dir/direct-$1.txt")
	wait
	[ -n "$t1" ] && awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f", b - a }'
}
direct=()
for ((i = 1; i <= runs; i++)); do
	t=$(direct_run "$i")
	[ -n "$t" ] || { echo "bench: QEMU -kernel run $i never printed 'init: up' ($dir/direct-$i.txt)" >&2; exit 1; }
	direct+=("$t")
done
median=$(printf '%s\n' "${direct[@]}" | sort -n | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')

# Our child: one boot of the hypervisor (make run's settings but no demo partitions, 1 GiB),
# the conversation below on COM1: the bench child 'lxb' timed from part start to init: up, then
# the idle child 'lxi' at its shell prompt, its statistics read twice.
"$sys/mkiso.sh" "$build/hv.elf" "$dir/hv.iso" "serial=com1,115200" \
	"$lx/vmlinuz:vmlinuz" "$lx/initrd.gz:initrd.gz"
create="kernel=vmlinuz ramdisk=initrd.gz memory=256M vcpus=2"
printf '%s\n' 'expect ^root: console ready, TSC [0-9]+$' 'prompt' \
	"cmd part create lxb $create on_poweroff=preserve cmdline=\"$cmdline\"" \
	"check \"'lxb': created\" in out" 'mark start' 'cmd part start lxb' \
	'expect ^\[lxb\] init: up$' 'mark init-up' 'cmd wait lxb stopped' 'cmd part destroy lxb' \
	"cmd part create lxi $create cmdline=\"${cmdline/lxtest=bench/lxtest=shell}\"" \
	'cmd part start lxi' 'expect ^\[lxi\] init: shell$' 'sleep 5' \
	'json i1 part info lxi -l' 'json s1 part stats lxi -l' 'sleep 10' \
	'json i2 part info lxi -l' 'json s2 part stats lxi -l' 'send shutdown' > "$dir/conversation.txt"
"$sys/console.py" --log "$dir/com1.txt" --timeout 300 "$dir/conversation.txt" -- \
	--emu qemu --iso "$dir/hv.iso" --cpus 2 --mem 1G --timeout 900 --workdir "$dir/run" \
	> "$dir/console.out" 2>&1
"$sys/console.py" --transform < "$dir/com1.txt" > "$dir/serial.txt"
start=$(sed -n 's/^mark start \([0-9.]*\)$/\1/p' "$dir/console.out")
up=$(sed -n 's/^mark init-up \([0-9.]*\)$/\1/p' "$dir/console.out")
child= ratio= why=
if [ -n "$start" ] && [ -n "$up" ]; then
	child=$(awk -v a="$start" -v b="$up" 'BEGIN { printf "%.2f", b - a }')
	ratio=$(awk -v c="$child" -v d="$median" 'BEGIN { printf "%.2f", c / d }')
else
	why=$(grep -m1 -E '^error: |^console: ' "$dir/serial.txt" "$dir/console.out" 2>/dev/null |
		head -n 1 | sed 's/^[^:]*://')
	why="n/a: the child did not reach 'init: up' (${why:-see $dir/console.out})"
fi
# the idle child's exits per second by reason: the JSON after each `part stats lxi -l` and
# `part info lxi -l` echo in the log
idle=$(python3 - "$dir/serial.txt" <<'PY'
import json, sys
lines = open(sys.argv[1], encoding="latin-1").read().split("\n")
docs = {}
for i, l in enumerate(lines):
    for cmd in ("part stats lxi -l", "part info lxi -l"):
        if l == "root> " + cmd:
            body = []
            for m in lines[i + 1:]:
                if m.startswith("root> "):
                    break
                body.append(m)
            try:
                docs.setdefault(cmd, []).append(json.loads("\n".join(body)))
            except ValueError:
                pass
st, inf = docs.get("part stats lxi -l", []), docs.get("part info lxi -l", [])
if len(st) < 2 or len(inf) < 2:
    sys.exit(1)
secs = inf[1]["uptime"] - inf[0]["uptime"]
a, b = st[0]["exits_by_reason"], st[1]["exits_by_reason"]
rates = {k: (b.get(k, 0) - a.get(k, 0)) / secs for k in sorted(set(a) | set(b))}
total = (st[1]["exits"] - st[0]["exits"]) / secs
print("%.0f/s total: " % total + " ".join("%s=%.0f" % (k, v) for k, v in rates.items() if v))
print(json.dumps({"seconds": secs, "total": total, "by_reason": rates}))
PY
)
idle_row=${idle%%$'\n'*} idle_json=${idle#*$'\n'}
[ -n "$idle" ] || { idle_row="n/a: no idle Linux child to measure"; idle_json=null; }

row() { printf '  %-46s %s\n' "$1" "$2"; }
{
	echo "Linux child (Debian 12, 6.1; 2 vCPUs; QEMU TCG -cpu EPYC, 2 CPUs): wall-clock seconds"
	row "QEMU -kernel: start -> init: up (median of $runs)" "$median s (runs: ${direct[*]})"
	row "our child: part start -> init: up" "${child:+$child s}${why}"
	row "ratio, child / QEMU -kernel (target <= 1.5)" "${ratio:-n/a}"
	row "idle child's exits per second, by reason" "$idle_row"
	echo "  (command line: $cmdline)"
} | tee "$dir/../linux.txt"
num() { [ -n "$1" ] && echo "$1" || echo null; }
cat > "$dir/../linux.json" <<JSON
{
  "unit": "seconds (wall clock)",
  "cmdline": "$cmdline",
  "direct_qemu_start_to_init_up": $median,
  "direct_qemu_runs": [$(IFS=,; echo "${direct[*]}")],
  "child_start_to_init_up": $(num "$child"),
  "ratio": $(num "$ratio"),
  "idle_child_exits_per_second": $idle_json
}
JSON
