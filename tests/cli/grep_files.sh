#!/usr/bin/env bash
# CLI tests of `mapq grep` on several files at once (mapq-grep(1), -j):
# with -j 2 and -j 3, the output of a walk (-r, -R) or of several operands
# must be byte for byte that of -j 1 in every mode (stdout, stderr, their
# interleaving with 2>&1, exit status), and that of GNU grep 3.8 given the
# same files as operands in mapq's walk order (which this script finds by
# itself: each directory's entries in byte order).  The cases cover the
# text modes and their prefixes, context separators across files, -c, -l,
# -L, -q, -m, -s, --line-buffered, errors between files, standard input
# and a FIFO among the operands, output larger than what a file may hold
# back, --json and --stats (compared with -j 1; --json's begin, match and
# context messages also with rg -j1), compressed input, a closed pipe; all
# once more with pieces of 4 KiB (MAPQ_GREP_PIECE), where files of several
# pieces are searched with all the threads, in their turn.  Peak RSS with
# a slow reader is checked when /usr/bin/time is installed.
# Usage: grep_files.sh MAPQ
. "$(dirname "$0")/lib.sh"
M=$1
need rg zstd
case $M in /*) ;; */*) M=$PWD/$M ;; esac
unset GREP_COLORS GREP_COLOR GREP_OPTIONS NO_COLOR MAPQ_GREP_PIECE RIPGREP_CONFIG_PATH
MQ=$(printf %q "$M")
G="LC_ALL=C.UTF-8 grep"
if ! command -v grep >/dev/null || ! grep --version | head -n 1 | grep -q 'GNU grep'; then
	echo "GNU grep not installed: skipped"
	exit 77
fi
v=$(grep --version | head -n 1)
[ "$v" = "grep (GNU grep) 3.8" ] || echo "note: the oracle is GNU grep 3.8, this is '$v'"

W=$TMP/w
mkdir "$W" && cd "$W" || exit 2

# ---- data --------------------------------------------------------------------
# tree/: 40 small files over three directories, "hit" on some lines of most
# of them (adjacent or not, so that context groups join and split), one
# with a NUL byte after a hit (binary file matches), one empty, one without
# a last newline, one with CRLF lines; two files of about 600 KiB whose
# every line is printed (more than a file may hold back while an earlier
# one is searched); names in an order where a directory comes between
# files.
mkdir -p tree/a tree/b/deep tree/c || exit 2
for k in $(seq 0 39); do
	case $((k % 3)) in 0) d=tree/a ;; 1) d=tree/b ;; *) d=tree/b/deep ;; esac
	awk -v k="$k" 'BEGIN { n = (k * 7) % 23 + 1
		for (i = 1; i <= n; i++)
			if ((i * 5 + k) % 7 < 2) printf "line %d of %d: a hit here\n", i, k
			else printf "line %d of %d: nothing\n", i, k }' >"$d/f$(printf %02d "$k").txt"
done
printf 'hit before\nmore\n\0 nul\nhit after\n' >tree/a/m-bin.dat
: >tree/b/empty.txt
printf 'first hit\nlast without newline hit' >tree/c/nonl.txt
printf 'hit crlf\r\nno\r\n' >tree/c/crlf.txt
awk 'BEGIN { for (i = 1; i <= 12000; i++) printf "big one hit %06d padding padding\n", i }' >tree/b/big1.log
awk 'BEGIN { for (i = 1; i <= 12000; i++) printf "big two hit %06d padding padding\n", i }' >tree/c/big2.log
printf 'hit top\n' >tree/top.txt

