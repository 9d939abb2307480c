"""One request never costs another its decision, and never ends the check (issue 14, SPEC §13).

Policy side: a rule that cannot be evaluated on one request (a message template that fails or
runs over the sandbox's limits, a CEL error or exhausted CEL budget, a condition that is not a
boolean) is a hard finding on that request, located at the rule in its policy file: exit 1, not
3. Spendgate side: a bug met while deciding one request makes that request `invalid`, the others
are decided, every output is written, and the check exits 3.

Every case runs the same governance repository (the reference library plus one policy of hostile
rules) twice, without and with the hostile request, and compares the other requests' decisions.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from jinja2.sandbox import SandboxedEnvironment

from spendgate.decisions import Decision
from spendgate.policy import parallel
from spendgate.policy.checks import CHECKS, BuiltinCheck, Failure, Subject
from spendgate.policy.compile import PolicyBook
from spendgate.policy.engine import Engine
from spendgate.policy.failure import RuleFailure
from spendgate.policy.gate import load
from spendgate.policy.library import builtin_directory
from spendgate.policy.templates import compile_message, render
from tests.conftest import PROJECT, Cli

AS_OF = "2026-11-22"
BASE = PROJECT / "policies" / "tests" / "base"
HOSTILE_POLICY = "policies/hostile.yaml"
BAD_REQUEST = "requests/pr-bad.yaml"

POLICY_HEAD = """\
apiVersion: spendgate/v1
kind: Policy
metadata:
  name: hostile
  version: 1.0.0
  owner: procurement
spec:
  applies_to: PurchaseRequest
  enforcement: soft
  rules:
"""
#: Rules that apply to every request and pass on the clean ones: each case adds one of its own.
COMMON_RULES = """\
    - id: HX-VENDOR
      title: The vendor is on file
      check: {name: reference_exists, params: {field: vendor, kind: Vendor}}
"""


def request_text(request_id: str, **changes: str) -> str:
    """The base repository's clean request under another id, with text replaced."""
    text = (BASE / "requests" / "pr-test.yaml").read_text()
    text = text.replace("id: PR-TEST", f"id: {request_id}")
    for old, new in changes.items():
        assert old in text
        text = text.replace(old, new)
    return text


def bad_request(**changes: str) -> str:
    """The hostile request: from a vendor of its own, so that no check groups it with another."""
    return request_text("PR-BAD", **{"vendor: acme": "vendor: bare"}, **changes)


def many_lines(count: int) -> str:
    line = "  - {description: Cable, category: hardware, quantity: 1, unit_price: 1, currency: EUR}"
    return "\n".join([line] * count) + "\n"


def bare_vendor() -> str:
    """A vendor with no EcoVadis rating, as SPEC §4's ESG example meets one."""
    text = (BASE / "vendors" / "acme.yaml").read_text()
    return "".join(
        line
        for line in text.replace("id: acme", "id: bare").splitlines(keepends=True)
        if "ecovadis" not in line
    )


LINE_ITEMS = "line_items:\n"
FIRST_LINE = BASE.joinpath("requests", "pr-test.yaml").read_text().split(LINE_ITEMS, 1)[1]


@dataclass(frozen=True)
class Case:
    rule_id: str
    rule: str
    """The hostile rule, as it is listed under `rules:`."""
    request: Callable[[], str]
    reason: str
    """Why the rule cannot be evaluated on the hostile request, as the finding says it."""


