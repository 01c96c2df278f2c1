#!/usr/bin/env bash
# CLI tests of `mapq range`: every window is compared with a linear awk
# filter that applies the same prefix comparison (the first len(FROM) bytes
# of the key >= FROM, the first len(TO) bytes < TO) to every line, on logs
# generated here with awk.
# Usage: range.sh MAPQ TESTDATA_DIR
. "$(dirname "$0")/lib.sh"
need look perl zstd
M=$1
D=$2

# ---- generated logs ------------------------------------------------------
# A: timestamps first (the default key), 80000 lines over about 4.5 hours
# (more than one 4 MiB scan window), 15% of them sharing the timestamp of
# the line before; two empty lines (no key: they sort first) and comment
# lines ('#' sorts before digits) at the top.
gen_times() {
	awk -v n="$1" -v seed="$2" 'BEGIN {
		srand(seed); t = 10 * 3600000
		for (i = 0; i < n; i++) {
			if (rand() >= 0.15) t += int(rand() * 400)
			printf "2026-11-24T%02d:%02d:%02d.%03dZ %d\n", int(t / 3600000),
			       int(t / 60000) % 60, int(t / 1000) % 60, t % 1000, i
		}
	}'
}
gen_times 80000 7 | awk 'BEGIN { print ""; print ""; print "# app log"; srand(3) }
	{ lv = rand() < 0.1 ? "ERROR" : "INFO"
	  printf "%s host-%02d app[%d]: %s request %d done\n", $1, int(rand() * 16),
	         4000 + int(rand() * 100), lv, $2 }' >"$TMP/a.log"
# A without its final newline.
head -c -1 "$TMP/a.log" >"$TMP/a-nonl.log"
# F: the timestamp is field 2 after blanks (leading blanks on some lines);
# lines without a second field come first.
gen_times 30000 11 | awk 'BEGIN { print "lonely"; print "   "; srand(5) }
	{ printf "%shost-%02d \t%s pid=%d\n", (rand() < 0.2 ? "  " : ""),
	         int(rand() * 16), $1, $2 }' >"$TMP/f.log"
# C: comma-separated, the timestamp is field 2; an empty field 2 first.
gen_times 30000 13 | awk 'BEGIN { print "id,,empty"; srand(9) }
	{ printf "%d,%s,%s,msg %d\n", int(rand() * 1000), $1,
	         (rand() < 0.5 ? "GET" : "POST"), $2 }' >"$TMP/c.log"
# R: the timestamp somewhere after ts=; lines without one come first.
gen_times 30000 17 | awk 'BEGIN { print "no stamp here"; srand(21) }
	{ printf "level=%s id=%d ts=%s msg=\"ok %d\"\n",
	         (rand() < 0.5 ? "info" : "warn"), int(rand() * 1000), $1, $2 }' >"$TMP/r.log"

