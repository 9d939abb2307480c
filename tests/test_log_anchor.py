"""Anchoring the decision log (SPEC §7, §9): a log cut short, or rewritten and re-chained, is a
valid hash chain; only a head kept elsewhere (`--anchor`, `--base`) tells it from the original.

The attacks run against real git repositories: the bank of tests/test_audit.py, its twelve
decisions recorded and the log committed on main.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from spendgate.audit.anchor import extension_problem
from spendgate.audit.log import GENESIS, canonical
from spendgate.problems import Location, Problem
from tests import test_audit
from tests.conftest import Cli
from tests.test_approvals import git
from tests.test_audit import AS_OF, LOG, commit_all, head, intact, lines, records, write_rechained

# tests/test_audit.py's fixtures, under their own names (an import would read as unused).
bank = test_audit.bank
recorded = test_audit.recorded

APPEND_ONLY = "(records are appended, never edited or removed)"
NOT_A_PREFIX = "the decision log of the base revision is not a prefix of this one"


@pytest.fixture
def anchored(recorded: Path) -> Path:
    """The bank with its twelve decisions recorded and the log committed on main."""
    commit_all(recorded, "record the decisions")
    return recorded


def verify(cli: Cli, root: Path, *options: str) -> tuple[int, str, str]:
    outcome = cli("audit", "verify", root, *options)
    return outcome.exit_code, outcome.stdout, outcome.stderr


def summary(root: Path, problems: list[str], count: int) -> str:
    """What verify prints: the problems, then the state of the log, its size and head."""
    state = f"broken ({len(problems)} problem(s))" if problems else "intact"
    return "".join(f"{problem}\n" for problem in problems) + (
        f"{LOG}: {state}: {count} record(s), head {head(root)}\n"
    )


def not_in_log(anchor: str, count: int, *, origin: str = "") -> str:
    return (
        f"{LOG}:{count + 1}:1: [error] the anchored record {anchor}{origin} is not in the log: its "
        f"chain ends intact at line {count} without it, so records after line {count} were "
        "removed, or that record or an earlier one was rewritten and the later ones re-chained "
        f"{APPEND_ONLY} (audit-anchor)"
    )


def anchored_at_main(anchor: str, line: int) -> str:
    return (
        f"anchored at main: its head {anchor} is the record on line {line}, the chain intact up "
        "to it, and the log at main is a byte-for-byte prefix of this one\n"
    )


# --- the attacks ------------------------------------------------------------------------------


def test_dropping_the_last_records_fails_the_anchor_and_the_base(cli: Cli, anchored: Path) -> None:
    old_head = head(anchored)
    (anchored / LOG).write_text("".join(lines(anchored)[:10]))

    plain = verify(cli, anchored)
    by_anchor = verify(cli, anchored, "--anchor", old_head)
    by_base = verify(cli, anchored, "--base", "main")

    assert plain == intact(anchored, 10), "the chain alone cannot see a truncation"
    assert by_anchor == (1, summary(anchored, [not_in_log(old_head, 10)], 10), "")
    assert by_base == (
        1,
        summary(
            anchored,
            [
                f"{LOG}:11:1: [error] {NOT_A_PREFIX}, which has 10 lines where the base has 12: "
                f"lines 11-12 are removed {APPEND_ONLY} (audit-log-rewritten)",
                not_in_log(old_head, 10, origin=" (the head of the log at main)"),
            ],
            10,
        ),
        "",
    )


def test_a_rewritten_and_rechained_record_fails_the_anchor_and_the_base(
    cli: Cli, anchored: Path
) -> None:
    old_head = head(anchored)
    logged = records(anchored)
    pending = next(
        i for i, record in enumerate(logged) if record["decision"]["status"] == "pending"
    )
    logged[pending]["decision"]["status"] = "approved"
    write_rechained(anchored, logged)

    plain = verify(cli, anchored)
    by_anchor = verify(cli, anchored, "--anchor", old_head)
    by_base = verify(cli, anchored, "--base", "main")

    assert head(anchored) != old_head
    assert plain == intact(anchored, 12), "a re-chained log is a valid chain: hence the anchor"
    assert by_anchor == (1, summary(anchored, [not_in_log(old_head, 12)], 12), "")
    assert by_base == (
        1,
        summary(
            anchored,
            [
                f"{LOG}:{pending + 1}:1: [error] {NOT_A_PREFIX}: line {pending + 1} differs "
                f"{APPEND_ONLY} (audit-log-rewritten)",
                not_in_log(old_head, 12, origin=" (the head of the log at main)"),
            ],
            12,
        ),
        "",
    )


def test_an_anchor_behind_a_broken_link_is_not_held(cli: Cli, anchored: Path) -> None:
    old_head = head(anchored)
    logged = records(anchored)
    kept = lines(anchored)
    del kept[4]
    (anchored / LOG).write_text("".join(kept))

    outcome = verify(cli, anchored, "--anchor", old_head)

    assert outcome == (
        1,
        summary(
            anchored,
            [
                f"{LOG}:5:1: [error] record {logged[5]['decision_id']}: its prev_hash is not the "
                "hash of the record before it: a record was deleted, inserted or moved here "
                "(audit-prev-hash)",
                f"{LOG}:5:1: [error] the anchored record {old_head} is on line 11, but the chain "
                "breaks at line 5: it or a record before it was changed (audit-anchor)",
            ],
            11,
        ),
        "",
    )


def test_an_edited_anchored_record_keeping_its_hash_is_not_held(cli: Cli, anchored: Path) -> None:
    old_head = head(anchored)
    logged = records(anchored)
    logged[-1]["timestamp"] = "2026-01-01T00:00:00Z"
    text = "".join(lines(anchored)[:-1]) + canonical(logged[-1]).decode() + "\n"
    (anchored / LOG).write_text(text)

    outcome = verify(cli, anchored, "--anchor", old_head)

    assert outcome == (
        1,
        summary(
            anchored,
            [
                f"{LOG}:12:1: [error] record {logged[-1]['decision_id']}: its hash does not "
                "match its content: the record was edited (audit-hash)",
                f"{LOG}:12:1: [error] the anchored record {old_head} is on line 12, where the "
                "chain breaks: it or a record before it was changed (audit-anchor)",
            ],
            12,
        ),
        "",
    )


# --- honest logs ------------------------------------------------------------------------------


def test_an_honest_append_holds_both_anchors_and_says_which(cli: Cli, anchored: Path) -> None:
    old_head = head(anchored)
    request = anchored / "requests" / "2026" / "NB-2026-0194.yaml"
    request.write_text(request.read_text().replace("standard catalogue item", "catalogue item"))
    commit_all(anchored, "NB-2026-0194: shorter justification")
    assert cli("audit", "record", anchored, "--as-of", AS_OF).exit_code == 0

    outcome = verify(cli, anchored, "--anchor", old_head.upper(), "--base", "main")

    assert head(anchored) != old_head
    assert outcome == (
        0,
        summary(anchored, [], 13)
        + f"anchored: {old_head} is the record on line 12, the chain intact up to it\n"
        + anchored_at_main(old_head, 12),
        "",
    )


def test_the_current_head_and_an_unchanged_base_are_held(cli: Cli, anchored: Path) -> None:
    outcome = verify(cli, anchored, "--base", "main", "--anchor", head(anchored))

    assert outcome == (
        0,
        summary(anchored, [], 12)
        + f"anchored: {head(anchored)} is the record on line 12, the chain intact up to it\n"
        + anchored_at_main(head(anchored), 12),
        "",
    )


def test_a_log_absent_at_the_base_anchors_nothing(cli: Cli, recorded: Path) -> None:
    outcome = verify(cli, recorded, "--base", "main")

    assert outcome == (
        0,
        summary(recorded, [], 12) + "anchored at main: no log there, which anchors nothing\n",
        "",
    )


def test_the_genesis_hash_is_the_empty_logs_head(cli: Cli, anchored: Path) -> None:
    outcome = verify(cli, anchored, "--anchor", GENESIS)

    assert outcome == (
        0,
        summary(anchored, [], 12)
        + f"anchored: {GENESIS} is the empty log's head, which every log extends\n",
        "",
    )


# --- usage errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "anchor",
    [
        pytest.param("abc", id="short"),
        pytest.param("0" * 63, id="63-digits"),
        pytest.param("0" * 65, id="65-digits"),
        pytest.param("g" * 64, id="not-hex"),
        pytest.param(f" {'0' * 64}", id="space"),
        pytest.param("d-0123456789abcdef", id="a-decision-id"),
    ],
)
def test_a_malformed_anchor_is_a_usage_error(cli: Cli, anchored: Path, anchor: str) -> None:
    assert verify(cli, anchored, "--anchor", anchor) == (
        2,
        "",
        f"spendgate: error: --anchor takes a head hash of 64 hex digits, not {anchor!r}\n",
    )


def test_a_base_git_cannot_read_is_a_usage_error(cli: Cli, anchored: Path) -> None:
    assert verify(cli, anchored, "--base", "no-such-branch") == (
        2,
        "",
        "spendgate: error: git rev-parse --verify --end-of-options 'no-such-branch^{commit}': "
        "fatal: Needed a single revision\n",
    )


# --- hostile lines ----------------------------------------------------------------------------


def test_deeply_nested_json_is_not_a_record_and_does_not_exhaust_the_stack(
    cli: Cli, anchored: Path
) -> None:
    """100,000 brackets json cannot parse; 990 levels it can, but not hash far down a stack."""
    current = head(anchored)
    honest = (anchored / LOG).read_text()
    template = {**records(anchored)[0], "decision": 1}
    deep_record = canonical(template).decode()
    deep_record = deep_record.replace('"decision":1', '"decision":' + "[" * 990 + "]" * 990)

    outcomes = []
    for hostile in ("[" * 100_000, deep_record):
        (anchored / LOG).write_text(honest + hostile + "\n")
        outcomes.append(verify(cli, anchored))

    assert outcomes == [
        (
            1,
            f"{LOG}:13:1: [error] {named}: the line is not a JSON record (audit-not-json)\n"
            f"{LOG}: broken (1 problem(s)): 12 record(s), head {current}\n",
            "",
        )
        for named in ("a record", f"record {template['decision_id']}")
    ]


# --- pull-request mode ------------------------------------------------------------------------


def test_check_base_blocks_a_branch_that_removes_the_logs_last_line(
    cli: Cli, anchored: Path
) -> None:
    git(anchored, "checkout", "-q", "-b", "feature")
    (anchored / LOG).write_text("".join(lines(anchored)[:11]))
    commit_all(anchored, "forget the last decision")

    outcome = cli("check", anchored, "--base", "main", "--as-of", AS_OF)

    assert outcome.exit_code == 1
    assert (
        f"{LOG}:12:1: [error] {NOT_A_PREFIX}, which has 11 lines where the base has 12: line 12 "
        f"is removed {APPEND_ONLY} (audit-log-rewritten)"
    ) in outcome.stdout.splitlines()


# --- the core: extension_problem --------------------------------------------------------------

BASE = b"".join(b'{"record":%d}\n' % number for number in range(1, 15))


def problem(line: int, message: str) -> Problem:
    return Problem(Location(LOG, line, 1), f"{message} {APPEND_ONLY}", "audit-log-rewritten")


def replaced(content: bytes, line: int, new: bytes) -> bytes:
    split = content.splitlines(keepends=True)
    split[line - 1] = new
    return b"".join(split)


@pytest.mark.parametrize(
    ("base", "head"),
    [
        pytest.param(BASE, BASE, id="equal"),
        pytest.param(BASE, BASE + b'{"record":15}\n{"record":16}\n', id="appended"),
        pytest.param(b"", BASE, id="absent-at-the-base"),
        pytest.param(b"", b"", id="both-empty"),
        pytest.param(BASE[:-3], BASE[:-3], id="torn-base-unchanged"),
        pytest.param(b"\xff\xfe\n", b"\xff\xfe\n\x80\n", id="not-utf-8-appended"),
    ],
)
def test_a_log_that_extends_its_base_has_no_problem(base: bytes, head: bytes) -> None:
    assert extension_problem(base, head, log=LOG) is None


@pytest.mark.parametrize(
    ("head", "expected"),
    [
        pytest.param(
            b"".join(BASE.splitlines(keepends=True)[:12]),
            problem(
                13,
                f"{NOT_A_PREFIX}, which has 12 lines where the base has 14: lines 13-14 "
                "are removed",
            ),
            id="truncated",
        ),
        pytest.param(
            b"".join(BASE.splitlines(keepends=True)[:13]),
            problem(
                14, f"{NOT_A_PREFIX}, which has 13 lines where the base has 14: line 14 is removed"
            ),
            id="last-line-removed",
        ),
        pytest.param(
            b"",
            problem(
                1,
                f"{NOT_A_PREFIX}, which has 0 lines where the base has 14: lines 1-14 are removed",
            ),
            id="deleted",
        ),
        pytest.param(
            BASE.splitlines(keepends=True)[0],
            problem(
                2, f"{NOT_A_PREFIX}, which has 1 line where the base has 14: lines 2-14 are removed"
            ),
            id="one-line-left",
        ),
        pytest.param(
            replaced(BASE, 7, b'{"record":70}\n'),
            problem(7, f"{NOT_A_PREFIX}: line 7 differs"),
            id="edited",
        ),
        pytest.param(
            replaced(BASE, 7, b'{"record": 7}\n'),
            problem(7, f"{NOT_A_PREFIX}: line 7 differs"),
            id="same-json-other-bytes",
        ),
        pytest.param(
            replaced(BASE, 7, b'{"record":7}\r\n'),
            problem(7, f"{NOT_A_PREFIX}: line 7 differs"),
            id="crlf",
        ),
        pytest.param(
            replaced(BASE, 7, b'{"forged":1}\n{"record":7}\n'),
            problem(7, f"{NOT_A_PREFIX}: line 7 differs"),
            id="inserted-in-the-middle",
        ),
        pytest.param(
            replaced(BASE, 7, b'{"record":7}\xff\n'),
            problem(7, f"{NOT_A_PREFIX}: line 7 differs"),
            id="not-utf-8",
        ),
        pytest.param(
            BASE[:-3],
            problem(14, f"{NOT_A_PREFIX}: line 14 is cut short"),
            id="last-line-cut-short",
        ),
        pytest.param(
            b"".join(BASE.splitlines(keepends=True)[:11]) + b'{"rec',
            problem(
                12,
                f"{NOT_A_PREFIX}, which has 12 lines where the base has 14: line 12 is "
                "cut short and lines 13-14 are removed",
            ),
            id="cut-short-and-truncated",
        ),
    ],
)
def test_a_log_that_does_not_extend_its_base_names_the_first_line_that_differs(
    head: bytes, expected: Problem
) -> None:
    assert extension_problem(BASE, head, log=LOG) == expected


@pytest.mark.parametrize(
    "head",
    [
        pytest.param(BASE, id="completed"),
        pytest.param(BASE[:-3] + b"99}\n", id="changed"),
        pytest.param(BASE + b'{"record":15}\n', id="completed-and-appended"),
    ],
)
def test_a_torn_base_whose_last_line_is_completed_differs_at_that_line(head: bytes) -> None:
    assert extension_problem(BASE[:-3], head, log=LOG) == problem(
        14,
        f"{NOT_A_PREFIX}: line 14 differs: the base's last line is incomplete (no newline: a "
        "torn write), and this one completes or changes it",
    )


def test_a_huge_line_is_compared_as_bytes() -> None:
    huge = b'{"record":"' + b"x" * 5_000_000 + b'"}\n'

    assert extension_problem(huge, huge + b"{}\n", log=LOG) is None
    assert extension_problem(huge, huge[:-5] + b'y"}\n', log=LOG) == problem(
        1, f"{NOT_A_PREFIX}: line 1 differs"
    )
