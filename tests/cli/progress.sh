#!/usr/bin/env bash
# CLI tests of the progress line (mapq-stats(1), mapq-grep(1),
# mapq-compress(1): --progress, --no-progress): on a terminal it shows the
# bytes and the rate once work has lasted a second, and is erased at the
# end; standard output is unchanged; elsewhere it shows only when asked.
# The terminal is a pseudo-terminal from script(1); the work lasts more
# than a second because its input comes through a pipe from a writer that
# sleeps between chunks (no timing is measured).  Expected figures come
# from wc, GNU grep and zstd.
# Usage: progress.sh MAPQ
. "$(dirname "$0")/lib.sh"
M=$1
PY=/usr/bin/python3

if ! command -v script >/dev/null || [ ! -x "$PY" ]; then
	echo "script(1) or $PY is missing: skipped"
	exit 77
fi

# Data: 4 MiB and more of text lines.
"$PY" -c '
import random, sys
r = random.Random(1)
with open(sys.argv[1], "w") as f:
    for i in range(100000):
        f.write("line %d %s\n" % (i, "x" * r.randint(0, 60)))
' "$TMP/data"

# slow FILE: FILE on stdout in chunks of 128 KiB, 50 ms apart (more than a
# second in all for the data).
cat >"$TMP/slow.py" <<'EOF'
import sys, time
data = open(sys.argv[1], "rb").read()
out = sys.stdout.buffer
for i in range(0, len(data), 131072):
    out.write(data[i:i + 131072])
    out.flush()
    time.sleep(0.05)
EOF
slow="$PY $TMP/slow.py"

# What a terminal shows after a transcript: \r returns to the start of the
# line, ESC [ K erases to its end, other bytes overwrite.
cat >"$TMP/screen.py" <<'EOF'
import re, sys
data = open(sys.argv[1], "rb").read().decode("utf-8", "replace")
lines, line, col = [], [], 0
for m in re.finditer(r"\x1b\[K|\r|\n|[^\r\n\x1b]|\x1b", data):
    t = m.group(0)
    if t == "\r":
        col = 0
    elif t == "\n":
        lines.append("".join(line)); line, col = [], 0
    elif t == "\x1b[K":
        del line[col:]
    else:
        if col < len(line):
            line[col] = t
        else:
            line.append(t)
        col += 1
lines.append("".join(line))
while lines and lines[-1] == "":
    lines.pop()
print("\n".join(lines))
EOF

# A drawn progress line: "\r", bytes, the rate, erase to the end of line.
UNIT='[0-9.]+ (B|KiB|MiB|GiB)'
LINE=$'\r'"$UNIT( / $UNIT +[0-9]+%)?  $UNIT/s( +ETA [0-9:-]+)?"$'\e\\[K'

# on_tty NAME CMD: run CMD (by sh) with stdin, stdout and stderr on a
# pseudo-terminal; the transcript goes to $TMP/NAME.tty, the screen it
# leaves to $TMP/NAME.screen.
on_tty() {
	script -qfec "$2" /dev/null </dev/null >"$TMP/$1.tty" 2>&1
	local st=$?
	"$PY" "$TMP/screen.py" "$TMP/$1.tty" >"$TMP/$1.screen"
	return $st
}

# shows NAME: the transcript has a progress line; off NAME: none at all.
shows() {
	checks=$((checks + 1))
	grep -Eqa -- "$LINE" "$TMP/$1.tty" ||
		fail "$1: no progress line in: $(head -c 300 "$TMP/$1.tty" | od -c | head -5)"
}
off() {
	checks=$((checks + 1))
	if grep -Eqa -- "/s|"$'\e' "$TMP/$1.tty"; then
		fail "$1: progress shown: $(head -c 200 "$TMP/$1.tty" | od -c | head -5)"
	fi
}
# clean NAME: no progress left on the screen.
clean() {
	checks=$((checks + 1))
	if grep -Eq -- "/s" "$TMP/$1.screen"; then
		fail "$1: progress left on the screen: $(cat "$TMP/$1.screen")"
	fi
}

want_bytes=$(wc -c <"$TMP/data")
want_lines=$(wc -l <"$TMP/data")
want_count=$(grep -c 'line [0-9]*5 x' "$TMP/data")

# ---- stats: the line on the terminal, stdout in a file ----
on_tty stats "$slow $TMP/data | $M stats >$TMP/stats.out" ||
	fail "stats on a terminal: exit status $?"
shows stats
clean stats
checks=$((checks + 1))
grep -qx "bytes: $want_bytes" "$TMP/stats.out" &&
	grep -qx "lines: $want_lines" "$TMP/stats.out" ||
	fail "stats: figures differ from wc: $(head -3 "$TMP/stats.out")"
