"""The decision log (SPEC §9): record, verify and replay, on real git repositories."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from spendgate import __version__
from spendgate.audit.log import canonical, decision_digest, new_record, record_hash
from tests.conftest import EXAMPLES, PROJECT, Cli
from tests.test_approvals import git

AS_OF = "2026-11-22"
LOG = "audit/decisions.jsonl"
HELGA = "Helga Schmitt <helga.schmitt@northbridge-bank.eu>"
HELGA_APPROVAL = "approvals/NB-2026-0194/budget_owner-helga.schmitt.yaml"


def commit_all(root: Path, message: str, *, author: str = "Admin <admin@test.example>") -> str:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message, author=author)
    return git(root, "rev-parse", "HEAD").strip()


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    """A copy of examples/bank as a git repository of one commit."""
    root = tmp_path / "bank"
    shutil.copytree(EXAMPLES / "bank", root)
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "the bank's governance repository")
    return root


@pytest.fixture
def recorded(cli: Cli, bank: Path) -> Path:
    """The bank with its twelve decisions recorded."""
    assert cli("audit", "record", bank, "--as-of", AS_OF).exit_code == 0
    return bank


def records(root: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in (root / LOG).read_text().splitlines()]


def lines(root: Path) -> list[str]:
    return (root / LOG).read_text().splitlines(keepends=True)


def write_rechained(root: Path, chain: list[dict[str, Any]]) -> None:
    """Write `chain` with every prev_hash and hash recomputed: only other checks can object."""
    previous = "0" * 64
    for record in chain:
        record["prev_hash"] = previous
        record["hash"] = previous = record_hash(record)
    (root / LOG).write_bytes(b"".join(canonical(record) + b"\n" for record in chain))


def head(root: Path) -> str:
    return str(records(root)[-1]["hash"])


def intact(root: Path, count: int) -> tuple[int, str, str]:
    return 0, f"{LOG}: intact: {count} record(s), head {head(root)}\n", ""


def broken(problems: list[str], count: int, head_hash: str) -> tuple[int, str, str]:
    summary = f"{LOG}: broken ({len(problems)} problem(s)): {count} record(s), head {head_hash}"
    return 1, "".join(f"{problem}\n" for problem in [*problems, summary]), ""


def verify(cli: Cli, root: Path) -> tuple[int, str, str]:
    outcome = cli("audit", "verify", root)
    return outcome.exit_code, outcome.stdout, outcome.stderr


# --- record -----------------------------------------------------------------------------------


def test_record_appends_every_decision_once_and_verify_prints_count_and_head(
    cli: Cli, bank: Path
) -> None:
    commit = git(bank, "rev-parse", "HEAD").strip()

    first = cli("audit", "record", bank, "--as-of", AS_OF)
    again = cli("audit", "record", bank, "--as-of", AS_OF)

    appended = f"to {LOG}: 12 new or changed of 12 decision(s) at commit {commit[:12]}"
    assert (first.exit_code, first.stdout, first.stderr) == (
        0,
        f"appended 12 record(s) {appended}\nhead {head(bank)}\n",
        "",
    )
    unchanged = f"to {LOG}: 0 new or changed of 12 decision(s) at commit {commit[:12]}"
    assert (again.exit_code, again.stdout) == (
        0,
        f"appended 0 record(s) {unchanged}\nhead {head(bank)}\n",
    )
    assert verify(cli, bank) == intact(bank, 12)
    assert (bank / "audit" / ".gitignore").read_text().splitlines()[1] == ".decisions.jsonl.*"
    assert git(bank, "check-ignore", "audit/.decisions.jsonl.lock").strip() == (
        "audit/.decisions.jsonl.lock"
    )


def test_a_record_holds_the_decision_exactly_as_check_json_prints_it(
    cli: Cli, recorded: Path
) -> None:
    report = json.loads(cli("check", recorded, "--as-of", AS_OF, "--format", "json").stdout)
    schema = json.loads((PROJECT / "schemas" / "AuditRecord.schema.json").read_text())
    commit = git(recorded, "rev-parse", "HEAD").strip()

    logged = records(recorded)

    assert [record["decision"] for record in logged] == report["decisions"]
    jsonschema.Draft202012Validator.check_schema(schema)
    for record in logged:
        jsonschema.validate(record, schema, cls=jsonschema.Draft202012Validator)
        assert record["commit"] == commit
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", record["timestamp"])
        assert record["policies"] == {
            name: blob
            for name, blob in record["decision"]["inputs"]["documents"]
            if name.startswith("policy:")
        }
    assert [record["prev_hash"] for record in logged] == [
        "0" * 64,
        *(record["hash"] for record in logged[:-1]),
    ]


def test_a_changed_request_appends_exactly_one_record(cli: Cli, recorded: Path) -> None:
    request = recorded / "requests" / "2026" / "NB-2026-0194.yaml"
    request.write_text(request.read_text().replace("standard catalogue item", "catalogue item"))
    commit = commit_all(recorded, "NB-2026-0194: shorter justification")

    outcome = cli("audit", "record", recorded, "--as-of", AS_OF)

    assert (outcome.exit_code, outcome.stdout) == (
        0,
        f"appended 1 record(s) to {LOG}: 1 new or changed of 12 decision(s) at commit "
        f"{commit[:12]}\nhead {head(recorded)}\n",
    )
    last = records(recorded)[-1]
    assert (last["decision"]["request_id"], last["commit"]) == ("NB-2026-0194", commit)
    assert verify(cli, recorded) == intact(recorded, 13)


def test_record_refuses_uncommitted_documents_and_a_directory_outside_git(
    cli: Cli, bank: Path, tmp_path: Path
) -> None:
    request = bank / "requests" / "2026" / "NB-2026-0194.yaml"
    request.write_text(request.read_text() + "# edited\n")
    (bank / "vendors" / "new.yaml").write_text("apiVersion: spendgate/v1\n")
    plain = tmp_path / "plain"
    shutil.copytree(EXAMPLES / "bank", plain)

    dirty = cli("audit", "record", bank, "--as-of", AS_OF)
    outside = cli("audit", "record", plain, "--as-of", AS_OF)

    assert (dirty.exit_code, dirty.stdout, dirty.stderr) == (
        2,
        "",
        f"spendgate: error: {bank} has uncommitted changes to 2 document(s) "
        "(requests/2026/NB-2026-0194.yaml, vendors/new.yaml); commit them first: every record "
        "names the commit it was decided at\n",
    )
    assert (outside.exit_code, outside.stderr) == (
        2,
        f"spendgate: error: {plain} is not a git repository; the decision log records commits\n",
    )
    assert not (bank / LOG).exists()
    assert not (plain / LOG).exists()


def test_three_concurrent_writers_leave_one_valid_chain(cli: Cli, recorded: Path) -> None:
    for request_id in ("NB-2026-0157", "NB-2026-0190", "NB-2026-0211"):
        path = recorded / "requests" / "2026" / f"{request_id}.yaml"
        path.write_text(path.read_text() + "# amended\n")
    commit_all(recorded, "three requests change")
    racers = [
        subprocess.Popen(
            [sys.executable, "-m", "spendgate", "audit", "record", str(recorded), "--as-of", day],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for day in ("2026-11-22", "2026-12-20", "2027-03-01")
    ]
    outputs = [racer.communicate(timeout=120) for racer in racers]

    assert [
        (racer.returncode, error) for racer, (_, error) in zip(racers, outputs, strict=True)
    ] == [(0, "")] * 3
    appended = sum(int(out.split()[1]) for out, _ in outputs)
    logged = records(recorded)
    assert len(logged) == 12 + appended
    assert appended >= 3, "the changed requests are recorded at least once"
    assert len({record["decision_id"] for record in logged}) == len(logged)
    latest: dict[str, str] = {}
    for record in logged:
        digest = decision_digest(record["decision"])
        assert latest.get(record["decision"]["request_id"]) != digest, "a duplicate record"
        latest[record["decision"]["request_id"]] = digest
    assert verify(cli, recorded) == intact(recorded, len(logged))


# --- verify -----------------------------------------------------------------------------------


EDITS: dict[str, Callable[[dict[str, Any]], None]] = {
    "timestamp": lambda record: record.update(timestamp="2026-01-01T00:00:00Z"),
    "decision.status": lambda record: record["decision"].update(status="approved"),
    "decision.inputs.evaluation_date": lambda record: record["decision"]["inputs"].update(
        evaluation_date="2026-11-21"
    ),
    "policies": lambda record: record["policies"].clear(),
    "prev_hash": lambda record: record.update(prev_hash="1" * 64),
    "hash": lambda record: record.update(hash="f" * 64),
}


@pytest.mark.parametrize("field", list(EDITS))
def test_an_edited_field_of_a_middle_record_breaks_the_chain_there(
    cli: Cli, recorded: Path, field: str
) -> None:
    logged = records(recorded)
    EDITS[field](logged[5])
    (recorded / LOG).write_bytes(b"".join(canonical(record) + b"\n" for record in logged))

    assert verify(cli, recorded) == broken(
        [
            f"{LOG}:6:1: [error] record {logged[5]['decision_id']}: its hash does not match its "
            "content: the record was edited (audit-hash)"
        ],
        12,
        logged[-1]["hash"],
    )


def _moved(decision_id: str, line: int) -> str:
    return (
        f"{LOG}:{line}:1: [error] record {decision_id}: its prev_hash is not the hash of the "
        "record before it: a record was deleted, inserted or moved here (audit-prev-hash)"
    )


def test_a_deleted_record_breaks_the_chain_at_the_next(cli: Cli, recorded: Path) -> None:
    logged = records(recorded)
    kept = lines(recorded)
    del kept[5]
    (recorded / LOG).write_text("".join(kept))

    assert verify(cli, recorded) == broken(
        [_moved(logged[6]["decision_id"], 6)], 11, logged[-1]["hash"]
    )


def test_two_swapped_records_break_the_chain_at_the_first(cli: Cli, recorded: Path) -> None:
    logged = records(recorded)
    swapped = lines(recorded)
    swapped[5], swapped[6] = swapped[6], swapped[5]
    (recorded / LOG).write_text("".join(swapped))

    assert verify(cli, recorded) == broken(
        [_moved(logged[6]["decision_id"], 6)], 12, logged[-1]["hash"]
    )


def test_an_inserted_record_breaks_the_chain_at_the_one_after_it(cli: Cli, recorded: Path) -> None:
    logged = records(recorded)
    forged_decision = {**logged[4]["decision"], "status": "approved"}
    forged = new_record(
        forged_decision,
        commit=logged[4]["commit"],
        timestamp=logged[4]["timestamp"],
        prev_hash=logged[4]["hash"],
    )
    with_forgery = lines(recorded)
    with_forgery.insert(5, canonical(forged).decode() + "\n")
    (recorded / LOG).write_text("".join(with_forgery))

    assert verify(cli, recorded) == broken(
        [_moved(logged[5]["decision_id"], 7)], 13, logged[-1]["hash"]
    )


def test_a_truncated_last_line_is_reported_as_torn(cli: Cli, recorded: Path) -> None:
    logged = records(recorded)
    text = (recorded / LOG).read_text()
    (recorded / LOG).write_text(text[:-40])

    assert verify(cli, recorded) == broken(
        [
            f"{LOG}:12:1: [error] record {logged[11]['decision_id']}: the last line is incomplete "
            "(no newline): a torn or truncated write (audit-torn)"
        ],
        11,
        logged[10]["hash"],
    )


def test_record_refuses_to_append_after_a_torn_line(cli: Cli, recorded: Path) -> None:
    text = (recorded / LOG).read_text()
    (recorded / LOG).write_text(text[:-40])

    outcome = cli("audit", "record", recorded, "--as-of", "2027-03-01")

    assert (outcome.exit_code, outcome.stderr) == (
        2,
        "spendgate: error: the decision log's last line (12) is incomplete; nothing was "
        "appended: run `spendgate audit verify`\n",
    )
    assert (recorded / LOG).read_text() == text[:-40]


def test_a_duplicate_decision_id_is_reported_even_in_a_valid_chain(
    cli: Cli, recorded: Path
) -> None:
    logged = records(recorded)
    logged[7]["decision_id"] = logged[2]["decision_id"]
    write_rechained(recorded, logged)

    assert verify(cli, recorded) == broken(
        [
            f"{LOG}:8:1: [error] record {logged[2]['decision_id']}: its decision id is already "
            "used on line 3 (audit-id)"
        ],
        12,
        head(recorded),
    )


def test_a_document_digest_that_git_does_not_hold_is_reported(cli: Cli, recorded: Path) -> None:
    logged = records(recorded)
    documents = logged[5]["decision"]["inputs"]["documents"]
    index = next(i for i, (name, _) in enumerate(documents) if name.startswith("requests/"))
    file, real = documents[index]
    documents[index] = [file, "0" * 40]
    write_rechained(recorded, logged)
    commit = logged[5]["commit"]

    assert verify(cli, recorded) == broken(
        [
            f"{LOG}:6:1: [error] record {logged[5]['decision_id']}: {file} is blob {'0' * 40} "
            f"in the log but {real} at {commit[:12]} (audit-digest)"
        ],
        12,
        head(recorded),
    )


def test_a_rewritten_history_leaves_every_record_without_its_commit(
    cli: Cli, recorded: Path
) -> None:
    logged = records(recorded)
    git(recorded, "commit", "-q", "--amend", "-m", "history rewritten")

    assert verify(cli, recorded) == broken(
        [
            f"{LOG}:{number}:1: [error] record {record['decision_id']}: commit "
            f"{record['commit']} is in no branch or tag's history (audit-commit)"
            for number, record in enumerate(logged, start=1)
        ],
        12,
        head(recorded),
    )


def test_verify_refuses_a_missing_log(cli: Cli, bank: Path) -> None:
    outcome = cli("audit", "verify", bank)

    assert (outcome.exit_code, outcome.stderr) == (
        2,
        f"spendgate: error: no decision log at {bank / LOG}; `spendgate audit record` writes it\n",
    )


# --- replay -----------------------------------------------------------------------------------


def replayed(root: Path, *, start: int = 0) -> str:
    logged = records(root)[start:]
    return (
        "".join(
            f"{record['decision_id']} {record['decision']['request_id']}: reproduced\n"
            for record in logged
        )
        + f"{len(logged)} of {len(logged)} decision(s) reproduced\n"
    )


def test_replay_all_reproduces_every_recorded_decision(cli: Cli, recorded: Path) -> None:
    outcome = cli("audit", "replay", "--all", recorded)

    assert (outcome.exit_code, outcome.stdout, outcome.stderr) == (0, replayed(recorded), "")


def test_replay_of_one_decision(cli: Cli, recorded: Path) -> None:
    record = records(recorded)[3]

    outcome = cli("audit", "replay", record["decision_id"], recorded)

    assert (outcome.exit_code, outcome.stdout) == (
        0,
        f"{record['decision_id']} {record['decision']['request_id']}: reproduced\n"
        "1 of 1 decision(s) reproduced\n",
    )


def test_replay_of_an_unknown_decision_exits_2(cli: Cli, recorded: Path) -> None:
    outcome = cli("audit", "replay", "d-0000000000000000", recorded)
    both = cli("audit", "replay", "d-0000000000000000", "--all", recorded)

    assert (outcome.exit_code, outcome.stdout, outcome.stderr) == (
        2,
        "",
        f"spendgate: error: no decision d-0000000000000000 in {LOG}\n",
    )
    assert (both.exit_code, both.stderr) == (
        2,
        "spendgate: error: audit replay takes a DECISION_ID or --all, not both\n",
    )


def test_a_policy_raised_later_leaves_earlier_decisions_reproducible(cli: Cli, bank: Path) -> None:
    shutil.copytree(PROJECT / "policies", bank / "policies", ignore=shutil.ignore_patterns("tests"))
    config = bank / "spendgate.yaml"
    config.write_text(config.read_text().replace("policy_set: builtin", "policy_set: northbridge"))
    commit_all(bank, "the bank's own copy of the policies")
    assert cli("audit", "record", bank, "--as-of", AS_OF).exit_code == 0
    rights = bank / "policies" / "decision-rights.yaml"
    rights.write_text(rights.read_text().replace("> 10000.0", "> 100000.0"))
    commit_all(bank, "directors approve above 100,000")
    assert cli("audit", "record", bank, "--as-of", AS_OF).exit_code == 0

    outcome = cli("audit", "replay", "--all", bank)

    logged = records(bank)
    assert len(logged) == 24, "the policy digest changed in every decision's inputs"
    rules = [" ".join(step["rule_id"] for step in r["decision"]["route"]) for r in logged]
    assert [
        logged[i]["decision"]["request_id"] for i in range(12) if rules[i] != rules[i + 12]
    ] == [
        "NB-2026-0183",
        "NB-2026-0216",
    ], "DR-020 no longer applies between 10,000 and 100,000"
    assert (outcome.exit_code, outcome.stdout, outcome.stderr) == (0, replayed(bank), "")
    assert verify(cli, bank) == intact(bank, 24)


def test_replay_reads_approval_history_as_of_the_recorded_commit(
    cli: Cli, bank: Path, tmp_path: Path
) -> None:
    approval = bank / HELGA_APPROVAL
    text = approval.read_text()
    git(bank, "rm", "-q", HELGA_APPROVAL)
    git(bank, "commit", "-q", "-m", "withdrawn for the test")
    approval.parent.mkdir(parents=True, exist_ok=True)
    approval.write_text(text)
    commit_all(bank, "Helga approves NB-2026-0194", author=HELGA)
    assert cli("audit", "record", bank, "--as-of", AS_OF).exit_code == 0
    git(bank, "rm", "-q", HELGA_APPROVAL)
    git(bank, "commit", "-q", "-m", "removed")
    approval.parent.mkdir(parents=True, exist_ok=True)
    approval.write_text(text)
    commit_all(bank, "re-added by someone else")

    again = cli("audit", "record", bank, "--as-of", AS_OF)
    outcome = cli("audit", "replay", "--all", bank)

    logged = records(bank)
    assert again.stdout.startswith("appended 1 record(s)")
    assert [
        step["authenticity"]
        for record in (logged[7], logged[12])
        for step in record["decision"]["route"]
        if step["role"] == "budget_owner"
    ] == ["author-match", "unverified"]
    assert (outcome.exit_code, outcome.stdout, outcome.stderr) == (0, replayed(bank), "")


def test_a_tampered_decision_replays_with_its_differences(cli: Cli, recorded: Path) -> None:
    logged = records(recorded)
    target = next(record for record in logged if record["decision"]["status"] == "pending")
    target["decision"]["status"] = "approved"
    target["decision"]["inputs"]["spendgate_version"] = "0.0.1"
    write_rechained(recorded, logged)

    outcome = cli("audit", "replay", target["decision_id"], recorded)

    assert (outcome.exit_code, outcome.stdout, outcome.stderr) == (
        1,
        f"{target['decision_id']} {target['decision']['request_id']}: differs\n"
        f'  $.inputs.spendgate_version: recorded "0.0.1", now "{__version__}"\n'
        '  $.status: recorded "approved", now "pending"\n'
        f"  reason: recorded by spendgate 0.0.1, replayed by {__version__}\n"
        "0 of 1 decision(s) reproduced\n",
        "",
    )


def test_other_builtin_policies_are_named_as_the_reason(cli: Cli, recorded: Path) -> None:
    logged = records(recorded)
    target = logged[0]
    documents = target["decision"]["inputs"]["documents"]
    index = next(i for i, (name, _) in enumerate(documents) if name == "policy:esg@1.0.0")
    packaged = documents[index][1]
    documents[index][1] = "0" * 40
    target["policies"]["policy:esg@1.0.0"] = "0" * 40
    write_rechained(recorded, logged)

    outcome = cli("audit", "replay", target["decision_id"], recorded)

    assert (outcome.exit_code, outcome.stdout) == (
        1,
        f"{target['decision_id']} {target['decision']['request_id']}: differs\n"
        f'  $.inputs.documents[{index}][1]: recorded "{"0" * 40}", now "{packaged}"\n'
        f"  reason: the builtin policies packaged with spendgate {__version__} differ from the "
        f"recorded ones: policy:esg@1.0.0 recorded 000000000000, packaged {packaged[:12]}\n"
        "0 of 1 decision(s) reproduced\n",
    )
    assert verify(cli, recorded) == (
        0,
        f"note: policy:esg@1.0.0 (blob {'0' * 40}) is a builtin policy other than those this "
        "spendgate packages; it was recorded by another spendgate version and is not checked\n"
        f"{LOG}: intact: 12 record(s), head {head(recorded)}\n",
        "",
    )


def test_a_record_of_a_commit_git_does_not_have_is_not_replayed(cli: Cli, recorded: Path) -> None:
    logged = records(recorded)
    target = logged[2]
    target["commit"] = "f" * 40
    write_rechained(recorded, logged)

    outcome = cli("audit", "replay", target["decision_id"], recorded)

    assert (outcome.exit_code, outcome.stdout) == (
        1,
        f"{target['decision_id']} {target['decision']['request_id']}: not replayed: commit "
        f"{'f' * 40} cannot be read from the repository\n"
        "0 of 1 decision(s) reproduced\n",
    )
    assert verify(cli, recorded) == broken(
        [
            f"{LOG}:3:1: [error] record {target['decision_id']}: commit {'f' * 40} does not exist "
            "(audit-commit)"
        ],
        12,
        head(recorded),
    )


def test_digests_are_of_the_bytes_git_holds_even_with_a_bom_and_crlf(cli: Cli, bank: Path) -> None:
    request = bank / "requests/2026/NB-2026-0194.yaml"
    text = request.read_text().replace("\n", "\r\n")
    request.write_bytes(b"\xef\xbb\xbf" + text.encode())
    git(bank, "config", "core.autocrlf", "false")
    commit_all(bank, "the request saved by a Windows editor")

    assert cli("audit", "record", bank, "--as-of", AS_OF).exit_code == 0
    (decision,) = [
        r["decision"] for r in records(bank) if r["decision"]["request_id"] == "NB-2026-0194"
    ]
    digests = dict(decision["inputs"]["documents"])

    assert (
        digests["requests/2026/NB-2026-0194.yaml"]
        == git(bank, "hash-object", "requests/2026/NB-2026-0194.yaml").strip()
    )
    assert verify(cli, bank) == intact(bank, 12)
