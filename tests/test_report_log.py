"""`spendgate report` reads the decision log (issue 20): what it holds, the approvals the log and
the gate disagree on, and its bad records left out, located and counted, never an abort."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import jsonschema

from tests.conftest import PROJECT, Cli, GitUser
from tests.test_approvals import git
from tests.test_audit import AS_OF, HELGA, HELGA_APPROVAL, LOG, bank, commit_all

__all__ = ["bank"]  # the bank repository of tests/test_audit.py, a fixture here too

#: One of the two approvals that make NB-2026-0190 approved.
MANAGER_APPROVAL = "approvals/NB-2026-0190/line_manager-tobias.brandt.yaml"
#: What the bank's twelve requests are when NB-2026-0194 lacks its one approval.
RECORDED_STATUSES = [
    {"name": "approved", "count": 1},
    {"name": "blocked", "count": 5},
    {"name": "pending", "count": 6},
]


def report(cli: Cli, root: Path, out: Path) -> tuple[int, str, str, dict[str, Any]]:
    """Exit code, stdout, stderr and figures.json's `audit_trail` of `spendgate report`."""
    outcome = cli("report", root, "--out", out, "--as-of", AS_OF)
    figures = json.loads((out / "figures.json").read_text())
    schema = json.loads((PROJECT / "schemas" / "ReportFigures.schema.json").read_text())
    jsonschema.validate(figures, schema, cls=jsonschema.Draft202012Validator)
    return outcome.exit_code, outcome.stdout, outcome.stderr, figures["audit_trail"]


def wrote(out: Path) -> str:
    return f"wrote {out / 'index.html'} and {out / 'figures.json'}\n"


def recorded_months(root: Path) -> list[dict[str, Any]]:
    """The records by month, from the log's own timestamps (`audit record` uses the clock)."""
    months = [json.loads(line)["timestamp"][:7] for line in (root / LOG).read_text().splitlines()]
    return [{"name": month, "count": months.count(month)} for month in sorted(set(months))]


def section(page: str) -> str:
    found = re.search(r'<section class="kpi" id="audit-trail".*?</section>', page, re.DOTALL)
    assert found is not None
    return found.group(0)


def withdraw(root: Path, approval: str) -> str:
    """Remove the approval record at `approval` (committed), and return its text."""
    text = (root / approval).read_text()
    git(root, "rm", "-q", approval)
    git(root, "commit", "-q", "-m", f"withdraw {approval}")
    return text


def test_approvals_the_log_lacks_and_records_the_gate_no_longer_bears_out(
    cli: Cli, bank: Path, tmp_path: Path
) -> None:
    """NB-2026-0194 is recorded pending, then approved by Helga after the recording; NB-2026-0190
    is recorded approved, then loses an approval: the report lists each on its side."""
    text = withdraw(bank, HELGA_APPROVAL)
    assert cli("audit", "record", bank, "--as-of", AS_OF).exit_code == 0
    (bank / HELGA_APPROVAL).parent.mkdir(parents=True, exist_ok=True)
    (bank / HELGA_APPROVAL).write_text(text)
    commit_all(bank, "Helga approves NB-2026-0194", author=HELGA)
    withdraw(bank, MANAGER_APPROVAL)

    outcome = report(cli, bank, tmp_path / "site")

    assert outcome == (
        0,
        wrote(tmp_path / "site"),
        "",
        {
            "log": {"path": LOG, "present": True},
            "records": 12,
            "requests": 12,
            "by_month": recorded_months(bank),
            "latest_statuses": RECORDED_STATUSES,
            "approved_not_recorded": {"count": 1, "requests": ["NB-2026-0194"]},
            "recorded_not_approved": {"count": 1, "requests": ["NB-2026-0190"]},
            "excluded": [],
        },
    )


