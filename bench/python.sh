#!/usr/bin/env bash
# The Python package against the CLI and against plain Python, on the big
# synthetic log (see bench/README.md, "Python"):
# - iterating every match of a literal: mapq.File.grep() in Python versus
#   `mapq grep | wc -l`, a plain-Python mmap + re.finditer loop and a
#   `for line in f: if PAT in line` loop; every command must count the same
#   lines before it is timed;
# - peak RSS of each (/usr/bin/time -v);
# - mapq.dask.count() on a 2-worker distributed.LocalCluster versus
#   `mapq grep -c -j 2` (the engine's overhead), timed inside Python after
#   the cluster has started.
#
# Usage:   bench/python.sh                 (uses <repo>/build: build/mapq and
#                                           build/python)
#          BUILD=/path/to/build bench/python.sh
# Knobs (environment): BUILD, BENCH_DIR (default /tmp/mapq-bench; the log is
#   $BENCH_DIR/log2g, generated when missing), PATTERNS (default "ERROR GET":
#   144 k and 6.7 M lines of the 2 GiB log), HYPERFINE_OPTS (default
#   "--runs 5"), DASK_RUNS (default 5), PY (default /usr/bin/python3),
#   PARTS (default "iter dask": the match iteration, the Dask count).
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$script_dir")
BUILD=${BUILD:-$repo_dir/build}
BENCH_DIR=${BENCH_DIR:-/tmp/mapq-bench}
PATTERNS=${PATTERNS:-ERROR GET}
HYPERFINE_OPTS=${HYPERFINE_OPTS:---runs 5}
DASK_RUNS=${DASK_RUNS:-5}
PY=${PY:-/usr/bin/python3}
PARTS=${PARTS:-iter dask}
want_part() { case " $PARTS " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

die() { echo "python.sh: $*" >&2; exit 2; }
note() { echo "== $*" >&2; }
command -v hyperfine >/dev/null || die "hyperfine not found (apt-get install hyperfine)"
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"
[ -x "$BUILD/mapq" ] || die "no $BUILD/mapq: build first"
PYTHONPATH=$BUILD/python "$PY" -c 'import mapq' || die "cannot import mapq from $BUILD/python"
export PYTHONPATH=$BUILD/python

mkdir -p "$BENCH_DIR"
log=$BENCH_DIR/log2g
if [ ! -f "$log" ] || [ "$(stat -c %s "$log")" != 2147483648 ]; then
	cc -O2 -o "$BENCH_DIR/gen_log" "$script_dir/gen_log.c"
	note "generating $log"
	"$BENCH_DIR/gen_log" 2G >"$log.part" && mv "$log.part" "$log"
fi
cat "$log" >/dev/null
tmp=$(mktemp -d "$BENCH_DIR/py.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The contenders, each printing the number of matching lines.
cat >"$tmp/mapq_iter.py" <<'PYEOF'
import sys, mapq
n = 0
with mapq.open(sys.argv[1]) as f:
    for m in f.grep(sys.argv[2].encode(), fixed=True):
        n += 1
print(n)
PYEOF
cat >"$tmp/mmap_re.py" <<'PYEOF'
import mmap, re, sys
pat = re.compile(rb'^.*' + re.escape(sys.argv[2].encode()) + rb'.*$', re.M)
n = 0
with open(sys.argv[1], 'rb') as f, mmap.mmap(f.fileno(), 0, prot=mmap.PROT_READ) as mm:
    for m in pat.finditer(mm):
        n += 1
print(n)
PYEOF
cat >"$tmp/line_loop.py" <<'PYEOF'
import sys
lit = sys.argv[2].encode()
n = 0
with open(sys.argv[1], 'rb') as f:
    for line in f:
        if lit in line:
            n += 1
print(n)
PYEOF

M=$BUILD/mapq
want_part iter && for pat in $PATTERNS; do
	want=$("$M" grep -c -F "$pat" "$log")
	declare -A cmd=(
		[python-mapq]="$PY $tmp/mapq_iter.py $log $pat"
		[mapq-wc]="$M grep -F $pat $log | wc -l"
		[python-mmap-re]="$PY $tmp/mmap_re.py $log $pat"
		[python-lines]="$PY $tmp/line_loop.py $log $pat"
	)
	for k in python-mapq mapq-wc python-mmap-re python-lines; do
		got=$(bash -c "${cmd[$k]}" | tr -d ' ')
		[ "$got" = "$want" ] || die "$k counts $got lines of $pat, grep -c says $want"
		rss=$( { /usr/bin/time -v bash -c "${cmd[$k]} >/dev/null" >/dev/null; } 2>&1 |
			awk -F: '/Maximum resident/ {print int($2 / 1024)}')
		note "$pat $k: $got lines, peak RSS $rss MiB"
	done
	# shellcheck disable=SC2086
	hyperfine --output=pipe --warmup 1 $HYPERFINE_OPTS \
		--export-markdown "$tmp/$pat.md" \
		-n python-mapq "${cmd[python-mapq]}" -n mapq-wc "${cmd[mapq-wc]}" \
		-n python-mmap-re "${cmd[python-mmap-re]}" -n python-lines "${cmd[python-lines]}" >&2
	cat "$tmp/$pat.md"
	unset cmd
done

# mapq.dask.count on two worker processes versus mapq grep -c -j 2.
cat >"$tmp/dask_count.py" <<'PYEOF'
import statistics, sys, time
from distributed import Client, LocalCluster
import mapq.dask

def main(log, pat, runs):
    # Worker processes are spawned: this must not run when they import us.
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True) as cluster, \
            Client(cluster) as client:
        n = mapq.dask.count([log], pat, client=client, fixed=True)  # warm-up
        times = []
        for _ in range(runs):
            t = time.perf_counter()
            assert mapq.dask.count([log], pat, client=client, fixed=True) == n
            times.append(time.perf_counter() - t)
    print(n, statistics.median(times), min(times), max(times))

if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], int(sys.argv[3]))
PYEOF
want_part dask && for pat in $PATTERNS; do
	want=$("$M" grep -c -F "$pat" "$log")
	"$PY" "$tmp/dask_count.py" "$log" "$pat" "$DASK_RUNS" >"$tmp/dask.out" 2>"$tmp/dask.err" ||
		{ tail -20 "$tmp/dask.err" >&2; die "dask_count.py failed"; }
	read -r n med lo hi <"$tmp/dask.out"
	[ "$n" = "$want" ] || die "mapq.dask.count says $n, grep -c says $want"
	hyperfine --output=pipe --warmup 1 $HYPERFINE_OPTS --export-json "$tmp/c.json" \
		"$M grep -c -j 2 -F $pat $log" >/dev/null
	cli=$("$PY" -c 'import json,sys; print(json.load(open(sys.argv[1]))["results"][0]["median"])' "$tmp/c.json")
	printf '| %s | mapq.dask.count (2 workers) median %.3f s (min %.3f, max %.3f) | mapq grep -c -j 2 median %.3f s | ratio %.2f |\n' \
		"$pat" "$med" "$lo" "$hi" "$cli" "$(awk -v a="$med" -v b="$cli" 'BEGIN { print a / b }')"
done
exit 0
