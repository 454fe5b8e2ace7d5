#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# Installs every build and test dependency of duraudit from Debian's packages.
# Idempotent: a machine that already has them pays one dpkg query.
set -euo pipefail

packages=(
  # toolchain
  build-essential cmake pkg-config clang llvm
  # BPF side: libbpf, bpftool (vmlinux.h + skeletons), libelf/zlib for libbpf
  libbpf-dev bpftool libelf-dev zlib1g-dev
  # user stacks: elfutils' libdwfl unwinds them from DWARF CFI and
  # symbolizes them (docs/stacks.md)
  libdw-dev
  # userspace libraries
  libboost-program-options-dev libspdlog-dev libfmt-dev
  libgtest-dev libgmock-dev prometheus-cpp-dev libyaml-cpp-dev nlohmann-json3-dev
  # the allocator the duraudit binary links (see CMakeLists.txt)
  libjemalloc-dev
  # sd_notify(3): attach's readiness and watchdog under systemd (Type=notify);
  # systemd itself for `systemd-analyze verify` of deploy/duraudit.service
  libsystemd-dev systemd
  # real programs the tests and the demo run under duraudit; the real-program
  # corpus (tests/e2e/real_corpus_test.cpp) adds gzip, vim, git, PostgreSQL
  # (initdb/postgres/psql/pg_ctl in /usr/lib/postgresql/15/bin) and
  # mkfs.xfs for its cross-filesystem mv onto an xfs loop mount
  strace sqlite3 python3 coreutils
  gzip vim git postgresql xfsprogs util-linux mount
  # promtool (alert rule tests, `promtool check metrics`) and the Prometheus
  # server the metrics end-to-end test scrapes with; PyYAML for
  # scripts/promql_exprs.py
  prometheus python3-yaml
  # asynchronous I/O and shared mappings (docs/async-io.md): liburing for the
  # live tests' io_uring programs, fio (io_uring and libaio engines) for the
  # e2e tests and bench/, LMDB's Python binding for the writemap e2e test
  liburing-dev fio python3-lmdb
  # checks of the machine-readable outputs (docs/output.md,
  # tests/e2e/check_report_outputs.py): xmllint for the JUnit XML against
  # tests/data/junit/junit-10.xsd, Node.js to run the SARIF multitool
  # (tools/package.json, below) and jsonschema for the SARIF schema it ships,
  # and a real browser for the HTML report's headless test
  libxml2-utils nodejs chromium python3-jsonschema
  # packaging (docs/install.md): dpkg-shlibdeps computes the .deb's Depends
  # (cpack, CPACK_DEBIAN_PACKAGE_SHLIBDEPS); groff checks the man page and
  # man-db reads it (tests/package/); gzip compresses it
  dpkg-dev groff-base man-db gzip
)

missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done

if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# Node.js from another repository may bundle npm; Debian's nodejs does not.
if ! command -v npm >/dev/null 2>&1; then
  if [ "$(id -u)" -ne 0 ]; then SUDO=sudo; else SUDO=; fi
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends npm >/dev/null
fi

# The SARIF multitool (a native binary inside the npm package), pinned by
# tools/package-lock.json, into tools/node_modules; reinstalled only when
# the lock file changed since the last install.
tools_dir="$(cd "$(dirname "$0")/.." && pwd)/tools"
if [ ! -x "$tools_dir/node_modules/.bin/sarif-multitool" ] ||
   [ "$tools_dir/package-lock.json" -nt "$tools_dir/node_modules/.package-lock.json" ]; then
  echo "setup: installing the SARIF multitool into tools/node_modules" >&2
  npm ci --prefix "$tools_dir" --no-audit --no-fund --loglevel=error >/dev/null
fi
