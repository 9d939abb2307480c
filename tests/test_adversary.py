"""The requester with push access to their branch, git and a text editor (SPEC §6, §7, §13).

Each test scripts one way around the gate against a real git repository and asserts that it is
blocked, with a message that names the file and says why; beside each, the honest path that
must keep working. Folder placement, the decision log and git failures have their own files
(test_placement.py, test_log_anchor.py, test_fail_closed.py).
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.test_approvals import approve, digest_of, git, head_of, repo, stale_ecovadis, waiver
from tests.test_pull_requests import (
    AS_OF,
    PROCUREMENT,
    SECOND_REQUEST,
    approve_as_procurement,
    check,
    commit,
    main_repo,
)

__all__ = ["main_repo", "repo"]  # fixtures used here

REQUESTER = "Rita Requester <rita@test.example>"
DIRECTOR = "Dora Director <director@test.example>"


def last_commit(root: Path) -> str:
    return head_of(root)[:12]


def approve_committed(root: Path, *, on: str, author: str, when: str | None = None) -> None:
    """The director's budget-owner approval of PR-TEST as it stands, committed by `author`."""
    approve(root, "owner", approver="director", role="budget_owner", on=on, digest=digest_of(root))
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "approve", author=author, when=when)


def waive_committed(root: Path, *, approved_by: str, author: str) -> None:
    """A waiver of ESG-010 for acme, approved by `approved_by`, committed by `author`."""
    waiver(root, rules="ESG-010", applies_to="acme", approved_by=approved_by, expires="2026-12-31")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "waive ESG-010", author=author)


# --- 1. a forged change approval -------------------------------------------------------------


def test_a_requester_cannot_approve_their_own_policy_change_in_the_owners_name(
    cli: Cli, main_repo: Path
) -> None:
    policy = main_repo / "policies" / "esg.yaml"
    policy.write_text(policy.read_text().replace("score >= 45", "score >= 20"))
    approve_as_procurement(main_repo, "policies/esg.yaml")
    commit(main_repo, "ESG threshold to 20, 'approved by procurement'", author=REQUESTER)

    code, out = check(cli, main_repo)

    assert code == 1
    record = "approvals/governance/procurement-procurement.yaml"
    assert (
        "policies/esg.yaml:1:1: [error] this pull request changes governance file "
        "policies/esg.yaml; it needs the approval of procurement, and the pull request is judged "
        f"by the base revision's rules meanwhile; {record} does not count: approve by procurement "
        f"as procurement on 2026-11-20: the last commit that touched {record} "
        f"({last_commit(main_repo)}) is unsigned and authored by rita@test.example; "
        "approvals.require_authenticity is author-match, so the record counts only in a commit "
        "authored or signed by procurement (governance-change)\n"
    ) in out


def test_the_pull_request_author_cannot_approve_its_governance_change(
    cli: Cli, main_repo: Path
) -> None:
    people = main_repo / "org" / "people.yaml"
    people.write_text(
        people.read_text().replace(
            "email: proc@test.example,", "email: proc@test.example, github: paula-p,"
        )
    )
    commit(main_repo, "paula's login")
    git(main_repo, "checkout", "-q", "main")
    git(main_repo, "merge", "-q", "--ff-only", "feature")
    git(main_repo, "checkout", "-q", "-b", "paula-changes-esg")
    policy = main_repo / "policies" / "esg.yaml"
    policy.write_text(policy.read_text().replace("score >= 45", "score >= 40"))
    approve_as_procurement(main_repo, "policies/esg.yaml")
    commit(main_repo, "ESG threshold to 40, approved by myself", author=PROCUREMENT)

    code, out = check(cli, main_repo, "--pr-author", "paula-p")

    assert code == 1
    assert (
        "it needs the approval of procurement, and the pull request is judged by the base "
        "revision's rules meanwhile; approvals/governance/procurement-procurement.yaml does not "
        "count: approve by procurement as procurement on 2026-11-20: procurement authored the "
        "pull request (governance-change)\n"
    ) in out


# --- 4. an approval edited after its approver committed it ------------------------------------


@pytest.fixture
def committed(repo: Path) -> Path:
    """The base repository in git, with the default authenticity (author-match)."""
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "governance repository")
    return repo


