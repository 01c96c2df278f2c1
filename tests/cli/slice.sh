#!/usr/bin/env bash
# CLI tests of `mapq slice`: every output is compared byte for byte with
# what GNU tail, head, sed or dd print for the same selection.
# Usage: slice.sh MAPQ TESTDATA_DIR
. "$(dirname "$0")/lib.sh"
M=$1
D=$2

fixtures=("$D"/*)

for f in "${fixtures[@]}"; do
	b=$(basename "$f")
	size=$(wc -c <"$f")
	for n in 1 2 3 5 10 399 400 401 1000; do
		same "$b -l -$n:" "tail -n $n '$f'" "'$M' slice -l -$n: '$f'"
		same "$b -l $n:" "tail -n +$n '$f'" "'$M' slice -l $n: '$f'"
		same "$b -l :$n" "head -n $n '$f'" "'$M' slice -l :$n '$f'"
		same "$b -l $n" "sed -n '${n}p' '$f'" "'$M' slice -l $n '$f'"
		same "$b -b -$n:" "tail -c $n '$f'" "'$M' slice -b -$n: '$f'"
		same "$b -b :$n" "head -c $n '$f'" "'$M' slice -b :$n '$f'"
		same "$b -b $n:" "tail -c +$((n + 1)) '$f'" "'$M' slice -b $n: '$f'"
		same "$b -b $n" "tail -c +$((n + 1)) '$f' | head -c 1" "'$M' slice -b $n '$f'"
	done
	for a in 1 2 4 7 100 398; do
		for c in 1 2 3 50; do
			e=$((a + c - 1))
			same "$b -l $a:$e" "sed -n '$a,${e}p' '$f'" "'$M' slice -l $a:$e '$f'"
			same "$b -l $a:+$c" "sed -n '$a,${e}p' '$f'" "'$M' slice -l $a:+$c '$f'"
			same "$b -l -$e:-$a" "tail -n $e '$f' | head -n -$((a - 1))" "'$M' slice -l -$e:-$a '$f'"
			same "$b -b $a:+$c" "tail -c +$((a + 1)) '$f' | head -c $c" "'$M' slice -b $a:+$c '$f'"
			same "$b -b $a:$e" "head -c $e '$f' | tail -c +$((a + 1))" "'$M' slice -b $a:$e '$f'"
		done
	done
	same "$b -b 100:+50" "tail -c +101 '$f' | head -c 50" "'$M' slice -b 100:+50 '$f'"
	same "$b -l -10:" "tail -n 10 '$f'" "'$M' slice -l -10: '$f'"
	same "$b whole" "cat '$f'" "'$M' slice '$f'"
	same "$b -b :" "cat '$f'" "'$M' slice -b : '$f'"
	same "$b -l :" "cat '$f'" "'$M' slice -l : '$f'"
	# Standard input: a pipe (read(2)), and a redirected regular file (mapped).
	same "$b pipe -l -10:" "tail -n 10 '$f'" "cat '$f' | '$M' slice -l -10:"
	same "$b pipe - -b 100:+50" "tail -c +101 '$f' | head -c 50" "cat '$f' | '$M' slice -b 100:+50 -"
	same "$b redirect -l 3:+4" "sed -n '3,6p' '$f'" "'$M' slice -l 3:+4 - <'$f'"
	same "$b fifo -l -3:" "tail -n 3 '$f'" "rm -f '$TMP/fifo'; mkfifo '$TMP/fifo'; cat '$f' >'$TMP/fifo' & '$M' slice -l -3: '$TMP/fifo'"
	# Ranges in the order given, mixing units.
	same "$b two ranges" "{ tail -n 2 '$f'; head -c 7 '$f'; }" "'$M' slice -l -2: -b :7 '$f'"
	# START after END selects nothing.
	same "$b empty range" "true" "'$M' slice -b 10:5 -l 5:2 '$f'"

	# --align: the lines that start inside [S, E).  Reference: the first
	# line start at or after an offset, found with tail/head/wc.
	nls() {
		local off=$1
		if [ "$off" -eq 0 ]; then echo 0
		elif [ "$off" -ge "$size" ]; then echo "$size"
		else echo $((off - 1 + $(tail -c +"$off" "$f" | head -n 1 | wc -c)))
		fi
	}
	for s in 0 1 5 6 20 100 $((size / 2)) $((size - 1)); do
		[ "$s" -lt 0 ] && continue
		for len in 1 3 50 1000 100000; do
			as=$(nls "$s"); ae=$(nls $((s + len)))
			if [ "$ae" -gt "$as" ]; then
				want="tail -c +$((as + 1)) '$f' | head -c $((ae - as))"
			else
				want="true"
			fi
			same "$b --align $s:+$len" "$want" "'$M' slice --align -b $s:+$len '$f'"
		done
	done
done

# Several files are concatenated like cat.
same "several files" "cat '$D/crlf.txt' '$D/no-newline.txt' '$D/one-line.txt'" \
	"'$M' slice '$D/crlf.txt' '$D/no-newline.txt' '$D/one-line.txt'"
same "several files -l -1:" "for x in '$D/crlf.txt' '$D/no-newline.txt'; do tail -n 1 \"\$x\"; done" \
	"'$M' slice -l -1: '$D/crlf.txt' '$D/no-newline.txt'"
# Suffixes.
same "suffix 1K" "tail -c +1025 '$D/app.log' | head -c 10" "'$M' slice -b 1K:+10 '$D/app.log'"
same "suffix KiB" "tail -c +2049 '$D/app.log' | head -c 1024" "'$M' slice -b 2KiB:+1kb '$D/app.log'"
same "suffix -4K" "tail -c 4096 '$D/app.log'" "'$M' slice -b -4K: '$D/app.log'"
same "long options" "sed -n '5,9p' '$D/app.log'" "'$M' slice --lines=5:9 '$D/app.log'"
same "--bytes=" "head -c 9 '$D/app.log'" "'$M' slice --bytes=:9 '$D/app.log'"

# Errors: a message naming the culprit, exit 2, nothing on stdout.
expect_fail "malformed range" 2 "^mapq slice: invalid byte range '1:x'" "'$M' slice -b 1:x '$D/app.log'"
expect_fail "line zero" 2 "^mapq slice: invalid line range '0'" "'$M' slice -l 0 '$D/app.log'"
expect_fail "overflow" 2 "invalid byte range '99999999999999999999999'" "'$M' slice -b 99999999999999999999999 '$D/app.log'"
expect_fail "missing file" 2 "^mapq: $TMP/nope: No such file or directory" "'$M' slice '$TMP/nope'"
expect_fail "directory" 2 "^mapq: $D: Is a directory" "'$M' slice '$D'"
ALLOW_OUT=1 expect_fail "bad file among good" 2 "nope: No such file" "'$M' slice '$D/one-line.txt' '$TMP/nope' '$D/one-line.txt'"
same "good files still printed" "cat '$D/one-line.txt' '$D/one-line.txt'" \
	"'$M' slice '$D/one-line.txt' '$TMP/nope' '$D/one-line.txt' 2>/dev/null; true"
expect_fail "full disk" 2 "^mapq: write error: No space left on device" "'$M' slice '$D/app.log' >/dev/full"
expect_fail "full disk, small" 2 "write error" "'$M' slice -l 1 '$D/app.log' >/dev/full"

# A closed pipe ends quietly: no message, status 0.
seq 1 300000 >"$TMP/seq"
checks=$((checks + 1))
out=$( { "$M" slice "$TMP/seq" 2>"$TMP/err"; echo "status=$?" >"$TMP/st"; } | head -n 1)
if [ "$out" != 1 ] || [ -s "$TMP/err" ] || [ "$(cat "$TMP/st")" != status=0 ]; then
	fail "broken pipe: out=$out status=$(cat "$TMP/st") err=$(cat "$TMP/err")"
fi

# A sparse file larger than 4 GiB with text at its end.
big="$TMP/sparse5g"
truncate -s 5G "$big"
printf '\n' >>"$big"
seq -f 'line %g of the tail' 1 40 >>"$big"
bsize=$(wc -c <"$big")
same "5G -l -10:" "tail -n 10 '$big'" "'$M' slice -l -10: '$big'"
same "5G -b near end" "tail -c +$((bsize - 299)) '$big' | head -c 50" "'$M' slice -b $((bsize - 300)):+50 '$big'"
same "5G -b -2K:" "tail -c 2048 '$big'" "'$M' slice -b -2K: '$big'"
same "5G -l -40:-38" "tail -n 40 '$big' | head -n 3" "'$M' slice -l -40:-38 '$big'"
same "5G --align" "tail -n 3 '$big'" "'$M' slice --align -b -60: '$big'"

# A file truncated while mapq copies it: an error naming the file, exit 2,
# never a signal death.  The pipe blocks mapq after the first 64 KiB; the
# reader then truncates the file and drains the rest.
trunc="$TMP/shrinking.log"
head -c $((64 << 20)) /dev/zero | tr '\0' 'x' >"$trunc"
checks=$((checks + 1))
{ "$M" slice "$trunc" 2>"$TMP/err"; echo "$?" >"$TMP/st"; } |
	{ head -c 1000 >/dev/null; truncate -s 0 "$trunc"; cat >/dev/null; }
st=$(cat "$TMP/st")
if [ "$st" != 2 ] || ! grep -q "^mapq: $trunc: file shrank while being read" "$TMP/err"; then
	fail "truncation during slice: status $st, stderr: $(cat "$TMP/err")"
fi

finish
