"""Every figure of the dashboard, computed once, as frozen data (what `figures.json` holds)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from spendgate.analytics.cloud import CloudAccuracy, cloud_accuracy
from spendgate.analytics.csv_inputs import UsageRow, read_spend, read_usage
from spendgate.analytics.decision_log import AuditTrail, read_decision_log
from spendgate.analytics.evaluate import Evaluated, evaluate
from spendgate.analytics.focus import BillingData, BillingScan, start_billing
from spendgate.analytics.fx_history import fx_rates, recorded_tables
from spendgate.analytics.fx_lookup import FxRate
from spendgate.analytics.history import History, read_history
from spendgate.analytics.outcomes import PolicyOutcomes, policy_outcomes
from spendgate.analytics.procurement import (
    ApprovalsWaiting,
    TimeToProcure,
    approvals_waiting,
    time_to_procure,
)
from spendgate.analytics.saas import SaasUtilisation, saas_utilisation
from spendgate.analytics.spend import (
    ContractCompliance,
    SpendUnderManagement,
    contract_compliance,
    in_period,
    spend_under_management,
)
from spendgate.analytics.suppliers import SupplierRisk, supplier_risk
from spendgate.problems import Problem


@dataclass(frozen=True)
class Sources:
    """What the figures were computed from."""

    repository: str
    """The governance repository the documents were read from."""
    spend: str | None
    """The spend file (payments, CSV) given with `--spend`; none when not given."""
    billing: str | None
    """The cloud billing files (FOCUS CSV, gzipped CSV or Parquet) given with `--billing`, as
    given (paths, globs or URLs; several are joined with `, `); none when not given."""
    usage: str | None
    """The SaaS usage file (seats, CSV) given with `--usage`; none when not given."""
    git_history: bool
    """Whether the repository's git history dated requests and approvals."""


@dataclass(frozen=True)
class Figures:
    """The dashboard's figures. A KPI whose input file was not given is None."""

    organisation: str
    """The organisation's name, from spendgate.yaml."""
    base_currency: str
    """The base currency every amount is in, an ISO 4217 code."""
    as_of: date
    """The report date (ISO date, YYYY-MM-DD)."""
    since: date | None
    """The first day of the period reported on (ISO date); none for all time."""
    sources: Sources
    """The repository and the files given, from which the figures were computed."""
    spend_under_management: SpendUnderManagement | None
    """How much of what was paid was approved; null without a spend file."""
    time_to_procure: TimeToProcure
    """How long requests took to approve, overall, by category and by role."""
    approvals_waiting: ApprovalsWaiting
    """The approvals still waiting, by step and by role."""
    contract_compliance: ContractCompliance | None
    """How much of what was paid went to vendors under contract; null without a spend file."""
    cloud_cost_accuracy: CloudAccuracy | None
    """How far cloud costs were from the forecast of the approved requests; null without a billing
    file."""
    saas_utilisation: SaasUtilisation | None
    """How many paid SaaS seats are used; null without a usage file."""
    supplier_risk: SupplierRisk
    """Vendors by risk tier and EcoVadis medal, lapsing evidence, and spend below the ESG bar."""
    policy_outcomes: PolicyOutcomes
    """Requests by status, findings by rule, and the waivers in force."""
    audit_trail: AuditTrail
    """What the decision log holds, and the approvals it and the gate disagree on."""


@dataclass(frozen=True)
class Report:
    """The figures, and the billing rows and log records left out of them (located, the first
    few)."""

    figures: Figures
    excluded: tuple[Problem, ...] = ()
    """One warning per excluded billing row and log record shown, and a line counting the rest
    of each."""


@dataclass(frozen=True)
class ReportInputs:
    """What `spendgate report` was asked to read."""

    root: Path
    as_of: date
    since: date | None = None
    spend: Path | None = None
    billing: tuple[str, ...] = ()
    """FOCUS billing files: paths, globs or URLs DuckDB reads."""
    usage: Path | None = None
    dates: str = "git"
    """`git`: date requests and approvals by their commits; `documents`: by their own dates."""


def build_figures(inputs: ReportInputs) -> Figures:
    """Decide every request, read the history and the CSV files, and compute every KPI.

    Raises CsvErrors when a CSV file has problems, ConfigurationError when the repository's
    configuration or policies cannot be used.
    """
    return build_report(inputs).figures


def build_report(inputs: ReportInputs, scan: BillingScan | None = None) -> Report:
    """The figures (`build_figures`), with the billing rows they leave out.

    `scan` is the billing files' scan when the caller started it (`start_billing`) before
    importing what deciding needs; otherwise it starts here, and runs while the requests are
    decided."""
    if scan is None and inputs.billing:
        scan = start_billing(inputs.billing)
    try:
        return _report(inputs, scan)
    except BaseException:
        if scan is not None:
            scan.cancel()
        raise


def _report(inputs: ReportInputs, scan: BillingScan | None) -> Report:
    evaluated = evaluate(inputs.root, as_of=inputs.as_of)
    paths = evaluated.config.paths
    history = (
        read_history(inputs.root, (paths.requests, paths.approvals))
        if inputs.dates == "git"
        else History()
    )
    owners = {identifier: request.vendor for identifier, request in evaluated.requests.items()}
    # The FX history is read from git only for the inputs converted by date: spend and billing.
    base = evaluated.config.organization.base_currency
    by_date = inputs.spend or scan is not None
    tables = recorded_tables(inputs.root, evaluated.config) if by_date else []
    rates = fx_rates(tables, base)
    spend = read_spend(inputs.spend, evaluated.config, owners, rates) if inputs.spend else None
    paid = in_period(spend, inputs.since) if spend is not None else None
    usage = read_usage(inputs.usage) if inputs.usage else None
    billing = scan.data(rates) if scan is not None else None
    log = read_decision_log(inputs.root, evaluated)
    figures = Figures(
        organisation=evaluated.config.organization.name,
        base_currency=evaluated.config.organization.base_currency,
        as_of=inputs.as_of,
        since=inputs.since,
        sources=_sources(inputs, history.available),
        spend_under_management=spend_under_management(evaluated, paid)
        if paid is not None
        else None,
        time_to_procure=time_to_procure(evaluated, history, since=inputs.since),
        approvals_waiting=approvals_waiting(evaluated, history, as_of=inputs.as_of),
        contract_compliance=contract_compliance(evaluated, paid) if paid is not None else None,
        cloud_cost_accuracy=_cloud(evaluated, billing, rates, inputs.since),
        saas_utilisation=_saas(evaluated, usage, inputs.as_of),
        supplier_risk=supplier_risk(evaluated, paid, as_of=inputs.as_of),
        policy_outcomes=policy_outcomes(evaluated, as_of=inputs.as_of, since=inputs.since),
        audit_trail=log.trail,
    )
    return Report(figures, (billing.problems if billing is not None else ()) + log.problems)


def _sources(inputs: ReportInputs, git_history: bool) -> Sources:
    def name(path: Path | None) -> str | None:
        return str(path) if path is not None else None

    billing = ", ".join(inputs.billing) or None
    return Sources(str(inputs.root), name(inputs.spend), billing, name(inputs.usage), git_history)


def _cloud(
    evaluated: Evaluated, billing: BillingData | None, rates: list[FxRate], since: date | None
) -> CloudAccuracy | None:
    if billing is None:
        return None
    return cloud_accuracy(evaluated, billing, rates, since=since)


def _saas(
    evaluated: Evaluated, usage: list[UsageRow] | None, as_of: date
) -> SaasUtilisation | None:
    return saas_utilisation(evaluated, usage, as_of=as_of) if usage is not None else None
