#!/usr/bin/env bash
# bench/range_loghub.sh - a by-hand sweep of `mapq range --time-format` over
# the real Loghub logs (https://github.com/logpai/loghub, the *_2k.log
# samples; not in this repository): for the 9 logs with timestamps, random
# windows (bounds in the log's format, partial or full, and ISO-8601) with
# --slack 15m, each compared with the linear filter of
# tests/cli/range_time.py.  Prints per log: windows tried, exact answers,
# exit 2 (allowed only where the log's disorder exceeds the slack), the
# disorder, whether it exceeds the slack, and wrong answers (must be 0).
# Usage: bench/range_loghub.sh LOGHUB_DIR [MAPQ] [WINDOWS] [SLACK] [SEED]
#   LOGHUB_DIR holds Linux_2k.log, Mac_2k.log, ... (missing ones are skipped)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
D=${1:?usage: bench/range_loghub.sh LOGHUB_DIR [MAPQ] [WINDOWS] [SLACK] [SEED]}
M=$(realpath "${2:-$here/../build/mapq}")
N=${3:-300}
SLACK=${4:-15m}
SEED=${5:-1}
PY=/usr/bin/python3
export TZ=UTC LC_ALL=C
W=$(mktemp -d "${TMPDIR:-/tmp}/mapq-loghub-XXXXXX")
trap 'rm -rf "$W"' EXIT

printf '%-10s %6s %6s %6s %13s %6s %6s %8s\n' log tried exact exit2 disorder '>slack' wrong keyless
status=0
for name in Linux Mac OpenSSH Apache HDFS Hadoop Zookeeper Proxifier Android; do
	f=$D/${name}_2k.log
	if [ ! -f "$f" ]; then
		echo "$name: $f not found, skipped" >&2
		continue
	fi
	"$PY" "$here/../tests/cli/range_time.py" loghub --mapq "$M" --dir "$W" \
		--file "$f" --windows "$N" --slack "$SLACK" --seed "$SEED" || status=1
done
exit $status
