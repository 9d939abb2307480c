"""`spendgate report --billing`: FinOps FOCUS exports read with DuckDB (issue 20).

Each test has an exact answer in figures.json, and each fails on the reader that came before
(row by row in Python): a number in exponent notation or a bad row stopped the report, each row
was rounded to cents, `NULL` was a value, Tax rows were usage, every provider shared the billed
months, one FX table converted every date, only ProviderName matched a vendor, and only one
plain CSV file was read.
"""

from __future__ import annotations

import gzip
import json
import os
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
import pytest

from spendgate.analytics.figures import ReportInputs, build_report
from spendgate.analytics.focus import start_billing
from spendgate.errors import UsageError
from spendgate.forking import forked_copy, in_background
from spendgate.policy import parallel
from tests.conftest import Cli
from tests.test_analytics import BASE, BILLING, FOCUS_COLUMNS, git, repo

__all__ = ["repo"]  # the governance repository of tests/test_analytics.py, a fixture here too


#: The rows of tests/test_analytics.py's billing file, each with its line break.
ROWS = BILLING.split("\n", 1)[1].splitlines(keepends=True)


def report(cli: Cli, repo: Path, out: Path, *billing: Path | str) -> tuple[int, str, Any]:
    """Run the report with these billing files: exit code, stderr, and the cloud figures."""
    options = [item for path in billing for item in ("--billing", path)]
    outcome = cli("report", repo, "--out", out, "--as-of", "2026-11-22", *options)
    figures = json.loads((out / "figures.json").read_text())
    return outcome.exit_code, outcome.stderr, figures["cloud_cost_accuracy"]


def months(cloud: Any) -> list[tuple[str, str, str, str]]:
    """(month, provider, forecast, actual) of each reported month."""
    return [(c["month"], c["provider"], c["forecast"], c["actual"]) for c in cloud["months"]]


def billing_file(folder: Path, rows: str, name: str = "billing.csv") -> Path:
    """A FOCUS CSV file with the tests' columns and `rows`."""
    path = folder / name
    path.write_text(f"{FOCUS_COLUMNS}\n{rows}")
    return path


def copied(plain: Path, target: Path) -> Path:
    """CSV file `plain` written again by DuckDB as `target`: Parquet by its suffix, else CSV
    with a header (gzipped for `.gz`)."""
    options = "FORMAT parquet" if target.suffix == ".parquet" else "HEADER"
    duckdb.sql(
        f"COPY (SELECT * FROM read_csv('{plain}', all_varchar = true)) TO '{target}' ({options})"
    )
    return target


