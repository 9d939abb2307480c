"""The decision log's chain in RFC 8785 (SPEC §9): recomputed by a verifier that knows nothing of
spendgate, logs of earlier versions still valid and continued, and portable locking."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest
import rfc8785
from filelock import FileLock

from spendgate.audit.log import append, canonical, holds_its_hash, new_record, record_hash
from spendgate.audit.replay import Difference, differences_between
from spendgate.errors import UsageError
from tests.conftest import EXAMPLES, PROJECT, Cli
from tests.test_approvals import git
from tests.test_audit import AS_OF, LOG, broken, commit_all, intact, records

TIMESTAMP = "2026-11-22T09:30:00Z"


@pytest.fixture
def recorded(cli: Cli, tmp_path: Path) -> Path:
    """A copy of examples/bank as a git repository, its twelve decisions recorded."""
    root = tmp_path / "bank"
    shutil.copytree(EXAMPLES / "bank", root)
    git(root, "init", "-q", "-b", "main")
    commit_all(root, "the bank's governance repository")
    assert cli("audit", "record", root, "--as-of", AS_OF).exit_code == 0
    return root


def independent_verifier(log: Path) -> str:
    """The chain checked with `json`, `hashlib` and `rfc8785` only: its head, or AssertionError."""
    previous = "0" * 64
    for line in log.read_text(encoding="utf-8").splitlines():
        record = json.loads(line)
        stored = record.pop("hash")
        assert record["prev_hash"] == previous, f"the chain breaks at {record['decision_id']}"
        assert hashlib.sha256(rfc8785.dumps(record)).hexdigest() == stored, record["decision_id"]
        previous = stored
    return previous


def write_log(root: Path, logged: list[dict[str, Any]]) -> None:
    (root / LOG).write_bytes(b"".join(canonical(record) + b"\n" for record in logged))


def write_legacy(root: Path) -> list[dict[str, Any]]:
    """Rewrite the log of `root` as spendgate wrote it before RFC 8785: no marker, and each hash
    the SHA-256 of the record's JSON with sorted keys, no spaces, UTF-8 (that code, restated)."""
    logged = records(root)
    previous = "0" * 64
    for record in logged:
        del record["canonicalization"]
        record["prev_hash"] = previous
        content = {key: value for key, value in record.items() if key != "hash"}
        text = json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
        record["hash"] = previous = hashlib.sha256(text.encode()).hexdigest()
    write_log(root, logged)
    return logged


def record_a_change(cli: Cli, root: Path) -> list[dict[str, Any]]:
    """Change a request of `root`, commit and record it; the log's records afterwards."""
    request = root / "requests" / "2026" / "NB-2026-0194.yaml"
    request.write_text(request.read_text().replace("standard catalogue item", "catalogue item"))
    commit_all(root, "NB-2026-0194: shorter justification")
    assert cli("audit", "record", root, "--as-of", AS_OF).exit_code == 0
    return records(root)


def readme_verifier(log: Path) -> tuple[int, str, str]:
    """Run the auditor's verifier the README shows in its section on the decision log."""
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### The decision log: `spendgate audit record`") :]
    code = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert code is not None, "the README shows no verifier"
    done = subprocess.run(
        [sys.executable, "-c", code.group(1), str(log)],
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )
    return done.returncode, done.stdout, done.stderr


def verify(cli: Cli, root: Path) -> tuple[int, str, str]:
    outcome = cli("audit", "verify", root)
    return outcome.exit_code, outcome.stdout, outcome.stderr


def chain_break(record: dict[str, Any], line: int, message: str, code: str) -> str:
    return f"{LOG}:{line}:1: [error] record {record['decision_id']}: {message} ({code})"


EDITED = "its hash does not match its content: the record was edited"


def decision_with(total: object) -> dict[str, Any]:
    return {
        "request_id": "NB-1",
        "file": "requests/nb-1.yaml",
        "total": total,
        "inputs": {
            "documents": [["policy:p@1.0.0", "ab" * 20]],
            "policy_set": "builtin",
            "policy_set_version": "1.0.0",
            "evaluation_date": AS_OF,
        },
    }


# --- a fresh log ------------------------------------------------------------------------------


