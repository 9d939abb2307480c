"""check, explain, policies list and test: decisions, exit codes, evidence, policy errors."""

from __future__ import annotations

import shutil
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from spendgate.documents.repository import open_repository
from spendgate.policy.engine import Engine
from spendgate.policy.library import builtin_directory, load_policy_book
from spendgate.policy.testing import discover, run_case
from spendgate.reporters.escaping import evidence_text
from tests.conftest import EXAMPLES, PROJECT, Cli
from tests.test_approvals import git
from tests.test_audit import commit_all

AS_OF = "2026-11-22"

CASES = PROJECT / "policies" / "tests"
BOOK = load_policy_book(open_repository(PROJECT))


@pytest.mark.parametrize("case", discover(CASES), ids=lambda case: case.name)
def test_reference_policy_case(case: Path) -> None:
    result = run_case(case, CASES / "base", BOOK)
    assert result.differences == ()


def test_every_reference_rule_has_a_case_that_fires_and_one_that_does_not() -> None:
    """Unconditional steps and classification tables always apply: they need no quiet case."""
    names = [case.name for case in discover(CASES)]
    for _, rule in BOOK.rules:
        assert any(name.startswith(f"{rule.id}-fires") for name in names), rule.id
        if rule.when is not None or rule.effect in ("assert", "check"):
            assert any(name.startswith(f"{rule.id}-quiet") for name in names), rule.id


@pytest.fixture
def repo_with_policies(tmp_path: Path) -> Path:
    """The test base repository with its own copy of the reference policies."""
    root = tmp_path / "repo"
    shutil.copytree(CASES / "base", root)
    shutil.copytree(builtin_directory(), root / "policies", ignore=shutil.ignore_patterns("tests"))
    config = root / "spendgate.yaml"
    config.write_text(config.read_text() + "policy_set: policies\n")
    return root


def test_a_cel_typo_is_a_located_policy_error(cli: Cli, repo_with_policies: Path) -> None:
    policy = repo_with_policies / "policies" / "vendor-risk.yaml"
    text = policy.read_text()
    policy.write_text(
        text.replace('assert: vendor.status != "blocked"', 'assert: vendor.status != "blocked" &&')
    )

    outcome = cli("check", repo_with_policies, "--as-of", "2026-11-22")

    assert outcome.exit_code == 2
    assert outcome.stdout.splitlines()[0].startswith(
        "policies/vendor-risk.yaml:24:44: [error] $.spec.rules[2].assert: "
        "CEL: mismatched input '<EOF>'"
    )


def test_a_field_the_models_do_not_define_is_a_policy_error(
    cli: Cli, repo_with_policies: Path
) -> None:
    policy = repo_with_policies / "policies" / "vendor-risk.yaml"
    policy.write_text(
        policy.read_text().replace("vendor.sanctions.status ==", "vendor.sanction.status ==")
    )

    outcome = cli("check", repo_with_policies, "--as-of", "2026-11-22")

    assert (outcome.exit_code, outcome.stdout.splitlines()) == (
        2,
        [
            "policies/vendor-risk.yaml:16:15: [error] $.spec.rules[0].assert: unknown field "
            "vendor.sanction; did you mean vendor.sanctions? (policy)"
        ],
    )


def test_the_repository_own_policies_are_used(cli: Cli, repo_with_policies: Path) -> None:
    policy = repo_with_policies / "policies" / "decision-rights.yaml"
    policy.write_text(
        policy.read_text().replace(
            "request.cumulative_total_base > 1000.0", "request.cumulative_total_base > 100.0"
        )
    )

    outcome = cli("check", repo_with_policies, "--as-of", "2026-11-22")

    assert outcome.exit_code == 1
    assert outcome.stdout.splitlines()[2:5] == [
        "  route:",
        "    stage 1 budget_owner (DR-005): [ ] waiting; may approve: director",
        "    stage 1 line_manager (DR-010): [ ] waiting; may approve: manager",
    ]


def test_check_exit_codes_and_allow_pending(cli: Cli) -> None:
    base = CASES / "base"
    assert cli("check", base, "--as-of", "2026-11-22").exit_code == 1
    assert cli("check", base, "--as-of", "2026-11-22", "--allow-pending").exit_code == 0


def test_check_text_output(cli: Cli) -> None:
    outcome = cli("check", CASES / "base", "--as-of", "2026-11-22")
    assert outcome.stdout == (
        "PR-TEST [pending] Keyboards for the team\n"
        "  requests/pr-test.yaml: 600.00 EUR, opex\n"
        "  route:\n"
        "    stage 1 budget_owner (DR-005): [ ] waiting; may approve: director\n"
        "\n"
        "1 request: 0 approved, 1 pending, 0 blocked, 0 rejected, 0 invalid "
        "(policy set spendgate-reference 1.1.0, as of 2026-11-22)\n"
    )


