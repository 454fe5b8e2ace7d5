#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Print every PromQL expression in the Grafana dashboard and the alert rules.

Grafana variables are replaced by concrete values so each line is a query a
Prometheus server accepts as is: the end-to-end test sends each line to
/api/v1/query, and `--as-rules FILE` writes them as recording rules so
`promtool check rules FILE` parses them offline with Prometheus's own parser.

  scripts/promql_exprs.py                      # one expression per line
  scripts/promql_exprs.py --with-source        # "where<TAB>expression"
  scripts/promql_exprs.py --as-rules exprs.yml && promtool check rules exprs.yml

Template-variable queries (label_values(SELECTOR, LABEL)) are Grafana syntax,
not PromQL; they are printed as the equivalent `group by (LABEL) (SELECTOR)`
so their selectors are checked too. An unknown variable is an error: a new
dashboard variable needs a value here before the dashboard can be tested.
"""

import argparse
import json
import pathlib
import re
import sys

import yaml

ROOT = pathlib.Path(__file__).resolve().parent.parent

# $var, ${var}, ${var:format}, [[var]]
VARIABLE = re.compile(r"\$\{(\w+)(?::\w+)?\}|\$(\w+)|\[\[(\w+)\]\]")
LABEL_VALUES = re.compile(r"^\s*label_values\((?:(.*),)?\s*(\w+)\s*\)\s*$", re.S)
QUERY_RESULT = re.compile(r"^\s*query_result\((.*)\)\s*$", re.S)


def substitute(expr, values, where):
    def repl(m):
        name = m.group(1) or m.group(2) or m.group(3)
        if name not in values:
            raise SystemExit(f"{where}: no value for Grafana variable ${name}; "
                             f"add it to scripts/promql_exprs.py")
        return values[name]
    return VARIABLE.sub(repl, expr)


def one_line(expr):
    # PromQL ignores whitespace between tokens; quoted strings in our files
    # never hold newlines.
    return " ".join(expr.split())


def variable_query(query):
    """The PromQL equivalent of a Grafana Prometheus variable query, or None."""
    if isinstance(query, dict):
        query = query.get("query", "")
    m = LABEL_VALUES.match(query)
    if m:
        selector = (m.group(1) or "").strip() or '{__name__=~".+"}'
        return f"group by ({m.group(2)}) ({selector})"
    m = QUERY_RESULT.match(query)
    if m:
        return m.group(1)
    return None  # metrics(), label_names(): no PromQL to check


def dashboard_exprs(path):
    dash = json.loads(path.read_text())
    out = []

    def walk_panels(panels, trail):
        for p in panels:
            title = p.get("title", "?")
            for t in p.get("targets", []):
                if t.get("expr"):
                    out.append((f"{path.name}: panel '{title}' {t.get('refId', '')}", t["expr"]))
            walk_panels(p.get("panels", []), trail + [title])

    walk_panels(dash.get("panels", []), [])
    for v in dash.get("templating", {}).get("list", []):
        if v.get("type") == "query":
            q = variable_query(v.get("query", ""))
            if q:
                out.append((f"{path.name}: variable ${v['name']}", q))
    return out


def alert_exprs(path):
    doc = yaml.safe_load(path.read_text())
    out = []
    for group in doc.get("groups", []):
        for rule in group.get("rules", []):
            name = rule.get("alert") or rule.get("record")
            out.append((f"{path.name}: {name}", rule["expr"]))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dashboard", type=pathlib.Path, default=ROOT / "dashboards" / "duraudit.json")
    ap.add_argument("--alerts", type=pathlib.Path, default=ROOT / "dashboards" / "alerts.yml")
    ap.add_argument("--job", default=".+", help="value of $job (a regex: queries use =~)")
    ap.add_argument("--instance", default=".+", help="value of $instance (a regex)")
    ap.add_argument("--call", default=".+", help="value of $call (a regex)")
    ap.add_argument("--rate-interval", default="1m", help="value of $__rate_interval")
    ap.add_argument("--interval", default="30s", help="value of $__interval")
    ap.add_argument("--range", default="15m", help="value of $__range")
    ap.add_argument("--with-source", action="store_true", help="prefix each line with where it came from and a tab")
    ap.add_argument("--as-rules", type=pathlib.Path, metavar="FILE",
                    help="write a Prometheus rules file with one recording rule per expression")
    args = ap.parse_args()

    values = {
        "job": args.job, "instance": args.instance, "call": args.call,
        "__rate_interval": args.rate_interval, "__interval": args.interval, "__range": args.range,
    }
    exprs = [(where, one_line(substitute(e, values, where)))
             for where, e in dashboard_exprs(args.dashboard) + alert_exprs(args.alerts)]

    if args.as_rules:
        rules = [{"record": f"duraudit:expr_check_{i}", "expr": e} for i, (_, e) in enumerate(exprs)]
        args.as_rules.write_text(
            "# Generated by scripts/promql_exprs.py: every dashboard and alert expression,\n"
            "# for `promtool check rules`.\n" +
            yaml.safe_dump({"groups": [{"name": "duraudit_expr_check", "rules": rules}]}, sort_keys=False, width=1000))
    else:
        for where, e in exprs:
            print(f"{where}\t{e}" if args.with_source else e)
    return 0


if __name__ == "__main__":
    sys.exit(main())
