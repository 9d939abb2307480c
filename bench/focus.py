"""Generate a FinOps FOCUS cost export of N rows, and a governance repository that names its
providers as vendors (issue 20).

    python bench/focus.py --rows 1e6 --out /tmp/focus                     # CSV, .csv.gz, Parquet
    python bench/focus.py --rows 1e7 --out /tmp/focus --formats csv,parquet --seed 3
    python bench/focus.py --repository /tmp/focus/repo                      # the repository only

The rows are made by DuckDB SQL, not by a Python loop: `range(N)` numbers them and `hash(i,
seed, k)` draws every pseudo-random value, so a file is the same for a given seed, size and
DuckDB version, and 10^7 rows take seconds to compute (writing them takes longer). One month of
hourly charges (October 2026 by default) from three providers: a hyperscaler billing in EUR
(with a commitment discount), a second one billing in USD, and a SaaS bought on the first one's
marketplace (ProviderName is not InvoiceIssuerName). Besides Usage rows there are Tax, Credit and
Adjustment rows (one in every 1,000 each), commitment Purchase rows (one in 100,000) and a
ChargeClass `Correction` row (one in 500,000) that corrects the previous month.

Amounts have up to 10 decimal places. The Parquet file holds them as DECIMAL(18,10) and its times
as TIMESTAMP WITH TIME ZONE; the CSV writes them as exporters do: trailing zeros dropped
(`0.004`, `12.5`), and amounts below 0.0001 in exponent notation (`3.7e-05`), unless
`--no-exponents`. The Parquet file is written first and the CSV files are written from it.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import time
from dataclasses import dataclass
from pathlib import Path

FORMATS = ("csv", "csv.gz", "parquet")
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
#: The repository the report runs on: the bank example, plus the vendors it lacks.
BASE_EXAMPLE = EXAMPLES / "bank"
EXTRA_VENDORS = (EXAMPLES / "retailer" / "vendors" / "skyvault-cloud.yaml",)
AS_OF = "2026-11-22"
#: DECIMAL(18,10): every generated amount is below 10^8.
AMOUNT = "DECIMAL(18,10)"


@dataclass(frozen=True)
class Provider:
    """A provider of the export: names, billing account, currency, and what it sells."""

    name: str
    vendor: str
    """The vendor id of the repository whose legal name is `name`."""
    issuer: str
    account: str
    currency: str
    share: int
    """Percent of the rows."""
    services: tuple[tuple[str, str, str], ...]
    """ServiceName, ServiceCategory, ConsumedUnit."""
    regions: tuple[str, ...]
    sub_accounts: tuple[str, ...]
    commitment: str | None = None
    """CommitmentDiscountId covering one in five of its usage rows (EffectiveCost amortised,
    BilledCost 0)."""


STRATUS = "Stratus Cloud Services EMEA Limited"
PROVIDERS = (
    Provider(
        STRATUS,
        "stratus-cloud",
        STRATUS,
        "NB-STRATUS-001",
        "EUR",
        55,
        (
            ("Compute", "Compute", "Hours"),
            ("Storage", "Storage", "GB-Hours"),
            ("Networking", "Networking", "GB"),
            ("Managed databases", "Databases", "Hours"),
            ("Kubernetes", "Compute", "vCPU-Hours"),
        ),
        ("eu-west-1", "eu-central-1"),
        ("nb-prod-eu", "nb-dev-eu", "nb-data-eu", "nb-payments-eu"),
        commitment="STR-CSP-2025-118",
    ),
    Provider(
        "Skyvault Cloud Services LLC",
        "skyvault-cloud",
        "Skyvault Cloud Services LLC",
        "NB-SKY-7740",
        "USD",
        35,
        (
            ("Compute", "Compute", "Hours"),
            ("Object storage", "Storage", "GB-Hours"),
            ("CDN", "Networking", "GB"),
            ("Serverless functions", "Compute", "Requests"),
        ),
        ("us-east-1", "us-west-2", "eu-north-1"),
        ("nb-analytics-us", "nb-sandbox-us"),
    ),
    Provider(
        "Quantis Analytics B.V.",
        "quantis-analytics",
        STRATUS,
        "NB-STRATUS-001",
        "EUR",
        10,
        (("Credit model scoring", "AI and Machine Learning", "Requests"),),
        ("eu-west-1",),
        ("nb-risk-eu",),
    ),
)


def label(rows: int) -> str:
    """`1e6` for 1,000,000 rows; other sizes as digits."""
    text = f"{rows:.0e}".replace("+0", "").replace("+", "")
    return text if float(text) == rows else str(rows)


def export_path(directory: Path, rows: int, fmt: str, *, exponents: bool = True) -> Path:
    """Where the export of `rows` rows in format `fmt` is written."""
    plain = "" if exponents or fmt == "parquet" else "-plain"
    return directory / f"focus-{label(rows)}{plain}.{fmt}"


# --------------------------------------------------------------------------------------------
# The SQL
# --------------------------------------------------------------------------------------------


def _list(values: tuple[str, ...]) -> str:
    return "[" + ", ".join(_quote(value) for value in values) + "]"


def _quote(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _pick(providers: tuple[Provider, ...], attribute: str) -> str:
    """A CASE on the provider index `p` choosing each provider's `attribute`."""
    arms = " ".join(
        f"WHEN {index} THEN {_quote(getattr(provider, attribute))}"
        for index, provider in enumerate(providers)
    )
    return f"CASE p {arms} END"


