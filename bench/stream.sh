#!/usr/bin/env bash
# mapq on a pipe: a page-cached 2 GiB log through `cat |` into mapq grep -c,
# stats -j1, slice -l -10: and compress, against grep -c, wc -l, tail -n 10
# and zstd -T0 on the same pipe, plus the peak RSS of each (mapq must stay in
# tens of MiB whatever the stream's length).  The same commands on the file
# are timed too: the mapped path must not pay for the streaming one.
#
# Usage:   bench/stream.sh                   (uses <repo>/build/mapq)
# Knobs (environment):
#   MAPQ        mapq binary (default: <repo>/build/mapq, a Release build)
#   BENCH_DIR   where the log is (default: /tmp/mapq-bench)
#   LOG         the file (default: $BENCH_DIR/log2g, generated when missing)
#   WARMUP      hyperfine warmup runs (default: 2)
#   RUNS        hyperfine runs (default: 10)
#   CC          C compiler for gen_log (default: cc)
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$script_dir")

MAPQ=${MAPQ:-$repo_dir/build/mapq}
BENCH_DIR=${BENCH_DIR:-/tmp/mapq-bench}
LOG=${LOG:-$BENCH_DIR/log2g}
WARMUP=${WARMUP:-2}
RUNS=${RUNS:-10}
CC=${CC:-cc}

die() { echo "stream.sh: $*" >&2; exit 2; }
note() { echo "== $*" >&2; }

for t in hyperfine zstd grep wc tail cat cmp; do
	command -v "$t" >/dev/null 2>&1 || die "$t not found"
done
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"
[ -x "$MAPQ" ] || die "mapq not found: $MAPQ (build it, or set MAPQ=...)"
mkdir -p "$BENCH_DIR"

tmp_dir=$(mktemp -d /tmp/mapq-stream-bench.XXXXXX)
trap 'rm -rf "$tmp_dir"' EXIT
# Time a private copy, so that a rebuild during the run changes nothing.
cp "$MAPQ" "$tmp_dir/mapq"
mapq=$tmp_dir/mapq
mapq_rev=$(git -C "$repo_dir" rev-parse --short HEAD 2>/dev/null || echo "no commit")

if [ ! -f "$LOG" ]; then
	note "generating $LOG (2 GiB)"
	"$CC" -O2 -o "$tmp_dir/gen_log" "$script_dir/gen_log.c" || die "cannot build gen_log"
	"$tmp_dir/gen_log" 2G >"$LOG"
fi

# Right before fast: the pipe gives what the file gives, and what the
# reference tools give.
note "checking the streamed answers"
[ "$(cat "$LOG" | "$mapq" grep -c ERROR)" = "$(grep -c ERROR "$LOG")" ] ||
	die "cat | mapq grep -c differs from grep -c"
cat "$LOG" | "$mapq" stats -j1 | sed 's/^path: .*//' >"$tmp_dir/s.pipe"
"$mapq" stats -j1 "$LOG" | sed 's/^path: .*//' >"$tmp_dir/s.file"
cmp -s "$tmp_dir/s.pipe" "$tmp_dir/s.file" || die "stats of the pipe differ from the file's"
cat "$LOG" | "$mapq" slice -l -10: | cmp -s - <(tail -n 10 "$LOG") ||
	die "cat | mapq slice -l -10: differs from tail -n 10"
cat "$LOG" | "$mapq" compress | zstd -dc | cmp -s - "$LOG" ||
	die "cat | mapq compress does not decode to the input"
