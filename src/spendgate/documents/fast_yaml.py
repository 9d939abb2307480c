"""The fast path: parse a file without positions, with yaml-rs, behind cheap guards.

yaml-rs (Rust) parses a ~2 KB document in about 41 µs, nine times faster than PyYAML's C
loader, and with `parse_datetime=False` it gives YAML 1.2 core values for ordinary documents.
It is not trusted with everything, though (bench/loader_probe/REPORT.md, the yaml-test-suite
and a differential test against the located loader): it drops unknown tags silently, would need
its own alias limits, may crash on very deep nesting, reads a multi-document stream as one list,
accepts control characters, reads YAML 1.1 number forms (`1_000`, `0x1_F`, `0B11`, `-0x1F`,
`.iNf`) as numbers where YAML 1.2 says they are strings, skips the indentation rules of quoted
text, and reads an empty block scalar at the end of a file as a line break. Text it might
misread, or that libyaml (under the located loader) reads otherwise, is declined here and handed
to the located loader, which refuses or resolves it exactly; after parsing, a value holding
what the located loader refuses (a key that is not a string, nesting or size beyond its limits)
is declined too. So whatever the fast path accepts, the located loader accepts alike
(tests/test_yaml_semantics.py, tests/test_yaml_suite.py). The guards cost a few microseconds.
"""

from __future__ import annotations

import functools
import math
import re
from typing import Any

import yaml_rs

from spendgate.documents.core_schema import MAX_NUMBER_CHARACTERS, ScalarProblem, resolve_plain
from spendgate.documents.located_yaml import MAX_DEPTH, MAX_EXPANDED_NODES
from spendgate.documents.yaml_syntax import UNACCEPTABLE

#: Up to this size a file cannot nest deep enough to overflow yaml-rs's stack (a level costs
#: at least two bytes), so its depth need not be measured.
MAX_FAST_CHARACTERS = 16 * 1024
#: Nesting depth verified safe for yaml-rs (it overflows between 10,000 and 15,000 levels).
MAX_FAST_DEPTH = 8192
_BRACKETS = re.compile(r"[\[\]{}]")


def _table(classes: dict[str, str]) -> bytes:
    """A bytes.translate table sending each character of each key to its class; the rest
    (non-ASCII bytes included) to a space."""
    table = bytearray(b" " * 256)
    for characters, shown in classes.items():
        for character in characters:
            table[ord(character)] = ord(shown)
    return bytes(table)


