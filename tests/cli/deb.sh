#!/usr/bin/env bash
# deb.sh BUILD_DIR VERSION: the Debian package that `cpack -G DEB` makes of
# the build (into a temporary folder; nothing is installed):
# - its name is mapq_VERSION_ARCH.deb, ARCH the one dpkg reports;
# - its control fields: Package, Version, Architecture, Maintainer,
#   Section, Description, and Depends naming the Debian package of every
#   shared library the command links directly (readelf -d, ldd, dpkg -S);
# - it holds every file `cmake --install` installs, at the same place
#   under /usr (the Python package in /usr/lib/python3/dist-packages), and
#   nothing else: the command, the man pages, the completions, the
#   library and its symbolic links, the headers, mapq.pc, the CMake
#   package; the man pages and completions are those of the source tree;
# - the command it holds says VERSION.
# Exits 77 (skipped) without cpack, dpkg-deb or dpkg.
set -u
build=$(cd "$1" && pwd)
version=$2
src=$(cd "$(dirname "$0")/../.." && pwd)
. "$(dirname "$0")/lib.sh"
for tool in cpack dpkg-deb dpkg; do
	command -v $tool >/dev/null || { echo "SKIP: $tool not found"; exit 77; }
done
arch=$(dpkg --print-architecture)
major=${version%%.*}

cpack -G DEB --config "$build/CPackConfig.cmake" -B "$TMP/pkg" >"$TMP/cpack.log" 2>&1 ||
	{ cat "$TMP/cpack.log" >&2; fail "cpack -G DEB"; finish; exit; }
