"""Extract the field paths a CEL expression reads, with source positions.

cel-expr-python: `Expression.serialize()` returns a `google.protobuf.Any` holding a
`cel.expr.CheckedExpr` (cel-spec `checked.proto` / `syntax.proto`). We decode it with a
~60-line protobuf wire reader (no generated code, no protobuf dependency), walk the `Expr`
tree, and resolve comprehension variables, so `request.line_items.exists(i, i.category == "x")`
yields `request.line_items[].category`.

common-expression-language: `Program.variables()` gives only the top-level names.
cel-python: the lark parse tree can be walked too (shown at the bottom, for comparison).

python fieldpaths.py
"""

from __future__ import annotations

import struct
from dataclasses import dataclass, field

# --- minimal protobuf wire-format reader ------------------------------------------------------


def _varint(b: bytes, i: int) -> tuple[int, int]:
    shift = result = 0
    while True:
        byte = b[i]
        i += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, i
        shift += 7


def fields(b: bytes) -> list[tuple[int, object]]:
    """Decode one message into [(field_number, value)]; length-delimited values stay bytes."""
    out: list[tuple[int, object]] = []
    i, n = 0, len(b)
    while i < n:
        key, i = _varint(b, i)
        num, wt = key >> 3, key & 7
        if wt == 0:
            v, i = _varint(b, i)
        elif wt == 1:
            v = struct.unpack_from("<d", b, i)[0]
            i += 8
        elif wt == 2:
            ln, i = _varint(b, i)
            v = b[i : i + ln]
            i += ln
        elif wt == 5:
            v = struct.unpack_from("<f", b, i)[0]
            i += 4
        else:
            raise ValueError(f"unsupported wire type {wt}")
        out.append((num, v))
    return out


def first(b: bytes, num: int) -> object | None:
    for n, v in fields(b):
        if n == num:
            return v
    return None


# --- CheckedExpr walk ---------------------------------------------------------------------------


@dataclass
class FieldRef:
    path: str  # e.g. "vendor.esg.ecovadis.score" or "request.line_items[].category"
    offset: int  # code-point offset of the node in the source
    line: int
    column: int
    presence_test: bool = False  # inside has(...)


@dataclass
class Analysis:
    variables: set[str] = field(default_factory=set)
    functions: set[str] = field(default_factory=set)
    refs: list[FieldRef] = field(default_factory=list)