def test_a_request_changed_and_approved_again_after_the_recording_is_not_recorded(
    cli: Cli, git_user: GitUser, bank: Path, tmp_path: Path
) -> None:
    """NB-2026-0190's approval is recorded; then the requester lowers its quantity and both
    approvers approve the new text. The log holds the approval of the old text only, so the
    trail lists the request until `audit record` runs again."""
    assert cli("audit", "record", bank, "--as-of", AS_OF).exit_code == 0
    request = bank / "requests" / "2026" / "NB-2026-0190.yaml"
    request.write_text(request.read_text().replace("quantity: 6", "quantity: 5"))
    commit_all(bank, "five seats", author="Requester <requester@northbridge-bank.eu>")
    for role, person in (("line_manager", "tobias.brandt"), ("budget_owner", "julia.fischer")):
        email = f"{person}@northbridge-bank.eu"
        git_user(email)
        approved = cli(
            "approve", "NB-2026-0190", "--role", role, "--as", person, "--repo", bank, "--on", AS_OF
        )
        assert approved.exit_code == 0, approved.stderr
        commit_all(bank, f"{person} approves again", author=f"{person} <{email}>")

    changed = report(cli, bank, tmp_path / "changed")
    assert cli("audit", "record", bank, "--as-of", AS_OF).exit_code == 0
    recorded = report(cli, bank, tmp_path / "recorded")

    assert (changed[0], changed[3]["approved_not_recorded"], changed[3]["records"]) == (
        0,
        {"count": 1, "requests": ["NB-2026-0190"]},
        12,
    )
    assert (recorded[0], recorded[3]["approved_not_recorded"], recorded[3]["records"]) == (
        0,
        {"count": 0, "requests": []},
        13,
    )


def test_bad_records_are_left_out_located_and_counted_and_exit_1(
    cli: Cli, bank: Path, tmp_path: Path
) -> None:
    """A line that is not JSON, a record without its request and one with a timestamp that does
    not parse are each left out on their line (a blank line before them counted in); the other
    records still count, by the UTC month of their timestamp."""
    withdraw(bank, HELGA_APPROVAL)
    assert cli("audit", "record", bank, "--as-of", AS_OF).exit_code == 0
    records = [json.loads(line) for line in (bank / LOG).read_text().splitlines()]
    records[1]["timestamp"] = "2026-11-01T01:30:00+02:00"  # 2026-10-31 in UTC
    del records[2]["decision"]["request_id"]
    records[3]["timestamp"] = "2026-13-45T00:00:00Z"
    lines = [json.dumps(record) for record in records]
    lines[2:2] = ['{"timestamp": "2026-11-02T00:00:00Z", "decision": {', ""]
    (bank / LOG).write_text("\n".join(lines) + "\n")

    exit_code, stdout, stderr, trail = report(cli, bank, tmp_path / "site")

    later = {"name": records[0]["timestamp"][:7], "count": 9}
    assert (exit_code, stdout, stderr, trail) == (
        1,
        wrote(tmp_path / "site"),
        f"{LOG}:3:1: [warning] the line is not a JSON object with a timestamp and a decision: "
        "record excluded (log-record)\n"
        f"{LOG}:5:1: [warning] decision.request_id is missing: record excluded (log-record)\n"
        f"{LOG}:6:1: [warning] timestamp is not an ISO 8601 date-time ('2026-13-45T00:00:00Z'): "
        "record excluded (log-record)\n",
        {
            "log": {"path": LOG, "present": True},
            "records": 10,
            "requests": 10,
            "by_month": [{"name": "2026-10", "count": 1}, later],
            "latest_statuses": [
                {"name": "approved", "count": 1},
                {"name": "blocked", "count": 4},  # NB-2026-0171's only record is left out
                {"name": "pending", "count": 5},  # and so is NB-2026-0163's
            ],
            "approved_not_recorded": {"count": 0, "requests": []},
            "recorded_not_approved": {"count": 0, "requests": []},
            "excluded": [
                {"name": "decision.request_id is missing", "count": 1},
                {
                    "name": "the line is not a JSON object with a timestamp and a decision",
                    "count": 1,
                },
                {"name": "timestamp is not an ISO 8601 date-time", "count": 1},
            ],
        },
    )
    page = section((tmp_path / "site" / "index.html").read_text())
    assert re.findall(r"<p class=\"definition\">(\d.*?)</p>", page) == [
        "1 record(s) left out: decision.request_id is missing. 1 record(s) left out: the line "
        "is not a JSON object with a timestamp and a decision. 1 record(s) left out: timestamp "
        "is not an ISO 8601 date-time. "
    ]


