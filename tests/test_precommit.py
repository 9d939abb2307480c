"""The pre-commit hooks (`.pre-commit-hooks.yaml`), run by the real pre-commit (SPEC §11).

A governance repository pins spendgate in its `.pre-commit-config.yaml`; pre-commit clones that
revision, builds a virtualenv with spendgate installed by pip (from PyPI), and runs the hook in
the repository. These tests do exactly that in temporary git repositories, with this working tree
committed as the pinned revision. `pre-commit try-repo` keeps its store in a fresh temporary
directory on every call (it ignores PRE_COMMIT_HOME) and so builds the virtualenv every time
(about 10 s): two tests use it, for a passing and a failing change; the others use a pinned
config and one PRE_COMMIT_HOME per session, which builds it once.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from datetime import date
from pathlib import Path

import pytest

from spendgate.policy.library import builtin_directory
from tests.conftest import PROJECT
from tests.test_approvals import git

HOOK_NAMES = {"spendgate-validate": "spendgate validate", "spendgate-check": "spendgate check"}

CONFIG = """\
repos:
  - repo: {repo}
    rev: {rev}
    hooks:
      - id: spendgate-validate
      - id: spendgate-check
"""

CLEAN_REQUEST = """\
apiVersion: spendgate/v1
kind: PurchaseRequest
id: PR-MICE
title: Mice for the team
requester: requester
department: it
cost_centre: it-ops
vendor: acme
submitted: 2026-11-02
justification: Replacement mice.
line_items:
  - description: Mouse
    category: hardware
    quantity: 4
    unit_price: 40
    currency: EUR
    useful_life_months: 36
