"""The recommended usage of cel-expr-python, as one runnable sketch (python recommended.py)."""

from __future__ import annotations

import datetime as dt
import re

from cel_expr_python import cel
from corpus import RULES, make_context
from fieldpaths import analyse

ROOTS = ["request", "vendor", "ai", "org", "budget", "requester"]

# 1. One runtime environment: every root is DYN (a plain dict at run time), `now` a timestamp.
ENV = cel.NewEnv(variables=dict.fromkeys(ROOTS, cel.Type.DYN) | {"now": cel.Type.TIMESTAMP})

_POS = re.compile(r"ERROR: <input>:(-?\d+):(-?\d+): ([^\n]*)")


def compile_condition(src: str) -> cel.Expression:
    """Compile one condition; raise ValueError listing (line, column, message) for each error."""
    try:
        return ENV.compile(src)
    except RuntimeError as ex:  # cel-expr-python raises plain RuntimeError for compile errors
        errors = [(int(ln), int(col), msg) for ln, col, msg in _POS.findall(str(ex))]
        raise ValueError(errors or [(0, 0, str(ex))]) from None


# 2. Lint: every condition alone (precise error positions) + the field paths it reads.
singles = {rid: compile_condition(src) for rid, src in RULES}
reads = {rid: sorted({r.path for r in analyse(e.serialize()).refs}) for rid, e in singles.items()}

# 3. One combined program per policy (here: the whole library); element k = condition k.
ids = [rid for rid, _ in RULES]
combined = compile_condition("[" + ", ".join(f"({src})" for _, src in RULES) + "]")


def evaluate(ctx: dict[str, object]) -> dict[str, bool | str]:
    """All conditions for one request. An error in one condition makes the whole list an error
    value, so only then fall back to evaluating the conditions one by one."""
    act = ENV.Activation(ctx)  # lazy: converts what is read, caches it for later programs
    res = combined.eval(act)
    if res.type() != cel.Type.ERROR:
        return dict(zip(ids, res.plain_value(), strict=True))
    out: dict[str, bool | str] = {}
    for rid, expr in singles.items():
        r = expr.eval(act)
        out[rid] = f"error: {r.value()}" if r.type() == cel.Type.ERROR else r.value()
    return out


if __name__ == "__main__":
    print(compile_condition("request.total_base >= 50000.0").return_type().name())
    try:
        compile_condition("foo > 1 &&\n  request.total_base >=")
    except ValueError as ex:
        print("compile errors:", ex.args[0])
    print("reads of CL-020:", reads["CL-020"])
    ctx = make_context(3)
    assert isinstance(ctx["now"], dt.datetime) and ctx["now"].tzinfo is not None  # aware UTC
    print(dict(list(evaluate(ctx).items())[:5]))
    del ctx["budget"]["remaining"]  # type: ignore[attr-defined]
    print({k: v for k, v in evaluate(ctx).items() if k.startswith("BU")})
