#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-only
# The .deb as a user gets it: built by cpack from the build tree, installed
# with apt on this machine, the installed binary run (--version, and
# `run -- true`, which loads the BPF programs), its man page read, then
# purged, checking that no file of the package is left behind.
#
# usage: check_deb.sh BUILD_DIR
#
# It installs into the real system, so it refuses to touch a duraudit the
# user installed: exit 77 (skip) on a developer machine, a failure under
# CI=true. So it does without root. A marker file says an installed duraudit
# is this test's own, left by an interrupted run of the same build tree,
# which it then purges and re-tests.
set -euo pipefail

build=$(realpath "$1")
ci=false; [ "${CI:-}" = true ] && ci=true
marker=/var/lib/duraudit-package-test.owner
apt_opts=(-y -q -o DPkg::Lock::Timeout=300)
export DEBIAN_FRONTEND=noninteractive

fail() { echo "check_deb: FAIL: $*" >&2; exit 1; }
# Cannot do its job here: a skip with the reason, or a failure under CI.
cannot() {
  if $ci; then fail "$* (CI=true: this test must run)"; fi
  echo "check_deb: SKIP: $*" >&2
  exit 77
}

[ "$(id -u)" -eq 0 ] || cannot "installing a .deb with apt needs root"
for tool in cpack apt-get dpkg dpkg-deb dpkg-shlibdeps man; do
  command -v "$tool" >/dev/null || cannot "$tool is not installed (scripts/setup.sh installs it)"
done