debs=$(cd "$TMP/pkg" && ls ./*.deb 2>/dev/null | sed 's|^\./||')
checks=$((checks + 1))
[ "$debs" = "mapq_${version}_$arch.deb" ] || fail "cpack made [$debs], want mapq_${version}_$arch.deb"
deb=$TMP/pkg/mapq_${version}_$arch.deb
[ -f "$deb" ] || { finish; exit; }

# Control fields.
field() { dpkg-deb -f "$deb" "$1"; }
checks=$((checks + 1))
[ "$(field Package)" = mapq ] || fail "Package: $(field Package)"
checks=$((checks + 1))
[ "$(field Version)" = "$version" ] || fail "Version: $(field Version)"
checks=$((checks + 1))
[ "$(field Architecture)" = "$arch" ] || fail "Architecture: $(field Architecture)"
checks=$((checks + 1))
[[ $(field Maintainer) =~ ^[^\<]+\ \<[^@\>]+@[^\>]+\>$ ]] ||
	fail "Maintainer: '$(field Maintainer)' is not 'Name <address>'"
checks=$((checks + 1))
[ "$(field Section)" = utils ] || fail "Section: $(field Section)"
checks=$((checks + 1))
[ "$(field Description | wc -l)" -ge 2 ] || fail "Description has no long description"

# Every shared library the packaged command needs comes from a Debian
# package that Depends names.
dpkg-deb -x "$deb" "$TMP/root"
depends=$(field Depends)
# The libraries the command links directly (its NEEDED entries, which is
# what dpkg-shlibdeps reads; ldd would add theirs), found where ldd says.
needed=$(readelf -d "$TMP/root/usr/bin/mapq" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p')
ldd "$TMP/root/usr/bin/mapq" | awk '$2 == "=>" && $3 ~ /^\// { print $1, $3 }' |
	while read -r soname path; do
		printf '%s\n' "$needed" | grep -qxF "$soname" || continue
		case $soname in libasan* | libubsan* | libc.so* | libm.so* | ld-linux*) continue ;; esac
		# dpkg knows a file by the path its package gives, /lib or
		# /usr/lib (merged /usr): try both.
		owner=
		for p in "$path" "$(readlink -f "$path")"; do
			for q in "$p" "${p#/usr}" "/usr$p"; do
				[ -z "$owner" ] && owner=$(dpkg -S "$q" 2>/dev/null)
			done
		done
		owner=${owner%%:*}
		if [ -z "$owner" ]; then
			echo "FAIL: no Debian package owns $path ($soname)"
		elif ! [[ ", $depends," =~ ,\ "$owner"[\ ,] ]]; then
			echo "FAIL: Depends '$depends' lacks $owner (for $soname)"
		else
			echo ok
		fi
	done >"$TMP/deps"
checks=$((checks + 1))
grep -q '^ok$' "$TMP/deps" || fail "no linked library checked: $(ldd "$TMP/root/usr/bin/mapq" | tr '\n' ' ')"
while read -r line; do
	[ "$line" = ok ] && continue
	checks=$((checks + 1))
	fail "${line#FAIL: }"
done <"$TMP/deps"

# The files: the same set as cmake --install, under /usr.
cmake --install "$build" --prefix "$TMP/inst" >"$TMP/install.log" 2>&1 ||
	{ cat "$TMP/install.log" >&2; fail "cmake --install"; }
(cd "$TMP/inst" && find . ! -type d | sed 's|^\./|./usr/|' |
	sed 's|^\(\./usr/lib/python3\)\.[0-9]*/dist-packages/|\1/dist-packages/|') |
	sort >"$TMP/installed"
dpkg-deb -c "$deb" >"$TMP/listing"
awk '$1 !~ /^d/ { print $6 }' "$TMP/listing" | sort >"$TMP/packaged"
checks=$((checks + 1))
cmp -s "$TMP/installed" "$TMP/packaged" ||
	fail "files of the package != files of cmake --install: $(diff "$TMP/installed" "$TMP/packaged" | grep '^[<>]' | head -8 | tr '\n' ' ')"

# What must be in it, by name.
need() {
	checks=$((checks + 1))
	grep -qE "^$1\$" "$TMP/packaged" || fail "not in the package: $1"
}
need '\./usr/bin/mapq'
for page in "$src"/man/*.1; do
	need "\./usr/share/man/man1/$(basename "$page")"
done
need '\./usr/share/bash-completion/completions/mapq'
need '\./usr/share/zsh/vendor-completions/_mapq'
need '\./usr/share/fish/vendor_completions\.d/mapq\.fish'
lib='\./usr/lib(/[a-z0-9_]+-linux-gnu[a-z0-9_]*)?'
need "$lib/libmapq\\.so\\.${version//./\\.}"
need "$lib/libmapq\\.so\\.$major"
need "$lib/libmapq\\.so"
need "$lib/libmapq\\.a"
need '\./usr/include/mapq\.h'
need '\./usr/include/mapq_version\.h'
need "$lib/pkgconfig/mapq\\.pc"
need "$lib/cmake/mapq/mapqConfig\\.cmake"
need "$lib/cmake/mapq/mapqConfigVersion\\.cmake"
checks=$((checks + 1))
grep -qE " \./usr/lib[^ ]*/libmapq\.so\.$major -> libmapq\.so\.${version//./\\.}\$" "$TMP/listing" ||
	fail "libmapq.so.$major is not a link to libmapq.so.$version"

# The same bytes as the source tree's man pages and completions.
for page in "$src"/man/*.1; do
	checks=$((checks + 1))
	cmp -s "$page" "$TMP/root/usr/share/man/man1/$(basename "$page")" ||
		fail "packaged $(basename "$page") differs from man/"
done
for pair in mapq.bash:bash-completion/completions/mapq _mapq:zsh/vendor-completions/_mapq \
	mapq.fish:fish/vendor_completions.d/mapq.fish; do
	checks=$((checks + 1))
	cmp -s "$src/completions/${pair%%:*}" "$TMP/root/usr/share/${pair#*:}" ||
		fail "packaged ${pair#*:} differs from completions/${pair%%:*}"
done

# The packaged command runs and says its version; the library's shlibs
# entry names its SOVERSION.
checks=$((checks + 1))
[ "$("$TMP/root/usr/bin/mapq" --version | head -1)" = "mapq $version" ] ||
	fail "packaged mapq --version: $("$TMP/root/usr/bin/mapq" --version 2>&1 | head -1)"
checks=$((checks + 1))
dpkg-deb -e "$deb" "$TMP/control"
grep -qE "^libmapq $major mapq( |\$)" "$TMP/control/shlibs" 2>/dev/null ||
	fail "no shlibs entry for libmapq.so.$major"

finish