# Every command of the issue's list prints for the pipe what it prints for
# the file (names and timings aside).
from=$(sed -n '1000000p' "$LOG" | cut -c1-16)
to=$(sed -n '1100000p' "$LOG" | cut -c1-16)
norm() { # names and timings aside
	sed -E -e 's/"elapsed(_total)?":\{[^}]*\},?//g' \
		-e 's/"path":\{"text":"[^"]*"\}//g' -e 's/^\{"path":"[^"]*",/{/' \
		-e 's/^path: .*//'
}
same() { # ARGS...
	{ cat "$LOG" || true; } | "$mapq" "$@" | norm | md5sum >"$tmp_dir/a" # mapq may stop reading early
	"$mapq" "$@" "$LOG" | norm | md5sum >"$tmp_dir/b"
	cmp -s "$tmp_dir/a" "$tmp_dir/b" || die "mapq $* differs between the pipe and the file"
}
same grep -n -C2 'status=503'
same grep --json 'status=503'
same stats --json
same slice -l -10:
same slice -b 1536M:+64K
same slice -l 15000000:+100
same range --from "$from" --to "$to"

note "warming the page cache"
cat "$LOG" >/dev/null

# Peak RSS of the whole pipeline's slowest member is what matters here:
# /usr/bin/time on `sh -c` reports the largest of its children.
rss() { # LABEL CMD
	/usr/bin/time -f "%M" -o "$tmp_dir/rss" sh -c "$2" >/dev/null 2>&1 || true
	printf '%-34s %8s KiB\n' "$1" "$(cat "$tmp_dir/rss")"
}

pair() { # NAME MAPQ-CMD REF-CMD
	note "$1"
	hyperfine --style basic --output=pipe --warmup "$WARMUP" --runs "$RUNS" \
		--export-json "$tmp_dir/$1.json" -n "mapq" "$2" -n "ref" "$3" >/dev/null
	python3 - "$tmp_dir/$1.json" "$1" <<'PY'
import json, sys, statistics
r = json.load(open(sys.argv[1]))["results"]
m = {x["command"]: statistics.median(x["times"]) for x in r}
print(f"{sys.argv[2]:<22} mapq {m['mapq']*1000:8.0f} ms   ref {m['ref']*1000:8.0f} ms   ratio {m['mapq']/m['ref']:.2f}")
PY
}

echo "# bench/stream.sh  $(date -u +%F' '%H:%M) UTC  mapq $mapq_rev  $(wc -c <"$LOG") bytes"
echo "## medians of $RUNS runs, mapq / reference (same pipe, same run)"
pair grep_c "cat $LOG | $mapq grep -c ERROR" "cat $LOG | grep -c ERROR"
pair stats_j1 "cat $LOG | $mapq stats -j1" "cat $LOG | wc -l"
pair slice_tail "cat $LOG | $mapq slice -l -10:" "cat $LOG | tail -n 10"
pair compress "cat $LOG | $mapq compress -j 0" "cat $LOG | zstd -T0 -3 -c"
echo "## the same on the file (mapped): the fast path"
pair file_grep_c "$mapq grep -c ERROR $LOG" "grep -c ERROR $LOG"
pair file_stats_j1 "$mapq stats -j1 $LOG" "wc -l $LOG"
echo "## peak RSS"
rss "cat | mapq grep -c" "cat $LOG | $mapq grep -c ERROR"
rss "cat | grep -c" "cat $LOG | grep -c ERROR"
rss "cat | mapq grep -n -C2" "cat $LOG | $mapq grep -n -C2 ERROR"
rss "cat | mapq grep --json" "cat $LOG | $mapq grep --json status=503"
rss "cat | mapq stats --json" "cat $LOG | $mapq stats --json"
rss "cat | mapq stats -j1" "cat $LOG | $mapq stats -j1"
rss "cat | wc -l" "cat $LOG | wc -l"
rss "cat | mapq slice -l -10:" "cat $LOG | $mapq slice -l -10:"
rss "cat | mapq slice -b 1536M:+64K" "cat $LOG | $mapq slice -b 1536M:+64K"
rss "cat | mapq slice -l 15000000:+100" "cat $LOG | $mapq slice -l 15000000:+100"
rss "cat | tail -n 10" "cat $LOG | tail -n 10"
rss "cat | mapq compress" "cat $LOG | $mapq compress -j 0"
rss "cat | zstd -T0" "cat $LOG | zstd -T0 -3 -c"
