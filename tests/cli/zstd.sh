#!/usr/bin/env bash
# CLI tests of compressed input and `mapq compress`: files compressed by the
# system zstd tool and by mapq compress must slice exactly as the raw file
# does (references: tail, head, sed on the raw file), and zstd -d must read
# what mapq compress writes.
# Usage: zstd.sh MAPQ TESTDATA_DIR
. "$(dirname "$0")/lib.sh"
M=$1
D=$2

if ! command -v zstd >/dev/null; then
	echo "zstd not installed: compressed input tests skipped"
	exit 0
fi

# Inputs: lines of varying length (some empty, one long), a final line
# without a newline.
raw="$TMP/raw.log"
awk 'BEGIN { srand(7); for (i = 1; i <= 6000; i++) {
	n = int(rand() * 90); s = sprintf("%06d ", i)
	for (j = 0; j < n; j++) s = s substr("abcdefghij ", 1 + int(rand() * 11), 1)
	if (i % 97 == 0) s = ""
	if (i == 3000) for (j = 0; j < 9000; j++) s = s "x"
	print s } }' >"$raw"
printf 'last line without newline' >>"$raw"
size=$(wc -c <"$raw")

# Variants of the same data, compressed in every way we read.
zstd -q -c "$raw" >"$TMP/single.zst"
zstd -q -c --no-check -19 "$raw" >"$TMP/nocheck.zst"
head -c 100000 "$raw" | zstd -q -c >"$TMP/part1.zst"
tail -c +100001 "$raw" | zstd -q -c >"$TMP/part2.zst"
cat "$TMP/part1.zst" "$TMP/part2.zst" >"$TMP/concat.zst"
# A skippable frame (magic 0x184D2A5A, 5 bytes) before, and one between.
skippable() { printf '\x5a\x2a\x4d\x18\x05\x00\x00\x00hello'; }
{ skippable; cat "$TMP/part1.zst"; skippable; cat "$TMP/part2.zst"; } >"$TMP/skippable.zst"
# From a pipe: frames without a content size.
cat "$raw" | zstd -q -c >"$TMP/piped.zst"

"$M" compress "$raw" >"$TMP/seek-default.zst" || fail "compress default"
for fs in 1000 4K 64K; do
	for j in 1 2; do
		"$M" compress --frame-size "$fs" -j "$j" "$raw" >"$TMP/seek-$fs-j$j.zst" ||
			fail "compress --frame-size $fs -j $j"
	done
	"$M" compress --frame-size "$fs" --align "$raw" >"$TMP/seek-$fs-align.zst" ||
		fail "compress --frame-size $fs --align"
done
"$M" compress --frame-size=1 -L 1 "$TMP/part1.zst" >"$TMP/seek-1.zst" || fail "compress --frame-size=1"
head -c 100000 "$raw" >"$TMP/part1.raw"

# zstd -d reads what mapq compress writes, byte for byte; -j does not
# change the output.
for f in "$TMP"/seek-*.zst; do
	checks=$((checks + 1))
	if [ "$f" = "$TMP/seek-1.zst" ]; then want="$TMP/part1.raw"; else want="$raw"; fi
	zstd -q -dc "$f" | cmp -s - "$want" || fail "zstd -d $(basename "$f") differs from the input"
	zstd -q -t "$f" || fail "zstd -t $(basename "$f")"
done
for fs in 1000 4K 64K; do
	checks=$((checks + 1))
	cmp -s "$TMP/seek-$fs-j1.zst" "$TMP/seek-$fs-j2.zst" || fail "-j 2 output differs from -j 1 ($fs)"
done
# zstd -lv counts the data frames (one per SIZE bytes) and the seek
# table's skippable frame.
checks=$((checks + 1))
zstd -lv "$TMP/seek-4K-j1.zst" >"$TMP/lv" 2>&1
frames=$(awk '/Zstandard Frames/ {print $NF}' "$TMP/lv")
skipf=$(awk '/Skippable Frames/ {print $NF}' "$TMP/lv")
[ "$frames" = $(((size + 4095) / 4096)) ] && [ "$skipf" = 1 ] ||
	fail "4K frames: zstd -lv counts $frames frames and $skipf skippable"

