#!/usr/bin/env bash
# mapq grep benchmark: searching a big synthetic log with mapq grep versus
# ripgrep, GNU grep in the C locale and GNU grep -P, plus the peak RSS of each
# tool and mapq-grep(1)'s promise (LIMITS) that a catastrophic pattern fails fast.
#
# Usage:   bench/grep.sh                      (uses <repo>/build/mapq)
#          MAPQ=/path/to/mapq bench/grep.sh
# Knobs (environment):
#   MAPQ            mapq binary (default: <repo>/build/mapq; when it is not set
#                   and that binary is missing or has no `grep` command, the
#                   other tools are timed alone and the mapq columns say n/a)
#   BENCH_DIR       work dir for the log, gen_log and results (default:
#                   /tmp/mapq-bench; results go to $BENCH_DIR/results/grep)
#   CASES           subset of cases (default: "rare common regex icase noliteral
#                   hex many")
#   WARMUP          hyperfine warmup runs  (default: 3)
#   HYPERFINE_OPTS  extra hyperfine options, e.g. "--runs 20"
#   RSS_RUNS        runs per peak-RSS figure, the maximum is kept (default: 3)
#   LOAD_MAX        wait for a 1-minute load average below this before timing
#                   each case (default: 1.5), for at most LOAD_WAIT seconds
#                   (default: 600)
#   LOG             the log to search (default: $BENCH_DIR/log2g, generated
#                   when missing; the patterns are chosen for that log)
#   CC              C compiler for gen_log (default: cc)
set -euo pipefail

script_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo_dir=$(dirname "$script_dir")

mapq_given=${MAPQ+set}
MAPQ=${MAPQ:-$repo_dir/build/mapq}
BENCH_DIR=${BENCH_DIR:-/tmp/mapq-bench}
CASES=${CASES:-rare common regex icase noliteral hex many}
WARMUP=${WARMUP:-3}
HYPERFINE_OPTS=${HYPERFINE_OPTS:-}
RSS_RUNS=${RSS_RUNS:-3}
LOAD_MAX=${LOAD_MAX:-1.5}
LOAD_WAIT=${LOAD_WAIT:-600}
CC=${CC:-cc}

die() { echo "grep.sh: $*" >&2; exit 2; }
note() { echo "== $*" >&2; }
want() { case " $CASES " in *" $1 "*) return 0 ;; *) return 1 ;; esac; }

# ---- prerequisites ---------------------------------------------------------
command -v hyperfine >/dev/null 2>&1 || die "hyperfine not found (apt-get install hyperfine)"
[ -x /usr/bin/time ] || die "/usr/bin/time not found (apt-get install time)"
command -v rg >/dev/null 2>&1 || die "rg not found (apt-get install ripgrep)"
command -v jq >/dev/null 2>&1 || die "jq not found (apt-get install jq)"
for t in grep env cat cmp awk sed head tr; do
    command -v "$t" >/dev/null 2>&1 || die "$t not found"
done
echo x | env LC_ALL=C.UTF-8 grep -qP x 2>/dev/null || die "grep -P does not work in LC_ALL=C.UTF-8"

