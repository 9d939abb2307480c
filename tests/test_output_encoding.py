"""Outputs that data cannot forge or break (issue 14): every format of `check`, and the text of
`validate`, `explain` and `impact`, on a repository whose documents and file names are hostile.

The repository is the test base (policies/tests/base) plus four requests: a title holding a line
break and a forged workflow command, a mapping key holding the same, a file name that is not
UTF-8, and a title and a file name holding GitHub's old command syntax `##[`, bidi and terminal
controls and Markdown math. Every format must report it with exit code 1, stay valid, show the
data as data, and decide the untouched request as it is decided without them.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any
from urllib.parse import unquote_to_bytes

import pytest
from jsonschema.validators import validator_for

from spendgate.decisions import Impact
from spendgate.decisions import ImpactOutcome as Outcome
from spendgate.documents.located_yaml import yaml_path
from spendgate.reporters import escaping, impact_text
from spendgate.reporters.formats import CHECK_FORMATS
from tests.conftest import PROJECT, TESTS, Cli

BASE = PROJECT / "policies" / "tests" / "base"
AS_OF = "2026-11-22"
SARIF_SCHEMA = TESTS / "data" / "sarif-schema-2.1.0.json"

FORGED = "::error file=requests/x.yaml,line=1::approved by the CFO"
HOSTILE_TITLE = f"Laptops\n{FORGED}"
HOSTILE_KEY = "x\n::error file=requests/y.yaml,line=2::forged"
#: Where the loader says the key is; the text formats show any line break in it as `\n`.
KEY_PATH = yaml_path(("line_items", 0, HOSTILE_KEY))
KEY_PATH_SHOWN = KEY_PATH.replace("\n", "\\n")
UNKNOWN_KEY = "unknown field 'x\\n::error file=requests/y.yaml,line=2::forged'"
#: GitHub's old command syntax, which the runner obeys anywhere in a line; a right-to-left
#: override; Markdown math; a terminal colour.
OLD_SYNTAX_TITLE = "Mice \u202e$x$ ##[error]forged \x1b[31mred"
OLD_SYNTAX_FILE = "##[warning]old.yaml"
UNDECODABLE = b"\xff.yaml"


def request_text(request_id: str, price: int, *, title: str = "", extra: str = "") -> str:
    """The base's clean request as another one, small enough not to change how it is decided."""
    text = (BASE / "requests" / "pr-test.yaml").read_text(encoding="utf-8")
    text = text.replace("PR-TEST", request_id).replace("unit_price: 150", f"unit_price: {price}")
    if title:
        text = text.replace("title: Keyboards for the team", f"title: {json.dumps(title)}")
    if extra:
        text = text.replace("  - description: Keyboard\n", f"  - description: Keyboard\n{extra}")
    return text


