#!/usr/bin/env bash
# CLI tests of `mapq range --time-format` (time windows): generated logs in
# the formats of Loghub's logs, random windows compared with a linear filter
# written in Python (tests/cli/range_time.py, which parses the times itself).
#   - every kind of log: a nearly sorted one (threads a few seconds late),
#     a sorted one, one with a second run a month back; windows with bounds
#     in the log's format (full and partial), ISO-8601 (partial too, with
#     zones), no --to, empty; --slack above, at and below the disorder
#     (below it, exit 2 naming two lines is allowed instead of the window);
#     --check;
#   - rotated sets split from one log, some zstd-compressed (one maybe by
#     mapq compress), in shuffled order;
#   - --since and relative bounds on a log ending now (TZ=UTC);
#   - the year of year-less formats: --year, or the newest file's mtime;
#   - malformed durations, formats and bounds exit 2.
# Usage: range_time.sh MAPQ [--model]
#   MAPQ_RANGE_TIME_ROUNDS=N  N rounds of seeds (default 1), by hand
#   MAPQ_RANGE_TIME_SEED=S    the first seed (default 1)
#   MAPQ_RANGE_TIME_KEEP=1    keep the generated logs (printed at the end)
#   --model                   run against the executable model of the
#                             contract in range_time.py (tests the harness)
. "$(dirname "$0")/lib.sh"
M=$1
REAL=$1
PY=/usr/bin/python3
RT=$CLI_DIR/range_time.py
if [ ! -x "$PY" ]; then
	echo "SKIP: $PY not found"
	exit 77
fi
if ! command -v zstd >/dev/null; then
	echo "SKIP: zstd not found"
	exit 77
fi
if [ "${2:-}" = --model ]; then
	printf '#!/bin/sh\nexec %s %s model "$@"\n' "$PY" "$RT" >"$TMP/model"
	chmod +x "$TMP/model"
	M=$TMP/model
fi
if [ "${MAPQ_RANGE_TIME_KEEP:-0}" = 1 ]; then
	trap 'echo "logs kept in $TMP"' EXIT
fi
# Times without a zone are wall clock: "now" for --since is UTC here.
export TZ=UTC
rounds=${MAPQ_RANGE_TIME_ROUNDS:-1}
seed0=${MAPQ_RANGE_TIME_SEED:-1}

# part NAME ARGS...: one subcommand of range_time.py; its failures are
# printed by it, and counted here as one failed check each.
part() {
	checks=$((checks + 1))
	"$PY" "$RT" "$@" --mapq "${MQ:-$M}" --dir "$TMP/w" || fail "range_time.py $*"
}

# The parser against the generator, and byte keys (mapq itself, always).
MQ=$REAL part selftest --seed "$seed0"
for ((r = 0; r < rounds; r++)); do
	seed=$((seed0 + r))
	for kind in syslog apache hdfs hadoop zookeeper proxifier android clf epoch iso; do
		part sweep --kind "$kind" --seed "$seed"
	done
	part rotated --seed "$seed"
	part year --seed "$seed"
done
part since --seed "$seed0"
part errors
finish
