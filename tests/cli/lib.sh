# lib.sh - helpers for the CLI tests: run a command, compare with an
# independent tool's output, count failures.  Sourced by each test.
set -u
export LC_ALL=C
# The folder of the tests, for what they source after changing directory.
CLI_DIR=$(cd "$(dirname "$0")" && pwd)
fails=0
checks=0
TMP=$(mktemp -d "${TMPDIR:-/tmp}/mapq-cli-XXXXXX")
trap 'rm -rf "$TMP"' EXIT

# need TOOL...: the independent tools a test compares mapq with (a name on
# PATH or a path).  If one is missing the test cannot say anything true:
# it stops at once as skipped (exit 77, SKIP_RETURN_CODE in
# tests/CMakeLists.txt), never passing without its checks.
need() {
	local t missing=
	for t in "$@"; do
		command -v "$t" >/dev/null 2>&1 || missing="$missing $t"
	done
	if [ -n "$missing" ]; then
		echo "SKIP: not installed:$missing"
		exit 77
	fi
}

fail() { fails=$((fails + 1)); printf 'FAIL: %s\n' "$*" >&2; }

# same NAME EXPECTED_CMD ACTUAL_CMD: both run by bash; stdout bytes and
# exit status must agree, and the actual command must print nothing on
# stderr.
same() {
	local name=$1 want=$2 got=$3
	checks=$((checks + 1))
	bash -c "$want" >"$TMP/want" 2>/dev/null
	local ws=$?
	bash -c "$got" >"$TMP/got" 2>"$TMP/err"
	local gs=$?
	if ! cmp -s "$TMP/want" "$TMP/got"; then
		fail "$name: output differs ($got  vs  $want)"
		cmp "$TMP/want" "$TMP/got" | head -1 >&2
	elif [ "$gs" -ne 0 ] || [ "$ws" -ne 0 ]; then
		fail "$name: exit status $gs (reference $ws)"
	elif [ -s "$TMP/err" ]; then
		fail "$name: unexpected stderr: $(head -c 200 "$TMP/err")"
	fi
}

# expect_fail NAME STATUS STDERR_REGEX CMD: exit status must be STATUS,
# stderr must match the regex, stdout must be empty unless ALLOW_OUT=1.
expect_fail() {
	local name=$1 want=$2 re=$3 cmd=$4
	checks=$((checks + 1))
	bash -c "$cmd" >"$TMP/out" 2>"$TMP/err"
	local st=$?
	if [ "$st" -ne "$want" ]; then
		fail "$name: exit status $st, want $want ($cmd)"
	elif ! grep -Eq -- "$re" "$TMP/err"; then
		fail "$name: stderr '$(head -c 300 "$TMP/err")' does not match /$re/"
	elif [ "${ALLOW_OUT:-0}" != 1 ] && [ -s "$TMP/out" ]; then
		fail "$name: unexpected stdout"
	fi
}

finish() {
	printf '%d checks, %d failed\n' "$checks" "$fails"
	[ "$fails" -eq 0 ]
}
