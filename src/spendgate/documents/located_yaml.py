"""A safe YAML 1.2 loader that remembers where every value came from.

libyaml (through PyYAML's C parser) turns the text into events; this module builds plain Python
values from them with an explicit stack, so nesting depth never reaches Python's recursion limit.
On the way it applies the YAML 1.2 core schema (`NO`, `on` and `yes` stay strings; `010` is 10;
dates stay strings for the models to validate), refuses every tag that would construct an
object, rejects duplicate keys, bounds nesting depth and alias expansion, and records the line
and column of every key and value by its YAML path.

It costs several times more than the fast loader, so spendgate uses it for files the fast
loader must not see (tags, anchors, deep flow nesting) and to locate the errors of a document
that failed validation.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

Path = tuple[str | int, ...]
Position = tuple[int, int]  # 1-based line and column

MAX_DEPTH = 64
MAX_EXPANDED_NODES = 200_000

_CORE_TAGS = {
    "tag:yaml.org,2002:str",
    "tag:yaml.org,2002:int",
    "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:bool",
    "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
    "!",
}
_NULL = re.compile(r"~|null|Null|NULL|")
_TRUE = re.compile(r"true|True|TRUE")
_FALSE = re.compile(r"false|False|FALSE")
_INT10 = re.compile(r"[-+]?[0-9]+")
_INT8 = re.compile(r"0o[0-7]+")
_INT16 = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN = re.compile(r"\.(nan|NaN|NAN)")


class YamlProblem(Exception):
    """The text is not acceptable YAML; carries a 1-based position and the YAML path so far."""

    def __init__(
        self, message: str, line: int, column: int, path: Path = (), *, code: str = "yaml-syntax"
    ) -> None:
        super().__init__(message)
        self.message = message
        self.code = code
        self.line = line
        self.column = column
        self.path = path


@dataclass
class LocatedDocument:
    """One document of a YAML stream: its value and where each part of it stands."""

    value: Any
    start: Position
    values: dict[Path, Position] = field(default_factory=dict)
    keys: dict[Path, Position] = field(default_factory=dict)

    def position_of(self, path: Path) -> Position:
        """The position of the value at `path`, or of its nearest ancestor that exists."""
        for length in range(len(path), -1, -1):
            prefix = path[:length]
            if prefix in self.values:
                return self.values[prefix]
        return self.start

    def key_position_of(self, path: Path) -> Position:
        """The position of the key that introduces `path` (for unknown fields)."""
        return self.keys.get(path) or self.position_of(path)


def resolve_plain(text: str) -> Any:
    """Resolve an untagged plain scalar by the YAML 1.2 core schema."""
    if _NULL.fullmatch(text):
        return None
    if _TRUE.fullmatch(text):
        return True
    if _FALSE.fullmatch(text):
        return False
    if _INT10.fullmatch(text):
        return int(text, 10)
    if _INT8.fullmatch(text):
        return int(text[2:], 8)
    if _INT16.fullmatch(text):
        return int(text[2:], 16)
    if _FLOAT.fullmatch(text):
        return float(text)
    if _INF.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.fullmatch(text):
        return math.nan
    return text


def _position(mark: Any) -> Position:
    return (mark.line + 1, mark.column + 1)


def _tagged_scalar(tag: str, text: str, mark: Any, path: Path) -> Any:
    if tag in ("tag:yaml.org,2002:str", "!"):
        return text
    value = resolve_plain(text)
    expected: dict[str, type | tuple[type, ...]] = {
        "tag:yaml.org,2002:int": int,
        "tag:yaml.org,2002:float": (int, float),
        "tag:yaml.org,2002:bool": bool,
        "tag:yaml.org,2002:null": type(None),
    }
    if not isinstance(value, expected[tag]) or (tag.endswith("int") and isinstance(value, bool)):
        raise YamlProblem(
            f"'{text}' is not a valid {tag.rsplit(':', 1)[1]}", *_position(mark), path
        )
    if tag.endswith("float") and isinstance(value, (int, float)):
        return float(value)
    return value


@dataclass
class _Frame:
    """A mapping or sequence under construction."""

    container: dict[Any, Any] | list[Any]
    path: Path
    anchor: str | None
    size: int = 1
    pending_key: Any = None
    has_key: bool = False
    key_position: Position = (0, 0)


class _Builder:
    """Builds one document from parser events, keeping positions and enforcing the limits."""

    def __init__(self, start: Position) -> None:
        self.document = LocatedDocument(value=None, start=start)
        self.stack: list[_Frame] = []
        self.anchors: dict[str, tuple[Any, int]] = {}
        self.expanded = 0
        self.aliased = False
        self.done = False

    def child_path(self) -> Path:
        if not self.stack:
            return ()
        frame = self.stack[-1]
        if isinstance(frame.container, list):
            return frame.path + (len(frame.container),)
        if frame.has_key:
            return frame.path + (frame.pending_key,)
        return frame.path + ("<key>",)

    def check_tag(self, event: Any) -> None:
        tag = getattr(event, "tag", None)
        if tag is not None and tag not in _CORE_TAGS:
            shown = tag.replace("tag:yaml.org,2002:", "!!")
            raise YamlProblem(
                f"the YAML tag {shown} is not allowed: spendgate documents are plain data",
                *_position(event.start_mark),
                self.child_path(),
                code="yaml-tag",
            )

    def scalar(self, event: Any) -> None:
        self.check_tag(event)
        path = self.child_path()
        if event.tag is not None and event.tag != "!" and not event.implicit[0]:
            value = _tagged_scalar(event.tag, event.value, event.start_mark, path)
        elif event.style == "" or event.style is None:
            value = resolve_plain(event.value)
        else:
            value = event.value
        self.count(1, event)
        self.place(value, 1, event, event.anchor)

    def alias(self, event: Any) -> None:
        if event.anchor not in self.anchors:
            raise YamlProblem(f"unknown alias *{event.anchor}", *_position(event.start_mark))
        value, size = self.anchors[event.anchor]
        self.aliased = True
        self.count(size, event)
        self.place(value, size, event, None)

    def count(self, values: int, event: Any) -> None:
        """Count values as they would be if every alias were copied out, and bound the total."""
        self.expanded += values
        if self.expanded <= MAX_EXPANDED_NODES:
            return
        if self.aliased:
            message = f"aliases expand this document beyond {MAX_EXPANDED_NODES:,} values"
        else:
            message = f"document holds more than {MAX_EXPANDED_NODES:,} values"
        raise YamlProblem(message, *_position(event.start_mark), code="alias-limit")

    def start(self, event: Any, container: dict[Any, Any] | list[Any]) -> None:
        self.check_tag(event)
        path = self.child_path()
        if len(self.stack) >= MAX_DEPTH:
            raise YamlProblem(
                f"nesting deeper than {MAX_DEPTH} levels is not allowed",
                *_position(event.start_mark),
                path,
                code="depth-limit",
            )
        frame = _Frame(container, path, event.anchor)
        if self.stack and isinstance(self.stack[-1].container, dict) and not self.stack[-1].has_key:
            raise YamlProblem(
                "a mapping key must be a plain value, not a mapping or a list",
                *_position(event.start_mark),
                self.stack[-1].path,
            )
        self.count(1, event)
        self.document.values[path] = _position(event.start_mark)
        self.stack.append(frame)

    def end(self, event: Any) -> None:
        frame = self.stack.pop()
        self.place(frame.container, frame.size, event, frame.anchor, already_located=True)

    def place(
        self,
        value: Any,
        size: int,
        event: Any,
        anchor: str | None,
        *,
        already_located: bool = False,
    ) -> None:
        if anchor is not None:
            self.anchors[anchor] = (value, size)
        if not self.stack:
            self.document.value = value
            if not already_located:
                self.document.values[()] = _position(event.start_mark)
            self.done = True
            return
        frame = self.stack[-1]
        frame.size += size
        if isinstance(frame.container, list):
            if not already_located:
                self.document.values[frame.path + (len(frame.container),)] = _position(
                    event.start_mark
                )
            frame.container.append(value)
        elif not frame.has_key:
            self.add_key(frame, value, event)
        else:
            if not already_located:
                self.document.values[frame.path + (frame.pending_key,)] = _position(
                    event.start_mark
                )
            frame.container[frame.pending_key] = value
            frame.has_key = False

    def add_key(self, frame: _Frame, key: Any, event: Any) -> None:
        assert isinstance(frame.container, dict)
        if key in frame.container:
            first = self.document.keys.get(frame.path + (key,), (0, 0))
            raise YamlProblem(
                f"duplicate key '{key}' (first defined at line {first[0]})",
                *_position(event.start_mark),
                frame.path + (key,),
                code="duplicate-key",
            )
        frame.pending_key = key
        frame.has_key = True
        self.document.keys[frame.path + (key,)] = _position(event.start_mark)


def _documents(events: Iterator[Any]) -> Iterator[LocatedDocument]:
    builder: _Builder | None = None
    for event in events:
        if isinstance(event, yaml.DocumentStartEvent):
            builder = _Builder(_position(event.start_mark))
        elif isinstance(event, yaml.DocumentEndEvent):
            assert builder is not None
            yield builder.document
            builder = None
        elif builder is None:
            continue
        elif isinstance(event, yaml.ScalarEvent):
            builder.scalar(event)
        elif isinstance(event, yaml.AliasEvent):
            builder.alias(event)
        elif isinstance(event, yaml.MappingStartEvent):
            builder.start(event, {})
        elif isinstance(event, yaml.SequenceStartEvent):
            builder.start(event, [])
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            builder.end(event)


def _character_at(text: str, line: int, column: int) -> str:
    lines = text.split("\n", line + 1)
    if line < len(lines) and column < len(lines[line]):
        return lines[line][column]
    return ""


def _friendly(problem: str, text: str, mark: Any) -> str:
    if mark is not None and _character_at(text, mark.line, mark.column) == "\t":
        return "a tab character cannot indent YAML; use spaces"
    return problem


def load_located(text: str) -> list[LocatedDocument]:
    """Every document in `text`, with positions; raises YamlProblem at the first fault."""
    events = yaml.parse(text, Loader=yaml.CSafeLoader)
    try:
        return list(_documents(events))
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        message = _friendly(error.problem or error.context or "malformed YAML", text, mark)
        if error.context and error.problem and not message.startswith("a tab"):
            message = f"{message} ({error.context})"
        line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
        raise YamlProblem(message, line, column) from None
    except yaml.YAMLError as error:  # the reader's errors carry no mark
        raise YamlProblem(str(error), 1, 1) from None


_SIMPLE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_SHOWN_PARTS = 12


def yaml_path(path: Path) -> str:
    """`('line_items', 2, 'unit_price')` as `$.line_items[2].unit_price`; long paths elided."""
    parts = []
    for part in path[:_SHOWN_PARTS]:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif _SIMPLE_KEY.fullmatch(part):
            parts.append(f".{part}")
        else:
            parts.append("['" + part.replace("'", "\\'") + "']")
    if len(path) > _SHOWN_PARTS:
        parts.append(f"…(+{len(path) - _SHOWN_PARTS})")
    return "$" + "".join(parts)