mkdir -p "$BENCH_DIR"
BENCH_DIR=$(cd "$BENCH_DIR" && pwd)
res_dir=$BENCH_DIR/results/grep
mkdir -p "$res_dir"
rm -f "$res_dir"/*.json "$res_dir"/*.md   # no stale figures from an earlier run
tmp_dir=$(mktemp -d "$BENCH_DIR/tmp.XXXXXX")
trap 'rm -rf "$tmp_dir"' EXIT

# mapq must have a working `grep` before anything is timed. A private copy is
# timed, so that a rebuild during the run cannot mix two binaries.
have_mapq=0
mapq_desc="not measured"
if [ -x "$MAPQ" ] && [ "$(printf 'a\nb\na\n' | "$MAPQ" grep -c a 2>/dev/null)" = 2 ]; then
    MAPQ_ORIG=$(cd "$(dirname "$MAPQ")" && pwd)/$(basename "$MAPQ")
    cp "$MAPQ_ORIG" "$tmp_dir/mapq"
    MAPQ=$tmp_dir/mapq
    have_mapq=1
    # the commit: of the binary's directory, or of the source tree of the
    # CMake build directory it sits in
    src=$(dirname "$MAPQ_ORIG")
    if [ -f "$src/CMakeCache.txt" ]; then
        src=$(sed -n 's/^CMAKE_HOME_DIRECTORY:INTERNAL=//p' "$src/CMakeCache.txt")
    fi
    mapq_desc="$MAPQ_ORIG (sha256 $(sha256sum "$MAPQ" | cut -c1-16)…, source HEAD $(git -C "$src" rev-parse --short HEAD 2>/dev/null || echo '?'))"
elif [ -n "$mapq_given" ]; then
    die "'$MAPQ grep -c' does not work (set MAPQ to a mapq binary with a grep command)"
else
    note "WARNING: $MAPQ missing or without 'grep': timing the other tools only"
fi

# ---- the log ----------------------------------------------------------------
gen=$BENCH_DIR/gen_log
log=${LOG:-$BENCH_DIR/log2g}
if [ -z "${LOG:-}" ] && { [ ! -f "$log" ] || [ "$(stat -c %s "$log")" != 2147483648 ]; }; then
    if [ ! -x "$gen" ] || [ "$script_dir/gen_log.c" -nt "$gen" ]; then
        command -v "$CC" >/dev/null 2>&1 || die "C compiler '$CC' not found"
        note "building gen_log"
        "$CC" -O2 -Wall -Wextra -std=c11 -o "$gen" "$script_dir/gen_log.c"
    fi
    note "generating $log"
    "$gen" 2G > "$log.part"
    mv "$log.part" "$log"
fi
[ -f "$log" ] || die "no log: $log"
log=$(cd "$(dirname "$log")" && pwd)/$(basename "$log")
size=$(stat -c %s "$log")
note "warming page cache: $log"
cat "$log" > /dev/null

# ---- a quiet machine ---------------------------------------------------------
load1() { cut -d' ' -f1 /proc/loadavg; }
build_running() {
    local p
    for p in cc1 cc1plus clang as ld collect2 make gmake ninja cmake ctest; do
        pgrep -x "$p" >/dev/null 2>&1 && return 0
    done
    return 1
}
# Waits until no compiler runs and the 1-minute load is below LOAD_MAX.
wait_quiet() {
    local waited=0
    while build_running || awk -v l="$(load1)" -v m="$LOAD_MAX" 'BEGIN { exit !(l >= m) }'; do
        if [ "$waited" -ge "$LOAD_WAIT" ]; then
            note "WARNING: load $(load1) (or a build) after ${LOAD_WAIT}s of waiting; timing anyway"
            return 0
        fi
        [ "$waited" = 0 ] && note "waiting for a quiet machine (load $(load1), max $LOAD_MAX)"
        sleep 10
        waited=$((waited + 10))
    done
}

# ---- commands -----------------------------------------------------------------
sq() { printf "'%s'" "${1//\'/\'\\\'\'}"; }  # single-quote a word for a command line
L=$(sq "$log")
M=$(sq "$MAPQ")
tools=(mapq mapq-j1 rg grep grep-P)

# command TOOL GREP_OPTS PATTERN ERE: the command line of TOOL for a search.
# ERE=1 when the pattern is an extended regex (C-locale grep then needs -E).
command_for() {
    local tool=$1 opts=$2 pat=$3 ere=$4
    case $tool in
        mapq)   echo "$M grep $opts $(sq "$pat") $L" ;;          # -j: all CPUs
        mapq-j1) echo "$M grep -j1 $opts $(sq "$pat") $L" ;;
        rg)     echo "rg $opts $(sq "$pat") $L" ;;
        grep)   echo "env LC_ALL=C grep $([ "$ere" = 1 ] && echo '-E ')$opts $(sq "$pat") $L" ;;
        grep-P) echo "env LC_ALL=C.UTF-8 grep -P $opts $(sq "$pat") $L" ;;
    esac
}

rows=$tmp_dir/rows   # case<TAB>tool<TAB>median<TAB>mean<TAB>stddev<TAB>check<TAB>rss_kib<TAB>load
: > "$rows"
cmds=$tmp_dir/cmds   # case<TAB>description<TAB>selected lines<TAB>command of each tool...
: > "$cmds"
mismatches=0

# rss_of CMD: the highest peak RSS (KiB) of RSS_RUNS runs, stdout into a pipe.
rss_of() {
    local cmd=$1 i kib best=0
    for i in $(seq 1 "$RSS_RUNS"); do
        bash -c "exec /usr/bin/time -f %M -o $(sq "$tmp_dir/time") $cmd" | cat > /dev/null || true
        kib=$(tail -n 1 "$tmp_dir/time")
        case $kib in ''|*[!0-9]*) kib=0 ;; esac
        if [ "$kib" -gt "$best" ]; then best=$kib; fi
    done
    echo "$best"
}

# run_case CASE DESCRIPTION GREP_OPTS PATTERN ERE
# Checks that every tool prints what LC_ALL=C grep prints, times them all in
# one hyperfine run, then measures their peak RSS.
run_case() {
    local case=$1 desc=$2 opts=$3 pat=$4 ere=$5
    local tool cmd check ref=$tmp_dir/ref.$case count
    local -a hf_args=() names=() cmdline=()
    bash -c "$(command_for grep "$opts" "$pat" "$ere")" > "$ref" || die "$case: grep failed"
    if [[ $opts == *c* ]]; then count=$(cat "$ref"); else count=$(wc -l < "$ref"); fi
    note "$case: $desc: $count lines selected"
    for tool in "${tools[@]}"; do
        case $tool in mapq*) [ "$have_mapq" = 0 ] && continue ;; esac
        cmd=$(command_for "$tool" "$opts" "$pat" "$ere")
        check=ok
        bash -c "$cmd" > "$tmp_dir/out" 2> "$tmp_dir/err" || check=FAILED
        if [ "$check" = ok ] && ! cmp -s "$tmp_dir/out" "$ref"; then check=MISMATCH; fi
        if [ "$check" != ok ]; then
            mismatches=$((mismatches + 1))
            note "$case/$tool: output $check against LC_ALL=C grep ($(head -c 200 "$tmp_dir/err"))"
        fi
        echo "$check" > "$tmp_dir/check.$case.$tool"
        names+=("$tool")
        cmdline+=("$cmd")
        hf_args+=(--command-name "$tool" "$cmd")
    done
    {
        printf '%s\t%s\t%s' "$case" "$desc" "$count"
        printf '\t%s' "${cmdline[@]}"
        printf '\n'
    } >> "$cmds"

    wait_quiet
    local load
    load=$(load1)
    note "$case: timing (load $load)"
    # shellcheck disable=SC2086
    hyperfine -N --output=pipe --warmup "$WARMUP" $HYPERFINE_OPTS \
        --export-json "$res_dir/$case.json" --export-markdown "$res_dir/$case.md" \
        "${hf_args[@]}" >&2

    local i
    for i in "${!names[@]}"; do
        tool=${names[$i]}
        local rss
        rss=$(rss_of "${cmdline[$i]}")
        jq -r --arg t "$tool" --arg c "$(cat "$tmp_dir/check.$case.$tool")" \
            --arg case "$case" --arg rss "$rss" --arg load "$load" '
            .results[] | select(.command == $t) |
            [$case, $t, .median, .mean, .stddev, $c, $rss, $load] | @tsv' \
            "$res_dir/$case.json" >> "$rows"
    done
}

# Patterns chosen for bench/gen_log.c's log (see bench/README.md):
#   user=u8835          1,104 of 14.4 M lines (0.008%)
#   INFO                10.5 M lines (73%)
#   [a-z]+\[[0-9]+\]: ERROR .*timeout   25,530 lines, a literal in the middle
#   -i error            144 k lines (1%)
#   [a-z]{9} [a-z]{9}   22 k lines per 60 MB (about 0.6%), no literal but a space
#                       (`[0-9]{3}\.[0-9] ` was tried: ripgrep 13 takes 5.2 s on
#                       it, 7x grep -P, which would make the 1.3x target moot)
#   [0-9a-f]{12}        996,509 lines (6.9%, the 13-digit span ids), no literal
#                       at all: one byte class twelve times
want rare && run_case rare "rare literal, -c" "-c" 'user=u8835' 0
want common && run_case common "common literal, -c" "-c" 'INFO' 0
want regex && run_case regex "regex with a literal inside, -n" "-n" '[a-z]+\[[0-9]+\]: ERROR .*timeout' 1
want icase && run_case icase "case-insensitive literal, -c -i" "-c -i" 'error' 0
want noliteral && run_case noliteral "regex without a literal, -c" "-c" '[a-z]{9} [a-z]{9}' 1
want hex && run_case hex "one byte class repeated, -c" "-c" '[0-9a-f]{12}' 1
want many && run_case many "many matches, -n (millions of lines out)" "-n" 'GET' 0

# ---- mapq-grep(1), LIMITS: a catastrophic pattern fails fast ------------------------------------
# `(a+)+$` against one line of 99,999 `a` and a `b`: PCRE2 must give up with
# an error (exit 2) in under a second, not return "no match".
redos=$tmp_dir/redos
{ head -c 99999 /dev/zero | tr '\0' a; printf 'b\n'; } > "$redos"
redos_rows=$tmp_dir/redos_rows   # tool<TAB>status<TAB>seconds<TAB>stderr
: > "$redos_rows"
redos_run() { # TOOL CMD...
    local tool=$1 t0 t1 rc
    shift
    t0=$(date +%s%N)
    rc=0
    "$@" > /dev/null 2> "$tmp_dir/redos.err" || rc=$?
    t1=$(date +%s%N)
    printf '%s\t%s\t%s\t%s\n' "$tool" "$rc" \
        "$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')" \
        "$(head -n 1 "$tmp_dir/redos.err")" >> "$redos_rows"
}
[ "$have_mapq" = 1 ] && redos_run mapq "$MAPQ" grep '(a+)+$' "$redos"
redos_run rg rg '(a+)+$' "$redos"
redos_run grep env LC_ALL=C grep -E '(a+)+$' "$redos"
redos_run grep-P env LC_ALL=C.UTF-8 grep -P '(a+)+$' "$redos"

# ---- summary ----------------------------------------------------------------
summary=$BENCH_DIR/grep-summary.md
{
    echo "# mapq grep benchmark summary"
    echo
    echo "- date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "- machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo) RAM, kernel $(uname -r)"
    echo "- cpu: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)"
    echo "- mapq: $mapq_desc"
    echo "- $(rg --version | sed -n 1p), $(grep --version | sed -n 1p), hyperfine $(hyperfine --version | awk '{print $2}')"
    echo "- log: $log ($(stat -c %s "$log") bytes, page cache warm), --warmup $WARMUP, load average at the end: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo
    if [ -s "$rows" ]; then
        echo "## Time (hyperfine median; mean ± stddev in the JSON files) and peak RSS"
        echo
        echo "| case | lines | mapq | mapq -j1 | rg | grep (C) | grep -P (UTF-8) | mapq / rg | target | mapq -j1 / rg | load |"
        echo "|---|---:|---:|---:|---:|---:|---:|---:|---|---:|---:|"
        awk -F'\t' -v size="$size" '
            function fmt(s) {
                if (s == "") return "n/a"
                if (s < 1) return sprintf("%.0f ms", s * 1e3)
                return sprintf("%.2f s", s)
            }
            function mark(c) { return c == "ok" ? "" : " (" c ")" }
            FILENAME == ARGV[1] { desc[$1] = $2; cnt[$1] = $3; next }
            { if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 }
              med[$1, $2] = $3; chk[$1, $2] = $6; load[$1] = $8 }
            END {
                # The grep-engine issue: all CPUs against rg; -j1 (one
                # thread, which must be <= 1.0x rg for icase, noliteral and
                # hex) is shown beside.
                target["rare"] = target["common"] = 0.75
                target["regex"] = target["icase"] = target["noliteral"] = target["many"] = 0.6
                target["hex"] = 0.6
                for (i = 1; i <= n; i++) {
                    c = order[i]
                    line = sprintf("| %s: %s | %s |", c, desc[c], cnt[c])
                    split("mapq mapq-j1 rg grep grep-P", t, " ")
                    for (j = 1; j <= 5; j++) {
                        if ((c, t[j]) in med)
                            line = line sprintf(" %s%s |", fmt(med[c, t[j]]), mark(chk[c, t[j]]))
                        else
                            line = line " n/a |"
                    }
                    if ((c, "mapq") in med && med[c, "rg"] > 0) {
                        r = med[c, "mapq"] / med[c, "rg"]
                        v = r <= target[c] ? "met" : sprintf("missed by %.0f%%", (r / target[c] - 1) * 100)
                        line = line sprintf(" %.2f× | ≤ %.2f× rg: %s |", r, target[c], v)
                    } else
                        line = line sprintf(" n/a | ≤ %.2f× rg |", target[c])
                    if ((c, "mapq-j1") in med && med[c, "rg"] > 0)
                        line = line sprintf(" %.2f× |", med[c, "mapq-j1"] / med[c, "rg"])
                    else
                        line = line " n/a |"
                    print line " " load[c] " |"
                }
            }' "$cmds" "$rows"
        echo
        echo "Peak RSS (/usr/bin/time -f %M, highest of $RSS_RUNS runs, output into a pipe):"
        echo
        echo "| case | mapq | mapq -j1 | rg | grep (C) | grep -P (UTF-8) |"
        echo "|---|---:|---:|---:|---:|---:|"
        awk -F'\t' '
            { if (!($1 in seen)) { seen[$1] = 1; order[++n] = $1 }; rss[$1, $2] = $7 }
            END {
                split("mapq mapq-j1 rg grep grep-P", t, " ")
                for (i = 1; i <= n; i++) {
                    line = "| " order[i] " |"
                    for (j = 1; j <= 5; j++)
                        line = line (((order[i], t[j]) in rss) ? sprintf(" %.1f MiB |", rss[order[i], t[j]] / 1024) : " n/a |")
                    print line
                }
            }' "$rows"
        echo
        echo "Throughput (file size / median):"
        echo
        awk -F'\t' -v size="$size" '{ printf "- %s %s: %.2f GB/s\n", $1, $2, size / $3 / 1e9 }' "$rows"
        echo
        echo "Commands (F = $log):"
        echo
        awk -F'\t' -v f="$L" -v m="$M" '
            function repl(s, a, b,   k) {   # every a in s replaced by b, literally
                while ((k = index(s, a)) > 0) s = substr(s, 1, k - 1) b substr(s, k + length(a))
                return s
            }
            { for (i = 4; i <= NF; i++) printf "- %s: `%s`\n", $1, repl(repl($i, f, "F"), m, "mapq") }' "$cmds"
        echo
    fi
    echo "## mapq-grep(1), LIMITS: \`(a+)+\$\` on a line of 99,999 \`a\` and a \`b\`"
    echo
    echo "| tool | exit status | seconds | stderr |"
    echo "|---|---:|---:|---|"
    awk -F'\t' '{ printf "| %s | %s | %s | %s |\n", $1, $2, $3, $4 }' "$redos_rows"
    if [ "$have_mapq" = 1 ]; then
        awk -F'\t' '$1 == "mapq" {
            ok = ($2 == 2 && $3 < 1.0)
            printf "\nmapq: %s (mapq-grep(1): exit 2 with a message, in under a second)\n", ok ? "PASS" : "FAIL" }' "$redos_rows"
    fi
    echo
    if [ "$mismatches" -gt 0 ]; then
        echo "**$mismatches command(s) did not print what LC_ALL=C grep prints: see the marks above.**"
    fi
} > "$summary"

cat "$summary"
note "hyperfine json/markdown: $res_dir; summary: $summary"
[ "$mismatches" -eq 0 ] || exit 1