_REFUSED_ASCII = "".join(UNACCEPTABLE.findall("".join(map(chr, range(128)))))
#: The text's shape, one byte a byte, for plain `in` tests (a regular expression over the whole
#: text costs ten times more). `!` marks what the fast path never reads: tags, anchors,
#: aliases, tabs, and the ASCII characters YAML refuses.
_SHAPE = _table(
    {
        "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ": "a",
        "xXoObB": "x",
        "iInN": "n",
        "0123456789": "0",
        "\n\r": "\n",
        "\"'": '"',
        "-": "-",
        ".": ".",
        "\\": "\\",
        "!&*\t" + _REFUSED_ASCII: "!",
    }
)
#: In the shape: a document marker or a quote at the start of a line (one search, which starts
#: with a plain byte, is faster than three `in` tests).
_LINE_STARTS = re.compile(rb"\n(?:---|\.\.\.|\")")
#: Any number longer than MAX_NUMBER_CHARACTERS has a run of this many digits (it has at most
#: three runs of digits and four other characters), unless it starts `0x` or `0o`.
_LONG_DIGITS = b"0" * ((MAX_NUMBER_CHARACTERS - 4) // 3)
#: Where yaml-rs may read a word otherwise than YAML 1.2 core does. It ignores `_` in numbers,
#: and a number with one has a `_` beside something other than a letter (a digit, a sign, a
#: dot, another `_`, the end of the word), unless it starts `0x`, `0o` or `0b`; it reads
#: prefixed integers in any letter case, with a sign, and in binary (`0B11`, `-0x1F`); and
#: `.inf` and `.nan` in any letter case. Each regular expression starts with a plain
#: character, which keeps its search fast.
_UNDERSCORE = re.compile(r"_(?:(?![A-Za-z])|(?<![A-Za-z]_))")
_PREFIX = re.compile(r"0[xXoObB]")
_INFINITY = re.compile(r"\.(?i:inf|nan)")
#: The characters of any word yaml-rs may take for a number, and those it may be made of.
_WORD = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.+-")
_NUMBER_CHARACTERS = frozenset("0123456789_.+-xXoObBaAcCdDeEfFiInN")
_BLOCK_HEADER_AT_END = re.compile(r"[|>][-+0-9]*(?:[ \t]+#.*)?$")
#: A flow sequence the fast path reads holds none of these: no line break, no nested
#: collection, no `key: value` pair, no item starting with an indicator (`[|x]`, `[?x]`).
_PLAIN_FLOW = frozenset("\n[{:?|>")


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


def _word_at(text: str, index: int) -> str:
    """The run of characters a number could be made of around `index`."""
    start = end = index
    while start > 0 and text[start - 1] in _WORD:
        start -= 1
    while end < len(text) and text[end] in _WORD:
        end += 1
    return text[start:end]


def _starts_word(text: str, index: int) -> bool:
    """Whether a word (a number, perhaps) starts at `index`, a sign before it aside."""
    start = index - 1 if index and text[index - 1] in "+-" else index
    return not start or text[start - 1] not in _WORD


@functools.lru_cache(maxsize=4096)
def _reads_alike(word: str) -> bool:
    """Whether yaml-rs reads the plain scalar `word` as the YAML 1.2 core schema does."""
    if not _NUMBER_CHARACTERS.issuperset(word):
        return True  # text to both (`soc2_type2`); `null` and `true` are read alike anyway
    try:
        core = resolve_plain(word)
        read = yaml_rs.loads(f"k: {word}", parse_datetime=False)
    except (ScalarProblem, ValueError, TypeError):
        return False
    if not isinstance(read, dict) or "k" not in read:
        return False
    fast = read["k"]
    if isinstance(core, float) and isinstance(fast, float) and math.isnan(core):
        return math.isnan(fast)
    return type(core) is type(fast) and core == fast


def _suspect_words(text: str, shape: bytes) -> list[str]:
    """Every word yaml-rs may read as a number where YAML 1.2 core reads a string, or as
    another number: each is then read both ways and compared. The shape tells when a prefix
    (`0x`: a digit then x, o or b) or an infinity (`.i`, `.n`) may be there at all."""
    starts = [found.start() for found in _UNDERSCORE.finditer(text)]
    for pattern, gate in ((_PREFIX, b"0x"), (_INFINITY, b".n")):
        if gate in shape:
            starts += [
                found.start()
                for found in pattern.finditer(text)
                if _starts_word(text, found.start())
            ]
    return [_word_at(text, index) for index in starts]


def _ends_oddly(text: str) -> bool:
    """yaml-rs reads a block scalar at the very end of a file otherwise than YAML 1.2 when it
    is empty, or followed by a line of white space: such endings (and a final comment, which
    may belong to a block scalar) are left to the located loader."""
    body = text.rstrip()
    if len(body) != len(text.rstrip("\n")):
        return True
    last = body[body.rfind("\n") + 1 :].lstrip()
    return last.startswith("#") or _BLOCK_HEADER_AT_END.search(last) is not None


def _flow_is_simple(text: str) -> bool:
    """Whether every flow collection is `{}` or a one-line sequence of plain items: libyaml
    refuses or misreads some forms of the others (flow keys over two lines, `[:x]`, `[?x]`)."""
    if "{" in text and "{" in text.replace("{}", ""):
        return False
    start = text.find("[")
    while start >= 0:
        end = text.find("]", start)
        if end < 0 or not _PLAIN_FLOW.isdisjoint(text[start + 1 : end]):
            return False
        start = text.find("[", end)
    return True


def _declines(text: str) -> bool:
    """Whether the fast path leaves `text` to the located loader. It does for text deep
    enough to crash yaml-rs; for anchors, aliases and tags; a second document or an end
    marker; characters YAML refuses, and byte-order marks past the start; tabs, a quote at
    the start of a line and escaped line breaks (where yaml-rs skips the indentation rules of
    quoted text); numbers too long; the ends of file and the flow collections that yaml-rs
    and libyaml read differently; and any word yaml-rs reads otherwise than YAML 1.2 core."""
    if len(text) > MAX_FAST_CHARACTERS and not _shallow(text):
        return True
    if not text.isascii() and ("\ufeff" in text or UNACCEPTABLE.search(text)):
        return True
    shape = text.encode().translate(_SHAPE)
    if (
        b"!" in shape
        or _LONG_DIGITS in shape
        or _LINE_STARTS.search(shape)
        or ("\\" in text and b"\\\n" in shape)
        or _ends_oddly(text)
        or not _flow_is_simple(text)
    ):
        return True
    return not all(map(_reads_alike, dict.fromkeys(_suspect_words(text, shape))))


def _within_limits(document: dict[Any, Any]) -> bool:
    """Whether the located loader would accept this value too: string keys only, nesting and
    size within its limits (counted as it counts: each collection, key and scalar). Walked a
    level at a time, with plain loops: this runs on every document the fast path reads."""
    level: list[Any] = [document]
    depth = values = 1
    while level:
        if depth > MAX_DEPTH:
            return False
        below = []
        for collection in level:
            if type(collection) is dict:
                for key in collection:
                    if type(key) is not str:
                        return False
                values += 2 * len(collection)
                children = collection.values()
            else:
                values += len(collection)
                children = collection
            for child in children:
                if type(child) is dict or type(child) is list:
                    below.append(child)
        level = below
        depth += 1
    return values <= MAX_EXPANDED_NODES


class Declined(Exception):
    """The fast path will not (or cannot safely) parse this text; use the located loader."""


def parse(text: str) -> list[Any]:
    """The documents in `text`, or Declined when only the located loader may judge it."""
    if _declines(text):
        raise Declined
    try:
        value = yaml_rs.loads(text, parse_datetime=False)
    except (ValueError, TypeError):  # TypeError: a mapping or a list used as a key
        raise Declined from None
    if not isinstance(value, dict) or not _within_limits(value):
        raise Declined
    return [value]