def _pick_list(providers: tuple[Provider, ...], values: list[tuple[str, ...]], draw: str) -> str:
    """A CASE on `p` choosing one of each provider's `values` by the hash `draw`."""
    arms = " ".join(
        f"WHEN {index} THEN {_list(options)}[1 + ({draw}) % {len(options)}]"
        for index, options in enumerate(values)
    )
    return f"CASE p {arms} END"


def rows_query(rows: int, seed: int, providers: tuple[Provider, ...], month: str) -> str:
    """The SELECT that makes the export, typed as the Parquet file holds it."""
    bounds, total = [], 0
    for index, provider in enumerate(providers):
        total += provider.share
        bounds.append(f"WHEN pick < {total} THEN {index}")
    start = f"TIMESTAMPTZ '{month}-01 00:00:00+00'"
    services = [provider.services for provider in providers]
    commitment = " ".join(
        f"WHEN {index} THEN {_quote(provider.commitment)}"
        for index, provider in enumerate(providers)
        if provider.commitment
    )

    def h(k: int) -> str:
        # BIGINT (the top bit dropped), so that it can index lists and mix with integers.
        return f"(hash(i, {seed}, {k}) >> 1)::BIGINT"

    amount = f"(u::DECIMAL(18,0) * 0.0000000001::{AMOUNT})::{AMOUNT}"
    return f"""
WITH drawn AS (
  SELECT i, {h(1)} % {total} AS pick, {h(2)} AS h2, {h(3)} AS h3, {h(4)} AS h4, {h(5)} AS h5,
    CASE WHEN i % 100000 = 995 THEN 'Purchase' WHEN i % 500000 = 994 THEN 'Correction'
         WHEN i % 1000 = 996 THEN 'Adjustment' WHEN i % 1000 = 997 THEN 'Tax'
         WHEN i % 1000 = 998 THEN 'Credit' ELSE 'Usage' END AS kind
  FROM range({rows}) AS t(i)
), sized AS (
  SELECT *, CASE {" ".join(bounds)} END AS p,
    CASE
      WHEN kind = 'Purchase' THEN (12000000 + h3 % 8000000) * 100000000
      WHEN kind IN ('Tax', 'Credit', 'Adjustment') THEN (1 + h3 % 1000000) * 100000000
      WHEN h2 % 100 < 5 THEN (1 + h3 % 99) * [10000, 1000, 100][1 + h4 % 3]
      WHEN h2 % 100 < 15 THEN (1 + h3 % 999) * 10000000
      WHEN h2 % 100 < 90 THEN h3 % 500000000000
      ELSE (h3 % 100000) * 100000000
    END AS u,
    (h5 % {_hours(month)}) AS hour
  FROM drawn
), priced AS (
  SELECT *,
    CASE WHEN kind IN ('Credit', 'Correction') OR (kind = 'Adjustment' AND h4 % 2 = 0)
         THEN -{amount} ELSE {amount} END AS cost,
    CASE WHEN kind = 'Purchase' OR (kind = 'Usage' AND h4 % 5 = 0)
         THEN CASE p {commitment or "WHEN -1 THEN NULL"} END END AS commitment_id
  FROM sized
)
SELECT
  {_pick(providers, "account")} AS BillingAccountId,
  {_pick(providers, "currency")} AS BillingCurrency,
  {start} AS BillingPeriodStart,
  {start} + INTERVAL 1 MONTH AS BillingPeriodEnd,
  CASE WHEN commitment_id IS NOT NULL AND kind = 'Usage' THEN 0::{AMOUNT} ELSE cost END
    AS BilledCost,
  CASE WHEN kind = 'Purchase' THEN 0::{AMOUNT} ELSE cost END AS EffectiveCost,
  (cost * 1.25)::{AMOUNT} AS ListCost,
  CASE WHEN kind = 'Correction' THEN 'Usage' ELSE kind END AS ChargeCategory,
  CASE WHEN kind = 'Correction' THEN 'Correction' END AS ChargeClass,
  CASE kind WHEN 'Purchase' THEN 'One-Time' WHEN 'Usage' THEN 'Usage-Based'
            WHEN 'Correction' THEN 'Usage-Based' ELSE 'One-Time' END AS ChargeFrequency,
  CASE kind WHEN 'Purchase' THEN 'Committed spend plan, 3 years'
            WHEN 'Tax' THEN 'VAT' WHEN 'Credit' THEN 'Service credit (SLA)'
            WHEN 'Adjustment' THEN 'Rounding adjustment'
            WHEN 'Correction' THEN 'Correction of September usage'
            ELSE service || ' usage' END AS ChargeDescription,
  CASE WHEN kind = 'Correction' THEN {start} - INTERVAL 1 MONTH + INTERVAL (hour % 672) HOUR
       WHEN kind = 'Usage' THEN {start} + INTERVAL (hour) HOUR ELSE {start} END
    AS ChargePeriodStart,
  CASE WHEN kind = 'Correction' THEN {start} - INTERVAL 1 MONTH + INTERVAL (hour % 672 + 1) HOUR
       WHEN kind = 'Usage' THEN {start} + INTERVAL (hour + 1) HOUR
       ELSE {start} + INTERVAL 1 MONTH END AS ChargePeriodEnd,
  commitment_id AS CommitmentDiscountId,
  CASE WHEN kind = 'Usage' THEN ((1 + h2 % 100000)::DECIMAL(18,4) / 100)::DECIMAL(18,4) END
    AS ConsumedQuantity,
  CASE WHEN kind = 'Usage' THEN unit END AS ConsumedUnit,
  {_pick(providers, "name")} AS ProviderName,
  {_pick(providers, "name")} AS PublisherName,
  {_pick(providers, "issuer")} AS InvoiceIssuerName,
  region AS RegionId,
  CASE WHEN kind = 'Usage' THEN 'res-' || lower(hex(h3 % 1000003)) END AS ResourceId,
  category AS ServiceCategory,
  service AS ServiceName,
  sub_account AS SubAccountId,
  '{{"env":"' || ['prod', 'dev', 'test'][1 + h4 % 3] || '","team":"' ||
    ['payments', 'risk', 'data', 'platform'][1 + h5 % 4] || '"}}' AS Tags,
  ['CC-4100', 'CC-4200', 'CC-5100', 'CC-6100'][1 + h5 % 4] AS x_CostCenter,
  'Box' || (100000 + h4 % 900000) AS x_SkuDetail,
  i AS x_ExportRowNumber
FROM (
  SELECT *,
    {_pick_list(providers, [tuple(s[0] for s in v) for v in services], "h2 // 7")} AS service,
    {_pick_list(providers, [tuple(s[1] for s in v) for v in services], "h2 // 7")} AS category,
    {_pick_list(providers, [tuple(s[2] for s in v) for v in services], "h2 // 7")} AS unit,
    {_pick_list(providers, [p.regions for p in providers], "h3 // 11")} AS region,
    {_pick_list(providers, [p.sub_accounts for p in providers], "h4 // 13")} AS sub_account
  FROM priced
)
"""