# Every slice of every variant equals the same slice of the raw file.
slices() {
	local f=$1 b fs=$2
	b=$(basename "$f")
	for n in 1 3 10 500 7000; do
		same "$b -l -$n:" "tail -n $n '$raw'" "'$M' slice -l -$n: '$f'"
		same "$b -l $n:" "tail -n +$n '$raw'" "'$M' slice -l $n: '$f'"
		same "$b -l :$n" "head -n $n '$raw'" "'$M' slice -l :$n '$f'"
	done
	same "$b -l 2999:3001" "sed -n '2999,3001p' '$raw'" "'$M' slice -l 2999:3001 '$f'"
	same "$b -l -3100:-2900" "tail -n 3100 '$raw' | head -n 201" "'$M' slice -l -3100:-2900 '$f'"
	same "$b -l 100:+5" "sed -n '100,104p' '$raw'" "'$M' slice -l 100:+5 '$f'"
	same "$b -l 5:-5" "head -n -4 '$raw' | tail -n +5" "'$M' slice -l 5:-5 '$f'"
	same "$b whole" "cat '$raw'" "'$M' slice '$f'"
	same "$b -b -4K:" "tail -c 4096 '$raw'" "'$M' slice -b -4K: '$f'"
	same "$b -b :-100" "head -c -100 '$raw'" "'$M' slice -b :-100 '$f'"
	same "$b -b past end" "true" "'$M' slice -b $((size + 10)):+5 '$f'"
	# Frame boundaries: k * fs and its neighbours, ranges of one frame
	# and a byte more or less, one byte, and the short last frame.
	local last=$(( (size - 1) / fs * fs ))
	for s in 0 1 $((fs - 1)) $fs $((fs + 1)) $((2 * fs)) $((5 * fs - 1)) $last $((last - 1)) $((size - 1)); do
		[ "$s" -lt 0 ] && continue
		for len in 1 $((fs - 1)) $fs $((fs + 1)) $((2 * fs + 3)); do
			[ "$len" -le 0 ] && continue
			same "$b -b $s:+$len" "tail -c +$((s + 1)) '$raw' | head -c $len" \
				"'$M' slice -b $s:+$len '$f'"
		done
		same "$b -b $s:" "tail -c +$((s + 1)) '$raw'" "'$M' slice -b $s: '$f'"
	done
	same "$b --align" "sed -n '2,9p' '$raw'" \
		"'$M' slice --align -b $(( $(head -n 1 "$raw" | wc -c) - 1 )):$(( $(head -n 9 "$raw" | wc -c) - 1 )) '$f'"
	same "$b two ranges" "{ tail -n 2 '$raw'; head -c 7 '$raw'; }" "'$M' slice -l -2: -b :7 '$f'"
}
slices "$TMP/seek-4K-j1.zst" 4096
slices "$TMP/seek-1000-j2.zst" 1000
slices "$TMP/seek-64K-align.zst" 65536
slices "$TMP/seek-default.zst" 1048576
slices "$TMP/single.zst" 4096
slices "$TMP/concat.zst" 100000
slices "$TMP/skippable.zst" 100000
for f in nocheck piped seek-4K-align seek-64K-j2 seek-1000-align; do
	b=$f.zst
	same "$b whole" "cat '$raw'" "'$M' slice '$TMP/$b'"
	same "$b -l -20:" "tail -n 20 '$raw'" "'$M' slice -l -20: '$TMP/$b'"
	same "$b -b 123456:+7777" "tail -c +123457 '$raw' | head -c 7777" "'$M' slice -b 123456:+7777 '$TMP/$b'"
	same "$b -l 1234:+3" "sed -n '1234,1236p' '$raw'" "'$M' slice -l 1234:+3 '$TMP/$b'"
done
# One-byte frames.
p1="$TMP/part1.raw"
for s in 0 1 99 50000 99999; do
	same "seek-1 -b $s:+3" "tail -c +$((s + 1)) '$p1' | head -c 3" "'$M' slice -b $s:+3 '$TMP/seek-1.zst'"
done
same "seek-1 -l -3:" "tail -n 3 '$p1'" "'$M' slice -l -3: '$TMP/seek-1.zst'"

