"""Run the same CEL cases through all three libraries and print a markdown table.

python probe_semantics.py > probe_semantics_out.md
"""

from __future__ import annotations

import datetime as dt
import decimal

import cel as rcel  # common-expression-language (Rust)
import celpy  # cel-python (pure Python)
from cel_expr_python import cel as gcel  # cel-expr-python (Google, C++)

UTC = dt.timezone.utc
NOW = dt.datetime(2026, 11, 15, 12, tzinfo=UTC)

CASES: list[tuple[str, str, dict[str, object]]] = [
    # data conversion
    ("int var", "d.x", {"x": 7}),
    ("float var", "d.x", {"x": 7.5}),
    ("None -> null", "d.x == null", {"x": None}),
    ("tuple", "size(d.x)", {"x": (1, 2)}),
    ("int > int64", "d.x", {"x": 2**70}),
    ("Decimal", "d.x > 1.0", {"x": decimal.Decimal("1.5")}),
    ("date (nested)", "d.x", {"x": dt.date(2026, 1, 1)}),
    ("aware datetime (nested)", "d.x < timestamp('2027-01-01T00:00:00Z')", {"x": NOW}),
    ("naive datetime (nested)", "d.x", {"x": dt.datetime(2026, 1, 1)}),
    ("timedelta (nested)", "d.x > duration('1h')", {"x": dt.timedelta(hours=2)}),
    ("top-level aware datetime", "now - timestamp('2026-01-01T00:00:00Z')", {"now": NOW}),
    (
        "RFC3339 string -> timestamp()",
        "timestamp(d.x) < timestamp('2027-01-01T00:00:00Z')",
        {"x": "2026-10-27T00:00:00Z"},
    ),
    ("bare date string -> timestamp()", "timestamp(d.x)", {"x": "2026-10-27"}),
    (
        "duration arithmetic",
        "now - timestamp(d.x) > duration('2160h')",
        {"x": "2026-01-01T00:00:00Z", "now": NOW},
    ),
    # missing fields
    ("missing key", "d.y == 1", {"x": 1}),
    ("has() missing", "has(d.y)", {"x": 1}),
    ("has() present", "has(d.x)", {"x": 1}),
    ("has() on key whose value is None", "has(d.x)", {"x": None}),
    ("has() on missing parent", "has(d.y.z)", {"x": 1}),
    ("select on int", "d.x.y", {"x": 1}),
    ("unbound variable", "zz == 1", {}),
    # numbers
    ("double >= int literal", "d.x >= 50000", {"x": 60000.0}),
    ("double == int literal", "d.x == 6", {"x": 6.0}),
    ("double + int", "d.x + 1", {"x": 6.0}),
    ("int * double", "d.x * 2.0", {"x": 6}),
    ("int / 0", "d.x / 0", {"x": 6}),
    ("double / 0.0", "d.x / 0.0", {"x": 6.0}),
    ("int % 0", "d.x % 0", {"x": 6}),
    ("int overflow", "9223372036854775807 + d.x", {"x": 1}),
    ("int(1e30)", "int(d.x)", {"x": 1e30}),
    ("index out of range", "d.l[5]", {"l": [1]}),
    # error absorption
    ("error || true", "d.x > 1 || true", {"x": "s"}),
    ("error && false", "d.x > 1 && false", {"x": "s"}),
    ("[error, true]", "[d.x > 1, true]", {"x": "s"}),
    ("bad regex", "d.x.matches('[')", {"x": "a"}),
    ("string * int", "d.x * 2", {"x": "a"}),
]


def show(v: object) -> str:
    s = repr(v)
    return (s[:70] + "…") if len(s) > 70 else s


def run_google(src: str, data: dict[str, object]) -> str:
    env = gcel.NewEnv(variables={"d": gcel.Type.DYN, "now": gcel.Type.TIMESTAMP})
    try:
        expr = env.compile(src)
    except Exception as ex:
        return f"compile {type(ex).__name__}: {str(ex).splitlines()[0][:90]}"
    try:
        r = expr.eval(data=data)
    except Exception as ex:
        return f"raises {type(ex).__name__}: {show(str(ex))}"
    if r.type() == gcel.Type.ERROR:
        return f"error value: {show(r.value())}"
    return f"{r.type().name()} {show(r.value())}"


def run_rust(src: str, data: dict[str, object]) -> str:
    try:
        p = rcel.compile(src)
    except Exception as ex:
        return f"compile {type(ex).__name__}: {str(ex).splitlines()[0][:90]}"
    try:
        return show(p.execute(data))
    except Exception as ex:
        return f"raises {type(ex).__name__}: {show(str(ex))}"


def to_celpy(v: object) -> object:
    """celpy's own converter: JSON-like values plus datetime/timedelta."""
    return celpy.json_to_cel(v)


def run_celpy(src: str, data: dict[str, object]) -> str:
    env = celpy.Environment()
    try:
        prg = env.program(env.compile(src))
    except Exception as ex:
        return f"compile {type(ex).__name__}: {str(ex).splitlines()[0][:90]}"
    try:
        act = {k: to_celpy(v) for k, v in data.items()}
    except Exception as ex:
        return f"json_to_cel raises {type(ex).__name__}: {show(str(ex))}"
    try:
        r = prg.evaluate(act)
    except Exception as ex:
        return f"raises {type(ex).__name__}: {show(str(ex))}"
    return f"{type(r).__name__} {show(r)}"


def main() -> None:
    print(
        "| case | expression | cel-expr-python 0.1.3 | common-expression-language 0.10.0 |"
        " cel-python 0.5.0 |"
    )
    print("|---|---|---|---|---|")
    for label, src, raw in CASES:
        data: dict[str, object] = {"d": {k: v for k, v in raw.items() if k != "now"}}
        if "now" in raw:
            data["now"] = raw["now"]
        cells = [run_google(src, data), run_rust(src, data), run_celpy(src, data)]
        cells = [c.replace("|", "\\|").replace("\n", " ") for c in cells]
        print(f"| {label} | `{src}` | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()