CASES = {
    "esg-template-on-a-vendor-without-ecovadis": Case(
        "HX-ESG",
        """\
    - id: HX-ESG
      title: Suppliers hold an EcoVadis score of 45 or more
      when: request.total >= 500.0
      assert: has(vendor.esg.ecovadis) && vendor.esg.ecovadis.score >= 45
      message: "{{ vendor.id }} scores {{ vendor.esg.ecovadis.score }}; 45 is required above 100k"
""",
        bad_request,
        "message template: 'dict object' has no attribute 'ecovadis'",
    ),
    "cel-iteration-budget": Case(
        "HX-LINES",
        """\
    - id: HX-LINES
      title: All lines are in one currency
      assert: request.line_items.all(a, request.line_items.all(b, a.currency == b.currency))
""",
        lambda: bad_request(**{FIRST_LINE: many_lines(101)}),  # 101² iterations
        "CEL: evaluation budget exceeded (10,000 comprehension iterations per expression)",
    ),
    "cel-result-not-a-boolean": Case(
        "HX-BOOL",
        """\
    - id: HX-BOOL
      title: A request of several lines is justified
      assert: 'request.line_items.size() == 1 ? true : request.justification'
""",
        lambda: bad_request(**{FIRST_LINE: FIRST_LINE + many_lines(1)}),
        "`assert` is a string ('Replacement keyboards.'), not true or false",
    ),
    "cel-error-in-a-classification-table": Case(
        "HX-CLASSIFY",
        """\
    - id: HX-CLASSIFY
      title: Under-used training commitments are operating expenses
      classify:
        - when: line.category == "training" && line.forecast_utilisation < 50.0
          result: opex
          reason: Training that will mostly go unused
""",
        lambda: bad_request(**{"category: hardware": "category: training"}),
        'CEL: NOT_FOUND: Key not found in map : "forecast_utilisation"',
    ),
    "template-range-of-a-billion": Case(
        "HX-RANGE",
        """\
    - id: HX-RANGE
      title: The vendor is not bare
      assert: vendor.id != "bare"
      message: "{% for i in range(1000000000) %}x{% endfor %}"
""",
        bad_request,
        "message template: range() makes more than 10,000 numbers",
    ),
    "template-loops-of-a-billion": Case(
        "HX-LOOPS",
        """\
    - id: HX-LOOPS
      title: The vendor is not bare
      assert: vendor.id != "bare"
      message: "{% for i in range(1000) %}{% for j in range(1000) %}{% for k in range(1000) %}\\
        {% endfor %}{% endfor %}{% endfor %}"
""",
        bad_request,
        "message template: rendering takes more than 100,000 operations",
    ),
    "template-huge-output": Case(
        "HX-OUTPUT",
        """\
    - id: HX-OUTPUT
      title: The vendor is not bare
      assert: vendor.id != "bare"
      message: "{% for i in range(5000) %}{{ vendor.legal_name }} {% endfor %}"
""",
        bad_request,
        "message template: the message is longer than 10,000 characters",
    ),
}


def governance(root: Path, rules: str) -> Path:
    """The base repository with the reference library, a policy of hostile rules, a vendor
    without an EcoVadis rating, and a second clean request."""
    shutil.copytree(BASE, root)
    shutil.copytree(builtin_directory(), root / "policies", ignore=shutil.ignore_patterns("tests"))
    config = root / "spendgate.yaml"
    config.write_text(config.read_text() + "policy_set: policies\n")
    (root / HOSTILE_POLICY).write_text(POLICY_HEAD + COMMON_RULES + rules)
    (root / "vendors" / "bare.yaml").write_text(bare_vendor())
    (root / "requests" / "pr-calm.yaml").write_text(
        request_text("PR-CALM", **{"Keyboards for the team": "Docking stations", "150": "50"})
    )
    return root


def decisions(cli: Cli, root: Path, *extra: str) -> tuple[int, dict[str, Any], str]:
    outcome = cli("check", root, "--as-of", AS_OF, "--format", "json", *extra)
    report = json.loads(outcome.stdout)
    return (
        outcome.exit_code,
        {decision["request_id"]: decision for decision in report["decisions"]},
        outcome.stderr,
    )


def rule_line(root: Path, rule_id: str) -> int:
    lines = (root / HOSTILE_POLICY).read_text().splitlines()
    return next(number for number, line in enumerate(lines, 1) if f"- id: {rule_id}" in line)