def test_json_is_byte_identical_for_the_same_inputs(cli: Cli) -> None:
    first = cli("check", EXAMPLES / "bank", "--as-of", "2026-11-22", "--format", "json")
    second = cli("check", EXAMPLES / "bank", "--as-of", "2026-11-22", "--format", "json")
    assert first.stdout == second.stdout


@pytest.mark.parametrize("name", ["bank", "manufacturer", "retailer"])
def test_explain_gives_evidence_for_every_rule_that_fired(name: str) -> None:
    repository = open_repository(EXAMPLES / name)
    assert repository.config is not None
    from datetime import date

    engine = Engine(
        load_policy_book(repository),
        repository,
        repository.config,
        date(2026, 11, 22),
        explain=True,
    )
    for decision in engine.decide_all():
        for finding in decision.findings:
            assert finding.evidence, (decision.request_id, finding.rule_id)
        for trace in decision.trace:
            if trace.outcome in ("failed", "applied") and trace.effect in ("assert", "require"):
                rule_reads = next(rule.reads for _, rule in BOOK.rules if rule.id == trace.rule_id)
                assert len(trace.evidence) == len(rule_reads), trace


def test_explain_command(cli: Cli) -> None:
    outcome = cli("explain", "NB-2026-0199", "--repo", EXAMPLES / "bank", "--as-of", "2026-11-22")
    lines = outcome.stdout.splitlines()
    evidence = lines.index("    VR-010: sanctions screening of caspian-data is pending")
    traced = lines.index(
        "  VR-020     failed          assert   The vendor is not blocked [vendor-risk]"
    )

    assert outcome.exit_code == 0
    assert lines[0] == (
        "NB-2026-0199 [blocked] Alternative-data feed for SME credit scoring "
        "(web footprint and payment behaviour)"
    )
    assert lines[evidence : evidence + 4] == [
        "    VR-010: sanctions screening of caspian-data is pending",
        "      vendor.sanctions.status = 'pending'",
        "    VR-020: caspian-data is blocked",
        "      vendor.status = 'blocked'",
    ]
    assert lines[traced : traced + 2] == [
        "  VR-020     failed          assert   The vendor is not blocked [vendor-risk]",
        "      vendor.status = 'blocked'",
    ]


def test_explain_unknown_request(cli: Cli) -> None:
    outcome = cli("explain", "NB-404", "--repo", EXAMPLES / "bank")
    assert (outcome.exit_code, outcome.stderr) == (
        2,
        f"spendgate: error: no request 'NB-404' in {EXAMPLES / 'bank'}\n",
    )


def test_policies_list(cli: Cli) -> None:
    outcome = cli("policies", "list", EXAMPLES / "bank")
    lines = outcome.stdout.splitlines()
    assert lines[0].split() == ["RULE", "POLICY", "VERSION", "ENFORCE", "EFFECT", "TITLE"]
    assert (
        "VR-010     vendor-risk              1.0.0    hard      assert   "
        "The vendor's sanctions screening is clear" in lines
    )
    assert (
        lines[-1]
        == f"{len(BOOK.rules)} rules in {len(BOOK.policies)} policies of spendgate-reference 1.1.0"
    )


def test_a_policy_set_that_lists_policies_uses_only_those(
    cli: Cli, repo_with_policies: Path
) -> None:
    policy_set = repo_with_policies / "policies" / "policy-set.yaml"
    policy_set.write_text(
        policy_set.read_text().replace(
            "  effective_from: 2026-01-01",
            "  effective_from: 2026-01-01\n  policies: [vendor-risk]",
        )
    )

    outcome = cli("policies", "list", repo_with_policies)

    assert outcome.stdout.splitlines()[-1] == "6 rules in 1 policies of spendgate-reference 1.1.0"


def test_validate_compiles_the_repository_own_policies(cli: Cli, repo_with_policies: Path) -> None:
    policy = repo_with_policies / "policies" / "vendor-risk.yaml"
    policy.write_text(
        policy.read_text().replace("vendor.sanctions.status ==", "vendor.sanction.status ==")
    )

    outcome = cli("validate", repo_with_policies)

    assert (outcome.exit_code, outcome.stdout.splitlines()[0]) == (
        2,
        "policies/vendor-risk.yaml:16:15: [error] $.spec.rules[0].assert: unknown field "
        "vendor.sanction; did you mean vendor.sanctions? (policy)",
    )


