"""Issue 20's table: `spendgate report --billing` on FOCUS exports against DuckDB, same run.

    python bench/bench_focus.py                                   # 10^6 and 10^7, CSV and Parquet
    python bench/bench_focus.py --sizes 1e6 --formats csv --runs 1 --keep /tmp/focus

For each size and format, `bench/focus.py` writes the export (once, in its own process), then
each round runs, in fresh processes one after the other: `spendgate report REPO --out TMP
--billing FILE --as-of …` and DuckDB alone running the same aggregation on the same file (sums
of BilledCost and EffectiveCost as exact DECIMAL by provider, invoice issuer, currency, billing
month, charge month and charge category). Printed per row: the medians, their ratio, each
side's peak RSS (`ru_maxrss` from `os.wait4`), whether spendgate's month totals are DuckDB's
exact sums rounded once to the cent, and whether the goal is met (≤ 3× DuckDB, ≤ 512 MiB).
See bench/README.md, "FOCUS billing exports (issue 20)".
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import yaml

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from bench_validate import Run, run_once, spendgate_command  # noqa: E402
from focus import AS_OF, FORMATS, PROVIDERS, export_path, label  # noqa: E402
from run import work_dir  # noqa: E402

RATIO_GOAL = 3.0
MEMORY_GOAL_MIB = 512.0
TAIL = 64 * 1024
CENT = Decimal("0.01")

#: DuckDB alone: the aggregation on the file named by argv[1] (format argv[2]), printed as JSON.
#: Amounts are read as DECIMAL(18,10) (the generated ones fit), so the sums are exact.
BASELINE = """
import json, sys, duckdb
path, fmt = sys.argv[1], sys.argv[2]
connection = duckdb.connect()
connection.execute("SET TimeZone = 'UTC'")
connection.execute("SET enable_progress_bar = false")
quoted = "'" + path.replace("'", "''") + "'"
if fmt == "parquet":
    source = f"read_parquet({quoted})"
else:
    types = ("{'BilledCost': 'DECIMAL(18,10)', 'EffectiveCost': 'DECIMAL(18,10)', "
             "'BillingPeriodStart': 'TIMESTAMPTZ', 'ChargePeriodStart': 'TIMESTAMPTZ'}")
    source = f"read_csv({quoted}, header = true, types = {types})"
rows = connection.execute(f'''
  SELECT ProviderName, InvoiceIssuerName, BillingCurrency, strftime(billing_month, '%Y-%m'),
         strftime(charge_month, '%Y-%m'), ChargeCategory, billed::VARCHAR, effective::VARCHAR, n
  FROM (
    SELECT ProviderName, InvoiceIssuerName, BillingCurrency,
           date_trunc('month', BillingPeriodStart) AS billing_month,
           date_trunc('month', ChargePeriodStart) AS charge_month, ChargeCategory,
           sum(BilledCost) AS billed, sum(EffectiveCost) AS effective, count(*) AS n
    FROM {source} GROUP BY ALL
  ) ORDER BY ALL''').fetchall()
json.dump(rows, sys.stdout)
"""


@dataclass
class Side:
    """The runs of one command: seconds and peak RSS of each."""

    seconds: list[float] = field(default_factory=list)
    peak_mib: list[float] = field(default_factory=list)

    def add(self, run: Run) -> None:
        self.seconds.append(run.seconds)
        self.peak_mib.append(run.peak_rss_mib)

    @property
    def median_s(self) -> float:
        return statistics.median(self.seconds)

    @property
    def peak(self) -> float:
        """The largest peak over the runs (the goal is a ceiling)."""
        return max(self.peak_mib)


@dataclass
class Row:
    """One line of the table."""

    rows: int
    fmt: str
    file: str
    """The export's path, or the glob naming its parts."""
    size_mib: float
    files: int = 1
    spendgate: Side = field(default_factory=Side)
    duckdb: Side = field(default_factory=Side)
    mismatches: list[str] = field(default_factory=list)
    error: str | None = None

    @property
    def ratio(self) -> float | None:
        if not self.spendgate.seconds or not self.duckdb.seconds:
            return None
        return self.spendgate.median_s / self.duckdb.median_s

    @property
    def met(self) -> bool:
        return (
            self.error is None
            and not self.mismatches
            and self.ratio is not None
            and self.ratio <= RATIO_GOAL
            and self.spendgate.peak <= MEMORY_GOAL_MIB
        )


# --------------------------------------------------------------------------------------------
# Files
# --------------------------------------------------------------------------------------------


def generate(root: Path, rows: int, formats: tuple[str, ...], args: argparse.Namespace) -> None:
    """Write the missing exports of `rows` rows, in a process of their own (so that DuckDB's
    memory is not this process's, which every later child would report as its own)."""
    wanted = [export_path(root, rows, fmt, exponents=args.exponents) for fmt in formats]
    if all(path.exists() for path in wanted):
        return
    command = [sys.executable, str(BENCH_DIR / "focus.py"), "--rows", str(rows), "--out"]
    command += [str(root), "--formats", ",".join(formats), "--seed", str(args.seed)]
    command += ["--providers", str(args.providers)]
    command += [] if args.exponents else ["--no-exponents"]
    started = time.perf_counter()
    subprocess.run(command, check=True)
    print(f"generated {label(rows)} rows in {time.perf_counter() - started:.1f} s", flush=True)