"""

UNKNOWN_VENDOR = (
    "requests/pr-ghost.yaml:8:9: [error] $.vendor: vendor 'ghost-corp' is not defined "
    "(dangling-reference)"
)
BLOCKED_VENDOR = "requests/pr-shady.yaml:8:9: [error] $.vendor: shady is blocked (VR-020)"


def add_clean_request(root: Path) -> None:
    (root / "requests" / "pr-mice.yaml").write_text(CLEAN_REQUEST)


def add_request_for_unknown_vendor(root: Path) -> None:
    request = CLEAN_REQUEST.replace("PR-MICE", "PR-GHOST").replace("acme", "ghost-corp")
    (root / "requests" / "pr-ghost.yaml").write_text(request)


def add_request_from_blocked_vendor(root: Path) -> None:
    vendor = (root / "vendors" / "acme.yaml").read_text()
    vendor = vendor.replace("id: acme", "id: shady").replace("status: approved", "status: blocked")
    (root / "vendors" / "shady.yaml").write_text(vendor)
    request = CLEAN_REQUEST.replace("PR-MICE", "PR-SHADY").replace("acme", "shady")
    (root / "requests" / "pr-shady.yaml").write_text(request)


@pytest.fixture(scope="session")
def hooks_revision(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """This working tree, uncommitted and untracked files included, as one commit to pin."""
    snapshot = tmp_path_factory.mktemp("spendgate-snapshot") / "spendgate"
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=PROJECT,
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    for name in filter(None, listed.split("\0")):
        source = PROJECT / name
        if not source.is_symlink() and not source.exists():
            continue  # deleted in the working tree, not yet in the index
        target = snapshot / name
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target, follow_symlinks=False)
    git(snapshot, "init", "-q", "-b", "main")
    git(snapshot, "add", "-A")
    git(snapshot, "commit", "-q", "-m", "the working tree under test")
    return snapshot, git(snapshot, "rev-parse", "HEAD").strip()


@pytest.fixture(scope="session")
def pre_commit_environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    """The environment for pre-commit: one store (and so one hook virtualenv) per session."""
    environment = {
        name: value
        for name, value in os.environ.items()
        # A git hook running the tests must not point pre-commit at its own repository, and on a
        # GitHub pull-request run `spendgate check` would read the base branch from GITHUB_*.
        if not name.startswith(("GIT_", "PRE_COMMIT", "GITHUB_")) and name != "SKIP"
    }
    environment["PRE_COMMIT_HOME"] = str(tmp_path_factory.mktemp("pre-commit-home"))
    return environment


@pytest.fixture
def governance(tmp_path: Path, hooks_revision: tuple[Path, str]) -> Path:
    """A governance repository that passes `check --allow-pending`, using the hooks in its config.

    The bundled examples hold blocked requests on purpose; this is the policy tests' base plus a
    copy of the reference policies. The hooks decide as of today (they take no `--as-of`), so the
    vendor's sanctions screening, good for 90 days (VR-015), is dated today.
    """
    root = tmp_path / "governance"
    shutil.copytree(PROJECT / "policies" / "tests" / "base", root)
    shutil.copytree(builtin_directory(), root / "policies", ignore=shutil.ignore_patterns("tests"))
    config = root / "spendgate.yaml"
    config.write_text(config.read_text() + "policy_set: policies\n")
    vendor = root / "vendors" / "acme.yaml"
    screened = f"screened_on: {date.today().isoformat()}"
    vendor.write_text(re.sub(r"screened_on: [0-9-]+", screened, vendor.read_text()))
    repo, rev = hooks_revision
    (root / ".pre-commit-config.yaml").write_text(CONFIG.format(repo=repo, rev=rev))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "governance repository")
    return root


def pre_commit(root: Path, environment: dict[str, str], *arguments: str) -> tuple[int, str]:
    """Run pre-commit in `root`; its exit code and everything it printed."""
    done = subprocess.run(
        [sys.executable, "-m", "pre_commit", *arguments],
        cwd=root,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )
    return done.returncode, done.stdout + done.stderr


def test_the_manifest_is_valid() -> None:
    code, output = pre_commit(
        PROJECT, dict(os.environ), "validate-manifest", ".pre-commit-hooks.yaml"
    )

    assert (code, output) == (0, "")


@pytest.mark.parametrize(
    ("hook", "change", "expected_code", "expected_line"),
    [
        ("spendgate-validate", add_clean_request, 0, None),
        ("spendgate-validate", add_request_for_unknown_vendor, 1, UNKNOWN_VENDOR),
        # validate checks documents and references; judging requests is check's job
        ("spendgate-validate", add_request_from_blocked_vendor, 0, None),
        # the clean request waits for its budget owner: pending passes the hook
        ("spendgate-check", add_clean_request, 0, None),
        ("spendgate-check", add_request_for_unknown_vendor, 1, UNKNOWN_VENDOR),
        ("spendgate-check", add_request_from_blocked_vendor, 1, BLOCKED_VENDOR),
    ],
    ids=[
        "validate-passes-a-clean-request",
        "validate-fails-an-unknown-vendor",
        "validate-passes-a-blocked-vendor",
        "check-passes-a-pending-request",
        "check-fails-an-unknown-vendor",
        "check-fails-a-blocked-vendor",
    ],
)
def test_a_hook_judges_a_staged_change(
    governance: Path,
    pre_commit_environment: dict[str, str],
    hook: str,
    change: Callable[[Path], None],
    expected_code: int,
    expected_line: str | None,
) -> None:
    change(governance)
    git(governance, "add", "-A")

    code, output = pre_commit(governance, pre_commit_environment, "run", hook, "--all-files")

    verdict = "Passed" if expected_code == 0 else "Failed"
    assert re.search(rf"^{HOOK_NAMES[hook]}\.+{verdict}$", output, re.MULTILINE), output
    assert code == expected_code, output
    if expected_line is not None:
        assert f"- exit code: {expected_code}" in output
        assert expected_line in output


def test_a_commit_that_touches_no_yaml_still_runs_both_hooks(
    governance: Path, pre_commit_environment: dict[str, str]
) -> None:
    """The hooks run on every commit (`always_run`): pre-commit passes no deleted file, so a
    `files` filter would let a commit that only deletes a vendor through unseen."""
    (governance / "README.md").write_text("Our purchases.\n")
    git(governance, "add", "README.md")

    code, output = pre_commit(governance, pre_commit_environment, "run")

    assert code == 0, output
    for name in HOOK_NAMES.values():
        assert re.search(rf"^{name}\.+Passed$", output, re.MULTILINE), output


def test_an_installed_hook_refuses_a_commit_naming_an_unknown_vendor(
    governance: Path, pre_commit_environment: dict[str, str]
) -> None:
    code, output = pre_commit(governance, pre_commit_environment, "install")
    assert code == 0, output
    add_request_for_unknown_vendor(governance)
    git(governance, "add", "-A")
    environment = {
        **pre_commit_environment,
        "GIT_AUTHOR_NAME": "Rita Requester",
        "GIT_AUTHOR_EMAIL": "rita@test.example",
        "GIT_COMMITTER_NAME": "Rita Requester",
        "GIT_COMMITTER_EMAIL": "rita@test.example",
        "HOME": str(governance.parent),  # no global git configuration
    }

    refused = subprocess.run(
        ["git", "commit", "-m", "mice from a ghost"],
        cwd=governance,
        env=environment,
        capture_output=True,
        text=True,
        timeout=900,
    )

    assert refused.returncode == 1
    assert UNKNOWN_VENDOR in refused.stdout + refused.stderr
    assert git(governance, "log", "--format=%s") == "governance repository\n"


@pytest.mark.parametrize(
    ("change", "expected_code", "verdicts"),
    [
        (add_clean_request, 0, ("Passed", "Passed")),
        (add_request_for_unknown_vendor, 1, ("Failed", "Failed")),
    ],
    ids=["passing-change", "failing-change"],
)
def test_try_repo_runs_both_hooks_on_a_change(
    governance: Path,
    hooks_revision: tuple[Path, str],
    pre_commit_environment: dict[str, str],
    change: Callable[[Path], None],
    expected_code: int,
    verdicts: tuple[str, str],
) -> None:
    """`pre-commit try-repo`, as a user would try the hooks before pinning them (it builds its
    own hook virtualenv each time, so only these two cases use it)."""
    (governance / ".pre-commit-config.yaml").unlink()
    git(governance, "commit", "-q", "-am", "no pinned hooks")
    change(governance)
    git(governance, "add", "-A")
    repo, rev = hooks_revision

    code, output = pre_commit(
        governance, pre_commit_environment, "try-repo", str(repo), "--ref", rev, "--all-files"
    )

    assert code == expected_code, output
    for name, verdict in zip(HOOK_NAMES.values(), verdicts, strict=True):
        assert re.search(rf"^{name}\.+{verdict}$", output, re.MULTILINE), output
    if expected_code:
        assert UNKNOWN_VENDOR in output


# --- commits that only delete ------------------------------------------------------------------

AMENDMENT = CLEAN_REQUEST.replace("PR-MICE", "PR-MORE").replace(
    "vendor: acme\n", "vendor: acme\namends: PR-TEST\n"
)
APPROVAL = f"""\
apiVersion: spendgate/v1
kind: Approval
request: PR-TEST
approver: director
role: budget_owner
decision: approve
date: 2026-11-03
request_digest: sha256:{"0" * 64}
"""
VENDOR_GONE = (
    "requests/pr-test.yaml:9:9: [error] $.vendor: vendor 'acme' is not defined (dangling-reference)"
)
AMENDED_GONE = (
    "requests/pr-more.yaml:9:9: [error] $.amends: request 'PR-TEST' is not defined "
    "(dangling-reference)"
)
APPROVED_GONE = (
    "approvals/PR-TEST/budget_owner-director.yaml:3:10: [error] $.request: request 'PR-TEST' "
    "is not defined (dangling-reference)"
)
DECIDED_GONE = (
    "requests/pr-test.yaml:1:1: [error] requests/pr-test.yaml is deleted, but request PR-TEST "
    "is decided in audit/decisions.jsonl (line 1); records are never deleted: set "
    "`status: withdrawn` instead (record-deleted)"
)


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def amend_the_request(root: Path) -> None:
    (root / "requests" / "pr-more.yaml").write_text(AMENDMENT)
    commit(root, "an amendment of PR-TEST")


def approve_the_request(root: Path) -> None:
    (root / "approvals" / "PR-TEST").mkdir(parents=True)
    (root / "approvals" / "PR-TEST" / "budget_owner-director.yaml").write_text(APPROVAL)
    commit(root, "PR-TEST approved")


def record_the_decisions(root: Path) -> None:
    """What CI does after a merge: `audit record` logs every decision, and commits the log."""
    done = subprocess.run(
        [sys.executable, "-m", "spendgate", "audit", "record", "--as-of", "2026-11-22"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(PROJECT / "src")},
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    commit(root, "decisions recorded")


def nothing(root: Path) -> None:
    """The repository as the fixture made it."""


@pytest.mark.parametrize(
    ("before", "deleted", "expected_line"),
    [
        (nothing, "vendors/acme.yaml", VENDOR_GONE),
        (amend_the_request, "requests/pr-test.yaml", AMENDED_GONE),
        (approve_the_request, "requests/pr-test.yaml", APPROVED_GONE),
        (record_the_decisions, "requests/pr-test.yaml", DECIDED_GONE),
    ],
    ids=[
        "a-vendor-a-request-names",
        "a-request-another-amends",
        "a-request-an-approval-names",
        "a-request-the-decision-log-records",
    ],
)
@pytest.mark.parametrize("hook", list(HOOK_NAMES))
def test_both_hooks_refuse_a_commit_that_only_deletes_a_record_still_needed(
    governance: Path,
    pre_commit_environment: dict[str, str],
    hook: str,
    before: Callable[[Path], None],
    deleted: str,
    expected_line: str,
) -> None:
    before(governance)
    git(governance, "rm", "-q", deleted)

    code, output = pre_commit(governance, pre_commit_environment, "run", hook)

    assert re.search(rf"^{HOOK_NAMES[hook]}\.+Failed$", output, re.MULTILINE), output
    assert (code, "- exit code: 1" in output, expected_line in output) == (1, True, True), output


@pytest.mark.parametrize("hook", list(HOOK_NAMES))
def test_both_hooks_pass_a_commit_that_only_deletes_what_nothing_needs(
    governance: Path, pre_commit_environment: dict[str, str], hook: str
) -> None:
    """A request no document names and no log records (not yet merged) may go; so may a file
    that is no document at all."""
    add_clean_request(governance)
    (governance / "NOTES.md").write_text("Ask procurement first.\n")
    commit(governance, "a draft request and notes")
    git(governance, "rm", "-q", "requests/pr-mice.yaml", "NOTES.md")

    code, output = pre_commit(governance, pre_commit_environment, "run", hook)

    assert re.search(rf"^{HOOK_NAMES[hook]}\.+Passed$", output, re.MULTILINE), output
    assert code == 0, output


@pytest.mark.parametrize(
    ("deleted", "expected_code", "verdict"),
    [("vendors/acme.yaml", 1, "Failed"), ("README.md", 0, "Passed")],
    ids=["a-vendor-still-named", "a-readme"],
)
def test_try_repo_judges_a_commit_that_only_deletes(
    governance: Path,
    hooks_revision: tuple[Path, str],
    pre_commit_environment: dict[str, str],
    deleted: str,
    expected_code: int,
    verdict: str,
) -> None:
    """`pre-commit try-repo` on a staged deletion and nothing else, as a commit would run it."""
    (governance / ".pre-commit-config.yaml").unlink()
    (governance / "README.md").write_text("Our purchases.\n")
    commit(governance, "no pinned hooks; a README")
    git(governance, "rm", "-q", deleted)
    repo, rev = hooks_revision

    code, output = pre_commit(
        governance, pre_commit_environment, "try-repo", str(repo), "spendgate-validate",
        "--ref", rev,
    )  # fmt: skip

    assert re.search(rf"^spendgate validate\.+{verdict}$", output, re.MULTILINE), output
    assert code == expected_code, output
    if expected_code:
        assert f"- exit code: 1\n\n{VENDOR_GONE}\ninvalid: 1 error, 0 warnings" in output
