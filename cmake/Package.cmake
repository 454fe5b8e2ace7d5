# SPDX-License-Identifier: GPL-2.0-only
# CPack: `cpack -G DEB` in the build directory (or the `package` target)
# builds duraudit_VERSION_ARCH.deb from what cmake/Install.cmake installs.
# docs/install.md describes it for users; tests/package/check_deb.sh
# installs, runs and purges it.
set(CPACK_PACKAGE_NAME duraudit)
set(CPACK_PACKAGE_VENDOR "duraudit")
# The project publishes no maintainer address; the default points at where
# it takes reports. A distributor sets their own (-DDURAUDIT_MAINTAINER=...).
set(DURAUDIT_MAINTAINER "duraudit maintainers <${DURAUDIT_HOMEPAGE}/issues>" CACHE STRING "the .deb's Maintainer field")
set(CPACK_PACKAGE_CONTACT "${DURAUDIT_MAINTAINER}")
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "find where a crash or power loss can lose a program's data")
set(CPACK_PACKAGE_HOMEPAGE_URL "${DURAUDIT_HOMEPAGE}")
set(CPACK_RESOURCE_FILE_LICENSE ${CMAKE_SOURCE_DIR}/LICENSE)
set(CPACK_GENERATOR DEB)
# cpack installs into /usr, whatever prefix the tree was configured with;
# with DESTDIR (CPACK_SET_DESTDIR) the install script sees the real prefix,
# /usr, and puts rules.d under /etc and the unit under /lib/systemd/system
# (cmake/install_system_files.cmake.in).
set(CPACK_SET_DESTDIR ON)
set(CPACK_INSTALL_PREFIX /usr)
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
# The binary's own files only: no tests, demo or bench helpers (none has
# install rules), and the man page built before packaging.
set(CPACK_STRIP_FILES ON)

set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)  # duraudit_0.1.0_amd64.deb
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
# Depends: computed by dpkg-shlibdeps (dpkg-dev) from the libraries the
# binary links (libbpf, libyaml-cpp, libfmt, spdlog, libjemalloc, ...), so
# it follows the build machine's library versions.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# Not linked, but what users reach for beside it: strace for
# `replay --strace`, bash-completion to load the completion.
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "strace, bash-completion")
# The long description; cpack puts the summary above it as the synopsis line.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION
  "duraudit watches what processes do to files, through eBPF, and reports
where a crash or power loss can lose or corrupt data: files closed without
fsync, files renamed into place before their data was durable, old state
deleted before its replacement was durable, directory entries never synced.
.
It runs wrapped around a command (duraudit run -- CMD) in CI, attached to
live processes as a systemd service with Prometheus metrics, and offline
on a recording or an strace -f log. Live capture needs root (CAP_BPF,
CAP_PERFMON) and a kernel with BTF.")
# Maintainer scripts: systemd reload on install/removal, the service
# stopped before removal, its log directory removed on purge.
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_SOURCE_DIR}/packaging/debian/postinst
  ${CMAKE_SOURCE_DIR}/packaging/debian/prerm
  ${CMAKE_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)

include(CPack)
