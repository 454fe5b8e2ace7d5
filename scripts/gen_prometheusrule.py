#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Writes deploy/kubernetes/prometheusrule.yaml from dashboards/alerts.yml.

The Prometheus Operator's PrometheusRule carries the same rule groups as the
plain rules file; generating it keeps the two from drifting apart.
  scripts/gen_prometheusrule.py           rewrite the manifest
  scripts/gen_prometheusrule.py --check   exit 1 if it is out of date (ctest)
Needs PyYAML (python3-yaml, scripts/setup.sh).
"""
import os
import sys

import yaml

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
ALERTS = os.path.join(ROOT, "dashboards", "alerts.yml")
OUT = os.path.join(ROOT, "deploy", "kubernetes", "prometheusrule.yaml")

HEADER = """\
# GENERATED from dashboards/alerts.yml by scripts/gen_prometheusrule.py: edit
# that file and run the script (the prometheusrule_in_sync test fails when
# this one is stale). The alerts and their runbooks: docs/production.md.
#
# For the Prometheus Operator (monitoring.coreos.com/v1). The operator's
# Prometheus must select it: by default a Prometheus selects rules with the
# labels of its ruleSelector (kube-prometheus-stack: release: <its release>);
# add those labels below, or set ruleSelector: {} on the Prometheus.
#
#   kubectl apply -f deploy/kubernetes/prometheusrule.yaml
"""


class Dumper(yaml.SafeDumper):
    pass


def _str(dumper, s):
    # Multi-line PromQL stays a literal block, as in alerts.yml.
    style = "|" if "\n" in s else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", s, style=style)


Dumper.add_representer(str, _str)


def render():
    with open(ALERTS, encoding="utf-8") as f:
        alerts = yaml.safe_load(f)
    doc = {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": {
            "name": "duraudit",
            "namespace": "duraudit",
            "labels": {"app.kubernetes.io/name": "duraudit"},
        },
        "spec": {"groups": alerts["groups"]},
    }
    return HEADER + yaml.dump(doc, Dumper=Dumper, sort_keys=False, width=100, allow_unicode=True)


def main():
    text = render()
    if sys.argv[1:] == ["--check"]:
        try:
            with open(OUT, encoding="utf-8") as f:
                current = f.read()
        except OSError as e:
            print(f"{OUT}: {e}", file=sys.stderr)
            return 1
        if current != text:
            print(f"{os.path.relpath(OUT, ROOT)} is out of date with dashboards/alerts.yml: "
                  "run scripts/gen_prometheusrule.py", file=sys.stderr)
            return 1
        return 0
    if sys.argv[1:]:
        print(__doc__, file=sys.stderr)
        return 2
    with open(OUT, "w", encoding="utf-8") as f:
        f.write(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
