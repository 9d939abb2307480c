"""`spendgate report --billing`: FOCUS CSV files with one hostile line (issue 20).

Each test fails on the reader that came before: DuckDB's sniffer, or its CSV parser, gave up on
the whole file for one line (exit 2, `cannot read`, nothing decided), a row after a blank line,
a stray quote or a quoted line break was reported on the wrong line, and a file read after one
with bad lines was charged with that file's lines. Here the bad line is left out, located and
counted, every other row is summed, and the exit code is 1.
"""

from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from tests.conftest import Cli
from tests.test_analytics import FOCUS_COLUMNS, repo
from tests.test_focus import months, report

__all__ = ["repo"]  # the governance repository of tests/test_analytics.py, a fixture here too

GOOD = b"EUR,0.01,0.01,Usage,2026-10-01,OtherCloud,lab,"
HEADER = FOCUS_COLUMNS.encode()


def excluded(*reasons: tuple[str, int]) -> list[dict[str, object]]:
    """`cloud_cost_accuracy.excluded` for these (reason, rows), in its order."""
    return [{"reason": reason, "rows": rows} for reason, rows in sorted(reasons)]


def test_a_line_over_two_megabytes_in_the_first_rows_is_left_out_located(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    # A FOCUS Tags cell is JSON, quoted with doubled quotes; one of 3 MB made the sniffer fail.
    tags = b'"{""team"": ""' + b"x" * 3_000_000 + b'""}"'
    path = tmp_path / "billing.csv"
    path.write_bytes(
        HEADER + b",Tags\n"
        b"EUR,50.00,50.00,Usage,2026-10-01,OtherCloud,lab,,\n"
        b"EUR,7.00,7.00,Usage,2026-10-01,OtherCloud,lab,," + tags + b"\n"
        b'EUR,3.00,3.00,Usage,2026-10-01,OtherCloud,lab,,"{""team"": ""a""}"\n'
    )

    code, stderr, cloud = report(cli, repo, tmp_path / "site", path)

    assert (code, months(cloud), cloud["rows"]) == (
        1,
        [("2026-10", "OtherCloud", "0.00", "53.00")],
        2,
    )
    assert stderr.replace(f"{tmp_path}/", "") == (
        "billing.csv:3:1: [warning] the row is longer than 2000000 bytes: row excluded (csv-row)\n"
    )
    assert cloud["excluded"] == excluded(("the row is longer than 2000000 bytes", 1))


def test_a_short_row_with_another_line_ending_among_crlf_lines_is_left_out_located(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    # 3000 lines end in CRLF; then one short row ends in LF: the sniffer gave up on the file.
    # After it, a row with one field too many (not cut to the header's width and summed), a
    # blank line, a quoted line break in an ignored column and a bad cell, each on its line.
    path = tmp_path / "billing.csv"
    path.write_bytes(
        HEADER + b"\r\n" + (GOOD + b"\r\n") * 3000 + b"EUR,1\n"
        b"EUR,5.00,5.00,Usage,2026-10-01,OtherCloud,lab,,extra\r\n"
        b"\r\n"
        b'EUR,2.00,2.00,Usage,2026-10-01,OtherCloud,"lab\r\nnorth",\r\n'
        b"XYZ,7.00,7.00,Usage,2026-10-01,OtherCloud,lab,\r\n" + GOOD + b"\r\n"
    )

    code, stderr, cloud = report(cli, repo, tmp_path / "site", path)

    assert (code, months(cloud), cloud["rows"]) == (
        1,
        [("2026-10", "OtherCloud", "0.00", "32.01")],
        3002,
    )
    assert stderr.replace(f"{tmp_path}/", "") == (
        "billing.csv:3002:3: [warning] the row has fewer fields than the header: row excluded "
        "(csv-row)\n"
        "billing.csv:3003:9: [warning] the row has more fields than the header: row excluded "
        "(csv-row)\n"
        "billing.csv:3007:1: [warning] BillingCurrency is not an ISO 4217 currency code ('XYZ'): "
        "row excluded (csv-value)\n"
    )
    assert cloud["excluded"] == excluded(
        ("BillingCurrency is not an ISO 4217 currency code", 1),
        ("the row has fewer fields than the header", 1),
        ("the row has more fields than the header", 1),
    )


@pytest.mark.parametrize("name", ["billing.csv", "billing.csv.gz"])
def test_a_crlf_line_among_lf_lines_with_a_short_row_is_left_out_located(
    cli: Cli, repo: Path, tmp_path: Path, name: str
) -> None:
    # 3000 lines end in LF; one short row ends in CRLF: the sniffer gave up on the file. The
    # row after it is not UTF-8 (left out as before).
    data = (
        HEADER + b"\n" + (GOOD + b"\n") * 3000 + b"EUR,1\r\n"
        b"EUR,2.00,2.00,Usage,2026-10-01,Caf\xe9,lab,\n" + GOOD + b"\n"
    )
    path = tmp_path / name
    path.write_bytes(gzip.compress(data) if name.endswith(".gz") else data)

    code, stderr, cloud = report(cli, repo, tmp_path / "site", path)

    assert (code, months(cloud), cloud["rows"]) == (
        1,
        [("2026-10", "OtherCloud", "0.00", "30.01")],
        3001,
    )
    assert stderr.replace(f"{tmp_path}/", "") == (
        f"{name}:3002:3: [warning] the row has fewer fields than the header: row excluded "
        "(csv-row)\n"
        f"{name}:3003:6: [warning] the row is not UTF-8 text: row excluded (csv-row)\n"
    )
    assert cloud["excluded"] == excluded(
        ("the row has fewer fields than the header", 1), ("the row is not UTF-8 text", 1)
    )


def test_a_row_after_a_blank_line_a_stray_quote_and_a_quoted_line_break_is_on_its_line(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    # A file DuckDB's sniffer reads: DuckDB numbers its rows, not its lines. A quote inside an
    # unquoted field is text (it opens no field), a quote at a field's start opens one.
    path = tmp_path / "billing.csv"
    path.write_bytes(
        HEADER + b"\n" + GOOD + b"\n"
        b"\n"
        b'EUR,0.01,0.01,Usage,2026-10-01,OtherCloud,l"ab,\n'
        b'EUR,2.00,2.00,Usage,2026-10-01,OtherCloud,"lab\nnorth",\n'
        b"XYZ,7.00,7.00,Usage,2026-10-01,OtherCloud,lab,\n"
        b"EUR,1\n"
        b"EUR,n/a,1.00,Usage,2026-10-01,OtherCloud,lab,\n"
    )

    code, stderr, cloud = report(cli, repo, tmp_path / "site", path)

    assert (code, months(cloud), cloud["rows"]) == (
        1,
        [("2026-10", "OtherCloud", "0.00", "2.02")],
        3,
    )
    assert stderr.replace(f"{tmp_path}/", "") == (
        "billing.csv:7:1: [warning] BillingCurrency is not an ISO 4217 currency code ('XYZ'): "
        "row excluded (csv-value)\n"
        "billing.csv:8:3: [warning] the row has fewer fields than the header: row excluded "
        "(csv-row)\n"
        "billing.csv:9:2: [warning] BilledCost is not a number ('n/a'): row excluded "
        "(csv-value)\n"
    )


def test_a_file_after_one_with_bad_lines_is_not_charged_with_them(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    first = tmp_path / "a.csv"
    first.write_bytes(HEADER + b"\n" + GOOD + b"\nEUR,1\n")
    second = tmp_path / "b.csv"
    second.write_bytes(HEADER + b"\n" + GOOD + b"\n" + GOOD + b"\n")

    code, stderr, cloud = report(cli, repo, tmp_path / "site", first, second)

    assert (code, months(cloud), cloud["rows"]) == (
        1,
        [("2026-10", "OtherCloud", "0.00", "0.03")],
        3,
    )
    assert stderr.replace(f"{tmp_path}/", "") == (
        "a.csv:3:3: [warning] the row has fewer fields than the header: row excluded (csv-row)\n"
    )
    assert cloud["excluded"] == excluded(("the row has fewer fields than the header", 1))


def test_a_quote_never_closed_says_which_lines_its_row_took(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    # A long line makes spendgate read the file by RFC 4180, where a quote that opens a field
    # and is never closed makes the rest of the file one row: the warning names those lines,
    # so that the rows after the quote are not lost in silence.
    path = tmp_path / "billing.csv"
    path.write_bytes(
        HEADER + b"\n"
        b"EUR,7.00,7.00,Usage,2026-10-01,OtherCloud,lab,"
        + b"x" * 2_100_000
        + b"\n"
        + (GOOD + b"\n") * 3
        + b'EUR,2.00,2.00,Usage,2026-10-01,"OtherCloud,lab,\n'
        + (GOOD + b"\n") * 5
    )

    code, stderr, cloud = report(cli, repo, tmp_path / "site", path)

    assert (code, months(cloud), cloud["rows"]) == (
        1,
        [("2026-10", "OtherCloud", "0.00", "0.03")],
        3,
    )
    assert stderr.replace(f"{tmp_path}/", "") == (
        "billing.csv:2:1: [warning] the row is longer than 2000000 bytes: row excluded (csv-row)\n"
        "billing.csv:6:7: [warning] the row has fewer fields than the header (a quoted field "
        "runs from line 6 to line 11): row excluded (csv-row)\n"
    )
    assert cloud["excluded"] == excluded(
        ("the row has fewer fields than the header", 1),
        ("the row is longer than 2000000 bytes", 1),
    )
