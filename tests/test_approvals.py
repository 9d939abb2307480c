"""Which approvals count, and why the others do not; waivers (SPEC §3, §6)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from spendgate.approvals.digest import request_digest
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.documents.repository import open_repository
from spendgate.policy.library import builtin_directory
from tests.conftest import PROJECT, Cli, GitUser

BASE = PROJECT / "policies" / "tests" / "base"
AS_OF = "2026-11-22"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    return root


def digest_of(root: Path, request_id: str = "PR-TEST") -> str:
    request = open_repository(root).get("PurchaseRequest", request_id)
    assert isinstance(request, PurchaseRequest)
    return request_digest(request)


def approve(root: Path, name: str, *, approver: str, role: str, on: str, digest: str) -> None:
    folder = root / "approvals"
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.yaml").write_text(
        "apiVersion: spendgate/v1\nkind: Approval\nrequest: PR-TEST\n"
        f"approver: {approver}\nrole: {role}\ndecision: approve\ndate: {on}\n"
        f"digest_version: 2\nrequest_digest: {digest}\n"
    )


def test_the_digest_ignores_formatting_and_status(repo: Path) -> None:
    before = digest_of(repo)
    request = repo / "requests" / "pr-test.yaml"
    request.write_text("# a comment\n" + request.read_text() + "status: draft\n")
    assert digest_of(repo) == before


def test_the_budget_owner_walks_the_base_request_to_approved(cli: Cli, repo: Path) -> None:
    approve(
        repo,
        "owner",
        approver="director",
        role="budget_owner",
        on="2026-11-03",
        digest=digest_of(repo),
    )

    outcome = cli("check", repo, "--as-of", AS_OF)

    assert outcome.exit_code == 0
    assert (
        "    stage 1 budget_owner (DR-005): [x] approved by director (unverified) on 2026-11-03\n"
        in outcome.stdout
    )
    assert outcome.stdout.startswith("PR-TEST [approved]")


def test_a_requester_approving_their_own_request_does_not_count(cli: Cli, repo: Path) -> None:
    approve(
        repo,
        "self",
        approver="requester",
        role="budget_owner",
        on="2026-11-03",
        digest=digest_of(repo),
    )

    outcome = cli("check", repo, "--as-of", AS_OF)

    assert outcome.exit_code == 1
    assert (
        "  approvals/self.yaml:4:11: [warning] $.approver: approve by requester as budget_owner on "
        "2026-11-03 does not count: requester is the requester (APPROVAL)\n"
    ) in outcome.stdout


def test_raising_a_price_voids_the_approval(cli: Cli, repo: Path) -> None:
    approve(
        repo,
        "owner",
        approver="director",
        role="budget_owner",
        on="2026-11-03",
        digest=digest_of(repo),
    )
    request = repo / "requests" / "pr-test.yaml"
    request.write_text(request.read_text().replace("unit_price: 150", "unit_price: 165"))

    outcome = cli("check", repo, "--as-of", AS_OF)

    lines = outcome.stdout.splitlines()
    assert (outcome.exit_code, lines[0]) == (1, "PR-TEST [pending] Keyboards for the team")
    assert "    stage 1 budget_owner (DR-005): [ ] waiting; may approve: director" in lines
    assert (
        "  approvals/owner.yaml:4:11: [warning] $.approver: approve by director as budget_owner "
        "on 2026-11-03 is void: the request has changed materially since; it needs approving "
        "again (APPROVAL)"
    ) in lines


def delegate(root: Path, *, start: str, end: str) -> None:
    people = root / "org" / "people.yaml"
    people.write_text(
        people.read_text()
        + "delegations:\n  - {from: director, to: vp, roles: [budget_owner], "
        + f"start: {start}, end: {end}, reason: Parental leave}}\n"
    )


def test_a_delegation_counts_inside_its_dates_and_says_for_whom(cli: Cli, repo: Path) -> None:
    delegate(repo, start="2026-11-01", end="2026-11-30")
    approve(
        repo,
        "delegate",
        approver="vp",
        role="budget_owner",
        on="2026-11-05",
        digest=digest_of(repo),
    )

    outcome = cli("check", repo, "--as-of", AS_OF)

    assert outcome.exit_code == 0
    assert (
        "    stage 1 budget_owner (DR-005): [x] approved by vp acting for director (unverified) "
        "on 2026-11-05"
    ) in outcome.stdout.splitlines()


def test_a_delegation_outside_its_dates_does_not_count(cli: Cli, repo: Path) -> None:
    delegate(repo, start="2026-10-01", end="2026-10-31")
    approve(
        repo,
        "delegate",
        approver="vp",
        role="budget_owner",
        on="2026-11-05",
        digest=digest_of(repo),
    )

    outcome = cli("check", repo, "--as-of", AS_OF)

    assert outcome.exit_code == 1
    assert (
        "  approvals/delegate.yaml:4:11: [warning] $.approver: approve by vp as budget_owner on "
        "2026-11-05 does not count: vp's delegation from director for budget_owner runs "
        "2026-10-01 to 2026-10-31; 2026-11-05 is outside it (APPROVAL)"
    ) in outcome.stdout.splitlines()


def test_an_approval_for_a_role_the_route_does_not_need_is_reported(cli: Cli, repo: Path) -> None:
    approve(repo, "cfo", approver="cfo", role="cfo", on="2026-11-05", digest=digest_of(repo))

    outcome = cli("check", repo, "--as-of", AS_OF)

    assert outcome.exit_code == 1
    assert (
        "  approvals/cfo.yaml:4:11: [warning] $.approver: approve by cfo as cfo on 2026-11-05 "
        "does not count: the route needs no cfo (APPROVAL)"
    ) in outcome.stdout.splitlines()


def test_one_person_fills_one_step(cli: Cli, repo: Path) -> None:
    request = repo / "requests" / "pr-test.yaml"
    request.write_text(request.read_text().replace("quantity: 4", "quantity: 100"))  # 15,000
    people = repo / "org" / "people.yaml"
    people.write_text(
        people.read_text()
        + "  - {id: director2, name: Dirk Director, email: d2@test.example, roles: [director], "
        + "departments: [it], manager: vp}\n"
    )
    digest = digest_of(repo)
    approve(
        repo, "a-owner", approver="director", role="budget_owner", on="2026-11-03", digest=digest
    )
    approve(
        repo, "b-director", approver="director", role="director", on="2026-11-04", digest=digest
    )

    outcome = cli("check", repo, "--as-of", AS_OF)

    lines = outcome.stdout.splitlines()
    assert outcome.exit_code == 1
    assert (
        "    stage 2 director of department (DR-020): [ ] waiting; may approve: director, director2"
    ) in lines
    assert (
        "  approvals/b-director.yaml:4:11: [warning] $.approver: approve by director as director "
        "on 2026-11-04 does not count: director already fills the budget_owner step (APPROVAL)"
    ) in lines


def test_steps_only_one_person_may_fill_are_approved_once(cli: Cli, repo: Path) -> None:
    request = repo / "requests" / "pr-test.yaml"
    request.write_text(request.read_text().replace("quantity: 4", "quantity: 40"))  # 6,000
    people = repo / "org" / "people.yaml"
    people.write_text(people.read_text().replace("manager: manager}", "manager: director}"))
    approve(
        repo,
        "owner",
        approver="director",
        role="line_manager",
        on="2026-11-03",
        digest=digest_of(repo),
    )

    outcome = cli("check", repo, "--as-of", AS_OF)

    assert (
        "    stage 1 budget_owner + line_manager (DR-005, DR-010): [x] approved by director "
        "(unverified) on 2026-11-03\n"
    ) in outcome.stdout
    assert outcome.exit_code == 0


def waiver(root: Path, *, rules: str, applies_to: str, approved_by: str, expires: str) -> None:
    folder = root / "waivers"
    folder.mkdir(exist_ok=True)
    (folder / "w.yaml").write_text(
        f"apiVersion: spendgate/v1\nkind: Waiver\nid: W-1\nrules: [{rules}]\n"
        f"applies_to: [{applies_to}]\n"
        f"justification: Re-assessment booked.\napproved_by: {approved_by}\ngranted: 2026-11-01\n"
        f"expires: {expires}\n"
    )


def stale_ecovadis(root: Path) -> None:
    """Make ESG-010 (soft) and VR-020 (hard) fire for the base request."""
    vendor = root / "vendors" / "acme.yaml"
    vendor.write_text(
        vendor.read_text()
        .replace("score: 62, medal: gold", "score: 30, medal: none")
        .replace("status: approved", "status: blocked")
    )
    request = root / "requests" / "pr-test.yaml"
    request.write_text(request.read_text().replace("unit_price: 150", "unit_price: 40000"))


def test_a_valid_waiver_lifts_its_soft_finding(cli: Cli, repo: Path) -> None:
    stale_ecovadis(repo)
    waiver(
        repo, rules="ESG-010", applies_to="acme", approved_by="procurement", expires="2026-12-31"
    )

    outcome = cli("check", repo, "--as-of", AS_OF)

    assert outcome.exit_code == 1  # VR-020 still blocks: a waiver lifts only ESG-010
    assert (
        "  requests/pr-test.yaml:12:1: [note] $.line_items: acme scores 30 on EcoVadis; 45 or a "
        "current medal is required above 100,000 (ESG-010, waived by W-1)"
    ) in outcome.stdout.splitlines()


def test_an_expired_waiver_is_reported_and_lifts_nothing(cli: Cli, repo: Path) -> None:
    stale_ecovadis(repo)
    waiver(
        repo, rules="ESG-010", applies_to="acme", approved_by="procurement", expires="2026-11-15"
    )

    outcome = cli("check", repo, "--as-of", AS_OF)

    lines = outcome.stdout.splitlines()
    assert outcome.exit_code == 1
    assert (
        "  waivers/w.yaml:3:5: [warning] $.id: waiver W-1 expired on 2026-11-15 (WAIVER)" in lines
    )
    assert (
        "  requests/pr-test.yaml:12:1: [error] $.line_items: acme scores 30 on EcoVadis; 45 or a "
        "current medal is required above 100,000 (ESG-010)"
    ) in lines


def test_a_waiver_cannot_lift_a_hard_finding(cli: Cli, repo: Path) -> None:
    stale_ecovadis(repo)
    waiver(
        repo, rules="VR-020", applies_to="PR-TEST", approved_by="procurement", expires="2026-12-31"
    )

    outcome = cli("check", repo, "--as-of", AS_OF)

    lines = outcome.stdout.splitlines()
    assert outcome.exit_code == 1
    assert (
        "  waivers/w.yaml:3:5: [warning] $.id: waiver W-1 cannot lift VR-020: it is a hard rule "
        "(WAIVER)"
    ) in lines
    assert "  requests/pr-test.yaml:9:9: [error] $.vendor: acme is blocked (VR-020)" in lines


def test_a_waiver_granted_without_authority_lifts_nothing(cli: Cli, repo: Path) -> None:
    stale_ecovadis(repo)
    waiver(repo, rules="ESG-010", applies_to="acme", approved_by="cfo", expires="2026-12-31")

    outcome = cli("check", repo, "--as-of", AS_OF)

    lines = outcome.stdout.splitlines()
    assert outcome.exit_code == 1
    assert (
        "  waivers/w.yaml:3:5: [warning] $.id: waiver W-1 lifts nothing: cfo does not hold "
        "procurement, which owns esg (WAIVER)"
    ) in lines
    assert (
        "  requests/pr-test.yaml:12:1: [error] $.line_items: acme scores 30 on EcoVadis; 45 or a "
        "current medal is required above 100,000 (ESG-010)"
    ) in lines


def test_a_waiver_that_matches_nothing_is_reported(cli: Cli, repo: Path) -> None:
    waiver(
        repo, rules="ESG-010", applies_to="acme", approved_by="procurement", expires="2026-12-31"
    )

    outcome = cli("check", repo, "--as-of", AS_OF)

    assert (
        "waivers/w.yaml:3:5: [warning] $.id: waiver W-1 matches no finding of ESG-010 on acme "
        "(waiver-unmatched)\n"
    ) in outcome.stdout
    assert outcome.exit_code == 1  # still pending: the budget owner has not approved


@pytest.mark.parametrize(
    ("name", "request_id"),
    [("bank", "NB-2026-0178"), ("manufacturer", "HI-2026-0341"), ("retailer", "LR-2026-0401")],
)
def test_approve_walks_a_pending_request_to_approved(
    cli: Cli, git_user: GitUser, tmp_path: Path, name: str, request_id: str
) -> None:
    """Each approver runs `approve` and commits the record as themselves."""
    root = tmp_path / name
    shutil.copytree(PROJECT / "examples" / name, root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "the example")
    people = open_repository(root).people
    report = json.loads(cli("check", root, "--as-of", AS_OF, "--format", "json").stdout)
    (decision,) = [d for d in report["decisions"] if d["request_id"] == request_id]
    assert decision["status"] == "pending"
    used: set[str] = set()
    approvers: set[str] = set()
    for step in decision["route"]:
        if step["satisfied"]:
            used.add(step["approved_by"])
            continue
        person = next(someone for someone in step["eligible"] if someone not in used)
        used.add(person)
        approvers.add(person)
        git_user(people[person].email)
        wrote = cli(
            "approve",
            request_id,
            "--role",
            step["role"],
            "--as",
            person,
            "--repo",
            root,
            "--on",
            AS_OF,
        )
        assert wrote.exit_code == 0, wrote.stderr
        git(root, "add", ".")
        git(
            root,
            "commit",
            "-q",
            "-m",
            f"approve {request_id}",
            author=f"{person} <{people[person].email}>",
        )

    after = json.loads(cli("check", root, "--as-of", AS_OF, "--format", "json").stdout)
    (decided,) = [d for d in after["decisions"] if d["request_id"] == request_id]
    assert decided["status"] == "approved"
    assert {
        step["authenticity"] for step in decided["route"] if step["approved_by"] in approvers
    } == {"author-match"}


def test_approve_refuses_the_requester_and_a_role_the_route_does_not_need(
    cli: Cli, repo: Path
) -> None:
    own = cli(
        "approve",
        "PR-TEST",
        "--role",
        "budget_owner",
        "--as",
        "requester",
        "--repo",
        repo,
        "--on",
        AS_OF,
    )
    unneeded = cli(
        "approve", "PR-TEST", "--role", "cfo", "--as", "cfo", "--repo", repo, "--on", AS_OF
    )
    stranger = cli(
        "approve", "PR-TEST", "--role", "budget_owner", "--as", "cfo", "--repo", repo, "--on", AS_OF
    )

    assert (own.exit_code, own.stderr) == (
        1,
        "spendgate: error: requester is the requester of PR-TEST and cannot approve it\n",
    )
    assert unneeded.stderr == (
        "spendgate: error: PR-TEST needs no cfo approval (its route: budget_owner)\n"
    )
    assert stranger.stderr == (
        "spendgate: error: cfo does not hold budget_owner for this request on 2026-11-22; "
        "may approve: director\n"
    )
    assert not (repo / "approvals").exists()


def test_approve_uses_the_git_user(cli: Cli, repo: Path) -> None:
    subprocess.run(["git", "init", "-q", str(repo)], check=True)
    subprocess.run(
        ["git", "-C", str(repo), "config", "user.email", "director@test.example"], check=True
    )

    outcome = cli("approve", "PR-TEST", "--role", "budget_owner", "--repo", repo, "--on", AS_OF)
    uncommitted = cli("check", repo, "--as-of", AS_OF)
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "approve", author="Dora Director <director@test.example>")
    committed = cli("check", repo, "--as-of", AS_OF)

    assert outcome.stdout == (
        "wrote approvals/PR-TEST/budget_owner-director.yaml: approval by director as budget_owner\n"
    )
    assert uncommitted.exit_code == 1
    assert (
        "approvals/PR-TEST/budget_owner-director.yaml:4:11: [warning] $.approver: approve by "
        "director as budget_owner on 2026-11-22 does not count: "
        "approvals/PR-TEST/budget_owner-director.yaml is not committed; "
        "approvals.require_authenticity is author-match, so the record counts only in a commit "
        "authored or signed by director (APPROVAL)"
    ) in uncommitted.stdout
    assert committed.exit_code == 0


def test_a_later_stage_approved_first_does_not_count_until_given_again(
    cli: Cli, repo: Path
) -> None:
    request = repo / "requests" / "pr-test.yaml"
    request.write_text(request.read_text().replace("quantity: 4", "quantity: 100"))  # 15,000
    budgets = repo / "org" / "budgets.yaml"
    budgets.write_text(budgets.read_text().replace("owner: director", "owner: cfo"))
    digest = digest_of(repo)
    approve(
        repo, "a-director", approver="director", role="director", on="2026-11-03", digest=digest
    )
    approve(
        repo, "b-manager", approver="manager", role="line_manager", on="2026-11-04", digest=digest
    )
    approve(repo, "c-owner", approver="cfo", role="budget_owner", on="2026-11-05", digest=digest)

    outcome = cli("check", repo, "--as-of", AS_OF)

    assert (outcome.exit_code, outcome.stdout.split("\n\n")[0].splitlines()) == (
        1,
        [
            "PR-TEST [pending] Keyboards for the team",
            "  requests/pr-test.yaml: 15,000.00 EUR, opex",
            "  route:",
            "    stage 1 budget_owner (DR-005): [x] approved by cfo (unverified) on 2026-11-05",
            "    stage 1 line_manager (DR-010): [x] approved by manager (unverified) on 2026-11-04",
            "    stage 2 director of department (DR-020): [ ] waiting; may approve: director",
            "  approvals/a-director.yaml:4:11: [warning] $.approver: approve by director as "
            "director on 2026-11-03 does not count yet: stage 2 was approved before earlier "
            "stages (budget_owner, line_manager); approve again once they are (APPROVAL)",
        ],
    )

    approve(
        repo, "d-director", approver="director", role="director", on="2026-11-06", digest=digest
    )
    assert cli("check", repo, "--as-of", AS_OF).exit_code == 0


def git(
    root: Path,
    *arguments: str,
    author: str = "Admin <admin@test.example>",
    when: str | None = None,
) -> str:
    """Run git in `root` as `author` (with no global configuration), author and committer dated
    `when` if given; its standard output."""
    name, email = author[: author.index(" <")], author[author.index("<") + 1 : -1]
    environment = {
        "GIT_AUTHOR_NAME": name,
        "GIT_AUTHOR_EMAIL": email,
        "GIT_COMMITTER_NAME": name,
        "GIT_COMMITTER_EMAIL": email,
        "HOME": str(root.parent),
        "PATH": os.environ["PATH"],
    }
    if when is not None:
        environment |= {"GIT_AUTHOR_DATE": when, "GIT_COMMITTER_DATE": when}
    done = subprocess.run(
        ["git", *arguments], cwd=root, env=environment, check=True, capture_output=True, text=True
    )
    return done.stdout


@pytest.fixture
def git_repo(repo: Path) -> Path:
    config = repo / "spendgate.yaml"
    config.write_text(config.read_text() + "approvals: {require_authenticity: true}\n")
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "governance repository")
    return repo


def route_line(cli: Cli, root: Path) -> str:
    outcome = cli("check", root, "--as-of", AS_OF)
    return next(line for line in outcome.stdout.splitlines() if "budget_owner (DR-005)" in line)


def test_an_approval_committed_by_its_approver_is_author_matched(cli: Cli, git_repo: Path) -> None:
    approve(
        git_repo,
        "owner",
        approver="director",
        role="budget_owner",
        on="2026-11-03",
        digest=digest_of(git_repo),
    )
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "approve", author="Dora Director <director@test.example>")

    assert route_line(cli, git_repo).endswith(
        "[x] approved by director (author-match) on 2026-11-03"
    )
    assert cli("check", git_repo, "--as-of", AS_OF).exit_code == 0


def test_an_approval_committed_by_someone_else_does_not_count(cli: Cli, git_repo: Path) -> None:
    approve(
        git_repo,
        "owner",
        approver="director",
        role="budget_owner",
        on="2026-11-03",
        digest=digest_of(git_repo),
    )
    git(git_repo, "add", ".")
    git(git_repo, "commit", "-q", "-m", "approve", author="Rita Requester <rita@test.example>")

    outcome = cli("check", git_repo, "--as-of", AS_OF)

    assert outcome.exit_code == 1
    assert (
        "approve by director as budget_owner on 2026-11-03 does not count: the last commit that "
        f"touched approvals/owner.yaml ({head_of(git_repo)[:12]}) is unsigned and authored by "
        "rita@test.example; approvals.require_authenticity is author-match, so the record counts "
        "only in a commit authored or signed by director (APPROVAL)"
    ) in outcome.stdout


def test_an_approval_in_a_commit_signed_with_the_approvers_key_is_signed(
    cli: Cli, git_repo: Path, tmp_path: Path
) -> None:
    key = tmp_path / "director_key"
    subprocess.run(
        ["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", "director", "-f", str(key)],
        check=True,
    )
    public = (tmp_path / "director_key.pub").read_text().strip()
    people = git_repo / "org" / "people.yaml"
    people.write_text(
        people.read_text().replace(
            "email: director@test.example,",
            f"email: director@test.example, signing_keys: ['{public}'],",
        )
    )
    git(git_repo, "commit", "-q", "-am", "director's signing key")
    approve(
        git_repo,
        "owner",
        approver="director",
        role="budget_owner",
        on="2026-11-03",
        digest=digest_of(git_repo),
    )
    git(git_repo, "add", ".")
    git(
        git_repo,
        "-c",
        "gpg.format=ssh",
        "-c",
        f"user.signingkey={key}",
        "commit",
        "-q",
        "-S",
        "-m",
        "approve (signed)",
        author="Approval Bot <bot@test.example>",
    )

    assert route_line(cli, git_repo).endswith("[x] approved by director (signed) on 2026-11-03")


def reviews_for(tmp_path: Path, commit: str) -> Path:
    payload = (PROJECT / "tests" / "fixtures" / "github" / "reviews.json").read_text()
    path = tmp_path / "reviews.json"
    path.write_text(payload.replace("COMMIT", commit))
    return path


@pytest.fixture
def reviewed_repo(repo: Path) -> Path:
    """The base repository in git, counting reviews, with GitHub logins for two people."""
    config = repo / "spendgate.yaml"
    config.write_text(config.read_text() + "approvals: {source: both}\n")
    people = repo / "org" / "people.yaml"
    people.write_text(
        people.read_text()
        .replace(
            "email: director@test.example,", "email: director@test.example, github: dora-director,"
        )
        .replace("email: rita@test.example,", "email: rita@test.example, github: rita-requester,")
    )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "governance repository")
    return repo


def head_of(root: Path) -> str:
    result = subprocess.run(
        ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, check=True
    )
    return result.stdout.strip()


def test_an_approving_review_fills_its_step(cli: Cli, reviewed_repo: Path, tmp_path: Path) -> None:
    reviews = reviews_for(tmp_path, head_of(reviewed_repo))

    outcome = cli("check", reviewed_repo, "--as-of", AS_OF, "--github-reviews", reviews)

    assert outcome.exit_code == 0
    assert "[x] approved by director (github-review) on 2026-11-04" in outcome.stdout


def test_a_review_of_another_commit_is_void(cli: Cli, reviewed_repo: Path, tmp_path: Path) -> None:
    reviews = reviews_for(tmp_path, "0" * 40)

    outcome = cli("check", reviewed_repo, "--as-of", AS_OF, "--github-reviews", reviews)

    assert outcome.exit_code == 1
    assert (
        f"  {reviews}:1:1: [warning] approve by director as budget_owner on 2026-11-04 is void: "
        "the request has changed materially since; it needs approving again (APPROVAL)"
    ) in outcome.stdout.splitlines()


def test_the_pull_request_author_cannot_approve_it(
    cli: Cli, reviewed_repo: Path, tmp_path: Path
) -> None:
    reviews = reviews_for(tmp_path, head_of(reviewed_repo))

    outcome = cli(
        "check",
        reviewed_repo,
        "--as-of",
        AS_OF,
        "--github-reviews",
        reviews,
        "--pr-author",
        "Dora-Director",
    )

    assert outcome.exit_code == 1
    assert (
        f"  {reviews}:1:1: [warning] approve by director as budget_owner on 2026-11-04 does not "
        "count: director authored the pull request (APPROVAL)"
    ) in outcome.stdout.splitlines()


def test_a_reviews_file_that_is_not_a_list_is_a_usage_error(
    cli: Cli, reviewed_repo: Path, tmp_path: Path
) -> None:
    bad = tmp_path / "reviews.json"
    bad.write_text('{"message": "Not Found"}')

    outcome = cli("check", reviewed_repo, "--as-of", AS_OF, "--github-reviews", bad)

    assert (outcome.exit_code, outcome.stderr) == (
        2,
        f"spendgate: error: {bad}: expected the JSON list the GitHub reviews API returns\n",
    )


def test_reviews_need_a_source_that_counts_them(cli: Cli, repo: Path, tmp_path: Path) -> None:
    outcome = cli("check", repo, "--as-of", AS_OF, "--github-reviews", reviews_for(tmp_path, "x"))

    assert (outcome.exit_code, outcome.stdout, outcome.stderr) == (
        2,
        "",
        "spendgate: error: spendgate.yaml sets approvals.source to records; set it to github or "
        "both to count pull-request reviews\n",
    )


def test_a_rejection_by_a_role_with_veto_blocks(cli: Cli, repo: Path) -> None:
    config = repo / "spendgate.yaml"
    config.write_text(config.read_text().replace("industry: technology", "industry: finance"))
    vendor = repo / "vendors" / "acme.yaml"
    vendor.write_text(
        vendor.read_text().replace(
            "ict_provider: false, critical: false", "ict_provider: true, critical: true"
        )
    )
    folder = repo / "approvals"
    folder.mkdir()
    (folder / "veto.yaml").write_text(
        "apiVersion: spendgate/v1\nkind: Approval\nrequest: PR-TEST\napprover: compliance\n"
        "role: compliance\ndecision: reject\ndate: 2026-11-05\ndigest_version: 2\n"
        f"request_digest: {digest_of(repo)}\n"
    )

    outcome = cli("check", repo, "--as-of", AS_OF)

    lines = outcome.stdout.splitlines()
    assert (outcome.exit_code, lines[0]) == (1, "PR-TEST [blocked] Keyboards for the team")
    assert (
        "    stage 1 compliance, veto (FIN-020): [!] rejected by compliance (unverified) on "
        "2026-11-05"
    ) in lines
    assert (
        "  requests/pr-test.yaml:2:1: [error] compliance rejected this request as compliance, a "
        "role with veto (FIN-020)"
    ) in lines


def test_a_parallel_policy_set_lets_stages_approve_in_any_order(cli: Cli, repo: Path) -> None:
    shutil.copytree(builtin_directory(), repo / "policies", ignore=shutil.ignore_patterns("tests"))
    policy_set = repo / "policies" / "policy-set.yaml"
    policy_set.write_text(policy_set.read_text() + "  stages: parallel\n")
    config = repo / "spendgate.yaml"
    config.write_text(config.read_text() + "policy_set: policies\n")
    request = repo / "requests" / "pr-test.yaml"
    request.write_text(request.read_text().replace("quantity: 4", "quantity: 100"))  # 15,000
    budgets = repo / "org" / "budgets.yaml"
    budgets.write_text(budgets.read_text().replace("owner: director", "owner: cfo"))
    digest = digest_of(repo)
    approve(
        repo, "a-director", approver="director", role="director", on="2026-11-03", digest=digest
    )
    approve(
        repo, "b-manager", approver="manager", role="line_manager", on="2026-11-04", digest=digest
    )
    approve(repo, "c-owner", approver="cfo", role="budget_owner", on="2026-11-05", digest=digest)

    assert cli("check", repo, "--as-of", AS_OF).exit_code == 0


def _approve_as_director(cli: Cli, root: Path, *extra: str) -> tuple[int, str, str]:
    done = cli(
        "approve", "PR-TEST", "--role", "budget_owner", "--as", "director", "--repo", root,
        "--on", AS_OF, *extra,
    )  # fmt: skip
    return done.exit_code, done.stdout, done.stderr


def _commit_as(root: Path, person: str, message: str) -> None:
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", message, author=f"{person} <{person}@test.example>")


def test_approving_again_after_a_change_voided_the_approval_replaces_the_record(
    cli: Cli, git_user: GitUser, git_repo: Path
) -> None:
    """The re-approval dead end (issue 18): a material change voids the director's approval;
    the director approving again is a new record in place of the old one, git keeping both."""
    git_user("director@test.example")
    record = git_repo / "approvals" / "PR-TEST" / "budget_owner-director.yaml"
    assert _approve_as_director(cli, git_repo)[0] == 0
    _commit_as(git_repo, "director", "approve PR-TEST")
    first = record.read_text()
    request = git_repo / "requests" / "pr-test.yaml"
    request.write_text(request.read_text().replace("unit_price: 150", "unit_price: 160"))
    _commit_as(git_repo, "rita", "keyboards cost more")
    voided = cli("check", git_repo, "--as-of", AS_OF)

    again = _approve_as_director(cli, git_repo)
    _commit_as(git_repo, "director", "approve PR-TEST again")
    after = cli("check", git_repo, "--as-of", AS_OF)

    assert voided.stdout.startswith("PR-TEST [pending]")
    assert again == (
        0,
        "wrote approvals/PR-TEST/budget_owner-director.yaml: approval by director as "
        "budget_owner, replacing the record of 2026-11-22, which a change to PR-TEST voided\n",
        "",
    )
    assert record.read_text() == first.replace(
        digest_line(first), f"request_digest: {digest_of(git_repo)}"
    )
    assert (after.exit_code, after.stdout.splitlines()[0]) == (
        0,
        "PR-TEST [approved] Keyboards for the team",
    )
    log = git(git_repo, "log", "--format=%s", "--", "approvals/PR-TEST/budget_owner-director.yaml")
    assert log == "approve PR-TEST again\napprove PR-TEST\n"


def digest_line(record: str) -> str:
    (line,) = [line for line in record.splitlines() if line.startswith("request_digest: ")]
    return line


def test_approving_again_is_refused_while_the_approval_counts_but_a_no_replaces_it(
    cli: Cli, git_user: GitUser, git_repo: Path
) -> None:
    """Only a record that no longer counts is replaced by a yes; a standing yes can be turned
    into a no (a rejection stops the request even after a yes), never a no into a yes."""
    git_user("director@test.example")
    assert _approve_as_director(cli, git_repo)[0] == 0
    _commit_as(git_repo, "director", "approve PR-TEST")

    twice = _approve_as_director(cli, git_repo)
    rejected = _approve_as_director(cli, git_repo, "--reject")
    _commit_as(git_repo, "director", "reject PR-TEST")
    back = _approve_as_director(cli, git_repo)
    after = cli("check", git_repo, "--as-of", AS_OF)

    assert twice == (
        1,
        "",
        "spendgate: error: the budget_owner step of PR-TEST is already filled by director\n",
    )
    assert rejected == (
        0,
        "wrote approvals/PR-TEST/budget_owner-director.yaml: rejection by director as "
        "budget_owner, replacing the record of 2026-11-22\n",
        "",
    )
    assert back == (
        1,
        "",
        "spendgate: error: the budget_owner step of PR-TEST was rejected by director on "
        "2026-11-22; only a material change to the request clears a rejection\n",
    )
    assert after.stdout.splitlines()[0] == "PR-TEST [rejected] Keyboards for the team"


@pytest.mark.parametrize("planted", ["link", "pipe"])
def test_a_link_or_pipe_planted_where_the_record_goes_is_never_written_through(
    cli: Cli, git_user: GitUser, git_repo: Path, tmp_path: Path, planted: str
) -> None:
    """A requester's branch puts a link to a file of the approver's (or a pipe, which would
    hang the write) where the approver's record will be written: refused, nothing written."""
    git_user("director@test.example")
    outside = tmp_path / "approver-notes.txt"
    outside.write_text("mine\n")
    record = git_repo / "approvals" / "PR-TEST" / "budget_owner-director.yaml"
    record.parent.mkdir(parents=True)
    if planted == "link":
        record.symlink_to(outside)
    else:
        os.mkfifo(record)

    outcome = _approve_as_director(cli, git_repo)

    assert outcome == (
        2,
        "",
        "spendgate: error: approvals/PR-TEST/budget_owner-director.yaml is not a regular file; "
        "remove it and approve again\n",
    )
    assert outside.read_text() == "mine\n"


