"""Where libyaml parts from YAML 1.2: checks on the text and on libyaml's events.

libyaml, the parser under the located loader, accepts some text that YAML 1.2 forbids and reads
a few forms otherwise than YAML 1.2 does; the yaml-test-suite shows each of them
(tests/test_yaml_suite.py). Each check here refuses one such form at its position, so that a
document either means the same to every YAML 1.2 reader or is refused:

- characters YAML does not allow (control characters), and the three that YAML 1.1 (libyaml)
  reads as line breaks and YAML 1.2 as text (U+0085, U+2028, U+2029);
- a comment whose `#` touches what comes before it (`"value"#`, `]#`, `,#`, `>#`, `1.2#`);
- a directive after a document that was not closed with `...`;
- a line of a multi-line flow value (quoted text, `[...]`, `{...}`) in a block collection that
  is not indented past that collection, or is indented with a tab (a closing `]`, `}` or quote
  alone on its line excepted: libyaml and yaml-rs both read it, and its meaning is plain);
- a block scalar whose leading empty lines hold more spaces than its first line of text;
- a lone `-` inside `[ ]` or `{ }`; a `?` touching the value after it inside them (libyaml
  takes it for a key marker, YAML 1.2 for part of the value);
- an anchor or alias name followed by a character YAML 1.2 reads as part of the name
  (`&an:chor`), which libyaml cuts short.
"""

from __future__ import annotations

import re
from typing import Any, NamedTuple

import yaml

#: Characters a YAML stream may not hold: all but YAML 1.2's printable set, and U+0085,
#: U+2028 and U+2029, which YAML 1.1 readers (libyaml) take for line breaks.
UNACCEPTABLE = re.compile(
    "[^\t\n\r\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]"
)
_BREAKS = {"\x85": "next line", "\u2028": "line separator", "\u2029": "paragraph separator"}
_BLANK = " \t\r\n"
_FLOW_INDICATORS = ",[]{}"
_YAML_DIRECTIVE = re.compile(r"%YAML[ \t]+[0-9]+\.[0-9]+(?:[ \t]|$)")
_NODE_EVENTS = (yaml.ScalarEvent, yaml.AliasEvent, yaml.MappingStartEvent, yaml.SequenceStartEvent)


