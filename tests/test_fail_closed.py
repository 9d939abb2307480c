"""Pull-request mode fails closed (SPEC §7): a git error ends the check with exit 2 and git's
message; an empty change set is a result only when git reports one. Real repositories, real git."""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path

import pytest

from spendgate import vcs
from spendgate.errors import GitError
from spendgate.vcs import Change
from tests.conftest import Cli
from tests.test_approvals import git
from tests.test_pull_requests import AS_OF, SECOND_REQUEST, check, commit, main_repo

__all__ = ["main_repo"]  # the fixture, shared with the pull-request tests


def test_a_base_that_names_no_commit_ends_the_check_with_gits_message(
    cli: Cli, main_repo: Path
) -> None:
    outcome = cli("check", main_repo, "--base", "no-such-ref", "--as-of", AS_OF)

    assert (outcome.exit_code, outcome.stdout, outcome.stderr) == (
        2,
        "",
        "spendgate: error: git merge-base --end-of-options no-such-ref HEAD: "
        "fatal: Not a valid object name no-such-ref\n",
    )


def test_a_base_that_shares_no_history_ends_the_check(cli: Cli, main_repo: Path) -> None:
    git(main_repo, "checkout", "-q", "--orphan", "unrelated")
    commit(main_repo, "the same files, no common history")

    outcome = cli("check", main_repo, "--base", "main", "--as-of", AS_OF)

    assert (outcome.exit_code, outcome.stdout, outcome.stderr) == (
        2,
        "",
        "spendgate: error: git merge-base --end-of-options main HEAD: "
        "main and HEAD share no history\n",
    )


def test_a_blob_missing_from_a_damaged_clone_ends_the_check_naming_it(
    cli: Cli, main_repo: Path
) -> None:
    # Blocking the vendor re-decides every request of it, pr-test.yaml among them, unchanged:
    # its summary must come from git, which no longer has it.
    vendor = main_repo / "vendors" / "acme.yaml"
    vendor.write_text(vendor.read_text().replace("status: approved", "status: blocked"))
    commit(main_repo, "block acme")
    blob = git(main_repo, "rev-parse", "HEAD:requests/pr-test.yaml").strip()
    objects = main_repo / ".git" / "objects"
    assert not list((objects / "pack").glob("*.pack"))  # every object is loose
    (objects / blob[:2] / blob[2:]).unlink()
    shutil.rmtree(main_repo / ".spendgate-cache", ignore_errors=True)

    outcome = cli("check", main_repo, "--base", "main", "--as-of", AS_OF)

    assert (outcome.exit_code, outcome.stdout, outcome.stderr) == (
        2,
        "",
        f"spendgate: error: git cat-file --batch: not in the repository: {blob}\n",
    )


def test_a_git_call_that_outlives_its_timeout_raises(main_repo: Path) -> None:
    # A real git made slow by its own configuration: every command that reads the index first
    # asks the file-system monitor hook, and this one takes a minute to answer.
    hook = main_repo.parent / "slow-fsmonitor"
    hook.write_text("#!/bin/sh\nsleep 60\n")
    hook.chmod(0o755)
    git(main_repo, "config", "core.fsmonitor", str(hook))

    started = time.monotonic()
    with pytest.raises(GitError) as raised:
        vcs.is_tracked(main_repo, ".spendgate-cache", timeout=1)

    assert str(raised.value) == "git ls-files -- .spendgate-cache: timed out after 1 s"
    assert time.monotonic() - started < 30  # the hook was ended with git, not waited for


def test_changes_reads_every_path_exactly_as_in_the_tree(main_repo: Path) -> None:
    requests = main_repo / "requests"
    (requests / "to-rename.yaml").write_text(SECOND_REQUEST)
    commit(main_repo, "a request to rename")
    since = git(main_repo, "rev-parse", "HEAD").strip()
    git(main_repo, "mv", "requests/to-rename.yaml", "requests/renamed é.yaml")
    for name in ("café.yaml", "a\tb.yaml", "new\nline.yaml"):
        (requests / name).write_text(f"# {name!r}\n")
    vendor = main_repo / "vendors" / "acme.yaml"
    vendor.write_text(vendor.read_text().replace("status: approved", "status: blocked"))
    (main_repo / "org" / "budgets.yaml").unlink()
    commit(main_repo, "names git would quote, a rename, a change and a deletion")

    assert vcs.changes(main_repo, since) == [
        Change("D", "org/budgets.yaml"),
        Change("A", "requests/a\tb.yaml"),
        Change("A", "requests/café.yaml"),
        Change("A", "requests/new\nline.yaml"),
        Change("R", "requests/renamed é.yaml", "requests/to-rename.yaml"),
        Change("M", "vendors/acme.yaml"),
    ]


def test_a_request_whose_name_git_would_quote_is_decided(cli: Cli, main_repo: Path) -> None:
    (main_repo / "requests" / "café.yaml").write_text(SECOND_REQUEST)
    commit(main_repo, "a big purchase")

    outcome = cli("check", main_repo, "--base", "main", "--as-of", AS_OF, "--format", "json")
    report = json.loads(outcome.stdout)

    assert (outcome.exit_code, [(d["request_id"], d["file"]) for d in report["decisions"]]) == (
        1,
        [("PR-BIG", "requests/café.yaml")],
    )


def test_an_empty_change_reported_by_git_passes(cli: Cli, main_repo: Path) -> None:
    base = git(main_repo, "rev-parse", "main").strip()
    policy_set = "policy set spendgate-reference 1.1.0"

    code, out = check(cli, main_repo)

    assert (code, out) == (
        0,
        f"Judged by the rules of the base revision {base[:12]} ({policy_set}), not by this "
        "change's: 0 changed file(s), 0 request(s) affected.\n"
        "0 requests: 0 approved, 0 pending, 0 blocked, 0 rejected, 0 invalid "
        f"({policy_set}, as of {AS_OF})\n",
    )
