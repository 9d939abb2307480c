"""Pull-request mode: what changed, judged by the base branch's rules (SPEC §7)."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from spendgate import __version__
from spendgate.approvals.changes import content_digest
from spendgate.policy.library import builtin_directory
from tests.conftest import PROJECT, Cli, GitUser
from tests.test_approvals import git

AS_OF = "2026-11-22"
SECOND_REQUEST = """\
apiVersion: spendgate/v1
kind: PurchaseRequest
id: PR-BIG
title: Core banking platform
requester: requester
department: it
cost_centre: it-ops
vendor: acme
submitted: 2026-11-10
justification: Replace the core banking platform.
line_items:
  - description: Platform licence
    category: perpetual_license
    quantity: 1
    unit_price: 2500000
    currency: EUR
"""


@pytest.fixture
def main_repo(tmp_path: Path) -> Path:
    """A governance repository with its own copy of the reference policies, on branch main."""
    root = tmp_path / "governance"
    shutil.copytree(PROJECT / "policies" / "tests" / "base", root)
    shutil.copytree(builtin_directory(), root / "policies", ignore=shutil.ignore_patterns("tests"))
    config = root / "spendgate.yaml"
    config.write_text(config.read_text() + "policy_set: policies\n")
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "governance repository")
    git(root, "checkout", "-q", "-b", "feature")
    return root


def check(cli: Cli, root: Path, *extra: str) -> tuple[int, str]:
    outcome = cli("check", root, "--base", "main", "--as-of", AS_OF, *extra)
    return outcome.exit_code, outcome.stdout


PROCUREMENT = "Paula Procurement <proc@test.example>"
"""The policy owner of the reference library (procurement) as a git author."""


def commit(root: Path, message: str, *, author: str = "Admin <admin@test.example>") -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, author=author)


def test_an_empty_branch_passes(cli: Cli, main_repo: Path) -> None:
    code, out = check(cli, main_repo)

    judged = next(line for line in out.splitlines() if line.startswith("Judged by the rules"))
    assert code == 0
    assert judged.endswith("0 changed file(s), 0 request(s) affected.")


def test_a_branch_that_only_edits_a_policy_fails_naming_file_and_owner(
    cli: Cli, main_repo: Path
) -> None:
    policy = main_repo / "policies" / "esg.yaml"
    policy.write_text(policy.read_text().replace("score >= 45", "score >= 20"))
    commit(main_repo, "soften ESG-010")

    code, out = check(cli, main_repo)

    assert code == 1
    assert (
        "policies/esg.yaml:1:1: [error] this pull request changes governance file "
        "policies/esg.yaml; it needs the approval of procurement, and the pull request is judged "
        "by the base "
        "revision's rules meanwhile (governance-change)"
    ) in out


def test_loosened_rules_do_not_judge_the_request_that_needs_them(cli: Cli, main_repo: Path) -> None:
    rights = main_repo / "policies" / "decision-rights.yaml"
    rights.write_text(
        re.sub(
            r"require: \{role: [a-z_]+(, [a-z]+: [a-z0-9_]+)*\}",
            "require: {role: requester}",
            rights.read_text(),
        )
    )
    (main_repo / "requests" / "pr-big.yaml").write_text(SECOND_REQUEST)
    commit(main_repo, "a big purchase, and easier rules")

    outcome = cli("check", main_repo, "--base", "main", "--as-of", AS_OF, "--format", "json")
    report = json.loads(outcome.stdout)

    assert outcome.exit_code == 1
    (decision,) = report["decisions"]
    roles = {step["role"] for step in decision["route"]}
    assert decision["request_id"] == "PR-BIG"
    assert {"cfo", "ceo"} <= roles
    assert "requester" not in roles
    assert [p["code"] for p in report["problems"]] == ["governance-change"]


def test_deleting_a_request_fails_and_names_it(cli: Cli, main_repo: Path) -> None:
    (main_repo / "requests" / "pr-test.yaml").unlink()
    commit(main_repo, "remove a request")

    code, out = check(cli, main_repo)

    assert code == 1
    assert (
        "requests/pr-test.yaml:1:1: [error] requests/pr-test.yaml is deleted; records are never "
        "deleted: set `status: withdrawn` instead (record-deleted)"
    ) in out


def test_a_vendor_change_rechecks_every_request_that_uses_it(cli: Cli, main_repo: Path) -> None:
    (main_repo / "requests" / "pr-big.yaml").write_text(SECOND_REQUEST)
    commit(main_repo, "a second request")
    git(main_repo, "checkout", "-q", "main")
    git(main_repo, "merge", "-q", "--ff-only", "feature")
    git(main_repo, "checkout", "-q", "-b", "vendor-change")
    vendor = main_repo / "vendors" / "acme.yaml"
    vendor.write_text(vendor.read_text().replace("status: approved", "status: blocked"))
    commit(main_repo, "block acme")
    unapproved = cli("check", main_repo, "--base", "main", "--as-of", AS_OF, "--format", "json")
    approve_as_procurement(main_repo, "vendors/acme.yaml")
    commit(main_repo, "procurement approves", author=PROCUREMENT)

    outcome = cli("check", main_repo, "--base", "main", "--as-of", AS_OF, "--format", "json")
    report = json.loads(outcome.stdout)

    before = json.loads(unapproved.stdout)
    assert unapproved.exit_code == 1
    assert [p["message"] for p in before["problems"]] == [
        "this pull request changes the evidence of vendor acme (status); it needs the approval "
        "of procurement, and requests are judged with the vendor's evidence as of the base "
        "revision meanwhile"
    ]
    assert sorted(d["request_id"] for d in before["decisions"]) == ["PR-BIG", "PR-TEST"]
    assert not any("VR-020" in d["blocking"] for d in before["decisions"])
    assert outcome.exit_code == 1
    assert sorted(d["request_id"] for d in report["decisions"]) == ["PR-BIG", "PR-TEST"]
    assert all("VR-020" in d["blocking"] for d in report["decisions"])
    assert [(p["level"], p["message"]) for p in report["problems"]] == [
        (
            "warning",
            "this pull request changes the evidence of vendor acme (status), approved by "
            "procurement as procurement on 2026-11-20 (author-match)",
        )
    ]


def request_of(identifier: str, amount: int) -> str:
    return SECOND_REQUEST.replace("id: PR-BIG", f"id: {identifier}").replace(
        "unit_price: 2500000", f"unit_price: {amount}"
    )


def merge_requests(root: Path, requests: dict[str, int]) -> None:
    """Commit `requests` (id -> amount) on the feature branch and merge them into main."""
    for identifier, amount in requests.items():
        (root / "requests" / f"{identifier.lower()}.yaml").write_text(
            request_of(identifier, amount)
        )
    commit(root, "requests")
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--ff-only", "feature")


def raise_the_director_threshold(root: Path, requests: dict[str, int]) -> None:
    """Merge `requests` (id -> amount) into main, then, on a new branch, a commit that raises
    the director's threshold from 10,000 to 20,000."""
    merge_requests(root, requests)
    git(root, "checkout", "-q", "-b", "raise-director")
    rights = root / "policies" / "decision-rights.yaml"
    rights.write_text(
        rights.read_text()
        .replace(
            "request.cumulative_total_base > 10000.0", "request.cumulative_total_base > 20000.0"
        )
        .replace(
            "The department director approves above 10,000",
            "The department director approves above 20,000",
        )
    )
    commit(root, "director from 20,000")


