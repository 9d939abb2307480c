"""YAML 1.2 core semantics, pinned (SPEC §13): whatever the loader, these values hold."""

from __future__ import annotations

import math

import pytest

from spendgate.documents import fast_yaml
from spendgate.documents.located_yaml import YamlProblem, load_located

SEMANTICS = [
    ("country: NO", {"country": "NO"}),
    (
        "a: on\nb: yes\nc: off\nd: no\ne: y\nf: n",
        {"a": "on", "b": "yes", "c": "off", "d": "no", "e": "y", "f": "n"},
    ),
    ("a: true\nb: False\nc: TRUE", {"a": True, "b": False, "c": True}),
    ("n: 010", {"n": 10}),
    ("n: 0o17\nh: 0x1F", {"n": 15, "h": 31}),
    ("d: 2026-03-01", {"d": "2026-03-01"}),
    ("t: 12:30:00", {"t": "12:30:00"}),
    ("f: 1.5\ng: 1e3\nh: -2.5E-2", {"f": 1.5, "g": 1000.0, "h": -0.025}),
    ("a: ~\nb: null\nc:", {"a": None, "b": None, "c": None}),
    ("q: \"010\"\nr: 'yes'", {"q": "010", "r": "yes"}),
    ("v: 1_000", {"v": "1_000"}),
    ("<<: x", {"<<": "x"}),
    ("s: !!str 42\ni: !!int '7'", {"s": "42", "i": 7}),
]

LOADERS = {
    "fast": fast_yaml.parse,
    "located": lambda text: [document.value for document in load_located(text)],
}


#: Text the fast path hands to the located loader instead of parsing it (1.1 number forms,
#: tags, anchors, document markers): its guards, not its parser, decide these.
DECLINED_BY_FAST_PATH = {"v: 1_000", "s: !!str 42\ni: !!int '7'", "a: 1\n---\nb: 2\n"}


@pytest.mark.parametrize("loader", LOADERS)
@pytest.mark.parametrize(("text", "expected"), SEMANTICS, ids=[case[0][:20] for case in SEMANTICS])
def test_core_schema(loader: str, text: str, expected: object) -> None:
    if loader == "fast" and text in DECLINED_BY_FAST_PATH:
        with pytest.raises(fast_yaml.Declined):
            fast_yaml.parse(text)
    else:
        assert LOADERS[loader](text) == [expected]


@pytest.mark.parametrize(
    "text",
    [
        "a: &x 1\nb: *x\n",
        "a: !!python/object/apply:os.system ['true']\n",
        "a: 0b101\n",
        "a: 1\n...\n",
        "- 1\n- 2\n",
        "a: 1\na: 2\n",
        "a: " + "x" * 20_000,
    ],
)
def test_fast_path_declines_what_it_must_not_judge(text: str) -> None:
    with pytest.raises(fast_yaml.Declined):
        fast_yaml.parse(text)


@pytest.mark.parametrize("loader", LOADERS)
def test_infinity_is_a_float_for_the_models_to_refuse(loader: str) -> None:
    (value,) = LOADERS[loader]("a: .inf\nb: -.Inf")
    assert value["a"] == math.inf
    assert value["b"] == -math.inf


def test_multiple_documents() -> None:
    assert LOADERS["located"]("a: 1\n---\nb: 2\n") == [{"a": 1}, {"b": 2}]


def test_positions_of_keys_and_values() -> None:
    (document,) = load_located("a: 1\nline_items:\n  - unit_price: 5\n    currency: EUR\n")
    assert document.position_of(("line_items", 0, "unit_price")) == (3, 17)
    assert document.key_position_of(("line_items", 0, "currency")) == (4, 5)
    assert document.position_of(("line_items", 0, "missing")) == (3, 5)


@pytest.mark.parametrize(
    ("text", "message", "line", "column"),
    [
        ("a: 1\nb: 2\na: 3\n", "duplicate key 'a' (first defined at line 1)", 3, 1),
        ("x: {k: 1, k: 2}\n", "duplicate key 'k' (first defined at line 1)", 1, 11),
        (
            "a: !!python/object/apply:os.system ['true']\n",
            "the YAML tag !!python/object/apply:os.system is not allowed: "
            "spendgate documents are plain data",
            1,
            4,
        ),
        (
            "a: !custom x\n",
            "the YAML tag !custom is not allowed: spendgate documents are plain data",
            1,
            4,
        ),
        ("a: *nothing\n", "unknown alias *nothing", 1, 4),
        ("a:\n\tb: 1\n", "a tab character cannot indent YAML; use spaces", 2, 1),
    ],
)
def test_located_loader_refuses(text: str, message: str, line: int, column: int) -> None:
    with pytest.raises(YamlProblem) as raised:
        load_located(text)
    assert (raised.value.message, raised.value.line, raised.value.column) == (message, line, column)


def test_alias_bomb_is_bounded() -> None:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        refs = ", ".join([f"*a{level - 1}"] * 9)
        lines.append(f"a{level}: &a{level} [{refs}]")
    with pytest.raises(YamlProblem) as raised:
        load_located("\n".join(lines))
    assert raised.value.message == "aliases expand this document beyond 200,000 values"
    assert raised.value.code == "alias-limit"


def test_a_few_aliases_are_fine() -> None:
    (document,) = load_located("base: &b {k: v}\nuse: *b\n")
    assert document.value == {"base": {"k": "v"}, "use": {"k": "v"}}


def test_a_large_document_without_aliases_is_not_an_alias_bomb() -> None:
    people = "people:\n" + "".join(
        f"  - id: p{n}\n    name: Person {n}\n    roles: [requester]\n    manager: p{n // 2}\n"
        for n in range(6_000)
    )
    (document,) = load_located(people)
    assert len(document.value["people"]) == 6_000


def test_a_huge_plain_document_is_bounded() -> None:
    with pytest.raises(YamlProblem) as raised:
        load_located("[" + "1, " * 250_000 + "1]")
    assert raised.value.message == "document holds more than 200,000 values"