def test_records_with_values_no_log_writes_are_left_out_not_shown(
    cli: Cli, bank: Path, tmp_path: Path
) -> None:
    """Anyone who can push can append lines to the log (`audit verify` catches them; the report
    does not verify). A record's request id is shown on the page and its status counted: an id
    that is no document id (200 characters, markup), a status no decision has, a year past 9999
    and a bare date are each left out, located, instead of shown or counted."""
    assert cli("audit", "record", bank, "--as-of", AS_OF).exit_code == 0
    honest, months = (bank / LOG).read_text(), recorded_months(bank)
    first = json.loads(honest.splitlines()[0])
    forged = []
    for field, value in (
        ("request_id", "x" * 200),
        ("request_id", "<img src=x onerror=alert(1)>"),
        ("status", "APPROVED BY CFO"),
        ("timestamp", "99999-01-01T00:00:00Z"),
        ("timestamp", "2026-11-02"),
    ):
        record = json.loads(json.dumps(first))
        if field == "timestamp":
            record["timestamp"] = value
        else:
            record["decision"][field] = value
        forged.append(json.dumps(record))
    (bank / LOG).write_text(honest + "\n".join(forged) + "\n")

    exit_code, stdout, stderr, trail = report(cli, bank, tmp_path / "site")

    assert (exit_code, stdout, stderr) == (
        1,
        wrote(tmp_path / "site"),
        f"{LOG}:13:1: [warning] decision.request_id is not a document id: record excluded "
        "(log-record)\n"
        f"{LOG}:14:1: [warning] decision.request_id is not a document id: record excluded "
        "(log-record)\n"
        f"{LOG}:15:1: [warning] decision.status is not a decision status: record excluded "
        "(log-record)\n"
        f"{LOG}:16:1: [warning] timestamp is not an ISO 8601 date-time "
        "('99999-01-01T00:00:00Z'): record excluded (log-record)\n"
        f"{LOG}:17:1: [warning] timestamp is not an ISO 8601 date-time ('2026-11-02'): record "
        "excluded (log-record)\n",
    )
    assert (trail["records"], trail["by_month"], trail["excluded"]) == (
        12,
        months,
        [
            {"name": "decision.request_id is not a document id", "count": 2},
            {"name": "decision.status is not a decision status", "count": 1},
            {"name": "timestamp is not an ISO 8601 date-time", "count": 2},
        ],
    )
    assert "onerror" not in (tmp_path / "site" / "index.html").read_text()


def test_a_report_without_a_log_says_so_and_lists_every_approval_as_unrecorded(
    cli: Cli, bank: Path, tmp_path: Path
) -> None:
    outcome = report(cli, bank, tmp_path / "site")

    assert outcome == (
        0,
        wrote(tmp_path / "site"),
        "",
        {
            "log": {"path": LOG, "present": False},
            "records": 0,
            "requests": 0,
            "by_month": [],
            "latest_statuses": [],
            "approved_not_recorded": {"count": 2, "requests": ["NB-2026-0190", "NB-2026-0194"]},
            "recorded_not_approved": {"count": 0, "requests": []},
            "excluded": [],
        },
    )
    page = section((tmp_path / "site" / "index.html").read_text())
    assert re.findall(r'<p class="missing">.*?</p>', page) == [
        f'<p class="missing">No decision log at <code>{LOG}</code> yet: <code>spendgate audit '
        "record</code> writes it, and until it does none of the 2 approved request(s) is "
        "recorded.</p>"
    ]


def test_past_fifty_bad_records_the_rest_are_counted_in_one_line(
    cli: Cli, bank: Path, tmp_path: Path
) -> None:
    (bank / LOG).parent.mkdir()
    (bank / LOG).write_text("not json\n" * 53)

    exit_code, _, stderr, trail = report(cli, bank, tmp_path / "site")

    shown = [
        f"{LOG}:{line}:1: [warning] the line is not a JSON object with a timestamp and a "
        "decision: record excluded (log-record)"
        for line in range(1, 51)
    ]
    assert (exit_code, stderr.splitlines(), trail["records"], trail["excluded"]) == (
        1,
        [*shown, f"{LOG}: [warning] 3 more excluded record(s) not shown (log-record)"],
        0,
        [{"name": "the line is not a JSON object with a timestamp and a decision", "count": 53}],
    )


def test_a_repository_in_a_folder_named_like_a_log_field_reads_its_own_log(
    cli: Cli, bank: Path, tmp_path: Path
) -> None:
    """DuckDB reads a path's `key=value` folders as columns (hive partitioning) unless told
    not to: a checkout under `decision=forged/timestamp=x/` reads its log's own fields."""
    assert cli("audit", "record", bank, "--as-of", AS_OF).exit_code == 0
    moved = tmp_path / "decision=forged" / "timestamp=x" / "bank"
    shutil.copytree(bank, moved)

    expected = report(cli, bank, tmp_path / "here")
    found = report(cli, moved, tmp_path / "there")

    assert found == (0, wrote(tmp_path / "there"), "", expected[3])
    assert expected[3]["records"] == 12
