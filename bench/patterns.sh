#!/usr/bin/env bash
# mapq grep with many patterns: -F -f with 1,000 and with 100,000 strings on
# 200 MiB of the synthetic log, and -f with 10,000 regular expressions on
# 20 MiB, against GNU grep (C locale) and ripgrep: median wall time
# (hyperfine) and peak RSS (/usr/bin/time -v, the largest of RSS_RUNS runs).
# Every tool's output is checked against mapq's before anything is timed.
#
# Usage:   bench/patterns.sh                 (uses <repo>/build/mapq)
#          MAPQ=/path/to/mapq bench/patterns.sh
# Knobs (environment):
#   MAPQ            mapq binary (default: <repo>/build/mapq)
#   BENCH_DIR       work dir (default: /tmp/mapq-bench); the 2 GiB log
#                   $BENCH_DIR/log2g is made by bench/gen_log.c when missing,
#                   log200m and log20m are its first 200 and 20 MiB
#   CASES           subset of "fixed1k fixed100k regex10k noliteral"
#                   (default: the first three)
#   RUNS            hyperfine runs (default: 5), WARMUP (default: 1)
#   RSS_RUNS        runs per peak-RSS figure (default: 3)
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$script_dir")
MAPQ=${MAPQ:-$repo_dir/build/mapq}
BENCH_DIR=${BENCH_DIR:-/tmp/mapq-bench}
CASES=${CASES:-fixed1k fixed100k regex10k}
RUNS=${RUNS:-5}
WARMUP=${WARMUP:-1}
RSS_RUNS=${RSS_RUNS:-3}
CC=${CC:-cc}

die() { echo "patterns.sh: $*" >&2; exit 2; }
note() { echo "== $*" >&2; }
want() { case " $CASES " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }
for t in hyperfine jq rg grep awk sort shuf head cmp; do
	command -v "$t" >/dev/null 2>&1 || die "$t not found"
done
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"
[ -x "$MAPQ" ] || die "no mapq binary: $MAPQ"

mkdir -p "$BENCH_DIR"
cd "$BENCH_DIR"
tmp=$(mktemp -d "$BENCH_DIR/patterns.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
# A private copy: a rebuild during the run cannot mix two binaries.
cp "$MAPQ" "$tmp/mapq"
M=$tmp/mapq

# ---- data and pattern lists ----------------------------------------------
if [ ! -f log2g ]; then
	"$CC" -O2 -std=c11 -o gen_log "$script_dir/gen_log.c"
	note "generating log2g"
	./gen_log 2G >log2g.part && mv log2g.part log2g
fi
[ -f log200m ] || head -c 209715200 log2g >log200m
[ -f log20m ] || head -c 20971520 log2g >log20m
cat log200m >/dev/null

# Strings drawn from the log (users, trace spans) and strings that never
# occur; random but the same on every run.
rand_words() { # COUNT SEED: "zq" and 12 letters, absent from the log
	awk -v n="$1" -v s="$2" 'BEGIN { srand(s); for (i = 0; i < n; i++) { w = "zq"; for (j = 0; j < 12; j++) w = w sprintf("%c", 97 + int(rand() * 26)); print w } }'
}
if [ ! -f lits1k ]; then
	{
		grep -o 'user=u[0-9]*' log200m | head -100000 | sort -u | shuf -n 500 --random-source=<(yes)
		grep -o 'span=[0-9]*' log200m | head -300
		rand_words 200 1
	} >lits1k
fi
if [ ! -f lits100k ]; then
	{
		grep -o 'user=u[0-9]*' log200m | head -200000 | sort -u | head -1000
		grep -o 'span=[0-9]*' log200m | head -60000
		rand_words 39000 2
	} >lits100k
fi
# Regexes, each with a literal that all its matches contain.
if [ ! -f re10k ]; then
	awk 'BEGIN { srand(3); for (i = 0; i < 10000; i++) { k = i % 4; n = int(rand() * 100000)
		if (k == 0) printf "user=u%d\\b\n", int(rand() * 10000)
		else if (k == 1) printf "span=%d[0-9]+\n", n
		else if (k == 2) printf "\\[%d\\]: (INFO|WARN)\n", n
		else printf "dur_ms=%d\\.[0-9]+ user\n", int(rand() * 100) } }' >re10k
fi
# The same with one in fifty without a literal (200 of them): PCRE2 scans
# the data for those, in groups.
[ -f re10k_nolit2 ] || awk '{ print } NR % 50 == 0 { print "(zq|qz)[0-9]{" NR % 7 + 1 "}" }' re10k >re10k_nolit2

# ---- cases -----------------------------------------------------------------
# case NAME LOG MAPQ_ARGS -- RG_ARGS -- GREP_ARGS
run_case() {
	local name=$1 log=$2 ma=$3 ra=$4 ga=$5
	note "$name: checking that the tools agree"
	eval "$M grep -c $ma $log" >"$tmp/c.mapq"
	eval "rg -c $ra $log" >"$tmp/c.rg"
	eval "LC_ALL=C grep -c $ga $log" >"$tmp/c.grep"
	cmp -s "$tmp/c.mapq" "$tmp/c.rg" || die "$name: rg counts $(cat "$tmp/c.rg"), mapq $(cat "$tmp/c.mapq")"
	cmp -s "$tmp/c.mapq" "$tmp/c.grep" || die "$name: grep counts $(cat "$tmp/c.grep"), mapq $(cat "$tmp/c.mapq")"
	note "$name: timing ($(cat "$tmp/c.mapq") lines)"
	hyperfine --style basic --output=pipe --runs "$RUNS" --warmup "$WARMUP" \
		--export-json "$tmp/$name.json" \
		-n mapq "$M grep -c $ma $log" \
		-n rg "rg -c $ra $log" \
		-n grep "env LC_ALL=C grep -c $ga $log" >/dev/null
	local tool cmd rss best med
	for tool in mapq rg grep; do
		case $tool in
		mapq) cmd="$M grep -c $ma $log" ;;
		rg) cmd="rg -c $ra $log" ;;
		grep) cmd="env LC_ALL=C grep -c $ga $log" ;;
		esac
		best=0
		for _ in $(seq "$RSS_RUNS"); do
			rss=$(eval "/usr/bin/time -v $cmd" 2>&1 >/dev/null | awk '/Maximum resident/ { print $NF }')
			[ "$rss" -gt "$best" ] && best=$rss
		done
		med=$(jq -r --arg t "$tool" '.results[] | select(.command == $t) | .median' "$tmp/$name.json")
		awk -v n="$name" -v t="$tool" -v m="$med" -v r="$best" \
			'BEGIN { printf "| %-10s | %-5s | %6.2f s | %7.1f MiB |\n", n, t, m, r / 1024 }'
	done
}

echo "| case       | tool  | median   | peak RSS    |"
echo "|------------|-------|----------|-------------|"
want fixed1k && run_case fixed1k log200m "-F -f lits1k" "-F -f lits1k" "-F -f lits1k"
want fixed100k && run_case fixed100k log200m "-F -f lits100k" "-F -f lits100k" "-F -f lits100k"
want regex10k && run_case regex10k log20m "-f re10k" "-f re10k" "-E -f re10k"
want noliteral && run_case noliteral log20m "-f re10k_nolit2" "-f re10k_nolit2" "-E -f re10k_nolit2"
exit 0
