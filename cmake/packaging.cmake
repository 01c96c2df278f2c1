# Installation of the shell completions, and the Debian package.
#
# cmake --install puts the completions where each shell looks for them
# under the prefix; `cpack -G DEB` in the build directory makes
# mapq_<version>_<arch>.deb of everything cmake --install installs, under
# /usr whatever the build's own prefix.

install(FILES ${PROJECT_SOURCE_DIR}/completions/mapq.bash
        DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions
        RENAME mapq)
install(FILES ${PROJECT_SOURCE_DIR}/completions/_mapq
        DESTINATION ${CMAKE_INSTALL_DATADIR}/zsh/vendor-completions)
install(FILES ${PROJECT_SOURCE_DIR}/completions/mapq.fish
        DESTINATION ${CMAKE_INSTALL_DATADIR}/fish/vendor_completions.d)

set(CPACK_PACKAGE_NAME mapq)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "mapq maintainers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
    "query files too big to read: memory-mapped search, slices, statistics")
set(CPACK_PACKAGE_DESCRIPTION
"mapq memory-maps a file read-only and answers queries on it without
reading it into memory: PCRE2 search with GNU grep -P's options and
output, byte and line slices, time windows of sorted logs by binary
search, line-aligned shards for parallel workers, statistics, and the
zstd seekable format, compressed input being read on the fly.
This package holds the mapq command, its man pages and shell completions
(bash, zsh, fish), and the libmapq C library (shared and static, header,
pkg-config file, CMake package).")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_STRIP_FILES ON)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git" "/build[^/]*/")

set(MAPQ_DEB_MAINTAINER
    "mapq maintainers <maintainers@users.noreply.r-seed-c0db83cf.example>"
    CACHE STRING "Maintainer field of the Debian package")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${MAPQ_DEB_MAINTAINER}")
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION utils)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# The library's shlibs file and the ldconfig trigger.
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS ON)
set(CPACK_DEBIAN_PACKAGE_GENERATE_SHLIBS_POLICY ">=")
# Dependencies: from the linked libraries by dpkg-shlibdeps (dpkg-dev) when
# it is there, else the libraries the build links, named as Debian 12 does.
find_program(MAPQ_DPKG_SHLIBDEPS dpkg-shlibdeps)
mark_as_advanced(MAPQ_DPKG_SHLIBDEPS)
if(MAPQ_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS
      "libc6 (>= 2.34), libpcre2-8-0 (>= 10.32), libzstd1 (>= 1.5.0), libxxhash0 (>= 0.8.0)")
endif()
# The Python package, when built, needs a CPython 3.11 or newer.
if(TARGET mapq_python)
  set(CPACK_DEBIAN_PACKAGE_SUGGESTS "python3 (>= 3.11)")
endif()

# A build configured for another prefix (the default /usr/local) puts the
# Python package in lib/python3.X/dist-packages, a folder that Debian's
# python3 reads only under /usr/local: in the package it moves to
# /usr/lib/python3/dist-packages, at the same depth, so the module's
# relative RPATH still finds libmapq.so.0.
if(TARGET mapq_python AND MAPQ_PYTHON_DIR MATCHES "^lib/python3\\.[0-9]+/dist-packages$")
  file(CONFIGURE OUTPUT ${CMAKE_CURRENT_BINARY_DIR}/deb_python.cmake @ONLY
       CONTENT [=[
# Run by cpack in the staging directory, before the package is made.
if(CPACK_GENERATOR STREQUAL "DEB")
  set(usr "${CPACK_TEMPORARY_DIRECTORY}/usr")
  if(IS_DIRECTORY "${usr}/@MAPQ_PYTHON_DIR@/mapq")
    file(MAKE_DIRECTORY "${usr}/lib/python3/dist-packages")
    file(RENAME "${usr}/@MAPQ_PYTHON_DIR@/mapq"
                "${usr}/lib/python3/dist-packages/mapq")
    # The folders left empty.
    set(dir "${usr}/@MAPQ_PYTHON_DIR@")
    foreach(level 1 2)
      file(GLOB left "${dir}/*")
      if(NOT left)
        file(REMOVE_RECURSE "${dir}")
      endif()
      get_filename_component(dir "${dir}" DIRECTORY)
    endforeach()
  endif()
endif()
]=])
  set(CPACK_PRE_BUILD_SCRIPTS ${CMAKE_CURRENT_BINARY_DIR}/deb_python.cmake)
  set(mapq_deb_python_dir /usr/lib/python3/dist-packages)
elseif(TARGET mapq_python)
  set(mapq_deb_python_dir /usr/${MAPQ_PYTHON_DIR})
endif()
# The byte code python3 writes beside the package (__pycache__) is not in
# the package: removed before the package's files.
if(TARGET mapq_python)
  file(WRITE ${CMAKE_CURRENT_BINARY_DIR}/deb/prerm
"#!/bin/sh
set -e
rm -rf ${mapq_deb_python_dir}/mapq/__pycache__
")
  set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${CMAKE_CURRENT_BINARY_DIR}/deb/prerm)
  set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
endif()

include(CPack)
