#!/usr/bin/env bash
# CLI tests of compressed input and `mapq compress`: files compressed by the
# system zstd tool and by mapq compress must slice exactly as the raw file
# does (references: tail, head, sed on the raw file), and zstd -d must read
# what mapq compress writes.
# Usage: zstd.sh MAPQ TESTDATA_DIR
. "$(dirname "$0")/lib.sh"
M=$1
D=$2

need zstd script

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
# What comes before damage reads as zstd -dc reads it: a range that ends
# before it is no error.
same "truncated stream, lines before the damage" "head -n 3 '$raw'" "'$M' slice -l :3 '$TMP/truncated.zst'"
same "truncated stream, bytes before the damage" "head -c 5000 '$raw'" "cat '$TMP/truncated.zst' | '$M' slice -b :5000"
ssize=$(wc -c <"$TMP/seek-4K-j1.zst")
# Cut inside the seek table: no magic at the end, so a stream that then
# ends in the table's skippable frame cut short.
head -c $((ssize - 30)) "$TMP/seek-4K-j1.zst" >"$TMP/cut-table.zst"
ALLOW_OUT=1 expect_fail "seek table cut" 2 "^mapq: $TMP/cut-table.zst: truncated zstd data" "'$M' slice '$TMP/cut-table.zst'"
# A seek table is used only when it describes the whole file: otherwise
# the file is read as a stream, like zstd -dc reads it.  One bit flipped
# in the table (the frames declare their sizes and carry checksums, as
# mapq compress writes them, so every flip is caught at open) never
# changes what mapq reads; zstd -dc ignores the table's contents.
flipbit() { # flipbit IN OFFSET BIT OUT
	cp "$1" "$4"
	local v
	v=$(od -An -tu1 -j "$2" -N1 "$1" | tr -d ' ')
	printf "\\$(printf '%03o' $((v ^ (1 << $3))))" |
		dd of="$4" bs=1 seek="$2" conv=notrunc status=none
}
sk="$TMP/seek-4K-j1.zst"
ssize=$(wc -c <"$sk")
nf=$(( (size + 4095) / 4096 ))
entry() { echo $((ssize - 9 - (nf - $1) * 12)); } # offset of entry $1
flips=(
	"entry0-csize $(entry 0) 0" "entry0-csize-hi $(entry 0) 7"
	"entry1-dsize $(( $(entry 1) + 4 )) 0" "entry1-dsize-hi $(( $(entry 1) + 5 )) 4"
	"entry1-checksum $(( $(entry 1) + 8 )) 3"
	"mid-csize $(entry $((nf / 2))) 2" "mid-dsize $(( $(entry $((nf / 2))) + 6 )) 1"
	"mid-checksum $(( $(entry $((nf / 2))) + 11 )) 7"
	"last-csize $(entry $((nf - 1))) 1" "last-dsize $(( $(entry $((nf - 1))) + 4 )) 5"
	"last-checksum $(( $(entry $((nf - 1))) + 9 )) 0"
	"count $((ssize - 9)) 0" "count-hi $((ssize - 7)) 6"
	"descriptor-checksums $((ssize - 5)) 7" "descriptor-reserved $((ssize - 5)) 2"
	"descriptor-free $((ssize - 5)) 0" "seekable-magic $((ssize - 4)) 3"
	"skippable-magic $((ssize - 9 - nf * 12 - 8)) 1"
)
for spec in "${flips[@]}"; do
	set -- $spec
	f="$TMP/flip-$1.zst"
	flipbit "$sk" "$2" "$3" "$f"
	same "table flip $1: zstd -dc" "cat '$raw'" "zstd -q -dc '$f'"
	same "table flip $1: whole" "cat '$raw'" "'$M' slice '$f'"
	same "table flip $1: -l -2:" "zstd -q -dc '$f' | tail -n 2" "'$M' slice -l -2: '$f'"
	same "table flip $1: -b" "tail -c +12346 '$raw' | head -c 5000" "'$M' slice -b 12345:+5000 '$f'"
done
same "table flip: stats" "'$M' stats '$raw' | grep -v '^path:'" \
	"'$M' stats '$TMP/flip-mid-dsize.zst' | grep -v '^path:'"