def test_an_approval_edited_by_someone_else_loses_its_authenticity(
    cli: Cli, committed: Path
) -> None:
    approve_committed(committed, on="2026-11-03", author=DIRECTOR)
    honest = cli("check", committed, "--as-of", AS_OF)
    request = committed / "requests" / "pr-test.yaml"
    request.write_text(request.read_text().replace("quantity: 4", "quantity: 40"))
    record = committed / "approvals" / "owner.yaml"
    record.write_text(
        record.read_text().replace(
            record.read_text().splitlines()[-1], f"request_digest: {digest_of(committed)}"
        )
    )
    git(committed, "commit", "-q", "-am", "ten times the keyboards", author=REQUESTER)

    outcome = cli("check", committed, "--as-of", AS_OF)

    assert honest.exit_code == 0
    assert outcome.exit_code == 1
    assert (
        "  approvals/owner.yaml:4:11: [warning] $.approver: approve by director as budget_owner "
        "on 2026-11-03 does not count: the last commit that touched approvals/owner.yaml "
        f"({last_commit(committed)}) is unsigned and authored by rita@test.example; "
        "approvals.require_authenticity is author-match, so the record counts only in a commit "
        "authored or signed by director (APPROVAL)\n"
    ) in outcome.stdout


# --- 5. a forged author, and signed approvals -------------------------------------------------


def ssh_key(folder: Path, name: str) -> tuple[Path, str]:
    """A fresh ed25519 key pair: the private key's path and the public key's line."""
    key = folder / f"{name}_key"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name, "-f", str(key)], check=True
    )
    return key, (folder / f"{name}_key.pub").read_text().strip()


@pytest.fixture
def signing(committed: Path, tmp_path: Path) -> tuple[Path, Path, Path]:
    """Signatures required; the director and the requester each have a key listed in People.
    Returns the repository and the two private keys."""
    director_key, director_public = ssh_key(tmp_path, "director")
    rita_key, rita_public = ssh_key(tmp_path, "rita")
    people = committed / "org" / "people.yaml"
    people.write_text(
        people.read_text()
        .replace(
            "email: director@test.example,",
            f"email: director@test.example, signing_keys: ['{director_public}'],",
        )
        .replace(
            "email: rita@test.example,",
            f"email: rita@test.example, signing_keys: ['{rita_public}'],",
        )
    )
    config = committed / "spendgate.yaml"
    config.write_text(config.read_text() + "approvals: {require_authenticity: signed}\n")
    git(committed, "commit", "-q", "-am", "signed approvals, with the signing keys")
    approve(
        committed,
        "owner",
        approver="director",
        role="budget_owner",
        on="2026-11-03",
        digest=digest_of(committed),
    )
    git(committed, "add", ".")
    return committed, director_key, rita_key


def signed_commit(root: Path, key: Path, author: str) -> None:
    git(
        root,
        *("-c", "gpg.format=ssh", "-c", f"user.signingkey={key}"),
        *("commit", "-q", "-S", "-m", "approve"),
        author=author,
    )


def budget_owner_line(out: str) -> str:
    return next(line for line in out.splitlines() if "budget_owner (DR-005)" in line)


def test_author_match_cannot_tell_a_forged_author_email(cli: Cli, committed: Path) -> None:
    """What author-match does not prove (the README's threat model says so): anyone can type
    `git -c user.email=director@…`. Only `signed` stops that; see the next test."""
    approve_committed(committed, on="2026-11-03", author="Rita <director@test.example>")

    outcome = cli("check", committed, "--as-of", AS_OF)

    assert budget_owner_line(outcome.stdout).endswith(
        "[x] approved by director (author-match) on 2026-11-03"
    )


def test_with_signatures_required_a_forged_author_email_does_not_count(
    cli: Cli, signing: tuple[Path, Path, Path]
) -> None:
    root, _, _ = signing
    git(root, "commit", "-q", "-m", "approve", author="Rita <director@test.example>")

    outcome = cli("check", root, "--as-of", AS_OF)

    assert outcome.exit_code == 1
    assert (
        "approve by director as budget_owner on 2026-11-03 does not count: the last commit that "
        f"touched approvals/owner.yaml ({last_commit(root)}) is unsigned and authored by "
        "director@test.example; approvals.require_authenticity is signed, so the record counts "
        "only in a commit signed with a key of director (APPROVAL)\n"
    ) in outcome.stdout


def test_a_requester_signing_with_their_own_key_does_not_sign_for_the_approver(
    cli: Cli, signing: tuple[Path, Path, Path]
) -> None:
    root, _, rita_key = signing
    signed_commit(root, rita_key, "Rita <director@test.example>")

    outcome = cli("check", root, "--as-of", AS_OF)

    assert outcome.exit_code == 1
    assert (
        f"touched approvals/owner.yaml ({last_commit(root)}) is signed and authored by "
        "director@test.example; approvals.require_authenticity is signed, so the record counts "
        "only in a commit signed with a key of director (APPROVAL)\n"
    ) in outcome.stdout


def test_an_approval_signed_with_the_approvers_key_is_recorded_as_signed(
    cli: Cli, signing: tuple[Path, Path, Path]
) -> None:
    root, director_key, _ = signing
    signed_commit(root, director_key, "Approval Bot <bot@test.example>")

    outcome = cli("check", root, "--as-of", AS_OF, "--format", "json")

    (decision,) = json.loads(outcome.stdout)["decisions"]
    assert outcome.exit_code == 0
    assert [(s["role"], s["approved_by"], s["authenticity"]) for s in decision["route"]] == [
        ("budget_owner", "director", "signed")
    ]