@pytest.fixture
def hostile(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    requests = root / "requests"
    (requests / "title.yaml").write_text(
        request_text("PR-TITLE", 10, title=HOSTILE_TITLE), encoding="utf-8"
    )
    key = f"    {json.dumps(HOSTILE_KEY)}: 1\n"
    (requests / "key.yaml").write_text(request_text("PR-KEY", 10, extra=key), encoding="utf-8")
    (requests / OLD_SYNTAX_FILE).write_text(
        request_text("PR-OLD", 2, title=OLD_SYNTAX_TITLE), encoding="utf-8"
    )
    # Submitted in a fiscal year without a budget, so that it has a finding (DR-090) at its place.
    undecodable = request_text("PR-BYTES", 5).replace("2026-11-02", "2025-06-02")
    try:  # os.fsdecode: the name as Python holds it, \xff as the surrogate U+DCFF
        (requests / os.fsdecode(UNDECODABLE)).write_text(undecodable, encoding="utf-8")
    except OSError:  # a file system that only holds UTF-8 names (macOS): nothing to test
        pytest.skip("this file system refuses a file name that is not UTF-8")
    return root


@pytest.fixture
def clean(tmp_path: Path) -> Path:
    root = tmp_path / "clean"
    shutil.copytree(BASE, root)
    return root


def check(cli: Cli, root: Path, output_format: str) -> str:
    outcome = cli("check", root, "--as-of", AS_OF, "--format", output_format)
    assert (outcome.exit_code, outcome.stderr) == (1, "")
    return outcome.stdout


# What GitHub's runner obeys -------------------------------------------------------------------


def unescape(value: str, pairs: tuple[tuple[str, str], ...]) -> str:
    for escaped, char in pairs:
        value = value.replace(escaped, char)
    return value


DATA_ESCAPES = (("%0D", "\r"), ("%0A", "\n"), ("%25", "%"))
PROPERTY_ESCAPES = (("%0D", "\r"), ("%0A", "\n"), ("%3A", ":"), ("%2C", ","), ("%25", "%"))


def runner_commands(log: str) -> list[tuple[str, dict[str, str], str]]:
    """The workflow commands GitHub's runner reads in a step's log, decoded as it decodes them.

    As actions/runner's ActionCommand does: each line (split at CR, LF or CRLF) is a command if
    it starts with `::name props::data` after leading white space, or else if it holds the old
    `##[name props]data` anywhere. Every name counts here, not only the registered ones.
    """
    commands = []
    for line in re.split(r"\r\n|\r|\n", log):
        body = line.lstrip()
        end = body.find("::", 2)
        if body.startswith("::") and end >= 0:
            name, _, listed = body[2:end].partition(" ")
            pairs = [item.split("=", 1) for item in listed.strip().split(",") if "=" in item]
            properties = {key: unescape(value, PROPERTY_ESCAPES) for key, value in pairs}
            commands.append((name, properties, unescape(body[end + 2 :], DATA_ESCAPES)))
        elif "##[" in line and "]" in line[line.index("##[") :]:
            commands.append(("old syntax", {}, line[line.index("##[") :]))
    return commands


# Every format ---------------------------------------------------------------------------------


def test_every_format_reports_the_hostile_repository_with_exit_code_1(
    cli: Cli, hostile: Path
) -> None:
    for output_format in CHECK_FORMATS:
        outcome = cli("check", hostile, "--as-of", AS_OF, "--format", output_format)
        assert (output_format, outcome.exit_code, outcome.stderr) == (output_format, 1, "")
        assert "PR-BYTES" in outcome.stdout


def test_no_format_holds_a_line_that_a_github_runner_would_obey_but_spendgate_did_not_write(
    cli: Cli, hostile: Path
) -> None:
    for output_format in ("text", "json", "sarif", "junit", "markdown"):
        assert runner_commands(check(cli, hostile, output_format)) == [], output_format


def test_the_github_log_holds_exactly_the_commands_spendgate_writes(
    cli: Cli, hostile: Path
) -> None:
    log = check(cli, hostile, "github")

    def group(title: str) -> list[tuple[str, dict[str, str], str]]:
        return [("group", {}, title)]

    end: list[tuple[str, dict[str, str], str]] = [("endgroup", {}, "")]
    schema_error = (
        "error",
        {"file": f"{hostile}/requests/key.yaml", "line": "14", "col": "5", "title": "schema"},
        f"{KEY_PATH}: {UNKNOWN_KEY}",
    )
    budget_check = (
        "error",
        {
            "file": f"{hostile}/requests/\\xff.yaml",
            "line": "8",
            "col": "14",
            "title": "DR-090 The request's cost centre has a budget for the fiscal year its "
            "spending starts in",
        },
        "PR-BYTES: $.cost_centre: cost centre it-ops has no budget for fiscal year 2025, in which "
        "20.00 EUR of this request falls\n"
        "fix: Ask the budget owner to add a budget for the cost centre and fiscal year to "
        "org/budgets.yaml, or move the start date into a year that has one.\n"
        "soft: a waiver can lift it: a Waiver in waivers/ with rules: [DR-090] and applies_to: "
        "[PR-BYTES], approved and committed by a holder of procurement (procurement), "
        "never the requester.",
    )
    escalated = (
        "warning",
        {
            "file": f"{hostile}/requests/\\xff.yaml",
            "line": "6",
            "col": "12",
            "title": "DR-005 The budget owner approves every request",
        },
        "PR-BYTES: $.requester: the budget owner approves this request, but nobody holds that "
        "role; the step passes up the decision-rights escalation chain to the line manager "
        "(manager)",
    )
    assert runner_commands(log) == [
        *group(r"PR-OLD [pending] Mice \u202e$x$ ##\x5berror]forged \x1b[31mred"),
        *end,
        *group("? [invalid] (does not load)"),
        schema_error,
        *end,
        *group("PR-TEST [pending] Keyboards for the team"),
        *end,
        *group(f"PR-TITLE [pending] Laptops {FORGED}"),
        *end,
        *group("PR-BYTES [blocked] Keyboards for the team"),
        escalated,
        budget_check,
        *end,
    ]
    schema_line = f"::error file={hostile}/requests/key.yaml,line=14,col=5,title=schema::"
    assert f"{schema_line}{escaping.workflow_data(KEY_PATH)}: {UNKNOWN_KEY}\n" in log


# Text -----------------------------------------------------------------------------------------


def test_the_text_report_keeps_each_value_on_its_line(cli: Cli, hostile: Path) -> None:
    text = check(cli, hostile, "text")

    blocks = text.split("\n\n")
    assert blocks[0] == (
        r"PR-OLD [pending] Mice \u202e$x$ ##\x5berror]forged \x1b[31mred" + "\n"
        r"  requests/##\x5bwarning]old.yaml: 8.00 EUR, opex" + "\n"
        "  route:\n"
        "    stage 1 budget_owner (DR-005): [ ] waiting; may approve: director"
    )
    assert blocks[1] == (
        "? [invalid] (does not load)\n"
        "  requests/key.yaml: 0.00 EUR, none\n"
        f"  requests/key.yaml:14:5: [error] {KEY_PATH_SHOWN}: {UNKNOWN_KEY} (schema)"
    )
    assert blocks[3].splitlines()[0] == rf"PR-TITLE [pending] Laptops\n{FORGED}"
    assert blocks[4].splitlines()[:2] == [
        "PR-BYTES [blocked] Keyboards for the team",
        r"  requests/\xff.yaml: 20.00 EUR, opex",
    ]
    assert not any(line.lstrip().startswith(("::", "approved by")) for line in text.splitlines())


def test_validate_explain_and_impact_keep_each_value_on_its_line(cli: Cli, hostile: Path) -> None:
    validated = cli("validate", hostile)
    explained = cli("explain", "PR-TITLE", "--repo", hostile, "--as-of", AS_OF)

    assert validated.exit_code == 1
    assert (
        f"requests/key.yaml:14:5: [error] {KEY_PATH_SHOWN}: {UNKNOWN_KEY} (schema)\n"
    ) in validated.stdout
    assert explained.exit_code == 0  # explain shows a decision; it does not gate
    assert explained.stdout.startswith(rf"PR-TITLE [pending] Laptops\n{FORGED}" + "\n")
    assert runner_commands(validated.stdout) == runner_commands(explained.stdout) == []

    before, after = Outcome("pending", "opex", ()), Outcome("blocked", "opex", ())
    changed = (("PR-X\n::warning::", "requests/\udcff.yaml", before, after),)
    assert impact_text.render(Impact("0123456789abcdef", 1, changed)) == (
        r"requests/\xff.yaml: PR-X\n::warning::: status pending -> blocked" + "\n"
        "1 of 1 requests would be decided differently under this change's rules than under "
        "those of 0123456789ab\n"
    )


# Machine formats ------------------------------------------------------------------------------


def decisions_by_id(report: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {decision["request_id"]: decision for decision in report["decisions"]}


def test_json_is_valid_and_the_untouched_request_is_decided_as_before(
    cli: Cli, hostile: Path, clean: Path
) -> None:
    output = check(cli, hostile, "json")
    output.encode("utf-8")  # no lone surrogate: it encodes

    report = json.loads(output)
    decisions = decisions_by_id(report)
    before = decisions_by_id(json.loads(check(cli, clean, "json")))
    assert decisions["PR-TEST"] == before["PR-TEST"]
    assert decisions["PR-TITLE"]["title"] == HOSTILE_TITLE
    assert decisions["PR-OLD"]["title"] == OLD_SYNTAX_TITLE  # `\u005b` decodes to `[`
    assert decisions["PR-OLD"]["file"] == f"requests/{OLD_SYNTAX_FILE}"
    assert decisions["PR-BYTES"]["file"] == "requests/\ufffd.yaml"
    assert [d["status"] for d in report["decisions"]] == [
        "pending", "invalid", "pending", "pending", "blocked"
    ]  # fmt: skip
    assert "##[" not in output


def test_sarif_is_valid_for_the_official_schema_and_its_uris_name_the_files(
    cli: Cli, hostile: Path
) -> None:
    output = check(cli, hostile, "sarif")
    output.encode("utf-8")

    log = json.loads(output)
    schema = json.loads(SARIF_SCHEMA.read_text(encoding="utf-8"))
    validator = validator_for(schema)(schema)
    assert [error.message for error in validator.iter_errors(log)] == []
    uris = {
        location["physicalLocation"]["artifactLocation"]["uri"]
        for result in log["runs"][0]["results"]
        for location in result["locations"]
    }
    assert uris == {"requests/key.yaml", "requests/%FF.yaml"}
    assert unquote_to_bytes("requests/%FF.yaml") == b"requests/" + UNDECODABLE
    assert all(re.fullmatch(r"[A-Za-z0-9\-._~!$&'()*+,;=:@/%]+", uri) for uri in uris)
    results = log["runs"][0]["results"]
    assert [result["message"]["text"] for result in results] == [
        f"The request file requests/key.yaml: {UNKNOWN_KEY}.",
        "Request PR-BYTES: the budget owner approves this request, but nobody holds that role; "
        "the step passes up the decision-rights escalation chain to the line manager (manager).",
        "Request PR-BYTES: cost centre it-ops has no budget for fiscal year 2025, in which 20.00 "
        "EUR of this request falls.",
    ]
    assert results[0]["properties"]["yamlPath"] == KEY_PATH
    assert results[2]["properties"]["requestFile"] == "requests/\ufffd.yaml"
    assert "##[" not in output


def test_junit_is_well_formed_xml_that_holds_the_data(cli: Cli, hostile: Path) -> None:
    output = check(cli, hostile, "junit")

    top = ET.fromstring(output.encode("utf-8"))
    suites = {suite.attrib["name"]: suite for suite in top}
    assert suites["PR-BYTES"].attrib["file"] == f"{hostile}/requests/\ufffd.yaml"
    title = suites["PR-OLD"].find("properties/property[@name='title']")
    assert title is not None  # XML 1.0 cannot hold ESC, even as a reference: U+FFFD
    assert title.attrib["value"] == "Mice \u202e$x$ ##[error]forged \ufffd[31mred"
    assert "##[" not in output


def test_markdown_shows_hostile_titles_as_text(cli: Cli, hostile: Path) -> None:
    comment = check(cli, hostile, "markdown")

    rows = [line for line in comment.splitlines() if line.startswith("| PR-")]
    assert rows[0] == "| PR-BYTES | ❌ blocked | 20.00 EUR | opex | Keyboards for the team |"
    assert rows[1] == (
        r"| PR-OLD | ⏳ pending | 8.00 EUR | opex | Mice \\u202e\$x\$ \#\#\[error\]forged "
        r"\\x1b\[31mred |"
    )
    assert rows[3] == (
        "| PR-TITLE | ⏳ pending | 40.00 EUR | opex "
        "| Laptops<br>::error file=requests/x.yaml,line=1::approved by the CFO |"
    )
    assert r"**pending** · 8.00 EUR · opex · `requests/##\x5bwarning]old.yaml`" in comment
    assert r"**blocked** · 20.00 EUR · opex · `requests/\xff.yaml`" in comment
    controls = {char for char in comment if ord(char) < 0x20 or 0x7F <= ord(char) <= 0x9F}
    assert (controls, "\u202e" in comment) == ({"\n"}, False)


# The escaping rules, one by one ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "line"),
    [
        ("Laptops\n::error::x", r"Laptops\n::error::x"),
        ("a\r\nb\tc", r"a\r\nb\tc"),
        ("\x00\x1b[31m\x7f\x85\x9f", r"\x00\x1b[31m\x7f\x85\x9f"),
        ("\u2028\u2029\u202a\u202e", r"\u2028\u2029\u202a\u202e"),
        ("\u2066\u2069\u200e\u200f\u061c", r"\u2066\u2069\u200e\u200f\u061c"),
        ("requests/\udcff\udc80.yaml", r"requests/\xff\x80.yaml"),
        ("\ud800", r"\ud800"),
        ("::warning::x", r"\x3a:warning::x"),
        ("  \t::x::", r"  \t::x::"),
        ("   ::x::", r"   \x3a:x::"),
        ("a ##[error]b ###[c", r"a ##\x5berror]b ###\x5bc"),
        ("C:\\path\\n ünïcödé €", "C:\\path\\n ünïcödé €"),
    ],
)  # fmt: skip
def test_text_line(value: str, line: str) -> None:
    assert escaping.text_line(value) == line
    assert escaping.text_line(line) == line  # idempotent: escaped values may be escaped again


def test_workflow_command_escaping_follows_the_runner() -> None:
    assert escaping.workflow_data("50% a: b, c\r\nd") == "50%25 a: b, c%0D%0Ad"
    assert escaping.workflow_property("50% a: b, c\r\nd") == "50%25 a%3A b%2C c%0D%0Ad"
    assert escaping.workflow_data("%0A") == "%250A"
    assert escaping.workflow_data("\x1b[31m\u202e\udcff\t") == r"\x1b[31m\u202e\xff\t"


def test_markdown_escaping() -> None:
    assert escaping.markdown_inline("$x$ <b>&</b> - [x] @cfo\n#1 \x1b") == (
        r"\$x\$ &lt;b&gt;&amp;&lt;/b&gt; - \[x\] @&#8203;cfo<br>\#1 \\x1b"
    )
    assert escaping.markdown_code("a`b\nc") == r"`` a`b\nc ``"


def test_xml_json_and_uri_escaping() -> None:
    assert escaping.xml_text("a\x00b\x1b\udcff\ufffe\t\n") == "a\ufffdb\ufffd\ufffd\ufffd\t\n"
    assert escaping.json_safe({"k\udcff": ["v\udcff", ("w",)], "n": 1}) == {
        "k\ufffd": ["v\ufffd", ["w"]],
        "n": 1,
    }
    assert escaping.json_document('{"a": "##[error]b"}') == '{"a": "##\\u005berror]b"}'
    assert json.loads(escaping.json_document('{"a": "##[error]b"}')) == {"a": "##[error]b"}
    assert escaping.xml_document('<a b="##[x]">##[y]</a>') == '<a b="##&#91;x]">##&#91;y]</a>'
    assert escaping.uri_path("requests/\udcff a#?%.yaml") == "requests/%FF%20a%23%3F%25.yaml"
    assert escaping.uri_path("café/ü.yaml") == "caf%C3%A9/%C3%BC.yaml"


def test_an_error_message_cannot_start_a_command_line(cli: Cli, tmp_path: Path) -> None:
    """Messages of errors hold data too (a path, git's stderr): they are escaped like any line."""
    missing = tmp_path / f"nowhere\n{FORGED}"

    outcome = cli("check", missing)

    assert (outcome.exit_code, outcome.stdout) == (2, "")
    assert outcome.stderr == (
        f"spendgate: error: {tmp_path}/nowhere\\n::error file=requests/x.yaml,line=1::"
        "approved by the CFO does not exist\n"
    )
    assert runner_commands(outcome.stderr) == []


def test_policies_list_escapes_rule_titles(cli: Cli, tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    (root / "policies").mkdir()
    (root / "policies" / "p.yaml").write_text(
        "apiVersion: spendgate/v1\nkind: Policy\n"
        "metadata: {name: p, version: 1.0.0, owner: procurement}\n"
        "spec:\n  rules:\n    - id: P-1\n"
        f"      title: {json.dumps(HOSTILE_TITLE)}\n"
        "      assert: 'true'\n"
    )
    config = root / "spendgate.yaml"
    config.write_text(config.read_text() + "policy_set: policies\n")

    outcome = cli("policies", "list", root)

    assert outcome.exit_code == 0, outcome
    assert runner_commands(outcome.stdout) == []
    assert (
        "P-1        p                        1.0.0    hard      assert   Laptops\\n::error "
        "file=requests/x.yaml,line=1::approved by the CFO\n"
    ) in outcome.stdout
