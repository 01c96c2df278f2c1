#!/usr/bin/env bash
# CLI tests of `mapq compress` options -j and -o: zstd -d must give back the
# input from what -o writes; every -j gives the same bytes; -o replaces its
# file only when the output is complete (an error leaves the old file and
# no temporary file), and never the input itself; bad -j values are usage
# errors.  References: zstd -dc, cmp, stat.
# Usage: compress.sh MAPQ TESTDATA_DIR
. "$(dirname "$0")/lib.sh"
M=$1
D=$2

need zstd script

# check NAME COMMAND: one check, failed unless bash -c COMMAND succeeds.
check() {
	checks=$((checks + 1))
	bash -c "$2" || fail "$1"
}

# leftovers DIR: the temporary files of -o (.NAME.XXXXXX) still in DIR.
leftovers() { find "$1" -maxdepth 1 -name '.*.??????' -type f | head -5; }
export -f leftovers # for check's bash -c

# Inputs: the fixture, and a file of several frames of the default size
# (1 MiB) so that the default -j has frames to share.
app="$D/app.log"
big="$TMP/big.log"
seq -f 'record %08g of a bigger log' 1 250000 >"$big"
O="$TMP/outdir" # not $TMP/out: expect_fail's
mkdir "$O"

# ---- -o writes what zstd -d reads back -------------------------------------
same "-o app.log" "cat '$app'" "'$M' compress -o '$O/app.zst' '$app' && zstd -q -dc '$O/app.zst'"
same "--output= app.log" "cat '$app'" "'$M' compress --output='$O/app2.zst' '$app' && zstd -q -dc '$O/app2.zst'"
same "-o is the file standard output gets" "'$M' compress '$app'" "cat '$O/app.zst'"
same "-o prints nothing" "true" "'$M' compress -o '$O/app3.zst' '$app'"
same "-o from standard input" "cat '$big'" "cat '$big' | '$M' compress -o '$O/pipe.zst' && zstd -q -dc '$O/pipe.zst'"
same "-o --frame-size --align" "cat '$big'" \
	"'$M' compress --frame-size=4K --align -L 1 -o '$O/al.zst' '$big' && zstd -q -dc '$O/al.zst'"
