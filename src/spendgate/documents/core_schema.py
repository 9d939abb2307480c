"""The YAML 1.2 core schema, in one place: what a scalar means, and how long a number may be.

The located loader resolves every scalar here; the fast path compares yaml-rs's reading of
any word it is unsure of with `resolve_plain`, so both paths read every scalar alike
(SPEC §13: `NO`, `on` and `yes` stay strings, `010` is 10, `1_000` and `0x1_F` are strings).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from typing import Any

#: A number written with more characters than this is refused: Python cannot convert an
#: integer of more than 4,300 digits to or from text, and no amount needs a tenth of that.
MAX_NUMBER_CHARACTERS = 100

_NULL = re.compile(r"~|null|Null|NULL|")
_TRUE = re.compile(r"true|True|TRUE")
_FALSE = re.compile(r"false|False|FALSE")
_INT10 = re.compile(r"[-+]?[0-9]+")
_INT8 = re.compile(r"0o[0-7]+")
_INT16 = re.compile(r"0x[0-9a-fA-F]+")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)")
_NAN = re.compile(r"\.(nan|NaN|NAN)")

STR = "tag:yaml.org,2002:str"
_SCALAR_TAGS = {
    STR: str,
    "tag:yaml.org,2002:int": int,
    "tag:yaml.org,2002:float": float,
    "tag:yaml.org,2002:bool": bool,
    "tag:yaml.org,2002:null": type(None),
}
MAP = "tag:yaml.org,2002:map"
SEQ = "tag:yaml.org,2002:seq"
#: The non-specific tag: `! 12` is the string '12', `! {}` a mapping.
NON_SPECIFIC = "!"
CORE_TAGS = frozenset({*_SCALAR_TAGS, MAP, SEQ, NON_SPECIFIC})


class ScalarProblem(ValueError):
    """A scalar the core schema cannot accept: a number too long, or text its tag refuses."""

    def __init__(self, message: str, code: str) -> None:
        super().__init__(message)
        self.message = message
        self.code = code


def _number(text: str, convert: Callable[[str], Any]) -> Any:
    if len(text) > MAX_NUMBER_CHARACTERS:
        raise ScalarProblem(
            f"number is {len(text):,} characters long; the limit is {MAX_NUMBER_CHARACTERS}",
            "number-limit",
        )
    return convert(text)


def resolve_plain(text: str) -> Any:
    """An untagged plain scalar's value: None, a bool, an int, a float or the text itself.

    Raises ScalarProblem for a number longer than MAX_NUMBER_CHARACTERS.
    """
    if _NULL.fullmatch(text):
        return None
    if _TRUE.fullmatch(text):
        return True
    if _FALSE.fullmatch(text):
        return False
    if _INT10.fullmatch(text):
        return _number(text, int)
    if _INT8.fullmatch(text):
        return _number(text, lambda digits: int(digits[2:], 8))
    if _INT16.fullmatch(text):
        return _number(text, lambda digits: int(digits[2:], 16))
    if _FLOAT.fullmatch(text):
        return _number(text, float)
    if _INF.fullmatch(text):
        return -math.inf if text.startswith("-") else math.inf
    if _NAN.fullmatch(text):
        return math.nan
    return text


def resolve_tagged(tag: str, text: str) -> Any:
    """The value of a scalar with an explicit core tag (`!!int '7'`), or ScalarProblem."""
    if tag in (STR, NON_SPECIFIC):
        return text
    expected = _SCALAR_TAGS.get(tag)
    if expected is None:
        raise ScalarProblem(f"the tag {shown_tag(tag)} cannot be given to a scalar", "yaml-tag")
    value = resolve_plain(text)
    if expected is float and type(value) is int and _FLOAT.fullmatch(text):
        value = float(value)
    if type(value) is not expected:
        raise ScalarProblem(
            f"'{printable(text):.60}' is not a valid {tag.rsplit(':', 1)[1]}", "yaml-tag"
        )
    return value


def collection_tag_fits(tag: str | None, *, mapping: bool) -> bool:
    """Whether a mapping (or a sequence) may carry `tag`: its own, the non-specific, or none."""
    return tag is None or tag == NON_SPECIFIC or tag == (MAP if mapping else SEQ)


def shown_tag(tag: str) -> str:
    """`tag:yaml.org,2002:str` as `!!str`; other tags as written."""
    return tag.replace("tag:yaml.org,2002:", "!!")


_UNPRINTABLE = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u2028-\u202e\u2060-\u206f\ufeff]")


def printable(text: str) -> str:
    """`text` with control, line-breaking and direction characters escaped (`\\n`, `\\u202e`),
    for a message or a YAML path that must stay one plain line whatever the document holds."""
    return _UNPRINTABLE.sub(lambda found: found.group().encode("unicode_escape").decode(), text)


def described(value: Any) -> str:
    """How a value that is not a string is named in a message: null, the integer 12, ..."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int):
        return f"the integer {value}"
    if isinstance(value, float):
        return f"the number {value}"
    return "a mapping" if isinstance(value, dict) else "a list"
