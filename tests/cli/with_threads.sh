#!/usr/bin/env bash
# with_threads.sh - stands in for the mapq binary in the grep sweeps: runs
# `mapq grep ARGS` as `mapq grep -j $MAPQ_TEST_THREADS ARGS` (default 3),
# other commands as they are.  With MAPQ_GREP_PIECE set small (see
# mapq-grep(1), ENVIRONMENT), every fixture is cut into many pieces that
# several threads search: the sweep then checks that the merged output is
# still exactly GNU grep's.
m=${MAPQ_TEST_BIN:?MAPQ_TEST_BIN: the mapq binary}
if [ "${1-}" = grep ]; then
	shift
	exec "$m" grep -j "${MAPQ_TEST_THREADS:-3}" "$@"
fi
exec "$m" "$@"
