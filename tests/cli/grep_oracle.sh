# grep_oracle.sh - the comparison with GNU grep that the grep CLI tests
# share (grep.sh, grep_options.sh, grep_patterns.sh).  Sourced after
# lib.sh; the caller sets G (the reference grep command line, e.g.
# "LC_ALL=C.UTF-8 grep"), MQ (mapq, shell-quoted) and works in $W.

# report NAME WHY WANT GOT: one failure, with the commands and short diffs.
report() {
	fail "$1: $2"
	{
		printf '    mapq: %s\n    ref:  %s\n' "$4" "$3"
		if ! cmp -s "$TMP/want" "$TMP/got"; then
			echo '    stdout diff (< reference, > mapq):'
			diff -a "$TMP/want" "$TMP/got" | head -n 12 | cut -c 1-200 | cat -v | sed 's/^/      /'
		fi
		if ! cmp -s "$TMP/werr" "$TMP/gerr"; then
			echo '    stderr want:'
			head -n 3 "$TMP/werr" | cut -c 1-200 | sed 's/^/      /'
			echo '    stderr got:'
			head -n 3 "$TMP/gerr" | cut -c 1-200 | sed 's/^/      /'
		fi
	} >&2
}

# oracle NAME WANT GOT: both commands run by bash in $W; stdout and exit
# status must agree, and mapq's stderr must be the reference's with the
# program name changed.  mapq gets ORACLE_TIMEOUT seconds (60).
# SAMPLE=N (the sanitizer build sets it for the pieces sweeps) runs every
# Nth comparison only.
sampled=0
oracle() {
	local name=$1 want=$2 got=$3 ws gs why=
	sampled=$((sampled + 1))
	[ $((sampled % ${SAMPLE:-1})) -eq 0 ] || return 0
	checks=$((checks + 1))
	(eval "$want") >"$TMP/want" 2>"$TMP/werr.raw"
	ws=$?
	timeout "${ORACLE_TIMEOUT:-60}" bash -c "$got" >"$TMP/got" 2>"$TMP/gerr"
	gs=$?
	sed 's/^grep: /mapq: /' "$TMP/werr.raw" >"$TMP/werr"
	cmp -s "$TMP/want" "$TMP/got" || why="stdout differs"
	[ "$ws" = "$gs" ] || why="${why:+$why, }exit status $gs, want $ws"
	cmp -s "$TMP/werr" "$TMP/gerr" || why="${why:+$why, }stderr differs"
	[ -z "$why" ] || report "$name" "$why" "$want" "$got"
}

q() { printf '%q ' "$@"; }

# ref REFOPTS ARGS...: mapq grep ARGS against $G REFOPTS ARGS.
ref() {
	local r=$1 a
	shift
	a=$(q "$@")
	oracle "grep $r $a" "$G $r $a" "$MQ grep $a"
}
# gp ARGS...: mapq grep ARGS against grep -P ARGS.
gp() { ref -P "$@"; }