# Minimal images (Docker's debian:*-slim) tell dpkg to drop man pages and
# docs; the installed files could not be checked.
if excl=$(grep -hs '^path-exclude' /etc/dpkg/dpkg.cfg.d/* | grep -E '/usr/share/(man|doc)'); then
  cannot "dpkg here drops files the package installs (/etc/dpkg/dpkg.cfg.d: ${excl//$'\n'/; })"
fi

installed() { dpkg-query -W -f='${Status}' duraudit 2>/dev/null | grep -q 'install ok installed'; }
if installed || [ -e /usr/bin/duraudit ]; then
  if [ -f "$marker" ] && [ "$(cat "$marker")" = "$build" ]; then
    echo "check_deb: purging the duraudit an interrupted run of this test left installed" >&2
    apt-get purge "${apt_opts[@]}" duraudit >/dev/null
  else
    cannot "duraudit is already installed on this machine (/usr/bin/duraudit or dpkg's duraudit) and not by this test; it is left alone"
  fi
fi

# --- build -----------------------------------------------------------------
out="$build/package-test"
rm -rf "$out"
mkdir -p "$out"
echo "check_deb: cpack -G DEB in $build" >&2
(cd "$build" && cpack -G DEB -B "$out" >"$out/cpack.log" 2>&1) || { cat "$out/cpack.log" >&2; fail "cpack -G DEB failed"; }
debs=("$out"/duraudit_*.deb)
[ ${#debs[@]} -eq 1 ] && [ -f "${debs[0]}" ] || fail "cpack made no duraudit_*.deb in $out"
deb=${debs[0]}

# --- control fields -----------------------------------------------------------
version=$("$build/duraudit" --version | awk 'NR == 1 {print $2}')
homepage=$(sed -n 's/^#define DURAUDIT_HOMEPAGE "\(.*\)"$/\1/p' "$build/generated/build_info.h")
field() { dpkg-deb -f "$deb" "$1"; }
[ "$(field Package)" = duraudit ] || fail "Package: is '$(field Package)'"
[ "$(field Version)" = "$version" ] || fail "Version: is '$(field Version)', duraudit --version says $version"
[ "$(field Section)" = admin ] || fail "Section: is '$(field Section)'"
[ "$(field Homepage)" = "$homepage" ] || fail "Homepage: is '$(field Homepage)', DURAUDIT_HOMEPAGE is $homepage"
[ -n "$(field Maintainer)" ] || fail "no Maintainer: field"
[ -n "$(field Description)" ] || fail "no Description: field"
depends=$(field Depends)
# dpkg-shlibdeps: every shared library the binary links has its package.
for lib in libbpf libc6 libyaml-cpp libjemalloc; do
  grep -q "\b$lib" <<<"$depends" || fail "Depends: '$depends' has no $lib (dpkg-shlibdeps did not run?)"
done
echo "check_deb: $(basename "$deb"): Version $version, Depends: $depends" >&2

# --- install ------------------------------------------------------------------
# The directories of the package that exist already (/usr/bin, /lib, which
# is a symbolic link on a merged-/usr system): they must stay after purge.
dpkg-deb --fsys-tarfile "$deb" | tar -t | sed 's|^\./|/|; s|/$||' | while IFS= read -r p; do
  if [ -n "$p" ] && [ -d "$p" ]; then printf '%s\n' "$p"; fi
done >"$out/dirs-before.txt"
echo "$build" >"$marker"
purged=false
cleanup() {
  if ! $purged && installed; then apt-get purge "${apt_opts[@]}" duraudit >/dev/null 2>&1 || true; fi
  rm -f "$marker"
}
trap cleanup EXIT
# apt resolves the dependencies from the machine's repositories: they are
# the build's own libraries, installed already by scripts/setup.sh.
(cd "$out" && apt-get install "${apt_opts[@]}" --no-install-recommends "./$(basename "$deb")" >"$out/apt-install.log" 2>&1) ||
  { cat "$out/apt-install.log" >&2; fail "apt-get install ./$(basename "$deb") failed"; }
installed || fail "apt-get install succeeded but dpkg does not list duraudit as installed"
dpkg -L duraudit >"$out/files.txt"

for f in /usr/bin/duraudit /usr/share/man/man1/duraudit.1.gz /usr/share/bash-completion/completions/duraudit \
         /lib/systemd/system/duraudit.service /usr/share/duraudit/rules/default.yaml \
         /usr/share/doc/duraudit/copyright /usr/share/doc/duraudit/CHANGELOG.md; do
  [ -f "$f" ] || fail "the package installed no $f"
  grep -qx "$f" "$out/files.txt" || fail "$f exists but dpkg -L duraudit does not list it"
done
[ -d /etc/duraudit/rules.d ] || fail "the package installed no /etc/duraudit/rules.d/"
grep -q '^ExecStart=/usr/bin/duraudit ' /lib/systemd/system/duraudit.service ||
  fail "the installed unit does not start /usr/bin/duraudit: $(grep ^ExecStart= /lib/systemd/system/duraudit.service)"

# --- the installed binary -------------------------------------------------------
v=$(/usr/bin/duraudit --version) || fail "/usr/bin/duraudit --version failed"
head -n 1 <<<"$v" | grep -q "^duraudit $version (git " || fail "/usr/bin/duraudit --version says: $v"
grep -q '^libbpf [0-9]' <<<"$v" || fail "--version names no libbpf version: $v"
grep -q '^kernel ' <<<"$v" || fail "--version names no kernel: $v"
# As a user without privileges too: --version reads only world-readable files.
if id nobody >/dev/null 2>&1; then
  setpriv --reuid=nobody --regid=nogroup --clear-groups /usr/bin/duraudit --version >/dev/null ||
    fail "/usr/bin/duraudit --version fails without root"
fi

run_problem=
if ! r=$(/usr/bin/duraudit run -- true 2>&1); then
  run_problem="/usr/bin/duraudit run -- true failed: $r"
  $ci && fail "$run_problem"
fi

# man(1) as a user reads it, non-interactively.
page=$(MANPAGER=cat MANWIDTH=80 man -l /usr/share/man/man1/duraudit.1.gz 2>&1) || fail "man -l failed: $page"
grep -q 'EXIT STATUS' <<<"$page" || fail "man -l /usr/share/man/man1/duraudit.1.gz shows no EXIT STATUS section"
# -a: a page installed under /usr/local by `cmake --install` may come first.
man -w -a duraudit 2>/dev/null | grep -qx /usr/share/man/man1/duraudit.1.gz ||
  fail "man -w duraudit does not find the installed page (got '$(man -w -a duraudit 2>&1)')"
MANPAGER=cat man duraudit >/dev/null 2>&1 || fail "man duraudit failed"

bash -c 'source /usr/share/bash-completion/completions/duraudit && complete -p duraudit' >/dev/null ||
  fail "the installed bash completion does not load"

# --- purge ----------------------------------------------------------------------
(apt-get purge "${apt_opts[@]}" duraudit >"$out/apt-purge.log" 2>&1) || { cat "$out/apt-purge.log" >&2; fail "apt-get purge duraudit failed"; }
purged=true
installed && fail "duraudit is still installed after apt-get purge"
left=()
while IFS= read -r f; do
  [ "$f" = /. ] && continue
  [ -e "$f" ] || [ -L "$f" ] || continue
  # A directory that was there before, or that another package also owns,
  # stays, rightly.
  if [ -d "$f" ] && { grep -qxF "$f" "$out/dirs-before.txt" || dpkg-query -S "$f" >/dev/null 2>&1; }; then continue; fi
  left+=("$f")
done <"$out/files.txt"
[ -e /etc/duraudit ] && left+=(/etc/duraudit)
((${#left[@]} == 0)) || fail "left behind after apt-get purge: ${left[*]}"

echo "check_deb: built, installed, ran, read the man page and purged $(basename "$deb"); of the $(wc -l <"$out/files.txt") paths dpkg -L listed only directories other packages own are left" >&2
if [ -n "$run_problem" ]; then
  cannot "$run_problem"
fi
