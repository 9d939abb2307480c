"""bench/focus.py: the FOCUS export issue 20's benchmark times `spendgate report` on."""

from __future__ import annotations

import csv
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

pytest.importorskip("duckdb")

from focus import export_path, write_exports

#: What `spendgate report` reads (analytics/csv_inputs.py) and what the aggregation groups by.
READ = {
    "BilledCost",
    "EffectiveCost",
    "BillingCurrency",
    "ChargeCategory",
    "ChargeClass",
    "ChargePeriodStart",
    "BillingPeriodStart",
    "ProviderName",
    "InvoiceIssuerName",
    "SubAccountId",
    "CommitmentDiscountId",
}


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as file:
        return list(csv.DictReader(file))


def test_a_thousand_rows_have_the_columns_kinds_and_number_forms_of_a_real_export(
    tmp_path: Path,
) -> None:
    written = write_exports(tmp_path, 1000, formats=("csv",))
    rows = _rows(written["csv"])

    assert len(rows) == 1000
    assert written["parquet"].is_file()
    assert rows[0].keys() >= READ
    assert any(name.startswith("x_") for name in rows[0])
    assert {row["ChargeCategory"] for row in rows} == {
        "Usage",
        "Purchase",
        "Tax",
        "Credit",
        "Adjustment",
    }
    assert [row["ChargePeriodStart"] for row in rows if row["ChargeClass"] == "Correction"] == [
        "2026-09-01T12:00:00Z"
    ]
    assert {row["BillingCurrency"] for row in rows} == {"EUR", "USD"}
    assert any("e-0" in row["EffectiveCost"] for row in rows)
    assert any(row["ProviderName"] != row["InvoiceIssuerName"] for row in rows)


def test_the_same_seed_writes_the_same_file_and_plain_numbers_have_no_exponent(
    tmp_path: Path,
) -> None:
    first = write_exports(tmp_path / "a", 1000, formats=("csv",))["csv"]
    again = write_exports(tmp_path / "b", 1000, formats=("csv",))["csv"]
    plain = write_exports(tmp_path / "b", 1000, formats=("csv",), exponents=False)["csv"]

    assert first.read_bytes() == again.read_bytes()
    assert plain == export_path(tmp_path / "b", 1000, "csv", exponents=False)
    assert not any("e-" in row["EffectiveCost"] for row in _rows(plain))
