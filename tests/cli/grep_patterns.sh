#!/usr/bin/env bash
# CLI tests of `mapq grep` with several patterns: big -F sets, regex sets,
# the leftmost-longest match of a set, patterns that must not reach into
# each other, newline verbs, bytes that are not UTF-8.  The oracle is GNU
# grep 3.8: `grep -F -f` for fixed strings, `grep -E -e A -e B` where the
# syntaxes agree (GNU grep -P takes one pattern only), `grep -P` for one
# pattern; in the C locale where the data is not UTF-8 (mapq matches bytes
# where grep would call the file binary).  Big pattern lists and inputs are
# generated here.
# Usage: grep_patterns.sh MAPQ TESTDATA_DIR
. "$(dirname "$0")/lib.sh"
M=$1
need jq
case $M in /*) ;; */*) M=$PWD/$M ;; esac
unset GREP_COLORS GREP_COLOR GREP_OPTIONS NO_COLOR
MQ=$(printf %q "$M")
v=$(grep --version | head -n 1)
[ "$v" = "grep (GNU grep) 3.8" ] || echo "note: the oracle is GNU grep 3.8, this is '$v'"
W=$TMP/w
mkdir "$W" && cd "$W" || exit 2

# The comparison: grep_oracle.sh's oracle, with more time for the big sets.
ORACLE_TIMEOUT=120
. "$CLI_DIR/grep_oracle.sh" || exit 2
# ref LOCALE REFOPT ARGS...: mapq grep ARGS against grep REFOPT ARGS in
# LOCALE (REFOPT: -E, -P or '' for grep's syntax; mapq's is PCRE2's).
ref() {
	local loc=$1 r=$2 a
	shift 2
	a=$(q "$@")
	oracle "grep $r $a" "LC_ALL=$loc grep $r $a" "$MQ grep $a"
}
utf() { ref C.UTF-8 '' "$@"; }
cl() { ref C '' "$@"; }
eutf() { ref C.UTF-8 -E "$@"; }
ecl() { ref C -E "$@"; }
putf() { ref C.UTF-8 -P "$@"; }

# --- the data ----------------------------------------------------------
# A log of 20,000 lines with ids, users and words; a line with bytes that
# are not UTF-8; CR inside lines.
awk 'BEGIN {
	srand(11)
	split("alpha beta gamma delta error warn info debug foo foobar bar", w, " ")
	for (i = 0; i < 20000; i++)
		printf "%05d user=u%d req=%x %s %s dur=%d.%d\n", i, int(rand() * 3000),
			int(rand() * 1000000), w[1 + int(rand() * 11)], w[1 + int(rand() * 11)],
			int(rand() * 100), int(rand() * 10)
}' >log.txt
printf 'plain\nbyte \377 here\n\377\376\nmixed caf\303\251 \377x\nend\n' >bytes.txt
printf 'a\rb\nab\r\nx\ra\r\nab\n' >cr.txt
printf 'abc\nabcd\nxabc\n\\Qabc\n' >q.txt
printf 'xfoobar foo bar\naab abb\nooo\nfoo.bar\n' >ll.txt

# Fixed-string lists: literals from the log (some prefixes of others,
# some one or two bytes long), others that never occur.
{
	awk 'NR % 37 == 0 { print $2 } NR % 53 == 0 { print $3 } NR % 101 == 0 { print substr($3, 1, 7) }' log.txt
	printf '%s\n' foo foobar oba r 'a ' 'user=u1' zz9q 'req=ff'
	awk 'BEGIN { srand(3); for (i = 0; i < 300; i++) { s = ""; for (j = 0; j < 9; j++) s = s sprintf("%c", 97 + int(rand() * 26)); print "q" s } }'
} >f1k
awk 'BEGIN { srand(5); for (i = 0; i < 100000; i++) printf "user=u%d req=\n", int(rand() * 200000) }' >f100k
awk 'NR % 3 == 0 { print $3 } NR % 7 == 0 { print $2 " " }' log.txt >>f100k

# --- -F -f: big sets of strings ------------------------------------------
for o in '' -c -o -n '-o -b' --color=always -v -w -x -i '-o -i' '-c -w -i'; do
	# shellcheck disable=SC2086 # $o holds zero, one or two options
	cl $o -F -f f1k log.txt
done
for o in -c -o '-c -i'; do
	# shellcheck disable=SC2086
	cl $o -F -f f100k log.txt
done
# Whole lines as the patterns: -x with thousands of them.
awk 'NR % 5 == 0' log.txt >lines
cl -c -x -F -f lines log.txt
cl -c -x -F -f lines -e nothing log.txt