# Ranges counted from the end of a stream are cut in one pass from the
# last windows kept; --align and a negative end too.
for f in single concat piped; do
	same "$f --align -b -5000:" "tail -c 5001 '$raw' | tail -n +2" "'$M' slice --align -b -5000: '$TMP/$f.zst'"
	same "$f -b -3000:-1000" "tail -c 3000 '$raw' | head -c 2000" "'$M' slice -b -3000:-1000 '$TMP/$f.zst'"
	same "$f -l -7:+2" "tail -n 7 '$raw' | head -n 2" "'$M' slice -l -7:+2 '$TMP/$f.zst'"
	same "$f -l -9999:" "cat '$raw'" "'$M' slice -l -9999: '$TMP/$f.zst'"
done
# More than the one-pass tail keeps (32 MiB): the general path.
seq 1 5000000 >"$TMP/seq"
zstd -q -c "$TMP/seq" >"$TMP/seq.zst"
same "stream tail beyond the keep limit" "tail -n 4900000 '$TMP/seq'" "'$M' slice -l -4900000: '$TMP/seq.zst'"
same "stream tail -b beyond the keep limit" "tail -c 36000000 '$TMP/seq'" "'$M' slice -b -36000000: '$TMP/seq.zst'"
same "stream tail within the keep limit" "tail -n 100000 '$TMP/seq'" "cat '$TMP/seq.zst' | '$M' slice -l -100000:"

# Standard input: a pipe (held compressed in memory), a redirect (mapped).
same "pipe -l -5:" "tail -n 5 '$raw'" "cat '$TMP/single.zst' | '$M' slice -l -5:"
same "pipe seekable -b" "tail -c +5001 '$raw' | head -c 300" "cat '$TMP/seek-4K-j1.zst' | '$M' slice -b 5000:+300 -"
same "pipe concat whole" "cat '$raw'" "cat '$TMP/concat.zst' | '$M' slice"
same "redirect -l 7:+2" "sed -n '7,8p' '$raw'" "'$M' slice -l 7:+2 <'$TMP/seek-1000-j1.zst'"
# Content decides, not the name.
cp "$TMP/single.zst" "$TMP/named.txt"
same "named .txt" "tail -n 3 '$raw'" "'$M' slice -l -3: '$TMP/named.txt'"
same "plain text untouched" "cat '$D/app.log'" "'$M' slice '$D/app.log'"

# --no-decompress: the raw bytes.
same "--no-decompress" "cat '$TMP/single.zst'" "'$M' slice --no-decompress '$TMP/single.zst'"
same "--no-decompress -b" "head -c 4 '$TMP/seek-4K-j1.zst'" "'$M' slice --no-decompress -b :4 '$TMP/seek-4K-j1.zst'"

# mapq compress reads compressed input decompressed (unless told not to).
"$M" compress --frame-size 8K "$TMP/single.zst" >"$TMP/re.zst"
same "recompress" "cat '$raw'" "zstd -q -dc '$TMP/re.zst'"
"$M" compress --no-decompress "$TMP/single.zst" >"$TMP/double.zst"
same "compress --no-decompress" "cat '$TMP/single.zst'" "zstd -q -dc '$TMP/double.zst'"
same "compress stdin" "cat '$raw'" "cat '$raw' | '$M' compress -j 2 --frame-size 10K | zstd -q -dc"

# Empty input: a valid file with no data frames, 17 bytes.
"$M" compress </dev/null >"$TMP/empty.zst"
same "empty size" "echo 17" "wc -c <'$TMP/empty.zst'"
same "empty zstd -d" "true" "zstd -q -dc '$TMP/empty.zst'"
same "empty slice" "true" "'$M' slice '$TMP/empty.zst'"
same "empty slice -l -1:" "true" "'$M' slice -l -1: '$TMP/empty.zst'"
: | zstd -q -c >"$TMP/empty-stream.zst"
same "empty stream" "true" "'$M' slice -l -3: '$TMP/empty-stream.zst'"

