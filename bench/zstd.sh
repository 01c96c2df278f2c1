#!/usr/bin/env bash
# Compressed input: `mapq compress -j2` against `zstd -T2` (speed and
# ratio), and slicing the seekable file mapq writes against decompressing
# it with zstdcat into tail/head.
#
# Usage:   bench/zstd.sh                 (uses <repo>/build/mapq)
#          MAPQ=/path/to/mapq bench/zstd.sh
# Knobs (environment):
#   MAPQ        mapq binary (default: <repo>/build/mapq)
#   BENCH_DIR   where log2g lives and the .zst files go (default:
#               /tmp/mapq-bench; bench/run.sh generates log2g)
#   RUNS        hyperfine runs for the slice cases (default: 10)
#   ZRUNS       hyperfine runs for the compression case (default: 3)
#   CASES       subset of: compress slice lines tail rss (default: all)
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$script_dir")
MAPQ=${MAPQ:-$repo_dir/build/mapq}
BENCH_DIR=${BENCH_DIR:-/tmp/mapq-bench}
RUNS=${RUNS:-10}
ZRUNS=${ZRUNS:-3}
CASES=${CASES:-compress slice lines tail rss}

die() { echo "zstd.sh: $*" >&2; exit 2; }
note() { echo "== $*" >&2; }
want() { case " $CASES " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

for t in hyperfine zstd zstdcat tail head cmp awk; do
	command -v "$t" >/dev/null 2>&1 || die "$t not found"
done
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"
[ -x "$MAPQ" ] || die "mapq not found: $MAPQ"
LOG=$BENCH_DIR/log2g
[ -f "$LOG" ] || die "$LOG is missing: run bench/run.sh once to generate it"
SEEK=$BENCH_DIR/log2g.zst        # mapq compress -j2 (seekable, 1 MiB frames)
PLAIN=$BENCH_DIR/log2g.T2.zst    # zstd -T2 (one frame, no seek table)
res=$BENCH_DIR/results
mkdir -p "$res"
tmp=$(mktemp -d "$BENCH_DIR/tmp.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# Time a private copy of the binary.
cp "$MAPQ" "$tmp/mapq"
M=$tmp/mapq
size=$(stat -c %s "$LOG")
note "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
cat "$LOG" >/dev/null # warm page cache

if want compress || [ ! -f "$SEEK" ] || [ ! -f "$PLAIN" ]; then
	note "compress: mapq compress -j 2 vs zstd -T2 (level 3 both)"
	hyperfine --output=pipe --warmup 1 --runs "$ZRUNS" \
		--export-markdown "$res/zstd-compress.md" \
		-n "mapq compress -j 2" "'$M' compress -j 2 '$LOG' > '$SEEK'" \
		-n "zstd -T2" "zstd -q -f -3 -T2 '$LOG' -o '$PLAIN'"
	zstd -q -dc "$SEEK" | cmp - "$LOG" || die "zstd -d of mapq compress output differs"
	zstd -q -dc "$PLAIN" | cmp - "$LOG" || die "zstd -d of zstd output differs"
	for f in "$SEEK" "$PLAIN"; do
		c=$(stat -c %s "$f")
		awk -v n="$(basename "$f")" -v c="$c" -v s="$size" \
			'BEGIN { printf "%s: %d bytes, ratio %.3f (%.2f%% of the input)\n", n, c, s / c, 100 * c / s }'
	done | tee "$res/zstd-ratio.txt"
fi

# Check a command against its reference before timing them together.
check() {
	local name=$1 ref=$2 cmd=$3
	bash -c "$ref" >"$tmp/ref"
	bash -c "$cmd" >"$tmp/got"
	cmp -s "$tmp/ref" "$tmp/got" || die "$name: mapq output differs from the reference"
}

if want slice; then
	off=$((size * 3 / 4))
	note "slice: 4 KiB at byte $off (75%)"
	ref="zstdcat '$SEEK' | tail -c +$((off + 1)) | head -c 4096"
	cmd="'$M' slice -b $off:+4096 '$SEEK'"
	check slice "$ref" "$cmd"
	hyperfine --output=pipe --warmup 3 --runs "$RUNS" \
		--export-markdown "$res/zstd-slice.md" -n "mapq slice -b OFF:+4096" "$cmd" \
		-n "zstdcat | tail -c +N | head -c 4096" "$ref"
fi

if want tail; then
	note "tail: the last 10 lines"
	ref="zstdcat '$SEEK' | tail -n 10"
	cmd="'$M' slice -l -10: '$SEEK'"
	check tail "$ref" "$cmd"
	hyperfine --output=pipe --warmup 3 --runs "$RUNS" \
		--export-markdown "$res/zstd-tail.md" -n "mapq slice -l -10:" "$cmd" \
		-n "zstdcat | tail -n 10" "$ref"
fi

if want lines; then
	lines=$(awk 'END { print NR }' "$LOG")
	n=$((lines * 3 / 4))
	note "lines: 100 lines from line $n (75%): decompresses 75% of the file"
	ref="zstdcat '$SEEK' | tail -n +$n | head -n 100"
	cmd="'$M' slice -l $n:+100 '$SEEK'"
	check lines "$ref" "$cmd"
	hyperfine --output=pipe --warmup 1 --runs 5 \
		--export-markdown "$res/zstd-lines.md" -n "mapq slice -l N:+100" "$cmd" \
		-n "zstdcat | tail -n +N | head -n 100" "$ref"
fi

if want rss; then
	note "rss: peak resident memory of a full decompression"
	for f in "$SEEK" "$PLAIN"; do
		/usr/bin/time -v "$M" slice "$f" 2>"$tmp/time" | wc -c >/dev/null
		kb=$(awk -F': ' '/Maximum resident/ {print $2}' "$tmp/time")
		echo "mapq slice $(basename "$f") | wc -c: peak RSS $((kb / 1024)) MiB"
	done | tee "$res/zstd-rss.txt"
fi
note "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
