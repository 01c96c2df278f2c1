#!/usr/bin/env bash
# CLI tests of `mapq grep -z` (--null-data): lines are records that end
# with a NUL byte, in the input and in the output.  The oracle is GNU grep
# 3.8 with -z, run as `LC_ALL=C.UTF-8 grep -zP ARGS` (-F or -E where -P
# cannot take several patterns; LC_ALL=C for bytes that are not UTF-8,
# which GNU grep would otherwise call binary): stdout bytes, exit status
# and stderr (with "grep:" read as "mapq:") must agree, over records with
# newlines inside, empty records, CRLF, with and without a final NUL, on
# files and on pipes.  --bytes has no GNU counterpart: the records that
# start in the range are picked from `grep -zb ''` with awk.  --json is
# compared with `rg -P --null-data --json` when ripgrep is installed.
# Usage: grep_null_data.sh MAPQ TESTDATA_DIR
. "$(dirname "$0")/lib.sh"
M=$1
need rg
case $M in /*) ;; */*) M=$PWD/$M ;; esac
unset GREP_COLORS GREP_COLOR GREP_OPTIONS NO_COLOR RIPGREP_CONFIG_PATH
MQ=$(printf %q "$M")
G="LC_ALL=C.UTF-8 grep"
v=$(grep --version | head -n 1)
[ "$v" = "grep (GNU grep) 3.8" ] || echo "note: the oracle is GNU grep 3.8, this is '$v'"

W=$TMP/w
mkdir "$W" && cd "$W" || exit 2
# Records with newlines inside, empty ones, CRLF; t.z ends with a NUL,
# nt.z does not.
printf 'alpha one\0beta\ntwo\0\0gamma\r\n\0a\nb\nc\0delta alpha\0\0\0caf\303\251 alpha\0' >t.z
printf 'alpha one\0beta\ntwo\0\0gamma\r\n\0a\nb\nc\0delta alpha\0\0\0last alpha' >nt.z
printf 'one\r\0two alpha\r\0\r\0three\r\n\0' >crlf.z
printf 'no nul at all\nalpha\nbeta\n' >nonul.z
printf '\0' >nul.z
: >empty.z
# Enough records that MAPQ_GREP_PIECE=64 cuts them into many pieces.
for i in $(seq 1 300); do
	case $((i % 7)) in
	0) printf 'rec %d alpha\nsecond line\0' "$i" ;;
	3) printf '\0' ;;
	5) printf 'beta %d\n\nalpha\0' "$i" ;;
	*) printf 'rec %d\0' "$i" ;;
	esac
done >big.z
# Records without newlines, for --bytes (the reference reads them as lines).
for i in $(seq 1 60); do
	case $((i % 4)) in
	0) printf 'w%d alpha\0' "$i" ;;
	1) printf '\0' ;;
	*) printf 'w%d\0' "$i" ;;
	esac
done >flat.z
printf 'text \200\201 alpha\0other\0' >bytes.z

. "$CLI_DIR/grep_oracle.sh" || exit 2

# --- patterns against grep -zP: what a record is to the pattern ---------

files="t.z nt.z crlf.z nonul.z nul.z empty.z big.z"
for f in $files; do
	for p in alpha '^a' 'a$' '^$' '' 'b.c' 'b\sc' 'b[^x]c' '^beta\ntwo$' 'two$' \
		'a\r$' '\r' 'a\Rb' '(?m)^b' 'ph.' '\Aa' 'a\z' 'alpha\Z' 'line$'; do
		gp -z "$p" "$f"
		gp -zc "$p" "$f"
	done
done

# --- options ------------------------------------------------------------

for f in $files; do
	for o in -n -b -o -v -x -w -i -H -nb -ob -on -vn -vc -l -L -q '-A 1' '-B 2' \
		'-C 1' '-m 2' '-m 1 -A 2' '-m 2 -c' '-n -C 2' '-v -A 1' '-o -i' '-x -n' \
		'-c -v' '-bn -B 1'; do
		# shellcheck disable=SC2086 # $o is several options
		{
			gp -z $o alpha "$f"
			gp -z $o 'a$' "$f"
			gp -z $o 'b\nc' "$f"
			# (grep -v with one empty pattern reads nothing, even
			# with -c: not a matter of -z, left out here.)
			case $o in -vc | '-c -v') ;; *) gp -z $o '' "$f" ;; esac
		}
	done
	gp -z -x 'a\nb\nc' "$f"
	gp -z -w 'two' "$f"
	gp -z -i 'ALPHA' "$f"
	gp -z --color=always -n 'alpha|beta' "$f"
	gp -z -Z -l alpha "$f" t.z
	gp -z -c alpha "$f" t.z
	# Several patterns: grep -P takes one, grep -F and -E any number.
	ref -F -zF -e alpha -e 'beta' "$f"
	ref -F -zF -n -e rec -e '' "$f"
	ref -F -zF -x -e 'rec 5' -e 'w2' -e 'two alpha' "$f"
	ref -F -zF -o -e alpha -e ph "$f"
	ref -E -z -e '^beta' -e 'one$' -e gamma "$f"
	ref -E -z -c -e '^$' -e 'c$' "$f"
