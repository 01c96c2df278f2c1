#!/usr/bin/env bash
# CLI tests of streamed input (mapq(1), INPUT): pipes, FIFOs, `-`, character
# devices and /proc files are read window by window.  The reference is
# always independent of the stream path: the same command on the same bytes
# as a regular FILE (the mapped path, whose results a stream must match,
# file names aside), or GNU grep/tail/head/sed/wc on the file.  Also: early
# stop on endless input, lines printed as they arrive, the offset grep -m
# leaves on a redirected stdin, the errors of split and of several slice
# ranges on a stream, bounded memory on endless devices, zstd through a
# pipe.  Every command runs under timeout(1); one line per failed case.
# Exits 77 (skipped) when every check passed but a reference tool was
# missing (zstd, /usr/bin/time, script), 1 when a check failed.
# Usage: stream.sh MAPQ TESTDATA_DIR
. "$(dirname "$0")/lib.sh"
trap 'exit 2' HUP INT TERM # and lib.sh's EXIT trap removes $TMP
M=$1
D=$2
case $M in /*) ;; */*) M=$PWD/$M ;; esac
case $D in /*) ;; *) D=$PWD/$D ;; esac
MQ=$(printf %q "$M")
unset NO_COLOR GREP_COLORS GREP_OPTIONS
skipped=

W=$TMP/w
mkdir "$W" && cd "$W" || exit 2

for f in app.log crlf.txt no-newline.txt one-line.txt blank-lines.txt \
	long-line.txt mixed-bytes.txt; do
	cp "$D/$f" . || exit 2
done
: >empty.txt
mkfifo fifo || exit 2

# gen.txt, about 8.7 MB: short lines, empty lines, CRLF lines, wide lines
# of up to 19 KB, one line of 4.4 MB (longer than a 4 MiB scan window) in
# the middle, and a last line without a newline.
awk 'BEGIN {
	srand(7)
	pad = "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef"
	for (i = 1; i <= 60000; i++) {
		r = int(rand() * 1000)
		if (r < 30) printf "\n"
		else if (r < 100) printf "crlf line %d ERROR x\r\n", i
		else if (i == 30000) {
			printf "long "
			for (j = 0; j < 190000; j++) printf "abcdefghij ERROR %05d ", j
			printf "\n"
		} else if (r < 104) {
			printf "wide %d ", i; n = int(rand() * 300)
			for (j = 0; j < n; j++) printf "%s", pad
			printf " ERROR end\n"
		} else
			printf "%08d host-%02d %s status=%d\n", i, r % 10,
			       (r % 7 == 0 ? "ERROR" : "INFO"), 200 + r
	}
	printf "final line without newline ERROR"
}' >gen.txt
GSIZE=$(stat -c %s gen.txt)

# sorted.txt, about 6 MB: zero-padded keys, every key on three lines,
# some lines long; sorted as text on the whole line.
awk 'BEGIN {
	for (i = 0; i < 120000; i++) {
		printf "%012d payload %d", int(i / 3) * 10, i % 3
		if (i % 5000 == 4) for (j = 0; j < 2000; j++) printf " pad"
		printf "\n"
	}
}' >sorted.txt

# ---- helpers ---------------------------------------------------------------

# section TITLE: print how long the previous section took (to stdout).
section() {
	[ -n "${SEC_NAME:-}" ] && printf '%4ds  %s\n' $((SECONDS - SEC_T0)) "$SEC_NAME"
	SEC_NAME=$1 SEC_T0=$SECONDS
}

# q ARGS...: the arguments quoted for bash -c.
q() {
	local s='' a
	for a; do s+=" $(printf %q "$a")"; done
	printf %s "${s# }"
}

# norm NAME: the input's name in mapq's output (grep -l/-L lines, stats
# path, grep --json path) becomes @IN@, for NAME or, with NAME "-", for the
# names of standard input ("(standard input)", "-", "<stdin>"); the
# elapsed times of grep --json are dropped.  With NORM_BYTES=1, so are the
# bytes_searched of --json -m (a stream stops reading after the last
# selected line, a mapped file reports the window it was in).
norm() {
	local e a b c
	if [ "$1" = - ]; then
		a='\(standard input\)' b='-' c='<stdin>'
	else
		e=$(printf '%s' "$1" | sed 's#[]*^$\\/|+?(){}.[]#\\&#g')
		a=$e b=$e c=$e
	fi
	local x='s/"bytes_searched":[0-9]+/&/'
	[ "${NORM_BYTES:-0}" = 1 ] && x='s/"bytes_searched":[0-9]+/"bytes_searched":N/g'
	sed -E -e "s/^$a\$/@IN@/" -e "s/^path: $b\$/path: @IN@/" \
		-e "s/^\\{\"path\":\"$b\",/{\"path\":\"@IN@\",/" \
		-e "s/\"path\":\\{\"text\":\"$c\"\\}/\"path\":{\"text\":\"@IN@\"}/g" \
		-e 's/"elapsed(_total)?":\{[^}]*\},?//g' -e "$x" \
		-e 's/"bytes_printed":[0-9]+/"bytes_printed":N/g' # counts the name
}
export -f norm

LIMIT=60
# eqcase NAME WANT GOT [WNAME GNAME]: WANT and GOT run by bash -c under
# timeout; stdout and exit status must agree, and GOT must print nothing on
# stderr unless it fails with status 2, or, with WNAME and GNAME, what WANT
# prints there with the input's name WNAME replaced by GNAME (the message
# "binary file matches").
eqcase() {
	runref "$2"
	eqgot "$1" "$3" "${@:4}"
}
# runref WANT: run the reference of the eqgot calls that follow.
runref() {
	REF=$1
	timeout -k 5 "$LIMIT" bash -c "$REF" >"$TMP/want" 2>"$TMP/werr"
	REF_ST=$?
}
# eqgot NAME GOT [WNAME GNAME]: eqcase against the last runref.
eqgot() {
	local name=$1 want=$REF ws=$REF_ST got=$2 gs d we ge
	checks=$((checks + 1))
	timeout -k 5 "$LIMIT" bash -c "$got" >"$TMP/got" 2>"$TMP/err"
	gs=$?
	if [ "$gs" -eq 124 ] || [ "$gs" -eq 137 ]; then
		fail "$name: timed out after ${LIMIT}s: $got"
	elif [ "$ws" -eq 124 ] || [ "$ws" -eq 137 ]; then
		fail "$name: the reference timed out: $want"
	elif ! cmp -s "$TMP/want" "$TMP/got"; then
		d=$(cmp "$TMP/want" "$TMP/got" 2>&1 | head -n 1)
		fail "$name: output differs ($got  vs  $want): ${d#"$TMP/"}; $(wc -c <"$TMP/got") bytes, want $(wc -c <"$TMP/want")"
	elif [ "$gs" -ne "$ws" ]; then
		fail "$name: exit status $gs, reference $ws ($got)"
	elif [ -s "$TMP/err" ] && [ "$gs" -ne 2 ]; then
		we=$(cat "$TMP/werr") ge=$(cat "$TMP/err")
		if [ $# -lt 4 ] || [ "${we//"$3"/@IN@}" != "${ge//"$4"/@IN@}" ]; then
			fail "$name: unexpected stderr: $(head -c 200 "$TMP/err" | tr '\n' ' ')"
		fi
	fi
}

# sw NAME FILE ARGS...: `cat FILE | mapq ARGS` prints what the mapped
# `mapq ARGS FILE` prints (names aside), with its exit status.  The words
# of VAR add forms of the same stream: "dash" (`cat FILE | mapq ARGS -`),
# "fifo" (FILE written into a FIFO named on the command line), "redir"
# (`mapq ARGS < FILE`, stdin mapped).
# SAMPLE=N (the sanitizer build sets it) runs every Nth case only.
sw_count=0
sw() {
	local name=$1 f=$2 a
	shift 2
	sw_count=$((sw_count + 1))
	[ $((sw_count % ${SAMPLE:-1})) -eq 0 ] || return 0
	a=$(q "$@")
	# Only grep and stats print the input's name.
	local nf='' ns='' nff='' si='(standard input)'
	case $1 in grep | stats) nf=" | norm $f" ns=" | norm -" nff=" | norm fifo" ;; esac
	runref "$MQ $a $f$nf; exit \${PIPESTATUS[0]}"
	eqgot "$name [pipe]" "cat $f | $MQ $a$ns; exit \${PIPESTATUS[1]}" "$f" "$si"
	case " ${VAR:-} " in *" dash "*)
		eqgot "$name [-]" "cat $f | $MQ $a -$ns; exit \${PIPESTATUS[1]}" "$f" "$si" ;;
	esac
	case " ${VAR:-} " in *" fifo "*)
		eqgot "$name [fifo]" "cat $f >fifo & $MQ $a fifo$nff; s=\${PIPESTATUS[0]}; kill \$! 2>/dev/null; wait; exit \$s" "$f" fifo ;;
	esac
	case " ${VAR:-} " in *" redir "*)
		eqgot "$name [<file]" "$MQ $a <$f$ns; exit \${PIPESTATUS[0]}" "$f" "$si" ;;
	esac
}

# ---- grep, stats: stream == mapped file ----------------------------------------
section 'grep, stats: stream == mapped file'
GREP_CASES=(
	'-c ERROR'
	'-c NOPE'
	'-n -C2 ERROR'
	'-B3 ERROR'
	'-A2 -m5 ERROR'
	'-n -m3 -B2 -A4 status=5'
	'-v -c ERROR'
	'-v -n -m7 ERROR'
	'-o status=\d+'
	'-n -o ERROR\s\d+'
	'-c ^$'
	'-n \r$'
	'-l ERROR'
	'-l NOPE'
	'-L ERROR'
	'-L NOPE'
	'-q ERROR'
	'-q NOPE'
	'-b -c x'
	'--json ERROR'
	'--json -n -C1 status=5\d\d'
	'--json -o status=\d+'
	'--json NOPE'
	'-n -b --bytes=1000:500000 ERROR'
	'-n -b --bytes=:1 .'
	'-n -b --bytes=3:+100 .'
	'-n -b --bytes=5000:5M ERROR'
	'-n -b --bytes=-100000: ERROR'
	'-n -b --bytes=-5M:-3M status'
	'-n -b --bytes=-4500000:+200 .'
	'-c --bytes=2M: ERROR'
	'-n --lines=10:30 ERROR'
	'-n --lines=-20: ERROR'
	'-c --lines=5:-5 ERROR'
	'-n --lines=29990:+20 ERROR'
	'-n --lines=-40000:-30005 -m4 ERROR'
	'-c --lines=:+100 ERROR'
	'-n -C2 --lines=-30: .'
)
# The small fixtures get a shorter list.
GREP_SMALL=(
	'-c a'
	'-n -C1 a'
	'-B2 -n e'
	'-v -c e'
	'-o \w+'
	'-n -m2 -A1 ^'
	'-l a'
	'-L zzz'
	'-q zzz'
	'--json -n e'
	'-n -b --bytes=3:+9 .'
	'-n --lines=-2: .'
)
for f in app.log gen.txt empty.txt crlf.txt no-newline.txt one-line.txt \
	blank-lines.txt long-line.txt mixed-bytes.txt; do
	case $f in
	app.log | gen.txt | empty.txt) cases=("${GREP_CASES[@]}") ;;
	*) cases=("${GREP_SMALL[@]}") ;;
	esac
	for c in "${cases[@]}"; do
		read -ra args <<<"$c"
		VAR=
		case "$f $c" in
		"app.log -c ERROR" | "gen.txt -c ERROR" | "gen.txt -n -C2 ERROR" | \
			"app.log -l ERROR" | "gen.txt -L NOPE" | "empty.txt -c ERROR" | \
			"gen.txt --json ERROR" | "gen.txt -q ERROR" | "app.log -A2 -m5 ERROR")
			VAR="dash fifo redir" ;;
		esac
		sw "grep $c $f" "$f" grep "${args[@]}"
	done
	NORM_BYTES=1 sw "grep --json -m2 ERROR $f" "$f" grep --json -m2 ERROR
	VAR=
	case $f in app.log | gen.txt | empty.txt) VAR="dash fifo redir" ;; esac
	sw "stats $f" "$f" stats
	sw "stats --json $f" "$f" stats --json
	VAR=
	case $f in app.log | gen.txt | empty.txt | mixed-bytes.txt) ;; *) continue ;; esac
	for r in '-l 5:-5' '-l -10:' '-l :100' '-l 29999:30001' '-b -1M:' \
		'-b 1000:+3M' '-b 3:' '-b :17' '-b -3M:-1M'; do
		read -ra args <<<"$r"
		sw "stats $r $f" "$f" stats "${args[@]}"
		case $r in '-l -10:' | '-b 3:' | '-b -3M:-1M')
			sw "stats --json $r $f" "$f" stats --json "${args[@]}" ;;
		esac
	done
done

# Several inputs, one of them the stream: names as GNU grep prints them.
for c in '-c ERROR' '-l ERROR' '-L NOPE' '-n -m2 ERROR' '-H -c status=5'; do
	a=$(q $c)
	eqcase "grep $c - app.log" "cat app.log | grep $a - app.log" \
		"cat app.log | $MQ grep $a - app.log"
	eqcase "grep $c gen.txt -" "cat gen.txt | grep $a gen.txt -" \
		"cat gen.txt | $MQ grep $a gen.txt -"
done

# ---- slice: stream == mapped file ----------------------------------------------
section 'slice: stream == mapped file'
LINE_FORMS='1 7 100:+50 -10: -10:-3 5:-5 :30 250: 399:401 :+0 -1 : 0:0 -1000: 10:5'
LINE_FORMS_GEN='29999:30001 30000 -30001:-29999 59990: 60001 60002 -60001: -70000:-59990 59999:+10 -60002:3'
BYTE_FORMS='0 5 7:20 100:+50 -10: -10:-3 5:-5 :30 250: -1K: 1M:2M -1 : :+0 5:3 -3:-5 -100000:+10 49546: 49547'
BYTE_FORMS_GEN="4M:+10 -5M:-4M 100:4M 1M:+3M -6M:-1M 4M:-4M :5M 8M: $((GSIZE - 1)) $GSIZE $((GSIZE + 1)) -4500000:+10 2000000:+4194304 -8M:+1"
LINE_FORMS_SMALL='1 2:3 -1: -2:-1 :+2 3: -5:2 4'
BYTE_FORMS_SMALL='0 3:9 5:+4 -6: -8:-2 :7 10: -1 -100:+3 8:-3'
for f in app.log gen.txt empty.txt no-newline.txt crlf.txt; do
	lf=$LINE_FORMS bf=$BYTE_FORMS
	[ "$f" = gen.txt ] && lf="$lf $LINE_FORMS_GEN" && bf="$bf $BYTE_FORMS_GEN"
	case $f in app.log | gen.txt) ;; *) lf=$LINE_FORMS_SMALL bf=$BYTE_FORMS_SMALL ;; esac
	for r in $lf; do
		VAR=
		case "$f $r" in "app.log -10:" | "gen.txt 29999:30001" | "gen.txt -10:") VAR="dash fifo" ;; esac
		sw "slice -l $r $f" "$f" slice -l "$r"
	done
	for r in $bf; do
		VAR=
		case "$f $r" in "app.log 100:+50" | "gen.txt -5M:-4M") VAR="dash fifo" ;; esac
		sw "slice -b $r $f" "$f" slice -b "$r"
		sw "slice --align -b $r $f" "$f" slice --align -b "$r"
	done
	VAR="dash fifo"
	sw "slice $f" "$f" slice
	VAR=
done

# ---- range: stream == mapped file on sorted input ------------------------------
section 'range: stream == mapped file on sorted input'
RANGE_APP=(
	'--from 2026-11-24T00:10'
	'--from 2026-11-24T00:10 --to 2026-11-24T00:20'
	'--from 2026-11-24T00:10:0 --to 2026-11-24T00:1'
	'--from 2027'
	'--from 2025 --to 2026-11-24T00:00:2'
	'--from 2026-11-24T00:3 --to 2026-11-24T00:2'
	'--from 2026-11-24T00:46:3'
)
RANGE_SORTED=(
	'--from 000000001000 --to 000000002000'
	'--from 0000001 --to 0000002'
	'--from 000000000000 --to 000000000001'
	'--from 999999999999'
	'--from 00000039999'
	'--from 000000100000 --to 000000200005'
	'--from 000000200000 --to 000000100000'
	'--from 000000012340'
)
for o in '' -c --offsets; do
	for c in "${RANGE_APP[@]}"; do
		read -ra args <<<"$c"
		VAR=
		[ "$c" = "${RANGE_APP[1]}" ] && VAR="dash fifo redir"
		sw "range $o $c app.log" app.log range $o "${args[@]}"
	done
	for c in "${RANGE_SORTED[@]}"; do
		read -ra args <<<"$c"
		VAR=
		[ "$c" = "${RANGE_SORTED[0]}" ] && VAR="dash fifo"
		sw "range $o $c sorted.txt" sorted.txt range $o "${args[@]}"
	done
	sw "range $o --from '' --to 2026-11-24T00:05 app.log" app.log range $o --from '' --to 2026-11-24T00:05
	sw "range $o --field 1 --from 000000010000 sorted.txt" sorted.txt range $o --field 1 --from 000000010000
	sw "range $o empty.txt" empty.txt range $o --from a
done
# --check, on sorted and unsorted input.
VAR="dash fifo"
for f in app.log sorted.txt gen.txt empty.txt crlf.txt blank-lines.txt; do
	sw "range --check $f" "$f" range --check
done
VAR=
sw "range --check --from 2026-11-24T00:10 app.log" app.log range --check --from 2026-11-24T00:10
sw "range --check --field 2 app.log" app.log range --check --field 2
sw "range --check --from 00000 sorted.txt" sorted.txt range --check --from 00000
sw "range --check --field 3 sorted.txt" sorted.txt range --check --field 3

# Unsorted input: a stream is checked for order as far as it is read
# (mapq-range(1), Unsorted input).  Lines out of order are an error in all
# three forms (the lines, their count, their offsets); where none was read,
# the answer is one contiguous run of lines, the same in the three forms.
for f in gen.txt app.log; do
	for c in '--field 2 --from host-03' '--field 2 --from host-03 --to host-05' \
		'--from 0004 --to 0005' '--from crlf'; do
		a=$(q $c)
		checks=$((checks + 1))
		off=$(cat $f | timeout $LIMIT "$M" range --offsets $c 2>"$TMP/err")
		os=$?
		if [ "$os" -eq 2 ]; then
			grep -q "not sorted by the key" "$TMP/err" ||
				fail "range --offsets $c on a stream of $f: $(head -c 200 "$TMP/err")"
			for o in '' -c; do
				checks=$((checks + 1))
				cat $f | timeout $LIMIT "$M" range $o $c >/dev/null 2>&1
				[ $? -eq 2 ] || fail "range $o $c on a stream of $f: not exit 2 as --offsets"
			done
			continue
		fi
		if ! [[ $off =~ ^[0-9]+:[0-9]+$ ]] || [ "$os" -gt 1 ]; then
			fail "range --offsets $c on a stream of $f: '$off', status $os"
			continue
		fi
		eqcase "range $c on a stream of $f: lines == slice -b of its --offsets" \
			"$MQ slice -b $off $f" "cat $f | $MQ range $a; exit 0"
		eqcase "range -c $c on a stream of $f: count of those lines" \
			"$MQ slice -b $off $f | grep -c ''; exit 0" "cat $f | $MQ range -c $a; exit 0"
		s=${off%%:*}
		checks=$((checks + 1))
		[ "$s" -eq 0 ] || [ "$("$M" slice -b $((s - 1)):+1 $f | od -An -tx1 | tr -d ' ')" = 0a ] ||
			fail "range --offsets $c on a stream of $f: $off does not start at a line start"
	done
done

# ---- GNU tools on the same bytes -----------------------------------------------
section 'GNU tools on the same bytes'
for f in app.log gen.txt no-newline.txt crlf.txt empty.txt; do
	eqcase "slice -l -10: == tail -n 10 ($f)" "tail -n 10 $f" "cat $f | $MQ slice -l -10:"
	eqcase "slice -l -1: == tail -n 1 ($f)" "tail -n 1 $f" "cat $f | $MQ slice -l -1:"
	eqcase "slice -l :10 == head -n 10 ($f)" "head -n 10 $f" "cat $f | $MQ slice -l :10"
	eqcase "slice -l 5:9 == sed -n 5,9p ($f)" "sed -n 5,9p $f" "cat $f | $MQ slice -l 5:9"
	eqcase "slice -b -100: == tail -c 100 ($f)" "tail -c 100 $f" "cat $f | $MQ slice -b -100:"
	eqcase "slice -b -4K: == tail -c 4096 ($f)" "tail -c 4096 $f" "cat $f | $MQ slice -b -4K:"
	eqcase "slice -b :777 == head -c 777 ($f)" "head -c 777 $f" "cat $f | $MQ slice -b :777"
	eqcase "slice == cat ($f)" "cat $f" "cat $f | $MQ slice"
	eqcase "slice -l 2: == tail -n +2 ($f)" "tail -n +2 $f" "cat $f | $MQ slice -l 2:"
	eqcase "slice -b 10: == tail -c +11 ($f)" "tail -c +11 $f" "cat $f | $MQ slice -b 10:"
	pats="ERROR NOPE"
	case $f in app.log | gen.txt) pats="ERROR NOPE status=5 ^$" ;; esac
	for p in $pats; do
		pq=$(q "$p")
		eqcase "grep -c $p == GNU grep -c ($f)" "grep -c $pq $f" "cat $f | $MQ grep -c $pq"
		eqcase "grep -n $p <file == GNU grep -n ($f)" "grep -n $pq $f" "$MQ grep -n $pq <$f"
		eqcase "grep -n $p pipe == GNU grep -n ($f)" "grep -n $pq $f" "cat $f | $MQ grep -n $pq"
		eqcase "grep -v -c $p == GNU ($f)" "grep -v -c $pq $f" "cat $f | $MQ grep -v -c $pq"
		eqcase "grep -n -C2 -m9 $p == GNU ($f)" "grep -n -C2 -m9 $pq $f" "cat $f | $MQ grep -n -C2 -m9 $pq"
		eqcase "grep -l $p == GNU ($f)" "grep -l $pq <$f" "cat $f | $MQ grep -l $pq"
		eqcase "grep -L $p == GNU ($f)" "grep -L $pq <$f" "cat $f | $MQ grep -L $pq"
		eqcase "grep -q $p == GNU ($f)" "grep -q $pq $f" "cat $f | $MQ grep -q $pq"
	done
	eqcase "grep -c '' == wc -l, last line counted ($f)" "grep -c '' $f" "cat $f | $MQ grep -c ''"
done
eqcase "stats lines of a stream == awk NR (gen.txt)" \
	"awk 'END { print \"lines: \" NR }' gen.txt" "cat gen.txt | $MQ stats | grep '^lines:'"
eqcase "stats bytes of a stream == wc -c (gen.txt)" \
	"echo bytes: \$(wc -c <gen.txt)" "cat gen.txt | $MQ stats | grep '^bytes:'"

# ---- early stop on endless input -----------------------------------------------
section 'early stop on endless input'
# yes never ends: these must answer and exit well before the timeout.
eqcase "yes | grep -m1 y" "echo y" "yes | timeout 5 $MQ grep -m1 y; exit \${PIPESTATUS[1]}"
eqcase "yes | grep -m3 -n y" "printf '1:y\n2:y\n3:y\n'" "yes | timeout 5 $MQ grep -m3 -n y; exit \${PIPESTATUS[1]}"
eqcase "yes | grep -c -m 100000 y" "echo 100000" "yes | timeout 5 $MQ grep -c -m 100000 y; exit \${PIPESTATUS[1]}"
eqcase "yes | slice -l :3" "printf 'y\ny\ny\n'" "yes | timeout 5 $MQ slice -l :3; exit \${PIPESTATUS[1]}"
eqcase "yes | slice -l 1000:+2" "printf 'y\ny\n'" "yes | timeout 5 $MQ slice -l 1000:+2; exit \${PIPESTATUS[1]}"
eqcase "yes | slice -b 10:+5" "printf 'y\ny\ny'" "yes | timeout 5 $MQ slice -b 10:+5; exit \${PIPESTATUS[1]}"
eqcase "yes | slice --align -b 10:+5" "printf 'y\ny\ny\n'" "yes | timeout 5 $MQ slice --align -b 10:+5; exit \${PIPESTATUS[1]}"
eqcase "yes | grep -q y" "true" "yes | timeout 5 $MQ grep -q y; exit \${PIPESTATUS[1]}"
eqcase "yes | grep -l y" "echo '(standard input)'" "yes | timeout 5 $MQ grep -l y; exit \${PIPESTATUS[1]}"
eqcase "yes | grep -L y" "true" "yes | timeout 5 $MQ grep -L y; exit \${PIPESTATUS[1]}"
eqcase "yes | grep -c --lines=:5 y" "echo 5" "yes | timeout 5 $MQ grep -c --lines=:5 y; exit \${PIPESTATUS[1]}"
eqcase "yes | grep -n --bytes=20:+6 y" "printf '11:y\n12:y\n13:y\n'" "yes | timeout 5 $MQ grep -n --bytes=20:+6 y; exit \${PIPESTATUS[1]}"
eqcase "yes | stats -l :5 bytes" "echo 'bytes: 10'" "yes | timeout 5 $MQ stats -l :5 | grep '^bytes:'; exit \${PIPESTATUS[1]}"
eqcase "yes | range --from a --to b -c" "echo 0; exit 1" "yes | timeout 5 $MQ range --from a --to b -c; exit \${PIPESTATUS[1]}"
eqcase "seq | range --from/--to: window ended" "printf '%09d\n' 100 101 102 103 104" \
	"seq -w 1 999999999 | timeout 5 $MQ range --from 000000100 --to 000000105; exit \${PIPESTATUS[1]}"
eqcase "seq | range --offsets: window ended" "echo 990:1040" \
	"seq -w 1 999999999 | timeout 5 $MQ range --from 000000100 --to 000000105 --offsets; exit \${PIPESTATUS[1]}"

# A slow writer: answers decided by the first lines come before the writer
# ends (GNU grep -m1 and -q do so too).  The writer writes the first lines,
# then holds the pipe open until the command has exited (or 30 s have
# passed: then the command waited for the end of the data, which is the
# failure), then writes one more line.  No speed threshold: the command
# must end while the pipe is still open, however slow the machine.
slow_case() {
	local name=$1 first=$2 want=$3 cmd=$4 st
	checks=$((checks + 1))
	rm -f "$TMP/ended" "$TMP/late"
	timeout 60 bash -c "$cmd" >"$TMP/slow" 2>"$TMP/err" \
		< <(printf '%s' "$first"
		    for _ in $(seq 300); do [ -e "$TMP/ended" ] && break; sleep 0.1; done
		    [ -e "$TMP/ended" ] || : >"$TMP/late"
		    echo late)
	st=$?
	: >"$TMP/ended"
	sleep 0.3 # let the writer see it
	if [ -e "$TMP/late" ]; then
		fail "$name: waited for the end of the data, though the answer was decided by the first line ($cmd)"
	elif [ "$(cat "$TMP/slow")" != "$want" ]; then
		fail "$name: printed '$(head -c 100 "$TMP/slow")', want '$want'"
	elif [ "$st" -ne 0 ]; then
		fail "$name: exit status $st"
	fi
}
first=$'aaaa\nbbbb\n' fl=aaaa
slow_case "slow writer ($fl...): grep -m1" "$first" "$fl" "$MQ grep -m1 $fl"
slow_case "slow writer ($fl...): grep -q" "$first" "" "$MQ grep -q $fl"
slow_case "slow writer ($fl...): grep -c -m1" "$first" 1 "$MQ grep -c -m1 $fl"
slow_case "slow writer ($fl...): slice -l 1" "$first" "$fl" "$MQ slice -l 1"
slow_case "slow writer ($fl...): slice -b :2" "$first" "${first:0:2}" "$MQ slice -b :2"
slow_case "slow writer ($fl...): stats -l 1" "$first" "lines: 1" "$MQ stats -l 1 | grep '^lines:'"
slow_case "slow writer ($fl...): range window ended" "$first" "$fl" "$MQ range --from $fl --to ${fl}0"
# The same when the first write is shorter than 4 bytes (the size of a
# zstd magic number): the command must not wait for more.
first=$'a\n' fl=a
slow_case "slow writer ($fl...): grep -m1" "$first" "$fl" "$MQ grep -m1 $fl"
slow_case "slow writer ($fl...): slice -l 1" "$first" "$fl" "$MQ slice -l 1"

# ---- lines printed as they arrive ----------------------------------------------
section 'lines printed as they arrive'
# arrive NAME CMD WANT: `(echo ERROR 1; echo info; WAIT; echo ERROR 2) |
# CMD >out`, where WAIT holds the pipe open until out holds "ERROR 1" (the
# line was printed before the writer ended: the check) or 30 s have passed
# (it was not: the failure).  No speed threshold.
writer() { # writer OUT: the lines, holding the pipe open as said above
	echo 'ERROR 1'
	echo info
	for _ in $(seq 300); do
		grep -q 'ERROR 1' "$1" 2>/dev/null && { echo 'ERROR 2'; return; }
		sleep 0.1
	done
	: >"$TMP/late"
	echo 'ERROR 2'
}
arrive() {
	local name=$1 cmd=$2
	checks=$((checks + 1))
	: >"$TMP/arr"
	rm -f "$TMP/late"
	writer "$TMP/arr" | timeout 60 bash -c "$cmd" >"$TMP/arr" 2>/dev/null
	if [ -e "$TMP/late" ]; then
		fail "$name: 'ERROR 1' not printed before the writer ended ($cmd)"
	elif [ "$(cat "$TMP/arr")" != "$3" ]; then
		fail "$name: printed '$(head -c 100 "$TMP/arr" | tr '\n' '|')' in the end"
	fi
}
arrive "pipe: grep --line-buffered" "$MQ grep --line-buffered ERROR" $'ERROR 1\nERROR 2'
arrive "pipe: grep --line-buffered -n -A1" "$MQ grep --line-buffered -n -A1 ERROR" $'1:ERROR 1\n2-info\n3:ERROR 2'
arrive "pipe: grep --line-buffered -" "$MQ grep --line-buffered ERROR -" $'ERROR 1\nERROR 2'
arrive "fifo: grep --line-buffered" "exec 3<&0; cat <&3 >fifo & $MQ grep --line-buffered ERROR fifo; wait" $'ERROR 1\nERROR 2'
arrive "pipe: slice -l 1: (a line range without end)" "$MQ slice -l 1:" $'ERROR 1\ninfo\nERROR 2'
# tail -f: lines appended to a log are printed as they come.  The second
# line is appended only once the first has been printed (or after 30 s:
# the failure).
checks=$((checks + 1))
printf 'INFO start\n' >tail.log
: >"$TMP/arr"
rm -f "$TMP/late"
(echo 'ERROR 1' >>tail.log
 for _ in $(seq 300); do grep -q 'ERROR 1' "$TMP/arr" && break; sleep 0.1; done
 grep -q 'ERROR 1' "$TMP/arr" || : >"$TMP/late"
 echo 'ERROR 2' >>tail.log; sleep 1) &
wpid=$!
timeout 60 tail -s 0.2 -f --pid=$wpid tail.log | timeout 60 "$M" grep --line-buffered ERROR >"$TMP/arr"
wait $wpid
[ -e "$TMP/late" ] && fail "tail -f | grep --line-buffered: 'ERROR 1' not printed before the next line was written"
[ "$(cat "$TMP/arr")" = $'ERROR 1\nERROR 2' ] ||
	fail "tail -f | grep --line-buffered: printed '$(tr '\n' '|' <"$TMP/arr")'"
# A terminal on stdout flushes each line without --line-buffered.
if command -v script >/dev/null; then
	# script(1) gives the command a terminal for stdin too: the pipe comes
	# in through file descriptor 7 instead.
	checks=$((checks + 1))
	: >"$TMP/arr"
	rm -f "$TMP/late"
	writer "$TMP/arr" |
		{ timeout 60 script -qec "$MQ grep ERROR /dev/fd/7" /dev/null 7<&0 </dev/null >"$TMP/arr"; }
	[ -e "$TMP/late" ] && fail "terminal stdout (input through /dev/fd/7): 'ERROR 1' not printed before the writer ended"
	[ "$(tr -d '\r' <"$TMP/arr")" = $'ERROR 1\nERROR 2' ] ||
		fail "terminal stdout: printed '$(tr '\r\n' '||' <"$TMP/arr")'"
else
	skipped="$skipped script"
fi

# ---- grep -m on a redirected stdin: the offset after the last selected line ---
section 'grep -m on a redirected stdin'
for f in app.log gen.txt; do
	pats=(ERROR status=5 host-03)
	[ $f = gen.txt ] && pats+=('wide \d+')
	for p in "${pats[@]}"; do
		for m in 1 3; do
			pq=$(q "$p")
			eqcase "{ grep -m$m $p; cat; } <$f (GNU grep)" \
				"{ grep -P -m$m $pq; s=\$?; cat; exit \$s; } <$f" \
				"{ $MQ grep -m$m $pq; s=\$?; cat; exit \$s; } <$f"
		done
	done
	eqcase "{ grep -m2 -c ERROR; cat; } <$f (GNU grep)" \
		"{ grep -m2 -c ERROR; cat; } <$f" "{ $MQ grep -m2 -c ERROR; cat; } <$f"
	eqcase "{ grep -m1 -n -A2 ERROR; cat; } <$f (GNU grep)" \
		"{ grep -m1 -n -A2 ERROR; cat; } <$f" "{ $MQ grep -m1 -n -A2 ERROR; cat; } <$f"
	eqcase "{ head -n 3; grep -m1 ERROR; cat; } <$f (GNU grep)" \
		"{ head -n 3; grep -m1 ERROR; cat; } <$f" "{ head -n 3; $MQ grep -m1 ERROR; cat; } <$f"
	eqcase "{ grep -m1 ERROR; grep -m1 ERROR; cat; } <$f (GNU grep)" \
		"{ grep -m1 ERROR; grep -m1 ERROR; cat; } <$f" "{ $MQ grep -m1 ERROR; $MQ grep -m1 ERROR; cat; } <$f"
	# -m N not reached: GNU grep has read the whole file.
	eqcase "{ grep -m1 NOPE; cat; } <$f (GNU grep: -m not reached)" \
		"{ grep -m1 NOPE; s=\$?; cat; exit \$s; } <$f" "{ $MQ grep -m1 NOPE; s=\$?; cat; exit \$s; } <$f"
	eqcase "{ grep -m100000 ERROR; cat; } <$f (GNU grep: -m not reached)" \
		"{ grep -m100000 ERROR; cat; } <$f" "{ $MQ grep -m100000 ERROR; cat; } <$f"
done

# ---- errors: what a stream cannot do -------------------------------------------
section 'errors: what a stream cannot do'
expect_fail "split -n 2 on a pipe" 2 'standard input' "cat app.log | timeout $LIMIT $MQ split -n 2; exit \${PIPESTATUS[1]}"
expect_fail "split -n 2 - on a pipe" 2 'standard input' "cat app.log | timeout $LIMIT $MQ split -n 2 -; exit \${PIPESTATUS[1]}"
expect_fail "split --lines -n 3 on a pipe" 2 'standard input' "cat gen.txt | timeout $LIMIT $MQ split --lines -n 3; exit \${PIPESTATUS[1]}"
expect_fail "split -n 2 on a FIFO" 2 'fifo' "cat app.log >fifo & timeout $LIMIT $MQ split -n 2 fifo; s=\$?; kill \$! 2>/dev/null; wait; exit \$s"
expect_fail "slice -l 1 -l -1: on a pipe" 2 'standard input' "cat app.log | timeout $LIMIT $MQ slice -l 1 -l -1:; exit \${PIPESTATUS[1]}"
expect_fail "slice -b :10 -l 3 on a pipe" 2 'standard input' "cat app.log | timeout $LIMIT $MQ slice -b :10 -l 3; exit \${PIPESTATUS[1]}"
expect_fail "slice -l 1 -l 2 - on a pipe" 2 'standard input' "cat app.log | timeout $LIMIT $MQ slice -l 1 -l 2 -; exit \${PIPESTATUS[1]}"
expect_fail "slice -l 1 -l -1: on a FIFO" 2 'fifo' "cat app.log >fifo & timeout $LIMIT $MQ slice -l 1 -l -1: fifo; s=\$?; kill \$! 2>/dev/null; wait; exit \$s"
# ... but a regular file on stdin is a file.
eqcase "split -n 2 <file == split -n 2 file" "$MQ split -n 2 app.log" "$MQ split -n 2 <app.log"
eqcase "slice -l 1 -l -1: <file == file" "$MQ slice -l 1 -l -1: gen.txt" "$MQ slice -l 1 -l -1: <gen.txt"
# ... and the other files of the command line are still processed.
checks=$((checks + 1))
out=$(cat app.log | timeout $LIMIT "$M" slice -l 1 -l -1: - no-newline.txt 2>/dev/null)
st=$?
[ "$st" -eq 2 ] && [ "$out" = "$("$M" slice -l 1 -l -1: no-newline.txt)" ] ||
	fail "slice -l 1 -l -1: - FILE on a pipe: status $st (want 2), FILE's ranges must still be printed"

# ---- character devices and /proc files -----------------------------------------
section 'character devices and /proc files'
eqcase "grep -c x /dev/null == GNU" "grep -c x /dev/null" "$MQ grep -c x /dev/null"
eqcase "slice /dev/null" "true" "$MQ slice /dev/null"
eqcase "stats /dev/null == stats of an empty file" "$MQ stats empty.txt | norm empty.txt" "$MQ stats /dev/null | norm /dev/null"
eqcase "slice -b :5 /dev/zero == head -c 5" "head -c 5 /dev/zero" "$MQ slice -b :5 /dev/zero"
eqcase "slice -b 1M:+3 /dev/zero" "head -c 3 /dev/zero" "$MQ slice -b 1M:+3 /dev/zero"
eqcase "stats -b :1M /dev/zero: bytes, nul_bytes" "printf 'bytes: 1048576\nnul_bytes: 1048576\n'" \
	"$MQ stats -b :1M /dev/zero | grep -E '^(bytes|nul_bytes):'"
eqcase "slice -l :2 /dev/urandom: two newlines" "echo 2" "$MQ slice -l :2 /dev/urandom | tr -cd '\\n' | wc -c"
eqcase "stats -b :100K /dev/urandom: bytes" "echo 'bytes: 102400'" "$MQ stats -b :100K /dev/urandom | grep '^bytes:'"
for p in /proc/version /proc/filesystems /proc/self/limits; do
	[ -r "$p" ] || continue
	eqcase "slice $p == cat" "cat $p" "$MQ slice $p"
	eqcase "grep -c . $p == GNU" "grep -c . $p" "$MQ grep -c . $p"
	eqcase "slice -l -2: $p == tail" "tail -n 2 $p" "$MQ slice -l -2: $p"
done
cp /proc/filesystems procfs.txt
eqcase "stats /proc/filesystems == stats of a copy" "$MQ stats procfs.txt | norm procfs.txt" \
	"$MQ stats /proc/filesystems | norm /proc/filesystems"

# Endless devices: killed by the timeout (status 124), never an error,
# and resident memory stays below 64 MiB.  /usr/bin/time reports the peak
# of timeout(1) and of the mapq it waited for.  (Not measured in a
# sanitizer build, whose shadow memory and quarantine count as resident.)
asan=0
grep -qa -e __asan_init -e __tsan_init -e __msan_init "$M" && asan=1
if [ -x /usr/bin/time ]; then
	rss_case() { # rss_case NAME CMD (CMD runs under timeout 3)
		local name=$1 cmd=$2 st rss
		checks=$((checks + 1))
		bash -c "$cmd" >/dev/null 2>"$TMP/err"
		st=$?
		rss=$(tail -n 1 "$TMP/rss" 2>/dev/null)
		if [ "$st" -ne 124 ]; then
			fail "$name: exit status $st, want 124 (killed by timeout): $(head -c 200 "$TMP/err" | tr '\n' ' ')"
		elif [ -s "$TMP/err" ]; then
			fail "$name: unexpected stderr: $(head -c 200 "$TMP/err" | tr '\n' ' ')"
		elif [ "$asan" = 0 ] && { ! [[ $rss =~ ^[0-9]+$ ]] || [ "$rss" -ge 65536 ]; }; then
			fail "$name: peak RSS ${rss} KiB, want < 65536"
		fi
	}
	T="/usr/bin/time -f %M -o $TMP/rss timeout"
	rss_case "timeout 3 grep -c x /dev/zero" "$T 3 $MQ grep -c x /dev/zero"
	rss_case "grep -a -B5 -c x /dev/zero" "$T 2 $MQ grep -a -B5 -c x /dev/zero"
	rss_case "grep -a -B5 -n zzzzzzzzzzzz /dev/urandom" "$T 2 $MQ grep -a -B5 -n zzzzzzzzzzzz /dev/urandom"
	rss_case "stats /dev/zero" "$T 2 $MQ stats /dev/zero"
	rss_case "slice -b -4K: /dev/zero" "$T 2 $MQ slice -b -4K: /dev/zero"
	rss_case "slice -l -10: /dev/urandom" "$T 2 $MQ slice -l -10: /dev/urandom"
	rss_case "yes | grep -v -B3 y" "yes | $T 2 $MQ grep -v -B3 y; exit \${PIPESTATUS[1]}"
	rss_case "yes | slice -l -10:" "yes | $T 2 $MQ slice -l -10:; exit \${PIPESTATUS[1]}"
	rss_case "yes | range --from a -c" "yes | $T 2 $MQ range --from a -c; exit \${PIPESTATUS[1]}"
else
	skipped="$skipped /usr/bin/time"
fi

# ---- zstd through a pipe -------------------------------------------------------
section 'zstd through a pipe'
if command -v zstd >/dev/null; then
	zstd -q -c app.log >app.zst
	zstd -q -c gen.txt >gen.zst
	cat app.zst gen.zst >both.zst
	cat app.log gen.txt >both.txt
	"$M" compress gen.txt >gen.seek.zst
	for f in app.log gen.txt empty.txt; do
		eqcase "zstd | grep -c ERROR ($f)" "grep -c ERROR $f" "zstd -q -c $f | $MQ grep -c ERROR"
		eqcase "zstd | grep -n -C1 status=5 ($f)" "grep -n -C1 status=5 $f" "zstd -q -c $f | $MQ grep -n -C1 status=5"
		eqcase "zstd | slice -l -3: ($f)" "tail -n 3 $f" "zstd -q -c $f | $MQ slice -l -3:"
		eqcase "zstd | slice -l 10:20 ($f)" "sed -n 10,20p $f" "zstd -q -c $f | $MQ slice -l 10:20"
		eqcase "zstd | slice -b -5000: ($f)" "tail -c 5000 $f" "zstd -q -c $f | $MQ slice -b -5000:"
		eqcase "zstd | stats ($f)" "$MQ stats $f | norm $f" "zstd -q -c $f | $MQ stats | norm -"
	done
	eqcase "cat a.zst b.zst | slice == cat a b" "cat both.txt" "cat app.zst gen.zst | $MQ slice"
	eqcase "cat a.zst b.zst | grep -c ERROR" "grep -c ERROR both.txt" "cat both.zst | $MQ grep -c ERROR"
	eqcase "cat a.zst b.zst | slice -l 398:403" "sed -n 398,403p both.txt" "cat both.zst | $MQ slice -l 398:403"
	eqcase "cat a.zst b.zst | slice --align -b 49000:+2000" "$MQ slice --align -b 49000:+2000 both.txt" "cat both.zst | $MQ slice --align -b 49000:+2000"
	eqcase "cat a.zst b.zst | grep -n -b --bytes=49000:+2000 ." "$MQ grep -n -b --bytes=49000:+2000 . both.txt" "cat both.zst | $MQ grep -n -b --bytes=49000:+2000 ."
	printf '\x5a\x2a\x4d\x18\x05\x00\x00\x00hello' >skip.bin
	eqcase "skippable frames | slice" "cat both.txt" "cat skip.bin app.zst skip.bin gen.zst | $MQ slice"
	eqcase "mapq compress | slice -l -3:" "tail -n 3 gen.txt" "cat gen.seek.zst | $MQ slice -l -3:"
	eqcase "mapq compress | grep -c ERROR" "grep -c ERROR gen.txt" "cat gen.seek.zst | $MQ grep -c ERROR"
	eqcase "zstd FIFO | slice -l -3:" "tail -n 3 gen.txt" "zstd -q -c gen.txt >fifo & $MQ slice -l -3: fifo; s=\$?; kill \$! 2>/dev/null; wait; exit \$s"
	eqcase "endless zstd | grep -m1 ERROR: early stop" "echo 'ERROR line'" "yes 'ERROR line' | zstd -q -c | timeout 10 $MQ grep -m1 ERROR; exit \${PIPESTATUS[2]}"
	eqcase "zstd | range" "$MQ range --from 000000001000 --to 000000002000 sorted.txt" \
		"zstd -q -c sorted.txt | $MQ range --from 000000001000 --to 000000002000"
	eqcase "zstd | range --check" "$MQ range --check gen.txt" "zstd -q -c gen.txt | $MQ range --check"
	expect_fail "zstd | split -n 2" 2 'standard input' "zstd -q -c gen.txt | timeout $LIMIT $MQ split -n 2; exit \${PIPESTATUS[1]}"
	expect_fail "zstd | slice -l 1 -l 2" 2 'standard input' "zstd -q -c gen.txt | timeout $LIMIT $MQ slice -l 1 -l 2; exit \${PIPESTATUS[1]}"
	eqcase "zstd | slice --no-decompress == the raw bytes" "cat gen.zst" "cat gen.zst | $MQ slice --no-decompress"
else
	skipped="$skipped zstd"
fi

section ""
if [ -n "$skipped" ]; then
	echo "not installed, checks skipped:$skipped"
	if [ "$fails" -eq 0 ]; then
		finish
		exit 77
	fi
fi
finish
