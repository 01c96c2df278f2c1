#!/usr/bin/env bash
# mapq benchmark: slicing a big synthetic log with mapq versus tail, head,
# sed and dd, plus peak-RSS checks on 1 GiB and 4 GiB full scans.
#
# Usage:   bench/run.sh                      (uses <repo>/build/mapq)
#          MAPQ=/path/to/mapq bench/run.sh
# Knobs (environment):
#   MAPQ            mapq binary            (default: <repo>/build/mapq)
#   BENCH_DIR       work dir for the logs, gen_log and results
#                   (default: /tmp/mapq-bench; needs ~7.5 GiB free)
#   CASES           subset of cases to run (default: "a b c d e f")
#   WARMUP          hyperfine warmup runs  (default: 3)
#   HYPERFINE_OPTS  extra hyperfine options, e.g. "--runs 20"
#   RSS_RUNS        runs per peak-RSS figure, the maximum is kept (default: 3)
#   REGEN=1         regenerate the logs even if they exist
#   CC              C compiler for gen_log (default: cc)
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$script_dir")

MAPQ=${MAPQ:-$repo_dir/build/mapq}
BENCH_DIR=${BENCH_DIR:-/tmp/mapq-bench}
CASES=${CASES:-a b c d e f}
WARMUP=${WARMUP:-3}
HYPERFINE_OPTS=${HYPERFINE_OPTS:-}
RSS_RUNS=${RSS_RUNS:-3}
REGEN=${REGEN:-0}
CC=${CC:-cc}

die() { echo "run.sh: $*" >&2; exit 2; }
note() { echo "== $*" >&2; }
want() { case " $CASES " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# ---- prerequisites ---------------------------------------------------------
command -v hyperfine >/dev/null 2>&1 || die "hyperfine not found (apt-get install hyperfine)"
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"
command -v "$CC" >/dev/null 2>&1 || die "C compiler '$CC' not found"
for t in tail head sed dd wc cat awk cmp; do
    command -v "$t" >/dev/null 2>&1 || die "$t not found"
done
[ -x "$MAPQ" ] || die "mapq binary not found or not executable: $MAPQ (build it, or set MAPQ=...)"
MAPQ=$(cd "$(dirname "$MAPQ")" && pwd)/$(basename "$MAPQ")
MAPQ_ORIG=$MAPQ

mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
res_dir=$BENCH_DIR/results
mkdir -p "$res_dir"
rm -f "$res_dir"/*.json "$res_dir"/*.md   # no stale figures from an earlier run
tmp_dir=$(mktemp -d "$BENCH_DIR/tmp.XXXXXX")
trap 'rm -rf "$tmp_dir"' EXIT

# Time a private copy: a rebuild of the original during the run cannot then
# mix two binaries into one set of figures.
cp "$MAPQ" "$tmp_dir/mapq"
MAPQ=$tmp_dir/mapq
mapq_sum=$(sha256sum "$MAPQ" | cut -c1-16)
mapq_rev=$(git -C "$(dirname "$MAPQ_ORIG")" rev-parse --short HEAD 2>/dev/null || echo "no commit")

# A benchmark next to a compiler run measures the compiler: wait a little.
build_running() {
    local p
    for p in cc1 cc1plus clang clang-tidy as ld collect2 make gmake ninja cmake ctest; do
        pgrep -x "$p" >/dev/null 2>&1 && return 0
    done
    return 1
}
wait_for_builds() {
    local i
    for i in $(seq 1 24); do
        if build_running; then
            [ "$i" = 1 ] && note "a build seems to be running; waiting up to 2 minutes"
            sleep 5
        else
            return 0
        fi
    done
    note "WARNING: a build is still running; figures may be noisy"
}

# ---- generator and logs ----------------------------------------------------
gen=$BENCH_DIR/gen_log
if [ ! -x "$gen" ] || [ "$script_dir/gen_log.c" -nt "$gen" ]; then
    note "building gen_log"
    "$CC" -O2 -Wall -Wextra -std=c11 -o "$gen" "$script_dir/gen_log.c"
fi

make_log() { # NAME BYTES
    local f=$BENCH_DIR/$1 size=$2
    if [ "$REGEN" = 1 ] || [ ! -f "$f" ] || [ "$(stat -c %s "$f")" != "$size" ]; then
        note "generating $f ($size bytes)"
        "$gen" "$size" > "$f.part"
        mv "$f.part" "$f"
    fi
}

log1=$BENCH_DIR/log1g
log2=$BENCH_DIR/log2g
log4=$BENCH_DIR/log4g
make_log log2g 2147483648
if want e; then
    make_log log1g 1073741824
    make_log log4g 4294967296
fi

# mapq must work before anything is timed.
"$MAPQ" slice -l -3: "$log2" > "$tmp_dir/probe" 2>"$tmp_dir/probe.err" ||
    die "'$MAPQ slice -l -3: $log2' failed: $(head -c 300 "$tmp_dir/probe.err")"
tail -n 3 "$log2" | cmp -s - "$tmp_dir/probe" ||
    die "'mapq slice -l -3:' does not print what 'tail -n 3' prints"

warm() { # FILE...
    local f
    for f in "$@"; do
        note "warming page cache: $f"
        cat "$f" > /dev/null
    done
}
warm "$log2"

# ---- timing helpers --------------------------------------------------------
summary_rows=$tmp_dir/rows   # case<TAB>label<TAB>tool<TAB>mean_s<TAB>stddev_s<TAB>check
: > "$summary_rows"
mismatches=0

json_field() { # FILE FIELD -> first numeric value of "FIELD": in a hyperfine json
    sed -n "s/^ *\"$2\": *\([-0-9.eE+]*\).*/\1/p" "$1" | head -n 1
}

