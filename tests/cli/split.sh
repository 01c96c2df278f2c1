#!/usr/bin/env bash
# CLI tests of `mapq split`: the ranges it prints cover the file, start at
# line starts, and `mapq slice --align -b` over them, concatenated,
# reproduces the file byte for byte (checked with cmp).
# Usage: split.sh MAPQ TESTDATA_DIR
. "$(dirname "$0")/lib.sh"
M=$1
need zstd perl
D=$2

# Fixtures: the shipped ones, and generated ones: a log, a file without
# final newline, fewer lines than most N, one huge last line, lone newlines.
seq -f 'line %g of a generated log' 1 20000 >"$TMP/seq.log"
printf 'alpha\nbeta\ngamma' >"$TMP/three-nonl.txt"
{ printf 'a\nb\nc\n'; head -c 100000 /dev/zero | tr '\0' z; echo; } >"$TMP/huge-last.txt"
printf '\n\n\n\n\n' >"$TMP/newlines.txt"
awk 'BEGIN { srand(1); for (i = 0; i < 3000; i++) { n = int(rand() * (rand() < 0.05 ? 3000 : 80)); s = ""; for (j = 0; j < n; j++) s = s "x"; print s } }' >"$TMP/ragged.txt"

# Lines as mapq(1) counts them: newlines, plus a last line without one
# (grep -c '' would split binary data at NUL bytes).
count_lines() {
	local n
	n=$(wc -l <"$1")
	if [ -s "$1" ] && [ "$(tail -c 1 "$1" | od -An -c | tr -d ' ')" != '\n' ]; then
		n=$((n + 1))
	fi
	echo "$n"
}