def analyse(serialized: bytes) -> Analysis:
    """Analyse `cel_expr_python` `Expression.serialize()` output (checked or parse-only)."""
    type_url, checked = first(serialized, 1), first(serialized, 2)  # Any.type_url, Any.value
    assert isinstance(checked, bytes) and isinstance(type_url, bytes)
    if type_url.endswith(b"ParsedExpr"):  # compile(..., disable_check=True)
        expr, info = first(checked, 2), first(checked, 3) or b""
    else:  # cel.expr.CheckedExpr
        expr, info = first(checked, 4), first(checked, 5) or b""
    assert isinstance(expr, bytes) and isinstance(info, bytes)
    line_offsets: list[int] = []
    positions: dict[int, int] = {}
    for n, v in fields(info):
        if n == 3:  # repeated int32 line_offsets (packed or not)
            if isinstance(v, bytes):
                j = 0
                while j < len(v):
                    x, j = _varint(v, j)
                    line_offsets.append(x)
            else:
                line_offsets.append(int(v))  # type: ignore[call-overload]
        elif n == 4:  # map<int64, int32> positions
            assert isinstance(v, bytes)
            kv = dict(fields(v))
            positions[int(kv.get(1, 0))] = int(kv.get(2, 0))  # type: ignore[call-overload]

    def line_col(off: int) -> tuple[int, int]:
        line, start = 1, 0
        for lo in line_offsets:
            if lo <= off:
                line, start = line + 1, lo
        return line, off - start + 1

    out = Analysis()

    def path_of(e: bytes, scope: dict[str, str]) -> str | None:
        """The dotted path of an ident/select chain, or None if it is not one."""
        kind = {n: v for n, v in fields(e) if n in (4, 5)}
        if 4 in kind:
            name = first(kind[4], 1)  # type: ignore[arg-type]
            assert isinstance(name, bytes)
            s = name.decode()
            return scope.get(s, s)
        if 5 in kind:
            sel = kind[5]
            assert isinstance(sel, bytes)
            operand, fname = first(sel, 1), first(sel, 2)
            assert isinstance(operand, bytes) and isinstance(fname, bytes)
            base = path_of(operand, scope)
            return None if base is None else f"{base}.{fname.decode()}"
        return None

    def walk(e: bytes, scope: dict[str, str]) -> None:
        fs = fields(e)
        eid = next((int(v) for n, v in fs if n == 2), 0)  # type: ignore[call-overload]
        for n, v in fs:
            assert n == 2 or isinstance(v, bytes)
            if n == 4:  # ident
                name = first(v, 1).decode()  # type: ignore[arg-type,union-attr]
                if name not in scope and not name.startswith("@"):
                    out.variables.add(name)
                    off = positions.get(eid, 0)
                    out.refs.append(FieldRef(name, off, *line_col(off)))
            elif n == 5:  # select
                p = path_of(e, scope)
                test_only = bool(first(v, 3))  # type: ignore[arg-type]
                if p is not None and not p.startswith("@"):
                    root = p.split(".")[0].split("[")[0]
                    if root not in scope:
                        out.variables.add(root)
                    off = positions.get(eid, 0)
                    out.refs.append(FieldRef(p, off, *line_col(off), test_only))
                else:
                    walk(first(v, 1), scope)  # type: ignore[arg-type]
            elif n == 6:  # call
                for cn, cv in fields(v):  # type: ignore[arg-type]
                    if cn == 2:
                        out.functions.add(cv.decode())  # type: ignore[union-attr]
                    elif cn in (1, 3):
                        walk(cv, scope)  # type: ignore[arg-type]
            elif n == 7:  # list
                for cn, cv in fields(v):  # type: ignore[arg-type]
                    if cn == 1:
                        walk(cv, scope)  # type: ignore[arg-type]
            elif n == 8:  # struct / map literal
                for cn, cv in fields(v):  # type: ignore[arg-type]
                    if cn == 2:
                        for en, ev in fields(cv):  # type: ignore[arg-type]
                            if en in (3, 4):
                                walk(ev, scope)  # type: ignore[arg-type]
            elif n == 9:  # comprehension
                c = dict(fields(v))  # type: ignore[arg-type]
                rng = c[2]
                assert isinstance(rng, bytes)
                walk(rng, scope)
                rng_path = path_of(rng, scope)
                inner = dict(scope)
                iter_var = c.get(1, b"").decode()  # type: ignore[union-attr]
                inner[iter_var] = f"{rng_path}[]" if rng_path else "@elem"
                if 8 in c:
                    inner[c[8].decode()] = "@elem2"  # type: ignore[union-attr]
                inner[c.get(3, b"").decode()] = "@accu"  # type: ignore[union-attr]
                for k in (4, 5, 6, 7):
                    if k in c:
                        walk(c[k], inner)  # type: ignore[arg-type]

    walk(expr, {})
    # keep only the longest path per node chain (drop "a" and "a.b" when "a.b.c" is there)
    paths = {r.path for r in out.refs}
    out.refs = [
        r for r in out.refs if r.presence_test or not any(p.startswith(r.path + ".") for p in paths)
    ]
    return out


if __name__ == "__main__":
    from cel_expr_python import cel
    from corpus import RULES

    env = cel.NewEnv(
        variables=dict.fromkeys(
            ("request", "vendor", "ai", "org", "budget", "requester"), cel.Type.DYN
        )
        | {"now": cel.Type.TIMESTAMP}
    )
    demo = [
        (
            "multi-line",
            "has(vendor.esg.ecovadis)\n  && vendor.esg.ecovadis.score >= 45\n"
            '  && request.line_items.exists(i, i.category == "cloud_commitment")',
        ),
        *RULES,
    ]
    for rid, src in demo:
        a = analyse(env.compile(src).serialize())
        refs = ", ".join(
            f"{'has:' if r.presence_test else ''}{r.path}@{r.line}:{r.column}" for r in a.refs
        )
        print(f"{rid:8} vars={sorted(a.variables)} refs=[{refs}]")

    import time

    ser = env.compile(RULES[32][1]).serialize()
    t = time.perf_counter()
    for _ in range(1000):
        analyse(ser)
    print(f"analyse(): {(time.perf_counter() - t) * 1000:.1f} µs per expression ({RULES[32][0]})")