#: Splits an export into parts (argv: export, format, parts, directory), in its own process.
SPLIT = """
import sys, duckdb
path, fmt, parts, directory = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]
quoted = "'" + path.replace("'", "''") + "'"
if fmt == "parquet":
    source, options = f"read_parquet({quoted})", "FORMAT parquet"
else:
    source = f"read_csv({quoted}, all_varchar = true)"
    options = "FORMAT csv, HEADER, COMPRESSION " + ("gzip" if fmt == "csv.gz" else "none")
part = f"CAST(x_ExportRowNumber AS BIGINT) % {parts}"  # a CSV file's column is text
duckdb.execute("SET enable_progress_bar = false")
duckdb.execute(
    f"COPY (SELECT *, {part} AS part FROM {source}) TO '{directory}' "
    f"({options}, PARTITION_BY (part), FILE_EXTENSION '{fmt}')"
)
"""


def split(export: Path, fmt: str, parts: int) -> str:
    """The export split into `parts` files (by row number, round robin), written once under
    `EXPORT-parts-N/part=K/`; the glob that names them."""
    directory = export.with_name(f"{export.name}-parts-{parts}")
    if not directory.exists():
        subprocess.run(
            [sys.executable, "-c", SPLIT, str(export), fmt, str(parts), str(directory)], check=True
        )
    return f"{directory}/*/*.{fmt}"


def fx_rates(repository: Path) -> dict[str, Decimal]:
    """The repository's FX table, base currency included (rate 1)."""
    config = yaml.safe_load((repository / "spendgate.yaml").read_text(encoding="utf-8"))
    rates = {code: Decimal(str(rate)) for code, rate in config["fx"]["rates"].items()}
    rates[config["organization"]["base_currency"]] = Decimal(1)
    return rates


# --------------------------------------------------------------------------------------------
# Correctness: spendgate's month totals against DuckDB's exact sums
# --------------------------------------------------------------------------------------------


def expected_months(groups: list[list[object]], rates: dict[str, Decimal]) -> dict[str, Decimal]:
    """Per `month provider`, as the report defines a cloud month's actual (analytics/cloud.py):
    EffectiveCost of every row but Purchase and Tax rows, by month of ChargePeriodStart, in
    base currency; the exact sum rounded once to the cent (half up)."""
    vendors = {provider.name.casefold(): provider.vendor for provider in PROVIDERS}
    exact: dict[str, Decimal] = defaultdict(Decimal)
    for provider, _, currency, _, month, category, _, effective, _ in groups:
        if category in ("Purchase", "Tax"):
            continue
        vendor = vendors.get(str(provider).casefold(), str(provider))
        exact[f"{month} {vendor}"] += Decimal(str(effective)) * rates[str(currency)]
    return {key: total.quantize(CENT, ROUND_HALF_UP) for key, total in exact.items()}


def reported_months(figures: Path) -> dict[str, Decimal]:
    """Per `month provider`, the actual that figures.json reports."""
    cloud = json.loads(figures.read_text(encoding="utf-8"))["cloud_cost_accuracy"] or {}
    return {
        f"{cell['month']} {cell['provider']}": Decimal(cell["actual"])
        for cell in cloud.get("months", [])
    }


def mismatches(expected: dict[str, Decimal], reported: dict[str, Decimal]) -> list[str]:
    """Every month and provider whose totals differ (a missing one counts as 0)."""
    found = []
    for key in sorted(expected.keys() | reported.keys()):
        want, got = expected.get(key, Decimal(0)), reported.get(key, Decimal(0))
        if want != got:
            found.append(f"{key}: spendgate {got}, DuckDB {want} (off by {got - want})")
    return found


# --------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------


def measure(row: Row, repository: Path, scratch: Path, args: argparse.Namespace) -> None:
    """`args.runs` rounds of spendgate then DuckDB on `row.file`; then the totals compared.
    When spendgate fails, DuckDB is still timed, so the table shows the baseline."""
    out = scratch / "report"
    report = [*spendgate_command(), "report", str(repository), "--out", str(out)]
    report += ["--billing", row.file, "--as-of", args.as_of, "--dates", "documents"]
    baseline = [sys.executable, "-c", BASELINE, row.file, row.fmt]
    groups: list[list[object]] = []
    for _ in range(args.runs):
        if row.error is None:
            shutil.rmtree(out, ignore_errors=True)
            ran = run_once(report, tail=TAIL)
            if ran.returncode == 0:
                row.spendgate.add(ran)
            else:
                row.error = f"spendgate exited {ran.returncode}: {_first_line(ran)}"
        ran = run_once(baseline, tail=TAIL)
        if ran.returncode != 0:
            row.error = f"DuckDB exited {ran.returncode}: {_first_line(ran)}"
            return
        row.duckdb.add(ran)
        groups = json.loads(ran.stdout)
    if row.error is None:
        expected = expected_months(groups, fx_rates(repository))
        row.mismatches = mismatches(expected, reported_months(out / "figures.json"))