class SyntaxFault(Exception):
    """Text that libyaml accepts and YAML 1.2 refuses or reads otherwise, with its place."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


def position(text: str, offset: int) -> tuple[int, int]:
    """The 1-based line and column of `offset` in `text`."""
    return text.count("\n", 0, offset) + 1, offset - text.rfind("\n", 0, offset)


def check_characters(text: str) -> None:
    """Raise SyntaxFault at the first character a YAML stream may not hold."""
    found = UNACCEPTABLE.search(text)
    if found is None:
        return
    character = found.group()
    code = f"U+{ord(character):04X}"
    if character in _BREAKS:
        message = (
            f"the character {code} ({_BREAKS[character]}) is not allowed: YAML readers disagree "
            f"on it; write it as \\u{ord(character):04x} in a double-quoted string"
        )
    else:
        message = f"the control character {code} is not allowed in YAML"
    raise SyntaxFault(message, *position(text, found.start()))


def _closes(line: str, closing: str) -> bool:
    """Whether `line` starts by closing the value: `]`, `}` or the closing quote (not `''`)."""
    return line[:1] in closing and not line.startswith("''")


class _Open(NamedTuple):
    """A collection being read."""

    flow: bool
    column: int
    needed: int
    """For a flow collection in a block one, the indentation its lines need; otherwise 0."""
    start: int


class EventChecks:
    """Follows one stream's events and raises SyntaxFault where libyaml departs from YAML 1.2."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.open: list[_Open] = []
        self.ended_explicitly: bool | None = None

    def see(self, event: Any) -> None:
        """Check one event, in stream order."""
        if isinstance(event, _NODE_EVENTS):
            self._node(event)
        if isinstance(event, yaml.ScalarEvent):
            self._scalar(event)
        elif isinstance(event, yaml.AliasEvent):
            self._alias(event)
        elif isinstance(event, (yaml.MappingStartEvent, yaml.SequenceStartEvent)):
            self._start(event)
        elif isinstance(event, (yaml.MappingEndEvent, yaml.SequenceEndEvent)):
            self._end(event)
        elif isinstance(event, yaml.DocumentStartEvent):
            self._document(event)
        elif isinstance(event, yaml.DocumentEndEvent):
            self.ended_explicitly = bool(event.explicit)

    def _alias(self, event: Any) -> None:
        self._name_ends(event.end_mark.index)
        self._after(event.end_mark.index)

    def _fail(self, message: str, offset: int) -> SyntaxFault:
        return SyntaxFault(message, *position(self.text, offset))

    @property
    def _in_flow(self) -> bool:
        return bool(self.open) and self.open[-1].flow

    def _block_indent(self) -> int:
        """The column of the innermost block collection (-1 at the top of a document)."""
        for collection in reversed(self.open):
            if not collection.flow:
                return collection.column
        return -1

    def _node(self, event: Any) -> None:
        start = event.start_mark.index
        if self._in_flow and start > 0 and self.text[start - 1] == "?":
            raise self._fail(
                "put a space after '?' or quote the value: inside [ ] or { } spendgate's YAML "
                "parser reads a '?' touching a value as a key marker",
                start - 1,
            )
        anchor = getattr(event, "anchor", None)
        if anchor is not None and not isinstance(event, yaml.AliasEvent):
            at = self.text.find("&" + anchor, start)
            if at >= 0:
                self._name_ends(at + 1 + len(anchor))

    def _name_ends(self, offset: int) -> None:
        following = self.text[offset : offset + 1]
        if (
            following
            and following not in _BLANK
            and not (self._in_flow and following in _FLOW_INDICATORS)
        ):
            raise self._fail(
                f"put a space after the anchor or alias name: YAML 1.2 reads '{following}' as "
                "part of the name, spendgate's YAML parser does not",
                offset,
            )

    def _after(self, offset: int) -> None:
        """A comment must be parted from what comes before it by a space."""
        text = self.text
        if text[offset : offset + 1] == "#":
            raise self._fail("a comment needs a space before its '#'", offset)
        if self._in_flow:
            while offset < len(text) and text[offset] in " \t":
                offset += 1
            if text[offset : offset + 2] == ",#":
                raise self._fail("a comment needs a space before its '#'", offset + 1)

    def _scalar(self, event: Any) -> None:
        start, end = event.start_mark.index, event.end_mark.index
        if event.style in ("|", ">"):
            self._block_scalar(event)
            return
        if event.style in ("'", '"') and not self._in_flow and self.open:
            self._continuation_lines(
                start, end, self._block_indent() + 1, comments=False, closing=event.style
            )
        if not event.style and event.value == "-" and self._in_flow:
            following = self.text[end : end + 1]
            if not following or following in _BLANK or following in _FLOW_INDICATORS:
                raise self._fail("a lone '-' is not a value inside [ ] or { }; quote it", start)
        self._after(end)

    def _start(self, event: Any) -> None:
        flow = bool(event.flow_style)
        needed = 0
        if flow and not self._in_flow and self.open:
            needed = self._block_indent() + 1
        self.open.append(_Open(flow, event.start_mark.column, needed, event.start_mark.index))
        if flow:
            self._after(event.end_mark.index)

    def _end(self, event: Any) -> None:
        closed = self.open[-1]
        if closed.needed:
            self._continuation_lines(
                closed.start, event.end_mark.index, closed.needed, comments=True, closing="]}"
            )
        self.open.pop()
        if closed.flow:
            self._after(event.end_mark.index)

    def _continuation_lines(
        self, start: int, end: int, needed: int, *, comments: bool, closing: str
    ) -> None:
        """Each line after the first of a flow value in a block collection must be indented by
        `needed` spaces at least (lines of only white space, comment lines between the entries
        of a collection, and a closing bracket or quote alone, excepted)."""
        text = self.text
        newline = text.find("\n", start, end)
        while newline >= 0:
            begin = newline + 1
            newline = text.find("\n", begin, end)
            line_end = text.find("\n", begin)
            line = text[begin : len(text) if line_end < 0 else line_end]
            content = line.lstrip(" ")
            spaces = len(line) - len(content)
            rest = content.lstrip("\t\r")
            if spaces >= needed or not rest or (comments and rest.startswith("#")):
                continue
            if content == rest and _closes(rest, closing):
                continue  # `]` or a closing quote alone on a line: as libyaml and yaml-rs do
            opened_on = text.count("\n", 0, start) + 1
            if content.startswith("\t"):
                message = "a tab character cannot indent YAML; use spaces"
            else:
                message = (
                    f"this line continues the value that starts on line {opened_on}: indent it "
                    f"by {needed} space{'s' if needed > 1 else ''} at least"
                )
            raise self._fail(message, begin + spaces)

    def _block_scalar(self, event: Any) -> None:
        text = self.text
        indicator = text.find(event.style, event.start_mark.index, event.end_mark.index)
        if indicator < 0:
            return
        line_end = text.find("\n", indicator)
        line_end = len(text) if line_end < 0 else line_end
        after = indicator + 1
        while after < line_end and text[after] in "0123456789+-":
            after += 1
        if text[after : after + 1] == "#":
            raise self._fail("a comment needs a space before its '#'", after)
        if any(character.isdigit() for character in text[indicator:after]):
            return  # an explicit indentation: no leading line sets it
        self._leading_empty_lines(line_end + 1)

    def _leading_empty_lines(self, begin: int) -> None:
        """YAML 1.2 refuses a block scalar whose leading empty lines hold more spaces than its
        first line of text; libyaml accepts it and reads something else."""
        text = self.text
        widest, widest_at = 0, begin
        while begin < len(text):
            line_end = text.find("\n", begin)
            line_end = len(text) if line_end < 0 else line_end
            line = text[begin:line_end].rstrip("\r")
            if line.strip(" "):
                indent = len(line) - len(line.lstrip(" "))
                if self._block_indent() < indent < widest:
                    raise self._fail(
                        "this leading empty line of a block scalar holds more spaces than its "
                        "first line of text",
                        widest_at,
                    )
                return
            if len(line) > widest:
                widest, widest_at = len(line), begin
            begin = line_end + 1

    def _document(self, event: Any) -> None:
        if not event.explicit:
            return
        if (event.version or event.tags) and self.ended_explicitly is False:
            raise self._fail(
                "a directive must follow '...', the end of the previous document",
                event.start_mark.index,
            )
        for match in re.finditer(
            r"^%YAML\b.*$",
            self.text[event.start_mark.index : event.end_mark.index],
            re.MULTILINE,
        ):
            if not _YAML_DIRECTIVE.match(match.group()):
                raise self._fail(
                    "a %YAML directive is '%YAML 1.2', then a space before any comment",
                    event.start_mark.index + match.start(),
                )
