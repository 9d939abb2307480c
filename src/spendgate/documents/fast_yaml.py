"""The fast path: parse a file without positions, with yaml-rs, behind cheap guards.

yaml-rs (Rust) parses a ~2 KB document in about 41 µs, nine times faster than PyYAML's C
loader, and with `parse_datetime=False` it gives YAML 1.2 core values. It is not trusted with
everything, though (measured in bench/loader_probe/REPORT.md): it drops unknown tags silently,
would need its own alias limits, may crash on very deep block nesting, reads a multi-document
stream as one list, and accepts 1.1 forms like `1_000`. Such text is declined here and handed
to the located loader, which refuses or resolves it exactly. Every guard is a plain substring
or one compiled regex search, a few microseconds at most.
"""

from __future__ import annotations

import re
from typing import Any

import yaml_rs

#: Larger files go to the located loader: below this size block nesting stays far from the
#: depth at which yaml-rs overflows its stack (a level costs at least two bytes).
MAX_FAST_CHARACTERS = 16 * 1024

#: Anchors, aliases and tags; a second document or an end marker; YAML 1.1 numbers (`1_000`).
_DECLINE = re.compile(r"[&*!]|\n(?:---|\.\.\.)|\d_|\b0b[01]")


class Declined(Exception):
    """The fast path will not (or cannot safely) parse this text; use the located loader."""


def parse(text: str) -> list[Any]:
    """The documents in `text`, or Declined when only the located loader may judge it."""
    if len(text) > MAX_FAST_CHARACTERS or _DECLINE.search(text):
        raise Declined
    try:
        value = yaml_rs.loads(text, parse_datetime=False)
    except ValueError:
        raise Declined from None
    if not isinstance(value, dict):
        raise Declined
    return [value]
