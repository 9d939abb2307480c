"""`spendgate report --spend`: each payment converts with the FX table in force on its date
(issue 20), the tables being every version of spendgate.yaml's `fx` in git.

Each test fails on the reader that came before, which converted every payment with the current
table: the totals were those of today's rates, nothing was noted, and a currency the current
table knows was never a problem.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from spendgate.analytics.fx_history import recorded_tables
from spendgate.policy.gate import load
from tests.conftest import PROJECT, Cli
from tests.test_analytics import BASE, git

HEADER = "date,vendor,amount,currency,category\n"


@pytest.fixture(scope="module")
def rates_repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """spendgate.yaml's fx table is USD 0.90 as of 2026-09-01, then USD 0.80 and NOK 0.085 as of
    2026-10-15 (the current one)."""
    root = tmp_path_factory.mktemp("spend-fx") / "repo"
    shutil.copytree(BASE, root)
    config = root / "spendgate.yaml"
    text = config.read_text()
    config.write_text(
        text.replace("as_of: 2026-11-01", "as_of: 2026-09-01")
        .replace("USD: 0.92", "USD: 0.90")
        .replace("    NOK: 0.085\n", "")
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "rates of September")
    config.write_text(
        text.replace("as_of: 2026-11-01", "as_of: 2026-10-15").replace("USD: 0.92", "USD: 0.80")
    )
    git(root, "commit", "-q", "-am", "rates of October", when="2026-10-15T09:00:00Z")
    return root


def spend_report(cli: Cli, root: Path, folder: Path, rows: str) -> tuple[int, str, Path]:
    """Run the report on a spend file of `rows`: exit code, stderr (paths relative to
    `folder`), and the site folder."""
    path = folder / "spend.csv"
    path.write_text(HEADER + rows)
    site = folder / "site"
    outcome = cli("report", root, "--out", site, "--as-of", "2026-11-22", "--spend", path)
    return outcome.exit_code, outcome.stderr.replace(f"{folder}/", ""), site


def test_a_payment_converts_with_the_fx_table_of_its_date(
    cli: Cli, rates_repo: Path, tmp_path: Path
) -> None:
    code, stderr, site = spend_report(
        cli,
        rates_repo,
        tmp_path,
        "2026-09-10,acme,0.05,USD,hardware\n"  # 0.045 at September's 0.90: 0.05, line by line
        "2026-09-10,acme,0.05,USD,hardware\n"
        "2026-10-14,acme,100.00,USD,hardware\n"  # the last day of September's table: 90.00
        "2026-10-15,acme,100.00,USD,cloud_consumption\n"  # October's 0.80: 80.00
        "2026-10-20,acme,1000.00,NOK,cloud_consumption\n"  # 85.00
        "2026-10-20,acme,10.00,EUR,cloud_consumption\n",
    )

    figures = json.loads((site / "figures.json").read_text())
    spend = figures["spend_under_management"]
    by_category = [(share["name"], share["whole"]) for share in spend["by_category"]]
    assert (code, stderr, spend["total"], by_category, spend.get("notes")) == (
        0,
        "",
        "265.10",
        [("cloud_consumption", "175.00"), ("hardware", "90.10")],
        [],
    )
    assert figures["contract_compliance"]["total"] == "265.10"


def test_a_payment_before_the_earliest_table_converts_with_it_and_is_noted(
    cli: Cli, rates_repo: Path, tmp_path: Path
) -> None:
    code, stderr, site = spend_report(
        cli,
        rates_repo,
        tmp_path,
        "2026-08-01,acme,100.00,USD,hardware\n"  # before every table: September's 0.90
        "2026-08-01,acme,500.00,EUR,hardware\n"  # the base currency needs no table
        "2026-10-20,acme,100.00,USD,hardware\n",
    )

    figures = json.loads((site / "figures.json").read_text())
    spend = figures["spend_under_management"]
    note = (
        "1 payment line(s) dated before the earliest recorded FX table (as of 2026-09-01) were "
        "converted with it."
    )
    assert (code, stderr, spend["total"], spend.get("notes")) == (0, "", "670.00", [note])
    assert note in (site / "index.html").read_text()


def test_a_currency_the_table_of_its_date_lacks_is_a_located_problem(
    cli: Cli, rates_repo: Path, tmp_path: Path
) -> None:
    """NOK has a rate in the current table (as of 2026-10-15), not in September's."""
    code, stderr, site = spend_report(
        cli,
        rates_repo,
        tmp_path,
        "2026-10-20,acme,1000.00,NOK,hardware\n"
        "2026-09-20,acme,1000.00,NOK,hardware\n"
        "2026-08-01,acme,1000.00,NOK,hardware\n",
    )

    assert (code, stderr, site.exists()) == (
        2,
        "spend.csv:3:4: [error] currency: no FX rate for NOK in spendgate.yaml (fx.rates) as of "
        "2026-09-01, the table in force on 2026-09-20 (csv-value)\n"
        "spend.csv:4:4: [error] currency: no FX rate for NOK in spendgate.yaml (fx.rates) as of "
        "2026-09-01, the table in force on 2026-08-01 (csv-value)\n",
        False,
    )


@pytest.mark.parametrize("example", ["bank", "manufacturer", "retailer"])
def test_an_example_converts_with_its_current_table_wherever_it_is_run(example: str) -> None:
    """The examples live inside spendgate's own git history, their copies (the tests', a
    user's) outside any: their spend and billing figures are the same in both only while every
    fx table an example has committed is its current one. An `fx` with a new `as_of` would
    make them differ; this test says so before the figures do."""
    root = PROJECT / "examples" / example
    _, config, _, _ = load(root)

    assert recorded_tables(root, config) == [config.fx]
