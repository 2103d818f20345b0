#!/bin/bash
# fuzz-run.sh DIR SECONDS JOBS TARGET...: runs each libFuzzer target in DIR for SECONDS
# from an empty corpus, JOBS of them at a time (each fuzzer is one process on one core),
# and prints one line per target in the order given. Fails, with the log's tail, if any
# fuzzer found a crash, a leak or undefined behaviour; its reproducer is in DIR/artifacts/.
set -u
dir=$1 secs=$2 jobs=$3
shift 3
mkdir -p "$dir/artifacts"

one() {
	local f=$1
	rm -rf "$dir/corpus/$f"
	mkdir -p "$dir/corpus/$f"
	"$dir/$f" -max_total_time="$secs" -print_final_stats=1 \
		-artifact_prefix="$dir/artifacts/$f-" "$dir/corpus/$f" > "$dir/$f.log" 2>&1
	echo $? > "$dir/$f.rc"
}
export -f one
export dir secs

[ "$jobs" -ge 1 ] 2>/dev/null || { echo "fuzz-run.sh: FUZZ_JOBS must be 1 or more, not '$jobs'"; exit 2; }
for f in "$@"; do rm -f "$dir/$f.rc" "$dir/$f.log"; done
printf '%s\n' "$@" | xargs -P "$jobs" -I{} bash -c 'one {}'

failed=0
for f in "$@"; do
	if [ "$(cat "$dir/$f.rc" 2>/dev/null)" = 0 ]; then
		echo "fuzz: $f: $secs s, $(sed -n 's/^stat::number_of_executed_units: *//p' \
			"$dir/$f.log") inputs, clean"
	else
		echo "fuzz: $f FAILED (log $dir/$f.log):"
		tail -n 40 "$dir/$f.log"
		failed=1
	fi
done
[ $failed = 0 ] && echo "fuzz: all $# fuzzers ran $secs s clean, $jobs at a time"
exit $failed