for f in "$D"/*; do
	b=$(basename "$f")
	same "-o $b" "cat '$f'" "'$M' compress --frame-size=16 -o '$O/$b.zst' '$f' && zstd -q -dc '$O/$b.zst'"
done
check "-o leaves no temporary file" "[ -z \"\$(find '$O' -name '.*')\" ]"

# ---- -j: the same bytes for every N ----------------------------------------
"$M" compress -j 1 -o "$O/j1.zst" "$big" || fail "-j 1: exit status $?"
same "big -j 1 decodes" "cat '$big'" "zstd -q -dc '$O/j1.zst'"
for j in 2 0 3; do
	"$M" compress -j "$j" -o "$O/j$j.zst" "$big" || fail "-j $j: exit status $?"
	check "-j $j output is -j 1's" "cmp '$O/j1.zst' '$O/j$j.zst'"
done
"$M" compress -o "$O/jdef.zst" "$big" || fail "default -j: exit status $?"
check "default -j output is -j 1's" "cmp '$O/j1.zst' '$O/jdef.zst'"
"$M" compress --threads=2 -o "$O/jlong.zst" "$big" || fail "--threads=2: exit status $?"
check "--threads=2 output is -j 1's" "cmp '$O/j1.zst' '$O/jlong.zst'"
check "-j 0 to standard output is -j 1's" "'$M' compress -j 0 '$big' | cmp '$O/j1.zst' -"
for j in 1 2 0; do
	"$M" compress --frame-size=1000 -j "$j" -o "$O/small-j$j.zst" "$big" ||
		fail "--frame-size=1000 -j $j: exit status $?"
done
check "--frame-size=1000 -j 2 output is -j 1's" "cmp '$O/small-j1.zst' '$O/small-j2.zst'"
check "--frame-size=1000 -j 0 output is -j 1's" "cmp '$O/small-j1.zst' '$O/small-j0.zst'"
same "--frame-size=1000 -j 0 decodes" "cat '$big'" "zstd -q -dc '$O/small-j0.zst'"

# ---- bad -j values: usage errors -------------------------------------------
# bad_j ARG: exit status 2, "mapq compress: ..." then the --help hint,
# nothing written.
bad_j() {
	checks=$((checks + 1))
	rm -f "$O/badj.zst"
	"$M" compress -j "$1" -o "$O/badj.zst" "$app" >"$TMP/stdout" 2>"$TMP/err"
	local st=$?
	if [ "$st" -ne 2 ]; then
		fail "-j '$1': exit status $st, want 2"
	elif ! head -n 1 "$TMP/err" | grep -q "^mapq compress: invalid thread count '$1'"; then
		fail "-j '$1': first line '$(head -n 1 "$TMP/err")'"
	elif [ "$(sed -n 2p "$TMP/err")" != "Try 'mapq compress --help' for more information." ]; then
		fail "-j '$1': second line '$(sed -n 2p "$TMP/err")'"
	elif [ -s "$TMP/stdout" ] || [ -e "$O/badj.zst" ] || [ -n "$(leftovers "$O")" ]; then
		fail "-j '$1': something was written"
	fi
}
for j in x -1 '' 1.5 ' 2' 2x +2 257 99999999999999999999; do
	bad_j "$j"
done
expect_fail "--threads=x" 2 "^mapq compress: invalid thread count 'x'" "'$M' compress --threads=x '$app' >/dev/null"
expect_fail "-j without a value" 2 "^mapq compress: option requires an argument -- 'j'" "'$M' compress -j"
expect_fail "-o without a value" 2 "^mapq compress: option requires an argument -- 'o'" "'$M' compress -o"
expect_fail "--output without a value" 2 "^mapq compress: option '--output' requires an argument" "'$M' compress --output"
same "--help shows -j" "echo 1" "'$M' compress --help | grep -c -- '-j, --threads=N .*default, and 0: the online'"
same "--help shows -o" "echo 1" "'$M' compress --help | grep -c -- '-o, --output=OUTPUT'"

# ---- -o replaces an existing file, in one step -----------------------------
# The old file stays whole until the new one is complete: it is a new file
# (a new inode) renamed over it, so a hard link to the old one keeps the
# old content, and the mode is that of a new file.
printf 'old content\n' >"$O/r.zst"
chmod 600 "$O/r.zst"
ln "$O/r.zst" "$O/r-old-link"
ino=$(stat -c %i "$O/r.zst")
(umask 027 && "$M" compress -o "$O/r.zst" "$app") || fail "-o over a file: exit status $?"
same "-o over a file decodes" "cat '$app'" "zstd -q -dc '$O/r.zst'"
same "-o over a file: a new file" "echo different" \
	"[ \$(stat -c %i '$O/r.zst') != $ino ] && echo different"
same "-o over a file: the old one untouched" "echo 'old content'" "cat '$O/r-old-link'"
same "-o mode 0666 less umask 027" "echo 640" "stat -c %a '$O/r.zst'"
(umask 022 && "$M" compress -o "$O/m.zst" "$app") || fail "-o umask 022: exit status $?"
same "-o mode 0666 less umask 022" "echo 644" "stat -c %a '$O/m.zst'"
# A symbolic link: the file it points to is replaced, the link stays.
printf 'old\n' >"$O/target.zst"
ln -s target.zst "$O/link.zst"
"$M" compress -o "$O/link.zst" "$app" || fail "-o a symbolic link: exit status $?"
check "-o a symbolic link stays a link" "[ -L '$O/link.zst' ]"
same "-o a symbolic link replaces its target" "cat '$app'" "zstd -q -dc '$O/target.zst'"

# failed_o NAME STDERR_REGEX CMD: CMD (writing -o $O/keep.zst) fails with
# status 2 and the message; keep.zst keeps its old content and no
# temporary file is left.
failed_o() {
	printf 'precious old output\n' >"$O/keep.zst"
	cp "$O/keep.zst" "$TMP/keep.want"
	ALLOW_OUT=0 expect_fail "$1" 2 "$2" "$3"
	check "$1: the old output is intact" "cmp -s '$TMP/keep.want' '$O/keep.zst'"
	check "$1: no temporary file left" "[ -z \"\$(find '$O' -name '.keep.zst.*')\" ]"
}
failed_o "-o, the input a directory" "^mapq: $TMP: Is a directory" "'$M' compress -o '$O/keep.zst' '$TMP'"
failed_o "-o, the input missing" "^mapq: $TMP/nope: No such file" "'$M' compress -o '$O/keep.zst' '$TMP/nope'"
# Input that fails in the middle, after frames were written to the
# temporary file: zstd data cut short, and a damaged frame.
zstd -q -c "$big" >"$TMP/whole.zst"
head -c $(($(wc -c <"$TMP/whole.zst") / 2)) "$TMP/whole.zst" >"$TMP/cut.zst"
failed_o "-o, the input cut short" "^mapq: $TMP/cut.zst: truncated" \
	"'$M' compress --frame-size=1K -o '$O/keep.zst' '$TMP/cut.zst'"
failed_o "-o, the input cut short, -j 2" "^mapq: $TMP/cut.zst: truncated" \
	"'$M' compress --frame-size=1K -j 2 -o '$O/keep.zst' '$TMP/cut.zst'"
failed_o "-o, a pipe cut short" "^mapq: \\(standard input\\): truncated" \
	"cat '$TMP/cut.zst' | '$M' compress --frame-size=1K -o '$O/keep.zst'"
"$M" compress --frame-size=4K "$big" >"$TMP/holed.zst"
dd if=/dev/zero of="$TMP/holed.zst" bs=1 seek=100000 count=5000 conv=notrunc status=none
failed_o "-o, a damaged frame" "^mapq: $TMP/holed.zst: " \
	"'$M' compress --frame-size=1K -o '$O/keep.zst' '$TMP/holed.zst'"
if [ "$(id -u)" != 0 ]; then
	cp "$app" "$TMP/unreadable"
	chmod 000 "$TMP/unreadable"
	failed_o "-o, the input unreadable" "^mapq: $TMP/unreadable: Permission denied" \
		"'$M' compress -o '$O/keep.zst' '$TMP/unreadable'"
	# A directory where the temporary file cannot be made.
	mkdir "$TMP/ro"
	printf 'old\n' >"$TMP/ro/x.zst"
	chmod 555 "$TMP/ro"
	expect_fail "-o in a read-only directory" 2 "^mapq: $TMP/ro/x.zst: Permission denied" \
		"'$M' compress -o '$TMP/ro/x.zst' '$app'"
	same "-o in a read-only directory: the file intact" "echo old" "cat '$TMP/ro/x.zst'"
	chmod 755 "$TMP/ro"
fi
expect_fail "-o in a missing directory" 2 "^mapq: $TMP/none/x.zst: No such file or directory" \
	"'$M' compress -o '$TMP/none/x.zst' '$app'"
check "-o in a missing directory: nothing made" "[ ! -e '$TMP/none' ]"
failed_o "-o, bad --frame-size" "^mapq compress: invalid frame size" \
	"'$M' compress --frame-size=0 -o '$O/keep.zst' '$app'"

# ---- -o never replaces the input, nor anything but a regular file ----------
cp "$big" "$TMP/self.log"
cp "$big" "$TMP/self.want"
ln "$TMP/self.log" "$TMP/self-hard.log"
ln -s self.log "$TMP/self-sym.log"
self() {
	expect_fail "$1" 2 "^mapq: .*: the output is the input file" "$2"
	check "$1: the input unchanged" "cmp -s '$TMP/self.want' '$TMP/self.log'"
	check "$1: no temporary file left" "[ -z \"\$(leftovers '$TMP')\" ]"
}
self "-o the input" "'$M' compress -o '$TMP/self.log' '$TMP/self.log'"
self "-o the input, -j 2" "'$M' compress -j 2 -o '$TMP/self.log' '$TMP/self.log'"
self "-o a hard link to the input" "'$M' compress -o '$TMP/self-hard.log' '$TMP/self.log'"
self "-o a symbolic link to the input" "'$M' compress -o '$TMP/self-sym.log' '$TMP/self.log'"
self "-o the input, other path" "cd '$TMP' && '$M' compress -o ./self.log '$TMP/self.log'"
self "-o the file on standard input" "'$M' compress -o '$TMP/self.log' <'$TMP/self.log'"
self "-o the file on standard input, -" "'$M' compress -o '$TMP/self.log' - <'$TMP/self.log'"
check "-o the input: the links intact" "[ -L '$TMP/self-sym.log' ] && cmp -s '$TMP/self.want' '$TMP/self-hard.log'"
expect_fail "-o a directory" 2 "^mapq: $O: not a regular file" "'$M' compress -o '$O' '$app'"
expect_fail "-o /dev/null" 2 "^mapq: /dev/null: not a regular file" "'$M' compress -o /dev/null '$app'"
check "-o /dev/null: still a device" "[ -c /dev/null ]"
expect_fail "-o ''" 2 "^mapq: " "'$M' compress -o '' '$app'"

# ---- the terminal check is for standard output only ------------------------
checks=$((checks + 1))
script -qec "'$M' compress -o '$O/tty.zst' '$app'" /dev/null >"$TMP/tty" 2>&1 ||
	fail "-o with a terminal on standard output: exit status $? $(head -c 200 "$TMP/tty")"
same "-o with a terminal on standard output decodes" "cat '$app'" "zstd -q -dc '$O/tty.zst'"
expect_fail "no -o, a terminal" 2 "refusing to write compressed data to a terminal" \
	"script -qec \"'$M' compress '$app'\" /dev/null 2>&1 | tr -d '\\r' >&2; exit \${PIPESTATUS[0]}"

finish
