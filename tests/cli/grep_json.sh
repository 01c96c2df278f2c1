#!/usr/bin/env bash
# CLI tests of `mapq grep --json`: ripgrep's JSON Lines.  Each case runs
# `mapq grep --json ARGS` and `rg --json -P ARGS`: the begin, match and
# context messages must be byte-identical; of the end and summary messages,
# the field names and the deterministic values (path, binary_offset,
# searches, searches_with_match, bytes_searched, bytes_printed,
# matched_lines, matches) are compared, not the times.  Without rg the comparison is
# skipped (exit 77) after the checks that need no reference.
# Usage: grep_json.sh MAPQ TESTDATA_DIR
. "$(dirname "$0")/lib.sh"
M=$1
D=$2
case $M in /*) ;; */*) M=$PWD/$M ;; esac
case $D in /*) ;; *) D=$PWD/$D ;; esac
MQ=$(printf %q "$M")
unset RIPGREP_CONFIG_PATH NO_COLOR

W=$TMP/w
mkdir "$W" && cd "$W" || exit 2
for f in app.log crlf.txt no-newline.txt empty.txt one-line.txt; do
	cp "$D/$f" . || exit 2
done
printf 'a1\nb\na2\na3\nc\nd\ne\na4\n' >adj.txt
printf '%s\n' foo foobar 'bar foo baz' FOO Foo-bar xfoo_y ' foo ' 'foo.' 'bar' 'a foo' >words.txt
printf 'aaaa\nabab\naaa bbb aaa\n' >over.txt
printf 'ok line\nbad \377\376 bytes\nmore bytes \300 here\nlast line\n' >inv.txt
printf 'tab\there "quoted" back\\slash \001 ctl \177 del \033 esc caf\303\251 \342\202\254\n/slash/ here\n' >escape.txt

# --json with an option that replaces the lines is a usage error.
for o in -c -l -L -q; do
	expect_fail "--json $o" 2 "json" "$MQ grep --json $o a adj.txt"
	expect_fail "$o --json" 2 "json" "$MQ grep $o --json a adj.txt"
done

if ! command -v rg >/dev/null; then
	echo "rg not installed: JSON comparison skipped"
	[ "$fails" -eq 0 ] || exit 1
	exit 77
fi
rg --version | head -n 1 | grep -q '^ripgrep 13\.' ||
	echo "note: the reference is ripgrep 13.0.0, this is $(rg --version | head -n 1)"

# norm: begin, match and context messages as they are; end and summary as
# their sorted key names plus the deterministic values.
norm() {
	awk '
	function val(name) {
		if (match($0, "\"" name "\":[^,}]*"))
			return substr($0, RSTART + length(name) + 3, RLENGTH - length(name) - 3)
		return "(none)"
	}
	function keys(   s, n, k, i, j, t, out) {
		s = $0; n = 0
		while (match(s, /"[a-z_]+":/)) {
			k[++n] = substr(s, RSTART + 1, RLENGTH - 3); s = substr(s, RSTART + RLENGTH)
		}
		for (i = 2; i <= n; i++)
			for (j = i; j > 1 && k[j - 1] > k[j]; j--) { t = k[j]; k[j] = k[j - 1]; k[j - 1] = t }
		out = ""
		for (i = 1; i <= n; i++) out = out k[i] " "
		return out
	}
	/^\{"type":"(begin|match|context)",/ { print; next }
	/"type":"end"/ {
		print "end: " keys()
		print "  path=" val("path") " binary_offset=" val("binary_offset") " searches=" val("searches") \
			" searches_with_match=" val("searches_with_match") " bytes_searched=" val("bytes_searched") \
			" bytes_printed=" val("bytes_printed") \
			" matched_lines=" val("matched_lines") " matches=" val("matches")
		next
	}
	/"type":"summary"/ {
		print "summary: " keys()
		print "  searches=" val("searches") " searches_with_match=" val("searches_with_match") \
			" bytes_searched=" val("bytes_searched") " bytes_printed=" val("bytes_printed") \
			" matched_lines=" val("matched_lines") " matches=" val("matches")
		next
	}
	{ print "other: " $0 }'
}

# jcase NAME WANT GOT: both commands' JSON normalized and compared, with the
# exit status; mapq must print nothing on stderr.
jcase() {
	local name=$1 want=$2 got=$3 ws gs why=
	checks=$((checks + 1))
	bash -c "$want" >"$TMP/want.raw" 2>/dev/null
	ws=$?
	timeout 60 bash -c "$got" >"$TMP/got.raw" 2>"$TMP/err"
	gs=$?
	norm <"$TMP/want.raw" >"$TMP/want"
	norm <"$TMP/got.raw" >"$TMP/got"
	cmp -s "$TMP/want" "$TMP/got" || why="output differs"
	[ "$ws" = "$gs" ] || why="${why:+$why, }exit status $gs, want $ws"
	[ -s "$TMP/err" ] && why="${why:+$why, }stderr: $(head -c 200 "$TMP/err")"
	[ -z "$why" ] && return 0
	fail "$name: $why"
	{
		printf '    mapq: %s\n    ref:  %s\n' "$got" "$want"
		diff -a "$TMP/want" "$TMP/got" | head -n 10 | cut -c 1-300 | sed 's/^/      /'
	} >&2
}
q() { printf '%q ' "$@"; }
RG="rg --no-config -j1 --json"
# rgp ARGS...: mapq grep --json ARGS against rg --json -P ARGS.
rgp() {
	local a
	a=$(q "$@")
	jcase "--json $a" "$RG -P $a" "$MQ grep --json $a"
}

# Plain, case-insensitive, several matches per line, whole words and lines.
rgp ERROR app.log
rgp 'status=5\d\d' app.log
rgp 'a\d' adj.txt
rgp -i error app.log
rgp -i FOO words.txt
rgp 'w\d+' app.log
rgp 'a' over.txt
rgp 'aa' over.txt
rgp 'foo|bar' words.txt
rgp 'GET /api/v1/items/(\d+) status=(\d+)' app.log
rgp -w foo words.txt
rgp -x 'a\d' adj.txt
rgp -v 'a\d' adj.txt
rgp -F 'items/1' app.log
rgp -e ERROR -e WARN app.log
# Empty matches are submatches too in ripgrep's JSON (not in -o or colour).
rgp 'x*' words.txt
rgp '^' adj.txt
rgp '$' over.txt
rgp 'o*' words.txt
rgp '\b' words.txt
# Context lines.
for c in '-A 1' '-B 2' '-C 1' '-C 3' '-A 0'; do
	# shellcheck disable=SC2086 # $c is an option and its number
	{
		rgp $c 'a\d' adj.txt
		rgp $c ERROR app.log
		rgp $c second no-newline.txt
		rgp $c beta crlf.txt
		rgp $c -v 'a\d' adj.txt
	}
done
# A final line without a newline, CRLF line ends, escaping.
rgp without no-newline.txt
rgp 'e$' no-newline.txt
rgp a crlf.txt
rgp 'a$' crlf.txt
rgp 'gamma|a\r' crlf.txt
rgp here escape.txt
rgp 'caf.|€' escape.txt
rgp '"quoted"' escape.txt
# No match: ripgrep prints only the summary (no begin/end for that file).
rgp zzz adj.txt
rgp zzz empty.txt
rgp a1 adj.txt one-line.txt words.txt
rgp 'zzz|foo' adj.txt words.txt empty.txt
# Several files, standard input.
rgp 'a\d|foo' adj.txt words.txt over.txt
rgp -C 1 'a\d|foo' adj.txt words.txt
jcase "stdin pipe" "cat app.log | $RG -P ERROR" "cat app.log | $MQ grep --json ERROR"
jcase "stdin -" "cat adj.txt | $RG -P -C 1 'a\\d' -" "cat adj.txt | $MQ grep --json -C 1 'a\\d' -"
jcase "stdin redirect" "$RG -P ERROR - <app.log" "$MQ grep --json ERROR - <app.log"
jcase "stdin and a file" "cat adj.txt | $RG -P a - words.txt" "cat adj.txt | $MQ grep --json a - words.txt"
# Invalid UTF-8: the lines go out as base64 "bytes".  (rg -P would
# transcode them to U+FFFD; its default engine does not, and a literal
# means the same to both engines.)
for c in '' '-C 1' '-A 1' -v; do
	# shellcheck disable=SC2086
	{
		jcase "invalid UTF-8 $c bad" "$RG $c bad inv.txt" "$MQ grep --json $c bad inv.txt"
		jcase "invalid UTF-8 $c line" "$RG $c line inv.txt" "$MQ grep --json $c line inv.txt"
		jcase "invalid UTF-8 $c bytes" "$RG $c bytes inv.txt" "$MQ grep --json $c bytes inv.txt"
	}
done

# NUL bytes.  ripgrep 13 reads a file it is told to search (or standard
# input) with every NUL as a line end, keeps searching, and reports the
# first NUL as binary_offset; -a keeps the NULs and reports none.  Here the
# match, context and end lines are also compared byte for byte (but for
# the times).
printf 'a1\nb\na2\0x\na3\nc\n' >nul-mid.txt
printf 'a1\0\0b\na2\0' >nul-runs.txt
printf '\0a1\nb a2\0\0\0a3\n\0' >nul-edges.txt
awk 'BEGIN { for (i = 0; i < 8000; i++) printf "line %d%s\n", i, (i % 7 == 0 ? " a" i % 10 : "") }' >nul-big.txt
printf 'x\0a5 y\n' >>nul-big.txt
awk 'BEGIN { for (i = 0; i < 300; i++) printf "more %d a%d\n", i, i % 10 }' >>nul-big.txt
printf 'b\0a9\0' >>nul-big.txt
# jraw NAME WANT GOT: jcase, then the raw match, context and end lines.
jraw() {
	jcase "$@"
	checks=$((checks + 1))
	local strip='/"type":"(match|context|end)"/!d; s/"elapsed":\{[^}]*\}//'
	sed -E "$strip" "$TMP/want.raw" >"$TMP/want"
	sed -E "$strip" "$TMP/got.raw" >"$TMP/got"
	cmp -s "$TMP/want" "$TMP/got" && return 0
	fail "$1: raw lines differ"
	diff -a "$TMP/want" "$TMP/got" | head -n 6 | cut -c 1-300 | sed 's/^/      /' >&2
}
nul_files='nul-mid.txt nul-runs.txt nul-edges.txt nul-big.txt'
for f in $nul_files; do
	for c in '' -v '-C 1' '-B 2' '-A 1' -a; do
		# shellcheck disable=SC2086
		{
			jraw "NUL $f $c" "$RG -P $c 'a\d' $f" "$MQ grep --json $c 'a\d' $f"
			jraw "NUL $f $c stdin" "$RG -P $c 'a\d' <$f" \
				"$MQ grep --json $c 'a\d' <$f"
			jraw "NUL $f $c pieces" "$RG -P $c 'a\d|b' $f" \
				"MAPQ_GREP_PIECE=64 $MQ grep -j 3 --json $c 'a\d|b' $f"
		}
	done
done
jraw "NUL a.b" "$RG -P 'a.b|2.x' nul-mid.txt nul-runs.txt" \
	"$MQ grep --json 'a.b|2.x' nul-mid.txt nul-runs.txt"
jraw "NUL files" "$RG -P a1 nul-mid.txt adj.txt nul-edges.txt" \
	"$MQ grep --json a1 nul-mid.txt adj.txt nul-edges.txt"
# The reference did see NULs: its binary_offset is a number.
grep -q '"binary_offset":[0-9]' "$TMP/want.raw" || fail "rg reported no binary_offset"

finish