def test_a_fresh_log_verifies_with_a_verifier_that_knows_nothing_of_spendgate(
    cli: Cli, recorded: Path
) -> None:
    logged = records(recorded)
    text = (recorded / LOG).read_text(encoding="utf-8")

    assert independent_verifier(recorded / LOG) == logged[-1]["hash"]
    assert readme_verifier(recorded / LOG) == (0, f"intact, head {logged[-1]['hash']}\n", "")
    assert verify(cli, recorded) == intact(recorded, 12)
    assert [record["canonicalization"] for record in logged] == ["rfc8785"] * 12
    # Money is a decimal string at its currency's minor unit, never a binary float.
    assert '["request.in_year.amount_base","222000.00"]' in text
    assert floats_in(logged) == []


def floats_in(value: Any, path: str = "$") -> list[str]:
    """Where `value` holds a binary float, as JSON paths."""
    if isinstance(value, float):
        return [path]
    if isinstance(value, dict):
        return [found for key, item in value.items() for found in floats_in(item, f"{path}.{key}")]
    if isinstance(value, list):
        return [found for i, item in enumerate(value) for found in floats_in(item, f"{path}[{i}]")]
    return []


def test_a_float_hashes_as_rfc8785_writes_it() -> None:
    record = new_record(decision_with(46500.0), commit="c" * 40, timestamp=TIMESTAMP, prev_hash="0")

    jcs = (
        '{"canonicalization":"rfc8785","commit":"' + "c" * 40 + '","decision":{"file":'
        '"requests/nb-1.yaml","inputs":{"documents":[["policy:p@1.0.0","' + "ab" * 20 + '"]],'
        '"evaluation_date":"2026-11-22","policy_set":"builtin","policy_set_version":"1.0.0"},'
        '"request_id":"NB-1","total":46500},"decision_id":"' + record["decision_id"] + '",'
        '"policies":{"policy:p@1.0.0":"' + "ab" * 20 + '"},"policy_set":{"name":"builtin",'
        f'"version":"1.0.0"}},"prev_hash":"0","timestamp":"{TIMESTAMP}"}}'
    )
    assert record["hash"] == hashlib.sha256(jcs.encode()).hexdigest()
    assert rfc8785.dumps({k: v for k, v in record.items() if k != "hash"}) == jcs.encode()
    assert b'"total":46500.0' in canonical(record), "the line keeps Python's form of the number"


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        (float("nan"), "nan is not representable in JCS"),
        (float("-inf"), "-inf is not representable in JCS"),
        (2**53, "9007199254740992 exceeds safe integer domain for JSON floats"),
    ],
)
def test_a_decision_rfc8785_cannot_hold_is_refused_with_a_clear_error(
    value: float, reason: str
) -> None:
    with pytest.raises(UsageError) as refused:
        new_record(decision_with(value), commit="c" * 40, timestamp=TIMESTAMP, prev_hash="0")

    assert refused.value.message == (
        "the decision of NB-1 (requests/nb-1.yaml) cannot be recorded, so nothing was appended: "
        f"RFC 8785 cannot serialise it ({reason}); the log's hash chain holds only finite "
        "numbers and integers within ±(2**53 − 1)"
    )


def test_a_line_rfc8785_cannot_hold_is_reported_where_it_is(cli: Cli, recorded: Path) -> None:
    logged = records(recorded)
    edited = (recorded / LOG).read_text().splitlines(keepends=True)
    edited[3] = edited[3].replace('{"base_currency":', '{"x":1e999,"base_currency":', 1)
    (recorded / LOG).write_text("".join(edited))

    assert verify(cli, recorded) == broken(
        [
            chain_break(
                logged[3],
                4,
                "its hash cannot be recomputed: RFC 8785 cannot serialise it (inf is not "
                "representable in JCS)",
                "audit-hash",
            )
        ],
        12,
        logged[-1]["hash"],
    )


# --- logs of earlier versions -----------------------------------------------------------------


