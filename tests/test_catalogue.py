"""`check --base` loads only what a change touches; the catalogue (cached by blob id) stands in
for the rest, and must never change a decision (SPEC §7)."""

from __future__ import annotations

import json
import shutil
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from spendgate import __version__, forking
from spendgate.catalogue import store
from tests.conftest import PROJECT, Cli
from tests.test_approvals import git

AS_OF = "2026-11-22"
CACHE = Path(".spendgate-cache") / __version__ / "catalogue.sqlite3"


def committed_bank(root: Path) -> Path:
    """The bank example at `root`, committed on main, with a branch `change` checked out."""
    shutil.copytree(PROJECT / "examples" / "bank", root, ignore=shutil.ignore_patterns("*.md"))
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "bank")
    git(root, "checkout", "-q", "-b", "change")
    return root


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    """The bank example committed on main, with a branch `change` checked out."""
    return committed_bank(tmp_path / "bank")


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def check_base(cli: Cli, root: Path) -> dict[str, Any]:
    """The JSON report of `check --base main --verbose`, with what the check said about the
    catalogue on standard error (for debugging, in no report) as its "diagnostics"."""
    outcome = cli("check", root, "--base", "main", "--as-of", AS_OF, "--format", "json", "-v")
    assert outcome.exit_code in (0, 1), outcome.stdout + outcome.stderr
    report: dict[str, Any] = json.loads(outcome.stdout)
    return report | {"diagnostics": outcome.stderr}


def full_check(cli: Cli, root: Path) -> dict[str, dict[str, Any]]:
    outcome = cli("check", root, "--as-of", AS_OF, "--format", "json")
    return {d["request_id"]: d for d in json.loads(outcome.stdout)["decisions"]}


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1))


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        pytest.param(
            lambda root: edit(root / "vendors/kestrel-systems.yaml", "\nid:", "\n# reviewed\nid:"),
            ["NB-2026-0178", "NB-2026-0194", "NB-2026-0211"],
            id="vendor",
        ),
        pytest.param(
            lambda root: edit(
                root / "requests/2026/NB-2026-0183.yaml", "quantity: ", "quantity: 4"
            ),
            # The change order's cumulative total grows with it: cfo joins its route too.
            ["NB-2026-0183", "NB-2026-0216"],
            id="amended request",
        ),
        pytest.param(
            lambda root: (root / "approvals/NB-2026-0190/line_manager-tobias.brandt.yaml").unlink(),
            ["NB-2026-0190"],
            id="deleted approval",
        ),
        pytest.param(
            lambda root: edit(root / "ai/AI-NB-2026-009.yaml", "\nid:", "\n# reviewed\nid:"),
            ["NB-2026-0157"],
            id="AI assessment",
        ),
        pytest.param(
            lambda root: edit(root / "waivers/WV-NB-2026-004.yaml", "\nid:", "\n# again\nid:"),
            ["NB-2026-0171"],
            id="waiver of a vendor",
        ),
    ],
)
def test_a_change_is_decided_exactly_as_a_full_check_decides_it(
    cli: Cli, bank: Path, change: Any, expected: list[str]
) -> None:
    change(bank)
    commit(bank, "a change")

    report = check_base(cli, bank)
    full = full_check(cli, bank)

    assert [d["request_id"] for d in report["decisions"]] == expected
    for decision in report["decisions"]:
        assert decision == full[decision["request_id"]]


def test_the_catalogue_is_built_once_then_reused_with_the_same_result(cli: Cli, bank: Path) -> None:
    edit(bank / "vendors/meridian-advisory.yaml", "\nid:", "\n# reviewed\nid:")
    commit(bank, "review meridian")

    cold = check_base(cli, bank)
    warm = check_base(cli, bank)

    assert cold["diagnostics"] == (
        "Loaded the 8 document file(s) the change touches or depends on; the rest of the "
        f"repository came from the catalogue (.spendgate-cache/{__version__}, 34 file(s) "
        "summarised).\n"
    )
    assert warm["diagnostics"].endswith(f"(.spendgate-cache/{__version__}, up to date).\n")
    assert {**cold, "diagnostics": ""} == {**warm, "diagnostics": ""}
    assert [d["request_id"] for d in warm["decisions"]] == ["NB-2026-0183", "NB-2026-0216"]
    assert git(bank, "status", "--porcelain") == ""