# ---- the reference: a linear filter --------------------------------------
# ref FILE KEY FS FROM [TO]: the lines of FILE whose key (awk code setting
# k) passes the prefix comparison, exactly as they are in the file (no
# newline added to a last line that has none).
ref() {
	local file=$1 key=$2 fs=$3 from=$4 hast=0 to=
	if [ $# -ge 5 ]; then hast=1; to=$5; fi
	local nl=1 last
	[ -s "$file" ] && [ -n "$(tail -c 1 "$file")" ] && nl=0
	last=$(awk 'END { print NR }' "$file")
	awk -F "$fs" -v F="$from" -v T="$to" -v hast=$hast -v nl=$nl -v last="$last" "
	{ $key }
	substr(k, 1, length(F)) < (F \"\") { next }
	hast && substr(k, 1, length(T)) >= (T \"\") { next }
	{ printf \"%s\", \$0; if (NR < last || nl) printf \"\\n\" }" "$file"
}
KLINE='k = $0'
KF2='k = $2'
KRE='k = match($0, /ts=[^ ]+/) ? substr($0, RSTART + 3, RLENGTH - 3) : ""'

# window NAME FILE KEY FS "MAPQ KEY OPTIONS" FROM [TO]: the lines, -c,
# --offsets fed to mapq slice -b, and the exit status (1 when empty) all
# agree with the reference.
window() {
	local name=$1 file=$2 key=$3 fs=$4 opts=$5 from=$6
	local args=(--from "$from") refargs=("$from") o
	# Options split on spaces only: a tab is a delimiter.
	IFS=' ' read -r -a o <<<"$opts"
	args=("${o[@]}" "${args[@]}")
	if [ $# -ge 7 ]; then args+=(--to "$7"); refargs+=("$7"); fi
	checks=$((checks + 1))
	ref "$file" "$key" "$fs" "${refargs[@]}" >"$TMP/want"
	local want_st=0
	[ -s "$TMP/want" ] || want_st=1
	# ZFILE: run mapq on this (compressed) copy of the file instead.
	local mfile=${ZFILE:-$file}
	"$M" range "${args[@]}" "$mfile" >"$TMP/got" 2>"$TMP/err"
	local st=$?
	if ! cmp -s "$TMP/want" "$TMP/got"; then
		fail "$name: lines differ from the linear filter (${args[*]})"
		cmp "$TMP/want" "$TMP/got" | head -1 >&2
		return
	fi
	[ "$st" -eq "$want_st" ] || fail "$name: exit status $st, want $want_st"
	[ -s "$TMP/err" ] && fail "$name: stderr: $(head -c 200 "$TMP/err")"
	# -c counts lines as grep -c '' does (a last line without newline
	# too), which is wc -l when the window ends with a newline.
	local count lines
	lines=$(grep -c '' "$TMP/want")
	count=$("$M" range "${args[@]}" -c "$mfile")
	st=$?
	[ "$count" = "$lines" ] && [ "$st" -eq "$want_st" ] ||
		fail "$name: -c printed '$count' (status $st), want $lines"
	if [ ! -s "$TMP/want" ] || [ -z "$(tail -c 1 "$TMP/want")" ]; then
		[ "$count" = "$(wc -l <"$TMP/want")" ] || fail "$name: -c is not wc -l"
	fi
	local off
	off=$("$M" range "${args[@]}" --offsets "$mfile")
	st=$?
	[ "$st" -eq "$want_st" ] || fail "$name: --offsets exit status $st"
	[[ $off =~ ^[0-9]+:[0-9]+$ ]] || fail "$name: --offsets printed '$off'"
	"$M" slice -b "$off" "$mfile" | cmp -s - "$TMP/want" ||
		fail "$name: mapq slice -b $off is not the window"
}

# Timestamps of log A at chosen lines (the line itself is the key).
ts() { sed -n "$1p" "$TMP/a.log" | cut -c 1-24; }
first=$(ts 4)
last=$(ts 80003)
# A timestamp that appears on several lines.
dup=$(cut -c 1-24 "$TMP/a.log" | uniq -d | sed -n 100p)

bounds=(
	"$(ts 1000)" "$(ts 20000)"
	"$(ts 20000)" "$(ts 20001)"
	"$dup" "$dup"
	"$dup" "${dup%?}9"
	"$first" "$(ts 5)"
	"$first" "$last"
	"$last" "2026-11-25"
	"2026-11-24T1" "2026-11-24T2"
	"2026" "2027"
	"" "2026"
	"#" "2"
	"" "$first"
	"2025" "2026-11-24T09"
	"2026-11-24T23" "2026-11-25"
	"$(ts 30000)" "$(ts 10000)"
	"2026-11-24T11:00:00.0005" "2026-11-24T11:00:01.5"
)
# The same windows on minute, hour and second prefixes.
for i in 1000 33333 65000; do
	t=$(ts "$i")
	next_hour=${t:0:11}$(printf %02d $((10#${t:11:2} + 1)))
	bounds+=("${t:0:16}" "${t:0:15}9" "${t:0:13}" "$next_hour"
		"${t:0:19}" "$(ts $((i + 20)) | cut -c 1-19)")
done

for ((i = 0; i < ${#bounds[@]}; i += 2)); do
	f=${bounds[i]} t=${bounds[i + 1]}
	window "A $f..$t" "$TMP/a.log" "$KLINE" " " "" "$f" "$t"
	window "A-nonl $f..$t" "$TMP/a-nonl.log" "$KLINE" " " "" "$f" "$t"
done
# No --to: to the end of the file.
for f in "$(ts 79990)" "$last" "2026-11-24T12" "2026-11-24T99" "" "$dup"; do
	window "A $f.." "$TMP/a.log" "$KLINE" " " "" "$f"
	window "A-nonl $f.." "$TMP/a-nonl.log" "$KLINE" " " "" "$f"
done
# Bounds longer than the key, and bounds inside a key's text.
window "A beyond timestamp" "$TMP/a.log" "$KLINE" " " "" "$(sed -n 500p "$TMP/a.log")" "$(sed -n 700p "$TMP/a.log")"

# --field N, blanks: the timestamps of log F.
fts() { awk -v n="$1" 'NR == n { print $2 }' "$TMP/f.log"; }
for pair in "1000 2000" "3 30002" "15000 15001" "29000 30002"; do
	set -- $pair
	a=$(fts "$1") b=$(fts "$2")
	window "F field 2 $a..$b" "$TMP/f.log" "$KF2" " " "--field 2" "$a" "$b"
	window "F field 2 ${a:0:13}..${b:0:16}" "$TMP/f.log" "$KF2" " " "--field 2" "${a:0:13}" "${b:0:16}"
done
window "F field 2 all" "$TMP/f.log" "$KF2" " " "--field=2" "" "2027"
window "F field 2 open" "$TMP/f.log" "$KF2" " " "--field 2" "2026-11-24T11"
window "F field 9" "$TMP/f.log" 'k = $9' " " "--field 9" "2026"

# --field N -d C: the timestamps of log C.
cts() { cut -d, -f2 "$TMP/c.log" | sed -n "$1p"; }
for pair in "100 2000" "2 30001" "15000 15001" "29990 30001"; do
	set -- $pair
	a=$(cts "$1") b=$(cts "$2")
	window "C -d, field 2 $a..$b" "$TMP/c.log" "$KF2" "," "--field 2 -d ," "$a" "$b"
	window "C -d, field 2 ${a:0:16}..${b:0:16}" "$TMP/c.log" "$KF2" "," "--field 2 --delimiter=," "${a:0:16}" "${b:0:16}"
	# cut's extraction gives the same lines.
	same "C cut -f2 $a..$b" \
		"cut -d, -f2 '$TMP/c.log' | awk -v A='$a' -v B='$b' 'substr(\$0,1,length(A)) >= (A \"\") && substr(\$0,1,length(B)) < (B \"\")' | wc -l" \
		"'$M' range --field 2 -d , --from '$a' --to '$b' -c '$TMP/c.log'"
done
# A tab delimiter.
tr ',' '\t' <"$TMP/c.log" >"$TMP/t.log"
a=$(cts 5000) b=$(cts 9000)
window "tab field 2" "$TMP/t.log" "$KF2" "	" "--field 2 -d 	" "$a" "$b"

# --key-regex: the first capture group of the ts= part of log R.
rts() { sed -n "$1p" "$TMP/r.log" | sed 's/.*ts=\([^ ]*\).*/\1/'; }
for pair in "100 2000" "2 30001" "15000 15001" "29990 30001"; do
	set -- $pair
	a=$(rts "$1") b=$(rts "$2")
	window "R regex $a..$b" "$TMP/r.log" "$KRE" " " "--key-regex ts=(\\S+)" "$a" "$b"
	window "R regex ${a:0:13}..${b:0:16}" "$TMP/r.log" "$KRE" " " "--key-regex=ts=([^\\s]+)" "${a:0:13}" "${b:0:16}"
done
# Without a group the whole match is the key.
window "R regex no group" "$TMP/r.log" \
	'k = match($0, /20[0-9][0-9]-[^ ]+/) ? substr($0, RSTART, RLENGTH) : ""' " " \
	"--key-regex 20\\d\\d-\\S+" "$(rts 700)" "$(rts 900)"

# Keyless lines inside the file (a stack trace after an entry) stay with
# the entry before them: the window runs from the first keyed line >= FROM
# to the first keyed line >= TO.
awk '{ print } NR % 7 == 0 { print "\tat frame " NR; print "\tat caller" }' "$TMP/r.log" >"$TMP/trace.log"
for pair in "100 2000" "5000 5001" "29000 30001"; do
	set -- $pair
	a=$(rts "$1") b=$(rts "$2")
	same "trace window $a..$b" \
		"awk -v A='$a' -v B='$b' '{ k = match(\$0, /ts=[^ ]+/) ? substr(\$0, RSTART + 3, RLENGTH - 3) : \"\" }
		  k != \"\" { inw = k >= A && k < B } inw' '$TMP/trace.log'" \
		"'$M' range --key-regex 'ts=(\\S+)' --from '$a' --to '$b' '$TMP/trace.log'"
done

# Standard input: a pipe and a redirected file.
a=$(ts 4000) b=$(ts 4100)
same "pipe" "awk -v A='$a' -v B='$b' 'substr(\$0,1,24) >= A && substr(\$0,1,24) < B' '$TMP/a.log'" \
	"cat '$TMP/a.log' | '$M' range --from '$a' --to '$b'"
same "redirect -" "awk -v A='$a' -v B='$b' 'substr(\$0,1,24) >= A && substr(\$0,1,24) < B' '$TMP/a.log'" \
	"'$M' range --from '$a' --to '$b' - <'$TMP/a.log'"
# The shipped sample log, by hour prefix.
same "app.log hour" "grep '^2026-11-24T00:1' '$D/app.log'" \
	"'$M' range --from 2026-11-24T00:1 --to 2026-11-24T00:2 '$D/app.log'"
same "app.log look" "look 2026-11-24T00:3 '$D/app.log'" \
	"'$M' range --from 2026-11-24T00:3 --to 2026-11-24T00:4 '$D/app.log'"
# Offsets are those of the whole file.
same "offsets" "echo \$(( \$(head -n 3 '$D/app.log' | wc -c) )):\$(( \$(head -n 5 '$D/app.log' | wc -c) ))" \
	"'$M' range --offsets --from '$(sed -n 4p "$D/app.log" | cut -c 1-24)' --to '$(sed -n 6p "$D/app.log" | cut -c 1-24)' '$D/app.log'"
# An empty file: nothing, exit 1; -c prints 0.
checks=$((checks + 1))
out=$("$M" range --from a "$D/empty.txt"); st=$?
[ "$st" = 1 ] && [ -z "$out" ] || fail "empty file: status $st, output '$out'"
checks=$((checks + 1))
out=$("$M" range --from a -c "$D/empty.txt"); st=$?
[ "$st" = 1 ] && [ "$out" = 0 ] || fail "empty file -c: status $st, output '$out'"
checks=$((checks + 1))
out=$("$M" range --from a --offsets "$D/empty.txt"); st=$?
[ "$st" = 1 ] && [ "$out" = 0:0 ] || fail "empty file --offsets: status $st, output '$out'"

# ---- compressed input -------------------------------------------------------
# The same windows on zstd copies: the seekable format (bisected frame by
# frame; small frames so that probes and lines cross frames) and plain zstd
# streams (read forward), all against the linear filter on the plain file.
"$M" compress --frame-size=16K "$TMP/a.log" >"$TMP/a.seek.zst"
"$M" compress --frame-size=1000 "$TMP/a-nonl.log" >"$TMP/a-nonl.seek.zst"
zstd -q -c "$TMP/a.log" >"$TMP/a.zst"
zstd -q -c "$TMP/a-nonl.log" >"$TMP/a-nonl.zst"
"$M" compress --frame-size=4K "$TMP/f.log" >"$TMP/f.seek.zst"
zstd -q -c "$TMP/r.log" >"$TMP/r.zst"
"$M" compress --frame-size=3000 "$TMP/trace.log" >"$TMP/trace.seek.zst"
for ((i = 0; i < ${#bounds[@]}; i += 2)); do
	f=${bounds[i]} t=${bounds[i + 1]}
	ZFILE=$TMP/a.seek.zst window "A.seek.zst $f..$t" "$TMP/a.log" "$KLINE" " " "" "$f" "$t"
	ZFILE=$TMP/a-nonl.seek.zst window "A-nonl.seek.zst $f..$t" "$TMP/a-nonl.log" "$KLINE" " " "" "$f" "$t"
done
for ((i = 0; i < 12; i += 2)); do
	f=${bounds[i]} t=${bounds[i + 1]}
	ZFILE=$TMP/a.zst window "A.zst $f..$t" "$TMP/a.log" "$KLINE" " " "" "$f" "$t"
	ZFILE=$TMP/a-nonl.zst window "A-nonl.zst $f..$t" "$TMP/a-nonl.log" "$KLINE" " " "" "$f" "$t"
done
for f in "$(ts 79990)" "$last" "2026-11-24T99" "" "$dup"; do
	ZFILE=$TMP/a.seek.zst window "A.seek.zst $f.." "$TMP/a.log" "$KLINE" " " "" "$f"
	ZFILE=$TMP/a-nonl.zst window "A-nonl.zst $f.." "$TMP/a-nonl.log" "$KLINE" " " "" "$f"
done
a=$(fts 1000) b=$(fts 2000)
ZFILE=$TMP/f.seek.zst window "F.seek.zst field 2" "$TMP/f.log" "$KF2" " " "--field 2" "$a" "$b"
a=$(rts 100) b=$(rts 2000)
ZFILE=$TMP/r.zst window "R.zst regex" "$TMP/r.log" "$KRE" " " "--key-regex ts=(\\S+)" "$a" "$b"
a=$(rts 5000) b=$(rts 5001)
same "trace.seek.zst window" \
	"'$M' range --key-regex 'ts=(\\S+)' --from '$a' --to '$b' '$TMP/trace.log'" \
	"'$M' range --key-regex 'ts=(\\S+)' --from '$a' --to '$b' '$TMP/trace.seek.zst'"
# Standard input: a compressed pipe.
a=$(ts 4000) b=$(ts 4100)
same "zstd pipe" "'$M' range --from '$a' --to '$b' '$TMP/a.log'" \
	"zstd -q -c '$TMP/a.log' | '$M' range --from '$a' --to '$b'"
# --no-decompress takes the compressed bytes themselves: the window of
# every line is all of them.
same "--no-decompress" "echo 0:\$(wc -c <'$TMP/a.seek.zst')" \
	"'$M' range --no-decompress --from '' --offsets '$TMP/a.seek.zst'"

# ---- --check --------------------------------------------------------------
# The reference: the first line whose key is below the previous one's,
# keys cut to N bytes (N = 0: whole), as NUMBER:TEXT.
check_ref() {
	awk -F "$2" -v n="$3" "{ $4; k = k \"\" } n > 0 { k = substr(k, 1, n) }
		NR > 1 && k < p { print NR \":\" \$0; exit } { p = k }" "$1"
}
check() { # NAME FILE FS N KEY "MAPQ OPTIONS"
	local name=$1 file=$2
	checks=$((checks + 1))
	check_ref "$file" "$3" "$4" "$5" >"$TMP/want"
	local want_st=1
	[ -s "$TMP/want" ] || want_st=0
	# shellcheck disable=SC2086
	"$M" range --check $6 "$file" >"$TMP/got" 2>"$TMP/err"
	local st=$?
	cmp -s "$TMP/want" "$TMP/got" || fail "$name: --check printed '$(head -c 200 "$TMP/got")', want '$(cat "$TMP/want")'"
	[ "$st" = "$want_st" ] || fail "$name: --check status $st, want $want_st"
	[ -s "$TMP/err" ] && fail "$name: --check stderr: $(cat "$TMP/err")"
}
check "A sorted" "$TMP/a.log" " " 0 "$KLINE" ""
check "A-nonl sorted" "$TMP/a-nonl.log" " " 0 "$KLINE" ""
check "F sorted" "$TMP/f.log" " " 0 "$KF2" "--field 2"
check "C sorted" "$TMP/c.log" "," 0 "$KF2" "--field 2 -d ,"
check "R sorted" "$TMP/r.log" " " 0 "$KRE" "--key-regex ts=(\\S+)"
# The whole line does not sort log F (its field 1 is a host name).
check "F by line" "$TMP/f.log" " " 0 "$KLINE" ""
# Two lines swapped late in the log (past the first 4 MiB window).
awk 'NR == 70001 { held = $0; next } { print } NR == 70002 { print held }' "$TMP/a.log" >"$TMP/swapped.log"
check "swapped" "$TMP/swapped.log" " " 0 "$KLINE" ""
# The last line out of order, without a newline.
{ cat "$TMP/a.log"; printf '2026-11-24T10:00:00.000Z late'; } >"$TMP/late.log"
check "last line" "$TMP/late.log" " " 0 "$KLINE" ""
# Sorted on minutes, shuffled inside each minute: in order on a 16-byte
# bound, not on a longer one.
awk '{ m = substr($0, 1, 16); if (m != pm) { for (i = n; i > 0; i--) print b[i]; n = 0; pm = m } b[++n] = $0 }
	END { for (i = n; i > 0; i--) print b[i] }' "$TMP/a.log" >"$TMP/minutes.log"
check "minutes, whole" "$TMP/minutes.log" " " 0 "$KLINE" ""
check "minutes, --from 16" "$TMP/minutes.log" " " 16 "$KLINE" "--from 2026-11-24T10:00"
check "minutes, --to 19" "$TMP/minutes.log" " " 19 "$KLINE" "--from 2026-11-24T10:00 --to 2026-11-24T10:00:00"
check "minutes, --to 13" "$TMP/minutes.log" " " 13 "$KLINE" "--to 2026-11-24T1"
# A line without a key after keyed lines is out of order.
{ head -n 100 "$TMP/f.log"; echo "nokey"; tail -n +101 "$TMP/f.log"; } >"$TMP/f-hole.log"
check "keyless in the middle" "$TMP/f-hole.log" " " 0 "$KF2" "--field 2"
checks=$((checks + 1))
out=$("$M" range --check --field 2 "$TMP/f-hole.log")
[ "$out" = "101:nokey" ] || fail "keyless line report: '$out'"
check "trace" "$TMP/trace.log" " " 0 "$KRE" "--key-regex ts=(\\S+)"
# The same checks on compressed copies (one linear pass through the
# decompressed data, whatever the format).
"$M" compress --frame-size=8K "$TMP/swapped.log" >"$TMP/swapped.seek.zst"
zstd -q -c "$TMP/late.log" >"$TMP/late.zst"
for z in a.seek.zst a.zst a-nonl.seek.zst swapped.seek.zst late.zst; do
	same "--check $z" "'$M' range --check '$TMP/${z%%.*}.log'; echo \$?" \
		"'$M' range --check '$TMP/$z'; echo \$?"
done
same "--check --field 2 F.seek.zst" "'$M' range --check --field 2 '$TMP/f.log'; echo \$?" \
	"'$M' range --check --field 2 '$TMP/f.seek.zst'; echo \$?"

# ---- a file larger than 4 GiB ---------------------------------------------
# 5 GiB of lines of NUL bytes (a newline every MiB, the rest a hole), then
# log A: the window lies beyond 2^32 and its offsets say so.
big="$TMP/big.log"
truncate -s 5G "$big"
perl -e 'open(my $f, "+<", $ARGV[0]) or die; for my $i (1 .. 5120) { seek($f, $i * 1048576 - 1, 0); print $f "\n" }' "$big"
cat "$TMP/a.log" >>"$big"
a=$(ts 50000) b=$(ts 50100)
ref "$TMP/a.log" "$KLINE" " " "$a" "$b" >"$TMP/want-big"
same "5G window" "cat '$TMP/want-big'" "'$M' range --from '$a' --to '$b' '$big'"
same "5G -c" "grep -c '' '$TMP/want-big'" "'$M' range --from '$a' --to '$b' -c '$big'"
same "5G offsets" "echo \$(( (5 << 30) + \$(head -n 49999 '$TMP/a.log' | wc -c) ))" \
	"'$M' range --from '$a' --to '$b' --offsets '$big' | cut -d: -f1"
same "5G before" "true" "'$M' range --from 2026 --to 2026-11-24T10 '$big' || [ \$? = 1 ]"
rm -f "$big"

# ---- rotated sets, disorder -------------------------------------------------
# A cut in three, given in any order (the middle part compressed): one
# sequence, as cat of the parts in order through the same awk filter.
n=$(wc -l <"$TMP/a.log")
head -n $((n / 3)) "$TMP/a.log" >"$TMP/set.3"
sed -n "$((n / 3 + 1)),$((2 * n / 3))p" "$TMP/a.log" | zstd -q >"$TMP/set.2.zst"
tail -n +$((2 * n / 3 + 1)) "$TMP/a.log" >"$TMP/set.1"
for w in "2026-11-24T10:1 2026-11-24T12:3" "2026-11-24T11 2026-11-24T11:0" \
         "2026-11-24T13 2026-11-24T15" "2026-11-24T09 2026-11-24T10:05"; do
	set -- $w
	same "set $1 $2" "{ cat '$TMP/set.3'; zstd -dc '$TMP/set.2.zst'; cat '$TMP/set.1'; } | awk -v A='$1' -v B='$2' 'substr(\$0,1,length(A)) >= A && substr(\$0,1,length(B)) < B'" \
		"'$M' range --from '$1' --to '$2' '$TMP/set.1' '$TMP/set.2.zst' '$TMP/set.3' | cat - || [ \$? = 1 ]"
	same "set -c $1 $2" "{ cat '$TMP/set.3'; zstd -dc '$TMP/set.2.zst'; cat '$TMP/set.1'; } | awk -v A='$1' -v B='$2' 'substr(\$0,1,length(A)) >= A && substr(\$0,1,length(B)) < B' | wc -l" \
		"'$M' range -c --from '$1' --to '$2' '$TMP/set.2.zst' '$TMP/set.1' '$TMP/set.3' || [ \$? = 1 ]"
done
# Two runs of a log one after the other: the window would be wrong, so it
# is an error that names two lines and the ways out.
cat "$TMP/a.log" "$TMP/a.log" >"$TMP/twice.log"
expect_fail "two runs" 2 "^mapq: $TMP/twice.log: line [0-9]+ sorts before line [0-9]+: .*--check.*--slack" \
	"'$M' range --from 2026-11-24T11 --to 2026-11-24T12 '$TMP/twice.log'"
cat "$TMP/a.log" "$TMP/a.log" | zstd -q >"$TMP/twice.zst"
# Read forward, the stream is checked as far as it is read (here: to its end).
ALLOW_OUT=1 expect_fail "two runs, zstd stream" 2 "^mapq: $TMP/twice.zst: line [0-9]+ sorts before line [0-9]+" \
	"'$M' range --from 2026-11-24T11 '$TMP/twice.zst' >/dev/null"
expect_fail "two runs, time" 2 "^mapq: $TMP/twice.log: line [0-9]+ is .* behind line [0-9]+, more than the slack \(1m\).*--check.*--slack" \
	"'$M' range --time-format iso --slack 1m --from 2026-11-24T11 --to 2026-11-24T12 '$TMP/twice.log'"
# A slack at least as long as the log makes the two runs one: the filter.
same "two runs, slack" "awk 'substr(\$0,1,13) == \"2026-11-24T11\"' '$TMP/twice.log'" \
	"'$M' range --time-format iso --slack 1d --from 2026-11-24T11 --to 2026-11-24T12 '$TMP/twice.log'"

# ---- errors ----------------------------------------------------------------
expect_fail "missing --from" 2 "^mapq range: missing --from" "'$M' range --to 2 '$TMP/a.log'"
expect_fail "bad regex" 2 "^mapq range: invalid key regex 'ts=\\(\\\\S\\+': .* at offset 7" "'$M' range --from 1 --key-regex 'ts=(\\S+' '$TMP/a.log'"
expect_fail "field 0" 2 "^mapq range: invalid field number '0'" "'$M' range --from 1 --field 0 '$TMP/a.log'"
expect_fail "field x" 2 "^mapq range: invalid field number 'x'" "'$M' range --from 1 --field x '$TMP/a.log'"
expect_fail "field -1" 2 "^mapq range: invalid field number '-1'" "'$M' range --from 1 --field -1 '$TMP/a.log'"
expect_fail "two-byte delimiter" 2 "^mapq range: invalid delimiter '::'" "'$M' range --from 1 --field 2 -d :: '$TMP/a.log'"
expect_fail "delimiter without field" 2 "^mapq range: a delimiter .* needs --field" "'$M' range --from 1 -d , '$TMP/a.log'"
expect_fail "field and regex" 2 "^mapq range: --field and --key-regex" "'$M' range --from 1 --field 2 --key-regex x '$TMP/a.log'"
expect_fail "-c and --offsets" 2 "^mapq range: -c and --offsets" "'$M' range --from 1 -c --offsets '$TMP/a.log'"
expect_fail "--check and -c" 2 "^mapq range: --check cannot" "'$M' range --check -c '$TMP/a.log'"
expect_fail "directory" 2 "^mapq: $D: Is a directory" "'$M' range --from 1 '$D'"
expect_fail "directory --check" 2 "^mapq: $D: Is a directory" "'$M' range --check '$D'"
expect_fail "missing file" 2 "^mapq: $TMP/nope: No such file or directory" "'$M' range --from 1 '$TMP/nope'"
# Damaged compressed input: an error naming the file, never a crash.
head -c 20000 "$TMP/a.zst" >"$TMP/cut.zst"
expect_fail "truncated zstd" 2 "^mapq: $TMP/cut.zst: " "'$M' range --from 2027 '$TMP/cut.zst'"
expect_fail "truncated zstd --check" 2 "^mapq: $TMP/cut.zst: " "'$M' range --check '$TMP/cut.zst'"
# Usage errors of the time options: the two-line form.
for args in "--from a --slack 1m" "--since 1h" "--from a --year 2005" \
            "--time-format '%Q' --from a" "--time-format syslog --from 'Jux 1'" \
            "--time-format iso --from a --slack x" "--time-format iso --since 1h --from a" \
            "--time-format iso --since -1h" "--time-format syslog --year 0 --from a" \
            "--time-format iso --from 2026 --to nope"; do
	expect_fail "usage: $args" 2 "^mapq range: " "'$M' range $args '$TMP/a.log' 2>&1 >/dev/null | tail -1 | grep -q \"^Try 'mapq range --help' for more information.\$\" && '$M' range $args '$TMP/a.log'"
done
expect_fail "stdin in a set" 2 "^mapq range: standard input" "'$M' range --from a - '$TMP/a.log' </dev/null"
expect_fail "unknown option" 2 "^mapq range: unrecognized option '--frob'" "'$M' range --frob"
expect_fail "missing argument" 2 "^mapq range: option '--from' requires an argument" "'$M' range --from"
expect_fail "full disk" 2 "^mapq: write error: No space left on device" "'$M' range --from 2026 '$TMP/a.log' >/dev/full"
expect_fail "full disk -c" 2 "write error" "'$M' range --from 2026 -c '$TMP/a.log' >/dev/full"
# A closed pipe ends quietly.
checks=$((checks + 1))
out=$( { "$M" range --from 2026 "$TMP/a.log" 2>"$TMP/err"; echo "$?" >"$TMP/st"; } | head -n 1)
[ "$(cat "$TMP/st")" = 0 ] && [ ! -s "$TMP/err" ] && [ -n "$out" ] ||
	fail "closed pipe: status $(cat "$TMP/st"), stderr $(cat "$TMP/err")"

finish