def test_impact_of_raising_the_director_threshold(cli: Cli, main_repo: Path) -> None:
    raise_the_director_threshold(main_repo, {"PR-15K": 15000, "PR-30K": 30000, "PR-60K": 60000})

    outcome = cli("impact", main_repo, "--base", "main", "--as-of", AS_OF)

    assert outcome.exit_code == 0
    lines = outcome.stdout.splitlines()
    assert lines[0] == "requests/pr-15k.yaml: PR-15K: route -director"
    assert lines[1].startswith(
        "1 of 4 requests would be decided differently under this change's rules"
    )
    assert len(lines) == 2

    checked = cli("check", main_repo, "--base", "main", "--as-of", AS_OF)
    assert checked.exit_code == 1
    assert (
        "Impact of the governance change: 1 of 4 requests would be decided differently"
    ) in checked.stdout


def test_the_comment_on_a_governance_change_lists_what_it_decides_differently(
    cli: Cli, main_repo: Path
) -> None:
    """Issue 18: the pull-request comment (and job summary) names each request the new rules
    decide differently, old beside new, not only how many; the job log lists them too. How the
    catalogue was used is for debugging: only `check -v` prints it, on standard error."""
    raise_the_director_threshold(main_repo, {"PR-15K": 15000, "PR-30K": 30000, "PR-60K": 60000})
    base = git(main_repo, "rev-parse", "main").strip()[:12]

    comment = cli("check", main_repo, "--base", "main", "--as-of", AS_OF, "--format", "markdown")
    log = cli("check", main_repo, "--base", "main", "--as-of", AS_OF, "--format", "github")
    verbose = cli("check", main_repo, "--base", "main", "--as-of", AS_OF, "-v")

    assert (comment.exit_code, comment.stderr) == (1, "")
    assert comment.stdout == (
        "<!-- spendgate-report -->\n"
        "## ❌ spendgate: blocked\n"
        "\n"
        f"> Judged by the rules of the base revision {base} (policy set spendgate-reference "
        "1.1.0), not by this change's: 1 changed file(s), 0 request(s) affected.\n"
        "> Impact of the governance change: 1 of 4 requests would be decided differently under "
        f"this change's rules than under those of {base}.\n"
        "\n"
        "### Impact of the governance change\n"
        "\n"
        "Decided by the base revision's rules → by this change's:\n"
        "\n"
        "| Request | File | Status | Classification | Route |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| PR-15K | `requests/pr-15k.yaml` | pending | capex | -director |\n"
        "\n"
        "### Problems outside requests\n"
        "\n"
        "| Level | Code | Message | Location |\n"
        "| --- | --- | --- | --- |\n"
        "| error | governance-change | this pull request changes governance file "
        "policies/decision-rights.yaml; it needs the approval of procurement, and the pull "
        "request is judged by the base revision's rules meanwhile "
        "| `policies/decision-rights.yaml:1:1` |\n"
    )
    assert (log.exit_code, log.stderr) == (1, "")
    assert (
        "::group::impact of the governance change\n"
        "requests/pr-15k.yaml: PR-15K: route -director\n"
        "::endgroup::\n"
    ) in log.stdout
    assert "catalogue" not in log.stdout
    assert "catalogue" not in verbose.stdout
    assert verbose.stderr == (
        "Loaded the 0 document file(s) the change touches or depends on; the rest of the "
        f"repository came from the catalogue (.spendgate-cache/{__version__}, up to date).\n"
    )


