#!/usr/bin/env bash
# CLI tests of the command frame: help, version, usage errors, and the
# man pages that document every option.
# Usage: frame.sh MAPQ SOURCE_DIR
. "$(dirname "$0")/lib.sh"
M=$1
need mandoc
S=$2

version=$(sed -n 's/^project(mapq VERSION \([0-9.]*\).*/\1/p' "$S/CMakeLists.txt")
same "--version" "echo 'mapq $version'" "'$M' --version"
same "-V" "echo 'mapq $version'" "'$M' -V"

checks=$((checks + 1))
"$M" --help >"$TMP/help" 2>&1 || fail "--help exit status $?"
grep -q '^Usage: mapq COMMAND' "$TMP/help" || fail "--help has no usage line"
grep -q '^  slice ' "$TMP/help" || fail "--help does not list slice"
grep -q '^  stats ' "$TMP/help" || fail "--help does not list stats"

# Every command's --help goes to stdout, exit 0, and names each long
# option that its getopt table parses; each is in the command's man page.
for cmd in compress grep range slice split stats; do
	checks=$((checks + 1))
	"$M" "$cmd" --help >"$TMP/h" 2>"$TMP/e" || fail "$cmd --help status $?"
	[ -s "$TMP/e" ] && fail "$cmd --help wrote to stderr"
	for opt in $(grep -oE '\{"[a-z][a-z-]*",' "$S/cmd/$cmd.c" | tr -d '{",'); do
		grep -q -- "--$opt" "$TMP/h" || fail "$cmd --help lacks --$opt"
		grep -q -- "\\\\-\\\\-$opt" "$S/man/mapq-$cmd.1" || fail "mapq-$cmd.1 lacks --$opt"
	done
done

expect_fail "no command" 2 "^mapq: missing command" "'$M'"
expect_fail "unknown command" 2 "^mapq: unknown command 'frobnicate'" "'$M' frobnicate"
expect_fail "unknown top option" 2 "^mapq: unrecognized option '--frob'" "'$M' --frob"
expect_fail "unknown option" 2 "^mapq slice: unrecognized option '--frob'" "'$M' slice --frob"
expect_fail "unknown short option" 2 "^mapq slice: invalid option -- 'z'" "'$M' slice -z"
expect_fail "missing argument" 2 "^mapq slice: option requires an argument -- 'b'" "'$M' slice -b"
expect_fail "missing long argument" 2 "^mapq slice: option '--lines' requires an argument" "'$M' slice --lines"
expect_fail "unexpected argument" 2 "doesn't allow an argument" "'$M' slice --align=yes"
# One line saying what is wrong, one line with the hint.
checks=$((checks + 1))
"$M" slice --frob 2>"$TMP/e" >/dev/null
[ "$(wc -l <"$TMP/e")" -eq 2 ] && grep -q "^Try 'mapq slice --help' for more information.$" "$TMP/e" ||
	fail "usage error is not one line plus a hint: $(cat "$TMP/e")"
expect_fail "help to a full disk" 2 "write error" "'$M' --help >/dev/full"

# The man pages are lint-clean.
checks=$((checks + 1))
out=$(mandoc -Tlint -W warning "$S"/man/*.1 2>&1) || fail "mandoc -Tlint: $out"

finish