# bench CASE LABEL TOOL COMMAND REFERENCE_OUTPUT_FILE
# Times COMMAND with hyperfine (-N when it has no shell syntax), after checking
# that its output equals the reference output.
bench() {
    local case=$1 label=$2 tool=$3 cmd=$4 ref=$5
    local base=$res_dir/$case-$tool check=ok
    local -a mode=()
    case $cmd in
        *'|'*|*'>'*|*'<'*|*'&'*) mode=() ;;
        *) mode=(-N) ;;
    esac
    bash -c "$cmd" > "$tmp_dir/out" 2>"$tmp_dir/err" || check=FAILED
    if [ "$check" = ok ] && ! cmp -s "$tmp_dir/out" "$ref"; then
        check=MISMATCH
    fi
    if [ "$check" != ok ]; then
        mismatches=$((mismatches + 1))
        note "$case/$tool: output $check against the reference ($(head -c 200 "$tmp_dir/err"))"
    fi
    wait_for_builds
    note "$case: $tool: $cmd"
    # shellcheck disable=SC2086
    hyperfine --output=pipe --warmup "$WARMUP" "${mode[@]}" $HYPERFINE_OPTS \
        --command-name "$tool" \
        --export-json "$base.json" --export-markdown "$base.md" \
        -- "$cmd" >&2
    printf '%s\t%s\t%s\t%s\t%s\t%s\n' "$case" "$label" "$tool" \
        "$(json_field "$base.json" mean)" "$(json_field "$base.json" stddev)" \
        "$check" >> "$summary_rows"
}

q() { printf '%q' "$1"; }  # quote a path for a command line

size2=$(stat -c %s "$log2")
L2=$(q "$log2")
M=$(q "$MAPQ")

# ---- a. last 4 KiB ----------------------------------------------------------
if want a; then
    label="last 4 KiB (2 GiB log)"
    tail -c 4096 "$log2" > "$tmp_dir/ref"
    bench a "$label" mapq "$M slice -b -4K: $L2" "$tmp_dir/ref"
    bench a "$label" tail "tail -c 4096 $L2" "$tmp_dir/ref"
fi