same "table flip: piped" "tail -n 7 '$raw'" "cat '$TMP/flip-count.zst' | '$M' slice -l -7:"
# A flip in the table frame's own size field breaks it for zstd -dc too.
flipbit "$sk" $((ssize - 9 - nf * 12 - 4)) 4 "$TMP/flip-skipsize.zst"
checks=$((checks + 1))
zstd -q -dc "$TMP/flip-skipsize.zst" >/dev/null 2>&1 && fail "zstd -dc reads a broken skippable frame"
ALLOW_OUT=1 expect_fail "table flip: skippable size" 2 "^mapq: $TMP/flip-skipsize.zst: " \
	"'$M' slice '$TMP/flip-skipsize.zst'"
# Damaged frame data: the seek table still describes the file (the
# frames' headers and checksums are intact), and reading the frame fails.
cp "$TMP/seek-4K-j1.zst" "$TMP/bad-data.zst"
printf '\xff\xff\xff\xff' | dd of="$TMP/bad-data.zst" bs=1 seek=200 conv=notrunc status=none
ALLOW_OUT=1 expect_fail "damaged frame" 2 "^mapq: $TMP/bad-data.zst: frame 0 " \
	"'$M' slice '$TMP/bad-data.zst'"
le32() { od -An -tu1 -j "$2" -N4 "$1" | awk '{ print $1 + $2 * 256 + $3 * 65536 + $4 * 16777216 }'; }
f3=$(( $(le32 "$sk" "$(entry 0)") + $(le32 "$sk" "$(entry 1)") + $(le32 "$sk" "$(entry 2)") ))
c3=$(le32 "$sk" "$(entry 3)")
flipbit "$sk" $((f3 + c3 / 2)) 6 "$TMP/bad-bit.zst"
for cmd in "slice" "slice -b $((3 * 4096 + 10)):+10" "slice -l 200:" "stats"; do
	ALLOW_OUT=1 expect_fail "one data bit flipped: $cmd" 2 "^mapq: $TMP/bad-bit.zst: frame 3 " \
		"'$M' $cmd '$TMP/bad-bit.zst'"
done
same "one data bit flipped: other frames" "tail -n 2 '$raw'" "'$M' slice -l -2: '$TMP/bad-bit.zst' 2>/dev/null; true"
# A file that starts with the magic number but is garbage.
{ printf '\x28\xb5\x2f\xfd'; head -c 2000 "$raw"; } >"$TMP/garbage.zst"
ALLOW_OUT=1 expect_fail "garbage after magic" 2 "^mapq: $TMP/garbage.zst: " "'$M' slice '$TMP/garbage.zst'"
{ skippable; head -c 100 "$raw"; } >"$TMP/skip-garbage.zst"
expect_fail "skippable then garbage" 2 "^mapq: $TMP/skip-garbage.zst: not zstd data" \
	"'$M' slice '$TMP/skip-garbage.zst'"
ALLOW_OUT=1 expect_fail "truncated pipe" 2 "^mapq: \(standard input\): truncated" \
	"cat '$TMP/truncated.zst' | '$M' slice -l -1:"
# Other files are still read after a bad one.
ALLOW_OUT=1 expect_fail "bad among good" 2 "skip-garbage.zst: not zstd data" \
	"'$M' slice -l 1 '$TMP/single.zst' '$TMP/skip-garbage.zst' '$TMP/single.zst'"
same "good files still printed" "head -n 1 '$raw'; head -n 1 '$raw'" \
	"'$M' slice -l 1 '$TMP/single.zst' '$TMP/skip-garbage.zst' '$TMP/single.zst' 2>/dev/null; true"

