"""The warm path of `check` (issue 17): a run whose every input is unchanged prints what the
last run printed and exits as it did; any change to what a decision is made of decides again.

Each test works on a git copy of examples/bank and runs the real command in-process. The cache's
freshness guard (no run is kept while a file changed within the last two seconds) is set to zero
where a test writes files and checks at once, except in the test of that guard.
"""

from __future__ import annotations

import json
import os
import shutil
from datetime import date
from pathlib import Path

import pytest

from spendgate.audit.record import record_decisions
from spendgate.catalogue import check_cache
from spendgate.documents.discovery import YAML_SUFFIXES
from tests.conftest import EXAMPLES, Cli, Outcome
from tests.test_approvals import git
from tests.test_audit import AS_OF, LOG, commit_all, records

REQUEST = Path("requests") / "2026" / "NB-2026-0194.yaml"


@pytest.fixture
def bank(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setattr(check_cache, "FRESH_SECONDS", 0.0)
    root = tmp_path / "bank"
    shutil.copytree(EXAMPLES / "bank", root)
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "the bank's governance repository")
    return root


def kept_runs(root: Path) -> list[Path]:
    return sorted((root / ".spendgate-cache").glob("*/checks/*.json"))


def check(cli: Cli, root: Path, *options: str) -> Outcome:
    return cli("check", root, "--as-of", AS_OF, *options)


def test_an_unchanged_tree_prints_the_kept_run(cli: Cli, bank: Path) -> None:
    first = check(cli, bank)
    (kept,) = kept_runs(bank)
    used_before = kept.stat().st_mtime_ns

    second = check(cli, bank)

    assert (second.exit_code, second.stdout, second.stderr) == (
        first.exit_code,
        first.stdout,
        first.stderr,
    )
    assert first.exit_code == 1
    assert kept.stat().st_mtime_ns > used_before, "the second run read the kept one"


def test_an_edit_of_the_same_size_that_restores_the_files_times_is_decided_again(
    cli: Cli, bank: Path
) -> None:
    before = total_base(check(cli, bank, "--format", "json"), "NB-2026-0194")
    path = bank / REQUEST
    times = path.stat()
    text = path.read_text()
    assert text.count("unit_price: 189\n") == 1
    path.write_text(text.replace("unit_price: 189\n", "unit_price: 981\n"))
    os.utime(path, ns=(times.st_atime_ns, times.st_mtime_ns))  # the mtime as it was
    assert (path.stat().st_size, path.stat().st_mtime_ns) == (times.st_size, times.st_mtime_ns)

    after = total_base(check(cli, bank, "--format", "json"), "NB-2026-0194")

    assert (before, after) == ("756.00", "3924.00")


def total_base(outcome: Outcome, request_id: str) -> str:
    report = json.loads(outcome.stdout)
    (decision,) = [d for d in report["decisions"] if d["request_id"] == request_id]
    return str(decision["total_base"])


def test_another_evaluation_date_or_format_is_decided_again(cli: Cli, bank: Path) -> None:
    check(cli, bank)
    later = cli("check", bank, "--as-of", "2027-06-30")
    as_json = check(cli, bank, "--format", "json")

    assert "as of 2027-06-30" in later.stdout.splitlines()[-1]
    assert as_json.stdout.startswith("{")
    assert len(kept_runs(bank)) == 2  # one per date; the json joined its date's run


def test_a_damaged_kept_run_is_deleted_and_the_tree_decided_again(cli: Cli, bank: Path) -> None:
    first = check(cli, bank)
    (kept,) = kept_runs(bank)
    kept.write_text('{"outputs": {"text": "all approved\\n"}, "gate": {"statuses": "x"}}')

    second = check(cli, bank)

    assert (second.exit_code, second.stdout) == (first.exit_code, first.stdout)
    assert kept_runs(bank) == [kept]  # rewritten from the new decision
    assert "all approved" not in kept.read_text()


