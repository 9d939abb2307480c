"""Follow-up measurements for the evaluation design (same harness as bench.py).

python bench_extra.py   # appends to bench_results.json
"""

from __future__ import annotations

import json
from pathlib import Path

import bench
import cel as rcel
from bench import BLOATED, CTXS, LIST_SRC, NR, ROOTS, RULES, SRCS, timeit
from cel_expr_python import cel as gcel
from fieldpaths import analyse

N = 10_000
env = gcel.NewEnv(variables=dict.fromkeys(ROOTS, gcel.Type.DYN) | {"now": gcel.Type.TIMESTAMP})
ERROR = gcel.Type.ERROR
lst = env.compile(LIST_SRC)

# ---- the paths the rules read (from the checked AST), used to prune the context
READ: set[str] = set()
for s in SRCS:
    for r in analyse(env.compile(s).serialize()).refs:
        READ.add(r.path)


def prune(obj: object, prefix: str) -> object:
    """Keep only what some rule reads: a path read whole keeps its subtree."""
    if prefix in READ or not isinstance(obj, (dict, list)):
        return obj
    if isinstance(obj, list):
        return [prune(x, prefix + "[]") for x in obj]
    out = {}
    for k, v in obj.items():
        p = f"{prefix}.{k}" if prefix else k
        if p in READ or any(r.startswith((p + ".", p + "[]")) for r in READ):
            out[k] = prune(v, p)
    return out


PRUNED = [prune(c, "") for c in BLOATED]
print("pruned leaves:", bench.count_leaves(PRUNED[0]), "of", bench.count_leaves(BLOATED[0]))
assert all(
    lst.eval(data=p).plain_value() == lst.eval(data=c).plain_value()
    for p, c in zip(PRUNED, BLOATED, strict=True)
)

G = "cel-expr-python 0.1.3"
R = "common-expression-language 0.10.0"

# 1. does an Activation cache its conversions? (same activation evaluated again and again)
act0 = env.Activation(CTXS[0])
timeit(
    f"{G} | e. ONE list program, the same Activation re-evaluated",
    lambda n: [lst.eval(act0).plain_value() for _ in range(n)],
    N,
)

# 2. pruned context (only fields that some rule reads; pruning done beforehand)
timeit(
    f"{G} | e. ONE list program, pruned context (pruning not timed)",
    lambda n: [lst.eval(data=PRUNED[i % 97]).plain_value() for i in range(n)],
    N,
)
timeit(
    f"{G} | e. prune() in Python (generic walker), per request",
    lambda n: [prune(BLOATED[i % 97], "") for i in range(n)],
    2000,
)

# 3. one combined program per policy: 8 policies (rules grouped by id prefix)
groups: dict[str, list[str]] = {}
for rid, s in RULES:
    groups.setdefault(rid.split("-")[0], []).append(s)
pol = [env.compile("[" + ", ".join(f"({s})" for s in ss) + "]") for ss in groups.values()]


def per_policy(n: int) -> None:
    for i in range(n):
        a = env.Activation(CTXS[i % 97])
        for p in pol:
            r = p.eval(a)
            if r.type() == ERROR:
                raise RuntimeError(r.value())
            r.plain_value()


timeit(
    f"{G} | e. {len(pol)} per-policy list programs, one Activation",
    per_policy,
    N,
    note=f"groups {[len(g) for g in groups.values()]}",
)

# 4. error path: one rule fails (missing key) -> whole list is an error -> re-run singly
progs = [env.compile(s) for s in SRCS]
broken = [json.loads(json.dumps({k: v for k, v in c.items() if k != "now"})) for c in CTXS]
for b, c in zip(broken, CTXS, strict=True):
    b["now"] = c["now"]
    del b["budget"]["remaining"]  # BU-010 and BU-020 now raise "no such key"


def with_fallback(n: int) -> None:
    for i in range(n):
        a = env.Activation(broken[i % 97])
        r = lst.eval(a)
        if r.type() != ERROR:
            r.plain_value()
            continue
        for p in progs:  # find which rules failed, keep the others' results
            v = p.eval(a)
            v.value() if v.type() != ERROR else None


timeit(f"{G} | e. error path: list program errors, then 43 single evals", with_fallback, 2000)

# 5. common-expression-language: where does Context time go?
timeit(
    f"{R} | e. cel.Context(variables=pruned ctx)",
    lambda n: [rcel.Context(variables=PRUNED[i % 97]) for i in range(n)],
    N,
)
timeit(
    f"{R} | e. ONE list program, execute(pruned dict)",
    lambda n: [lst_r.execute(PRUNED[i % 97]) for i in range(n)],
    N,
) if (lst_r := rcel.compile(LIST_SRC)) else None
rctx = [rcel.Context(variables=c) for c in CTXS]
timeit(
    f"{R} | e. ONE list program, execute(prepared Context)",
    lambda n: [lst_r.execute(rctx[i % 97]) for i in range(n)],
    N,
)
only_org = [{"org": c["org"]} for c in CTXS]
timeit(
    f"{R} | e. cel.Context(variables={{'org': ...}}) (11 leaves)",
    lambda n: [rcel.Context(variables=only_org[i % 97]) for i in range(n)],
    N,
)
timeit(f"{R} | e. cel.Context() empty", lambda n: [rcel.Context() for _ in range(n)], N)

out = Path(__file__).parent / "bench_results.json"
old = json.loads(out.read_text()) if out.exists() else {}
old.update(bench.results)
out.write_text(json.dumps(old, indent=1, ensure_ascii=False) + "\n")
print(NR, "rules")