@pytest.mark.parametrize("name", list(CASES))
def test_a_rule_that_cannot_be_evaluated_fails_closed_on_that_request_alone(
    cli: Cli, tmp_path: Path, name: str
) -> None:
    case = CASES[name]
    root = governance(tmp_path / "governance", case.rule)
    _, before, _ = decisions(cli, root)
    (root / BAD_REQUEST).write_text(case.request())

    code, after, stderr = decisions(cli, root)

    assert (code, stderr) == (1, "")
    assert {"PR-TEST", "PR-CALM"} <= before.keys()
    assert {key: after[key] for key in before} == before
    bad = after["PR-BAD"]
    assert bad["status"] == "blocked"
    [finding] = [f for f in bad["findings"] if f["rule_id"] == case.rule_id]
    assert finding["enforcement"] == "hard"
    assert finding["message"] == (
        f"rule {case.rule_id} of policy hostile could not be evaluated for request PR-BAD: "
        f"{case.reason}; the rule fails closed"
    )
    location = finding["location"]
    assert (location["file"], location["line"]) == (HOSTILE_POLICY, rule_line(root, case.rule_id))


# --- the message sandbox's limits, one by one ------------------------------------------------


WIDE_FORMAT = "a format width above 99,999, or one taken from an argument"
LIMITS = {
    "{% for i in range(10001) %}{% endfor %}": "range() makes more than 10,000 numbers",
    "{% for i in range(10000) %}{% for j in range(10000) %}{% endfor %}{% endfor %}": (
        "rendering takes more than 100,000 operations"
    ),
    "{% for a in xs %}{% for b in xs %}{% endfor %}{% endfor %}": (
        "rendering takes more than 100,000 operations"
    ),
    "{% for i in range(10000) %}{{ 'ab' }}{% endfor %}": (
        "the message is longer than 10,000 characters"
    ),
    "{{ 'x' * 1000000000 }}": "a value of more than 100,000 characters or items",
    "{% set ns = namespace(s='x') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}"
    "{% endfor %}": "a value of more than 100,000 characters or items",
    "{% set s = 'xxxxxxxxxxxxxxxx' %}" + "{% set s %}{{ s }}{{ s }}{% endset %}" * 40: (
        "a value of more than 100,000 characters or items"
    ),
    "{% macro twice(s) %}{{ twice(s ~ s) }}{% endmacro %}{{ twice('x') }}": (
        "a value of more than 100,000 characters or items"
    ),
    "{{ 10 ** 100000 }}": "an integer of more than 4,096 bits",
    "{{ 'x'|center(1000000000) }}": "center() with 1,000,000,000, above 100,000",
    "{{ vendor.id.ljust(n) }}": "ljust() with 1,000,000,000, above 100,000",
    "{{ [1]|batch(n, 'x')|list }}": "batch() with 1,000,000,000, above 100,000",
    "{{ '%*d' % (n, 1) }}": WIDE_FORMAT,
    "{{ '{:>1000000000}'.format(1) }}": WIDE_FORMAT,
    "{{ '{:>{}}'.format(1, n) }}": WIDE_FORMAT,
    "{{ lipsum(1000000) }}": "'lipsum' is undefined",
    "{% macro again() %}{{ again() }}{% endmacro %}{{ again() }}": (
        "RecursionError: maximum recursion depth exceeded"
    ),
    "{{ vendor.id.__class__.__mro__ }}": (
        "access to attribute '__class__' of 'str' object is unsafe."
    ),
}
VARIABLES = {"vendor": {"id": "acme"}, "xs": list(range(1000)), "n": 1_000_000_000}


@pytest.mark.parametrize("template", list(LIMITS))
def test_each_limit_of_the_message_sandbox_stops_rendering_with_its_reason(template: str) -> None:
    with pytest.raises(RuleFailure) as failure:
        render(compile_message(template), VARIABLES)

    assert str(failure.value) == f"message template: {LIMITS[template]}"