def test_a_number_in_exponent_notation_is_read_exactly(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    path = billing_file(
        tmp_path,
        "EUR,1.2e+2,1.2e+2,Usage,2026-10-01,OtherCloud,lab,\n"
        "EUR,3.7e-05,3.7e-05,Usage,2026-10-01,OtherCloud,lab,\n"
        "EUR,0.005,0.005,Usage,2026-10-01,OtherCloud,lab,\n",
    )

    code, stderr, cloud = report(cli, repo, tmp_path / "site", path)

    assert (code, stderr, months(cloud)) == (
        0,
        "",
        [("2026-10", "OtherCloud", "0.00", "120.01")],  # 120.005037, rounded once (half up)
    )


def test_a_row_in_an_unknown_currency_is_left_out_located_and_counted(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    path = billing_file(
        tmp_path,
        "EUR,50.00,50.00,Usage,2026-10-01,OtherCloud,lab,\n"
        "XYZ,7.00,7.00,Usage,2026-10-01,OtherCloud,lab,\n"
        "SEK,8.00,8.00,Usage,2026-10-01,OtherCloud,lab,\n"
        "EUR,n/a,1.00,Refund,2026-10-01,OtherCloud,lab,\n",
    )

    code, stderr, cloud = report(cli, repo, tmp_path / "site", path)

    assert code == 1
    assert stderr.replace(f"{tmp_path}/", "") == (
        "billing.csv:3:1: [warning] BillingCurrency is not an ISO 4217 currency code ('XYZ'): "
        "row excluded (csv-value)\n"
        "billing.csv:4:1: [warning] BillingCurrency has no FX rate in spendgate.yaml ('SEK'): "
        "row excluded (csv-value)\n"
        "billing.csv:5:2: [warning] BilledCost is not a number ('n/a'): row excluded "
        "(csv-value)\n"
    )
    assert cloud["excluded"] == [
        {"reason": "BilledCost is not a number", "rows": 1},
        {"reason": "BillingCurrency has no FX rate in spendgate.yaml", "rows": 1},
        {"reason": "BillingCurrency is not an ISO 4217 currency code", "rows": 1},
    ]
    assert (cloud["rows"], months(cloud)) == (1, [("2026-10", "OtherCloud", "0.00", "50.00")])
    page = (tmp_path / "site" / "index.html").read_text()
    assert "1 billing row(s) left out: BillingCurrency is not an ISO 4217 currency code." in page


def test_ten_thousand_rows_of_a_fraction_of_a_cent_sum_exactly(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    path = billing_file(tmp_path, "EUR,0.004,0.004,Usage,2026-10-01,OtherCloud,lab,\n" * 10_000)

    code, _, cloud = report(cli, repo, tmp_path / "site", path)

    assert months(cloud) == [("2026-10", "OtherCloud", "0.00", "40.00")]
    assert (code, cloud["rows"]) == (0, 10_000)


def test_amounts_whose_sum_passes_ten_to_the_twenty_are_summed_exactly(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    """DuckDB's DECIMAL(38, 18) sum fails at 10^20: one amount near it and one cent more made
    the whole report exit 2, nothing written. The sum is now done wide, exactly; an amount of
    10^20 or more (no DECIMAL(38, 18)) is left out, located, as what it is."""
    path = billing_file(
        tmp_path,
        "EUR,0.01,0.01,Usage,2026-10-01,OtherCloud,lab,\n"
        + "EUR,99999999999999999999.99,99999999999999999999.99,Usage,2026-10-01,OtherCloud,lab,\n"
        * 2
        + "EUR,1e20,1e20,Usage,2026-10-01,OtherCloud,lab,\n"
        "EUR,-0.015,-0.015,Credit,2026-10-01,OtherCloud,lab,\n",
    )

    code, stderr, cloud = report(cli, repo, tmp_path / "site", path)

    assert (code, months(cloud), cloud["rows"]) == (
        1,
        [("2026-10", "OtherCloud", "0.00", "199999999999999999999.98")],  # .975, half up
        4,
    )
    assert stderr.replace(f"{tmp_path}/", "") == (
        "billing.csv:5:2: [warning] BilledCost is 10^20 or more in magnitude ('1e20'): row "
        "excluded (csv-value)\n"
    )


def test_a_charge_start_past_a_four_digit_year_is_left_out_located(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    """DuckDB reads a year past 9999, before 1 and 'infinity' as timestamps, which Python's dates
    cannot hold: one such row crashed the report (exit 3). Each is a bad row now."""
    path = billing_file(
        tmp_path,
        "EUR,1.00,1.00,Usage,2026-10-01,OtherCloud,lab,\n"
        "EUR,2.00,2.00,Usage,99999-10-01T00:00:00Z,OtherCloud,lab,\n"
        "EUR,4.00,4.00,Usage,-0100-01-01,OtherCloud,lab,\n"
        "EUR,5.00,5.00,Usage,2026-10-01 BC,OtherCloud,lab,\n"
        "EUR,6.00,6.00,Usage,infinity,OtherCloud,lab,\n",
    )

    code, stderr, cloud = report(cli, repo, tmp_path / "site", path)

    assert (code, months(cloud), cloud["rows"]) == (
        1,
        [("2026-10", "OtherCloud", "0.00", "1.00")],
        1,
    )
    assert stderr.replace(f"{tmp_path}/", "") == "".join(
        f"billing.csv:{line}:5: [warning] ChargePeriodStart is not an ISO 8601 date-time "
        f"('{written}'): row excluded (csv-value)\n"
        for line, written in (
            (3, "99999-10-01T00:00:00Z"),
            (4, "-0100-01-01"),
            (5, "2026-10-01 BC"),
            (6, "infinity"),
        )
    )


def test_the_literal_null_is_a_null(cli: Cli, repo: Path, tmp_path: Path) -> None:
    path = billing_file(
        tmp_path,
        "EUR,300.00,0.00,Purchase,2026-11-01,Acme Software GmbH,NULL,NULL\n"
        "EUR,NULL,5.00,Usage,2026-11-01,Acme Software GmbH,prod,\n",
    )

    code, stderr, cloud = report(cli, repo, tmp_path / "site", path)

    assert (code, cloud["commitments"]) == (
        1,
        [{"month": "2026-11", "provider": "acme", "commitment": "", "billed": "300.00"}],
    )
    assert stderr.endswith(
        "billing.csv:3:2: [warning] BilledCost is null: row excluded (csv-value)\n"
    )


def test_tax_rows_are_not_usage(cli: Cli, repo: Path, tmp_path: Path) -> None:
    path = billing_file(
        tmp_path,
        "EUR,50.00,50.00,Usage,2026-10-01,OtherCloud,lab,\n"
        "EUR,9.50,9.50,Tax,2026-10-01,OtherCloud,lab,\n",
    )

    code, _, cloud = report(cli, repo, tmp_path / "site", path)

    assert (code, months(cloud)) == (0, [("2026-10", "OtherCloud", "0.00", "50.00")])
    assert cloud["tax"] == "9.50"


def test_each_provider_has_its_own_billed_months(cli: Cli, repo: Path, tmp_path: Path) -> None:
    """PR-C forecasts acme from 2026-10 to 2026-12; acme's data ends in October, another
    provider's goes on into November: acme's November is not billed yet, so no error for it."""
    path = billing_file(
        tmp_path,
        "EUR,1100.00,1100.00,Usage,2026-10-01,acme,prod,\n"
        "EUR,50.00,50.00,Usage,2026-11-01,OtherCloud,lab,\n",
    )

    code, _, cloud = report(cli, repo, tmp_path / "site", path)

    assert (code, months(cloud), cloud["error"]) == (
        0,
        [
            ("2026-10", "acme", "1000.00", "1100.00"),
            ("2026-11", "OtherCloud", "0.00", "50.00"),
        ],
        0.1,
    )


def test_a_charge_converts_with_the_fx_table_of_its_date(cli: Cli, tmp_path: Path) -> None:
    """spendgate.yaml's fx table is 0.90 as of 2026-09-01, then 0.80 as of 2026-10-15."""
    root = tmp_path / "repo"
    shutil.copytree(BASE, root)
    config = root / "spendgate.yaml"
    text = config.read_text()
    config.write_text(
        text.replace("as_of: 2026-11-01", "as_of: 2026-09-01").replace("0.92", "0.90")
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "rates of September")
    config.write_text(
        text.replace("as_of: 2026-11-01", "as_of: 2026-10-15").replace("0.92", "0.80")
    )
    git(root, "commit", "-q", "-am", "rates of October", when="2026-10-15T09:00:00Z")
    path = billing_file(
        tmp_path,
        "USD,100.00,100.00,Usage,2026-08-01,OtherCloud,lab,\n"
        "USD,100.00,100.00,Usage,2026-10-14T23:00:00Z,OtherCloud,lab,\n"
        "USD,100.00,100.00,Usage,2026-10-15,OtherCloud,lab,\n",
    )

    code, _, cloud = report(cli, root, tmp_path / "site", path)

    assert (code, months(cloud)) == (
        0,
        [("2026-08", "OtherCloud", "0.00", "90.00"), ("2026-10", "OtherCloud", "0.00", "170.00")],
    )
    assert cloud["notes"] == [
        "1 billing row(s) dated before the earliest recorded FX table (as of 2026-09-01) "
        "were converted with it."
    ]


def test_the_invoice_issuer_matches_a_vendor(cli: Cli, repo: Path, tmp_path: Path) -> None:
    """A marketplace charge: the provider is not a vendor, the issuer that invoices it is."""
    path = tmp_path / "billing.csv"
    path.write_text(
        "BillingCurrency,BilledCost,EffectiveCost,ChargeCategory,ChargePeriodStart,"
        "ProviderName,InvoiceIssuerName,SubAccountId,CommitmentDiscountId,x_Marketplace\n"
        "EUR,1000.00,1000.00,Usage,2026-10-01,Snowflake,Acme Software GmbH,prod,,yes\n"
        "EUR,100.00,100.00,Usage,2026-10-01,acme,acme,prod,,\n"
    )

    code, _, cloud = report(cli, repo, tmp_path / "site", path)

    assert (code, months(cloud)) == (0, [("2026-10", "acme", "1000.00", "1100.00")])


def test_parquet_and_gzipped_csv_are_read(cli: Cli, repo: Path, tmp_path: Path) -> None:
    plain = billing_file(tmp_path, "".join(ROWS))
    expected = report(cli, repo, tmp_path / "plain", plain)
    for name in ("billing.parquet", "billing.csv.gz"):
        copy = copied(plain, tmp_path / name)

        found = report(cli, repo, tmp_path / name.replace(".", "-"), copy)

        assert found[0::2] == expected[0::2] and found[2]["months"], name


def test_a_typed_parquet_export_reads_as_its_csv_with_each_float_as_written(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    # 1.005 as a binary float is 1.00499999999999989...: read as that, the month would round to
    # 51.00; FOCUS's amount is the decimal the exporter wrote, which rounds (half up) to 51.01.
    plain = billing_file(
        tmp_path, "".join(ROWS) + "EUR,1.005,1.005,Usage,2026-10-01,OtherCloud,lab,\n"
    )
    typed = tmp_path / "billing.parquet"
    duckdb.sql(
        "COPY (SELECT BillingCurrency, CAST(BilledCost AS DECIMAL(18, 4)) AS BilledCost, "
        "CAST(EffectiveCost AS DOUBLE) AS EffectiveCost, ChargeCategory, "
        "CAST(ChargePeriodStart AS TIMESTAMPTZ) AS ChargePeriodStart, ProviderName, "
        f"SubAccountId, CommitmentDiscountId FROM read_csv('{plain}', all_varchar = true)) "
        f"TO '{typed}' (FORMAT parquet)"
    )

    expected = report(cli, repo, tmp_path / "csv", plain)
    found = report(cli, repo, tmp_path / "parquet", typed)

    assert found == expected
    assert ("2026-10", "OtherCloud", "0.00", "51.01") in months(found[2])


def test_a_parquet_column_of_an_unexpected_type_excludes_its_rows_not_the_file(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    good = billing_file(tmp_path, "".join(ROWS))
    expected = report(cli, repo, tmp_path / "good", good)
    odd = tmp_path / "odd.parquet"
    duckdb.sql(
        "COPY (SELECT BillingCurrency, BilledCost, EffectiveCost, 42 AS ChargeCategory, "
        "ChargePeriodStart, {'name': ProviderName} AS ProviderName, SubAccountId, "
        f"CommitmentDiscountId FROM read_csv('{good}', all_varchar = true)) TO '{odd}'"
    )

    code, stderr, cloud = report(cli, repo, tmp_path / "both", good, odd)

    assert (code, months(cloud), cloud["excluded"]) == (
        1,
        months(expected[2]),
        [{"reason": "ChargeCategory is not Usage, Purchase, Tax, Credit or Adjustment", "rows": 5}],
    )
    assert stderr.splitlines()[0] == (
        f"{odd}:1:4: [warning] ChargeCategory is not Usage, Purchase, Tax, Credit or Adjustment "
        "('42'): row excluded (csv-value)"
    )


def test_several_files_and_a_glob(cli: Cli, repo: Path, tmp_path: Path) -> None:
    expected = report(cli, repo, tmp_path / "one", billing_file(tmp_path, "".join(ROWS)))
    parts = tmp_path / "parts"
    parts.mkdir()
    first = billing_file(parts, "".join(ROWS[:2]), "2026-10-a.csv")
    billing_file(parts, "".join(ROWS[2:3]), "2026-10-b.csv")
    billing_file(parts, "".join(ROWS[3:]), "2026-11.csv")

    found = report(cli, repo, tmp_path / "many", first, parts / "2026-1*.csv")

    assert (found[0], found[2]["months"], found[2]["rows"]) == (
        expected[0],
        expected[2]["months"],
        5,
    )


def test_the_parts_of_an_export_read_together_locate_each_bad_row_in_its_part(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    """Parts of one export (one header) are read in one scan; a bad cell is still located in
    its own part, and a part with a line that is not a row is read alone to locate it."""
    expected = report(cli, repo, tmp_path / "one", billing_file(tmp_path, "".join(ROWS)))
    parts = tmp_path / "parts"
    parts.mkdir()
    billing_file(
        parts, "".join(ROWS[:2]) + "XYZ,7.00,7.00,Usage,2026-10-01,OtherCloud,lab,\n", "a.csv"
    )
    billing_file(parts, "".join(ROWS[2:4]) + "EUR,1.00,1.00,Usage,2026-10-01,OtherCloud\n", "b.csv")
    billing_file(parts, "EUR,n/a,1.00,Usage,2026-10-01,OtherCloud,lab,\n" + ROWS[4], "c.csv")

    code, stderr, cloud = report(cli, repo, tmp_path / "parts-site", parts / "*.csv")

    assert (code, months(cloud), cloud["rows"]) == (1, months(expected[2]), 5)
    assert stderr.replace(f"{parts}/", "") == (
        "a.csv:4:1: [warning] BillingCurrency is not an ISO 4217 currency code ('XYZ'): "
        "row excluded (csv-value)\n"
        "b.csv:4:7: [warning] the row has fewer fields than the header: row excluded "
        "(csv-row)\n"
        "c.csv:2:2: [warning] BilledCost is not a number ('n/a'): row excluded (csv-value)\n"
    )


def test_the_parquet_parts_of_an_export_read_together_locate_each_bad_row_in_its_part(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    expected = report(cli, repo, tmp_path / "one", billing_file(tmp_path, "".join(ROWS)))
    parts = tmp_path / "parts"
    parts.mkdir()
    bad = "XYZ,7.00,7.00,Usage,2026-10-01,OtherCloud,lab,\n"
    for name, text in (("a", ROWS[0] + bad + ROWS[1]), ("b", "".join(ROWS[2:]) + bad)):
        copied(billing_file(tmp_path, text, f"{name}.csv"), parts / f"{name}.parquet")

    code, stderr, cloud = report(cli, repo, tmp_path / "parts-site", parts / "*.parquet")

    assert (code, months(cloud), cloud["rows"]) == (1, months(expected[2]), 5)
    assert stderr.replace(f"{parts}/", "") == (
        "a.parquet:2:1: [warning] BillingCurrency is not an ISO 4217 currency code ('XYZ'): "
        "row excluded (csv-value)\n"
        "b.parquet:4:1: [warning] BillingCurrency is not an ISO 4217 currency code ('XYZ'): "
        "row excluded (csv-value)\n"
    )


@pytest.mark.parametrize("suffix", ["csv", "parquet"])
def test_a_folder_named_like_a_focus_column_is_not_read_as_one(
    cli: Cli, repo: Path, tmp_path: Path, suffix: str
) -> None:
    """DuckDB reads a path's `key=value` folders as columns (hive partitioning) unless told
    not to: an export under `ProviderName=Evil/ChargeCategory=Tax/` keeps its own columns, read
    alone or with other parts."""
    expected = report(cli, repo, tmp_path / "plain", billing_file(tmp_path, "".join(ROWS)))
    folder = tmp_path / "ProviderName=Evil" / "ChargeCategory=Tax"
    folder.mkdir(parents=True)
    for name, text in (("all", ROWS), ("part-1", ROWS[:3]), ("part-2", ROWS[3:])):
        copied(billing_file(tmp_path, "".join(text), f"{name}.csv"), folder / f"{name}.{suffix}")

    alone = report(cli, repo, tmp_path / "alone", folder / f"all.{suffix}")
    together = report(cli, repo, tmp_path / "together", folder / f"part-*.{suffix}")

    assert alone == together == expected


def refused(cli: Cli, repo: Path, folder: Path, pattern: str) -> str:
    """The report on the billing files `pattern` names in `folder`, which must refuse them:
    exit 2, nothing printed or written but stderr, returned with the folder left out."""
    outcome = cli(
        "report", repo, "--out", folder / "site", "--billing", folder / pattern,
        "--as-of", "2026-11-22",
    )  # fmt: skip
    assert (outcome.exit_code, outcome.stdout, (folder / "site").exists()) == (2, "", False)
    return outcome.stderr.replace(f"{folder}/", "")


def test_a_focus_column_named_twice_is_refused_not_chosen(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    """DuckDB reads one of two columns of one name (ignoring case) and renames the other: the
    file does not say which is the amount or the provider, so it is refused, as a file that
    lacks the column is (exit 2, nothing written)."""
    row = "EUR,1.00,1.00,Usage,2026-10-01,OtherCloud,lab,"
    (tmp_path / "twice.csv").write_text(f"{FOCUS_COLUMNS},BilledCost\n{row},999.00\n")
    cased = FOCUS_COLUMNS.replace("ProviderName", "providername")
    (tmp_path / "cased.csv").write_text(f"{cased},ProviderName\n{row},Acme Software GmbH\n")

    stderr = refused(cli, repo, tmp_path, "*.csv")

    assert stderr == (
        "cased.csv:1:9: [error] column 'ProviderName' is named in columns 6 and 9: which to read "
        "is ambiguous (csv-header)\n"
        "twice.csv:1:9: [error] column 'BilledCost' is named in columns 2 and 9: which to read "
        "is ambiguous (csv-header)\n"
    )


def test_an_empty_file_is_said_to_be_empty(cli: Cli, repo: Path, tmp_path: Path) -> None:
    """DuckDB names the header it does not find `column0`: an empty file was six missing
    columns of a header 'column0'. It is one problem, of the file."""
    (tmp_path / "empty.csv").write_bytes(b"")
    (tmp_path / "bom.csv.gz").write_bytes(gzip.compress(b"\xef\xbb\xbf\r\n"))

    stderr = refused(cli, repo, tmp_path, "*.csv*")

    assert stderr == (
        "bom.csv.gz:1:1: [error] the file is empty: no header line (csv-header)\n"
        "empty.csv:1:1: [error] the file is empty: no header line (csv-header)\n"
    )


def test_a_line_that_is_not_a_row_of_the_header_is_left_out_located(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    path = tmp_path / "billing.csv"
    path.write_bytes(
        f"{FOCUS_COLUMNS}\n"
        "EUR,50.00,50.00,Usage,2026-10-01,OtherCloud,lab,\n"
        "EUR,1.00,1.00,Usage,2026-10-01,OtherCloud\n"
        "XYZ,7.00,7.00,Usage,2026-10-01,OtherCloud,lab,\n"
        "EUR,5.00,5.00,Usage,2026-10-01,OtherCloud,lab,,extra\n".encode()
        + b"EUR,2.00,2.00,Usage,2026-10-01,Caf\xe9,lab,\n"
        + b"EUR,3.00,3.00,Usage,2026-10-01,OtherCloud,lab,\n"
    )

    code, stderr, cloud = report(cli, repo, tmp_path / "site", path)

    assert (code, months(cloud), cloud["rows"]) == (
        1,
        [("2026-10", "OtherCloud", "0.00", "53.00")],
        2,
    )
    assert stderr.replace(f"{tmp_path}/", "") == (
        "billing.csv:3:7: [warning] the row has fewer fields than the header: row excluded "
        "(csv-row)\n"
        "billing.csv:4:1: [warning] BillingCurrency is not an ISO 4217 currency code ('XYZ'): "
        "row excluded (csv-value)\n"
        "billing.csv:5:9: [warning] the row has more fields than the header: row excluded "
        "(csv-row)\n"
        "billing.csv:6:6: [warning] the row is not UTF-8 text: row excluded (csv-row)\n"
    )
    assert cloud["excluded"] == [
        {"reason": "BillingCurrency is not an ISO 4217 currency code", "rows": 1},
        {"reason": "the row has fewer fields than the header", "rows": 1},
        {"reason": "the row has more fields than the header", "rows": 1},
        {"reason": "the row is not UTF-8 text", "rows": 1},
    ]


@pytest.fixture
def in_new_york(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """This process on a machine whose local time zone is New York's, for the test's length."""
    monkeypatch.setenv("TZ", "America/New_York")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.usefixtures("in_new_york")
def test_a_charge_counts_in_its_utc_month_whatever_the_machine_s_time_zone(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    """FOCUS dates are UTC: 02:00Z on 1 November is November's, also on a machine in New York
    (DuckDB casts a timestamp to a date in the session's time zone, the machine's by default)."""
    path = billing_file(tmp_path, "EUR,10.00,10.00,Usage,2026-11-01T02:00:00Z,OtherCloud,lab,\n")

    code, stderr, cloud = report(cli, repo, tmp_path / "site", path)

    assert (code, stderr, months(cloud)) == (0, "", [("2026-11", "OtherCloud", "0.00", "10.00")])


def test_the_billing_scan_starts_before_the_models_are_imported() -> None:
    """`spendgate report` starts the scan straight after importing `focus`: the models (pydantic,
    the configuration) load while DuckDB reads."""
    probe = (
        "import sys\n"
        "import spendgate.analytics.focus\n"
        "print(sorted(m for m in ('pydantic', 'spendgate.documents.config') if m in sys.modules))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    assert result.stdout == "[]\n"


def test_a_fork_waits_for_the_work_running_in_the_background() -> None:
    """A forked copy inherits only the forking thread, and whatever lock another thread held at
    that instant (a billing scan's, inside DuckDB): the fork waits for background work first."""
    release = threading.Event()
    job = in_background(lambda: release.wait(10) and os.getpid(), "test")
    threading.Timer(0.2, release.set).start()

    with forked_copy() as pool:
        assert job.done()
        child = pool.submit(os.getpid).result()

    assert (job.result(), child != os.getpid()) == (os.getpid(), True)


@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")
def test_the_requests_decided_in_two_processes_while_the_billing_is_scanned(
    cli: Cli, repo: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large repository is decided in two processes; the fork waits for the billing scan that
    started before it, and the figures are those of one process."""
    path = billing_file(tmp_path, "".join(ROWS))
    alone = report(cli, repo, tmp_path / "alone", path)
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)  # split as a large repository would be

    split = report(cli, repo, tmp_path / "split", path)

    assert split == alone
    assert (alone[0], len(alone[2]["months"])) == (0, 3)


def test_a_report_that_fails_stops_its_billing_scan(repo: Path, tmp_path: Path) -> None:
    """The scan of a large export runs while the repository is read; when the repository cannot
    be used, the report stops the scan before it raises the one error (no thread left reading)."""
    broken = tmp_path / "repo"
    shutil.copytree(repo, broken)
    (broken / "spendgate.yaml").write_text("organization: [\n")
    export = str(tmp_path / "large.csv")
    duckdb.sql(
        "COPY (SELECT 'EUR' AS BillingCurrency, '0.01' AS BilledCost, '0.01' AS EffectiveCost, "
        "'Usage' AS ChargeCategory, '2026-10-01T00:00:00Z' AS ChargePeriodStart, "
        f"'OtherCloud' AS ProviderName FROM range(5000000)) TO '{export}' (HEADER)"
    )
    scan = start_billing((export,))

    with pytest.raises(UsageError) as raised:
        build_report(ReportInputs(broken, date(2026, 11, 22), billing=(export,)), scan)

    assert str(raised.value) == (
        f"{broken} has no valid spendgate.yaml; run `spendgate validate {broken}`"
    )
    assert scan.ended
