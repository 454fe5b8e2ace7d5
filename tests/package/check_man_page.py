#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""duraudit(1) is valid roff and documents what the binary offers.

- groff -man -ww reports no warning, and man(1) renders it;
- its .TH names the version `duraudit --version` prints;
- every subcommand of `duraudit --help` has a section, and every option of
  a subcommand's --help is described in that section or in a shared section
  it points to (audit options, outputs, common options);
- it has an EXIT STATUS section naming run's statuses (0, 3, 125, 126, 127)
  and the other commands' (1, 2).

usage: check_man_page.py DURAUDIT MAN_PAGE
"""
import os
import re
import subprocess
import sys

import help_text

# The shared sections a subcommand's section points to ("and the audit
# options, stack options and outputs below").
SHARED = {
    "run": ["Audit options", "Stack options", "Outputs", "Common options"],
    "attach": ["Audit options", "Stack options", "Outputs", "Common options"],
    "record": ["Stack options", "Common options"],
    "replay": ["Audit options", "Outputs", "Common options"],
}
DEFAULT_SHARED = ["Common options"]


def plain(roff):
    """Roff source as text to search in: no font escapes, \\- as -."""
    text = re.sub(r"\\f[BIRP]", "", roff)
    return text.replace("\\-", "-").replace("\\&", "")


def sections(roff):
    """{'.SS title': body} for every subsection; titles are the first words."""
    out = {}
    parts = re.split(r"^\.S[SH] (.*)$", roff, flags=re.M)
    for title, body in zip(parts[1::2], parts[2::2]):
        out[plain(title).strip()] = plain(body)
    return out


def main():
    duraudit, page = sys.argv[1], sys.argv[2]
    problems = []
    roff = open(page, encoding="utf-8").read()

    r = subprocess.run(["groff", "-man", "-Tutf8", "-ww", "-z", page], capture_output=True, text=True)
    if r.returncode != 0 or r.stderr.strip():
        problems.append(f"groff -man -ww: {r.stderr.strip() or f'exit {r.returncode}'}")
    env = dict(os.environ, MANPAGER="cat", MANWIDTH="80", LC_ALL="C.UTF-8")
    r = subprocess.run(["man", "-l", page], capture_output=True, text=True, env=env)
    if r.returncode != 0 or "duraudit" not in r.stdout:
        problems.append(f"man -l {page} failed (exit {r.returncode}): {r.stderr.strip()}")

    version = subprocess.run([duraudit, "--version"], capture_output=True, text=True).stdout.split()[1]
    th = re.search(r'^\.TH DURAUDIT 1 "[^"]*" "duraudit ([^"]+)"', roff, flags=re.M)
    if not th or th.group(1) != version:
        problems.append(f".TH names version {th.group(1) if th else '(none)'}, duraudit --version says {version}")

    secs = sections(roff)

    def section_for(sub):
        return next((body for title, body in secs.items() if title == sub or title.startswith(sub + " ")), None)

    def shared_sections(sub):
        names = SHARED.get(sub, DEFAULT_SHARED)
        return "".join(body for title, body in secs.items() if any(title.startswith(n) for n in names))

    for sub in help_text.top_level_commands(duraudit):
        if not any(title.startswith(sub + " ") or title == sub for title in secs):
            problems.append(f"no .SS section for the subcommand {sub}")
    for sub in help_text.SUBCOMMANDS:
        body = section_for(sub)
        if body is None:
            problems.append(f"no .SS section titled '{sub} ...'")
            continue
        shared = shared_sections(sub)
        for opt in sorted(help_text.options(duraudit, sub) | help_text.GLOBAL_OPTIONS):
            if not re.search(rf"(?<![\w-]){re.escape(opt)}(?![\w-])", body + shared):
                problems.append(f"duraudit {sub} {opt}: in --help, not in its man page section")

    for code in ["0", "1", "2", "3", "125", "126", "127"]:
        if not re.search(rf"^\.B {code}$", plain(roff), flags=re.M):
            problems.append(f"EXIT STATUS does not describe status {code}")
    if "EXIT STATUS" not in secs:
        problems.append("no EXIT STATUS section")

    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{page}: {len(problems)} problems", file=sys.stderr)
        return 1
    print(f"{page}: no groff warnings; every subcommand, option and exit status documented")
    return 0


if __name__ == "__main__":
    sys.exit(main())
