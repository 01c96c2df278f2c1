#!/usr/bin/env bash
# mapq grep on many files: a tree of small files (20,000 files of 1-20 KiB,
# gen_log's log cut into pieces) and a few large ones (three 256 MiB logs),
# mapq -j 1 versus mapq -j 2 (several files at once, mapq-grep(1) -j) versus
# GNU grep -r and rg, with hyperfine; then the peak RSS of mapq -r printing
# every line of the tree to a slow reader.
#
# Usage:   bench/grep_files.sh               (uses <repo>/build/mapq)
# Knobs (environment):
#   MAPQ            mapq binary (default: <repo>/build/mapq)
#   BENCH_DIR       work dir (default: /tmp/mapq-bench-files); the tree and
#                   the logs are made there when missing
#   FILES           number of small files (default: 20000)
#   BIG             size of each large file (default: 256M)
#   WARMUP, RUNS    hyperfine warmup runs and runs (default: 2 and 10)
#   CC              C compiler for gen_log (default: cc)
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$script_dir")
MAPQ=${MAPQ:-$repo_dir/build/mapq}
BENCH_DIR=${BENCH_DIR:-/tmp/mapq-bench-files}
FILES=${FILES:-20000}
BIG=${BIG:-256M}
WARMUP=${WARMUP:-2}
RUNS=${RUNS:-10}
CC=${CC:-cc}

die() { echo "grep_files.sh: $*" >&2; exit 2; }
note() { echo "== $*" >&2; }
for t in hyperfine rg grep jq; do
	command -v "$t" >/dev/null 2>&1 || die "$t not found"
done
[ -x "$MAPQ" ] || die "no mapq at $MAPQ"
mkdir -p "$BENCH_DIR"
cd "$BENCH_DIR"

if [ ! -x gen_log ]; then
	"$CC" -O2 -Wall -Wextra -std=c11 -o gen_log "$script_dir/gen_log.c"
fi
# The tree: the lines of a log dealt out to FILES files of 1-20 KiB (sizes
# from a fixed pseudo-random sequence), 200 files a directory.
if [ ! -f tree.done ] || [ "$(cat tree.done)" != "$FILES" ]; then
	rm -rf tree tree.done
	mkdir tree
	note "making $FILES small files"
	# (awk stops reading once the files are made: gen_log's SIGPIPE is
	# expected.)
	{ ./gen_log $((FILES * 12))K 7 || true; } | awk -v n="$FILES" '
	BEGIN { srand(11); f = 0; open_next() }
	function open_next() {
		if (f > 0) close(path)
		if (f == n) exit
		d = sprintf("tree/d%03d", int(f / 200))
		if (f % 200 == 0) system("mkdir -p " d)
		path = sprintf("%s/f%05d.log", d, f)
		want = 1024 + int(rand() * 19 * 1024)
		got = 0
		f++
	}
	{ print > path; got += length($0) + 1; if (got >= want) open_next() }'
	echo "$FILES" > tree.done
fi
for k in 1 2 3; do
	[ -f "big$k.log" ] || ./gen_log "$BIG" "$k" > "big$k.log"
done
cat big1.log big2.log big3.log > /dev/null
find tree -type f -exec cat {} + > /dev/null

M=$(printf %q "$MAPQ")
# case NAME MAPQ_ARGS GREP_ARGS RG_ARGS: check that the tools agree (sorted
# lines: grep -r and rg do not walk in name order), then time them.
bench_case() {
	local name=$1 margs=$2 gargs=$3 rargs=$4
	note "$name: checking"
	bash -c "$M grep -j1 $margs" > "$BENCH_DIR/out.j1" || true
	bash -c "$M grep -j2 $margs" > "$BENCH_DIR/out.j2" || true
	cmp -s out.j1 out.j2 || die "$name: -j 2 differs from -j 1"
	bash -c "LC_ALL=C grep $gargs" | sort > out.grep || true
	sort out.j1 > out.sorted
	cmp -s out.sorted out.grep || note "$name: WARNING: GNU grep's lines differ"
	bash -c "rg $rargs" | sort > out.rg || true
	cmp -s out.sorted out.rg || note "$name: WARNING: rg's lines differ"
	note "$name: $(wc -l < out.j1) lines out; timing (load $(cut -d' ' -f1 /proc/loadavg))"
	hyperfine -N --output=pipe --warmup "$WARMUP" --runs "$RUNS" \
		--export-json "$BENCH_DIR/$name.json" \
		--command-name "mapq -j1" "$MAPQ grep -j1 $margs" \
		--command-name "mapq -j2" "$MAPQ grep -j2 $margs" \
		--command-name "grep -r" "env LC_ALL=C grep $gargs" \
		--command-name "rg" "rg $rargs" >&2
	jq -r --arg c "$name" '.results[] | [$c, .command, .median, .stddev] | @tsv' "$name.json" >> rows
}

: > rows
bench_case "tree-rare" "-r -c user=u8835 tree" "-r -c user=u8835 tree" "-c user=u8835 tree"
bench_case "tree-l" "-r -l ERROR tree" "-r -l ERROR tree" "-l ERROR tree"
bench_case "tree-many" "-r -n GET tree" "-r -n GET tree" "-n GET tree"
bench_case "big-common" "-c INFO big1.log big2.log big3.log" \
	"-c INFO big1.log big2.log big3.log" "-c INFO big1.log big2.log big3.log"
bench_case "big-regex" "-n '[a-z]+\\[[0-9]+\\]: ERROR .*timeout' big1.log big2.log big3.log" \
	"-E -n '[a-z]+\\[[0-9]+\\]: ERROR .*timeout' big1.log big2.log big3.log" \
	"-n '[a-z]+\\[[0-9]+\\]: ERROR .*timeout' big1.log big2.log big3.log"

echo
echo "| case | mapq -j1 | mapq -j2 | grep -r | rg |"
echo "|---|---:|---:|---:|---:|"
awk -F'\t' '
function t(s) { return s >= 1 ? sprintf("%.2f s", s) : sprintf("%.0f ms", s * 1000) }
{ v[$1, $2] = t($3) " ± " t($4); if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 } }
END { for (i = 1; i <= n; i++) { c = order[i]
	printf "| %s | %s | %s | %s | %s |\n", c, v[c, "mapq -j1"], v[c, "mapq -j2"], v[c, "grep -r"], v[c, "rg"] } }' rows

# Peak RSS: every line of the tree out, read slowly.
if [ -x /usr/bin/time ]; then
	for j in 1 2; do
		/usr/bin/time -f %M -o rss "$MAPQ" grep -j$j -r '' tree |
			{ while dd bs=1M count=1 status=none > /dev/null && [ -n "$(head -c 1)" ]; do sleep 0.002; done; cat > /dev/null; }
		echo "peak RSS, mapq -j$j -r '' tree to a slow reader: $(( $(tail -n 1 rss) / 1024 )) MiB"
	done
fi