checks=$((checks + 1))
"$M" stats --no-progress <"$TMP/data" >"$TMP/stats.ref"
cmp -s "$TMP/stats.ref" "$TMP/stats.out" ||
	fail "stats: stdout differs with a progress line"

# ---- stats: stdout on the same terminal, several inputs ----
on_tty stats2 "$slow $TMP/data | $M stats -j 2 - $TMP/data" ||
	fail "stats of two inputs on a terminal: exit status $?"
shows stats2
clean stats2
checks=$((checks + 1))
[ "$(grep -c "^bytes: $want_bytes$" "$TMP/stats2.screen")" = 2 ] &&
	grep -qx "bytes: $((2 * want_bytes))" "$TMP/stats2.screen" ||
	fail "stats of two inputs: the screen lacks the figures: $(head -20 "$TMP/stats2.screen")"

# ---- --no-progress on a terminal: nothing ----
on_tty stats_off "$slow $TMP/data | $M stats --no-progress >/dev/null" ||
	fail "stats --no-progress: exit status $?"
off stats_off

# ---- not a terminal: nothing, unless --progress ----
checks=$((checks + 1))
$slow "$TMP/data" | "$M" stats >/dev/null 2>"$TMP/pipe.err"
[ -s "$TMP/pipe.err" ] && fail "stats in a pipe: stderr: $(head -c 200 "$TMP/pipe.err")"
checks=$((checks + 1))
$slow "$TMP/data" | "$M" stats --progress >"$TMP/forced.out" 2>"$TMP/forced.err"
grep -Eqa -- "$LINE" "$TMP/forced.err" ||
	fail "stats --progress in a pipe: no progress line: $(head -c 200 "$TMP/forced.err" | od -c | head -3)"
cmp -s "$TMP/stats.ref" "$TMP/forced.out" ||
	fail "stats --progress: stdout differs"

# ---- grep -c: the count on the terminal, the line erased before it ----
on_tty grep_count "$slow $TMP/data | $M grep -c 'line [0-9]*5 x'" ||
	fail "grep -c on a terminal: exit status $?"
shows grep_count
clean grep_count
checks=$((checks + 1))
[ "$(cat "$TMP/grep_count.screen")" = "$want_count" ] ||
	fail "grep -c: screen '$(cat "$TMP/grep_count.screen")', GNU grep says $want_count"

# grep printing lines: no progress unless asked; then still the same lines.
on_tty grep_lines "$slow $TMP/data | $M grep 'line 9999[0-9] ' >/dev/null" ||
	fail "grep on a terminal: exit status $?"
off grep_lines
on_tty grep_forced "$slow $TMP/data | $M grep --progress 'line 9999[0-9] '" ||
	fail "grep --progress on a terminal: exit status $?"
shows grep_forced
clean grep_forced
checks=$((checks + 1))
grep 'line 9999[0-9] ' "$TMP/data" >"$TMP/grep.ref"
cmp -s "$TMP/grep.ref" "$TMP/grep_forced.screen" ||
	fail "grep --progress: the screen is not GNU grep's lines"

# ---- compress: the total is known (percent, time left) ----
# A reader that takes its time keeps the compressor waiting on its output.
cat >"$TMP/slowread.py" <<'EOF'
import sys, time
inp, out = sys.stdin.buffer, sys.stdout.buffer
while True:
    b = inp.read1(65536)
    if not b:
        break
    out.write(b)
    time.sleep(0.03)
EOF
"$PY" -c '
import random, sys
r = random.Random(2)
open(sys.argv[1], "wb").write(r.randbytes(4 << 20))
' "$TMP/random"
on_tty compress "$M compress -j 2 $TMP/random | $PY $TMP/slowread.py >$TMP/random.zst" ||
	fail "compress on a terminal: exit status $?"
shows compress
clean compress
checks=$((checks + 1))
grep -Eqa -- "/ 4.0 MiB +[0-9]+%  $UNIT/s +ETA [0-9]+:[0-9]{2}"$'\e' "$TMP/compress.tty" ||
	fail "compress: no percent and time left: $(head -c 200 "$TMP/compress.tty" | od -c | head -3)"
if command -v zstd >/dev/null; then
	checks=$((checks + 1))
	zstd -dcq "$TMP/random.zst" | cmp -s - "$TMP/random" ||
		fail "compress: zstd -dc does not give the input back"
fi

# ---- the flags are documented ----
for cmd in stats grep compress; do
	checks=$((checks + 1))
	h=$("$M" "$cmd" --help)
	case $h in
	*--progress*--no-progress*) ;;
	*) fail "$cmd --help lacks --progress and --no-progress" ;;
	esac
done

finish
