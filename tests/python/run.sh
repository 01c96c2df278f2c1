#!/bin/sh
# run.sh PYTHON TESTFILE: run one pytest file of the Python package under
# CTest.  The environment (PYTHONPATH, MAPQ_CLI, MAPQ_TESTDATA) is set by
# tests/CMakeLists.txt.  A module the file needs (a "# needs: a b" line in
# it) that this Python lacks makes the test SKIP (exit 77), never a pass;
# so does a build without the package.
py=$1
file=$2
if [ -z "$py" ] || [ "$py" = "NONE" ]; then
	echo "SKIP: the Python package was not built (no python3-dev)"
	exit 77
fi
needs=$(sed -n 's/^# needs: //p' "$file")
for mod in pytest $needs; do
	if ! "$py" -c "import $mod" 2>/dev/null; then
		echo "SKIP: $py cannot import $mod (Debian: python3-$mod)"
		exit 77
	fi
done
cd "$(dirname "$file")" || exit 2
exec "$py" -m pytest -q -p no:cacheprovider -o addopts= "$(basename "$file")"