def test_a_catalogue_summarised_by_two_processes_is_the_one_summarised_by_one(
    cli: Cli, bank: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large catalogues are summarised by a forked copy too, batch by batch: the store, row for
    row, and the report must be what one process makes."""
    edit(bank / "vendors/meridian-advisory.yaml", "\nid:", "\n# reviewed\nid:")
    commit(bank, "review meridian")

    def catalogue() -> tuple[dict[str, Any], dict[str, list[tuple[Any, ...]]]]:
        shutil.rmtree(bank / ".spendgate-cache", ignore_errors=True)
        report = check_base(cli, bank)
        with sqlite3.connect(bank / CACHE) as connection:
            tables = ("blobs", "documents", "refs", "files", "commitments")
            rows = {t: connection.execute(f"SELECT * FROM {t}").fetchall() for t in tables}
        return report, rows

    alone = catalogue()
    monkeypatch.setattr(store, "PARALLEL_FROM", 2)
    monkeypatch.setattr(store, "BATCH", 5)
    monkeypatch.setattr(forking.os, "cpu_count", lambda: 2)
    shared = catalogue()

    assert len(alone[1]["documents"]) > 30
    assert shared == alone


def test_a_corrupt_cache_is_deleted_and_rebuilt(cli: Cli, bank: Path) -> None:
    edit(bank / "vendors/kestrel-systems.yaml", "\nid:", "\n# reviewed\nid:")
    commit(bank, "review kestrel")
    expected = check_base(cli, bank)["decisions"]
    (bank / CACHE).write_bytes(b"SQLite format 3\x00" + b"\xff" * 4000)

    report = check_base(cli, bank)

    assert report["decisions"] == expected
    rebuilt = f"(.spendgate-cache/{__version__} (rebuilt), 34 file(s) summarised)"
    assert rebuilt in report["diagnostics"]
    assert sqlite3.connect(bank / CACHE).execute("SELECT COUNT(*) FROM trees").fetchone() == (1,)


def test_a_cache_of_another_version_is_rebuilt(cli: Cli, bank: Path) -> None:
    check_base(cli, bank)
    with sqlite3.connect(bank / CACHE) as connection:
        connection.execute("UPDATE meta SET value = '0.0.1' WHERE key = 'version'")
    connection.close()

    report = check_base(cli, bank)

    assert "(rebuilt), 34 file(s) summarised" in report["diagnostics"]


def test_a_cache_committed_to_the_repository_is_not_trusted(cli: Cli, bank: Path) -> None:
    edit(bank / "vendors/kestrel-systems.yaml", "\nid:", "\n# reviewed\nid:")
    commit(bank, "review kestrel")
    expected = check_base(cli, bank)["decisions"]
    # A poisoned catalogue: every request of kestrel-systems moves to another vendor.
    with sqlite3.connect(bank / CACHE) as connection:
        connection.execute(
            "UPDATE refs SET target = 'nobody' "
            "WHERE target_kind = 'Vendor' AND target = 'kestrel-systems'"
        )
    connection.close()
    git(bank, "add", "-f", ".spendgate-cache")
    git(bank, "commit", "-q", "-m", "a cache, committed")

    report = check_base(cli, bank)

    assert report["decisions"] == expected
    assert (
        "(in memory only: .spendgate-cache/ is tracked by git, so it is not trusted, "
        "34 file(s) summarised)"
    ) in report["diagnostics"]


def test_a_copied_request_is_a_duplicate_id(cli: Cli, bank: Path) -> None:
    copy = bank / "requests/2026/NB-2026-0300.yaml"
    copy.write_text((bank / "requests/2026/NB-2026-0142.yaml").read_text())
    commit(bank, "a copy of a request")

    report = check_base(cli, bank)

    (decision,) = (d for d in report["decisions"] if d["file"] == copy.relative_to(bank).as_posix())
    assert decision["status"] == "invalid"
    assert [f["message"] for f in decision["findings"]] == [
        "duplicate request id 'NB-2026-0142'; first defined at requests/2026/NB-2026-0142.yaml:4:5"
    ]


def test_an_id_taken_by_a_file_the_change_does_not_load_is_a_duplicate(
    cli: Cli, bank: Path
) -> None:
    vendor = (bank / "vendors/arcadia-software.yaml").read_text()
    unused = vendor.replace("id: arcadia-software", "id: unused-vendor")
    git(bank, "checkout", "-q", "main")
    (bank / "vendors/unused.yaml").write_text(unused)
    commit(bank, "a vendor nobody buys from yet")
    git(bank, "checkout", "-q", "-B", "change")
    (bank / "vendors/unused-again.yaml").write_text(unused)
    commit(bank, "the same vendor again")

    report = check_base(cli, bank)

    assert report["decisions"] == []
    evidence, problem = report["problems"]
    assert evidence["code"] == "vendor-evidence-change"
    assert problem["code"] == "duplicate-id"
    assert problem["message"] == (
        "duplicate vendor id 'unused-vendor'; also defined at vendors/unused.yaml:"
        f"{unused.splitlines().index('id: unused-vendor') + 1}:5"
    )
    assert problem["location"]["file"] == "vendors/unused-again.yaml"


def test_a_dangling_reference_in_a_changed_file_is_still_found(cli: Cli, bank: Path) -> None:
    edit(bank / "requests/2026/NB-2026-0205.yaml", "vendor: arcadia-software", "vendor: arcadia")
    commit(bank, "a vendor that does not exist")

    report = check_base(cli, bank)

    (decision,) = report["decisions"]
    assert decision["status"] == "invalid"
    assert [f["message"] for f in decision["findings"]] == ["vendor 'arcadia' is not defined"]
