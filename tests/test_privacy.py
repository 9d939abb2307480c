"""GDPR international transfers (Chapter V, Art. 44-49), judged by geography, on the examples.

One test per part of the design: a transfer is lawful by where it goes (the EEA, a country with
an EU adequacy decision in force, or SCCs/BCRs), never by the mechanism a record declares; the
vendor of every purchase that moves personal data is judged, not only AI records; an AI record
marks personal data by its categories too, and names a real person as its human-oversight owner.
The attacker is the requester who declares `adequacy` for RU and IN, drops an adequacy list of
their own among the requests, or edits the list in a pull request.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

from spendgate.approvals.changes import content_digest
from spendgate.policy.library import builtin_directory
from tests import test_pull_requests
from tests.conftest import EXAMPLES, Cli
from tests.test_pull_requests import approve_change, commit

main_repo = test_pull_requests.main_repo

AS_OF = "2026-12-03"
PRIVACY_RULES = ("AI-080", "AI-085", "DP-010", "DP-020")
REQUESTER = "Rita Requester <rita@test.example>"
DPO = "Dan Dpo <dpo@test.example>"


def example(tmp_path: Path, name: str) -> Path:
    root = tmp_path / name
    shutil.copytree(EXAMPLES / name, root)
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert text.count(old) == 1, f"{old!r} in {path}"
    path.write_text(text.replace(old, new))


def decisions(cli: Cli, root: Path, *extra: str) -> tuple[int, dict[str, Any]]:
    outcome = cli("check", root, "--as-of", AS_OF, "--format", "json", *extra)
    return outcome.exit_code, json.loads(outcome.stdout)


def decision(cli: Cli, root: Path, request_id: str) -> dict[str, Any]:
    _, report = decisions(cli, root)
    return next(d for d in report["decisions"] if d["request_id"] == request_id)


def privacy(found: dict[str, Any]) -> list[tuple[str, str, str, str]]:
    """(rule, enforcement, file:line:col, message) of each privacy finding."""
    return [
        (
            finding["rule_id"],
            finding["enforcement"],
            "{file}:{line}:{column}".format(**finding["location"]),
            finding["message"],
        )
        for finding in found["findings"]
        if finding["rule_id"] in PRIVACY_RULES
    ]


def added(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    """The blocking rules the change added: the rest of the decision is the example's own."""
    remaining = list(before["blocking"])
    found = []
    for rule in after["blocking"]:
        if rule in remaining:
            remaining.remove(rule)
        else:
            found.append(rule)
    return found


def not_in_force(country: str) -> str:
    return (
        f"{country} (adequacy declared, but no EU adequacy decision for {country} is in force "
        f"on {AS_OF})"
    )


# --- 1. transfers are judged by geography ---------------------------------------------------


def test_adequacy_declared_for_russia_and_india_blocks_the_request(
    cli: Cli, tmp_path: Path
) -> None:
    """The attacker declares `adequacy` (and even `within_scope`) for RU and IN, and drops an
    adequacy list that names RU among the requests: neither counts."""
    bank = example(tmp_path, "bank")
    before = decision(cli, bank, "NB-2026-0157")
    edit(
        bank / "ai" / "AI-NB-2026-009.yaml",
        "  transfers: []\n",
        "  transfers:\n"
        "    - {to_country: RU, mechanism: adequacy}\n"
        "    - {to_country: IN, mechanism: adequacy, within_scope: true}\n",
    )
    rogue_list = (builtin_directory() / "adequacy-decisions.yaml").read_text() + (
        "  - {country: RU, adopted: 2026-01-01, reference: trust me}\n"
    )
    (bank / "requests" / "2026" / "adequacy.yaml").write_text(rogue_list)

    code, report = decisions(cli, bank)
    after = next(d for d in report["decisions"] if d["request_id"] == "NB-2026-0157")

    assert privacy(before) == []
    assert code == 1
    assert (after["status"], added(before, after)) == ("blocked", ["AI-080"])
    assert privacy(after) == [
        (
            "AI-080",
            "hard",
            "requests/2026/NB-2026-0157.yaml:52:16",
            "AI-NB-2026-009 transfers personal data outside the EEA without adequacy, SCCs or "
            f"BCRs: {not_in_force('RU')}; {not_in_force('IN')}",
        )
    ]
    misplaced = [p for p in report["problems"] if p["code"] == "misplaced-document"]
    assert [(p["location"]["file"], p["location"]["line"]) for p in misplaced] == [
        ("requests/2026/adequacy.yaml", 18)
    ]