# Files put one after the other: every frame of every part, skippable
# frames (seek tables included) skipped, as zstd -dc reads them.  No seek
# table describes the whole, so the result is read as a stream.
tail -c +100001 "$raw" >"$TMP/part2.raw"
"$M" compress --frame-size 8K "$TMP/part1.raw" >"$TMP/seekpart1.zst"
"$M" compress --frame-size 16K "$TMP/part2.raw" >"$TMP/seekpart2.zst"
"$M" compress </dev/null >"$TMP/seekempty.zst"
cat "$TMP/part2.raw" | zstd -q -c >"$TMP/pipedpart2.zst"
cat "$TMP/seekpart1.zst" "$TMP/seekpart2.zst" >"$TMP/cat-seek-seek.zst"
cat "$TMP/part1.zst" "$TMP/seekpart2.zst" >"$TMP/cat-stream-seek.zst"
cat "$TMP/seekpart1.zst" "$TMP/part2.zst" >"$TMP/cat-seek-stream.zst"
cat "$TMP/seekpart1.zst" "$TMP/pipedpart2.zst" >"$TMP/cat-seek-piped.zst"
cat "$TMP/seekempty.zst" "$TMP/seekpart1.zst" "$TMP/seekempty.zst" "$TMP/seekpart2.zst" >"$TMP/cat-empty-seek.zst"
{ skippable; cat "$TMP/seekpart1.zst"; skippable; skippable; cat "$TMP/seekpart2.zst"; skippable; } >"$TMP/cat-skippable.zst"
has_grep=0
"$M" grep -c x "$raw" >/dev/null 2>&1 && has_grep=1
for c in cat-seek-seek cat-stream-seek cat-seek-stream cat-seek-piped cat-empty-seek cat-skippable concat skippable; do
	f="$TMP/$c.zst"
	checks=$((checks + 1))
	zstd -q -dc "$f" | cmp -s - "$raw" || fail "$c: zstd -dc does not give the input back"
	same "$c whole" "zstd -q -dc '$f'" "'$M' slice '$f'"
	same "$c -l -2:" "zstd -q -dc '$f' | tail -n 2" "'$M' slice -l -2: '$f'"
	same "$c -l -2: piped" "zstd -q -dc '$f' | tail -n 2" "cat '$f' | '$M' slice -l -2:"
	same "$c -l 1500:+3" "zstd -q -dc '$f' | sed -n '1500,1502p'" "'$M' slice -l 1500:+3 '$f'"
	same "$c -b across parts" "tail -c +99001 '$raw' | head -c 2000" "'$M' slice -b 99000:+2000 '$f'"
	same "$c -b -4K:" "zstd -q -dc '$f' | tail -c 4096" "'$M' slice -b -4K: '$f'"
	same "$c stats" "'$M' stats '$raw' | grep -v '^path:'" "'$M' stats '$f' | grep -v '^path:'"
	if [ "$has_grep" = 1 ]; then
		same "$c grep -c" "zstd -q -dc '$f' | grep -c 0042" "'$M' grep -c 0042 '$f'"
		same "$c grep -c abc" "zstd -q -dc '$f' | grep -c abc" "'$M' grep -c abc '$f'"
	fi
done
slices "$TMP/cat-seek-seek.zst" 8192
# Damage in a concatenation is still an error, as it is for zstd -dc: a
# flipped data bit in the second part's frames, the file cut in its
# second seek table.
p1=$(wc -c <"$TMP/seekpart1.zst")
flipbit "$TMP/cat-seek-seek.zst" $((p1 + 3000)) 5 "$TMP/cat-flipped.zst"
checks=$((checks + 1))
zstd -q -dc "$TMP/cat-flipped.zst" >/dev/null 2>&1 && fail "zstd -dc reads the damaged concatenation"
ALLOW_OUT=1 expect_fail "concatenation: flipped data" 2 "^mapq: $TMP/cat-flipped.zst: " \
	"'$M' slice -l -2: '$TMP/cat-flipped.zst'"
ALLOW_OUT=1 expect_fail "concatenation: flipped data, stats" 2 "^mapq: $TMP/cat-flipped.zst: " \
	"'$M' stats '$TMP/cat-flipped.zst'"
if [ "$has_grep" = 1 ]; then
	ALLOW_OUT=1 expect_fail "concatenation: flipped data, grep -c" 2 "^mapq: $TMP/cat-flipped.zst: " \
		"'$M' grep -c 0042 '$TMP/cat-flipped.zst'"
fi
head -c $(( $(wc -c <"$TMP/cat-seek-seek.zst") - 20 )) "$TMP/cat-seek-seek.zst" >"$TMP/cat-cut.zst"
ALLOW_OUT=1 expect_fail "concatenation: cut table" 2 "^mapq: $TMP/cat-cut.zst: truncated zstd data" \
	"'$M' slice -l -2: '$TMP/cat-cut.zst'"

