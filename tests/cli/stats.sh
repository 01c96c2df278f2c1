#!/usr/bin/env bash
# CLI tests of `mapq stats`: every figure is computed again with other
# tools (wc, od, awk, grep, tail; perl for UTF-8, Python for -H and --top) or
# worked out by hand, and compared with mapq's output.
# Usage: stats.sh MAPQ TESTDATA_DIR
. "$(dirname "$0")/lib.sh"
M=$1
need perl jq zstd /usr/bin/python3
D=$2

have_perl=1 # needed above

# Byte histogram of a file as "COUNT VALUE" lines, by od.
od_counts() {
	od -An -v -tu1 "$1" | tr -s ' ' '\n' | grep -v '^$' | sort -n | uniq -c
}

# The histogram as a JSON array of 256 counts.
od_histogram() {
	od_counts "$1" | awk '{ c[$2] = $1 }
		END { for (i = 0; i < 256; i++) printf "%s%d", (i ? "," : ""), c[i] }'
}

# Entropy in bits per byte from od's counts, with awk.
awk_entropy() {
	local n
	n=$(wc -c <"$1")
	od_counts "$1" | awk -v n="$n" '{ p = $1 / n; h -= p * log(p) / log(2) }
		END { printf "%.12f\n", (n > 0 ? h : 0) }'
}

# Maximal invalid UTF-8 subparts, by perl: a regex that takes, at each
# position, a well-formed sequence (Unicode table 3-7), else the longest
# prefix of one (one error), else a single byte (one error).
perl_utf8_invalid() {
	perl -e '
		local $/; open(my $fh, "<:raw", $ARGV[0]) or die; my $s = <$fh>;
		my $n = 0;
		while ($s =~ /\G(?:
			([\x00-\x7F] | [\xC2-\xDF][\x80-\xBF] | \xE0[\xA0-\xBF][\x80-\xBF]
			 | [\xE1-\xEC\xEE\xEF][\x80-\xBF]{2} | \xED[\x80-\x9F][\x80-\xBF]
			 | \xF0[\x90-\xBF][\x80-\xBF]{2} | [\xF1-\xF3][\x80-\xBF]{3}
			 | \xF4[\x80-\x8F][\x80-\xBF]{2})
			| \xE0[\xA0-\xBF]? | [\xE1-\xEC\xEE\xEF][\x80-\xBF]? | \xED[\x80-\x9F]?
			| \xF0(?:[\x90-\xBF][\x80-\xBF]?)? | [\xF1-\xF3](?:[\x80-\xBF][\x80-\xBF]?)?
			| \xF4(?:[\x80-\x8F][\x80-\xBF]?)? | [\x00-\xFF])/gsx) {
			$n++ unless defined $1;
		}
		print "$n\n";' "$1"
}

