"""Escaping what spendgate did not write itself: one function per kind of place a value lands.

A title, a YAML key, a file name or a message rendered from them reaches every report. Nothing
a document holds may end a line, start a CI runner's command, open Markdown or HTML, or make a
machine format invalid. Each reporter passes every value through the function for the place it
writes it to:

- `text_line`: a line for people (text, explain, impact, validate, the github format's plain
  log lines, JUnit's details). Controls, line breaks, bidi controls and undecodable bytes are
  shown as escapes (`\\n`, `\\x1b`, `\\u202e`, `\\xff`), and nothing is left that a GitHub runner
  reads as a workflow command when the line is printed in a step's log: `::` starting the line,
  or the old syntax `##[` anywhere.
- `workflow_data`, `workflow_property`: a GitHub Actions workflow command, by the runner's rules.
- `markdown_inline`, `markdown_code`: GitHub-flavoured Markdown (the pull-request comment).
- `xml_text`: XML 1.0 character data and attribute values (JUnit).
- `json_safe`, `json_document`: JSON (the json and sarif formats, `validate --format json`).
- `uri_path`: a path inside a URI (SARIF's artifact locations).

Backslashes in data are left as they are: a Windows path or a regular expression reads as
written, and escaping stays idempotent (`text_line(text_line(x)) == text_line(x)`), so a line
built from escaped values may be escaped again safely.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import quote

#: What a line for people never shows raw: C0 and C1 controls (line breaks included), DEL, the
#: Unicode line and paragraph separators, the bidirectional formatting characters (LRM, RLM,
#: ALM, embeddings, overrides, isolates: "Trojan Source") and lone surrogates (a file name that
#: is not UTF-8 arrives as U+DC80..U+DCFF, one per undecodable byte).
_HIDDEN = r"\x7f-\x9f\u061c\u200e\u200f\u2028-\u202e\u2066-\u2069\ud800-\udfff"
_UNSHOWN = re.compile(rf"[\x00-\x1f{_HIDDEN}]")
_UNSHOWN_BUT_CR_LF = re.compile(rf"[\x00-\x09\x0b\x0c\x0e-\x1f{_HIDDEN}]")
_NAMED = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
_SURROGATES = re.compile(r"[\ud800-\udfff]")
_NOT_ESCAPED_BYTES = re.compile(r"[\ud800-\udc7f\udd00-\udfff]")
#: GitHub's runner reads `##[name]data` anywhere in a line of a step's log as a command (the
#: syntax before `::name::data`), and `::name::data` after any leading white space.
_OLD_COMMAND = "##["
_COMMAND = "::"


def _escape(match: re.Match[str]) -> str:
    char = match.group()
    if char in _NAMED:
        return _NAMED[char]
    code = ord(char)
    if 0xDC80 <= code <= 0xDCFF:  # the byte that did not decode (PEP 383 surrogateescape)
        return f"\\x{code - 0xDC00:02x}"
    return f"\\x{code:02x}" if code <= 0xFF else f"\\u{code:04x}"


def _visible(value: str, *, breaks: bool = True) -> str:
    """`value` with every hidden character as an escape; `breaks=False` keeps CR and LF."""
    if value.isprintable():  # the common case, checked in C
        return value
    return (_UNSHOWN if breaks else _UNSHOWN_BUT_CR_LF).sub(_escape, value)


def text_line(value: str) -> str:
    """`value` as (part of) one line for people, which no CI runner reads as a command.

    LF, CR and tab show as `\\n`, `\\r`, `\\t`; a byte that did not decode (U+DC80..U+DCFF) as
    `\\xff`; other controls up to U+00FF as `\\x1b`; the others (separators, bidi controls,
    other lone surrogates) as `\\u202e`. Then `##[` becomes `##\\x5b`, and a `::` that starts
    the value after white space becomes `\\x3a:`.
    """
    line = _visible(value).replace(_OLD_COMMAND, "##\\x5b")
    body = line.lstrip()
    if body.startswith(_COMMAND):
        line = f"{line[: len(line) - len(body)]}\\x3a{body[1:]}"
    return line


# GitHub Actions workflow commands -----------------------------------------------------------


def workflow_data(value: str) -> str:
    """The message of a workflow command (`::error …::message`), as actions/toolkit escapes it.

    `%` becomes `%25`, CR `%0D` and LF `%0A` (in that order), which the runner decodes back: a
    message may span lines in the annotation and never in the log. Other hidden characters are
    shown as escapes first, as in `text_line`.
    """
    escaped = _visible(value, breaks=False)
    return escaped.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def workflow_property(value: str) -> str:
    """A property value of a workflow command (`file=…,title=…`): as data, `:` and `,` too."""
    return workflow_data(value).replace(":", "%3A").replace(",", "%2C")


# Markdown -----------------------------------------------------------------------------------

_MARKDOWN_PUNCTUATION = re.compile(r"([\\`*_\[\]|~#$])")


def markdown_inline(value: str) -> str:
    """Text in Markdown that shows exactly that text, on one line of a list, table or heading.

    HTML's `&`, `<` and `>` become entities; Markdown's punctuation (code, emphasis, links,
    tables, strike-through, headings, math) is backslash-escaped; `@` gets a zero-width space
    so that no one is mentioned; a line break becomes `<br>`; other hidden characters are
    shown as escapes.
    """
    return "<br>".join(_markdown_line(line) for line in value.splitlines())


def _markdown_line(value: str) -> str:
    escaped = _visible(value).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    escaped = _MARKDOWN_PUNCTUATION.sub(r"\\\1", escaped)
    return escaped.replace("@", "@&#8203;")


def markdown_code(value: str, *, cell: bool = False) -> str:
    """A code span of `value`, fenced by more backticks than it holds; `cell`: in a table."""
    flat = text_line(value)  # a line break shows as `\n`, as in the text format
    runs = [len(run) for run in re.findall(r"`+", flat)]
    fence = "`" * (max(runs, default=0) + 1)
    padded = f" {flat} " if runs else flat
    if cell:  # a table splits its row on every `|`, even inside a code span
        padded = padded.replace("|", "\\|")
    return f"{fence}{padded}{fence}"


# XML, JSON and URIs --------------------------------------------------------------------------

# XML 1.0 cannot carry most control characters, not even escaped; YAML strings can hold them.
_NOT_XML = re.compile(r"[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_text(value: str) -> str:
    """`value` as XML 1.0 can hold it: a character it cannot (a control, a lone surrogate) is
    U+FFFD, the replacement character. `<`, `&` and quotes are the serialiser's job."""
    return _NOT_XML.sub("\ufffd", value)