def test_a_legacy_log_verifies_and_record_continues_its_chain_in_rfc8785(
    cli: Cli, recorded: Path
) -> None:
    legacy = write_legacy(recorded)
    legacy_bytes = (recorded / LOG).read_bytes()
    assert verify(cli, recorded) == intact(recorded, 12)

    logged = record_a_change(cli, recorded)

    assert len(logged) == 13
    assert (recorded / LOG).read_bytes().startswith(legacy_bytes), "old lines are never rewritten"
    assert logged[:12] == legacy
    assert (logged[12]["prev_hash"], logged[12]["canonicalization"]) == (
        legacy[11]["hash"],
        "rfc8785",
    )
    assert verify(cli, recorded) == intact(recorded, 13)
    assert readme_verifier(recorded / LOG) == (0, f"intact, head {logged[12]['hash']}\n", "")


#: Logs written by earlier versions of spendgate on examples/bank (see tests/data/README.md):
#: before RFC 8785 (hashes over Python's sorted-key JSON), and in RFC 8785 with money as floats.
EARLIER_LOGS = sorted(path for path in (PROJECT / "tests" / "data" / "logs").iterdir())


@pytest.mark.parametrize("earlier", EARLIER_LOGS, ids=[log.name for log in EARLIER_LOGS])
def test_a_log_an_earlier_version_wrote_verifies_and_is_continued(
    cli: Cli, tmp_path: Path, earlier: Path
) -> None:
    root = tmp_path / "bank"
    git(tmp_path, "clone", "-q", str(earlier / "repository.bundle"), str(root))
    (root / LOG).parent.mkdir(parents=True)
    shutil.copyfile(earlier / "decisions.jsonl", root / LOG)
    written = (root / LOG).read_bytes()
    old = records(root)
    assert len(old) == 12
    assert floats_in(old), "the earlier version wrote money as binary floats"

    assert verify(cli, root) == intact(root, 12)
    assert cli("audit", "record", root, "--as-of", AS_OF).exit_code == 0

    logged = records(root)
    assert (root / LOG).read_bytes().startswith(written), "old lines are never rewritten"
    assert len(logged) > 12
    assert logged[12]["prev_hash"] == old[11]["hash"]
    assert {record["canonicalization"] for record in logged[12:]} == {"rfc8785"}
    assert floats_in(logged[12:]) == []
    assert verify(cli, root) == intact(root, len(logged))
    if all("canonicalization" in record for record in old):
        assert independent_verifier(root / LOG) == logged[-1]["hash"]
    assert readme_verifier(root / LOG) == (0, f"intact, head {logged[-1]['hash']}\n", "")


def test_a_decision_recorded_with_float_money_replays_as_reproduced(
    cli: Cli, tmp_path: Path
) -> None:
    earlier = PROJECT / "tests" / "data" / "logs" / "bank-rfc8785-float-money"
    root = tmp_path / "bank"
    git(tmp_path, "clone", "-q", str(earlier / "repository.bundle"), str(root))
    (root / LOG).parent.mkdir(parents=True)
    shutil.copyfile(earlier / "decisions.jsonl", root / LOG)

    replayed = cli("audit", "replay", "--all", root)

    assert (replayed.exit_code, replayed.stdout.splitlines()[-1]) == (
        0,
        "12 of 12 decision(s) reproduced",
    )


@pytest.mark.parametrize(
    ("recorded", "now", "same"),
    [
        (222000.0, "222000.00", True),
        (9480, "9480", True),
        (222000.0, "222000.01", False),
        (222000.0, "222000.00 EUR", False),
        (True, "1", False),
        ("222000.00", 222000.0, False),  # only the old form recorded, the new form now
    ],
)
def test_replay_takes_a_recorded_number_and_its_decimal_string_for_one_amount(
    recorded: object, now: object, same: bool
) -> None:
    found = differences_between({"evidence": [["x", recorded]]}, {"evidence": [["x", now]]})

    assert found == ([] if same else [Difference("$.evidence[0][1]", recorded, now)])


@pytest.mark.parametrize("line", [5, 13], ids=["legacy record", "rfc8785 record"])
def test_an_edit_of_a_legacy_or_a_new_record_is_reported_at_that_record(
    cli: Cli, recorded: Path, line: int
) -> None:
    write_legacy(recorded)
    logged = record_a_change(cli, recorded)
    logged[line - 1]["decision"]["status"] = "approved"
    write_log(recorded, logged)

    assert verify(cli, recorded) == broken(
        [chain_break(logged[line - 1], line, EDITED, "audit-hash")], 13, logged[-1]["hash"]
    )
    assert readme_verifier(recorded / LOG) == (1, "", f"line {line}: the chain breaks here\n")


