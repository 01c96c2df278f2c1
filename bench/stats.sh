#!/usr/bin/env bash
# mapq stats benchmark: one full pass over a page-cached 2 GiB log with one
# thread and with every core, against wc -l, wc -c and a memory-bandwidth
# baseline (bench/mem_sum.c: add the mapped file up as 64-bit words).
#
# Usage:   bench/stats.sh                    (uses <repo>/build/mapq)
# Knobs (environment):
#   MAPQ        mapq binary (default: <repo>/build/mapq; build it with
#               -DCMAKE_BUILD_TYPE=Release)
#   BENCH_DIR   where the log is (default: /tmp/mapq-bench)
#   LOG         the file to measure (default: $BENCH_DIR/log2g, generated
#               with bench/gen_log.c when missing)
#   WARMUP      hyperfine warmup runs (default: 3)
#   RUNS        hyperfine runs (default: 10)
#   MAX_LOAD    wait until the 1-minute load average is below this
#               (default: 1.5) ...
#   LOAD_WAIT   ... for at most this many seconds (default: 600)
#   CC          C compiler (default: cc)
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$script_dir")

MAPQ=${MAPQ:-$repo_dir/build/mapq}
BENCH_DIR=${BENCH_DIR:-/tmp/mapq-bench}
LOG=${LOG:-$BENCH_DIR/log2g}
WARMUP=${WARMUP:-3}
RUNS=${RUNS:-10}
MAX_LOAD=${MAX_LOAD:-1.5}
LOAD_WAIT=${LOAD_WAIT:-600}
CC=${CC:-cc}

die() { echo "stats.sh: $*" >&2; exit 2; }
note() { echo "== $*" >&2; }

command -v hyperfine >/dev/null 2>&1 || die "hyperfine not found (apt-get install hyperfine)"
command -v "$CC" >/dev/null 2>&1 || die "C compiler '$CC' not found"
[ -x "$MAPQ" ] || die "mapq not found: $MAPQ (build it, or set MAPQ=...)"
mkdir -p "$BENCH_DIR"

tmp_dir=$(mktemp -d /tmp/mapq-stats-bench.XXXXXX)
trap 'rm -rf "$tmp_dir"' EXIT
# Time a private copy, so that a rebuild during the run changes nothing.
cp "$MAPQ" "$tmp_dir/mapq"
mapq=$tmp_dir/mapq
mapq_rev=$(git -C "$repo_dir" rev-parse --short HEAD 2>/dev/null || echo "no commit")

# The baseline, built into /tmp.
"$CC" -O2 -o "$tmp_dir/mem_sum" "$script_dir/mem_sum.c" || die "cannot build mem_sum"
mem_sum=$tmp_dir/mem_sum

if [ ! -f "$LOG" ]; then
	[ -f "$script_dir/gen_log.c" ] || die "$LOG is missing and bench/gen_log.c too"
	note "generating $LOG (2 GiB)"
	"$CC" -O2 -o "$tmp_dir/gen_log" "$script_dir/gen_log.c" || die "cannot build gen_log"
	"$tmp_dir/gen_log" 2G >"$LOG"
fi
size=$(wc -c <"$LOG")

# The figures must be right before they are fast.
note "checking mapq stats against wc, and -j 1 against all cores"
"$mapq" stats -j 1 "$LOG" >"$tmp_dir/j1"
"$mapq" stats "$LOG" >"$tmp_dir/jn"
cmp -s "$tmp_dir/j1" "$tmp_dir/jn" || die "mapq stats -j 1 and mapq stats differ"
[ "$(sed -n 's/^bytes: //p' "$tmp_dir/j1")" = "$size" ] || die "bytes differ from wc -c"
[ "$(sed -n 's/^newlines: //p' "$tmp_dir/j1")" = "$(wc -l <"$LOG")" ] || die "newlines differ from wc -l"

note "warming the page cache"
cat "$LOG" >/dev/null

# Other work on the machine skews every figure: wait for a quiet moment.
load() { cut -d' ' -f1 /proc/loadavg; }
waited=0
while awk -v l="$(load)" -v m="$MAX_LOAD" 'BEGIN { exit !(l >= m) }'; do
	if [ "$waited" -ge "$LOAD_WAIT" ]; then
		note "WARNING: load average still $(load) after ${LOAD_WAIT}s; measuring anyway"
		break
	fi
	[ "$waited" = 0 ] && note "load average $(load): waiting for it to drop below $MAX_LOAD"
	sleep 10
	waited=$((waited + 10))
done
load_before=$(load)

cpus=$(getconf _NPROCESSORS_ONLN)
hyperfine --output=pipe -N --warmup "$WARMUP" --runs "$RUNS" \
	--export-csv "$tmp_dir/times.csv" --export-markdown "$BENCH_DIR/stats-hyperfine.md" \
	-n "mapq stats -j1" "$mapq stats -j 1 $LOG" \
	-n "mapq stats ($cpus cores)" "$mapq stats $LOG" \
	-n "wc -l" "wc -l $LOG" \
	-n "wc -c" "wc -c $LOG" \
	-n "mem_sum (baseline)" "$mem_sum $LOG"
load_after=$(load)

# The summary: time, throughput, and ratios to wc -l and to one thread.
{
	echo "# mapq stats on $(basename "$LOG") ($size bytes, page-cached)"
	echo
	echo "- date: $(date -u +%Y-%m-%dT%H:%MZ); mapq $mapq_rev; $cpus CPUs ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'))"
	echo "- load average: $load_before before, $load_after after"
	echo "- hyperfine --output=pipe -N --warmup $WARMUP --runs $RUNS"
	echo
	echo "| command | mean ± σ | min | GB/s (mean) | × wc -l time | × -j1 speed |"
	echo "|---|---:|---:|---:|---:|---:|"
	# CSV columns: command,mean,stddev,median,user,system,min,max
	awk -F, -v size="$size" '
		NR == 1 { next }
		{ name[NR] = $1; mean[NR] = $2; sd[NR] = $3; lo[NR] = $7; n = NR }
		$1 == "wc -l" { wcl = $2 }
		$1 == "mapq stats -j1" { j1 = $2 }
		END {
			for (i = 2; i <= n; i++) {
				gbs = name[i] == "wc -c" ? "(no read)" : sprintf("%.2f", size / mean[i] / 1e9)
				printf "| %s | %.1f ms ± %.1f | %.1f ms | %s | %.2f | %s |\n", name[i],
					mean[i] * 1000, sd[i] * 1000, lo[i] * 1000, gbs, mean[i] / wcl,
					name[i] ~ /^mapq/ ? sprintf("%.2f", j1 / mean[i]) : ""
			}
		}' "$tmp_dir/times.csv"
} | tee "$BENCH_DIR/stats-summary.md"