def test_the_repository_list_replaces_the_reference_library_and_is_dated(
    cli: Cli, tmp_path: Path
) -> None:
    """A policy owner records, in the repository's own list, that the UK decision lapsed in
    June: from then on a transfer to GB needs a safeguard, and findings name the list used."""
    plant = example(tmp_path, "manufacturer")
    before = decision(cli, plant, "HI-2026-0346")
    (plant / "policies").mkdir()
    own = plant / "policies" / "adequacy-decisions.yaml"
    own.write_text((builtin_directory() / "adequacy-decisions.yaml").read_text())
    edit(
        own,
        "    adopted: 2025-12-19\n    until: 2031-12-27\n",
        "    adopted: 2025-12-19\n    until: 2026-06-30\n",
    )

    found = decision(cli, plant, "HI-2026-0346")
    evidence = {
        finding["rule_id"]: dict(finding["evidence"])["adequacy"]
        for finding in found["findings"]
        if finding["rule_id"] in ("AI-080", "DP-010")
    }

    assert privacy(before) == []
    assert (found["status"], added(before, found)) == ("blocked", ["AI-080", "DP-010"])
    assert privacy(found) == [
        (
            "AI-080",
            "hard",
            "requests/2026/HI-2026-0346.yaml:49:16",
            "AI-HI-2026-005 transfers personal data outside the EEA without adequacy, SCCs or "
            f"BCRs: {not_in_force('GB')}",
        ),
        (
            "DP-010",
            "hard",
            "requests/2026/HI-2026-0346.yaml:9:9",
            "visionguard holds or processes personal data outside the EEA without adequacy, "
            "SCCs or BCRs: GB (no transfer mechanism stated)",
        ),
    ]
    assert set(evidence.values()) == {
        "eu-adequacy-decisions 2026.1.0 (as of 2026-12-03, policies/adequacy-decisions.yaml)"
    }


# --- 2. every purchase that moves personal data is covered ----------------------------------


def test_a_cloud_vendor_holding_personal_data_outside_the_eea_blocks_a_non_ai_purchase(
    cli: Cli, tmp_path: Path
) -> None:
    """No AI record: the vendor's own residency and transfers are judged. `EU` is inside the
    EEA; CN has no mechanism; the BCR transfer to the US lacks its transfer impact assessment."""
    bank = example(tmp_path, "bank")
    before = decision(cli, bank, "NB-2026-0163")
    vendor = bank / "vendors" / "stratus-cloud.yaml"
    edit(vendor, "  residency: [IE, DE]\n", "  residency: [EU, CN]\n")
    edit(vendor, ", tia_date: 2026-06-12}", "}")

    after = decision(cli, bank, "NB-2026-0163")

    assert privacy(before) == []
    assert (after["status"], added(before, after)) == ("blocked", ["DP-010", "DP-020"])
    assert privacy(after) == [
        (
            "DP-010",
            "hard",
            "requests/2026/NB-2026-0163.yaml:9:9",
            "stratus-cloud holds or processes personal data outside the EEA without adequacy, "
            "SCCs or BCRs: CN (no transfer mechanism stated)",
        ),
        (
            "DP-020",
            "soft",
            "requests/2026/NB-2026-0163.yaml:9:9",
            "stratus-cloud transfers personal data under SCCs or BCRs with no transfer impact "
            "assessment date: US (bcr)",
        ),
    ]


def test_the_bank_example_names_the_vendor_holding_personal_data_in_the_uae(cli: Cli) -> None:
    code, report = decisions(cli, EXAMPLES / "bank")
    found = next(d for d in report["decisions"] if d["request_id"] == "NB-2026-0199")

    assert code == 1
    assert found["status"] == "blocked"
    assert privacy(found) == [
        (
            "DP-010",
            "hard",
            "requests/2026/NB-2026-0199.yaml:9:9",
            "caspian-data holds or processes personal data outside the EEA without adequacy, "
            "SCCs or BCRs: AE (no transfer mechanism stated)",
        )
    ]


# --- 3. AI records ------------------------------------------------------------------------


def test_an_assessment_listing_personal_data_to_russia_is_blocked_not_pending(
    cli: Cli, tmp_path: Path
) -> None:
    """The request says `personal_data: false`; the assessment's categories say `personal`. The
    US transfer claims adequacy without saying it is within the Data Privacy Framework."""
    plant = example(tmp_path, "manufacturer")
    before = decision(cli, plant, "HI-2026-0301")
    assessment = plant / "ai" / "AI-HI-2026-003.yaml"
    edit(assessment, "categories: [machine_telemetry,", "categories: [personal, machine_telemetry,")
    edit(
        assessment,
        "      tia_date: 2026-10-26\n",
        "      tia_date: 2026-10-26\n    - to_country: RU\n      mechanism: none\n",
    )

    after = decision(cli, plant, "HI-2026-0301")

    assert privacy(before) == []
    assert (after["status"], added(before, after)) == ("blocked", ["AI-080"])
    assert privacy(after) == [
        (
            "AI-080",
            "hard",
            "requests/2026/HI-2026-0301.yaml:57:16",
            "AI-HI-2026-003 transfers personal data outside the EEA without adequacy, SCCs or "
            "BCRs: US (adequacy declared, but the adequacy decision for US covers only "
            "organisations certified under the EU-US Data Privacy Framework and the transfer "
            "does not say within_scope); RU (mechanism none)",
        )
    ]