def test_removing_the_marker_from_a_new_record_breaks_its_hash(cli: Cli, recorded: Path) -> None:
    logged = records(recorded)
    del logged[5]["canonicalization"]
    write_log(recorded, logged)

    assert verify(cli, recorded) == broken(
        [chain_break(logged[5], 6, EDITED, "audit-hash")], 12, logged[-1]["hash"]
    )


def test_adding_the_marker_to_a_legacy_record_breaks_its_hash(cli: Cli, recorded: Path) -> None:
    logged = write_legacy(recorded)
    logged[5]["canonicalization"] = "rfc8785"
    write_log(recorded, logged)

    assert verify(cli, recorded) == broken(
        [chain_break(logged[5], 6, EDITED, "audit-hash")], 12, logged[-1]["hash"]
    )


def test_an_unknown_scheme_is_reported(cli: Cli, recorded: Path) -> None:
    logged = records(recorded)
    logged[2]["canonicalization"] = "rfc9999"
    write_log(recorded, logged)

    message = 'its hash cannot be recomputed: its canonicalization is "rfc9999", and this '
    message += 'spendgate knows only "rfc8785"'
    assert verify(cli, recorded) == broken(
        [chain_break(logged[2], 3, message, "audit-hash")], 12, logged[-1]["hash"]
    )


def test_a_new_record_missing_a_key_is_not_a_record(cli: Cli, recorded: Path) -> None:
    logged = records(recorded)
    del logged[6]["policies"]
    write_log(recorded, logged)

    message = "not a decision record (missing policies)"
    assert verify(cli, recorded) == broken(
        [chain_break(logged[6], 7, message, "audit-shape")], 12, logged[-1]["hash"]
    )


# --- the lock ---------------------------------------------------------------------------------


def test_an_append_waits_for_whoever_holds_the_logs_lock(tmp_path: Path) -> None:
    """The lock is a `filelock` on `.<log>.lock`: while anyone holds it, here or in another
    process, an append waits."""
    log = tmp_path / "audit" / "decisions.jsonl"
    log.parent.mkdir()
    appended: list[list[dict[str, Any]]] = []
    writer = threading.Thread(target=lambda: appended.append(append(log, lambda _: [{"n": 1}])))

    with FileLock(log.parent / ".decisions.jsonl.lock"):
        writer.start()
        time.sleep(0.5)
        waited = writer.is_alive() and not log.exists()
    writer.join(timeout=30)

    assert (waited, appended, log.read_text()) == (True, [[{"n": 1}]], '{"n":1}\n')


def test_the_audit_site_renders_every_record_of_a_legacy_log(cli: Cli, recorded: Path) -> None:
    write_legacy(recorded)
    out = recorded.parent / "site"

    rendered = cli("audit", "render", recorded, "--out", out)

    assert rendered.exit_code == 0, rendered.stderr
    assert len(list((out / "decisions").glob("d-*.html"))) == 12


def test_a_legacy_record_holding_an_integer_beyond_64_bits_still_verifies(
    cli: Cli, recorded: Path
) -> None:
    logged = records(recorded)
    logged[3]["decision"]["title"] = "reference 123456789012345678901234567890"
    logged[3]["decision"]["big"] = 123456789012345678901234567890
    write_log(recorded, logged)
    write_legacy(recorded)

    assert verify(cli, recorded) == intact(recorded, 12)


@pytest.mark.parametrize("total", [46500, 46500.0, 1e21, "46500.00"], ids=str)
def test_a_record_holds_its_hash_by_either_path_and_an_edit_never_does(total: object) -> None:
    record = new_record(decision_with(total), commit="c" * 40, timestamp=TIMESTAMP, prev_hash="0")
    edited = {**record, "decision": {**record["decision"], "request_id": "NB-2"}}

    assert holds_its_hash(record)
    assert not holds_its_hash(edited)
    assert holds_its_hash(record) == (record_hash(record) == record["hash"])