# ---- b. last 10 lines --------------------------------------------------------
if want b; then
    label="last 10 lines (2 GiB log)"
    tail -n 10 "$log2" > "$tmp_dir/ref"
    bench b "$label" mapq "$M slice -l -10: $L2" "$tmp_dir/ref"
    bench b "$label" tail "tail -n 10 $L2" "$tmp_dir/ref"
fi

# ---- c. 100 lines at 75% of the lines ---------------------------------------
if want c; then
    lines2=$(wc -l < "$log2")
    n=$((lines2 * 3 / 4))
    m=$((n + 99))
    label="100 lines from line $n of $lines2 (75%)"
    sed -n "${n},${m}p;${m}q" "$log2" > "$tmp_dir/ref"
    bench c "$label" mapq "$M slice -l $n:+100 $L2" "$tmp_dir/ref"
    bench c "$label" sed "sed -n '${n},${m}p;${m}q' $L2" "$tmp_dir/ref"
    bench c "$label" tail+head "tail -n +$n $L2 | head -n 100" "$tmp_dir/ref"
fi

# ---- d. 4 KiB at 75% of the bytes ------------------------------------------
if want d; then
    off=$((size2 * 3 / 4))
    label="4 KiB at byte $off (75%)"
    { tail -c +$((off + 1)) "$log2" || true; } | head -c 4096 > "$tmp_dir/ref"  # tail gets SIGPIPE
    bench d "$label" mapq "$M slice -b $off:+4096 $L2" "$tmp_dir/ref"
    bench d "$label" tail+head "tail -c +$((off + 1)) $L2 | head -c 4096" "$tmp_dir/ref"
    bench d "$label" dd "dd if=$L2 iflag=skip_bytes,count_bytes skip=$off count=4096 bs=4096 status=none" "$tmp_dir/ref"
fi

# ---- f. full newline count (time) ------------------------------------------
if want f; then
    label="count all lines, prints nothing (2 GiB log)"
    : > "$tmp_dir/empty"
    bench f "$label" mapq "$M slice -l 999999999: $L2" "$tmp_dir/empty"
    # wc prints the count: compare it with itself, not with mapq's nothing
    wc -l "$log2" > "$tmp_dir/wcref"
    bench f "$label" wc "wc -l $L2" "$tmp_dir/wcref"
fi

# ---- e. peak RSS on 1 GiB and 4 GiB ----------------------------------------
rss_rows=$tmp_dir/rss       # what<TAB>tool<TAB>file<TAB>maxrss_kib<TAB>wall
: > "$rss_rows"

# rss WHAT TOOL FILE CONSUMER CMD...: runs CMD under /usr/bin/time -v, its
# stdout into CONSUMER ("-" for /dev/null), RSS_RUNS times, keeps the max.
rss() {
    local what=$1 tool=$2 file=$3 consumer=$4
    shift 4
    local i kib best=0 wall secs fastest=
    wait_for_builds
    for i in $(seq 1 "$RSS_RUNS"); do
        if [ "$consumer" = - ]; then
            /usr/bin/time -v -o "$tmp_dir/time" "$@" > /dev/null
        else
            /usr/bin/time -v -o "$tmp_dir/time" "$@" | $consumer > /dev/null
        fi
        kib=$(sed -n 's/.*Maximum resident set size (kbytes): *\([0-9]*\).*/\1/p' "$tmp_dir/time")
        [ -n "$kib" ] || die "no RSS figure from /usr/bin/time for: $*"
        if [ "$kib" -gt "$best" ]; then best=$kib; fi
        wall=$(sed -n 's/.*Elapsed (wall clock) time (h:mm:ss or m:ss): *//p' "$tmp_dir/time")
        secs=$(echo "$wall" | awk -F: '{ s = 0; for (i = 1; i <= NF; i++) s = s * 60 + $i; printf "%.2f", s }')
        if [ -z "$fastest" ] || awk -v a="$secs" -v b="$fastest" 'BEGIN { exit !(a < b) }'; then
            fastest=$secs
        fi
    done
    note "rss $what $tool $(basename "$file"): $best KiB (fastest run ${fastest} s)"
    printf '%s\t%s\t%s\t%s\t%s\n' "$what" "$tool" "$(basename "$file")" "$best" "$fastest s" >> "$rss_rows"
}