def test_messages_within_the_limits_render_as_in_jinjas_own_sandbox() -> None:
    template = (
        "{{ vendor.id }}: {% for x in xs[:3] %}{{ x }},{% endfor %} {{ '%.1f' % 2.25 }} "
        "{{ '{:,}'.format(n) }} {{ 'ab' * 2 }} {{ 2 ** 10 }} {{ vendor.id|center(8) }}|"
        "{{ range(3)|list }} {{ vendor.id ~ '!' }}"
    )

    plain = SandboxedEnvironment().from_string(template).render(**VARIABLES)

    assert render(compile_message(template), VARIABLES) == " ".join(plain.split())
    assert (
        " ".join(plain.split()) == "acme: 0,1,2, 2.2 1,000,000,000 abab 1024 acme |[0, 1, 2] acme!"
    )


# --- a bug in spendgate while deciding one request -----------------------------------------


INTERNAL = "internal error while deciding this request: KeyError: 'it-ops/2027'; please report it"


def breaks_on(request_id: str) -> BuiltinCheck:
    """reference_exists as it would be with a bug that only this request's data reaches."""
    real = CHECKS["reference_exists"]

    def run(subject: Subject, params: Any) -> Iterator[Failure]:
        if subject.request.id == request_id:
            raise KeyError("it-ops/2027")
        return real.run(subject, params)

    return replace(real, run=run)


def with_check(book: PolicyBook, rule_id: str, check: BuiltinCheck) -> PolicyBook:
    policies = tuple(
        replace(
            policy,
            rules=tuple(
                replace(rule, check=check) if rule.id == rule_id else rule for rule in policy.rules
            ),
        )
        for policy in book.policies
    )
    return replace(book, policies=policies)


def decided(root: Path, book: PolicyBook | None = None) -> dict[str, Decision]:
    repository, config, loaded, problems = load(root)
    assert loaded is not None, problems
    engine = Engine(book or loaded, repository, config, date.fromisoformat(AS_OF))
    return {decision.request_id: decision for decision in engine.decide_all()}


def test_a_bug_on_one_request_makes_it_invalid_and_the_engine_decides_the_others(
    tmp_path: Path,
) -> None:
    root = governance(tmp_path / "governance", "")
    (root / BAD_REQUEST).write_text(bad_request())
    _, _, book, _ = load(root)
    assert book is not None

    clean = decided(root)
    broken = decided(root, with_check(book, "HX-VENDOR", breaks_on("PR-BAD")))

    assert {key: broken[key] for key in ("PR-TEST", "PR-CALM")} == {
        key: clean[key] for key in ("PR-TEST", "PR-CALM")
    }
    bad = broken["PR-BAD"]
    assert bad.status == "invalid"
    assert [(f.rule_id, f.message, str(f.location)) for f in bad.findings] == [
        ("internal-error", INTERNAL, BAD_REQUEST)
    ]


@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")  # a browser's thread may run
@pytest.mark.parametrize("processes", [1, 2])
def test_a_bug_on_one_request_exits_3_with_every_output_written(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, processes: int
) -> None:
    """The registry holds a real check with a bug; in two processes the forked one meets it or
    not (by the hash of the file), and the boundary holds in either."""
    if processes == 2:
        monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    root = governance(tmp_path / "governance", "")
    _, before, _ = decisions(cli, root)
    (root / BAD_REQUEST).write_text(bad_request())
    monkeypatch.setitem(CHECKS, "reference_exists", breaks_on("PR-BAD"))
    sarif = tmp_path / "out" / "check.sarif"
    junit = tmp_path / "out" / "check.xml"

    code, after, stderr = decisions(
        cli, root, "--output", f"sarif={sarif}", "--output", f"junit={junit}"
    )

    assert code == 3
    assert {key: after[key] for key in before} == before
    assert after["PR-BAD"]["status"] == "invalid"
    assert [f["message"] for f in after["PR-BAD"]["findings"]] == [INTERNAL]
    assert "Traceback" not in stderr
    assert stderr.startswith("spendgate: internal error while deciding 1 request(s);")
    assert INTERNAL in json.dumps(json.loads(sarif.read_text()))
    assert "internal error while deciding this request" in junit.read_text()