def test_the_comment_lists_the_first_twenty_requests_a_governance_change_affects(
    cli: Cli, main_repo: Path
) -> None:
    """A governance change that alters many decisions: the comment stays short (GitHub limits
    its size), says how many it left out and where to see them all."""
    requests = {f"PR-{number:02}": 15000 + number for number in range(1, 23)}
    raise_the_director_threshold(main_repo, requests)
    base = git(main_repo, "rev-parse", "main").strip()[:12]

    comment = cli("check", main_repo, "--base", "main", "--as-of", AS_OF, "--format", "markdown")
    log = cli("check", main_repo, "--base", "main", "--as-of", AS_OF, "--format", "github")

    rows = [line for line in comment.stdout.splitlines() if line.startswith("| PR-")]
    assert rows == [
        f"| PR-{number:02} | `requests/pr-{number:02}.yaml` | blocked | capex | -director |"
        for number in range(1, 21)
    ]
    assert f"\n_…and 2 more: `spendgate impact --base {base}` lists them all._\n" in comment.stdout
    assert "requests/pr-22.yaml: PR-22: route -director\n" in log.stdout


def test_the_comment_shows_a_status_the_change_alters_old_beside_new(
    cli: Cli, main_repo: Path
) -> None:
    """Stricter ESG rules for purchases above 10,000: the one request above it is blocked
    under them, its route unchanged; the one below is not listed."""
    merge_requests(main_repo, {"PR-15K": 15000, "PR-5K": 5000})
    git(main_repo, "checkout", "-q", "-b", "stricter-esg")
    esg = main_repo / "policies" / "esg.yaml"
    esg.write_text(
        esg.read_text()
        .replace("cumulative_total_base > 100000.0", "cumulative_total_base > 10000.0", 1)
        .replace("vendor.esg.ecovadis.score >= 45", "vendor.esg.ecovadis.score >= 95", 1)
        .replace('vendor.esg.ecovadis.medal != "none"', "false", 1)
    )
    commit(main_repo, "EcoVadis 95 for every purchase")

    comment = cli("check", main_repo, "--base", "main", "--as-of", AS_OF, "--format", "markdown")
    log = cli("check", main_repo, "--base", "main", "--as-of", AS_OF, "--format", "github")

    assert (
        "### Impact of the governance change\n"
        "\n"
        "Decided by the base revision's rules → by this change's:\n"
        "\n"
        "| Request | File | Status | Classification | Route |\n"
        "| --- | --- | --- | --- | --- |\n"
        "| PR-15K | `requests/pr-15k.yaml` | pending → blocked | capex | unchanged |\n"
        "\n"
        "### Problems outside requests\n"
    ) in comment.stdout
    assert (
        "::group::impact of the governance change\n"
        "requests/pr-15k.yaml: PR-15K: status pending -> blocked\n"
        "::endgroup::\n"
    ) in log.stdout