def test_approving_as_someone_else_says_so_and_never_counts_as_theirs(
    cli: Cli, git_user: GitUser, git_repo: Path
) -> None:
    """`approve --as` (issue 18): an assistant at the keyboard approves as the director and then
    commits the record as the director (`git -c user.email=…`, here the author). The record
    says who wrote it, the command warns, and the approval never counts as the director's."""
    git_user("assistant@test.example")

    wrote = _approve_as_director(cli, git_repo)
    _commit_as(git_repo, "director", "approve PR-TEST")
    after = cli("check", git_repo, "--as-of", AS_OF)

    assert wrote == (
        0,
        "wrote approvals/PR-TEST/budget_owner-director.yaml: approval by director (written by "
        "assistant@test.example) as budget_owner\n",
        "spendgate: warning: you are not director: this approval is written on director's "
        "behalf by assistant@test.example, the record says so, and it never counts as "
        "director's own (unverified whoever commits it: it counts only where "
        "approvals.require_authenticity is none)\n",
    )
    record = git_repo / "approvals" / "PR-TEST" / "budget_owner-director.yaml"
    assert 'written_by: "assistant@test.example"\n' in record.read_text()
    assert after.exit_code == 1
    assert after.stdout.splitlines()[:4] == [
        "PR-TEST [pending] Keyboards for the team",
        "  requests/pr-test.yaml: 600.00 EUR, opex",
        "  route:",
        "    stage 1 budget_owner (DR-005): [ ] waiting; may approve: director",
    ]
    assert after.stdout.splitlines()[4] == (
        "  approvals/PR-TEST/budget_owner-director.yaml:4:11: [warning] $.approver: approve by "
        "director as budget_owner on 2026-11-22 does not count: "
        "approvals/PR-TEST/budget_owner-director.yaml was written on director's behalf by "
        "assistant@test.example, so it is never director's own; approvals.require_authenticity "
        "is author-match: director approves with their own git identity (APPROVAL)"
    )


def test_approving_as_yourself_with_as_is_your_own_approval(
    cli: Cli, git_user: GitUser, git_repo: Path
) -> None:
    git_user("director@test.example")

    wrote = _approve_as_director(cli, git_repo)
    _commit_as(git_repo, "director", "approve PR-TEST")

    assert wrote == (
        0,
        "wrote approvals/PR-TEST/budget_owner-director.yaml: approval by director as "
        "budget_owner\n",
        "",
    )
    assert (
        "written_by" not in (git_repo / "approvals/PR-TEST/budget_owner-director.yaml").read_text()
    )
    assert cli("check", git_repo, "--as-of", AS_OF).exit_code == 0