# Bad input: exit 2, a message naming the file, no crash.
csize=$(wc -c <"$TMP/single.zst")
head -c $((csize / 2)) "$TMP/single.zst" >"$TMP/truncated.zst"
ALLOW_OUT=1 expect_fail "truncated stream" 2 "^mapq: $TMP/truncated.zst: truncated zstd data" \
	"'$M' slice '$TMP/truncated.zst'"
ssize=$(wc -c <"$TMP/seek-4K-j1.zst")
# Cut inside the seek table: no magic at the end, so a stream that then
# ends in the table's skippable frame cut short.
head -c $((ssize - 30)) "$TMP/seek-4K-j1.zst" >"$TMP/cut-table.zst"
ALLOW_OUT=1 expect_fail "seek table cut" 2 "^mapq: $TMP/cut-table.zst: " "'$M' slice '$TMP/cut-table.zst'"
# Flip bytes of the table: a frame's compressed size, the frame count,
# the descriptor, a checksum.
flip() { # flip FILE OFFSET_FROM_END VALUE OUT
	cp "$1" "$4"
	printf "$3" | dd of="$4" bs=1 seek=$(( $(wc -c <"$1") - $2 )) conv=notrunc status=none
}
nf=$(( (size + 4095) / 4096 ))
flip "$TMP/seek-4K-j1.zst" $((9 + nf * 12 - 3)) '\x7f' "$TMP/bad-size.zst"
expect_fail "table: size past end" 2 "^mapq: $TMP/bad-size.zst: corrupt seek table: .*runs past" \
	"'$M' slice -l -1: '$TMP/bad-size.zst'"
flip "$TMP/seek-4K-j1.zst" 6 '\x7f' "$TMP/bad-count.zst"
expect_fail "table: absurd count" 2 "^mapq: $TMP/bad-count.zst: corrupt seek table: .*more than a file" \
	"'$M' slice '$TMP/bad-count.zst'"
flip "$TMP/seek-4K-j1.zst" 5 '\x84' "$TMP/bad-desc.zst"
expect_fail "table: reserved bits" 2 "^mapq: $TMP/bad-desc.zst: corrupt seek table: .*reserved" \
	"'$M' slice '$TMP/bad-desc.zst'"
flip "$TMP/seek-4K-j1.zst" 16 '\x7f' "$TMP/bad-dsize.zst"
expect_fail "table: frame size lies" 2 "^mapq: $TMP/bad-dsize.zst: frame [0-9]+ .*seek table entry says" \
	"'$M' slice -l -1: '$TMP/bad-dsize.zst'"
flip "$TMP/seek-4K-j1.zst" $((9 + 2)) '\xee\xee' "$TMP/bad-sum.zst"
expect_fail "table: checksum" 2 "^mapq: $TMP/bad-sum.zst: frame [0-9]+ .*checksum" \
	"'$M' slice -b -10: '$TMP/bad-sum.zst'"
# Damaged frame data.
cp "$TMP/seek-4K-j1.zst" "$TMP/bad-data.zst"
printf '\xff\xff\xff\xff' | dd of="$TMP/bad-data.zst" bs=1 seek=200 conv=notrunc status=none
ALLOW_OUT=1 expect_fail "damaged frame" 2 "^mapq: $TMP/bad-data.zst: frame 0 " \
	"'$M' slice '$TMP/bad-data.zst'"
# A file that starts with the magic number but is garbage.
{ printf '\x28\xb5\x2f\xfd'; head -c 2000 "$raw"; } >"$TMP/garbage.zst"
ALLOW_OUT=1 expect_fail "garbage after magic" 2 "^mapq: $TMP/garbage.zst: " "'$M' slice '$TMP/garbage.zst'"
{ skippable; head -c 100 "$raw"; } >"$TMP/skip-garbage.zst"
expect_fail "skippable then garbage" 2 "^mapq: $TMP/skip-garbage.zst: not zstd data" \
	"'$M' slice '$TMP/skip-garbage.zst'"
ALLOW_OUT=1 expect_fail "truncated pipe" 2 "^mapq: \(standard input\): truncated" \
	"cat '$TMP/truncated.zst' | '$M' slice -l -1:"
