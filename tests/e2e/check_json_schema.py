#!/usr/bin/env python3
# SPDX-License-Identifier: GPL-2.0-only
"""Validates JSON Lines against duraudit's published output schema.

    check_json_schema.py --schema docs/schema/duraudit-output.v1.json [--strict] PATH...

PATH is a .jsonl file or a directory of them (the e2e tests keep every
line of duraudit's JSON output they read in build/e2e-json-lines). With
--strict every object the schema describes may hold only the fields it
names: a field the output gained without the schema (and docs/output.md)
saying so fails. Consumers use the schema as published, which allows
unknown fields (version 1 only grows).

Exit 0 when every line validates, 1 when one does not (each failure named
with its file, line and the path of the offending field), 2 on bad usage.
Under CI=true, finding no line at all fails too: the e2e tests did not run.
"""
import argparse
import copy
import json
import os
import sys
from pathlib import Path

try:
    import jsonschema
except ImportError:
    print("check_json_schema: python3-jsonschema is missing (scripts/setup.sh installs it)", file=sys.stderr)
    sys.exit(2)


def strict(schema):
    """A copy where every object with `properties` forbids other fields."""
    s = copy.deepcopy(schema)

    def walk(node):
        if isinstance(node, dict):
            if "properties" in node and "additionalProperties" not in node:
                node["additionalProperties"] = False
            for v in node.values():
                walk(v)
        elif isinstance(node, list):
            for v in node:
                walk(v)

    walk(s)
    return s


def files_of(paths):
    for p in map(Path, paths):
        if p.is_dir():
            yield from sorted(p.glob("*.jsonl"))
        elif p.exists():
            yield p


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--schema", required=True)
    ap.add_argument("--strict", action="store_true")
    ap.add_argument("paths", nargs="+")
    a = ap.parse_args()
    schema = json.loads(Path(a.schema).read_text())
    cls = jsonschema.validators.validator_for(schema)
    cls.check_schema(schema)
    validator = cls(strict(schema) if a.strict else schema)
    by_type = {}
    seen = set()
    failures = []
    for f in files_of(a.paths):
        with open(f, encoding="utf-8", errors="surrogateescape") as fh:
            for n, line in enumerate(fh, 1):
                line = line.rstrip("\n")
                if not line or line in seen:
                    continue
                seen.add(line)
                try:
                    obj = json.loads(line)
                except ValueError as e:
                    failures.append(f"{f}:{n}: not JSON ({e}): {line[:200]}")
                    continue
                t = obj.get("type") if isinstance(obj, dict) else None
                by_type[t] = by_type.get(t, 0) + 1
                # oneOf reports "not valid under any": validate against the
                # line's own type for an error that names the field.
                sub = {"$ref": f"#/$defs/{t}"} if t in schema.get("$defs", {}) else None
                errors = list(validator.iter_errors(obj))
                if errors and sub is not None:
                    target = dict(validator.schema)
                    target.pop("oneOf", None)
                    target.update(sub)
                    errors = list(cls(target).iter_errors(obj)) or errors
                for e in errors[:3]:
                    where = "/".join(str(x) for x in e.absolute_path) or "(line)"
                    failures.append(f"{f}:{n}: {where}: {e.message[:300]}\n    {line[:300]}")
    total = sum(by_type.values())
    counts = ", ".join(f"{k}: {v}" for k, v in sorted(by_type.items(), key=lambda kv: str(kv[0])))
    print(f"check_json_schema: {total} distinct lines ({counts or 'none'}), {len(failures)} failures")
    for fl in failures[:50]:
        print(fl)
    if failures:
        return 1
    if total == 0 and os.environ.get("CI") == "true":
        print("check_json_schema: no JSON lines to check (did the e2e tests run?)", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