# The walk order of mapq -r: each directory's entries in byte order, files
# where they come, directories entered where they come.
walk() {
	local e
	for e in "$1"/*; do
		if [ -d "$e" ] && [ ! -L "$e" ]; then
			walk "$e"
		elif [ -f "$e" ] && [ ! -L "$e" ]; then
			printf '%s\n' "$e"
		fi
	done
}
mapfile -t FILES < <(LC_ALL=C walk tree)
[ "${#FILES[@]}" -eq 47 ] || { echo "the tree has ${#FILES[@]} files, not 47"; exit 2; }
OPS=$(printf '%q ' "${FILES[@]}")

# ---- comparisons -------------------------------------------------------------
. "$CLI_DIR/grep_oracle.sh" || exit 2

# merged NAME WANT GOT: stdout and stderr through one pipe (2>&1), GNU's
# "grep:" read as "mapq:", and the exit status.
merged() {
	local name=$1 want=$2 got=$3 ws gs
	checks=$((checks + 1))
	(eval "$want") 2>&1 | sed 's/^grep: /mapq: /' >"$TMP/want"
	ws=${PIPESTATUS[0]}
	timeout 60 bash -c "$got" >"$TMP/got" 2>&1
	gs=$?
	: >"$TMP/werr" >"$TMP/gerr"
	if ! cmp -s "$TMP/want" "$TMP/got"; then
		report "$name (2>&1)" "merged output differs" "$want" "$got"
	elif [ "$ws" != "$gs" ]; then
		report "$name (2>&1)" "exit status $gs, want $ws" "$want" "$got"
	fi
}

# vs_one NAME ARGS...: mapq grep -j 2 and -j 3 ARGS against mapq grep -j 1
# ARGS: stdout, stderr, status, and the merged streams.
vs_one() {
	local name=$1 a j
	shift
	a=$(q "$@")
	for j in 2 3; do
		oracle "$name -j $j" "$MQ grep -j 1 $a" "$MQ grep -j $j $a"
		merged "$name -j $j" "$MQ grep -j 1 $a" "$MQ grep -j $j $a"
	done
}

# both ARGS...: mapq grep -r ARGS tree (-j 1, 2, 3) against GNU grep -P ARGS
# on the files of the tree as operands, streams apart and merged.
both() {
	local a j
	a=$(q "$@")
	for j in 1 2 3; do
		oracle "-j $j -r $a tree" "$G -P $a $OPS" "$MQ grep -j $j -r $a tree"
		merged "-j $j -r $a tree" "$G -P $a $OPS" "$MQ grep -j $j -r $a tree"
	done
}

sweep() {
	local o
	for o in '' -n -b '-n -b' -h -H -c -l -L -o '-o -b' -v -i -w -x -s \
		-A1 -B2 -C1 '-C1 -n' '-A1 -m2' -m1 '-m1 -c' '-l -m1' '-C2 --color=always -n' \
		'--color=always -o' '-C1 --group-separator=XX' '-C1 --no-group-separator' \
		'-C1 -v' '-Z -l' '-T -n' --line-buffered '-C1 --line-buffered' -a '-I -c' \
		'--binary-files=text -C1'; do
		# shellcheck disable=SC2086 # $o is several options
		both $o hit
	done
	both -c 'nothing|zzz'
	both -C1 'of (7|12):'
	both -n 'padding$'
	both -L zzz
	both ''
	# Files with no output between files with output, and the reverse.
	both -n -A1 'of 3:|big two hit 000001|first'
	# -q: exit 0 at the first selected line; nothing on stderr.
	both -q hit
	both -q zzz
	both -q 'hit after'
}

sweep
# Files of several pieces: searched with all the threads in their turn.
export MAPQ_GREP_PIECE=4096
sweep
unset MAPQ_GREP_PIECE

# ---- operands: missing files, standard input, a FIFO -------------------------
# Errors come out where the file comes, after the output of earlier files.
ops() {
	local a j
	a=$(q "$@")
	for j in 1 2 3; do
		oracle "-j $j $a" "$G $a <tree/a/f03.txt" "$MQ grep -j $j $a <tree/a/f03.txt"
		merged "-j $j $a" "$G $a <tree/a/f03.txt" "$MQ grep -j $j $a <tree/a/f03.txt"
	done
}
for o in '' -n -c -l -L -C1 -s '-m1 -n' -q; do
	# shellcheck disable=SC2086
	{
		ops $o hit nope1 tree/b/big1.log nope2 tree/a/f00.txt tree/b/f01.txt nope3
		ops $o hit tree/a/f03.txt nope1 tree/c/big2.log tree/a/f06.txt nope2
		# (Not with -l or -L: GNU grep then leaves standard input at the
		# first selected line, for the second "-".)
		case $o in -l | -L) ;; *) ops $o hit tree/b/big1.log - tree/a/f06.txt - nope ;; esac
		ops $o hit - tree/c/big2.log
	}
done
# -q stops at the first file with a selected line: a missing file before
# it is reported, one after it is not.
ops -q hit nope1 tree/b/empty.txt tree/a/f03.txt nope2 tree/b/big1.log
ops -q -s hit nope1 tree/a/f03.txt nope2
# A directory operand without -r.
ops -n hit tree/a/f03.txt tree/a tree/b/f01.txt
mkfifo fifo || exit 2
for j in 1 2 3; do
	for o in -n -c -C1; do
		oracle "-j $j $o FIFO" \
			"(printf 'hit fifo\\nno\\n' >fifo &); $G $o hit tree/a/f03.txt fifo tree/b/big1.log" \
			"(printf 'hit fifo\\nno\\n' >fifo &); $MQ grep -j $j $o hit tree/a/f03.txt fifo tree/b/big1.log"
	done
done

# ---- -R: links, a loop, a dangling link (compared with -j 1) -----------------
cp -r tree rtree || exit 2
ln -s ../c rtree/a/to-c
ln -s .. rtree/b/deep/up
ln -s nowhere rtree/c/dangling
for o in '' -n -c -l -C1 -s -q; do
	# shellcheck disable=SC2086
	{
		vs_one "-R $o" -R $o hit rtree
		vs_one "-r $o" -r $o hit rtree
	}
done

# ---- --json and --stats (compared with -j 1) --------------------------------
# Times differ from run to run: --json's "elapsed" objects are dropped,
# --stats keeps its first three lines.
NOJSON="sed -E 's/\"(elapsed|elapsed_total)\":\\{[^}]*\\}/\"\\1\":-/g'"
for o in '' -C1 -n '-m2 -A1' -v; do
	for pat in hit zzz; do
		for j in 2 3; do
			oracle "--json $o $pat -j $j" \
				"$MQ grep -j 1 --json $o $pat -r tree | $NOJSON" \
				"$MQ grep -j $j --json $o $pat -r tree | $NOJSON"
			oracle "--stats $o $pat -j $j" \
				"$MQ grep -j 1 --stats $o $pat -r tree 2>&1 >/dev/null | head -n 3" \
				"$MQ grep -j $j --stats $o $pat -r tree 2>&1 >/dev/null | head -n 3"
		done
	done
done
# rg reads binary files otherwise: m-bin.dat is left out.
TEXT_OPS=$(printf '%q ' "${FILES[@]}" | sed 's| tree/a/m-bin.dat | |')
for o in '' -C1 -n; do
	# shellcheck disable=SC2086
	oracle "--json $o vs rg" \
		"rg -j1 --json -P $o hit $TEXT_OPS | grep -E '^\\{\"type\":\"(begin|match|context)\"'" \
		"$MQ grep -j 3 --json $o hit $TEXT_OPS | grep -E '^\\{\"type\":\"(begin|match|context)\"'"
done

# ---- compressed input among plain files (compared with -j 1) ----------------
zstd -q -o tree/c/z.zst tree/b/big1.log && cp tree/a/f06.txt tree/c/zz.txt || exit 2
for o in -n -c '-C1 -m3' -l; do
	# shellcheck disable=SC2086
	vs_one "zstd $o" $o hit -r tree
done
rm -f tree/c/z.zst tree/c/zz.txt

# ---- a closed pipe -----------------------------------------------------------
for j in 1 2 3; do
	oracle "-j $j closed pipe" "$G -n hit $OPS | head -n 5" \
		"$MQ grep -j $j -n -r hit tree | head -n 5; exit \${PIPESTATUS[0]}"
done

# ---- peak memory with a slow reader ------------------------------------------
# 48 files of 1.5 MiB whose every line is printed, read 64 KiB at a time
# with pauses: what the files hold back stays bounded.
if [ -x /usr/bin/time ] && ! grep -qa -e __asan_init "$M"; then
	mkdir mem || exit 2
	awk 'BEGIN { for (i = 1; i <= 40000; i++) printf "memory line %06d padding padding\n", i }' >mem/f00
	for k in $(seq 1 47); do cp mem/f00 "mem/f$(printf %02d "$k")" || exit 2; done
	for j in 2 3; do
		checks=$((checks + 1))
		/usr/bin/time -v -o "$TMP/time" "$M" grep -j "$j" -r line mem |
			{ while dd bs=65536 count=16 status=none >/dev/null && [ -n "$(head -c 1)" ]; do sleep 0.01; done; cat >/dev/null; }
		rss=$(awk -F: '/Maximum resident set size/ { print $2 + 0 }' "$TMP/time")
		if [ -z "$rss" ] || [ "$rss" -gt 65536 ]; then
			fail "-j $j -r with a slow reader: peak RSS ${rss:-?} KiB (over 64 MiB)"
		fi
	done
fi

finish
