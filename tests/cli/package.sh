#!/usr/bin/env bash
# package.sh BUILD_DIR VERSION [SANITIZE]: what a third program gets from the installed
# library.  Installs the build into a temporary prefix, then checks
# - the shared library's name and SOVERSION, and that it exports the
#   MAPQ_API functions of include/mapq.h and nothing else;
# - that mapq_version.h carries the version of CMakeLists.txt, and that
#   `mapq --version` and mapq.pc say the same;
# - that a C program builds and runs against it through find_package(mapq)
#   (shared and static targets) and through pkg-config;
# - that the installed Python package imports from the prefix (when built).
# Exits 77 (skipped) when nm is missing.  With SANITIZE=1 (a build with
# -DMAPQ_SANITIZE=ON) the programs are built with the sanitizers too, and
# Python loads their runtime first, as an instrumented library needs.
set -u
build=$(cd "$1" && pwd)
version=$2
san_flags=
san_preload=
if [ "${3:-0}" = 1 ]; then
	san_flags="-fsanitize=address,undefined"
	san_preload=$(cc -print-file-name=libasan.so)
	export ASAN_OPTIONS=detect_leaks=0
fi
src=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"
command -v nm >/dev/null || { echo "SKIP: nm not found (binutils)"; exit 77; }

prefix=$TMP/prefix
cmake --install "$build" --prefix "$prefix" >"$TMP/install.log" 2>&1 ||
	{ cat "$TMP/install.log" >&2; fail "cmake --install"; }
libdir=$prefix/lib
[ -d "$prefix/lib64" ] && libdir=$prefix/lib64
major=${version%%.*}

checks=$((checks + 1))
[ -f "$libdir/libmapq.so.$version" ] && [ -L "$libdir/libmapq.so.$major" ] &&
	[ -L "$libdir/libmapq.so" ] && [ -f "$libdir/libmapq.a" ] ||
	fail "installed libraries: $(ls "$libdir")"
checks=$((checks + 1))
soname=$(objdump -p "$libdir/libmapq.so.$version" 2>/dev/null | awk '$1 == "SONAME" {print $2}')
[ "$soname" = "libmapq.so.$major" ] || fail "SONAME is '$soname'"

# Exported symbols are exactly the MAPQ_API declarations of the header.
nm -D --defined-only "$libdir/libmapq.so.$version" | awk '{print $3}' |
	sort >"$TMP/exported"
grep -o '^MAPQ_API[^(]*(' "$src/include/mapq.h" | sed 's/($//; s/.*[ *]//' |
	sort >"$TMP/declared"
checks=$((checks + 1))
cmp -s "$TMP/declared" "$TMP/exported" ||
	fail "exports differ from the header's MAPQ_API: $(diff "$TMP/declared" "$TMP/exported" | head -5 | tr '\n' ' ')"

checks=$((checks + 1))
grep -q "^#define MAPQ_VERSION_STRING \"$version\"" "$prefix/include/mapq_version.h" ||
	fail "mapq_version.h does not say $version"
checks=$((checks + 1))
[ "$("$prefix/bin/mapq" --version | head -1)" = "mapq $version" ] ||
	fail "mapq --version: $("$prefix/bin/mapq" --version | head -1)"
checks=$((checks + 1))
[ "$(PKG_CONFIG_PATH=$libdir/pkgconfig pkg-config --modversion mapq)" = "$version" ] ||
	fail "pkg-config --modversion"

# A third program: prints the library's version and counts the lines of a
# file through the public API; wc -l is the reference.
mkdir -p "$TMP/app"
cat >"$TMP/app/main.c" <<'C'
#include <stdio.h>
#include <string.h>
#include <mapq.h>
int main(int argc, char **argv)
{
	mapq_error err;
	mapq_file *f;
	uint64_t n;
	if (argc < 2 || strcmp(mapq_version(), MAPQ_VERSION_STRING) != 0)
		return 3;
	if (mapq_file_open(&f, argv[1], NULL, 0, &err) != MAPQ_OK ||
	    mapq_lines_count_newlines(f, 0, mapq_file_size(f), &n, &err) != MAPQ_OK) {
		fprintf(stderr, "%s\n", err.msg);
		return 2;
	}
	printf("%s %llu\n", mapq_version(), (unsigned long long)n);
	mapq_file_close(f);
	return 0;
}
C
cat >"$TMP/app/CMakeLists.txt" <<'C'
cmake_minimum_required(VERSION 3.20)
project(app C)
find_package(mapq REQUIRED)
add_executable(app_shared main.c)
target_link_libraries(app_shared PRIVATE mapq::mapq)
add_executable(app_static main.c)
target_link_libraries(app_static PRIVATE mapq::mapq_static)
C
want="$version $(wc -l <"$src/testdata/app.log")"
checks=$((checks + 1))
if cmake -S "$TMP/app" -B "$TMP/app/build" -DCMAKE_PREFIX_PATH="$prefix" \
	-DCMAKE_C_FLAGS="$san_flags" -DCMAKE_EXE_LINKER_FLAGS="$san_flags" \
	>"$TMP/app.log" 2>&1 && cmake --build "$TMP/app/build" >>"$TMP/app.log" 2>&1; then
	for kind in shared static; do
		checks=$((checks + 1))
		got=$(LD_LIBRARY_PATH=$libdir "$TMP/app/build/app_$kind" "$src/testdata/app.log")
		[ "$got" = "$want" ] || fail "find_package $kind: '$got', want '$want'"
	done
	checks=$((checks + 1))
	ldd "$TMP/app/build/app_static" | grep -q libmapq && fail "app_static loads libmapq.so"
else
	cat "$TMP/app.log" >&2
	fail "find_package(mapq) build"
fi
checks=$((checks + 1))
if cc $san_flags -o "$TMP/app_pc" "$TMP/app/main.c" \
	$(PKG_CONFIG_PATH=$libdir/pkgconfig pkg-config --cflags --libs mapq) 2>"$TMP/pc.log"; then
	got=$(LD_LIBRARY_PATH=$libdir "$TMP/app_pc" "$src/testdata/app.log")
	[ "$got" = "$want" ] || fail "pkg-config build: '$got', want '$want'"
else
	cat "$TMP/pc.log" >&2
	fail "pkg-config build"
fi

# The Python package, where the build made one: it imports from the prefix
# (no LD_LIBRARY_PATH: the module finds the prefix's libmapq.so.0 itself).
pydir=$(find "$prefix" -path '*-packages/mapq/__init__.py' 2>/dev/null | head -1)
if [ -f "$build/python/mapq/__init__.py" ]; then
	checks=$((checks + 1))
	if [ -z "$pydir" ]; then
		fail "the Python package was not installed"
	else
		got=$(cd "$TMP" && LD_PRELOAD=$san_preload PYTHONPATH=$(dirname "$(dirname "$pydir")") \
			/usr/bin/python3 -c 'import mapq; print(mapq.__version__)' 2>&1)
		[ "$got" = "$version" ] || fail "installed python package: $got"
	fi
fi

echo "package: $checks checks, $fails failures"
[ "$fails" -eq 0 ]