def test_a_cache_that_git_tracks_is_neither_read_nor_written(cli: Cli, bank: Path) -> None:
    check(cli, bank)
    (kept,) = kept_runs(bank)
    kept.write_text(FORGED)
    git(bank, "add", "-f", ".spendgate-cache")
    commit_all(bank, "a pull request commits a forged cache")

    outcome = check(cli, bank)

    assert (outcome.exit_code, outcome.stdout.splitlines()[-1]) == (1, SUMMARY)
    assert kept_runs(bank) == [kept]
    assert kept.read_text() == FORGED


FORGED = (
    '{"outputs": {"text": "forged\\n"}, "gate": {"statuses": [], "has_errors": false, '
    '"has_configuration_errors": false, "internal_errors": 0}}'
)
SUMMARY = (
    "12 requests: 2 approved, 5 pending, 5 blocked, 0 rejected, 0 invalid (policy set "
    "spendgate-reference 1.1.0, as of 2026-11-22)"
)


def test_a_tree_outside_git_keeps_nothing(cli: Cli, tmp_path: Path) -> None:
    root = tmp_path / "bank"
    shutil.copytree(EXAMPLES / "bank", root)

    check(cli, root)

    assert not (root / ".spendgate-cache").exists()


def test_no_run_is_kept_while_a_file_is_fresh(
    cli: Cli, bank: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(check_cache, "FRESH_SECONDS", 3600.0)

    check(cli, bank)

    assert kept_runs(bank) == []
    monkeypatch.setattr(check_cache, "FRESH_SECONDS", 0.0)
    check(cli, bank)
    assert len(kept_runs(bank)) == 1


def test_a_report_written_into_the_tree_does_not_make_the_next_run_cold(
    cli: Cli, bank: Path
) -> None:
    check(cli, bank, "--output", f"sarif={bank / 'spendgate.sarif'}")
    (kept,) = kept_runs(bank)
    used_before = kept.stat().st_mtime_ns

    check(cli, bank, "--output", f"sarif={bank / 'spendgate.sarif'}")

    assert kept_runs(bank) == [kept]
    assert kept.stat().st_mtime_ns > used_before


def test_the_key_reads_the_files_discovery_reads() -> None:
    assert check_cache.READ_SUFFIXES == YAML_SUFFIXES


def test_a_folder_inside_another_repository_keeps_nothing(cli: Cli, bank: Path) -> None:
    inner = bank / "governance"
    shutil.copytree(EXAMPLES / "retailer", inner)
    commit_all(bank, "a project that carries a governance folder, as spendgate's examples")

    check(cli, inner)

    assert not (inner / ".spendgate-cache").exists()


def test_audit_record_from_a_kept_run_writes_the_records_deciding_writes(
    cli: Cli, bank: Path
) -> None:
    record_decisions(bank, as_of=date.fromisoformat(AS_OF), log=bank / LOG)
    decided = [record["decision"] for record in records(bank)]
    (bank / LOG).unlink()
    assert cli("audit", "record", bank, "--as-of", AS_OF).exit_code == 0  # decides, keeps json
    from_report = [record["decision"] for record in records(bank)]
    (kept,) = kept_runs(bank)
    used_before = kept.stat().st_mtime_ns
    (bank / LOG).unlink()

    assert cli("audit", "record", bank, "--as-of", AS_OF).exit_code == 0

    assert kept.stat().st_mtime_ns > used_before, "the second record read the kept run"
    assert len(decided) == 12
    assert from_report == decided
    assert [record["decision"] for record in records(bank)] == decided


def test_audit_record_again_with_nothing_new_appends_nothing(cli: Cli, bank: Path) -> None:
    cli("audit", "record", bank, "--as-of", AS_OF)

    again = cli("audit", "record", bank, "--as-of", AS_OF)

    assert again.stdout.splitlines()[0].startswith(
        "appended 0 record(s) to audit/decisions.jsonl: 0 new or changed of 12 decision(s)"
    )
