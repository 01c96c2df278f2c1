#!/usr/bin/env bash
# CLI tests of bounded memory (mapq(1), INPUT): under `ulimit -v 200000`
# (about 200 MB of address space), mapq must
#  - stream 1 GiB through a pipe: grep -c, stats, slice -l -10:, compress
#    (checked with zstd -dc), range --check and range -c;
#  - read a 1 GiB regular file and a 360 MB sorted file, which it cannot map
#    under that limit (mmap fails, mapq falls back to pread(2)): slice -b,
#    slice -l -3:, grep -c, stats, range --from ... -c/--offsets/--check;
# with the answers of GNU grep/wc/tail/head on the same bytes, and of mapq
# without the limit (the mapped path).  Peak RSS of the streamed commands
# is checked too when /usr/bin/time is installed.  One line per failed case.
# Usage: memory.sh MAPQ
. "$(dirname "$0")/lib.sh"
trap 'exit 2' HUP INT TERM # and lib.sh's EXIT trap removes $TMP (1.4 GB)
M=$1
need zstd strace /usr/bin/time
case $M in /*) ;; */*) M=$PWD/$M ;; esac
LIM=200000     # KiB of address space
RSS_MAX=65536  # KiB
TO=180         # seconds, for any one command
W=$TMP/w
mkdir "$W" && cd "$W" || exit 2

# A sanitizer build reserves terabytes of address space for its shadow
# memory: no address-space limit can apply to it.
if grep -qa -e __asan_init -e __tsan_init -e __msan_init "$M"; then
	echo "mapq is built with a sanitizer: ulimit -v cannot apply, skipped"
	exit 77
fi

have_time=1 # needed above; 0 would skip the RSS checks

# ---- data --------------------------------------------------------------------
# A block of about 1 MiB of log lines (some ERROR, some CRLF, some empty),
# repeated 1100 times (1.07 GB, far more than the limit), and a last line
# without a newline.
awk 'BEGIN { for (i = 1; i <= 20000; i++) { r = i % 13
	if (r == 0) printf "\n"
	else if (r == 5) printf "%06d host-%02d ERROR code=%d something failed\n", i, i % 10, i % 500
	else if (r == 7) printf "%06d crlf line\r\n", i
	else printf "%06d host-%02d INFO request ok path=/api/v1/items/%d\n", i, i % 10, i * 37
} }' >blk
# shellcheck disable=SC2046
cat $(yes blk | head -n 1100) >big.txt || exit 2
printf 'last line without newline ERROR' >>big.txt
BIG=$(stat -c %s big.txt)
# 360 MB sorted on zero-padded keys (4 million lines of 90 bytes).
awk 'BEGIN { p = "payload of the sorted file, padding padding padding padding padding pad"
	for (i = 0; i < 4000000; i++) printf "%012d %s\n", i * 7, p }' >sorted.txt || exit 2

# lim CMD...: CMD under the address-space limit and a timeout.
lim() { (ulimit -v "$LIM" && exec timeout "$TO" "$@"); }

# check NAME WANT_FILE GOT_FILE STATUS: GOT_FILE must equal WANT_FILE and
# STATUS must be 0 (or $WANT_ST).
check() {
	local name=$1 want=$2 got=$3 st=$4 d
	checks=$((checks + 1))
	if [ "$st" -eq 124 ] || [ "$st" -eq 137 ]; then
		fail "$name: timed out after ${TO}s"
	elif [ "$st" -ne "${WANT_ST:-0}" ]; then
		fail "$name: exit status $st, want ${WANT_ST:-0}: $(head -c 200 "$TMP/err" 2>/dev/null | tr '\n' ' ')"
	elif ! cmp -s "$want" "$got"; then
		d=$(cmp "$want" "$got" 2>&1 | head -n 1)
		fail "$name: output differs from the reference: $d ($(head -c 80 "$got" | tr '\n' '|') vs $(head -c 80 "$want" | tr '\n' '|'))"
	fi
}