# --- 6. waivers -------------------------------------------------------------------------------


def test_a_requester_cannot_waive_their_own_finding_in_the_owners_name(
    cli: Cli, committed: Path
) -> None:
    stale_ecovadis(committed)
    git(committed, "commit", "-q", "-am", "acme lost its rating", author=DIRECTOR)
    waive_committed(committed, approved_by="procurement", author=REQUESTER)

    outcome = cli("check", committed, "--as-of", AS_OF)

    assert (
        "  waivers/w.yaml:3:5: [warning] $.id: waiver W-1 lifts nothing: the last commit that "
        f"touched waivers/w.yaml ({last_commit(committed)}) is unsigned and authored by "
        "rita@test.example; approvals.require_authenticity is author-match, so the record "
        "counts only in a commit authored or signed by procurement (WAIVER)\n"
    ) in outcome.stdout
    assert "(ESG-010)\n" in outcome.stdout


def test_nobody_waives_a_finding_of_their_own_request(cli: Cli, committed: Path) -> None:
    people = committed / "org" / "people.yaml"
    people.write_text(
        people.read_text().replace(
            "roles: [requester], departments: [it], manager: manager",
            "roles: [requester, procurement], departments: [it], manager: manager",
        )
    )
    stale_ecovadis(committed)
    waive_committed(committed, approved_by="requester", author=REQUESTER)

    outcome = cli("check", committed, "--as-of", AS_OF)

    assert (
        "  waivers/w.yaml:3:5: [warning] $.id: waiver W-1 lifts nothing: requester is the "
        "requester (WAIVER)\n"
    ) in outcome.stdout


def test_a_waiver_committed_by_its_approver_lifts_the_finding(cli: Cli, committed: Path) -> None:
    stale_ecovadis(committed)
    waive_committed(committed, approved_by="procurement", author=PROCUREMENT)

    outcome = cli("check", committed, "--as-of", AS_OF)

    assert (
        "[note] $.line_items: acme scores 30 on EcoVadis; 45 or a current medal is required "
        "above 100,000 (ESG-010, waived by W-1)\n"
    ) in outcome.stdout


# --- 7. vendor evidence raised in the pull request that needs it ------------------------------


def test_vendor_evidence_raised_with_the_request_that_needs_it_does_not_count(
    cli: Cli, main_repo: Path
) -> None:
    vendor = main_repo / "vendors" / "acme.yaml"
    vendor.write_text(
        vendor.read_text().replace("score: 62, medal: gold", "score: 30, medal: none")
    )
    commit(main_repo, "acme's rating fell")
    git(main_repo, "checkout", "-q", "main")
    git(main_repo, "merge", "-q", "--ff-only", "feature")
    git(main_repo, "checkout", "-q", "-b", "big-purchase")
    (main_repo / "requests" / "pr-big.yaml").write_text(SECOND_REQUEST)
    vendor.write_text(
        vendor.read_text().replace("score: 30, medal: none", "score: 80, medal: gold")
    )
    commit(main_repo, "a big purchase, and a better rating for its vendor", author=REQUESTER)

    outcome = cli("check", main_repo, "--base", "main", "--as-of", AS_OF, "--format", "json")
    approve_as_procurement(main_repo, "vendors/acme.yaml")
    commit(main_repo, "procurement confirms the new rating", author=PROCUREMENT)
    approved = cli("check", main_repo, "--base", "main", "--as-of", AS_OF, "--format", "json")

    report = json.loads(outcome.stdout)
    big = next(d for d in report["decisions"] if d["request_id"] == "PR-BIG")
    assert outcome.exit_code == 1
    assert "ESG-010" in big["blocking"]
    assert [(p["location"]["file"], p["level"], p["message"]) for p in report["problems"]] == [
        (
            "vendors/acme.yaml",
            "error",
            "this pull request changes the evidence of vendor acme (esg); it needs the approval "
            "of procurement, and requests are judged with the vendor's evidence as of the base "
            "revision meanwhile",
        )
    ]
    assert report["notes"][-1] == (
        "Vendor evidence in vendors/acme.yaml is not approved yet: requests are judged with the "
        "vendor's evidence as of the base revision."
    )
    after = json.loads(approved.stdout)
    big_after = next(d for d in after["decisions"] if d["request_id"] == "PR-BIG")
    assert "ESG-010" not in big_after["blocking"]
    assert [p["level"] for p in after["problems"]] == ["warning"]


# --- 8. a decided request moved out of sight --------------------------------------------------


