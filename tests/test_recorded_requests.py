"""A request the decision log records is a record: `validate` and `check` refuse a repository that
no longer holds it (`spendgate.audit.recorded`), which is what lets the commit hooks refuse a
commit that only deletes one. A rename keeps it, and so does a file that no longer loads."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import EXAMPLES, Cli
from tests.test_approvals import git

AS_OF = "2026-11-22"
GONE = "requests/2026/NB-2026-0163.yaml"
GONE_LINE = (
    f"{GONE}:1:1: [error] {GONE} is deleted, but request NB-2026-0163 is decided in "
    "audit/decisions.jsonl (line 3); records are never deleted: set `status: withdrawn` instead "
    "(record-deleted)"
)


@pytest.fixture
def recorded(cli: Cli, tmp_path: Path) -> Path:
    """A copy of examples/bank, committed, with its twelve decisions recorded."""
    root = tmp_path / "bank"
    shutil.copytree(EXAMPLES / "bank", root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "the bank's governance repository")
    assert cli("audit", "record", root, "--as-of", AS_OF).exit_code == 0
    return root


def test_validate_refuses_a_repository_that_lost_a_decided_request(
    cli: Cli, recorded: Path
) -> None:
    (recorded / GONE).unlink()

    outcome = cli("validate", recorded)

    assert (outcome.exit_code, outcome.stdout, outcome.stderr) == (
        1,
        f"{GONE_LINE}\ninvalid: 1 error, 0 warnings in 37 documents in 37 files\n",
        "",
    )


def test_check_refuses_it_as_a_problem_outside_requests(cli: Cli, recorded: Path) -> None:
    (recorded / GONE).unlink()

    outcome = cli("check", recorded, "--as-of", AS_OF, "--allow-pending")

    assert outcome.exit_code == 1
    assert f"\n{GONE_LINE}\n" in outcome.stdout
    assert "NB-2026-0163" not in outcome.stdout.replace(GONE_LINE, "")


def test_a_decided_request_renamed_or_no_longer_loading_is_not_gone(
    cli: Cli, recorded: Path
) -> None:
    """Renamed: its id is still defined. Broken: the file is there, and its problem is its own."""
    (recorded / GONE).rename(recorded / "requests" / "2026" / "renamed.yaml")
    (recorded / "requests" / "2026" / "NB-2026-0178.yaml").write_text("id: [\n")

    outcome = cli("validate", recorded)

    assert outcome.exit_code == 1
    assert "record-deleted" not in outcome.stdout
    assert outcome.stdout.startswith("requests/2026/NB-2026-0178.yaml:")