def test_an_unknown_human_oversight_owner_is_a_located_error(cli: Cli, tmp_path: Path) -> None:
    bank = example(tmp_path, "bank")
    edit(
        bank / "ai" / "AI-NB-2026-009.yaml",
        "human_oversight_owner: annette.vogel",
        "human_oversight_owner: nobody.here",
    )

    validated = cli("validate", bank)
    found = decision(cli, bank, "NB-2026-0157")

    error = (
        "ai/AI-NB-2026-009.yaml:31:26: [error] $.controls.human_oversight_owner: person "
        "'nobody.here' is not defined (dangling-reference)"
    )
    assert validated.exit_code == 1
    assert error in validated.stdout.splitlines()
    assert found["status"] == "invalid"
    assert [
        (f["location"]["file"], f["location"]["line"], f["message"]) for f in found["findings"]
    ] == [("ai/AI-NB-2026-009.yaml", 31, "person 'nobody.here' is not defined")]


# --- the adequacy list is governed ----------------------------------------------------------


RU_REQUEST = """\
apiVersion: spendgate/v1
kind: PurchaseRequest
id: PR-TEST
title: Keyboards for the team
requester: requester
department: it
cost_centre: it-ops
vendor: acme
submitted: 2026-11-02
justification: Replacement keyboards.
data: {personal_data: true}
line_items:
  - description: Keyboard
    category: hardware
    quantity: 4
    unit_price: 150
    currency: EUR
    useful_life_months: 36
ai_assessment: AI-TEST
"""
RU_ASSESSMENT = """\
apiVersion: spendgate/v1
kind: AIAssessment
id: AI-TEST
request: PR-TEST
use_case: Typing analytics
eu_ai_act: {role: deployer, risk_tier: minimal, rationale: Keyboard telemetry.}
model: {approach: pretrained, hosting: saas}
financials: {pricing_model: subscription}
data:
  transfers:
    - {to_country: RU, mechanism: adequacy}
"""


def test_a_pull_request_that_adds_russia_to_the_list_is_judged_by_the_base_list(
    cli: Cli, main_repo: Path
) -> None:
    """The requester adds RU to the adequacy list in the same pull request as a transfer to RU.
    The list's owner (dpo) must approve the change; procurement's approval does not count; and
    even once the DPO approves, the pull request is judged by the base revision's list."""
    listed = main_repo / "policies" / "adequacy-decisions.yaml"
    listed.write_text(
        listed.read_text() + "  - {country: RU, adopted: 2026-01-01, reference: none}\n"
    )
    (main_repo / "requests" / "pr-test.yaml").write_text(RU_REQUEST)
    (main_repo / "ai").mkdir()
    (main_repo / "ai" / "ai-test.yaml").write_text(RU_ASSESSMENT)
    commit(main_repo, "RU is adequate now", author=REQUESTER)
    digest = content_digest(listed)
    approve_change(
        main_repo,
        "policies/adequacy-decisions.yaml",
        approver="procurement",
        role="procurement",
        digest=digest,
    )
    commit(main_repo, "procurement approves", author="Paula Procurement <proc@test.example>")

    code, report = decisions(cli, main_repo, "--base", "main")
    approve_change(
        main_repo, "policies/adequacy-decisions.yaml", approver="dpo", role="dpo", digest=digest
    )
    commit(main_repo, "the DPO approves", author=DPO)
    approved_code, approved = decisions(cli, main_repo, "--base", "main")

    governed = [
        (p["level"], p["message"]) for p in report["problems"] if p["code"] == "governance-change"
    ]
    assert code == 1
    assert governed == [
        (
            "error",
            "this pull request changes governance file policies/adequacy-decisions.yaml; it "
            "needs the approval of dpo, and the pull request is judged by the base revision's "
            "rules meanwhile; approvals/governance/procurement-procurement.yaml does not count: "
            "approve by procurement as procurement on 2026-11-20 is not by dpo, the role that "
            "owns it",
        )
    ]
    ru = (
        "AI-080",
        "hard",
        "requests/pr-test.yaml:19:16",
        "AI-TEST transfers personal data outside the EEA without adequacy, SCCs or BCRs: "
        f"{not_in_force('RU')}",
    )
    for found in (report, approved):
        (only,) = found["decisions"]
        assert (only["request_id"], only["status"], only["blocking"]) == (
            "PR-TEST",
            "blocked",
            ["AI-080"],
        )
        assert privacy(only) == [ru]
    assert approved_code == 1
    assert [
        (p["level"], p["message"]) for p in approved["problems"] if p["code"] == "governance-change"
    ] == [
        (
            "warning",
            "this pull request changes governance file policies/adequacy-decisions.yaml, approved "
            "by dpo as dpo on 2026-11-20 (author-match)",
        )
    ]
