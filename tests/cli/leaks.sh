#!/usr/bin/env bash
# One command of each kind, every output checked against an independent
# tool, so that under the sanitizer build (where CI sets detect_leaks=1)
# LeakSanitizer checks each code path at exit: the oracle sweeps of
# cli_grep, cli_slice and cli_split run without it, being thousands of
# processes.  A leak makes mapq exit non-zero with a report on stderr,
# which `same` and `expect_fail` catch.
# Usage: leaks.sh MAPQ TESTDATA_DIR
. "$(dirname "$0")/lib.sh"
M=$1
need zstd jq look rg
D=$2
A=$D/app.log
G="LC_ALL=C.UTF-8 grep"

"$M" compress --frame-size=8K "$A" >"$TMP/app.seek.zst"
zstd -q -c "$A" >"$TMP/app.zst"
printf 'ERROR\nstatus=5[0-9]+\n' >"$TMP/pats"
printf 'text\nnul \0 here\n' >"$TMP/bin"
mkdir "$TMP/tree" && cp "$A" "$D/crlf.txt" "$TMP/tree/"

# grep: the matcher, prefilters, context, JSON, files, directories, zstd.
same "grep -n" "$G -P -n 'status=5\\d\\d' '$A'" "'$M' grep -n 'status=5\\d\\d' '$A'"
same "grep -c -i" "$G -P -c -i error '$A'" "'$M' grep -c -i error '$A'"
same "grep -o -b -w" "$G -P -o -b -w 'w\\d+' '$A'" "'$M' grep -o -b -w 'w\\d+' '$A'"
same "grep -C 2 -m 3" "$G -P -C 2 -m 3 WARN '$A'" "'$M' grep -C 2 -m 3 WARN '$A'"
same "grep -v -x" "$G -P -v -x '.*INFO.*' '$A'" "'$M' grep -v -x '.*INFO.*' '$A'"
same "grep -f" "$G -E -f '$TMP/pats' '$A'" "'$M' grep -f '$TMP/pats' '$A'"
same "grep -F -e -e" "$G -F -e ERROR -e WARN '$A'" "'$M' grep -F -e ERROR -e WARN '$A'"
same "grep --color" "$G -P --color=always 'host-0\\d' '$A'" "'$M' grep --color=always 'host-0\\d' '$A'"
same "grep -r" "$G -P -r -c ERROR '$TMP/tree' | sort" "'$M' grep -r -c ERROR '$TMP/tree' | sort"
same "grep -l several" "$G -P -l ERROR '$A' '$D/crlf.txt'" "'$M' grep -l ERROR '$A' '$D/crlf.txt'"
same "grep stdin" "$G -P -n ERROR <'$A'" "'$M' grep -n ERROR <'$A'"
same "grep pipe" "$G -P -c ERROR '$A'" "cat '$A' | '$M' grep -c ERROR"
same "grep binary -a" "$G -P -a nul '$TMP/bin'" "'$M' grep -a nul '$TMP/bin'"
same "grep .zst" "$G -P -n ERROR '$A'" "'$M' grep -n ERROR '$TMP/app.zst'"
same "grep seekable --bytes" "'$M' grep --bytes=10000:+10000 -n -b ERROR '$A'" \
	"'$M' grep --bytes=10000:+10000 -n -b ERROR '$TMP/app.seek.zst'"
same "grep --lines" "sed -n '100,200p' '$A' | $G -P -c ERROR" "'$M' grep --lines=100:200 -c ERROR '$A'"
same "grep --json" "rg --json -n ERROR '$A' | jq -c 'select(.type == \"match\") | .data.submatches'" \
	"'$M' grep --json ERROR '$A' | jq -c 'select(.type == \"match\") | .data.submatches'"
expect_fail "grep bad pattern" 2 "^mapq grep: invalid pattern" "'$M' grep 'a(' '$A'"
expect_fail "grep missing file" 2 "No such file" "'$M' grep ERROR '$TMP/nope'"

# slice: bytes, lines, negatives, several ranges and files, zstd.
same "slice -l -5:" "tail -n 5 '$A'" "'$M' slice -l -5: '$A'"
same "slice -b" "tail -c +101 '$A' | head -c 50" "'$M' slice -b 100:+50 '$A'"
same "slice two ranges" "head -n 1 '$A'; tail -n 1 '$A'" "'$M' slice -l 1 -l -1: '$A'"
same "slice stdin" "sed -n '10,20p' '$A'" "cat '$A' | '$M' slice -l 10:20"
same "slice seekable" "tail -n 7 '$A'" "'$M' slice -l -7: '$TMP/app.seek.zst'"
same "slice zstd" "sed -n '50,60p' '$A'" "'$M' slice -l 50:60 '$TMP/app.zst'"
expect_fail "slice bad range" 2 "invalid" "'$M' slice -l 0 '$A'"

# stats, range, split, compress.
same "stats bytes" "echo bytes: \$(wc -c <'$A')" "'$M' stats '$A' | grep '^bytes:'"
same "stats -j 2 --json" "'$M' stats -j 1 --json '$A' '$D/crlf.txt'" "'$M' stats -j 2 --json '$A' '$D/crlf.txt'"
same "stats --histogram" "true" "'$M' stats --histogram '$A' >/dev/null"
same "range" "look 2026-11-24T00:1 '$A'" "'$M' range --from 2026-11-24T00:1 --to 2026-11-24T00:2 '$A'"
same "range seekable" "look 2026-11-24T00:2 '$A'" "'$M' range --from 2026-11-24T00:2 --to 2026-11-24T00:3 '$TMP/app.seek.zst'"
same "range --key-regex -c" "look 2026-11-24T00:3 '$A' | wc -l" "'$M' range --key-regex '^(\\S+)' --from 2026-11-24T00:3 --to 2026-11-24T00:4 -c '$A'"
same "range --check" "true" "'$M' range --check '$A'"
same "split" "echo 0:\$(wc -c <'$A')" "'$M' split -n 1 '$A'"
same "split seekable" "'$M' split -n 3 --lines '$A'" "'$M' split -n 3 --lines '$TMP/app.seek.zst'"
same "compress -j 2" "cat '$A'" "'$M' compress -j 2 --frame-size=4K '$A' | zstd -dc"

finish
