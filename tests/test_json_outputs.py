"""`--format json` of explain, impact, policies list, test, validate, approve and audit verify
(issue 18): each document is exact, sorted, versioned and valid against its committed schema;
exit codes are those of the text; the text stays the default."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from spendgate import __version__
from spendgate.policy.library import builtin_directory
from tests.conftest import EXAMPLES, FIXTURES, PROJECT, Cli, GitUser, Outcome
from tests.test_approvals import git
from tests.test_audit import commit_all as committed

AS_OF = "2026-11-22"
HELGA = "helga.schmitt@northbridge-bank.eu"
LOG = "audit/decisions.jsonl"


def document(outcome: Outcome, schema_name: str) -> dict[str, Any]:
    """The JSON `outcome` printed, after checking it is written sorted and indented (the same
    inputs print the same bytes) and valid against `schemas/{schema_name}.schema.json`."""
    schema = json.loads((PROJECT / "schemas" / f"{schema_name}.schema.json").read_text())
    printed = json.loads(outcome.stdout)
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(printed, schema, cls=jsonschema.Draft202012Validator)
    assert (
        outcome.stdout == json.dumps(printed, indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )
    assert printed["spendgate_version"] == __version__
    return dict(printed)


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    """examples/bank as a git repository of one commit."""
    root = tmp_path / "bank"
    shutil.copytree(EXAMPLES / "bank", root)
    git(root, "init", "-q", "-b", "main")
    committed(root, "the bank")
    return root


@pytest.fixture
def governance(tmp_path: Path) -> Path:
    """The policy tests' base repository with its own copy of the reference policies and their
    test cases, committed on main."""
    root = tmp_path / "governance"
    shutil.copytree(PROJECT / "policies" / "tests" / "base", root)
    shutil.copytree(builtin_directory(), root / "policies")
    config = root / "spendgate.yaml"
    config.write_text(config.read_text() + "policy_set: policies\n")
    git(root, "init", "-q", "-b", "main")
    committed(root, "governance repository")
    return root


# --- explain ---------------------------------------------------------------------------------


def test_explain_json_is_checks_decision_with_its_trace(cli: Cli) -> None:
    explain = cli("explain", "NB-2026-0178", "--repo", EXAMPLES / "bank", "--as-of", AS_OF)
    outcome = cli(*_explain_args("NB-2026-0178"), "--format", "json")
    check = json.loads(cli("check", EXAMPLES / "bank", "--as-of", AS_OF, "--format", "json").stdout)

    report = document(outcome, "ExplainReport")
    decision = report["decision"]
    traces = {trace["rule_id"]: trace for trace in decision.pop("trace")}
    (checked,) = [d for d in check["decisions"] if d["request_id"] == "NB-2026-0178"]
    checked.pop("trace")
    assert (outcome.exit_code, outcome.stderr, explain.exit_code) == (0, "", 0)
    assert sorted(report) == ["approvals_bind_to", "decision", "spendgate_version"]
    assert decision == checked
    assert report["approvals_bind_to"] == {
        "digest_version": 2,
        "material_fields": [
            "id",
            "requester",
            "department",
            "cost_centre",
            "vendor",
            "submitted",
            "needed_by",
            "type",
            "renews",
            "amends",
            "line_items",
            "data",
            "ai_assessment",
            "integrates_with_ot",
            "benefits",
        ],
        "wording_fields": ["title", "justification", "status"],
    }
    rules = [line.split()[0] for line in _rules_considered(explain.stdout)]
    assert list(traces) == rules
    assert traces["DR-080"] == {
        "rule_id": "DR-080",
        "policy": "decision-rights",
        "effect": "require",
        "outcome": "not applicable",
        "detail": "`when` is false",
        "evidence": [
            [
                "request.in_year",
                [
                    {
                        "fiscal_year": 2027,
                        "amount_base": "170800.00",
                        "budget_remaining_base": "1450000.00",
                    },
                    {"fiscal_year": 2028, "amount_base": "16800.00"},
                    {"fiscal_year": 2029, "amount_base": "16800.00"},
                ],
            ]
        ],
    }
    assert traces["AI-010"]["evidence"] == [["ai.id", None]]
    assert traces["VR-015"]["evidence"] == [["vendor.sanctions.screened_on", "2026-10-14"]]
    assert decision["findings"][0]["evidence"] == [
        ["request.cost_centre", "it-infra"],
        ["request.in_year.fiscal_year", 2028],
        ["request.in_year.amount_base", "16800.00"],
    ]


def _explain_args(request_id: str) -> tuple[str | Path, ...]:
    return ("explain", request_id, "--repo", EXAMPLES / "bank", "--as-of", AS_OF)


def _rules_considered(text: str) -> list[str]:
    lines = text.splitlines()
    start = lines.index("  rules considered:") + 1
    return [line for line in lines[start:] if line.startswith("  ") and line[2] != " "][:-2]


def test_explain_of_an_unknown_request_is_a_usage_error_in_json_too(cli: Cli) -> None:
    outcome = cli(*_explain_args("NB-0000"), "--format", "json")

    assert (outcome.exit_code, outcome.stdout, outcome.stderr) == (
        2,
        "",
        f"spendgate: error: no request 'NB-0000' in {EXAMPLES / 'bank'}\n",
    )


# --- impact ----------------------------------------------------------------------------------


def test_impact_json_lists_each_changed_request_before_and_after(
    cli: Cli, governance: Path
) -> None:
    base = git(governance, "rev-parse", "HEAD").strip()
    git(governance, "checkout", "-q", "-b", "director-from-200")
    rights = governance / "policies" / "decision-rights.yaml"
    rights.write_text(
        rights.read_text().replace(
            "request.cumulative_total_base > 10000.0", "request.cumulative_total_base > 200.0"
        )
    )
    committed(governance, "the director approves above 200")

    outcome = cli("impact", governance, "--base", "main", "--as-of", AS_OF, "--format", "json")
    text = cli("impact", governance, "--base", "main", "--as-of", AS_OF)

    assert (outcome.exit_code, outcome.stderr) == (0, "")
    assert document(outcome, "ImpactReport") == {
        "spendgate_version": __version__,
        "base": base,
        "changed": [
            {
                "request_id": "PR-TEST",
                "file": "requests/pr-test.yaml",
                "before": {
                    "status": "pending",
                    "classification": "opex",
                    "roles": ["budget_owner"],
                },
                "after": {
                    "status": "pending",
                    "classification": "opex",
                    "roles": ["budget_owner", "director"],
                },
            }
        ],
        "summary": {"requests": 1, "changed": 1},
    }
    assert text.stdout.splitlines()[0] == "requests/pr-test.yaml: PR-TEST: route +director"


def test_impact_json_of_a_change_that_changes_nothing(cli: Cli, governance: Path) -> None:
    base = git(governance, "rev-parse", "HEAD").strip()

    outcome = cli("impact", governance, "--base", "main", "--as-of", AS_OF, "--format", "json")

    assert outcome.exit_code == 0
    assert document(outcome, "ImpactReport") == {
        "spendgate_version": __version__,
        "base": base,
        "changed": [],
        "summary": {"requests": 1, "changed": 0},
    }


def test_impact_of_a_change_whose_policies_do_not_compile_is_a_configuration_error(
    cli: Cli, governance: Path
) -> None:
    """Before, impact said `0 of 0 requests would be decided differently` and exited 0."""
    git(governance, "checkout", "-q", "-b", "typo")
    policy = governance / "policies" / "vendor-risk.yaml"
    policy.write_text(policy.read_text().replace("vendor.sanctions.status ==", "vendor.sanc ==", 1))
    committed(governance, "a typo")

    for output_format in ("text", "json"):
        outcome = cli("impact", governance, "--base", "main", "--format", output_format)

        assert (outcome.exit_code, outcome.stdout) == (2, "")
        assert outcome.stderr == (
            "policies/vendor-risk.yaml:16:15: [error] $.spec.rules[0].assert: unknown field "
            "vendor.sanc; did you mean vendor.sanctions? (policy)\n"
        )


# --- policies list ---------------------------------------------------------------------------


def test_policies_list_json_has_every_rule_the_text_lists(cli: Cli) -> None:
    outcome = cli("policies", "list", EXAMPLES / "bank", "--format", "json")
    text = cli("policies", "list", EXAMPLES / "bank")

    listing = document(outcome, "PolicyRules")
    rows = [line.split()[:5] for line in text.stdout.splitlines()[1:-1]]
    assert (outcome.exit_code, outcome.stderr) == (0, "")
    assert (listing["policy_set"], listing["policies"]) == (
        {"name": "spendgate-reference", "version": "1.1.0"},
        12,
    )
    assert [
        [rule["id"], rule["policy"], rule["policy_version"], rule["enforcement"], rule["effect"]]
        for rule in listing["rules"]
    ] == rows
    assert len(rows) == 59
    assert listing["rules"][0] == {
        "id": "AI-010",
        "title": "Prohibited AI practices are not bought",
        "description": "",
        "policy": "ai-procurement",
        "policy_version": "1.1.0",
        "owner": "compliance",
        "effect": "assert",
        "enforcement": "hard",
        "fix": "Do not buy it: the EU AI Act (Article 5) prohibits the practice. Correct "
        "ai.eu_ai_act.risk_tier in the AI assessment only if the assessment was wrong.",
        "waiver_granters": ["matthias.koch"],
        "location": {
            "file": "ai-procurement.yaml",
            "line": 17,
            "column": 11,
            "yaml_path": "$.spec.rules[0].id",
        },
    }


def test_policies_that_do_not_compile_still_say_so_as_text_on_stderr(
    cli: Cli, governance: Path
) -> None:
    policy = governance / "policies" / "vendor-risk.yaml"
    policy.write_text(policy.read_text().replace("vendor.sanctions.status ==", "vendor.sanc ==", 1))

    outcome = cli("policies", "list", governance, "--format", "json")

    assert (outcome.exit_code, outcome.stdout) == (2, "")
    assert outcome.stderr.startswith("policies/vendor-risk.yaml:")
    assert outcome.stderr.endswith(
        ": unknown field vendor.sanc; did you mean vendor.sanctions? (policy)\n"
    )


# --- test ------------------------------------------------------------------------------------


def test_policy_test_json_gives_each_case_and_the_totals(cli: Cli, governance: Path) -> None:
    esg = governance / "policies" / "esg.yaml"
    esg.write_text(esg.read_text().replace("score >= 45", "score >= 20"))

    outcome = cli("test", governance, "-k", "ESG-010", "--format", "json")
    text = cli("test", governance, "-k", "ESG-010")

    assert (outcome.exit_code, outcome.stderr, text.exit_code) == (1, "", 1)
    cases = document(outcome, "PolicyTestReport")
    assert cases == {
        "spendgate_version": __version__,
        "cases": [
            _case("ESG-010-fires-low-ecovadis", ["expected ESG-010 to fire; findings: []"]),
            _case("ESG-010-fires-no-ecovadis", []),
            _case("ESG-010-fires-stale-medal", ["expected ESG-010 to fire; findings: []"]),
            _case("ESG-010-quiet-current-medal", []),
            _case("ESG-010-quiet-score-45", []),
            _case("ESG-010-quiet-small-request", []),
        ],
        "summary": {"cases": 6, "passed": 4, "failed": 2},
    }
    assert text.stdout.splitlines()[-1] == "4 passed, 2 failed"


#: What each case used here says of itself in its expect.yaml.
DESCRIPTIONS = {
    "ESG-010-fires-low-ecovadis": "Above 100,000 an EcoVadis score of 40 without a medal (ESG-010)",
    "ESG-010-fires-no-ecovadis": "Above 100,000 a vendor without an EcoVadis rating (ESG-010)",
    "ESG-010-fires-stale-medal": "A low score with a medal assessed more than 12 months ago "
    "(ESG-010)",
    "ESG-010-quiet-current-medal": "A low score with a medal assessed within 12 months passes "
    "(ESG-010)",
    "ESG-010-quiet-score-45": "A score of 45 without a medal passes (ESG-010)",
    "ESG-010-quiet-small-request": "At or under 100,000 EcoVadis is not checked (ESG-010)",
    "base-is-clean": "The base purchase raises no finding and needs only its budget owner",
}


def _case(name: str, differences: list[str]) -> dict[str, Any]:
    return {
        "name": name,
        "description": DESCRIPTIONS[name],
        "passed": not differences,
        "differences": differences,
    }


def test_policy_test_json_when_every_case_passes(cli: Cli, governance: Path) -> None:
    outcome = cli("test", governance, "-k", "base-is-clean", "--format", "json")

    assert outcome.exit_code == 0
    assert document(outcome, "PolicyTestReport") == {
        "spendgate_version": __version__,
        "cases": [_case("base-is-clean", [])],
        "summary": {"cases": 1, "passed": 1, "failed": 0},
    }


# --- validate --------------------------------------------------------------------------------


def test_validate_json_of_a_valid_repository(cli: Cli) -> None:
    outcome = cli("validate", FIXTURES / "minimal", "--format", "json")

    assert (outcome.exit_code, outcome.stderr) == (0, "")
    assert document(outcome, "ValidationReport") == {
        "spendgate_version": __version__,
        "root": str(FIXTURES / "minimal"),
        "valid": True,
        "summary": {"files": 5, "documents": 5, "errors": 0, "warnings": 0},
        "problems": [],
    }


def test_validate_json_of_an_invalid_repository(cli: Cli, minimal_repo: Path) -> None:
    vendor = minimal_repo / "vendors" / "nordlys.yaml"
    shutil.copy(vendor, minimal_repo / "vendors" / "copy.yaml")

    outcome = cli("validate", minimal_repo, "--format", "json")

    assert (outcome.exit_code, outcome.stderr) == (1, "")
    assert document(outcome, "ValidationReport") == {
        "spendgate_version": __version__,
        "root": str(minimal_repo),
        "valid": False,
        "summary": {"files": 6, "documents": 6, "errors": 1, "warnings": 0},
        "problems": [
            {
                "file": "vendors/nordlys.yaml",
                "line": 3,
                "column": 5,
                "yaml_path": "$.id",
                "level": "error",
                "severity": "document",
                "code": "duplicate-id",
                "message": "duplicate vendor id 'nordlys'; first defined at vendors/copy.yaml:3:5",
                "related": [{"file": "vendors/copy.yaml", "line": 3, "column": 5}],
            }
        ],
    }


# --- approve ---------------------------------------------------------------------------------


def _approve(cli: Cli, bank: Path, *extra: str) -> Outcome:
    return cli(
        "approve",
        "NB-2026-0178",
        "--role",
        "financial_controller",
        "--repo",
        bank,
        "--format",
        "json",
        *extra,
    )


def _written(**changes: Any) -> dict[str, Any]:
    return {
        "spendgate_version": __version__,
        "path": "approvals/NB-2026-0178/financial_controller-helga.schmitt.yaml",
        "request_id": "NB-2026-0178",
        "change": None,
        "role": "financial_controller",
        "approver": "helga.schmitt",
        "decision": "approve",
        "written_by": None,
        "new": True,
        "replaced": None,
        **changes,
    }


def test_approve_json_says_what_it_wrote_and_what_it_replaced(
    cli: Cli, bank: Path, git_user: GitUser
) -> None:
    git_user(HELGA)
    first = _approve(cli, bank, "--on", "2026-11-22")
    again = _approve(cli, bank, "--on", "2026-11-22")
    request = bank / "requests" / "2026" / "NB-2026-0178.yaml"
    request.write_text(request.read_text().replace("unit_price: 38500", "unit_price: 38000"))
    after_a_change = _approve(cli, bank, "--on", "2026-11-23", "--reject")

    assert (first.exit_code, first.stderr) == (0, "")
    assert document(first, "ApprovalResult") == _written()
    assert (again.exit_code, again.stdout, again.stderr) == (
        1,
        "",
        "spendgate: error: the financial_controller step of NB-2026-0178 is already filled by "
        "helga.schmitt\n",
    )
    assert after_a_change.exit_code == 0
    assert document(after_a_change, "ApprovalResult") == _written(
        decision="reject",
        new=False,
        replaced="the record of 2026-11-22, which a change to NB-2026-0178 voided",
    )


def test_approve_json_of_a_change_written_on_someone_elses_behalf(
    cli: Cli, bank: Path, git_user: GitUser
) -> None:
    git_user(HELGA)
    outcome = cli(
        "approve",
        "--change",
        "vendors/kestrel-systems.yaml",
        "--role",
        "procurement",
        "--as",
        "lena.hoffmann",
        "--repo",
        bank,
        "--on",
        AS_OF,
        "--format",
        "json",
    )

    assert outcome.exit_code == 0
    written = document(outcome, "ApprovalResult")
    assert written == {
        "spendgate_version": __version__,
        "path": "approvals/governance/vendors-kestrel-systems-lena.hoffmann.yaml",
        "request_id": None,
        "change": "vendors/kestrel-systems.yaml",
        "role": "procurement",
        "approver": "lena.hoffmann",
        "decision": "approve",
        "written_by": "helga.schmitt",
        "new": True,
        "replaced": None,
    }
    assert outcome.stderr == (
        "spendgate: warning: you are not lena.hoffmann: this approval is written on "
        "lena.hoffmann's behalf by helga.schmitt, the record says so, and it never counts as "
        "lena.hoffmann's own (unverified whoever commits it: it counts only where "
        "approvals.require_authenticity is none)\n"
    )
    schema = json.loads((PROJECT / "schemas" / "ApprovalResult.schema.json").read_text())
    with pytest.raises(jsonschema.ValidationError, match="Additional properties"):
        jsonschema.validate({**written, "extra": 1}, schema, cls=jsonschema.Draft202012Validator)


# --- audit verify ----------------------------------------------------------------------------


@pytest.fixture
def recorded(cli: Cli, bank: Path) -> Path:
    """The bank with its twelve decisions recorded and committed."""
    assert cli("audit", "record", bank, "--as-of", AS_OF).exit_code == 0
    committed(bank, "the decision log")
    return bank


def _head(root: Path) -> str:
    return str(json.loads((root / LOG).read_text().splitlines()[-1])["hash"])


def test_audit_verify_json_of_an_intact_anchored_log(cli: Cli, recorded: Path) -> None:
    head = _head(recorded)

    outcome = cli(
        "audit", "verify", recorded, "--anchor", head, "--base", "HEAD", "--format", "json"
    )

    assert (outcome.exit_code, outcome.stderr) == (0, "")
    held = {"hash": head, "line": 12, "problems": [], "absent": False, "held": True}
    assert document(outcome, "AuditVerification") == {
        "spendgate_version": __version__,
        "log": LOG,
        "records": 12,
        "head": head,
        "intact": True,
        "first_problem": None,
        "problems": [],
        "notes": [],
        "anchors": [{**held, "revision": None}, {**held, "revision": "HEAD"}],
    }


def test_audit_verify_json_names_the_first_break_by_line(cli: Cli, recorded: Path) -> None:
    lines = (recorded / LOG).read_text().splitlines(keepends=True)
    record = json.loads(lines[2])
    record["decision"]["title"] = "edited"
    lines[2] = json.dumps(record, separators=(",", ":")) + "\n"
    (recorded / LOG).write_text("".join(lines))

    outcome = cli("audit", "verify", recorded, "--format", "json")

    report = document(outcome, "AuditVerification")
    edited = {
        "location": {"file": LOG, "line": 3, "column": 1, "yaml_path": "$"},
        "message": f"record {record['decision_id']}: its hash does not match its content: the "
        "record was edited",
        "code": "audit-hash",
        "level": "error",
        "severity": "document",
        "related": [],
    }
    assert (outcome.exit_code, outcome.stderr) == (1, "")
    assert (report["intact"], report["records"], report["first_problem"]) == (False, 12, edited)
    assert report["problems"] == [edited]


# --- the text stays the default --------------------------------------------------------------


@pytest.mark.parametrize(
    "arguments",
    [
        _explain_args("NB-2026-0178"),
        ("policies", "list", EXAMPLES / "bank"),
        ("validate", FIXTURES / "minimal"),
    ],
    ids=["explain", "policies list", "validate"],
)
def test_text_is_the_default_format(cli: Cli, arguments: tuple[str | Path, ...]) -> None:
    default = cli(*arguments)

    assert cli(*arguments, "--format", "text") == default
    assert not default.stdout.startswith("{")


def test_the_text_of_policies_list_is_unchanged(cli: Cli) -> None:
    outcome = cli("policies", "list", EXAMPLES / "bank")
    lines = outcome.stdout.splitlines()

    assert (outcome.exit_code, len(lines)) == (0, 61)
    assert lines[:2] == [
        "RULE       POLICY                   VERSION  ENFORCE   EFFECT   TITLE",
        "AI-010     ai-procurement           1.1.0    hard      assert   Prohibited AI practices "
        "are not bought",
    ]
    assert lines[-1] == "59 rules in 12 policies of spendgate-reference 1.1.0"
