#!/usr/bin/env bash
# The shard recipe of mapq-split(1): grep counts over the ranges of
# `mapq split -n N`, run in parallel by xargs and summed by awk, equal the
# count over the whole file, by mapq grep and by GNU grep.  Skipped (exit
# 77) when this build has no `mapq grep`.
# Usage: split_grep.sh MAPQ TESTDATA_DIR
. "$(dirname "$0")/lib.sh"
M=$1
D=$2

if ! "$M" grep --help >/dev/null 2>&1; then
	echo "mapq grep is not available: skipped"
	exit 77
fi

# A log with matches everywhere, including the first and the last line.
awk 'BEGIN { srand(4); for (i = 0; i < 50000; i++)
	printf "2026-11-24T10:%02d:%02d host-%02d %s request %d\n", int(i / 1000) % 60,
	       int(i / 17) % 60, int(rand() * 16), (rand() < 0.07 || i == 0 || i == 49999) ? "ERROR" : "INFO", i }' \
	>"$TMP/log"
head -c -1 "$TMP/log" >"$TMP/log-nonl"

for f in "$TMP/log" "$TMP/log-nonl" "$D/app.log"; do
	for pat in ERROR 'host-0[13]' request WARN 'no such text'; do
		for n in 1 2 3 4 5 7 9; do
			same "$(basename "$f") -n $n '$pat' vs grep -c" "grep -c '$pat' '$f'; true" \
				"'$M' split -n $n '$f' | xargs -P 4 -I{} '$M' grep -c --bytes={} '$pat' '$f' | awk '{ s += \$1 } END { print s + 0 }'"
			same "$(basename "$f") -n $n '$pat' vs mapq grep -c" "'$M' grep -c '$pat' '$f'; true" \
				"'$M' split -n $n --lines '$f' | xargs -P 4 -I{} '$M' grep -c --bytes={} '$pat' '$f' | awk '{ s += \$1 } END { print s + 0 }'"
		done
	done
done

finish
