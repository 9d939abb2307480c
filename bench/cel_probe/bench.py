"""Speed of the three CEL libraries on spendgate's workload (corpus.py).

Each figure: median (min–max) of 5 runs; a run is N operations, N = 10,000 for the two native
libraries and smaller for cel-python (stated per row). Contexts are 97 distinct dicts, built
before timing and cycled, so no library sees the same data twice in a row.

python bench.py            # writes bench_results.json and prints a markdown table
"""

from __future__ import annotations

import datetime as dt
import gc
import json
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import cel as rcel  # common-expression-language
import celpy  # cel-python
from cel_expr_python import cel as gcel  # cel-expr-python
from corpus import RULES, count_leaves, make_context

HERE = Path(__file__).parent
CTXS = [make_context(i) for i in range(97)]
SRCS = [s for _, s in RULES]
NR = len(RULES)
LIST_SRC = "[" + ", ".join(f"({s})" for s in SRCS) + "]"
MAP_SRC = "{" + ", ".join(f'"{rid}": ({s})' for rid, s in RULES) + "}"
ROOTS = ["request", "vendor", "ai", "org", "budget", "requester"]

results: dict[str, dict[str, float | int | str]] = {}


def timeit(label: str, fn: Callable[[int], None], n: int, per: int = 1, note: str = "") -> float:
    """fn(n) performs n operations; returns median µs per (operation / per)."""
    fn(max(1, n // 20))  # warm-up
    runs = []
    for _ in range(5):
        gc.collect()
        t = time.perf_counter()
        fn(n)
        runs.append((time.perf_counter() - t) * 1e6 / n / per)
    med = statistics.median(runs)
    results[label] = {
        "median_us": round(med, 3),
        "min_us": round(min(runs), 3),
        "max_us": round(max(runs), 3),
        "n": n,
        "note": note,
    }
    print(f"{label:75} {med:10.2f} µs  ({min(runs):.2f}–{max(runs):.2f}, n={n}) {note}", flush=True)
    return med


def bloated(ctx: dict[str, object]) -> dict[str, object]:
    """The same context plus the unread fields whole documents carry (texts, KPIs, notes...)."""
    out = json.loads(json.dumps({k: v for k, v in ctx.items() if k != "now"}))
    out["now"] = ctx["now"]
    req, ven, ai = out["request"], out["vendor"], out["ai"]
    req["benefits"] = {
        "roi": 64,
        "kpis": [f"KPI number {j} with a sentence of text" * 2 for j in range(4)],
    }
    req["submitted"], req["needed_by"], req["cost_centre"] = "2026-10-26", "2027-03-01", "cr"
    for j, it in enumerate(req["line_items"]):
        it["description"] = f"Line item {j}: a description of what is bought, of 80 characters."
        it["price_per"], it["billing"] = "year", "annual"
    ven["legal_name"], ven["strategic"] = "Quantis Analytics GmbH", False
    ven["data"]["sub_processors"] = [
        f"Sub-processor {j} Ltd (hosting, region {j})" for j in range(3)
    ]
    ven["esg"]["modern_slavery_statement"] = {"url": "https://example.invalid/msa", "year": 2026}
    ai["use_case"] = "Clause extraction and deviation flagging. " * 5
    ai["eu_ai_act"]["rationale"] = "Contract review is not listed in Annex III. " * 10
    for s in ai["stakeholders"]:
        s["note"] = "A note of about one line of text from the stakeholder." * 2
    ai["pilot"] = {"planned": True, "weeks": 8, "success_criteria": ["c1 " * 10, "c2 " * 10]}
    return out


BLOATED = [bloated(c) for c in CTXS]


# --------------------------------------------------------------------------- cel-expr-python
def bench_google() -> None:
    name = f"cel-expr-python {gcel.__name__ and '0.1.3'}"
    env = gcel.NewEnv(variables=dict.fromkeys(ROOTS, gcel.Type.DYN) | {"now": gcel.Type.TIMESTAMP})
    N = 10_000
    ERROR = gcel.Type.ERROR

    def compile_all(n: int) -> None:
        for _ in range(n // NR):
            for s in SRCS:
                env.compile(s)

    timeit(f"{name} | a. compile, per expression", compile_all, 43 * 50)
    timeit(
        f"{name} | a. compile combined list program (43 rules)",
        lambda n: [env.compile(LIST_SRC) for _ in range(n)],
        200,
    )
    progs = [env.compile(s) for s in SRCS]
    lst = env.compile(LIST_SRC)
    mp = env.compile(MAP_SRC)

    timeit(
        f"{name} | b. env.Activation(ctx)",
        lambda n: [env.Activation(CTXS[i % 97]) for i in range(n)],
        N,
    )
    timeit(
        f"{name} | b. env.Activation(ctx, arena)",
        lambda n: [env.Activation(CTXS[i % 97], arena=gcel.Arena()) for i in range(n)],
        N,
    )
    acts = [env.Activation(c) for c in CTXS]

    def per_cond(n: int) -> None:
        for i in range(n // NR):
            a = acts[i % 97]
            for p in progs:
                p.eval(a).value()

    timeit(
        f"{name} | c. one condition, prepared activation, .value()",
        per_cond,
        N * 4,
        note="mean over the 43 rules",
    )

    def naive(n: int) -> None:
        for i in range(n):
            c = CTXS[i % 97]
            for p in progs:
                p.eval(data=c).value()

    def reuse(n: int) -> None:
        for i in range(n):
            a = env.Activation(CTXS[i % 97])
            for p in progs:
                r = p.eval(a)
                if r.type() == ERROR:
                    raise RuntimeError(r.value())
                r.value()

    def combined_list(n: int) -> None:
        for i in range(n):
            r = lst.eval(data=CTXS[i % 97])
            if r.type() == ERROR:
                raise RuntimeError(r.value())
            r.plain_value()

    def combined_list_act(n: int) -> None:
        for i in range(n):
            r = lst.eval(env.Activation(CTXS[i % 97]))
            r.plain_value()

    def combined_list_noconv(n: int) -> None:
        for i in range(n):
            lst.eval(data=CTXS[i % 97])

    def combined_map(n: int) -> None:
        for i in range(n):
            mp.eval(data=CTXS[i % 97]).plain_value()

    def combined_list_bloated(n: int) -> None:
        for i in range(n):
            lst.eval(data=BLOATED[i % 97]).plain_value()

    timeit(f"{name} | d. naive: 43 × expr.eval(data=dict)", naive, N // 10)
    timeit(f"{name} | d. one Activation per request, 43 × expr.eval(act)", reuse, N // 10)
    timeit(f"{name} | d. ONE list program, eval(data=dict) + plain_value()", combined_list, N)
    timeit(f"{name} | d. ONE list program, eval(Activation) + plain_value()", combined_list_act, N)
    timeit(
        f"{name} | d. ONE list program, eval only (no result conversion)", combined_list_noconv, N
    )
    timeit(f"{name} | d. ONE map program {{id: cond}}, + plain_value()", combined_map, N)
    timeit(
        f"{name} | d. ONE list program, context with unread text fields",
        combined_list_bloated,
        N,
        note=f"{count_leaves(BLOATED[0])} leaves",
    )


# ---------------------------------------------------------- common-expression-language
def bench_rust() -> None:
    name = "common-expression-language 0.10.0"
    N = 10_000

    def compile_all(n: int) -> None:
        for _ in range(n // NR):
            for s in SRCS:
                rcel.compile(s)

    timeit(f"{name} | a. compile, per expression", compile_all, 43 * 50)
    timeit(
        f"{name} | a. compile combined list program (43 rules)",
        lambda n: [rcel.compile(LIST_SRC) for _ in range(n)],
        200,
    )
    progs = [rcel.compile(s) for s in SRCS]
    lst = rcel.compile(LIST_SRC)
    mp = rcel.compile(MAP_SRC)
    timeit(
        f"{name} | b. cel.Context(variables=ctx)",
        lambda n: [rcel.Context(variables=CTXS[i % 97]) for i in range(n)],
        N,
    )
    ctxs = [rcel.Context(variables=c) for c in CTXS]

    def per_cond(n: int) -> None:
        for i in range(n // NR):
            c = ctxs[i % 97]
            for p in progs:
                p.execute(c)

    timeit(
        f"{name} | c. one condition, prepared Context",
        per_cond,
        N // 2,
        note="mean over the 43 rules",
    )

    def naive(n: int) -> None:
        for i in range(n):
            c = CTXS[i % 97]
            for p in progs:
                p.execute(c)

    def reuse(n: int) -> None:
        for i in range(n):
            c = rcel.Context(variables=CTXS[i % 97])
            for p in progs:
                p.execute(c)

    timeit(f"{name} | d. naive: 43 × program.execute(dict)", naive, N // 50)
    timeit(f"{name} | d. one Context per request, 43 × program.execute(ctx)", reuse, N // 50)
    timeit(
        f"{name} | d. ONE list program, execute(dict)",
        lambda n: [lst.execute(CTXS[i % 97]) for i in range(n)],
        N,
    )
    timeit(
        f"{name} | d. ONE map program, execute(dict)",
        lambda n: [mp.execute(CTXS[i % 97]) for i in range(n)],
        N,
    )
    timeit(
        f"{name} | d. ONE list program, context with unread text fields",
        lambda n: [lst.execute(BLOATED[i % 97]) for i in range(n)],
        N,
    )


# --------------------------------------------------------------------------- cel-python
def to_celpy(ctx: dict[str, object]) -> dict[str, object]:
    return {k: celpy.json_to_cel(v) for k, v in ctx.items()}


def bench_celpy() -> None:
    name = "cel-python 0.5.0"
    env = celpy.Environment()

    def compile_all(n: int) -> None:
        for _ in range(n // NR):
            for s in SRCS:
                env.program(env.compile(s))

    timeit(f"{name} | a. compile (parse + program), per expression", compile_all, 43 * 2)
    progs = [env.program(env.compile(s)) for s in SRCS]
    lst = env.program(env.compile(LIST_SRC))
    timeit(
        f"{name} | b. json_to_cel(ctx) activation",
        lambda n: [to_celpy(CTXS[i % 97]) for i in range(n)],
        1000,
    )
    acts = [to_celpy(c) for c in CTXS]

    def per_cond(n: int) -> None:
        for i in range(n // NR):
            a = acts[i % 97]
            for p in progs:
                p.evaluate(a)

    timeit(
        f"{name} | c. one condition, prepared activation",
        per_cond,
        43 * 20,
        note="mean over the 43 rules",
    )

    def reuse(n: int) -> None:
        for i in range(n):
            a = to_celpy(CTXS[i % 97])
            for p in progs:
                p.evaluate(a)

    timeit(f"{name} | d. one activation per request, 43 × evaluate", reuse, 20)
    timeit(
        f"{name} | d. ONE list program",
        lambda n: [lst.evaluate(to_celpy(CTXS[i % 97])) for i in range(n)],
        20,
    )


if __name__ == "__main__":
    print(
        f"{NR} rules; context {count_leaves(CTXS[0])} leaves; "
        f"python {sys.version.split()[0]}; {dt.datetime.now():%Y-%m-%d %H:%M}"
    )
    which = sys.argv[1:] or ["google", "rust", "celpy"]
    if "google" in which:
        bench_google()
    if "rust" in which:
        bench_rust()
    if "celpy" in which:
        bench_celpy()
    out = HERE / "bench_results.json"
    old = json.loads(out.read_text()) if out.exists() else {}
    old.update(results)
    out.write_text(json.dumps(old, indent=1, ensure_ascii=False) + "\n")
