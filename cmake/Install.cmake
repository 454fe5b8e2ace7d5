# SPDX-License-Identifier: GPL-2.0-only
# `cmake --install` (and the .deb, which packages what this installs): an
# FHS layout under CMAKE_INSTALL_PREFIX, GNUInstallDirs names.
#
#   bin/duraudit
#   share/duraudit/rules/default.yaml, rules/examples/*.yaml
#   share/duraudit/dashboards/        Grafana dashboard, Prometheus alerts
#   share/man/man1/duraudit.1.gz
#   share/bash-completion/completions/duraudit
#   share/doc/duraudit/               README, CHANGELOG, copyright, docs/*.md
#   /etc/duraudit/rules.d/            (PREFIX/etc unless PREFIX is /usr)
#   /lib/systemd/system/duraudit.service  (PREFIX/lib/... unless /usr)
#
# docs/install.md describes it for users.
include(GNUInstallDirs)

install(TARGETS duraudit RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})

# The built-in defaults spelled out (the binary has them compiled in; this
# is the reference copy to start a site rules file from) and the examples.
install(FILES rules/default.yaml DESTINATION ${CMAKE_INSTALL_DATADIR}/duraudit/rules)
install(DIRECTORY rules/examples/ DESTINATION ${CMAKE_INSTALL_DATADIR}/duraudit/rules/examples
        FILES_MATCHING PATTERN "*.yaml")
install(FILES dashboards/duraudit.json dashboards/alerts.yml DESTINATION ${CMAKE_INSTALL_DATADIR}/duraudit/dashboards)

# Man pages are installed compressed (Debian policy 12.1); -n keeps the
# name and time out of the gzip header, so the package is reproducible.
find_program(GZIP_EXECUTABLE gzip REQUIRED)
set(DURAUDIT_MAN_GZ ${CMAKE_BINARY_DIR}/man/duraudit.1.gz)
add_custom_command(OUTPUT ${DURAUDIT_MAN_GZ}
  COMMAND ${CMAKE_COMMAND} -E make_directory ${CMAKE_BINARY_DIR}/man
  COMMAND sh -c "\"$0\" -9nc \"$1\" > \"$2\"" ${GZIP_EXECUTABLE} ${CMAKE_SOURCE_DIR}/docs/man/duraudit.1 ${DURAUDIT_MAN_GZ}
  DEPENDS ${CMAKE_SOURCE_DIR}/docs/man/duraudit.1
  COMMENT "Compressing the man page duraudit(1)" VERBATIM)
add_custom_target(duraudit_man ALL DEPENDS ${DURAUDIT_MAN_GZ})
install(FILES ${DURAUDIT_MAN_GZ} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

# bash-completion loads completions/NAME on first use of NAME.
install(FILES packaging/bash-completion/duraudit DESTINATION ${CMAKE_INSTALL_DATADIR}/bash-completion/completions)

# Documentation. LICENSE is installed as `copyright`, the name Debian
# policy (12.5) gives the licence file of a package.
install(FILES README.md CHANGELOG.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES LICENSE DESTINATION ${CMAKE_INSTALL_DOCDIR} RENAME copyright)
install(DIRECTORY docs/ DESTINATION ${CMAKE_INSTALL_DOCDIR}
        FILES_MATCHING PATTERN "*.md" PATTERN "coding_guidelines.md" EXCLUDE PATTERN "man" EXCLUDE)
install(FILES deploy/kubernetes/daemonset.yaml DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples/kubernetes)

# /etc/duraudit/rules.d and the systemd unit live outside the prefix when it
# is /usr. Their place is decided when installing, not when configuring:
# cpack installs into /usr whatever prefix the build tree was configured
# with, so a tree configured for /usr/local still packages /etc and
# /lib/systemd/system. DURAUDIT_SYSTEMD_UNITDIR forces the unit's directory.
set(DURAUDIT_SYSTEMD_UNITDIR "" CACHE PATH "where to install duraudit.service (default: /lib/systemd/system for prefix /usr, else PREFIX/lib/systemd/system)")
configure_file(cmake/install_system_files.cmake.in ${CMAKE_BINARY_DIR}/install_system_files.cmake @ONLY)
install(SCRIPT ${CMAKE_BINARY_DIR}/install_system_files.cmake)
