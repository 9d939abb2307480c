"""The pull-request comment (`markdown`) within GitHub's limit: one budget for the whole comment,
tables never cut, blocking requests first, and what was left out counted.

The reports are built from Decision objects directly, as tests/test_reporters.py does: a comment
for 10,000 requests renders in a second.
"""

from __future__ import annotations

import re
from dataclasses import replace

from spendgate.decisions import CheckReport, Decision, Impact, ImpactOutcome, Status
from spendgate.problems import Location, Problem
from spendgate.reporters import markdown
from spendgate.reporters.markdown_budget import Budget, capped_table, length
from tests.test_reporters import decision, finding, report

#: Request n's status is the (n % 10)th: 3,000 approved, 3,000 pending, 2,000 blocked, 1,000
#: rejected and 1,000 invalid, interleaved as a repository's files would be.
PATTERN: tuple[Status, ...] = (
    "approved", "pending", "blocked", "approved", "pending",
    "rejected", "approved", "blocked", "pending", "invalid",
)  # fmt: skip
BASE = "0123456789abcdef0123"


def request(number: int) -> Decision:
    """Request n: a status from PATTERN; findings that fit it; a title of a length that varies."""
    status = PATTERN[number % len(PATTERN)]
    found = {
        "blocked": (finding(f"no screening {number}"), finding("advice", enforcement="advisory")),
        "invalid": (finding(f"bad field {number}", rule_id="yaml-syntax"),),
        "pending": (finding("advice", enforcement="advisory"),),
    }.get(status, ())
    title = f"Purchase {number} " + "of laptops and docks " * (number % 4)
    return decision(*found, status=status, title=title.strip(), request_id=f"PR-{number:05}")


def large_report() -> CheckReport:
    """10,000 requests, 120 problems outside requests and 30 requests a governance change
    decides differently."""
    problems = tuple(
        Problem(Location(f"vendors/v{n}.yaml", 2, 3, "$.id"), f"bad vendor {n}", "V-1")
        for n in range(120)
    )
    before, after = (
        ImpactOutcome("approved", "opex", ()),
        ImpactOutcome("pending", "opex", ("cfo",)),
    )
    changed = tuple((f"PR-{n:05}", f"requests/{n}.yaml", before, after) for n in range(30))
    base = report(*(request(n) for n in range(10_000)), problems=problems)
    return replace(base, impact=Impact(BASE, 10_000, changed))


def cells(row: str) -> int:
    """The cells of a table row: its pipes, less the escaped ones, less one."""
    return len(re.findall(r"(?<!\\)\|", row)) - 1


def tables(lines: list[str]) -> list[list[str]]:
    """Every Markdown table of `lines`: the runs of lines that start with a pipe."""
    found: list[list[str]] = []
    for index, line in enumerate(lines):
        if line.startswith("|") and not (index and lines[index - 1].startswith("|")):
            found.append([])
        if line.startswith("|"):
            found[-1].append(line)
    return found


def assert_whole_tables(comment: str) -> None:
    """Each table: a header, its delimiter row, rows of as many cells; then a blank line."""
    lines = comment.splitlines()
    for table in tables(lines):
        assert len(table) >= 3
        assert re.fullmatch(r"(\| -{3}:? )+\|", table[1])
        assert {cells(row) for row in table} == {cells(table[0])}
        end = lines.index(table[0]) + len(table)
        assert lines[end] == ""