# rss NAME: the peak RSS that /usr/bin/time wrote to $TMP/rss.
rss() {
	[ "$have_time" = 1 ] || return 0
	local k
	k=$(tail -n 1 "$TMP/rss" 2>/dev/null)
	checks=$((checks + 1))
	if ! [[ $k =~ ^[0-9]+$ ]] || [ "$k" -ge "$RSS_MAX" ]; then
		fail "$name: peak RSS '$k' KiB, want < $RSS_MAX"
	fi
}
TIME=()
[ "$have_time" = 1 ] && TIME=(/usr/bin/time -f %M -o "$TMP/rss")

# stream NAME WANT_FILE MAPQ_ARGS...: `cat big.txt | mapq ARGS` under the
# limit prints WANT_FILE.  (SRC overrides big.txt.)
stream() {
	local name=$1 want=$2 st
	shift 2
	cat "${SRC:-big.txt}" | lim "${TIME[@]}" "$M" "$@" >"$TMP/got" 2>"$TMP/err"
	st=${PIPESTATUS[1]}
	check "stream: $name" "$want" "$TMP/got" "$st"
	rss "stream: $name"
}

# file NAME FILE MAPQ_ARGS...: `mapq ARGS FILE` under the limit (pread)
# prints what it prints without it (mapped).
file() {
	local name=$1 f=$2 st ws
	shift 2
	timeout "$TO" "$M" "$@" "$f" >"$TMP/want" 2>/dev/null
	ws=$?
	lim "$M" "$@" "$f" >"$TMP/got" 2>"$TMP/err"
	st=$?
	WANT_ST=$ws check "file: $name" "$TMP/want" "$TMP/got" "$st"
}

# ---- references: GNU tools on the same bytes ------------------------------------
grep -c ERROR big.txt >ref.count
tail -n 10 big.txt >ref.tail10
tail -n 3 big.txt >ref.tail3
printf 'bytes: %s\nnewlines: %s\n' "$BIG" "$(wc -l <big.txt)" >ref.stats-gnu
timeout "$TO" "$M" stats big.txt | sed 's/^path: big.txt$/path: -/' >ref.stats

# ---- 1 GiB through a pipe -----------------------------------------------------------
stream "grep -c ERROR (== grep -c)" ref.count grep -c ERROR
stream "stats (== mapq stats FILE)" ref.stats stats
grep -E '^(bytes|newlines):' "$TMP/got" >"$TMP/got2"
check "stream: stats bytes, newlines (== wc -c, wc -l)" ref.stats-gnu "$TMP/got2" 0
stream "slice -l -10: (== tail -n 10)" ref.tail10 slice -l -10:
stream "grep -n -B2 -m1 'without newline' (== grep)" <(grep -n -B2 -m1 'without newline' big.txt) \
	grep -n -B2 -m1 'without newline'
# compress: the output decompresses to the input.
cat big.txt | lim "${TIME[@]}" "$M" compress >big.zst 2>"$TMP/err"
st=${PIPESTATUS[1]}
checks=$((checks + 1))
if [ "$st" -ne 0 ]; then
	fail "stream: compress: exit status $st: $(head -c 200 "$TMP/err" | tr '\n' ' ')"
else
	rss "stream: compress"
	n=$(zstd -dc big.zst | wc -c)
	checks=$((checks + 1))
	[ "$n" = "$BIG" ] || fail "stream: compress | zstd -dc | wc -c: $n, want $BIG"
	checks=$((checks + 1))
	zstd -dc big.zst | cmp -s - big.txt || fail "stream: compress | zstd -dc differs from the input"
	# The seekable file under the limit: random access by frames.
	lim "$M" slice -l -3: big.zst >"$TMP/got" 2>"$TMP/err"
	check "seekable file: slice -l -3: (== tail -n 3)" ref.tail3 "$TMP/got" $?
	lim "$M" grep -c ERROR big.zst >"$TMP/got" 2>"$TMP/err"
	check "seekable file: grep -c ERROR (== grep -c)" ref.count "$TMP/got" $?