for f in "$D"/* "$TMP"/*.log "$TMP"/*.txt; do
	b=$(basename "$f")
	size=$(wc -c <"$f")
	lines=$(count_lines "$f")
	for n in 1 2 3 4 5 6 7 8 9; do
		for mode in "" --lines; do
			name="$b -n $n $mode"
			checks=$((checks + 1))
			# shellcheck disable=SC2086
			"$M" split -n "$n" $mode "$f" >"$TMP/ranges" 2>"$TMP/err"
			st=$?
			if [ "$st" != 0 ] || [ -s "$TMP/err" ]; then
				fail "$name: status $st, stderr $(cat "$TMP/err")"
				continue
			fi
			want=$((n < lines ? n : lines))
			got=$(wc -l <"$TMP/ranges")
			[ "$got" = "$want" ] || fail "$name: $got ranges, want $want"
			# Adjacent, non-empty, from 0 to the size.
			awk -F: -v size="$size" '
				$0 !~ /^[0-9]+:[0-9]+$/ { print "malformed: " $0; exit 1 }
				$1 != prev + 0 { print "gap before " $0; exit 1 }
				$2 + 0 <= $1 + 0 { print "empty: " $0; exit 1 }
				{ prev = $2 }
				END { if (NR > 0 && prev != size) { print "ends at " prev; exit 1 } }' \
				"$TMP/ranges" >"$TMP/why" || fail "$name: $(cat "$TMP/why")"
			# Every cut is a line start: the byte before it is a newline.
			while IFS=: read -r s e; do
				[ "$s" = 0 ] && continue
				[ "$(tail -c +"$s" "$f" | head -c 1 | od -An -c | tr -d ' ')" = '\n' ] ||
					fail "$name: range $s:$e does not start a line"
			done <"$TMP/ranges"
			# The aligned slices, concatenated, are the file.
			while IFS= read -r r; do
				"$M" slice --align -b "$r" "$f"
			done <"$TMP/ranges" >"$TMP/joined"
			cmp -s "$f" "$TMP/joined" || fail "$name: slices do not rebuild the file"
			# --lines: line counts differ by one at most.
			if [ -n "$mode" ] && [ "$want" -gt 0 ]; then
				while IFS= read -r r; do
					"$M" slice -b "$r" "$f" >"$TMP/shard"
					count_lines "$TMP/shard"
				done <"$TMP/ranges" | sort -n | uniq >"$TMP/counts"
				lo=$(head -n 1 "$TMP/counts") hi=$(tail -n 1 "$TMP/counts")
				[ $((hi - lo)) -le 1 ] || fail "$name: unbalanced line counts $lo..$hi"
			fi
		done
	done
done

# An empty file: nothing, exit 0.
same "empty" "true" "'$M' split -n 4 '$D/empty.txt'"
same "empty --lines" "true" "'$M' split -n 4 --lines '$D/empty.txt'"
# Byte balance on equal lines: 10000 lines of 16 bytes in 4 ranges of 2500.
seq -f '%015g' 1 10000 >"$TMP/even"
same "even bytes" "printf '0:40000\n40000:80000\n80000:120000\n120000:160000\n'" "'$M' split -n 4 '$TMP/even'"
same "even lines" "printf '0:40000\n40000:80000\n80000:120000\n120000:160000\n'" "'$M' split -n 4 --lines '$TMP/even'"
same "long option" "printf '0:80000\n80000:160000\n'" "'$M' split --number=2 '$TMP/even'"
# Standard input.
# A stream cannot be split: its offsets mean nothing once it is read.
expect_fail "pipe" 2 "^mapq: \\(standard input\\): split needs a file" "cat '$TMP/even' | '$M' split -n 2"
expect_fail "fifo" 2 "^mapq: $TMP/fifo: split needs a file" "mkfifo '$TMP/fifo' && { cat '$TMP/even' >'$TMP/fifo' & '$M' split -n 2 '$TMP/fifo'; }"
same "redirect" "printf '0:80000\n80000:160000\n'" "'$M' split -n 2 - <'$TMP/even'"
# One huge last line still gets its own shard, and three short ones theirs.
same "huge last line" "printf '0:2\n2:4\n4:6\n6:%d\n' $(wc -c <"$TMP/huge-last.txt")" "'$M' split -n 4 '$TMP/huge-last.txt'"

# Compressed input: the ranges are of the decompressed data, the same as
# the plain file's, for the seekable format (small frames, so that cuts
# fall in many frames) and for a plain zstd stream; shards of the .zst fed
# to mapq grep --bytes add up to the whole count.
for f in "$TMP/seq.log" "$TMP/ragged.txt" "$TMP/three-nonl.txt" "$TMP/huge-last.txt"; do
	b=$(basename "$f")
	"$M" compress --frame-size=2K "$f" >"$TMP/$b.seek.zst"
	zstd -q -c "$f" >"$TMP/$b.zst"
	for n in 1 3 7; do
		for mode in "" --lines; do
			same "$b.seek.zst -n $n $mode" "'$M' split -n $n $mode '$f'" \
				"'$M' split -n $n $mode '$TMP/$b.seek.zst'"
			same "$b.zst -n $n $mode" "'$M' split -n $n $mode '$f'" \
				"'$M' split -n $n $mode '$TMP/$b.zst'"
		done
	done
done
same "seekable shards grep" "grep -c 7 '$TMP/seq.log'" \
	"'$M' split -n 5 '$TMP/seq.log.seek.zst' | while read -r r; do '$M' grep -c --bytes=\$r 7 '$TMP/seq.log.seek.zst'; done | awk '{ s += \$1 } END { print s }'"
expect_fail "zstd pipe" 2 "split needs a file" "zstd -q -c '$TMP/seq.log' | '$M' split -n 3"
# --no-decompress: ranges of the compressed bytes, whatever they hold.
same "--no-decompress" "echo 0:\$(wc -c <'$TMP/seq.log.zst')" \
	"'$M' split -n 1 --no-decompress '$TMP/seq.log.zst'"
head -c 1000 "$TMP/seq.log.zst" >"$TMP/cut.zst"
expect_fail "truncated zstd" 2 "^mapq: $TMP/cut.zst: " "'$M' split -n 2 '$TMP/cut.zst'"

# A file larger than 4 GiB: offsets past 2^32, cuts on line starts.
big="$TMP/big"
truncate -s 5G "$big"
perl -e 'open(my $f, "+<", $ARGV[0]) or die; for my $i (1 .. 5120) { seek($f, $i * 1048576 - 1, 0); print $f "\n" }' "$big"
same "5G" "for i in 1 2 3; do echo \$(( (i - 1) * 1280 << 20 )):\$(( i * 1280 << 20 )); done; echo \$(( 3840 << 20 )):\$(( 5 << 30 ))" \
	"'$M' split -n 4 '$big'"
rm -f "$big"

# Errors.
expect_fail "missing -n" 2 "^mapq split: missing -n" "'$M' split '$TMP/even'"
expect_fail "-n 0" 2 "^mapq split: invalid number of ranges '0'" "'$M' split -n 0 '$TMP/even'"
expect_fail "-n x" 2 "^mapq split: invalid number of ranges 'x'" "'$M' split -n x '$TMP/even'"
expect_fail "-n overflow" 2 "invalid number of ranges" "'$M' split -n 99999999999999999999 '$TMP/even'"
expect_fail "directory" 2 "^mapq: $D: Is a directory" "'$M' split -n 2 '$D'"
expect_fail "missing file" 2 "^mapq: $TMP/nope: No such file or directory" "'$M' split -n 2 '$TMP/nope'"
expect_fail "two files" 2 "^mapq split: extra operand" "'$M' split -n 2 '$TMP/even' '$TMP/even'"
expect_fail "unknown option" 2 "^mapq split: unrecognized option '--frob'" "'$M' split --frob"
expect_fail "full disk" 2 "^mapq: write error" "'$M' split -n 3 '$TMP/even' >/dev/full"

finish
