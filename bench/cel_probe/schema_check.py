"""Compile-time field/type checking with cel-expr-python against a schema built at run time.

CEL checks field names only on protobuf message types. We build a `FileDescriptorProto` on the
fly (no .proto files, no protoc) from a type description; here it is inferred from a sample
context, in spendgate it would come from the pydantic models / schemas/*.schema.json. The typed
environment is used ONLY to check policies (lint time); evaluation uses a DYN environment and
plain dicts, because a typed program refuses a dict (`Unexpected value type ... Expected sg.X`).

Needs `protobuf` (cel-expr-python's .pyi imports it but does not declare it).

python schema_check.py
"""

from __future__ import annotations

import time

from cel_expr_python import cel
from corpus import RULES, make_context
from google.protobuf import descriptor_pb2, descriptor_pool

F = descriptor_pb2.FieldDescriptorProto


def build_pool(sample: dict[str, object]) -> tuple[descriptor_pool.DescriptorPool, dict[str, str]]:
    fdp = descriptor_pb2.FileDescriptorProto(name="sg_ctx.proto", package="sg", syntax="proto3")

    def message(name: str, obj: dict[str, object]) -> str:
        m = fdp.message_type.add(name=name)
        for num, (k, v) in enumerate(obj.items(), start=1):
            label = F.LABEL_OPTIONAL
            if isinstance(v, list):
                label, v = F.LABEL_REPEATED, (v[0] if v else "")
            if isinstance(v, dict):
                sub = message(name + "_" + k.title().replace("_", ""), v)
                m.field.add(
                    name=k, number=num, label=label, type=F.TYPE_MESSAGE, type_name=f".sg.{sub}"
                )
                continue
            t = {bool: F.TYPE_BOOL, int: F.TYPE_INT64, float: F.TYPE_DOUBLE}.get(
                type(v), F.TYPE_STRING
            )
            m.field.add(name=k, number=num, label=label, type=t)
        return name

    roots = {k: message(k.title(), v) for k, v in sample.items() if isinstance(v, dict)}
    pool = descriptor_pool.DescriptorPool()
    pool.Add(fdp)
    return pool, roots


sample = make_context(1)
sample["vendor"]["security"]["soc2_type2"] = {"period_end": ""}  # type: ignore[index]
pool, roots = build_pool(sample)
typed = cel.NewEnv(
    pool, variables={k: cel.Type(f"sg.{m}") for k, m in roots.items()} | {"now": cel.Type.TIMESTAMP}
)

ok = 0
t = time.perf_counter()
for rid, src in RULES:
    try:
        typed.compile(src)
        ok += 1
    except RuntimeError as ex:
        print(f"{rid}: {str(ex).splitlines()[0]}")
dt_us = (time.perf_counter() - t) * 1e6 / len(RULES)
print(f"{ok}/{len(RULES)} rules type-check against the schema; {dt_us:.0f} µs per expression")

for src in [
    "request.totl >= 50000.0",
    'request.line_items.exists(i, i.categry == "cloud_commitment")',
    "has(vendor.esg.ecovadis) &&\n  vendor.esg.ecovadis.scor >= 45",
    "request.total_base >= 50000",
    "vendor.sanctions.status == 1",
    "now - vendor.sanctions.screened_on > duration('24h')",
    "ai.eu_ai_act.risk_tier == 'high' ? 1 : 'x'",
]:
    try:
        e = typed.compile(src)
        print(f"OK   {src!r} -> {e.return_type().name()}")
    except RuntimeError as ex:
        msg = str(ex).split("\n")
        print(
            f"FAIL {src!r}\n     {msg[0]}\n     {msg[1] if len(msg) > 1 else ''}\n"
            f"     {msg[2] if len(msg) > 2 else ''}"
        )