def _first_line(run: Run) -> str:
    """The first line of what a failed command said (its first problem, say)."""
    lines = (run.stderr or run.stdout).strip().splitlines()
    return lines[0][:300] if lines else "(no output)"


# --------------------------------------------------------------------------------------------
# The table
# --------------------------------------------------------------------------------------------


def render(rows: list[Row]) -> str:
    head = (
        "| rows | format | spendgate s | DuckDB s | ratio | spendgate peak MiB "
        "| DuckDB peak MiB | exact | goal met |"
    )
    lines = [head, "| ---: | --- | ---: | ---: | ---: | ---: | ---: | --- | --- |"]
    for row in rows:
        duckdb = f"{row.duckdb.median_s:.2f}" if row.duckdb.seconds else ""
        duckdb_peak = f"{row.duckdb.peak:.0f}" if row.duckdb.seconds else ""
        if row.error is not None:
            lines.append(
                f"| {label(row.rows)} | {_format(row)} | | {duckdb} | | | {duckdb_peak} | "
                f"| no: {row.error} |"
            )
            continue
        ratio = row.ratio or 0.0
        exact = "yes" if not row.mismatches else f"no ({len(row.mismatches)} months)"
        lines.append(
            f"| {label(row.rows)} | {_format(row)} | {row.spendgate.median_s:.2f} "
            f"| {duckdb} | {ratio:.2f}× | {row.spendgate.peak:.0f} "
            f"| {duckdb_peak} | {exact} | {_verdict(row)} |"
        )
    return "\n".join(lines)


def _format(row: Row) -> str:
    return row.fmt if row.files == 1 else f"{row.fmt} in {row.files} files"


def _verdict(row: Row) -> str:
    if row.met:
        return "yes"
    reasons = []
    if row.ratio is not None and row.ratio > RATIO_GOAL:
        reasons.append(f"> {RATIO_GOAL:g}×")
    if row.spendgate.peak > MEMORY_GOAL_MIB:
        reasons.append(f"> {MEMORY_GOAL_MIB:.0f} MiB")
    if row.mismatches:
        reasons.append("not exact")
    return "no (" + ", ".join(reasons) + ")"


def _sizes(text: str) -> tuple[int, ...]:
    try:
        sizes = tuple(int(float(part)) for part in text.split(",") if part.strip())
    except ValueError:
        raise argparse.ArgumentTypeError("sizes are row counts such as 1e6,1e7") from None
    if not sizes or min(sizes) < 1:
        raise argparse.ArgumentTypeError("sizes are row counts such as 1e6,1e7")
    return sizes


def _formats(text: str) -> tuple[str, ...]:
    chosen = tuple(part.strip() for part in text.split(",") if part.strip())
    if not chosen or any(fmt not in FORMATS for fmt in chosen):
        raise argparse.ArgumentTypeError(f"formats are {', '.join(FORMATS)}")
    return chosen


def parse(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=_sizes, default=(10**6, 10**7), help="e.g. 1e6,1e7")
    parser.add_argument("--formats", type=_formats, default=("csv", "parquet"))
    parser.add_argument("--runs", type=int, default=3, help="runs per measure (median)")
    parser.add_argument("--keep", type=Path, help="directory for the exports, reused and kept")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--providers", type=int, default=len(PROVIDERS))
    parser.add_argument("--as-of", default=AS_OF)
    parser.add_argument(
        "--no-exponents",
        dest="exponents",
        action="store_false",
        help="CSV amounts below 0.0001 as plain decimals (for a reader that rejects 3.7e-05)",
    )
    parser.add_argument(
        "--parts",
        type=int,
        default=1,
        help="split each export into this many files and time the glob that names them",
    )
    parser.add_argument("--json", type=Path, help="also write every sample to this file")
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse(argv)
    rows: list[Row] = []
    with (
        work_dir(args.keep, prefix="spendgate-issue20-") as root,
        tempfile.TemporaryDirectory() as scratch,
    ):
        repository = root / "repo"
        subprocess.run(
            [sys.executable, str(BENCH_DIR / "focus.py"), "--repository", str(repository)],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        for size in args.sizes:
            generate(root, size, args.formats, args)
            for fmt in args.formats:
                path = export_path(root, size, fmt, exponents=args.exponents)
                named = str(path) if args.parts == 1 else split(path, fmt, args.parts)
                row = Row(size, fmt, named, path.stat().st_size / 2**20, files=args.parts)
                print(f"measuring {named} ({row.size_mib:,.0f} MiB) ...", flush=True)
                measure(row, repository, Path(scratch), args)
                rows.append(row)
    print()
    print(render(rows))
    print()
    for row in rows:
        for mismatch in row.mismatches:
            print(f"{label(row.rows)} {row.fmt}: {mismatch}")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"runner's own peak RSS: {own:.0f} MiB (a child's peak cannot be below it)")
    if args.json is not None:
        figures = [{**asdict(row), "ratio": row.ratio, "met": row.met} for row in rows]
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    return 0 if all(row.met for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
