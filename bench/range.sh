#!/usr/bin/env bash
# bench/range.sh - time windows of a sorted log: mapq range (binary search)
# against look (util-linux, also bisects), and linear scans by rg and awk.
# Reports hyperfine times and the page faults of each tool.
# Usage: bench/range.sh [MAPQ] [LOG] [OUTDIR]
set -euo pipefail
M=$(realpath "${1:-build/mapq}")
L=${2:-/tmp/mapq-bench/log2g}
OUT=${3:-/tmp/mapq-bench/results}
mkdir -p "$OUT"
# look needs the byte order the log is sorted in.
export LC_ALL=C

# The machine is shared: wait (up to 10 minutes) for a quiet moment.
for _ in $(seq 60); do
	load=$(cut -d' ' -f1 /proc/loadavg)
	awk -v l="$load" 'BEGIN { exit !(l < 1.5) }' && break
	sleep 10
done
echo "load average before timing: $(cut -d' ' -f1-3 /proc/loadavg)"

# The window: the minute and the hour of the line at 75% of the file.
size=$(stat -c %s "$L")
line=$("$M" slice --align -b $((size * 3 / 4)):+64K "$L" | head -n 1)
minute=${line:0:16}
hour=${line:0:13}
next_minute=$(date -u -d "${minute}:00Z + 1 minute" +%Y-%m-%dT%H:%M)
next_hour=$(date -u -d "${hour}:00:00Z + 1 hour" +%Y-%m-%dT%H)
echo "log: $L ($size bytes); minute $minute, hour $hour"

# Every tool prints the same lines.
for w in "$minute $next_minute" "$hour $next_hour"; do
	set -- $w
	"$M" range --from "$1" --to "$2" "$L" >"$OUT/range.mapq"
	look "$1" "$L" | cmp - "$OUT/range.mapq"
	rg "^$1" "$L" | cmp - "$OUT/range.mapq"
	echo "window $1: $(wc -l <"$OUT/range.mapq") lines, $(wc -c <"$OUT/range.mapq") bytes, same output from mapq, look, rg"
done
rm -f "$OUT/range.mapq"

run() { # NAME EXTRA_HYPERFINE_ARGS... -- COMMANDS (name, command pairs)
	local name=$1
	shift
	hyperfine -N --warmup 3 --output=pipe --export-markdown "$OUT/range-$name.md" "$@"
}
run minute \
	-n "mapq range" "$M range --from $minute --to $next_minute $L" \
	-n "mapq range -c" "$M range -c --from $minute --to $next_minute $L" \
	-n "mapq range --offsets" "$M range --offsets --from $minute --to $next_minute $L" \
	-n "look" "look $minute $L" \
	-n "rg" "rg ^$minute $L"
run hour \
	-n "mapq range" "$M range --from $hour --to $next_hour $L" \
	-n "mapq range --offsets" "$M range --offsets --from $hour --to $next_hour $L" \
	-n "look" "look $hour $L" \
	-n "rg" "rg ^$hour $L"
# awk reads the whole file slowly: a few runs are enough.
hyperfine -N --warmup 1 --runs 3 --output=pipe --export-markdown "$OUT/range-awk.md" \
	-n "awk minute" "awk -v p=$minute 'index(\$0, p) == 1' $L" \
	-n "awk hour" "awk -v p=$hour 'index(\$0, p) == 1' $L"

# Page faults (minor + major, /usr/bin/time): the fewest of 5 runs, the
# output piped to wc -c.  A process that does nothing (mapq --version)
# shows the cost of starting; what the output itself needs is its size in
# 4 KiB pages.  Each fault on a file mapping can map up to 16 neighbouring
# pages that are already cached (the kernel's fault-around).
faults() { # NAME COMMAND...
	local name=$1 best= bytes
	shift
	for _ in 1 2 3 4 5; do
		bytes=$(/usr/bin/time -f '%R %F' -o "$OUT/time" "$@" | wc -c)
		local f
		f=$(awk '{ print $1 + $2 }' "$OUT/time")
		if [ -z "$best" ] || [ "$f" -lt "$best" ]; then best=$f; fi
	done
	printf '| %s | %s | %s | %s |\n' "$name" "$best" "$bytes" $(((bytes + 4095) / 4096))
}
{
	echo "| command | faults | output bytes | output pages |"
	echo "|---|---:|---:|---:|"
	faults "mapq --version (start-up)" "$M" --version
	faults "mapq range --offsets, minute" "$M" range --offsets --from "$minute" --to "$next_minute" "$L"
	faults "mapq range -c, minute" "$M" range -c --from "$minute" --to "$next_minute" "$L"
	faults "mapq range, minute" "$M" range --from "$minute" --to "$next_minute" "$L"
	faults "look, minute" look "$minute" "$L"
	faults "rg, minute" rg "^$minute" "$L"
	faults "mapq range --offsets, hour" "$M" range --offsets --from "$hour" --to "$next_hour" "$L"
	faults "mapq range, hour" "$M" range --from "$hour" --to "$next_hour" "$L"
	faults "look, hour" look "$hour" "$L"
	faults "rg, hour" rg "^$hour" "$L"
} | tee "$OUT/range-faults.md"
echo "load average after: $(cut -d' ' -f1-3 /proc/loadavg)"