def approve_change(root: Path, path: str, *, approver: str, role: str, digest: str) -> None:
    folder = root / "approvals" / "governance"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{role}-{approver}.yaml").write_text(
        "apiVersion: spendgate/v1\nkind: ChangeApproval\n"
        f"change: {path}\napprover: {approver}\nrole: {role}\ndecision: approve\n"
        f"date: 2026-11-20\ncontent_digest: {digest}\n"
    )


def approve_as_procurement(root: Path, path: str) -> None:
    """procurement's ChangeApproval of the file at `path` as it stands (not committed)."""
    approve_change(
        root, path, approver="procurement", role="procurement", digest=content_digest(root / path)
    )


def test_a_governance_change_approved_by_its_owner_no_longer_blocks(
    cli: Cli, main_repo: Path
) -> None:
    policy = main_repo / "policies" / "esg.yaml"
    policy.write_text(policy.read_text().replace("score >= 45", "score >= 40"))
    commit(main_repo, "ESG threshold to 40")
    approve_as_procurement(main_repo, "policies/esg.yaml")
    commit(main_repo, "procurement approves the ESG threshold", author=PROCUREMENT)

    code, out = check(cli, main_repo)

    assert code == 0
    assert (
        "policies/esg.yaml:1:1: [warning] this pull request changes governance file "
        "policies/esg.yaml, approved by procurement as procurement on 2026-11-20 (author-match) "
        "(governance-change)"
    ) in out


def test_a_change_approval_of_other_content_does_not_count(cli: Cli, main_repo: Path) -> None:
    policy = main_repo / "policies" / "esg.yaml"
    approve_as_procurement(main_repo, "policies/esg.yaml")
    policy.write_text(policy.read_text().replace("score >= 45", "score >= 10"))
    commit(main_repo, "approved one version, committed another")

    code, out = check(cli, main_repo)

    assert code == 1
    assert "[error] this pull request changes governance file policies/esg.yaml; it needs" in out


def test_approve_change_writes_the_owner_approval_that_unblocks(
    cli: Cli, git_user: GitUser, main_repo: Path
) -> None:
    git_user(PROCUREMENT[PROCUREMENT.index("<") + 1 : -1])
    policy = main_repo / "policies" / "esg.yaml"
    policy.write_text(policy.read_text().replace("score >= 45", "score >= 40"))
    wrong = cli(
        "approve",
        "--change",
        "policies/esg.yaml",
        "--role",
        "cfo",
        "--as",
        "cfo",
        "--repo",
        main_repo,
    )
    wrote = cli(
        "approve",
        "--change",
        "policies/esg.yaml",
        "--role",
        "procurement",
        "--as",
        "procurement",
        "--repo",
        main_repo,
        "--on",
        "2026-11-20",
    )
    commit(main_repo, "ESG threshold to 40, approved by procurement", author=PROCUREMENT)

    assert wrong.stderr == (
        "spendgate: error: a change to policies/esg.yaml is approved by procurement, not cfo\n"
    )
    assert wrote.stdout == (
        "wrote approvals/governance/policies-esg-procurement.yaml: approval by procurement as "
        "procurement\n"
    )
    assert check(cli, main_repo)[0] == 0


def test_approving_a_governance_change_again_replaces_the_record_once_the_file_changed(
    cli: Cli, git_user: GitUser, main_repo: Path
) -> None:
    """The re-approval dead end for governance files (issue 18): procurement approves one
    version, the policy changes again, procurement approves the new content in place of the old
    record; approving the same content twice is refused."""
    git_user(PROCUREMENT[PROCUREMENT.index("<") + 1 : -1])
    policy = main_repo / "policies" / "esg.yaml"
    arguments = (
        "approve", "--change", "policies/esg.yaml", "--role", "procurement", "--as",
        "procurement", "--repo", main_repo, "--on", "2026-11-20",
    )  # fmt: skip
    policy.write_text(policy.read_text().replace("score >= 45", "score >= 40"))
    first = cli(*arguments)
    twice = cli(*arguments)
    policy.write_text(policy.read_text().replace("score >= 40", "score >= 35"))
    again = cli(*arguments)
    commit(main_repo, "ESG threshold to 35, approved by procurement", author=PROCUREMENT)

    assert first.exit_code == 0
    assert (twice.exit_code, twice.stderr) == (
        1,
        "spendgate: error: procurement's approve of policies/esg.yaml as it stands is recorded "
        "already (2026-11-20); it stands until policies/esg.yaml changes\n",
    )
    assert again.stdout == (
        "wrote approvals/governance/policies-esg-procurement.yaml: approval by procurement as "
        "procurement, replacing the record of 2026-11-20, which a change to policies/esg.yaml "
        "voided\n"
    )
    assert check(cli, main_repo)[0] == 0
