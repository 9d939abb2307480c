"""Parse every CEL string in the work-in-progress /work/main/policies/*.yaml (keys `when`,
`assert`, `unless`, `condition`) with cel-expr-python (parse only: disable_check=True) and report
the roots they read. A snapshot check: the policies were being written while this probe ran."""

from __future__ import annotations

import sys
from pathlib import Path

import yaml
from cel_expr_python import cel
from fieldpaths import analyse

KEYS = {"when", "assert", "unless", "condition"}
env = cel.NewEnv()
found: list[tuple[str, str, str]] = []


def walk(node: object, where: str) -> None:
    if isinstance(node, dict):
        for k, v in node.items():
            if k in KEYS and isinstance(v, str):
                found.append((where, k, v))
            walk(v, f"{where}/{node.get('id', k)}" if isinstance(node.get("id"), str) else where)
    elif isinstance(node, list):
        for x in node:
            walk(x, where)


for p in sorted(Path(sys.argv[1] if len(sys.argv) > 1 else "/work/main/policies").glob("*.yaml")):
    for doc in yaml.safe_load_all(p.read_text()):
        walk(doc, p.name)

roots: set[str] = set()
bad = 0
for where, key, src in found:
    try:
        e = env.compile(src, disable_check=True)
        roots |= analyse(e.serialize()).variables
    except RuntimeError as ex:
        bad += 1
        print(f"PARSE ERROR {where} {key}: {src!r}\n    {str(ex).splitlines()[0]}")
print(f"{len(found)} expressions, {bad} parse errors; roots read: {sorted(roots)}")
