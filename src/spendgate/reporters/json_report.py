"""What every JSON output of spendgate shares: how a document is written, and how its schema is
assembled from the result types (`decisions.json_schema`) around the command's own envelope.

A document is an object holding `spendgate_version` and the command's data, written with sorted
keys and two-space indents, so that the same inputs print the same bytes. Every string is valid
Unicode (`escaping.json_safe`: a byte of a file name that is not UTF-8 is U+FFFD).
"""

from __future__ import annotations

from typing import Any

import orjson

from spendgate import __version__
from spendgate.decisions import json_schema
from spendgate.reporters.escaping import json_document, json_safe

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
TEXT: dict[str, Any] = {"type": "string"}
COUNT: dict[str, Any] = {"type": "integer", "minimum": 0}


def json_text(data: dict[str, Any]) -> str:
    """`data` with `spendgate_version` added, as JSON: keys sorted, indented, one final newline."""
    document = {"spendgate_version": __version__, **data}
    # orjson writes exactly what json.dumps(indent=2, sort_keys=True, ensure_ascii=False) writes,
    # ten times faster: the standard encoder runs in pure Python whenever it indents.
    options = orjson.OPT_INDENT_2 | orjson.OPT_SORT_KEYS
    try:
        serialised = orjson.dumps(document, option=options).decode()
    except orjson.JSONEncodeError:  # a string that is not valid Unicode (a file name's bytes)
        serialised = orjson.dumps(json_safe(document), option=options).decode()
    return json_document(serialised) + "\n"


def definitions(*shapes: tuple[str, type[Any]]) -> dict[str, Any]:
    """The schemas of the named result types and of every type they hold, by name."""
    found: dict[str, Any] = {}
    for name, shape in shapes:
        schema = json_schema(shape)
        found.update(schema.pop("$defs", {}))
        found[name] = schema
    return found


def closed(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema` with every object that lists its properties refusing any other (the outputs
    write exactly the fields of their types), at any depth."""
    if isinstance(schema.get("properties"), dict):
        schema.setdefault("additionalProperties", False)
    for value in schema.values():
        if isinstance(value, dict):
            closed(value)
        elif isinstance(value, list):
            for item in value:
                if isinstance(item, dict):
                    closed(item)
    return schema


def output_schema(
    name: str,
    *,
    title: str,
    description: str,
    properties: dict[str, Any],
    defs: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The schema of one command's JSON output, published as `schemas/{name}.schema.json`:
    an object holding `spendgate_version` and exactly `properties`, all of them required."""
    schema: dict[str, Any] = {
        "$schema": SCHEMA_DIALECT,
        "$id": f"{name}.schema.json",
        "title": title,
        "description": description,
        "type": "object",
        "additionalProperties": False,
        "required": ["spendgate_version", *properties],
        "properties": {
            "spendgate_version": {**TEXT, "description": "The spendgate that wrote this."},
            **properties,
        },
    }
    if defs:
        schema["$defs"] = dict(sorted(defs.items()))
    return closed(schema)


def nullable(schema: dict[str, Any]) -> dict[str, Any]:
    """`schema`, or null."""
    return {"anyOf": [schema, {"type": "null"}]}


def listed(schema: dict[str, Any]) -> dict[str, Any]:
    """An array of `schema`."""
    return {"type": "array", "items": schema}


def ref(name: str) -> dict[str, Any]:
    """A reference to the definition `name` of the same schema."""
    return {"$ref": f"#/$defs/{name}"}