done

# --- pipes and standard input --------------------------------------------

for f in t.z nt.z big.z crlf.z; do
	q=$(printf %q "$f")
	for o in '' -n -nb -c '-B 2 -n' '-A 1' '-m 3' -o -v; do
		oracle "pipe grep -z $o alpha $f" "$G -zP $o alpha <$q" \
			"cat $q | $MQ grep -z $o alpha"
		oracle "pipe grep -z $o '^\$' $f" "$G -zP $o '^\$' <$q" \
			"cat $q | $MQ grep -z $o '^\$'"
	done
	oracle "stdin grep -zH -n a $f" "$G -zP -H -n a <$q" "$MQ grep -zH -n a <$q"
done

# --- binary data: a NUL cannot be the sign ----------------------------------

for o in '' -a -I --binary-files=without-match -c; do
	# shellcheck disable=SC2086 # $o is an option or nothing
	{
		oracle "grep -z $o alpha bytes.z (C)" "LC_ALL=C grep -zP $o alpha bytes.z" \
			"$MQ grep -z $o alpha bytes.z"
		oracle "grep -z $o alpha t.z (C)" "LC_ALL=C grep -zP $o alpha t.z" \
			"$MQ grep -z $o alpha t.z"
	}
done

# --- --bytes: the records that start in the range ---------------------------

size=$(wc -c <flat.z)
# want START END PAT OPTS...: the records of flat.z starting in
# [START, END) that contain PAT, as -z -n -b prints them.
# The status is grep's: 1 when no record is printed.
want() {
	grep -znb '' flat.z | tr '\0' '\n' |
		awk -F: -v s="$1" -v e="$2" -v p="$3" '$2 >= s && $2 < e && index($0, p)' |
		tr '\n' '\0' >"$TMP/bytes.want"
	cat "$TMP/bytes.want"
	[ -s "$TMP/bytes.want" ]
}
for r in 0:10 5:40 17:18 18:19 0:1 1: :1 30: :50 0:+7 12:+0 40:10 0:999 200: \
	-20: :-10 -30:-5 -1: 0; do
	s=${r%%:*} e=${r#*:}
	[ "$r" = 0 ] && e=+1
	case $s in -*) s=$((size + s)) ;; '') s=0 ;; esac
	case $e in -*) e=$((size + e)) ;; +*) e=$((s + ${e#+})) ;; '') e=$size ;; esac
	[ "$s" -lt 0 ] && s=0
	[ "$e" -gt "$size" ] && e=$size
	oracle "grep -z -nb --bytes=$r alpha flat.z" "want $s $e alpha" \
		"$MQ grep -z -nb --bytes=$r alpha flat.z"
	oracle "grep -z -nb --bytes=$r w flat.z" "want $s $e w" \
		"$MQ grep -z -nb --bytes=$r w flat.z"
	case $r in
	-*|*:-*)
		# A stream cannot know where a range counted from its end is.
		expect_fail "pipe --bytes=$r -z" 2 "^mapq: .*counted from the end" \
			"cat flat.z | $MQ grep -z --bytes=$r alpha"
		;;
	*)
		oracle "pipe grep -z -nb --bytes=$r w" "want $s $e w" \
			"cat flat.z | $MQ grep -z -nb --bytes=$r w"
		;;
	esac
done

# --- --lines is refused -------------------------------------------------

expect_fail "--lines with -z" 2 "^mapq grep: --lines cannot be used with -z" \
	"$MQ grep -z --lines=1:2 alpha t.z"
expect_fail "--lines with -z (hint)" 2 "^Try 'mapq grep --help'" \
	"$MQ grep --lines=2 --null-data alpha t.z"

# --- --json against ripgrep -------------------------------------------------

# Begin, match and context messages, byte for byte (end and summary
# hold times).
msgs="grep -E '^\\{\"type\":\"(begin|match|context)\",'"
for f in t.z nt.z big.z crlf.z; do
	for o in '' '-A 1' '-B 2' '-C 1' '-m 2' -v; do
		oracle "json -z $o alpha $f" "rg -P --null-data --json $o alpha $f | $msgs" \
			"$MQ grep -z --json $o alpha $f | $msgs"
	done
done

finish
