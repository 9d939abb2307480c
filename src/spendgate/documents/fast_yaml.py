"""The fast path: parse a file without positions, with yaml-rs, behind cheap guards.

yaml-rs (Rust) parses a ~2 KB document in about 41 µs, nine times faster than PyYAML's C
loader, and with `parse_datetime=False` it gives YAML 1.2 core values. It is not trusted with
everything, though (measured in bench/loader_probe/REPORT.md): it drops unknown tags silently,
would need its own alias limits, may crash on very deep nesting (so a file above 16 KiB has
its depth bounded first), reads a multi-document
stream as one list, and accepts 1.1 forms like `1_000`. Such text is declined here and handed
to the located loader, which refuses or resolves it exactly. The guards cost a few
microseconds a document.
"""

from __future__ import annotations

import re
from typing import Any

import yaml_rs

#: Up to this size a file cannot nest deep enough to overflow yaml-rs's stack (a level costs
#: at least two bytes), so its depth need not be measured.
MAX_FAST_CHARACTERS = 16 * 1024
#: Nesting depth verified safe for yaml-rs (it overflows between 10,000 and 15,000 levels).
MAX_FAST_DEPTH = 8192
_BRACKETS = re.compile(r"[\[\]{}]")


def _shallow(text: str) -> bool:
    """True when `text` cannot nest `MAX_FAST_DEPTH` levels deep.

    A block level is indented past its parent or written after a `- ` or `? ` on the same
    line, so block depth is bounded by the longest line; flow depth is bounded by counting
    brackets (those in quoted strings count too, which only errs on the safe side).
    """
    longest = max(map(len, text.splitlines()), default=0)
    depth = deepest = 0
    for match in _BRACKETS.finditer(text):
        if match.group() in "[{":
            depth += 1
            deepest = max(deepest, depth)
        else:
            depth = max(depth - 1, 0)
    return longest + deepest < MAX_FAST_DEPTH


def _has_underscored_number(text: str) -> bool:
    """True when a value may be a YAML 1.1 number with underscores (`1_000`).

    YAML 1.2 reads `1_000` as a string, yaml-rs as 1000. Underscores in keys such as
    `soc2_type2` or `art_6_3_exemption` follow a letter and do not count.
    """
    index = text.find("_")
    while index > 0:
        if text[index - 1].isdigit():
            start = index - 1
            while start > 0 and text[start - 1].isdigit():
                start -= 1
            before = text[start - 1] if start else " "
            if not (before.isalnum() or before in "_."):
                return True
        index = text.find("_", index + 1)
    return False


def _declines(text: str) -> bool:
    if len(text) > MAX_FAST_CHARACTERS and not _shallow(text):
        return True
    # Anchors, aliases and tags; a second document or an end marker; YAML 1.1 numbers. Plain
    # substring tests: a regular expression over the whole text costs ten times more.
    return (
        "&" in text
        or "*" in text
        or "!" in text
        or "\n---" in text
        or "\n..." in text
        or "0b" in text
        or _has_underscored_number(text)
    )


class Declined(Exception):
    """The fast path will not (or cannot safely) parse this text; use the located loader."""


def parse(text: str) -> list[Any]:
    """The documents in `text`, or Declined when only the located loader may judge it."""
    if _declines(text):
        raise Declined
    try:
        value = yaml_rs.loads(text, parse_datetime=False)
    except ValueError:
        raise Declined from None
    if not isinstance(value, dict):
        raise Declined
    return [value]