def test_moving_a_request_out_of_the_document_set_is_a_deletion(cli: Cli, main_repo: Path) -> None:
    (main_repo / "notes").mkdir()
    git(main_repo, "mv", "requests/pr-test.yaml", "notes/x.txt")
    commit(main_repo, "tidy up", author=REQUESTER)

    code, out = check(cli, main_repo)

    assert code == 1
    assert (
        "requests/pr-test.yaml:1:1: [error] requests/pr-test.yaml is moved to notes/x.txt, out of "
        "the documents; records are never deleted: set `status: withdrawn` instead "
        "(record-deleted)\n"
    ) in out


def test_moving_a_request_within_its_folder_keeps_it(cli: Cli, main_repo: Path) -> None:
    (main_repo / "requests" / "2026").mkdir()
    git(main_repo, "mv", "requests/pr-test.yaml", "requests/2026/pr-test.yaml")
    commit(main_repo, "file by year")

    _, out = check(cli, main_repo, "--format", "json")

    report = json.loads(out)
    assert report["problems"] == []
    assert [(d["request_id"], d["file"]) for d in report["decisions"]] == [
        ("PR-TEST", "requests/2026/pr-test.yaml")
    ]


# --- 9. approvals dated in the future ---------------------------------------------------------


def test_an_approval_dated_after_the_evaluation_date_does_not_count(
    cli: Cli, committed: Path
) -> None:
    approve_committed(committed, on="2026-12-01", author=DIRECTOR, when="2026-12-01T09:00:00Z")

    outcome = cli("check", committed, "--as-of", AS_OF)

    assert outcome.exit_code == 1
    assert (
        "approve by director as budget_owner on 2026-12-01 does not count: it is dated "
        "2026-12-01, after the evaluation date 2026-11-22 (APPROVAL)\n"
    ) in outcome.stdout


def test_an_approval_dated_after_its_commit_does_not_count(cli: Cli, committed: Path) -> None:
    approve_committed(committed, on="2026-11-10", author=DIRECTOR, when="2026-11-05T09:00:00Z")

    outcome = cli("check", committed, "--as-of", AS_OF)

    assert outcome.exit_code == 1
    assert (
        "approve by director as budget_owner on 2026-11-10 does not count: it is dated "
        f"2026-11-10, after the commit that vouches for it ({last_commit(committed)}, authored "
        "2026-11-05) (APPROVAL)\n"
    ) in outcome.stdout


# --- a rejection edited away ------------------------------------------------------------------


def test_a_committed_rejection_cannot_be_edited_away(cli: Cli, main_repo: Path) -> None:
    folder = main_repo / "approvals"
    folder.mkdir()
    rejection = folder / "no.yaml"
    rejection.write_text(
        "apiVersion: spendgate/v1\nkind: Approval\nrequest: PR-TEST\napprover: director\n"
        f"role: budget_owner\ndecision: reject\ndate: 2026-11-03\n"
        f"digest_version: 2\nrequest_digest: {digest_of(main_repo)}\n"
    )
    commit(main_repo, "the director says no", author=DIRECTOR)
    git(main_repo, "checkout", "-q", "main")
    git(main_repo, "merge", "-q", "--ff-only", "feature")
    git(main_repo, "checkout", "-q", "-b", "try-again")
    rejection.write_text(rejection.read_text() + "comment: reconsidered\n")
    commit(main_repo, "a comment", author=REQUESTER)

    code, out = check(cli, main_repo)

    assert code == 1
    assert (
        "approvals/no.yaml:1:1: [error] approvals/no.yaml is edited; approval records are never "
        "changed once committed: record a new approval or rejection instead (record-edited)\n"
    ) in out


def test_approve_refuses_to_write_a_future_dated_record(cli: Cli, committed: Path) -> None:
    outcome = cli(
        "approve",
        "PR-TEST",
        "--role",
        "budget_owner",
        "--as",
        "director",
        "--repo",
        committed,
        "--on",
        "2999-01-01",
    )

    assert (outcome.exit_code, outcome.stdout, outcome.stderr) == (
        2,
        "",
        "spendgate: error: --on 2999-01-01 is in the future; a record dated after the commit "
        "that adds it does not count\n",
    )
    assert not (committed / "approvals").exists()


def test_a_repository_git_cannot_read_is_an_error_not_a_repository_without_history(
    cli: Cli, committed: Path
) -> None:
    """Outside git nothing is provable and records count unverified; a damaged repository must
    not pass for that."""
    approve_committed(committed, on="2026-11-03", author=REQUESTER)
    (committed / ".git" / "HEAD").write_text("not a ref\n")

    outcome = cli("check", committed, "--as-of", AS_OF)

    assert outcome.exit_code == 2
    assert outcome.stderr.startswith(
        "spendgate: error: git rev-parse --is-inside-work-tree: fatal: not a git repository"
    )