def xml_document(serialised: str) -> str:
    """A serialised XML document in which no CI log finds `##[`: `[` as a character reference.

    `#` only occurs in text and attribute values of the documents spendgate writes, where a
    character reference means the same character.
    """
    return serialised.replace(_OLD_COMMAND, "##&#91;")


def unicode_text(value: str) -> str:
    """`value` as valid Unicode: each lone surrogate (an undecodable byte) becomes U+FFFD."""
    return value if value.isascii() else _SURROGATES.sub("\ufffd", value)


def json_safe(value: Any) -> Any:
    """`value` (JSON-like: dicts, lists, tuples, scalars) with every string, keys included,
    as valid Unicode, so that it encodes as UTF-8 and any JSON parser accepts it."""
    if isinstance(value, str):
        return unicode_text(value)
    if isinstance(value, dict):
        return {json_safe(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(item) for item in value]
    return value


def json_document(serialised: str) -> str:
    """A serialised JSON document in which no CI log finds `##[`: `[` as `\\u005b`.

    `#` only occurs inside JSON strings, where the escape means the same character.
    """
    return serialised.replace(_OLD_COMMAND, "##\\u005b")


def uri_path(path: str) -> str:
    """A relative path as the path of a URI: UTF-8, percent-encoded, `/` kept.

    A byte that did not decode (a file name that is not UTF-8) is encoded as that byte (`%FF`),
    so the URI names the file on disk.
    """
    raw = _NOT_ESCAPED_BYTES.sub("\ufffd", path).encode("utf-8", "surrogateescape")
    return quote(raw, safe="/")


def grouped(amount: str) -> str:
    """`763000.00` as `763,000.00`, `199217` (a JPY total) as `199,217`: the decision's exact
    figure with thousands separators and its own decimal places; anything else as it is."""
    try:
        return f"{Decimal(amount):,f}"
    except (InvalidOperation, ValueError):
        return amount


def evidence_text(value: Any) -> str:
    """A value a rule read, as `explain` and the JUnit report show it: strings quoted, amounts as
    exact decimals, lists and maps written out, a missing value named."""
    if value is None:
        return "(absent)"
    if isinstance(value, str):
        return repr(value)
    if isinstance(value, Decimal):
        return f"{value:f}"
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(evidence_text(item) for item in value) + "]"
    if isinstance(value, dict):
        items = (f"{key!r}: {evidence_text(item)}" for key, item in value.items())
        return "{" + ", ".join(items) + "}"
    return str(value)