def test_a_comment_on_10000_requests_fits_github_and_keeps_its_tables_whole() -> None:
    comment = markdown.render(large_report())
    lines = comment.splitlines()

    assert len(comment) <= markdown.COMMENT_LIMIT == 65_536
    assert length(comment) <= markdown.COMMENT_BUDGET == 65_000
    assert lines[:4] == [
        "<!-- spendgate-report -->",
        "## ❌ spendgate: blocked",
        "",
        "10000 requests: 3000 approved, 3000 pending, 2000 blocked, 1000 rejected, 1000 invalid "
        "(policy set reference 1.0.0, as of 2026-11-22)",
    ]
    assert_whole_tables(comment)
    requests, changed, *findings, problems = tables(lines)
    assert len(requests) == 2 + markdown.OVERVIEW_ROWS == 102
    assert len(changed) == 2 + markdown.IMPACT_ROWS == 22
    assert len(problems) == 2 + markdown.PROBLEM_ROWS == 52
    blocked = [f"PR-{n:05}" for n in range(10_000) if PATTERN[n % 10] == "blocked"]
    assert [row.split(" | ")[0].removeprefix("| ") for row in requests[2:]] == blocked[:100]
    assert {row.split(" | ")[1] for row in requests[2:]} == {"❌ blocked"}
    assert lines[lines.index(requests[-1]) + 2] == (
        "… and 9,900 more requests (1,900 blocked, 1,000 rejected, 1,000 invalid, 3,000 pending, "
        "3,000 approved): the job log lists every request."
    )
    assert lines[lines.index(changed[-1]) + 2] == (
        f"_…and 10 more: `spendgate impact --base {BASE[:12]}` lists them all._"
    )
    assert lines[lines.index(problems[-1]) + 2] == (
        "… and 70 more problems (70 errors): the job log lists every problem."
    )
    sections = [line for line in lines if line.startswith("### ❌ PR-")]
    assert sections == [
        f"### ❌ {number}: {title_of(number)}" for number in blocked[: len(sections)]
    ]
    assert len(findings) == len(sections) > 10
    left = 2_000 - len(sections)
    assert (
        f"_The details of {10_000 - len(sections):,} more request(s) ({left:,} blocked, 1,000 "
        "rejected, 1,000 invalid, 3,000 pending, 3,000 approved) are left out: GitHub limits a "
        "comment to 65,536 characters. The job log lists them all._"
    ) in lines


def title_of(request_id: str) -> str:
    number = int(request_id.removeprefix("PR-"))
    return (f"Purchase {number} " + "of laptops and docks " * (number % 4)).strip()


def test_a_small_comment_lists_blocking_requests_first_and_leaves_nothing_out() -> None:
    decisions = [
        decision(status="approved", request_id="PR-1"),
        decision(finding("advice", enforcement="advisory"), status="pending", request_id="PR-2"),
        decision(status="rejected", request_id="PR-3"),
        decision(finding("no screening"), status="blocked", request_id="PR-4"),
    ]
    comment = markdown.render(report(*decisions))
    lines = comment.splitlines()

    assert lines[4:11] == [
        "",
        "| Request | Status | Total | Classification | Title |",
        "| --- | --- | ---: | --- | --- |",
        "| PR-4 | ❌ blocked | 1,234.50 EUR | opex | Laptops |",
        "| PR-3 | 🚫 rejected | 1,234.50 EUR | opex | Laptops |",
        "| PR-2 | ⏳ pending | 1,234.50 EUR | opex | Laptops |",
        "| PR-1 | ✅ approved | 1,234.50 EUR | opex | Laptops |",
    ]
    assert [line for line in lines if line.startswith("### ")] == [
        "### ❌ PR-4: Laptops",
        "### 🚫 PR-3: Laptops",
        "### ⏳ PR-2: Laptops",
        "### ✅ PR-1: Laptops",
    ]
    assert "more" not in comment and "left out" not in comment
    assert_whole_tables(comment)


def test_a_table_takes_the_whole_rows_that_fit_and_counts_the_rest() -> None:
    head = ["| Request | Note |", "| --- | --- |"]
    rows = [f"| PR-{n} | x |" for n in range(3)]

    def more(shown: int) -> str:
        return f"{3 - shown} more"

    budget = Budget(120)
    assert capped_table(head, rows, budget, most=10, more=more) == [*head, *rows, ""]
    assert budget.left == 120 - 73
    assert capped_table(head, rows, Budget(80), most=2, more=more) == [
        *head, rows[0], rows[1], "", "1 more", "",
    ]  # fmt: skip
    assert capped_table(head, rows, Budget(40), most=10, more=more) == ["3 more", ""]
    assert capped_table(head, rows, Budget(7), most=10, more=more) == []


def test_length_counts_as_github_and_javascript_do() -> None:
    assert length("🚫 rejected") == len("🚫 rejected") + 1 == 11
    assert length("❌ ⏳ ✅ é") == len("❌ ⏳ ✅ é") == 7