def _hours(month: str) -> int:
    from datetime import date

    year, number = (int(part) for part in month.split("-"))
    first = date(year, number, 1)
    following = date(year + number // 12, number % 12 + 1, 1)
    return (following - first).days * 24


def _exporter_number(column: str) -> str:
    """`column` (a DECIMAL) as an exporter writes it: no trailing zeros; below 0.0001 as
    `3.7e-05` (printf %g of the double is exact: these amounts have two significant digits)."""
    plain = f"rtrim(rtrim({column}::VARCHAR, '0'), '.')"
    return (
        f"CASE WHEN {column} = 0 THEN '0' "
        f"WHEN abs({column}) < 0.0001 THEN printf('%g', {column}::DOUBLE) "
        f"ELSE {plain} END"
    )


def csv_query(parquet: Path, *, exponents: bool) -> str:
    """The Parquet export as CSV text: FOCUS times as `2026-10-01T05:00:00Z`, amounts as
    exporters write them."""
    times = ("BillingPeriodStart", "BillingPeriodEnd", "ChargePeriodStart", "ChargePeriodEnd")
    amounts = ("BilledCost", "EffectiveCost", "ListCost")
    replaced = []
    for column in times:
        replaced.append(f"strftime({column}, '%Y-%m-%dT%H:%M:%SZ') AS {column}")
    for column in amounts:
        text = (
            _exporter_number(column)
            if exponents
            else f"CASE WHEN {column} = 0 THEN '0' "
            f"ELSE rtrim(rtrim({column}::VARCHAR, '0'), '.') END"
        )
        replaced.append(f"{text} AS {column}")
    return f"SELECT * REPLACE ({', '.join(replaced)}) FROM read_parquet({_quote(str(parquet))})"


# --------------------------------------------------------------------------------------------
# Writing
# --------------------------------------------------------------------------------------------


def connect(scratch: Path) -> object:
    """A DuckDB connection in UTC, spilling to `scratch` rather than growing without bound."""
    import duckdb

    connection = duckdb.connect()
    connection.execute("SET TimeZone = 'UTC'")
    connection.execute("SET enable_progress_bar = false")
    # Rows are written in the order of range(N) without a sort (which at 10^7 rows spills).
    connection.execute("SET preserve_insertion_order = true")
    connection.execute("SET memory_limit = '2GB'")
    connection.execute(f"SET temp_directory = {_quote(str(scratch))}")
    return connection


def write_exports(
    directory: Path,
    rows: int,
    *,
    formats: tuple[str, ...] = FORMATS,
    seed: int = 7,
    providers: int = len(PROVIDERS),
    month: str = "2026-10",
    exponents: bool = True,
) -> dict[str, Path]:
    """Write the export of `rows` rows in each of `formats` into `directory` (the Parquet file
    always, as the CSV files are made from it); a file already there is kept as it is."""
    directory.mkdir(parents=True, exist_ok=True)
    connection = connect(directory / ".duckdb-tmp")
    parquet = export_path(directory, rows, "parquet")
    written = {}
    if not parquet.exists():
        query = rows_query(rows, seed, PROVIDERS[:providers], month)
        _copy(connection, query, parquet, "(FORMAT PARQUET, COMPRESSION ZSTD)")
    written["parquet"] = parquet
    for fmt in formats:
        if fmt == "parquet":
            continue
        target = export_path(directory, rows, fmt, exponents=exponents)
        if not target.exists():
            options = "(HEADER, COMPRESSION GZIP)" if fmt == "csv.gz" else "(HEADER)"
            _copy(connection, csv_query(parquet, exponents=exponents), target, options)
        written[fmt] = target
    return written


def _copy(connection: object, query: str, target: Path, options: str) -> None:
    """COPY `query` to `target` through a temporary name, so that an interrupted run leaves no
    half-written file behind to be reused."""
    partial = target.with_name(target.name + ".partial")
    started = time.perf_counter()
    connection.execute(f"COPY ({query}) TO {_quote(str(partial))} {options}")  # type: ignore[attr-defined]
    partial.replace(target)
    size = target.stat().st_size / 2**20
    print(f"wrote {target} ({size:,.0f} MiB) in {time.perf_counter() - started:.1f} s", flush=True)


def write_repository(target: Path) -> Path:
    """The bank example with every provider of the export as a vendor; the report's input."""
    if not (target / "spendgate.yaml").is_file():
        shutil.copytree(BASE_EXAMPLE, target, dirs_exist_ok=True)
        for vendor in EXTRA_VENDORS:
            shutil.copy2(vendor, target / "vendors" / vendor.name)
    return target


def _rows(text: str) -> int:
    value = float(text)
    if value < 1 or value != int(value):
        raise argparse.ArgumentTypeError(f"{text} is not a whole number of rows")
    return int(value)


def _formats(text: str) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    unknown = [fmt for fmt in chosen if fmt not in FORMATS]
    if unknown or not chosen:
        raise argparse.ArgumentTypeError(f"formats are {', '.join(FORMATS)}")
    return chosen


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=_rows, help="rows of the export (1e6 or 1000000)")
    parser.add_argument("--out", type=Path, help="directory of the export files")
    parser.add_argument("--formats", type=_formats, default=FORMATS, help="csv,csv.gz,parquet")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--providers", type=int, choices=range(1, len(PROVIDERS) + 1), default=3)
    parser.add_argument("--month", default="2026-10", help="the billing month, YYYY-MM")
    parser.add_argument(
        "--no-exponents",
        dest="exponents",
        action="store_false",
        help="write amounts below 0.0001 as plain decimals (0.000037), not 3.7e-05",
    )
    parser.add_argument("--repository", type=Path, help="also write the governance repository")
    args = parser.parse_args(argv)
    if args.rows is None and args.repository is None:
        parser.error("give --rows and --out, --repository, or both")
    if args.rows is not None:
        if args.out is None:
            parser.error("--rows needs --out")
        write_exports(
            args.out,
            args.rows,
            formats=args.formats,
            seed=args.seed,
            providers=args.providers,
            month=args.month,
            exponents=args.exponents,
        )
    if args.repository is not None:
        print(f"repository: {write_repository(args.repository)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