# Other files are still read after a bad one.
ALLOW_OUT=1 expect_fail "bad among good" 2 "bad-count.zst" \
	"'$M' slice -l 1 '$TMP/single.zst' '$TMP/bad-count.zst' '$TMP/single.zst'"
same "good files still printed" "head -n 1 '$raw'; head -n 1 '$raw'" \
	"'$M' slice -l 1 '$TMP/single.zst' '$TMP/bad-count.zst' '$TMP/single.zst' 2>/dev/null; true"

# mapq compress: usage and output errors.
expect_fail "compress bad size" 2 "^mapq compress: invalid size '1X'" "'$M' compress --frame-size 1X '$raw' >'$TMP/o'"
expect_fail "compress size 0" 2 "^mapq compress: invalid frame size '0'" "'$M' compress --frame-size 0 '$raw' >'$TMP/o'"
expect_fail "compress size too big" 2 "invalid frame size '2G'" "'$M' compress --frame-size 2G '$raw' >'$TMP/o'"
expect_fail "compress bad level" 2 "^mapq compress: invalid level '99'" "'$M' compress -L 99 '$raw' >'$TMP/o'"
expect_fail "compress bad -j" 2 "^mapq compress: invalid thread count '0'" "'$M' compress -j 0 '$raw' >'$TMP/o'"
expect_fail "compress two files" 2 "^mapq compress: one FILE at most" "'$M' compress '$raw' '$raw' >'$TMP/o'"
expect_fail "compress missing" 2 "^mapq: $TMP/nope: No such file" "'$M' compress '$TMP/nope' >'$TMP/o'"
expect_fail "compress directory" 2 "Is a directory" "'$M' compress '$D' >'$TMP/o'"
expect_fail "compress bad input" 2 "^mapq: $TMP/bad-count.zst: corrupt seek table" "'$M' compress '$TMP/bad-count.zst' >'$TMP/o'"
expect_fail "compress full disk" 2 "^mapq: write error: No space left" "'$M' compress '$raw' >/dev/full"
expect_fail "compress missing argument" 2 "^mapq compress: option '--frame-size' requires an argument" "'$M' compress --frame-size"
if command -v script >/dev/null; then
	expect_fail "compress to a terminal" 2 "refusing to write compressed data to a terminal" \
		"script -qec \"'$M' compress '$raw'\" /dev/null 2>&1 | tr -d '\\r' >&2; exit \${PIPESTATUS[0]}"
fi
# A closed pipe ends quietly.
checks=$((checks + 1))
st=$( { "$M" compress --frame-size 1K "$raw" 2>"$TMP/err"; echo $? >"$TMP/st"; } | head -c 10 | wc -c)
[ "$st" = 10 ] && [ "$(cat "$TMP/st")" = 0 ] && [ ! -s "$TMP/err" ] ||
	fail "compress | head: status $(cat "$TMP/st"), stderr $(cat "$TMP/err")"

# A file of several MiB: random access costs a frame, not the file (the
# seek table is used: the truncated middle of the file is never read).
big="$TMP/big.log"
seq -f 'record %08g of a bigger log' 1 400000 >"$big"
"$M" compress --frame-size 64K "$big" >"$TMP/big.zst"
bsize=$(wc -c <"$big")
same "big -b 75%" "tail -c +$((bsize * 3 / 4 + 1)) '$big' | head -c 4096" \
	"'$M' slice -b $((bsize * 3 / 4)):+4096 '$TMP/big.zst'"
same "big -l -3:" "tail -n 3 '$big'" "'$M' slice -l -3: '$TMP/big.zst'"
# Damage frames in the middle: a slice near the end never touches them.
cp "$TMP/big.zst" "$TMP/big-holed.zst"
dd if=/dev/zero of="$TMP/big-holed.zst" bs=1 seek=20000 count=20000 conv=notrunc status=none
same "holed file, slice at the end" "tail -n 3 '$big'" "'$M' slice -l -3: '$TMP/big-holed.zst'"
same "holed file, slice at the start" "head -c 1000 '$big'" "'$M' slice -b :1000 '$TMP/big-holed.zst'"
ALLOW_OUT=1 expect_fail "holed file, whole" 2 "big-holed.zst: frame" "'$M' slice '$TMP/big-holed.zst'"

finish
