# SPDX-License-Identifier: GPL-2.0-only
"""What `duraudit ... --help` says: the subcommands and each one's options.

The man page and the bash completion are checked against this, so neither
can drift from the binary (check_man_page.py, check_completion.py).
"""
import re
import subprocess

# Each subcommand, as words after `duraudit`, that has an options table.
SUBCOMMANDS = ["run", "attach", "trace", "record", "replay", "report", "rules list"]

# Options every subcommand takes (handled by cli_main before the subcommand).
GLOBAL_OPTIONS = {"--log-level"}


def run_help(duraudit, words):
    r = subprocess.run([duraudit, *words, "--help"], capture_output=True, text=True, timeout=30)
    if r.returncode != 0:
        raise SystemExit(f"{' '.join(['duraudit', *words, '--help'])} exited {r.returncode}: {r.stderr.strip()}")
    return r.stdout


def top_level_commands(duraudit):
    """The first word of each line of the `commands:` block of duraudit --help."""
    text = run_help(duraudit, [])
    block = text.split("\ncommands:\n", 1)[1].split("\n\n", 1)[0]
    names = []
    for line in block.splitlines():
        m = re.match(r"^  ([a-z]+)\b", line)
        if m and m.group(1) not in names:
            names.append(m.group(1))
    if not names:
        raise SystemExit("duraudit --help has no commands: block")
    return names


def entries(duraudit, subcommand):
    """A subcommand's options table: [(names, description)], names as
    {'-o', '--output'}, the description's wrapped lines joined.

    Only the option column names options (boost::program_options prints
    `  -o [ --output ] arg   description`, continued on lines indented
    further); descriptions that mention other options do not add them.
    """
    rows = []
    for line in run_help(duraudit, subcommand.split()).splitlines():
        m = re.match(r"^  (?:(-[A-Za-z]) \[ (--[\w-]+) \]|(--[\w-]+))(.*)$", line)
        if m:
            rows.append(({x for x in m.groups()[:3] if x}, m.group(4).strip()))
        elif rows and re.match(r"^ {4,}\S", line):
            rows[-1] = (rows[-1][0], rows[-1][1] + " " + line.strip())
    if not rows:
        raise SystemExit(f"duraudit {subcommand} --help lists no options")
    return rows


def options(duraudit, subcommand):
    """The options of a subcommand, short and long: {'-o', '--output', ...}."""
    return set().union(*(names for names, _ in entries(duraudit, subcommand)))


def option_values(duraudit, subcommand, option):
    """The closed set of values an option's help lists as `a | b | c` or `a|b|c`."""
    for names, description in entries(duraudit, subcommand):
        if option in names:
            m = re.search(r"([a-z]+(?: ?\| ?[a-z]+)+)", description)
            if m:
                return [v.strip() for v in m.group(1).split("|")]
    raise SystemExit(f"duraudit {subcommand} --help lists no values for {option}")