def test_explain_shows_evidence_as_values_not_python_reprs(cli: Cli) -> None:
    """Issue 18: amounts as exact decimals, dates as ISO dates, a missing value named; never
    `Decimal('…')` or `datetime.date(…)`."""
    outcome = cli("explain", "NB-2026-0178", "--repo", EXAMPLES / "bank", "--as-of", "2026-11-22")
    lines = outcome.stdout.splitlines()

    assert outcome.exit_code == 0
    assert "      request.in_year.amount_base = 16800.00" in lines
    assert "      ai.id = (absent)" in lines
    assert [line for line in lines if "Decimal(" in line or "datetime." in line] == []
    assert evidence_text(date(2026, 11, 2)) == "2026-11-02"
    assert evidence_text({"amounts": [Decimal("1.50"), None]}) == "{'amounts': [1.50, (absent)]}"


def test_a_blocking_finding_says_how_to_clear_it_and_whether_a_waiver_can(cli: Cli) -> None:
    """Issue 18: under each rule that blocks, its fix; then hard (no waiver lifts it) or soft
    (the waiver to write, and who may grant it: the holders of the role owning the policy)."""
    outcome = cli("check", EXAMPLES / "bank" / "requests/2026/NB-2026-0171.yaml", "--as-of", AS_OF)
    soft = cli("check", EXAMPLES / "bank" / "requests/2026/NB-2026-0183.yaml", "--as-of", AS_OF)

    assert outcome.exit_code == 1
    lines = outcome.stdout.splitlines()
    screened = lines.index(
        "  requests/2026/NB-2026-0171.yaml:9:9: [error] $.vendor: nordlys-telekom was last "
        "screened on 2026-05-14, more than 90 days ago (VR-015)"
    )
    assert lines[screened + 1 : screened + 3] == [
        "      fix: Screen the vendor against the sanctions lists again and record the date in "
        "the vendor file (sanctions.screened_on).",
        "      hard: no waiver can lift it.",
    ]
    assert [line for line in lines if line.startswith("      ")] == lines[
        screened + 1 : screened + 3
    ]  # advisory warnings and waived notes need nothing done
    findings = [line for line in soft.stdout.splitlines() if "(VR-040)" in line or "  " * 3 in line]
    assert findings == [
        "  requests/2026/NB-2026-0183.yaml:9:9: [error] $.vendor: meridian-advisory's SOC 2 Type "
        "II period ended on 2025-06-30, more than 365 days ago (VR-040)",
        "      fix: Obtain the vendor's current SOC 2 Type II report and a valid ISO 27001 "
        "certificate and record them in the vendor file (security.soc2_type2, "
        "security.iso27001).",
        "      soft: a waiver can lift it: a Waiver in waivers/ with rules: [VR-040] and "
        "applies_to: [NB-2026-0183], approved and committed by a holder of procurement "
        "(lena.hoffmann), never the requester.",
        "  requests/2026/NB-2026-0183.yaml:9:9: [error] $.vendor: meridian-advisory's ISO 27001 "
        "certificate expired on 2026-04-30 (VR-040)",
    ]


def test_the_waiver_a_finding_asks_for_lifts_it(cli: Cli, tmp_path: Path) -> None:
    """Following the soft finding's sentence to the letter, in a real git repository: the
    holder it names writes and commits the waiver it describes, and the finding is waived."""
    bank = tmp_path / "bank"
    shutil.copytree(EXAMPLES / "bank", bank)
    git(bank, "init", "-q")
    commit_all(bank, "the bank's governance repository")
    (bank / "waivers" / "WV-NB-2026-183.yaml").write_text(
        "apiVersion: spendgate/v1\nkind: Waiver\nid: WV-NB-2026-183\nrules: [VR-040]\n"
        "applies_to: [NB-2026-0183]\njustification: Renewed reports are due in January.\n"
        "approved_by: lena.hoffmann\ngranted: 2026-11-20\nexpires: 2027-01-31\n",
        encoding="utf-8",
    )
    commit_all(bank, "waive VR-040", author="Lena Hoffmann <lena.hoffmann@northbridge-bank.eu>")

    outcome = cli("check", bank / "requests/2026/NB-2026-0183.yaml", "--as-of", AS_OF)

    assert [line for line in outcome.stdout.splitlines() if "VR-040" in line] == [
        "  requests/2026/NB-2026-0183.yaml:9:9: [note] $.vendor: meridian-advisory's SOC 2 Type "
        "II period ended on 2025-06-30, more than 365 days ago (VR-040, waived by WV-NB-2026-183)",
        "  requests/2026/NB-2026-0183.yaml:9:9: [note] $.vendor: meridian-advisory's ISO 27001 "
        "certificate expired on 2026-04-30 (VR-040, waived by WV-NB-2026-183)",
    ]