if want e; then
    for f in "$log1" "$log4"; do
        warm "$f"
        rss "line count" mapq "$f" - "$MAPQ" slice -l 999999999: "$f"
        rss "line count" "wc -l" "$f" - wc -l "$f"
        rss "full copy, piped to wc -c" mapq "$f" "wc -c" "$MAPQ" slice -b 0: "$f"
        rss "full copy, piped to wc -c" cat "$f" "wc -c" cat "$f"
    done
fi

# ---- summary ----------------------------------------------------------------
summary=$BENCH_DIR/summary.md
{
    echo "# mapq benchmark summary"
    echo
    echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "- machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, kernel $(uname -r)"
    echo "- cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
    echo "- mapq: $MAPQ_ORIG (sha256 $mapq_sum…, repo HEAD $mapq_rev)"
    echo "- load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "- hyperfine $(hyperfine --version | awk '{print $2}'), --warmup $WARMUP, page cache warm"
    echo
    if [ -s "$summary_rows" ]; then
        echo "## Time (hyperfine mean ± stddev)"
        echo
        echo "| case | mapq | other tool | other | other / mapq |"
        echo "|---|---:|---|---:|---:|"
        awk -F'\t' '
            function fmt(s) {
                if (s == "") return "n/a"
                if (s < 0.001) return sprintf("%.0f µs", s * 1e6)
                if (s < 1) return sprintf("%.1f ms", s * 1e3)
                return sprintf("%.2f s", s)
            }
            function mark(c) { return c == "ok" ? "" : " (" c ")" }
            { key[NR] = $1; label[NR] = $2; tool[NR] = $3; mean[NR] = $4; sd[NR] = $5; chk[NR] = $6
              if ($3 == "mapq") { mq[$1] = $4; msd[$1] = $5; mchk[$1] = $6 } }
            END {
                for (i = 1; i <= NR; i++) {
                    if (tool[i] == "mapq") continue
                    c = key[i]
                    ratio = (mq[c] > 0 && mean[i] != "") ? sprintf("%.1f×", mean[i] / mq[c]) : "n/a"
                    printf "| %s. %s | %s ± %s%s | %s | %s ± %s%s | %s |\n", c, label[i],
                        fmt(mq[c]), fmt(msd[c]), mark(mchk[c]), tool[i],
                        fmt(mean[i]), fmt(sd[i]), mark(chk[i]), ratio
                }
            }' "$summary_rows"
        echo
    fi
    if [ -s "$rss_rows" ]; then
        echo "## Peak RSS (/usr/bin/time -v: highest of $RSS_RUNS runs; wall time: fastest run)"
        echo
        echo "| what | tool | 1 GiB log: max RSS (fastest wall) | 4 GiB log: max RSS (fastest wall) |"
        echo "|---|---|---:|---:|"
        awk -F'\t' '
            { k = $1 "\t" $2
              if (!(k in seen)) { seen[k] = 1; order[++n] = k }
              cell[k, $3] = sprintf("%.1f MiB (%s)", $4 / 1024, $5) }
            END {
                for (i = 1; i <= n; i++) {
                    split(order[i], p, "\t")
                    a = ((order[i], "log1g") in cell) ? cell[order[i], "log1g"] : "n/a"
                    b = ((order[i], "log4g") in cell) ? cell[order[i], "log4g"] : "n/a"
                    printf "| %s | %s | %s | %s |\n", p[1], p[2], a, b
                }
            }' "$rss_rows"
        echo
    fi
    if [ "$mismatches" -gt 0 ]; then
        echo "**$mismatches command(s) did not print the reference output: see the marks above.**"
    fi
} > "$summary"

cat "$summary"
note "per-command hyperfine json/markdown: $res_dir; summary: $summary"
[ "$mismatches" -eq 0 ] || exit 1
