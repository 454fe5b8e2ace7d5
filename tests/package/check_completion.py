#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""The bash completion offers exactly what duraudit's --help lists.

Runs the completion function in bash, as readline would, for each
subcommand and compares what it offers with the options in that
subcommand's --help (both ways: a flag added to the binary and not to the
completion fails, and so does a flag the binary no longer has). Also the
subcommands, and the values of --format/--fail-on/--log-level.

usage: check_completion.py DURAUDIT COMPLETION_FILE
"""
import subprocess
import sys

import help_text


def complete(completion_file, words):
    """COMPREPLY for the command line `words` (the last one is being typed)."""
    script = (
        'source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); '
        '_duraudit; printf "%s\\n" "${COMPREPLY[@]}"'
    )
    r = subprocess.run(["bash", "-c", script, "bash", completion_file, *words],
                       capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise SystemExit(f"completing {words!r} failed: {r.stderr.strip()}")
    return {w for w in r.stdout.splitlines() if w}


def main():
    duraudit, completion_file = sys.argv[1], sys.argv[2]
    problems = []

    def compare(what, offered, expected):
        if missing := expected - offered:
            problems.append(f"{what}: --help lists {sorted(missing)}, the completion does not offer them")
        if stale := offered - expected:
            problems.append(f"{what}: the completion offers {sorted(stale)}, --help does not list them")

    commands = set(help_text.top_level_commands(duraudit))
    compare("duraudit <TAB>", complete(completion_file, ["duraudit", ""]), commands)
    compare("duraudit rules <TAB>", complete(completion_file, ["duraudit", "rules", ""]) - {"-h", "--help"},
            {"list", "check"})

    for sub in help_text.SUBCOMMANDS:
        words = ["duraudit", *sub.split(), "-"]
        expected = help_text.options(duraudit, sub) | help_text.GLOBAL_OPTIONS
        compare(f"duraudit {sub} -<TAB>", complete(completion_file, words), expected)
        # Options after a value still complete: `run --rules f.yaml --f<TAB>`.
        later = complete(completion_file, ["duraudit", *sub.split(), "--format", "json", "--"])
        compare(f"duraudit {sub} --format json --<TAB>", later, {o for o in expected if o.startswith("--")})

    for sub in ["run", "attach", "replay", "trace", "rules list"]:
        compare(f"duraudit {sub} --format <TAB>",
                complete(completion_file, ["duraudit", *sub.split(), "--format", ""]),
                set(help_text.option_values(duraudit, sub, "--format")))
    compare("duraudit run --fail-on <TAB>", complete(completion_file, ["duraudit", "run", "--fail-on", ""]),
            set(help_text.option_values(duraudit, "run", "--fail-on")))
    compare("duraudit run --color <TAB>", complete(completion_file, ["duraudit", "run", "--color", ""]),
            set(help_text.option_values(duraudit, "run", "--color")))
    compare("duraudit --log-level <TAB>", complete(completion_file, ["duraudit", "--log-level", ""]),
            {"trace", "debug", "info", "warn", "error", "off"})
    # After `--` the words are the traced command's: its name, then files.
    if "true" not in complete(completion_file, ["duraudit", "run", "--", "tru"]):
        problems.append("duraudit run -- tru<TAB>: does not complete command names")

    for p in problems:
        print(p, file=sys.stderr)
    if problems:
        print(f"{completion_file} and duraudit --help disagree ({len(problems)} problems)", file=sys.stderr)
        return 1
    print(f"{completion_file}: every subcommand and option of --help, and nothing else")
    return 0


if __name__ == "__main__":
    sys.exit(main())