# -F takes any bytes: 0xFF is found as a byte, alone and in a set.
cl -a -F $'\377' bytes.txt
cl -a -o -F -e $'\377' -e 'e' bytes.txt
cl -a -c -F -e $'\303' -e zzz bytes.txt
cl -a -o -F -e $'\377\376' -e $'\377' bytes.txt
# A regex that is not valid UTF-8 matches bytes.
cl -a $'\377' bytes.txt
cl -a -o -e $'\377.' -e 'xyz' bytes.txt

# --- leftmost-longest with several patterns ------------------------------
# grep -E -o marks at each place the longest match of all patterns.
for o in -o --color=always '-o -b' '-c'; do
	for pair in 'foo foobar' 'foobar foo' 'o+ fo' 'x* o' 'a* b' 'ab b.' 'bar ba' 'b+ ab'; do
		read -r a b <<<"$pair"
		# shellcheck disable=SC2086
		eutf $o -e "$a" -e "$b" ll.txt
	done
done
eutf -o -e 'user=u[0-9]+' -e 'user=u1' -e '[0-9]{5}' log.txt
utf -o -F -e foo -e foobar -e oob ll.txt
# Each pattern's groups are its own: \1 is the first group of that pattern.
eutf -o -e '(a)\1' -e '(b)\1' ll.txt
eutf -o -e '(o)\1' -e '(f)(o)\2' ll.txt

# --- regex sets beyond one PCRE2 alternation ------------------------------
# 3,000 regexes with a literal; then with a few without one.
awk 'NR % 7 == 0 { sub(/^u/, "", $2); print "user=" $2 "[^0-9]"; print "req=" substr($3, 5, 3) "[0-9a-f]+ " }' log.txt | head -3000 >r3k
ecl -c -f r3k log.txt
ecl -o -f r3k log.txt
{ cat r3k; printf '%s\n' 'dur=9[0-9]\.5' '^0000[0-9] ' 'gam+a (foo|bar)$'; } >r3k2
ecl -c -f r3k2 log.txt
ecl -n -o -f r3k2 log.txt
ecl -c -i -f r3k2 log.txt
ecl -c -w -f r3k2 log.txt
# Patterns whose text would close a pasted wrapper are each what they are
# alone: 'q)|(?:a' is an error alone, so it is one here, naming it.
expect_fail "q)|(?:a is refused" 2 "^mapq grep: invalid pattern 'q\\)\\|\\(\\?:a': unmatched closing parenthesis at offset 1" \
	"$MQ grep -e 'q)|(?:a' -e zzz log.txt"
expect_fail "the failing pattern is named" 2 "^mapq grep: invalid pattern 'a\\(b': missing closing parenthesis at offset 3" \
	"$MQ grep -e abc -e 'a(b' log.txt"
# 5,000 patterns: the error is in the last one, at its own offset.
{ awk 'BEGIN { for (i = 0; i < 4999; i++) print "x" i "y" }'; echo 'ab[c'; } >rbad
expect_fail "error in pattern 5000" 2 "^mapq grep: invalid pattern 'ab\\[c': missing terminating \\] for character class at offset 4" \
	"$MQ grep -f rbad log.txt"
# A pattern alone matches as given; in a set, as alone.
for p in '\Qa(' '(?x)a#comment' '(*CR)a$' '\Qabc'; do
	putf -n "$p" cr.txt q.txt
	oracle "$p in a set" "LC_ALL=C.UTF-8 grep -P -n $(q "$p") cr.txt q.txt" \
		"$MQ grep -n -e $(q "$p") -e 'zz(z)' cr.txt q.txt"
done

# --- -x with \Q, and the newline verbs -----------------------------------
putf -x '\Qabc' q.txt
putf -x -n '\Qabc' q.txt
oracle "-x \\Qabc in a set" "LC_ALL=C.UTF-8 grep -P -x '\\Qabc' q.txt" "$MQ grep -x -e '\\Qabc' -e zzzz q.txt"
for p in '(*CR)^b' '(*CR)b$' '(*CR)a.b' '(*ANYCRLF)a$' '(*ANYCRLF)^b' '(*ANY)a.b' '(*ANY)b$' '(*CRLF)b$' '(*LF)b$' '^a' 'b$'; do
	putf -c "$p" cr.txt
	putf -o "$p" cr.txt
	oracle "verb $p in a set" "LC_ALL=C.UTF-8 grep -P -n $(q "$p") cr.txt" \
		"$MQ grep -n -e $(q "$p") -e zzzz cr.txt"
done

# --- --json marks what -o prints ------------------------------------------
for set in "-e foo -e foobar -e o+" "-e b -e a* -e ab" "-F -e oo -e foo -e o"; do
	oracle "--json submatches of $set" \
		"$MQ grep -o -b $set ll.txt" \
		"$MQ grep --json $set ll.txt | jq -r 'select(.type == \"match\") | .data.absolute_offset as \$o | .data.submatches[] | select(.end > .start) | \"\\(\$o + .start):\\(.match.text)\"'"
done

finish