# The text block mapq should print for FILE (shown as NAME), entropy and
# utf8_invalid left out: those are checked on their own.
expect_block() {
	local f=$1 name=$2 bytes nl lines longest empty
	bytes=$(wc -c <"$f")
	nl=$(wc -l <"$f")
	lines=$nl
	if [ "$bytes" -gt 0 ] && [ "$(tail -c 1 "$f" | od -An -tu1 | tr -d ' ')" != 10 ]; then
		lines=$((nl + 1))
	fi
	longest=$(awk '{ if (NR == 1 || length($0) > m) { m = length($0); n = NR } }
		END { printf "%d (line %d)", m, n }' "$f")
	empty=$(grep -a -c '^$' "$f")
	printf 'path: %s\nbytes: %d\nlines: %d\nnewlines: %d\nlongest_line: %s\n' \
		"$name" "$bytes" "$lines" "$nl" "$longest"
	printf 'empty_lines: %d\nnul_bytes: %d\ncr_bytes: %d\n' "$empty" \
		"$(tr -cd '\000' <"$f" | wc -c)" "$(tr -cd '\r' <"$f" | wc -c)"
}

# Check one file: the text figures, the entropy, utf8_invalid (against
# perl, or against WANT_UTF8 when given), and the JSON object.
check_file() {
	local f=$1 name=$2 b
	b=$(basename "$f")
	checks=$((checks + 1))
	if ! "$M" stats "$f" >"$TMP/out" 2>"$TMP/err"; then
		fail "$b: exit status $? ($(cat "$TMP/err"))"
		return
	fi
	expect_block "$f" "$name" >"$TMP/want"
	grep -v -e '^entropy: ' -e '^utf8_invalid: ' "$TMP/out" >"$TMP/got"
	cmp -s "$TMP/want" "$TMP/got" || fail "$b: figures differ: $(diff "$TMP/want" "$TMP/got" | tr '\n' ' ')"
	[ -s "$TMP/err" ] && fail "$b: stderr: $(cat "$TMP/err")"
	# Keys in the order of mapq-stats(1).
	[ "$(cut -d: -f1 "$TMP/out" | tr '\n' ' ')" = "path bytes lines newlines longest_line empty_lines nul_bytes cr_bytes utf8_invalid entropy " ] ||
		fail "$b: keys or their order: $(cut -d: -f1 "$TMP/out" | tr '\n' ' ')"

	local want_e got_e
	want_e=$(awk_entropy "$f")
	got_e=$(sed -n 's/^entropy: //p' "$TMP/out")
	awk -v a="$want_e" -v b="$got_e" 'BEGIN { d = a - b; exit !(d < 6e-7 && d > -6e-7) }' ||
		fail "$b: entropy $got_e, awk says $want_e"
	[[ $got_e =~ ^[0-9]\.[0-9]{6}$ ]] || fail "$b: entropy not printed with 6 decimals: $got_e"

	local want_u got_u
	got_u=$(sed -n 's/^utf8_invalid: //p' "$TMP/out")
	if [ -n "${WANT_UTF8:-}" ]; then
		want_u=$WANT_UTF8
	elif [ "$have_perl" = 1 ]; then
		want_u=$(perl_utf8_invalid "$f")
	else
		want_u=$got_u
	fi
	[ "$got_u" = "$want_u" ] || fail "$b: utf8_invalid $got_u, want $want_u"

	# JSON: exactly the keys of mapq-stats(1), in order, with the same figures, and
	# od's histogram; the entropy as a JSON number that reads back as the
	# text's value.
	checks=$((checks + 1))
	"$M" stats --json "$f" >"$TMP/json" 2>"$TMP/err" || fail "$b --json: exit status $?"
	local e ll
	e=$(sed -n 's/.*"entropy":\([^,]*\),.*/\1/p' "$TMP/json")
	[[ $e =~ ^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$ ]] || fail "$b --json: entropy '$e' is not a JSON number"
	awk -v a="$e" -v b="$got_e" 'BEGIN { d = a - b; exit !(d < 5.1e-7 && d > -5.1e-7) }' ||
		fail "$b --json: entropy $e against text $got_e"
	ll=$(sed -n 's/^longest_line: \([0-9]*\) (line \([0-9]*\))$/{"length":\1,"line":\2}/p' "$TMP/out")
	printf '{"path":"%s","bytes":%d,"lines":%d,"newlines":%d,"longest_line":%s,"empty_lines":%d,"nul_bytes":%d,"cr_bytes":%d,"utf8_invalid":%d,"entropy":%s,"histogram":[%s]}\n' \
		"$name" "$(sed -n 's/^bytes: //p' "$TMP/want")" \
		"$(sed -n 's/^lines: //p' "$TMP/want")" "$(sed -n 's/^newlines: //p' "$TMP/want")" \
		"$ll" "$(sed -n 's/^empty_lines: //p' "$TMP/want")" \
		"$(sed -n 's/^nul_bytes: //p' "$TMP/want")" "$(sed -n 's/^cr_bytes: //p' "$TMP/want")" \
		"$want_u" "$e" "$(od_histogram "$f")" >"$TMP/jwant"
	cmp -s "$TMP/jwant" "$TMP/json" || fail "$b --json differs: $(head -c 300 "$TMP/json")"
	jq -e . "$TMP/json" >/dev/null 2>&1 || fail "$b --json: jq cannot parse it"

	# --histogram: one row per byte value that occurs, with od's count.
	checks=$((checks + 1))
	LC_ALL=C "$M" stats --histogram "$f" >"$TMP/chart" || fail "$b --histogram: exit status $?"
	od_counts "$f" | awk '{ printf "0x%02x %d\n", $2, $1 }' >"$TMP/cwant"
	sed -n '/^histogram:$/,$p' "$TMP/chart" | tail -n +2 |
		awk '{ print $1, ($2 ~ /^[0-9]+$/ && $3 ~ /%$/) ? $2 : $3 }' >"$TMP/cgot"
	cmp -s "$TMP/cwant" "$TMP/cgot" || fail "$b --histogram rows differ from od"
	awk 'length($0) > 80 { bad = 1 } END { exit bad }' "$TMP/chart" || fail "$b --histogram: a line wider than 80 columns"
	LC_ALL=C grep -q '[^ -~]' "$TMP/chart" && fail "$b --histogram: non-ASCII output in the C locale"
}

for f in "$D"/*; do
	check_file "$f" "$f"
done

# Crafted UTF-8, counted by hand (Unicode's maximal subparts):
#   Unicode 15 table 3-8: 61 | F1 80 80 | E1 80 | C2 | 62 | 80 | 63 | 80 | BF | 64  -> 6
#   overlong C0 AF -> 2; E0 80 AF -> 3; surrogate ED A0 80 -> 3;
#   F4 90 80 80 (above U+10FFFF) -> 4; valid E2 82 AC, F0 9F 98 80 -> 0;
#   stray BF -> 1; truncated E2 82 at the very end -> 1.          Total 20.
printf '\x61\xF1\x80\x80\xE1\x80\xC2\x62\x80\x63\x80\xBF\x64\n' >"$TMP/utf8.txt"
printf '\xC0\xAF\n\xE0\x80\xAF\n\xED\xA0\x80\n\xF4\x90\x80\x80\n' >>"$TMP/utf8.txt"
printf '\xE2\x82\xAC \xF0\x9F\x98\x80 \xBF\n\xE2\x82' >>"$TMP/utf8.txt"
WANT_UTF8=20 check_file "$TMP/utf8.txt" "$TMP/utf8.txt"
[ "$have_perl" = 1 ] && [ "$(perl_utf8_invalid "$TMP/utf8.txt")" != 20 ] && fail "perl's count of the crafted file is not 20"

# CRLF, NUL, empty lines, a final line without a newline.
printf 'a\r\n\r\n\n\nb\0c\r\n\0\0\0\0\0\0\0\0\n\r' >"$TMP/shapes.txt"
check_file "$TMP/shapes.txt" "$TMP/shapes.txt"

# Empty data: every figure 0, entropy 0.
same "empty file" "printf 'path: %s\nbytes: 0\nlines: 0\nnewlines: 0\nlongest_line: 0 (line 0)\nempty_lines: 0\nnul_bytes: 0\ncr_bytes: 0\nutf8_invalid: 0\nentropy: 0.000000\n' '$D/empty.txt'" \
	"'$M' stats '$D/empty.txt'"
same "empty stdin json" "printf '{\"path\":\"-\",\"bytes\":0,\"lines\":0,\"newlines\":0,\"longest_line\":{\"length\":0,\"line\":0},\"empty_lines\":0,\"nul_bytes\":0,\"cr_bytes\":0,\"utf8_invalid\":0,\"entropy\":0,\"histogram\":[%s]}\n' \"\$(printf '0,%.0s' \$(seq 255))0\"" \
	"printf '' | '$M' stats --json"

# Standard input: a pipe, '-', a redirected file: the same figures, path "-".
for f in "$D/app.log" "$D/mixed-bytes.txt" "$D/no-newline.txt"; do
	b=$(basename "$f")
	same "$b pipe" "'$M' stats '$f' | sed '1s|.*|path: -|'" "cat '$f' | '$M' stats"
	same "$b pipe -" "'$M' stats --json '$f' | sed 's|^{\"path\":\"[^\"]*\"|{\"path\":\"-\"|'" "cat '$f' | '$M' stats --json -"
	same "$b redirect" "'$M' stats '$f' | sed '1s|.*|path: -|'" "'$M' stats - <'$f'"
done

# Ranges: the figures of exactly the selected bytes or lines, with line
# numbers of the whole file.
f=$D/app.log
nlines=$(wc -l <"$f")
range_case() { # NAME MAPQ_RANGE EXTRACT_CMD FIRST_LINE_NUMBER
	local name=$1 range=$2 extract=$3 first=$4
	checks=$((checks + 1))
	bash -c "$extract" >"$TMP/part"
	"$M" stats $range "$f" >"$TMP/rout" 2>"$TMP/err" || { fail "$name: exit status $?"; return; }
	expect_block "$TMP/part" "$f" |
		awk -v first="$first" '/^longest_line: / { sub(/\(line /, ""); sub(/\)/, "");
			if ($3 > 0) $3 += first - 1; printf "longest_line: %s (line %s)\n", $2, $3; next } { print }' >"$TMP/want"
	grep -v -e '^entropy: ' -e '^utf8_invalid: ' "$TMP/rout" >"$TMP/got"
	cmp -s "$TMP/want" "$TMP/got" || fail "$name: $(diff "$TMP/want" "$TMP/got" | tr '\n' ' ')"
	"$M" stats --json "$TMP/part" | sed 's/^{"path":"[^"]*",//; s/"longest_line":{[^}]*},//' >"$TMP/a"
	"$M" stats --json $range "$f" | sed 's/^{"path":"[^"]*",//; s/"longest_line":{[^}]*},//' >"$TMP/b"
	cmp -s "$TMP/a" "$TMP/b" || fail "$name: JSON figures differ from those of the extracted bytes"
}
range_case "-l 3:40" "-l 3:40" "sed -n '3,40p' '$f'" 3
range_case "-l 100:+7" "-l 100:+7" "sed -n '100,106p' '$f'" 100
range_case "-l -10:" "-l -10:" "tail -n 10 '$f'" $((nlines - 9))
range_case "-l :5" "-l :5" "head -n 5 '$f'" 1
range_case "--lines=-50:-20" "--lines=-50:-20" "tail -n 50 '$f' | head -n 31" $((nlines - 49))
range_case "-b 1000:+5000" "-b 1000:+5000" "tail -c +1001 '$f' | head -c 5000" $(($(head -c 1000 "$f" | wc -l) + 1))
range_case "-b -4K:" "-b -4K:" "tail -c 4096 '$f'" $(($(head -c -4096 "$f" | wc -l) + 1))
range_case "--bytes=:333" "--bytes=:333" "head -c 333 '$f'" 1
range_case "-l past the end" "-l 100000:" "true" 0
range_case "-b START after END" "-b 50:10" "true" 0

# Several files: each block, a blank line between, then the total; JSON:
# one object each, then "path": null with the sums.
checks=$((checks + 1))
"$M" stats "$D/crlf.txt" "$D/empty.txt" "$D/app.log" >"$TMP/multi" || fail "several files: exit status $?"
{ "$M" stats "$D/crlf.txt"; echo; "$M" stats "$D/empty.txt"; echo; "$M" stats "$D/app.log"; echo; } >"$TMP/each"
head -n "$(wc -l <"$TMP/each")" "$TMP/multi" | cmp -s - "$TMP/each" || fail "several files: the blocks are not each file's"
tail -n 10 "$TMP/multi" | grep -v -e '^entropy: ' -e '^utf8_invalid: ' >"$TMP/got"
cat "$D/crlf.txt" "$D/app.log" >"$TMP/cat"
# crlf.txt ends with a newline, so the lines of the concatenation are
# numbered as the total numbers them.
expect_block "$TMP/cat" total >"$TMP/want"
cmp -s "$TMP/want" "$TMP/got" || fail "several files: total $(diff "$TMP/want" "$TMP/got" | tr '\n' ' ')"
[ "$(tail -n 11 "$TMP/multi" | head -n 1)" = "" ] || fail "several files: no blank line before the total"
checks=$((checks + 1))
"$M" stats --json "$D/crlf.txt" "$D/no-newline.txt" "$D/app.log" >"$TMP/mj"
[ "$(wc -l <"$TMP/mj")" -eq 4 ] || fail "several files --json: $(wc -l <"$TMP/mj") lines, want 4"
tail -n 1 "$TMP/mj" | grep -q '^{"path":null,"bytes":'"$(cat "$D/crlf.txt" "$D/no-newline.txt" "$D/app.log" | wc -c)"',"lines":'"$(($(cat "$D/crlf.txt" "$D/no-newline.txt" "$D/app.log" | wc -l) + 1))"',' ||
	fail "several files --json: totals $(tail -n 1 "$TMP/mj" | head -c 100)"
jq -e -s 'length == 4 and .[3].path == null and .[3].histogram == ([.[0:3][].histogram] | transpose | map(add))' \
	"$TMP/mj" >/dev/null || fail "several files --json: jq check of the totals"
# With a range, the total numbers the lines of the selections in order.
checks=$((checks + 1))
"$M" stats -l 2:4 "$D/crlf.txt" "$D/app.log" | tail -n 10 | grep -v -e '^entropy: ' -e '^utf8_invalid: ' >"$TMP/got"
{ sed -n '2,4p' "$D/crlf.txt"; sed -n '2,4p' "$D/app.log"; } >"$TMP/sel"
expect_block "$TMP/sel" total >"$TMP/want"
cmp -s "$TMP/want" "$TMP/got" || fail "total of ranges: $(diff "$TMP/want" "$TMP/got" | tr '\n' ' ')"
# A file in the middle that fails: reported, the others still measured.
ALLOW_OUT=1 expect_fail "bad file among good" 2 "^mapq: $TMP/nope: No such file or directory" \
	"'$M' stats --json '$D/crlf.txt' '$TMP/nope' '$D/app.log'"
checks=$((checks + 1))
[ "$(grep -c '"path"' "$TMP/out")" -eq 3 ] || fail "bad file among good: $(grep -c '"path"' "$TMP/out") objects, want 3"

# Threads: -j N gives what -j 1 gives, byte for byte, on a file large
# enough to be cut into pieces; lines, UTF-8 and CRLF straddle the cuts.
big=$TMP/big
{
	seq -f 'line %g: caf\303\251 \342\202\254 and some more words to make it long' 1 400000
	head -c 3M /dev/urandom
	seq 1 300000 | sed 's/5/\r/; s/77/\xE2\x82/'
	head -c 1M /dev/zero
} >"$big"
"$M" stats --json -j 1 "$big" >"$TMP/j1" || fail "-j 1 on a big file: exit status $?"
for j in 2 3 4 0 7; do
	same "big file -j $j" "cat '$TMP/j1'" "'$M' stats --json -j $j '$big'"
done
same "big file default threads" "cat '$TMP/j1'" "'$M' stats --json '$big'"
same "big file --threads=2" "cat '$TMP/j1'" "'$M' stats --json --threads=2 '$big'"
same "big file pipe" "sed 's|^{\"path\":\"[^\"]*\"|{\"path\":\"-\"|' '$TMP/j1'" "cat '$big' | '$M' stats --json -j 2"
same "big file -b range -j 2" "'$M' stats --json -j 1 -b 1M:-1M '$big'" "'$M' stats --json -j 2 -b 1M:-1M '$big'"
checks=$((checks + 1))
"$M" stats -j 2 "$big" >"$TMP/bt"
[ "$(sed -n 's/^bytes: //p' "$TMP/bt")" = "$(wc -c <"$big")" ] || fail "big file: bytes"
[ "$(sed -n 's/^newlines: //p' "$TMP/bt")" = "$(wc -l <"$big")" ] || fail "big file: newlines"
[ "$(sed -n 's/^nul_bytes: //p' "$TMP/bt")" = "$(tr -cd '\000' <"$big" | wc -c)" ] || fail "big file: nul_bytes"
[ "$(sed -n 's/^cr_bytes: //p' "$TMP/bt")" = "$(tr -cd '\r' <"$big" | wc -c)" ] || fail "big file: cr_bytes"
[ "$(sed -n 's/^empty_lines: //p' "$TMP/bt")" = "$(grep -a -c '^$' "$big")" ] || fail "big file: empty_lines"
[ "$(sed -n 's/^longest_line: //p' "$TMP/bt")" = "$(awk '{ if (NR == 1 || length($0) > m) { m = length($0); n = NR } }
	END { printf "%d (line %d)", m, n }' "$big")" ] || fail "big file: longest_line"
if [ "$have_perl" = 1 ]; then
	[ "$(sed -n 's/^utf8_invalid: //p' "$TMP/bt")" = "$(perl_utf8_invalid "$big")" ] || fail "big file: utf8_invalid"
fi

# A sparse file over 4 GiB: 4 GiB of NUL, then text ending in a
# truncated UTF-8 sequence.  By hand: lines 3 (the NULs and '\n' are
# line 1), longest 4294967296 (line 1), one CR, one invalid sequence.
sparse=$TMP/sparse
truncate -s 4G "$sparse"
printf '\nend of it\r\n\xE2\x82' >>"$sparse"
checks=$((checks + 1))
"$M" stats -j 2 "$sparse" >"$TMP/sp" 2>"$TMP/err" || fail "4 GiB sparse: exit status $? $(cat "$TMP/err")"
printf 'path: %s\nbytes: %d\nlines: 3\nnewlines: 2\nlongest_line: 4294967296 (line 1)\nempty_lines: 0\nnul_bytes: 4294967296\ncr_bytes: 1\nutf8_invalid: 1\n' \
	"$sparse" "$(wc -c <"$sparse")" >"$TMP/want"
grep -v '^entropy: ' "$TMP/sp" >"$TMP/got"
cmp -s "$TMP/want" "$TMP/got" || fail "4 GiB sparse: $(diff "$TMP/want" "$TMP/got" | tr '\n' ' ')"
# Counts: 4294967296 NUL, 2 '\n', 2 ' ', and e n d o f i t \r E2 82 once.
want_e=$(printf '4294967296\n2\n2\n1\n1\n1\n1\n1\n1\n1\n1\n1\n1\n' | awk '{ c[NR] = $1; n += $1 }
	END { for (i in c) { p = c[i] / n; h -= p * log(p) / log(2) } printf "%.6f", h }')
[ "$(sed -n 's/^entropy: //p' "$TMP/sp")" = "$want_e" ] || fail "4 GiB sparse: entropy $(sed -n 's/^entropy: //p' "$TMP/sp"), want $want_e"
rm -f "$sparse"

# Compressed input is measured after decompression: every figure, every
# range and every line number is what the decompressed file gives (whose
# figures are checked against wc, od and awk above).  Written by mapq
# compress (the seekable format, frames of every size), by the zstd tool,
# and as zstd frames concatenated with a skippable frame between them.
have_zstd=1 # needed above

# zsame NAME PLAIN COMPRESSED ARGS...: `mapq stats ARGS COMPRESSED` prints
# what `mapq stats ARGS PLAIN` prints, but for the path.
zsame() {
	local name=$1 plain=$2 z=$3
	shift 3
	same "$name" "'$M' stats $* '$plain' | sed 's|$plain|$z|'" "'$M' stats $* '$z'"
}

# The fixtures, whole: text, --json and --histogram.
for f in "$D"/*; do
	b=$(basename "$f")
	"$M" compress "$f" >"$TMP/$b.seek.zst" || fail "$b: mapq compress"
	"$M" compress --frame-size=16 "$f" >"$TMP/$b.tiny.zst" || fail "$b: mapq compress --frame-size=16"
	zs=("$TMP/$b.seek.zst" "$TMP/$b.tiny.zst")
	if [ "$have_zstd" = 1 ]; then
		zstd -q -c "$f" >"$TMP/$b.zstd.zst"
		zs+=("$TMP/$b.zstd.zst")
	fi
	for z in "${zs[@]}"; do
		zsame "$(basename "$z")" "$f" "$z"
		zsame "$(basename "$z") --json" "$f" "$z" --json
	done
	z=$TMP/$b.tiny.zst
	LC_ALL=C zsame "$b.tiny.zst --histogram" "$f" "$z" --histogram
	zsame "$b.tiny.zst -l -3:" "$f" "$z" --json -l -3:
	zsame "$b.tiny.zst -b 5:-5" "$f" "$z" --json -b 5:-5
done

# A generated file of many 4 KiB frames, whose frame boundaries cut a
# UTF-8 sequence, a CRLF, an empty line and a long line; binary bytes in
# the middle, and a last line without a newline.
gen=$TMP/gen.txt
{
	seq -f 'line %g: caf\303\251 \342\202\254 words' 1 3000
	printf 'x\r\n\n\n\0\0\xE2\x82'
	head -c 20000 /dev/urandom
	seq 1 2000 | sed 's/5/\r/; s/77/\xE2\x82/'
	printf '%9000s\n' '' | tr ' ' L
	printf 'tail without a newline'
} >"$gen"
put_at() { printf "$2" | dd of="$gen" bs=1 seek="$1" conv=notrunc 2>/dev/null; }
put_at 4095 '\342\202\254'  # a euro sign across 4096
put_at 8191 '\r\n'          # CRLF across 8192
put_at 12287 '\n\n'         # an empty line starting at 12288
"$M" compress --frame-size=4K "$gen" >"$TMP/gen.4k.zst" || fail "gen: compress 4K"
"$M" compress --frame-size=4K --align "$gen" >"$TMP/gen.align.zst" || fail "gen: compress --align"
"$M" compress "$gen" >"$TMP/gen.1m.zst" || fail "gen: compress"
gz=("$TMP/gen.4k.zst" "$TMP/gen.align.zst" "$TMP/gen.1m.zst")
if [ "$have_zstd" = 1 ]; then
	zstd -q -c "$gen" >"$TMP/gen.zstd.zst"
	# From pipes (no content size), two frames and skippable frames.
	skippable() { printf '\x5a\x2a\x4d\x18\x05\x00\x00\x00hello'; }
	{
		skippable
		head -c 50001 "$gen" | zstd -q -c
		skippable
		tail -c +50002 "$gen" | zstd -q -c --no-check
	} >"$TMP/gen.concat.zst"
	gz+=("$TMP/gen.zstd.zst" "$TMP/gen.concat.zst")
fi
# Each range of the plain file is measured once, then compared with
# every compressed variant; paths are left out of the comparison.
unpath='s|^{"path":"[^"]*"|{"path":"X"|; 1s|^path: .*|path: X|'
for r in "" "-b 4095:4097" "-b 4000:+9000" "-b 1000:+50000" "-b -4K:" \
	"-b -10000:-3" "-b 12288" "-b 8192:" "-l -10:" "-l -1" "-l 100:+7" \
	"-l -50:-20" "-l :5" "-l 3001:3003" "-b 50:10" "-l 1000000:" "-b 10M:"; do
	"$M" stats --json $r "$gen" | sed "$unpath" >"$TMP/genwant"
	for z in "${gz[@]}"; do
		same "$(basename "$z") $r" "cat '$TMP/genwant'" "'$M' stats --json $r '$z' | sed '$unpath'"
	done
done
for r in "-b 4095:4097" "-l -10:" "-l 3001:3003"; do
	"$M" stats $r "$gen" | sed "$unpath" >"$TMP/genwant"
	for z in "${gz[@]}"; do
		same "$(basename "$z") $r text" "cat '$TMP/genwant'" "'$M' stats $r '$z' | sed '$unpath'"
	done
done
# Standard input: a pipe and a redirection, path "-".
for r in "" "-l -10:" "-b 4000:+9000"; do
	"$M" stats --json $r "$gen" | sed 's|^{"path":"[^"]*"|{"path":"-"|' >"$TMP/genwant"
	for z in "${gz[@]}"; do
		same "$(basename "$z") $r pipe" "cat '$TMP/genwant'" "cat '$z' | '$M' stats --json $r"
		same "$(basename "$z") $r redirect" "cat '$TMP/genwant'" "'$M' stats --json $r - <'$z'"
	done
done

# Several files, compressed and not: each block, then the total; JSON
# totals too, and a range applied to each.
if [ "$have_zstd" = 1 ]; then z2=$TMP/gen.concat.zst; else z2=$TMP/gen.align.zst; fi
same "several compressed files" \
	"'$M' stats '$D/crlf.txt' '$gen' '$D/no-newline.txt' '$gen' | sed 's|^path: $gen\$|path: X|'" \
	"'$M' stats '$TMP/crlf.txt.seek.zst' '$TMP/gen.4k.zst' '$D/no-newline.txt' '$z2' | sed 's|^path: .*gen\\..*\\.zst\$|path: X|; s|$TMP/crlf.txt.seek.zst|$D/crlf.txt|'"
same "several compressed files --json -l 2:4" \
	"'$M' stats --json -l 2:4 '$D/crlf.txt' '$gen' '$gen' | sed 's|^{\"path\":\"[^\"]*\"|{\"path\":\"X\"|'" \
	"'$M' stats --json -l 2:4 '$TMP/crlf.txt.seek.zst' '$TMP/gen.4k.zst' '$z2' | sed 's|^{\"path\":\"[^\"]*\"|{\"path\":\"X\"|'"
same "several compressed files --json -b -3K:" \
	"'$M' stats --json -b -3K: '$gen' '$D/app.log' '$gen' | sed 's|^{\"path\":\"[^\"]*\"|{\"path\":\"X\"|'" \
	"'$M' stats --json -b -3K: '$TMP/gen.1m.zst' '$TMP/app.log.tiny.zst' '$z2' | sed 's|^{\"path\":\"[^\"]*\"|{\"path\":\"X\"|'"

# Threads: a seekable file large enough to be measured in pieces (cut at
# frame boundaries) gives, at every -j, what the plain file gives.
# (The plain file's output is computed once for each range.)
"$M" compress --frame-size=256K "$big" >"$TMP/big.zst" || fail "big: compress"
sed "$unpath" "$TMP/j1" >"$TMP/bigwant"
for j in 1 2 3 0; do
	same "big.zst -j $j" "cat '$TMP/bigwant'" "'$M' stats --json -j $j '$TMP/big.zst' | sed '$unpath'"
done
for r in "-b 1M:-1M" "-l 300000:+200000" "-l -100000:"; do
	"$M" stats --json $r "$big" | sed "$unpath" >"$TMP/bigwant"
	for j in 1 3; do
		same "big.zst $r -j $j" "cat '$TMP/bigwant'" "'$M' stats --json -j $j $r '$TMP/big.zst' | sed '$unpath'"
	done
done
if [ "$have_zstd" = 1 ]; then
	zstd -q -c "$big" >"$TMP/big.zstd.zst"
	same "big.zstd.zst -l -100000: -j 2" "cat '$TMP/bigwant'" \
		"'$M' stats --json -j 2 -l -100000: '$TMP/big.zstd.zst' | sed '$unpath'"
	same "big.zstd.zst -j 2" "sed '$unpath' '$TMP/j1'" \
		"'$M' stats --json -j 2 '$TMP/big.zstd.zst' | sed '$unpath'"
fi

# --no-decompress measures the compressed bytes themselves (wc, od, awk).
checks=$((checks + 1))
z=$TMP/gen.4k.zst
"$M" stats --no-decompress "$z" | grep -v -e '^entropy: ' -e '^utf8_invalid: ' >"$TMP/got"
expect_block "$z" "$z" >"$TMP/want"
cmp -s "$TMP/want" "$TMP/got" || fail "--no-decompress: $(diff "$TMP/want" "$TMP/got" | tr '\n' ' ')"
checks=$((checks + 1))
"$M" stats --no-decompress --json "$z" | grep -q "\"histogram\":\[$(od_histogram "$z")\]}" ||
	fail "--no-decompress --json: histogram differs from od's"
# (A range's longest line is numbered in the whole file, not from 1.)
same "--no-decompress -b -100:" "tail -c 100 '$z' | '$M' stats --json | sed 's|^{\"path\":\"-\"||; s|\"longest_line\":{[^}]*}||'" \
	"'$M' stats --no-decompress --json -b -100: '$z' | sed 's|^{\"path\":\"[^\"]*\"||; s|\"longest_line\":{[^}]*}||'"
same "--no-decompress on a pipe" "'$M' stats --no-decompress '$z' | sed '1s|.*|path: -|'" \
	"cat '$z' | '$M' stats --no-decompress"
same "--no-decompress on plain input" "'$M' stats '$gen'" "'$M' stats --no-decompress '$gen'"
checks=$((checks + 1))
"$M" stats --help | grep -q -- '--no-decompress' || fail "--help does not mention --no-decompress"

# Damaged compressed input: exit 2, a message naming the file, nothing
# printed for it; the other files are still measured.
zsize=$(wc -c <"$TMP/gen.4k.zst")
head -c $((zsize / 2)) "$TMP/gen.4k.zst" >"$TMP/cut.zst"
expect_fail "truncated seekable" 2 "^mapq: $TMP/cut.zst: truncated zstd data" "'$M' stats '$TMP/cut.zst'"
expect_fail "truncated seekable -l -10:" 2 "^mapq: $TMP/cut.zst: " "'$M' stats -l -10: '$TMP/cut.zst'"
expect_fail "truncated seekable -b -4K: --json" 2 "^mapq: $TMP/cut.zst: " "'$M' stats --json -b -4K: '$TMP/cut.zst'"
expect_fail "truncated pipe" 2 "^mapq: \\(standard input\\): truncated zstd data" "cat '$TMP/cut.zst' | '$M' stats"
ALLOW_OUT=1 expect_fail "truncated among good" 2 "^mapq: $TMP/cut.zst: " \
	"'$M' stats --json '$TMP/gen.4k.zst' '$TMP/cut.zst' '$D/app.log'"
checks=$((checks + 1))
[ "$(grep -c '"path"' "$TMP/out")" -eq 3 ] || fail "truncated among good: $(grep -c '"path"' "$TMP/out") objects, want 3"
# A seekable file whose seek table is intact but one frame is damaged:
# checked against the frame's checksum, at every -j.
cp "$TMP/big.zst" "$TMP/bad.zst"
bsize=$(wc -c <"$TMP/bad.zst")
printf '\377\377\377\377' | dd of="$TMP/bad.zst" bs=1 seek=$((bsize / 2)) conv=notrunc 2>/dev/null
for j in 1 3; do
	expect_fail "damaged frame -j $j" 2 "^mapq: $TMP/bad.zst: " "'$M' stats -j $j '$TMP/bad.zst'"
done
if [ "$have_zstd" = 1 ]; then
	zsize=$(wc -c <"$TMP/gen.zstd.zst")
	head -c $((zsize - 7)) "$TMP/gen.zstd.zst" >"$TMP/cut2.zst"
	expect_fail "truncated zstd stream" 2 "^mapq: $TMP/cut2.zst: " "'$M' stats '$TMP/cut2.zst'"
	expect_fail "truncated zstd stream -l -1" 2 "^mapq: $TMP/cut2.zst: " "'$M' stats -l -1 '$TMP/cut2.zst'"
fi

# The chart: Unicode blocks in a UTF-8 locale, ASCII otherwise; never
# wider than 80 columns.
if locale -a 2>/dev/null | grep -qi '^c\.utf-\?8$'; then
	checks=$((checks + 1))
	LC_ALL=C.UTF-8 "$M" stats --histogram "$D/app.log" >"$TMP/u"
	grep -q '█' "$TMP/u" || fail "--histogram in C.UTF-8 draws no blocks"
	[ "$(LC_ALL=C.UTF-8 wc -L <"$TMP/u")" -le 80 ] || fail "--histogram in C.UTF-8 is wider than 80 columns"
fi
checks=$((checks + 1))
LC_ALL=C "$M" stats --histogram "$D/app.log" | grep -q '^  0x20 SP .*#' || fail "--histogram in C: no ASCII bar for spaces"
same "--histogram with --json" "'$M' stats --json '$D/app.log'" "'$M' stats --json --histogram '$D/app.log'"

# ---- -H, --top and the labels of the chart (mapq-stats(1), HISTOGRAM) --------
# Python computes what mapq should print: the sizes in IEC units, the rows
# --top keeps and their order, a distinct label for each of the 256 values.
PY=/usr/bin/python3
# Every byte value, with counts that tie and counts that do not.
"$PY" -c '
import sys
data = bytearray(range(256)) * 3 + b"\x80" * 7 + b"\xff" * 7 + b"a" * 9 + b"\n" * 2
sys.stdout.buffer.write(data)' >"$TMP/bytes.bin"
# The rows "0xHH LABEL COUNT" mapq should print, in order.
py_rows() {
	"$PY" - "$@" <<'PYEOF'
import sys
path, top = sys.argv[1], int(sys.argv[2])
data = open(path, "rb").read()
counts = [0] * 256
for b in data:
    counts[b] += 1
named = {0: "\\0", 7: "\\a", 8: "\\b", 9: "\\t", 10: "\\n", 11: "\\v", 12: "\\f",
         13: "\\r", 0x1B: "ESC", 0x20: "SP", 0x7F: "DEL"}
def label(b):
    if b in named: return named[b]
    if b < 0x20: return "^" + chr(b + 0x40)
    if b < 0x7F: return chr(b)
    return "\\x%02x" % b
assert len({label(b) for b in range(256)}) == 256
rows = [b for b in range(256) if counts[b]]
if top:
    rows = sorted(rows, key=lambda b: (-counts[b], b))[:top]
for b in rows:
    print("0x%02x %s %d" % (b, label(b), counts[b]))
PYEOF
}
chart_rows() {
	sed -n '/^histogram:$/,$p' | tail -n +2 | awk '{ print $1, $2, $3 }'
}
for top in 0 1 3 4 5 256 1000; do
	checks=$((checks + 1))
	opt=()
	[ "$top" -gt 0 ] && opt=(--top "$top")
	py_rows "$TMP/bytes.bin" "$top" >"$TMP/rwant"
	LC_ALL=C "$M" stats --histogram "${opt[@]}" "$TMP/bytes.bin" | chart_rows >"$TMP/rgot"
	cmp -s "$TMP/rwant" "$TMP/rgot" || fail "--histogram ${opt[*]}: rows differ from Python: $(diff "$TMP/rwant" "$TMP/rgot" | head -5 | tr '\n' ' ')"
done
for f in "$D/app.log" "$D/mixed-bytes.txt" "$D/crlf.txt"; do
	checks=$((checks + 1))
	py_rows "$f" 5 >"$TMP/rwant"
	"$M" stats --histogram --top=5 "$f" | chart_rows >"$TMP/rgot"
	cmp -s "$TMP/rwant" "$TMP/rgot" || fail "$(basename "$f") --top=5: rows differ from Python"
done
checks=$((checks + 1))
LC_ALL=C "$M" stats --histogram "$TMP/bytes.bin" | awk 'length($0) > 80 { bad = 1 } END { exit bad }' ||
	fail "--histogram of all 256 values: a line wider than 80 columns"
LC_ALL=C "$M" stats --histogram "$TMP/bytes.bin" | LC_ALL=C grep -q '[^ -~]' && fail "--histogram: non-ASCII labels in the C locale"

# -H: bytes and the longest line's length also in IEC units, the exact
# number kept in brackets; the other figures as without -H.
py_size() {
	"$PY" -c '
import sys
n = int(sys.argv[1])
if n < 1024:
    print("%d B" % n)
else:
    units = ["KiB", "MiB", "GiB", "TiB", "PiB", "EiB"]
    v, u = n / 1024, 0
    while u + 1 < len(units) and v >= 1024:
        v, u = v / 1024, u + 1
    s = "%.1f %s" % (v, units[u])
    if s.startswith("1024.0") and u + 1 < len(units):
        s = "%.1f %s" % (v / 1024, units[u + 1])
    print(s)' "$1"
}
human_case() {
	local f=$1 b ll
	checks=$((checks + 1))
	b=$(wc -c <"$f")
	"$M" stats "$f" >"$TMP/plain" || fail "$f: exit status $?"
	ll=$(sed -n 's/^longest_line: \([0-9]*\) .*/\1/p' "$TMP/plain")
	sed -e "s/^bytes: .*/bytes: $(py_size "$b") ($b)/" \
		-e "s/^longest_line: $ll /longest_line: $(py_size "$ll") ($ll) /" "$TMP/plain" >"$TMP/hwant"
	"$M" stats -H "$f" >"$TMP/hgot" || fail "$f -H: exit status $?"
	cmp -s "$TMP/hwant" "$TMP/hgot" || fail "$f -H: $(diff "$TMP/hwant" "$TMP/hgot" | tr '\n' ' ')"
}
for f in "$D"/*; do human_case "$f"; done
# Sizes around each unit's boundaries, in sparse files.
for n in 1023 1024 1536 1048575 1048576 1572864 3145727; do
	truncate -s "$n" "$TMP/sparse" && human_case "$TMP/sparse"
done
rm -f "$TMP/sparse"
printf 'a\nbb\n' >"$TMP/ab"
same "-H has no effect on --json" "'$M' stats --json '$TMP/ab'" "'$M' stats --json -H '$TMP/ab'"
same "--human-readable is -H" "'$M' stats -H '$TMP/ab'" "'$M' stats --human-readable '$TMP/ab'"

# Errors: a message naming the culprit, exit 2, nothing on stdout.
expect_fail "missing file" 2 "^mapq: $TMP/nope: No such file or directory" "'$M' stats '$TMP/nope'"
expect_fail "directory" 2 "^mapq: $D: Is a directory" "'$M' stats '$D'"
expect_fail "malformed range" 2 "^mapq stats: invalid byte range '1:x'" "'$M' stats -b 1:x '$D/app.log'"
expect_fail "line zero" 2 "^mapq stats: invalid line range '0'" "'$M' stats -l 0 '$D/app.log'"
expect_fail "two ranges" 2 "^mapq stats: only one range" "'$M' stats -l 1:2 -b 3:4 '$D/app.log'"
expect_fail "bad -j" 2 "^mapq stats: invalid thread count 'x'" "'$M' stats -j x '$D/app.log'"
expect_fail "negative -j" 2 "^mapq stats: invalid thread count '-1'" "'$M' stats -j -1 '$D/app.log'"
expect_fail "huge -j" 2 "^mapq stats: invalid thread count '99999'" "'$M' stats -j 99999 '$D/app.log'"
expect_fail "missing -j argument" 2 "^mapq stats: option requires an argument -- 'j'" "'$M' stats -j"
expect_fail "unknown option" 2 "^mapq stats: unrecognized option '--frob'" "'$M' stats --frob"
expect_fail "full disk" 2 "^mapq: write error: No space left on device" "'$M' stats '$D/app.log' >/dev/full"
expect_fail "full disk, json" 2 "write error" "'$M' stats --json '$D/app.log' '$D/app.log' >/dev/full"
# A closed pipe ends quietly: no message, status 0.
checks=$((checks + 1))
many=()
for i in $(seq 20); do many+=("$D"/*); done
out=$( { "$M" stats --histogram "${many[@]}" 2>"$TMP/err"; echo "status=$?" >"$TMP/st"; } | head -n 1)
if [ "$out" != "path: $D/app.log" ] || [ -s "$TMP/err" ] || [ "$(cat "$TMP/st")" != status=0 ]; then
	fail "broken pipe: out=$out status=$(cat "$TMP/st") err=$(cat "$TMP/err")"
fi

finish
