"""Approvals as a controller expects them (issue 15, SPEC §5, §6), on the bank example.

Each test copies examples/bank, changes what its scenario needs, and asserts the decision:
status, the order of the route, the findings' rule ids and messages.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import EXAMPLES, Cli
from tests.test_approvals import git

AS_OF = "2026-11-22"


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    root = tmp_path / "bank"
    shutil.copytree(EXAMPLES / "bank", root)
    return root


def decided(cli: Cli, root: Path, request_id: str, *extra: str | Path) -> dict[str, Any]:
    outcome = cli("check", root, "--as-of", AS_OF, "--format", "json", *extra)
    assert outcome.exit_code in (0, 1), outcome.stderr
    (decision,) = [
        d for d in json.loads(outcome.stdout)["decisions"] if d["request_id"] == request_id
    ]
    return dict(decision)


def steps(decision: dict[str, Any]) -> list[tuple[int, str]]:
    """The route as (stage, roles) in its order."""
    return [
        (step["stage"], " + ".join([step["role"], *step["covers"]])) for step in decision["route"]
    ]


def rule_ids(decision: dict[str, Any]) -> list[str]:
    return sorted(finding["rule_id"] for finding in decision["findings"])


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, (path, old)
    path.write_text(text.replace(old, new))


def request_file(root: Path, request_id: str) -> Path:
    return root / "requests" / "2026" / f"{request_id}.yaml"


# Stage order


def test_a_role_two_rules_ask_for_sits_at_the_latest_of_their_stages(cli: Cli, bank: Path) -> None:
    decision = decided(cli, bank, "NB-2026-0142")

    assert steps(decision) == [
        (1, "procurement"),
        (1, "compliance"),
        (2, "budget_owner + line_manager + director"),
        (3, "vp"),
        (4, "cfo"),
    ]
    (cfo,) = [step for step in decision["route"] if step["role"] == "cfo"]
    assert cfo["rule_id"] == "AI-090, DR-040"


# Sequential approvals


def test_approve_refuses_a_step_whose_earlier_stages_are_open(cli: Cli, bank: Path) -> None:
    before = sorted(path.name for path in (bank / "approvals").rglob("*.yaml"))

    outcome = cli(
        "approve",
        "NB-2026-0178",
        "--role",
        "vp",
        "--as",
        "karl.meier",
        "--repo",
        bank,
        "--on",
        AS_OF,
    )

    assert (outcome.exit_code, outcome.stdout) == (1, "")
    assert outcome.stderr == (
        "spendgate: error: the vp step of NB-2026-0178 is stage 3, and earlier stages are still "
        "open: stage 1 financial_controller (may approve: helga.schmitt); "
        "stage 1 budget_owner (may approve: sofia.lindqvist); "
        "stage 1 line_manager (may approve: tobias.brandt); "
        "stage 2 director (may approve: stefan.kraus, tobias.brandt); "
        "approve it once they are approved\n"
    )
    assert sorted(path.name for path in (bank / "approvals").rglob("*.yaml")) == before


def test_an_out_of_order_record_written_by_hand_does_not_count(cli: Cli, bank: Path) -> None:
    decision = decided(cli, bank, "NB-2026-0142")

    (cfo,) = [step for step in decision["route"] if step["role"] == "cfo"]
    assert (cfo["satisfied"], cfo["approved_by"]) == (False, None)
    assert (
        "approve by helga.schmitt as cfo on 2026-11-19 does not count yet: stage 4 was approved "
        "before earlier stages (budget_owner, compliance, procurement, vp); approve again once "
        "they are"
    ) in [finding["message"] for finding in decision["findings"]]


def test_approve_writes_the_stages_in_order(cli: Cli, bank: Path) -> None:
    for role, person in [
        ("financial_controller", "helga.schmitt"),
        ("budget_owner", "sofia.lindqvist"),
        ("line_manager", "tobias.brandt"),
        ("director", "stefan.kraus"),
        ("vp", "karl.meier"),
    ]:
        wrote = cli(
            "approve", "NB-2026-0178", "--role", role, "--as", person, "--repo", bank, "--on", AS_OF
        )
        assert wrote.exit_code == 0, wrote.stderr

    assert decided(cli, bank, "NB-2026-0178")["status"] == "approved"


# Rejection


def reject(cli: Cli, root: Path, request_id: str, role: str, person: str) -> None:
    outcome = cli(
        "approve",
        request_id,
        "--role",
        role,
        "--as",
        person,
        "--reject",
        "--repo",
        root,
        "--on",
        AS_OF,
        "--comment",
        "not this year",
    )
    assert outcome.exit_code == 0, outcome.stderr


def test_a_rejection_on_the_route_makes_the_request_rejected(cli: Cli, bank: Path) -> None:
    reject(cli, bank, "NB-2026-0178", "budget_owner", "sofia.lindqvist")

    decision = decided(cli, bank, "NB-2026-0178")

    assert decision["status"] == "rejected"
    (owner,) = [step for step in decision["route"] if step["role"] == "budget_owner"]
    assert (owner["rejected"], owner["approved_by"]) == (True, "sofia.lindqvist")


def test_a_later_stage_may_reject_at_once_and_over_a_colleagues_approval(
    cli: Cli, bank: Path
) -> None:
    reject(cli, bank, "NB-2026-0178", "director", "tobias.brandt")

    assert decided(cli, bank, "NB-2026-0178")["status"] == "rejected"


def test_a_veto_role_rejecting_still_blocks(cli: Cli, bank: Path) -> None:
    decision = decided(cli, bank, "NB-2026-0199")

    assert decision["status"] == "blocked"
    assert "FIN-025" in rule_ids(decision)
    assert "matthias.koch rejected this request as compliance, a role with veto" in [
        finding["message"] for finding in decision["findings"]
    ]


def test_a_material_change_clears_a_rejection_and_a_wording_change_does_not(
    cli: Cli, bank: Path
) -> None:
    reject(cli, bank, "NB-2026-0178", "budget_owner", "sofia.lindqvist")
    request = request_file(bank, "NB-2026-0178")

    edit(request, "title: Payment HSM replacement", "title: Payment HSM renewal")
    reworded = decided(cli, bank, "NB-2026-0178")["status"]
    edit(request, "quantity: 4\n    unit_price: 38500", "quantity: 2\n    unit_price: 38500")
    changed = decided(cli, bank, "NB-2026-0178")

    assert reworded == "rejected"
    assert changed["status"] == "pending"
    assert (
        "reject by sofia.lindqvist as budget_owner on 2026-11-22 is void: the request has "
        "changed materially since; it needs approving again"
    ) in [finding["message"] for finding in changed["findings"]]


# Requester who owns the budget; a level nobody holds


def test_a_requester_who_owns_the_budget_escalates_to_their_line_manager(
    cli: Cli, bank: Path
) -> None:
    edit(request_file(bank, "NB-2026-0194"), "requester: hannah.clarke", "requester: helga.schmitt")

    decision = decided(cli, bank, "NB-2026-0194")

    assert decision["status"] == "pending"
    assert [(s["role"], s["eligible"], s["escalated_from"]) for s in decision["route"]] == [
        ("line_manager", ["declan.murphy"], "budget_owner")
    ]
    (finding,) = [f for f in decision["findings"] if f["rule_id"] == "DR-005"]
    assert (finding["rule_id"], finding["enforcement"], finding["message"]) == (
        "DR-005",
        "advisory",
        "the budget owner approves this request, but only the requester, helga.schmitt, holds "
        "that role; the step passes up the decision-rights escalation chain to the line manager "
        "(declan.murphy)",
    )


def test_a_department_without_a_director_escalates_to_a_vp(cli: Cli, bank: Path) -> None:
    decision = decided(cli, bank, "NB-2026-0205")

    (vp,) = [step for step in decision["route"] if step["role"] == "vp"]
    assert (vp["rule_id"], vp["eligible"]) == ("DR-020, DR-030", ["karl.meier", "sofia.lindqvist"])
    assert (
        "the director of the finance department approves this request, but nobody holds that "
        "role; the step passes up the decision-rights escalation chain to the vp "
        "(karl.meier, sofia.lindqvist)"
    ) in [finding["message"] for finding in decision["findings"]]
    assert all(step["eligible"] for step in decision["route"])


def test_a_step_nobody_anywhere_can_fill_blocks_with_the_reason(cli: Cli, bank: Path) -> None:
    people = bank / "org" / "people.yaml"
    edit(people, "roles: [compliance]", "roles: [auditor]")

    decision = decided(cli, bank, "NB-2026-0205")

    assert decision["status"] == "blocked"
    (finding,) = [f for f in decision["findings"] if f["rule_id"] == "FIN-020"]
    assert (finding["enforcement"], finding["message"]) == (
        "hard",
        "the compliance approves this request, but nobody holds that role, and nobody on no "
        "escalation chain above it can either: it can never be approved until People names "
        "someone",
    )


# Material change only


def test_a_wording_edit_keeps_approvals_a_material_edit_voids_them(cli: Cli, bank: Path) -> None:
    for role, person in [("budget_owner", "julia.fischer"), ("line_manager", "tobias.brandt")]:
        (bank / "approvals" / "NB-2026-0190" / f"{role}-{person}.yaml").unlink()
        wrote = cli(
            "approve", "NB-2026-0190", "--role", role, "--as", person, "--repo", bank, "--on", AS_OF
        )
        assert wrote.exit_code == 0, wrote.stderr
    request = request_file(bank, "NB-2026-0190")

    edit(request, "title: FinOps Certified Practitioner", "title: FinOps Practitioner")
    text = request.read_text()
    request.write_text(text.replace("justification: >", "justification: >\n  Reworded.", 1))
    reworded = decided(cli, bank, "NB-2026-0190")["status"]
    edit(request, "currency: EUR", "currency: GBP")
    changed = decided(cli, bank, "NB-2026-0190")

    assert reworded == "approved"
    assert changed["status"] == "pending"
    assert [f["rule_id"] for f in changed["findings"]] == ["APPROVAL", "APPROVAL"]


def test_records_under_the_version_1_digest_still_count(cli: Cli, bank: Path) -> None:
    record = bank / "approvals" / "NB-2026-0190" / "budget_owner-julia.fischer.yaml"
    assert "digest_version" not in record.read_text()

    assert decided(cli, bank, "NB-2026-0190")["status"] == "approved"


def test_downgrading_the_ai_assessment_voids_the_approvals(cli: Cli, bank: Path) -> None:
    wrote = cli(
        "approve",
        "NB-2026-0142",
        "--role",
        "procurement",
        "--as",
        "lena.hoffmann",
        "--repo",
        bank,
        "--on",
        AS_OF,
    )
    assert wrote.exit_code == 0, wrote.stderr
    assessment = next((bank / "ai").glob("*.yaml"))
    for candidate in (bank / "ai").glob("*.yaml"):
        if "NB-2026-0142" in candidate.read_text():
            assessment = candidate
    edit(assessment, "risk_tier: limited", "risk_tier: minimal")

    decision = decided(cli, bank, "NB-2026-0142")

    (procurement,) = [step for step in decision["route"] if step["role"] == "procurement"]
    assert procurement["satisfied"] is False
    assert (
        "approve by lena.hoffmann as procurement on 2026-11-22 is void: the request has changed "
        "materially since; it needs approving again"
    ) in [finding["message"] for finding in decision["findings"]]


def test_explain_lists_the_material_fields(cli: Cli, bank: Path) -> None:
    outcome = cli("explain", "NB-2026-0190", "--repo", bank, "--as-of", AS_OF)

    assert (
        "  approvals bind to (digest version 2): id, requester, department, cost_centre, vendor, "
        "submitted, needed_by, type, renews, amends, line_items, data, ai_assessment, "
        "integrates_with_ot, benefits, and the material content of its AI assessment; editing "
        "title, justification, status keeps them\n"
    ) in outcome.stdout


# Dates


def test_an_approval_dated_after_the_evaluation_date_does_not_count(cli: Cli, bank: Path) -> None:
    outcome = cli("check", bank, "--as-of", "2026-11-12", "--format", "json")
    (decision,) = [
        d for d in json.loads(outcome.stdout)["decisions"] if d["request_id"] == "NB-2026-0190"
    ]

    assert decision["status"] == "pending"
    (owner,) = [step for step in decision["route"] if step["role"] == "budget_owner"]
    assert owner["approved_by"] is None
    assert any(
        f["message"].startswith(
            "approve by julia.fischer as budget_owner on 2026-11-13 does not count"
        )
        and "2026-11-12" in f["message"]
        for f in decision["findings"]
    )


# GitHub reviews as GitHub counts them


def review(
    number: int, login: str | None, state: str, on: str, commit: str, body: str = ""
) -> dict[str, Any]:
    return {
        "id": number,
        "user": None if login is None else {"login": login, "id": number, "type": "User"},
        "body": body,
        "state": state,
        "submitted_at": f"{on}T10:00:00Z",
        "commit_id": commit,
    }


@pytest.fixture
def bank_in_git(bank: Path) -> Path:
    git(bank, "init", "-q", "-b", "main")
    git(bank, "add", ".")
    git(bank, "commit", "-q", "-m", "the bank")
    return bank


def head(root: Path) -> str:
    return subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    ).stdout.strip()


def with_reviews(tmp_path: Path, *reviews: dict[str, Any]) -> Path:
    path = tmp_path / "reviews.json"
    path.write_text(json.dumps(list(reviews)))
    return path


def owner_step(cli: Cli, root: Path, reviews: Path) -> dict[str, Any]:
    decision = decided(cli, root, "NB-2026-0178", "--github-reviews", reviews)
    (owner,) = [step for step in decision["route"] if step["role"] == "budget_owner"]
    return {"status": decision["status"], "findings": decision["findings"], **owner}


def test_approve_then_changes_requested_is_a_rejection(
    cli: Cli, bank_in_git: Path, tmp_path: Path
) -> None:
    commit = head(bank_in_git)
    reviews = with_reviews(
        tmp_path,
        review(1, "slindqvist-nbb", "APPROVED", "2026-11-10", commit, "role: budget_owner"),
        review(
            2, "slindqvist-nbb", "CHANGES_REQUESTED", "2026-11-11", commit, "role: budget_owner"
        ),
    )

    step = owner_step(cli, bank_in_git, reviews)

    assert (step["status"], step["rejected"], step["approved_by"]) == (
        "rejected",
        True,
        "sofia.lindqvist",
    )


def test_a_dismissed_review_approves_nothing(cli: Cli, bank_in_git: Path, tmp_path: Path) -> None:
    commit = head(bank_in_git)
    reviews = with_reviews(
        tmp_path,
        review(1, "slindqvist-nbb", "APPROVED", "2026-11-10", commit, "role: budget_owner"),
        review(2, "slindqvist-nbb", "DISMISSED", "2026-11-11", commit, "role: budget_owner"),
        review(3, "slindqvist-nbb", "COMMENTED", "2026-11-12", commit, "role: budget_owner"),
    )

    step = owner_step(cli, bank_in_git, reviews)

    assert (step["satisfied"], step["approved_by"]) == (False, None)


def test_a_review_by_a_deleted_account_is_skipped_with_a_note(
    cli: Cli, bank_in_git: Path, tmp_path: Path
) -> None:
    commit = head(bank_in_git)
    reviews = with_reviews(
        tmp_path,
        review(7, None, "APPROVED", "2026-11-10", commit),
        review(8, "slindqvist-nbb", "APPROVED", "2026-11-10", commit, "role: budget_owner"),
    )

    outcome = cli("check", bank_in_git, "--as-of", AS_OF, "--github-reviews", reviews)
    step = owner_step(cli, bank_in_git, reviews)

    assert outcome.exit_code == 1 and outcome.stderr == ""
    assert step["approved_by"] == "sofia.lindqvist"
    assert "review 7 (APPROVED) has no user (a deleted account?); it is skipped" in [
        finding["message"] for finding in step["findings"]
    ]


def test_a_review_counts_on_an_earlier_commit_with_the_same_content_only(
    cli: Cli, bank_in_git: Path, tmp_path: Path
) -> None:
    reviewed = head(bank_in_git)
    (bank_in_git / "README.md").write_text("reworded\n")
    git(bank_in_git, "commit", "-q", "-am", "unrelated edit")
    approving = with_reviews(
        tmp_path,
        review(1, "slindqvist-nbb", "APPROVED", "2026-11-10", reviewed, "role: budget_owner"),
    )
    same = owner_step(cli, bank_in_git, approving)["approved_by"]
    edit(
        request_file(bank_in_git, "NB-2026-0178"),
        "quantity: 4\n    unit_price: 38500",
        "quantity: 6\n    unit_price: 38500",
    )
    git(bank_in_git, "commit", "-q", "-am", "two more HSMs")
    other = owner_step(cli, bank_in_git, approving)

    assert same == "sofia.lindqvist"
    assert other["approved_by"] is None
    assert (
        "approve by sofia.lindqvist as budget_owner on 2026-11-10 is void: the request has "
        "changed materially since; it needs approving again"
    ) in [finding["message"] for finding in other["findings"]]


def test_a_review_submitted_after_the_evaluation_date_does_not_count(
    cli: Cli, bank_in_git: Path, tmp_path: Path
) -> None:
    reviews = with_reviews(
        tmp_path,
        review(
            1, "slindqvist-nbb", "APPROVED", "2026-11-25", head(bank_in_git), "role: budget_owner"
        ),
    )

    step = owner_step(cli, bank_in_git, reviews)

    assert step["approved_by"] is None
    assert (
        "approve by sofia.lindqvist as budget_owner on 2026-11-25 does not count: it is dated "
        "2026-11-25, after the evaluation date 2026-11-22"
    ) in [finding["message"] for finding in step["findings"]]


def test_a_version_2_digest_is_recomputed_with_rfc8785_and_hashlib_alone(bank: Path) -> None:
    """What `spendgate approve` binds an approval to is the SHA-256 of the RFC 8785 form of the
    request's material fields (as validated, money as decimal strings): an auditor recomputes
    it from the JSON with any RFC 8785 implementation."""
    import hashlib

    import rfc8785

    from spendgate.approvals.digest import MATERIAL_FIELDS, request_digest
    from spendgate.documents.purchase_request import PurchaseRequest
    from spendgate.documents.repository import open_repository

    model = open_repository(bank).get("PurchaseRequest", "NB-2026-0178")
    assert isinstance(model, PurchaseRequest)
    dumped = model.model_dump(mode="json", by_alias=True, exclude_none=True)
    content = {key: dumped[key] for key in MATERIAL_FIELDS if key in dumped}

    assert content["line_items"][0]["unit_price"] == "38500"
    assert request_digest(model) == "sha256:" + hashlib.sha256(rfc8785.dumps(content)).hexdigest()