fi
rm -f big.zst
# A sorted stream: range reads it once, forward.
SRC=sorted.txt stream "range --check (sorted)" /dev/null range --check
timeout "$TO" "$M" range --from 000007000000 --to 000014000000 -c sorted.txt >ref.range
SRC=sorted.txt stream "range --from --to -c (== mapped)" ref.range \
	range --from 000007000000 --to 000014000000 -c
SRC=sorted.txt stream "range --from -c, window to the end (== mapped)" \
	<(timeout "$TO" "$M" range --from 000027000000 -c sorted.txt) range --from 000027000000 -c

# ---- files that cannot be mapped under the limit: pread ------------------------------
checks=$((checks + 1))
(ulimit -v "$LIM" && exec timeout "$TO" strace -f -e trace=mmap,pread64 "$M" slice -b 0:10 big.txt) \
	>/dev/null 2>"$TMP/strace"
grep -q 'ENOMEM' "$TMP/strace" && grep -q 'pread64(' "$TMP/strace" ||
	fail "file: under ulimit -v $LIM, mmap of big.txt did not fail or pread was not used (test premise)"
lim "$M" slice -b 0:10 big.txt >"$TMP/got" 2>"$TMP/err"
check "file: slice -b 0:10 (== head -c 10)" <(head -c 10 big.txt) "$TMP/got" $?
lim "$M" slice -b 700M:+100 big.txt >"$TMP/got" 2>"$TMP/err"
check "file: slice -b 700M:+100 (== tail -c | head -c)" <(tail -c +$((700 * 1048576 + 1)) big.txt | head -c 100) "$TMP/got" $?
lim "$M" slice -l -3: big.txt >"$TMP/got" 2>"$TMP/err"
check "file: slice -l -3: (== tail -n 3)" ref.tail3 "$TMP/got" $?
lim "$M" grep -c ERROR big.txt >"$TMP/got" 2>"$TMP/err"
check "file: grep -c ERROR (== grep -c)" ref.count "$TMP/got" $?
lim "$M" stats big.txt >"$TMP/got" 2>"$TMP/err"
st=$?
sed -i 's/^path: big.txt$/path: -/' "$TMP/got"
check "file: stats (== mapped)" ref.stats "$TMP/got" $st
file "slice -b -1M:-1000" big.txt slice -b -1M:-1000
file "slice --align -b 512M:+4K" big.txt slice --align -b 512M:+4K
file "slice -l 15000000:+3" big.txt slice -l 15000000:+3
file "grep -n --lines=-50000: -m2 ERROR" big.txt grep -n --lines=-50000: -m2 ERROR
file "grep -c --bytes=300M:+200M ERROR" big.txt grep -c --bytes=300M:+200M ERROR
file "grep -n -b --bytes=300M:+1000 ." big.txt grep -n -b --bytes=300M:+1000 .
file "stats -l -1000000:" big.txt stats -l -1000000:
file "split -n 3" big.txt split -n 3
file "range --from -c" sorted.txt range --from 000014000000 --to 000021000000 -c
file "range --from --offsets" sorted.txt range --from 000014000000 --to 000021000000 --offsets
file "range --from (lines)" sorted.txt range --from 000020000000 --to 000020000100
file "range --from, empty window" sorted.txt range --from 000020000002 --to 000020000003 -c
file "range --check" sorted.txt range --check
file "slice -l -3:" sorted.txt slice -l -3:
# And the counts against the awk that made it: keys i*7 for i < 4000000.
lim "$M" range --from 000014000000 --to 000021000000 -c sorted.txt >"$TMP/got" 2>"$TMP/err"
check "file: range -c (== arithmetic)" <(echo $(((21000000 - 14000000 + 6) / 7))) "$TMP/got" $?

finish
