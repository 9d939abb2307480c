"""A safe YAML 1.2 loader that remembers where every value came from.

libyaml (through PyYAML's C parser) turns the text into events; this module builds plain Python
values from them with an explicit stack, so nesting depth never reaches Python's recursion limit.
On the way it applies the YAML 1.2 core schema (core_schema.py: `NO`, `on` and `yes` stay
strings; `010` is 10; `1_000` is text; dates stay strings for the models to validate), refuses
every tag that would construct an object, rejects duplicate keys and keys that are not strings,
bounds nesting depth, alias expansion and the length of numbers, refuses what libyaml accepts
but YAML 1.2 does not (yaml_syntax.py), and records the line and column of every key and value
by its YAML path. The limits are the same whichever libyaml version PyYAML brings.

It costs several times more than the fast loader, so spendgate uses it for files the fast
loader must not see (tags, anchors, deep flow nesting) and to locate the errors of a document
that failed validation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import yaml

from spendgate.documents.core_schema import (
    CORE_TAGS,
    ScalarProblem,
    collection_tag_fits,
    described,
    printable,
    resolve_plain,
    resolve_tagged,
    shown_tag,
)
from spendgate.documents.yaml_syntax import EventChecks, SyntaxFault, check_characters

__all__ = [
    "MAX_DEPTH",
    "MAX_EXPANDED_NODES",
    "LocatedDocument",
    "YamlProblem",
    "load_located",
    "resolve_plain",
    "yaml_path",
]

Path = tuple[str | int, ...]
Position = tuple[int, int]  # 1-based line and column

#: Mappings and sequences may nest this deep; libyaml itself stops at 1,000 levels (0.2.6).
MAX_DEPTH = 64
#: A document may hold this many values (keys, scalars and collections), aliases copied out.
MAX_EXPANDED_NODES = 200_000
_LIBYAML_DEPTH_LIMIT = "exceeded maximum nesting depth"


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


def _position(mark: Any) -> Position:
    return (mark.line + 1, mark.column + 1)


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
        if tag is not None and tag not in CORE_TAGS:
            raise YamlProblem(
                f"the YAML tag {printable(shown_tag(tag))} is not allowed: spendgate documents "
                "are plain data",
                *_position(event.start_mark),
                self.child_path(),
                code="yaml-tag",
            )

    def scalar(self, event: Any) -> None:
        self.check_tag(event)
        try:
            if event.tag is not None:
                value = resolve_tagged(event.tag, event.value)
            elif event.style:
                value = event.value
            else:
                value = resolve_plain(event.value)
        except ScalarProblem as problem:
            raise YamlProblem(
                problem.message, *_position(event.start_mark), self.child_path(), code=problem.code
            ) from None
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
        if self.stack and isinstance(self.stack[-1].container, dict) and not self.stack[-1].has_key:
            raise _key_problem(container, event, self.stack[-1].path)
        if not collection_tag_fits(event.tag, mapping=isinstance(container, dict)):
            shape = "a mapping" if isinstance(container, dict) else "a list"
            raise YamlProblem(
                f"the tag {printable(shown_tag(event.tag))} cannot be given to {shape}",
                *_position(event.start_mark),
                path,
                code="yaml-tag",
            )
        frame = _Frame(container, path, event.anchor)
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
        if not isinstance(key, str):
            raise _key_problem(key, event, frame.path)
        if key in frame.container:
            first = self.document.keys.get(frame.path + (key,), (0, 0))
            raise YamlProblem(
                f"duplicate key '{printable(key)}' (first defined at line {first[0]})",
                *_position(event.start_mark),
                frame.path + (key,),
                code="duplicate-key",
            )
        frame.pending_key = key
        frame.has_key = True
        self.document.keys[frame.path + (key,)] = _position(event.start_mark)


def _key_problem(key: Any, event: Any, path: Path) -> YamlProblem:
    """Keys are field names: a null, boolean, number, mapping or list key is refused, so
    that no document has two keys pydantic and the YAML path would both show as `None`."""
    return YamlProblem(
        f"keys must be strings; found {described(key)}",
        *_position(event.start_mark),
        path,
        code="key-type",
    )


def _documents(events: Iterator[Any], text: str) -> Iterator[LocatedDocument]:
    builder: _Builder | None = None
    checks = EventChecks(text)
    for event in events:
        try:
            checks.see(event)
        except SyntaxFault as fault:
            path = () if builder is None else builder.child_path()
            raise YamlProblem(fault.message, fault.line, fault.column, path) from None
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
    if not text.endswith("\n"):
        # At the end of a file without a final line break, libyaml drops the last line break
        # of a block scalar (`x: |` then `  text`); YAML 1.2 keeps it, and so does yaml-rs.
        text += "\n"
    try:
        check_characters(text)
    except SyntaxFault as fault:
        raise YamlProblem(fault.message, fault.line, fault.column) from None
    try:
        return list(_documents(yaml.parse(text, Loader=yaml.CSafeLoader), text))
    except yaml.MarkedYAMLError as error:
        raise _from_libyaml(error, text) from None
    except yaml.YAMLError as error:  # the reader's errors carry no mark
        raise YamlProblem(str(error).splitlines()[0], 1, 1) from None


def _from_libyaml(error: yaml.MarkedYAMLError, text: str) -> YamlProblem:
    mark = error.problem_mark or error.context_mark
    if mark is not None and error.problem == _LIBYAML_DEPTH_LIMIT:
        return _depth_problem(text, mark)
    message = _friendly(error.problem or error.context or "malformed YAML", text, mark)
    if error.context and error.problem and not message.startswith("a tab"):
        message = f"{message} ({error.context})"
    line, column = (mark.line + 1, mark.column + 1) if mark else (1, 1)
    return YamlProblem(message, line, column)


def _depth_problem(text: str, mark: Any) -> YamlProblem:
    """libyaml 0.2.6 stops at 1,000 levels and, reading a line ahead, can stop before the
    builder sees level MAX_DEPTH + 1. The text before its stop holds that level, so the builder
    reads just that text and reports MAX_DEPTH's problem, wherever libyaml's version stops."""
    try:
        list(_documents(yaml.parse(text[: mark.index], Loader=yaml.CSafeLoader), text))
    except YamlProblem as problem:
        return problem
    except yaml.YAMLError:
        pass
    return YamlProblem(
        f"nesting deeper than {MAX_DEPTH} levels is not allowed",
        *_position(mark),
        code="depth-limit",
    )


_SIMPLE_KEY = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*")
_SHOWN_PARTS = 12


def yaml_path(path: Path) -> str:
    """`('line_items', 2, 'unit_price')` as `$.line_items[2].unit_price`; long paths elided.

    A key that is not a plain name is quoted, with its quotes, backslashes and any control or
    line-breaking character escaped, so a path is always one line of text.
    """
    parts = []
    for part in path[:_SHOWN_PARTS]:
        if isinstance(part, int):
            parts.append(f"[{part}]")
        elif _SIMPLE_KEY.fullmatch(part):
            parts.append(f".{part}")
        else:
            parts.append("['" + printable(part.replace("\\", "\\\\").replace("'", "\\'")) + "']")
    if len(path) > _SHOWN_PARTS:
        parts.append(f"…(+{len(path) - _SHOWN_PARTS})")
    return "$" + "".join(parts)