# mapq compress: usage and output errors.
expect_fail "compress bad size" 2 "^mapq compress: invalid size '1X'" "'$M' compress --frame-size 1X '$raw' >'$TMP/o'"
expect_fail "compress size 0" 2 "^mapq compress: invalid frame size '0'" "'$M' compress --frame-size 0 '$raw' >'$TMP/o'"
expect_fail "compress size too big" 2 "invalid frame size '2G'" "'$M' compress --frame-size 2G '$raw' >'$TMP/o'"
expect_fail "compress bad level" 2 "^mapq compress: invalid level '99'" "'$M' compress -L 99 '$raw' >'$TMP/o'"
expect_fail "compress bad -j" 2 "^mapq compress: invalid thread count '257'" "'$M' compress -j 257 '$raw' >'$TMP/o'"
expect_fail "compress two files" 2 "^mapq compress: one FILE at most" "'$M' compress '$raw' '$raw' >'$TMP/o'"
expect_fail "compress missing" 2 "^mapq: $TMP/nope: No such file" "'$M' compress '$TMP/nope' >'$TMP/o'"
expect_fail "compress directory" 2 "Is a directory" "'$M' compress '$D' >'$TMP/o'"
expect_fail "compress bad input" 2 "^mapq: $TMP/truncated.zst: truncated zstd data" "'$M' compress '$TMP/truncated.zst' >'$TMP/o'"
expect_fail "compress full disk" 2 "^mapq: write error: No space left" "'$M' compress '$raw' >/dev/full"
expect_fail "compress missing argument" 2 "^mapq compress: option '--frame-size' requires an argument" "'$M' compress --frame-size"
expect_fail "compress to a terminal" 2 "refusing to write compressed data to a terminal" \
	"script -qec \"'$M' compress '$raw'\" /dev/null 2>&1 | tr -d '\\r' >&2; exit \${PIPESTATUS[0]}"
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
# Damage in the middle of one frame (its header and checksum intact, so
# the seek table still describes the file): a slice elsewhere never
# touches it.
le32() { od -An -tu1 -j "$2" -N4 "$1" | awk '{ print $1 + $2 * 256 + $3 * 65536 + $4 * 16777216 }'; }
bz="$TMP/big.zst"
bzsize=$(wc -c <"$bz")
bnf=$(( (bsize + 65535) / 65536 ))
bentry() { echo $((bzsize - 9 - (bnf - $1) * 12)); }
bf2=$(( $(le32 "$bz" "$(bentry 0)") + $(le32 "$bz" "$(bentry 1)") ))
bc2=$(le32 "$bz" "$(bentry 2)")
cp "$bz" "$TMP/big-holed.zst"
dd if=/dev/zero of="$TMP/big-holed.zst" bs=1 seek=$((bf2 + bc2 / 4)) count=$((bc2 / 2)) conv=notrunc status=none
same "holed file, slice at the end" "tail -n 3 '$big'" "'$M' slice -l -3: '$TMP/big-holed.zst'"
same "holed file, slice at the start" "head -c 1000 '$big'" "'$M' slice -b :1000 '$TMP/big-holed.zst'"
ALLOW_OUT=1 expect_fail "holed file, whole" 2 "big-holed.zst: frame 2 " "'$M' slice '$TMP/big-holed.zst'"
# A hole over frame headers: the table no longer describes the file, which
# is read as a stream, as zstd -dc reads it: up to the hole.
cp "$bz" "$TMP/big-holed2.zst"
dd if=/dev/zero of="$TMP/big-holed2.zst" bs=1 seek=$((bf2 - 100)) count=200 conv=notrunc status=none
same "headers holed, slice at the start" "head -c 1000 '$big'" "'$M' slice -b :1000 '$TMP/big-holed2.zst'"
ALLOW_OUT=1 expect_fail "headers holed, slice at the end" 2 "big-holed2.zst: " "'$M' slice -l -3: '$TMP/big-holed2.zst'"
checks=$((checks + 1))
zstd -q -dc "$TMP/big-holed2.zst" >/dev/null 2>&1 && fail "zstd -dc reads the holed file"

finish
