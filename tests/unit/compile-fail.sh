#!/bin/sh
# compile-fail.sh CC SOURCE [CFLAGS...]: code that must not compile.
#
# SOURCE marks each case with a line "#if CASE == n<TAB>/* what it mixes */"
# followed by the one line that must be refused (and an #else with the
# correct line). SOURCE must compile as it is (-DCASE=0), so that no case
# passes for an unrelated reason (a typo, a missing include); then each
# -DCASE=n must fail with a type error on the case's own line.
set -u
cc=$1 src=$2
shift 2
out=$(mktemp)
trap 'rm -f "$out"' EXIT

if ! $cc "$@" -fsyntax-only -DCASE=0 "$src" >"$out" 2>&1; then
	echo "compile-fail: $src does not compile as it is:"
	cat "$out"
	exit 1
fi
failed=0 total=0
# "LINE CASE" for each marker
for mark in $(grep -n '^#if CASE == [0-9]' "$src" | sed 's/^\([0-9]*\):#if CASE == \([0-9]*\).*/\1:\2/'); do
	line=$((${mark%%:*} + 1)) n=${mark#*:}
	what=$(sed -n "${mark%%:*}s|.*/\* \(.*\) \*/.*|\1|p" "$src")
	total=$((total + 1))
	if $cc "$@" -fsyntax-only -DCASE="$n" "$src" >"$out" 2>&1; then
		echo "compile-fail: case $n ($what) COMPILED"
		failed=$((failed + 1))
	elif ! grep -Eq "^$src:$line:[0-9]+: error: .*(incompatible type|invalid operands)" "$out"; then
		echo "compile-fail: case $n ($what) was refused, but not for its types on line $line:"
		cat "$out"
		failed=$((failed + 1))
	fi
done
if [ "$total" -eq 0 ] || [ "$failed" -ne 0 ]; then
	echo "compile-fail: $failed of $total cases in $src wrong"
	exit 1
fi
echo "compile-fail: all $total mixes in $src refused"
