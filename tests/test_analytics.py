"""`spendgate report`'s figures on a small hand-made repository with known answers (SPEC §12).

The repository is the policy tests' base (Testbank AG, EUR) with a few requests, approvals and
waivers, committed by the test at known times, so that every duration is exact.
"""

from __future__ import annotations

import json
import shutil
from dataclasses import replace
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from spendgate.analytics import csv_inputs
from spendgate.analytics.csv_table import Column, _duck_records, read_table
from spendgate.analytics.evaluate import decide, slim
from spendgate.analytics.figures import Figures, ReportInputs, build_figures
from spendgate.analytics.stats import Count, Distribution, Share, median, p90
from spendgate.approvals.digest import request_digest
from spendgate.decisions import Decision
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.documents.repository import open_repository
from spendgate.policy import parallel
from spendgate.policy.engine import Engine
from spendgate.policy.gate import load
from tests.conftest import PROJECT, Cli
from tests.test_approvals import git as dated_git

BASE = PROJECT / "policies" / "tests" / "base"
AS_OF = date(2026, 11, 22)


def git(root: Path, *arguments: str, when: str = "2026-10-01T09:00:00Z") -> str:
    """Run git in `root`, author and committer dated `when`."""
    return dated_git(root, *arguments, when=when)


def commit(root: Path, when: str) -> None:
    git(root, "add", ".", when=when)
    git(root, "commit", "-q", "-m", f"change of {when}", when=when)


def write_request(root: Path, identifier: str, body: str) -> None:
    (root / "requests" / f"{identifier.lower()}.yaml").write_text(
        "apiVersion: spendgate/v1\nkind: PurchaseRequest\n"
        f"id: {identifier}\ntitle: {identifier}\nrequester: requester\ndepartment: it\n"
        f"cost_centre: it-ops\njustification: Needed.\n{body}"
    )


def approve(root: Path, request: str, *, approver: str, role: str, on: str) -> None:
    model = open_repository(root).get("PurchaseRequest", request)
    assert isinstance(model, PurchaseRequest)
    folder = root / "approvals" / request
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{role}-{approver}.yaml").write_text(
        "apiVersion: spendgate/v1\nkind: Approval\n"
        f"request: {request}\napprover: {approver}\nrole: {role}\ndecision: approve\n"
        f"date: {on}\ndigest_version: 2\nrequest_digest: {request_digest(model)}\n"
    )


HARDWARE = """vendor: acme
submitted: 2026-10-01
line_items:
  - {description: Keyboard, category: hardware, quantity: 4, unit_price: 150, currency: EUR,
     useful_life_months: 36}
"""
SAAS = """vendor: acme
submitted: 2026-10-01
line_items:
  - {description: Seats, category: saas_subscription, quantity: 5, unit_price: 120,
     currency: EUR, price_per: year, term_months: 12}
"""
CLOUD = """vendor: acme
submitted: 2026-10-01
needed_by: 2026-10-01
line_items:
  - {description: Compute, category: cloud_consumption, quantity: 1, unit_price: 1000,
     currency: EUR, price_per: month, term_months: 3}
"""
BLOCKED = """vendor: shady
submitted: 2026-11-02
line_items:
  - {description: Advice, category: professional_services, quantity: 1, unit_price: 500,
     currency: EUR}
"""
SHADY = """apiVersion: spendgate/v1
kind: Vendor
id: shady
legal_name: Shady Data Ltd
country: GB
status: approved
risk: {score: 80, tier: high, last_review: 2026-09-01}
sanctions: {status: hit, screened_on: 2026-11-01}
security:
  iso27001: {expires: 2026-12-31}
"""


def waiver(identifier: str, granted: str, expires: str) -> str:
    return (
        f"apiVersion: spendgate/v1\nkind: Waiver\nid: {identifier}\nrules: [VR-030]\n"
        f"applies_to: [PR-S]\njustification: Renewal under way.\napproved_by: procurement\n"
        f"granted: {granted}\nexpires: {expires}\n"
    )


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Committed on 2026-10-01 09:00: PR-A (hardware), PR-S (SaaS), PR-C (cloud). PR-C's line
    manager approves 2026-10-02 21:00, the director (budget owner) approves PR-A and PR-S on
    2026-10-04 09:00 and PR-C on 2026-10-06 09:00. PR-TEST (pending) and PR-X (a sanctioned
    vendor) arrive 2026-11-02 12:00."""
    root = tmp_path_factory.mktemp("analytics") / "repo"
    shutil.copytree(BASE, root)
    # This history is about when things happened, not about who committed them.
    config = root / "spendgate.yaml"
    config.write_text(config.read_text() + "approvals: {require_authenticity: none}\n")
    pending = root / "requests" / "pr-test.yaml"
    pending_text = pending.read_text()
    pending.unlink()
    write_request(root, "PR-A", HARDWARE)
    write_request(root, "PR-S", SAAS)
    write_request(root, "PR-C", CLOUD)
    (root / "waivers").mkdir()
    (root / "waivers" / "w-old.yaml").write_text(waiver("W-OLD", "2026-09-01", "2026-10-31"))
    (root / "waivers" / "w-now.yaml").write_text(waiver("W-NOW", "2026-11-01", "2026-12-10"))
    git(root, "init", "-q", "-b", "main")
    commit(root, "2026-10-01T09:00:00Z")
    approve(root, "PR-C", approver="manager", role="line_manager", on="2026-10-02")
    commit(root, "2026-10-02T21:00:00Z")
    approve(root, "PR-A", approver="director", role="budget_owner", on="2026-10-03")
    approve(root, "PR-S", approver="director", role="budget_owner", on="2026-10-04")
    commit(root, "2026-10-04T09:00:00Z")
    approve(root, "PR-C", approver="director", role="budget_owner", on="2026-10-06")
    commit(root, "2026-10-06T09:00:00Z")
    pending.write_text(pending_text)
    (root / "vendors" / "shady.yaml").write_text(SHADY)
    write_request(root, "PR-X", BLOCKED)
    commit(root, "2026-11-02T12:00:00Z")
    return root


SPEND = """date,vendor,amount,currency,category,department,request
2026-08-01,acme,10000.00,EUR,hardware,it,
2026-10-10,acme,600,EUR,hardware,,PR-A
2026-10-12,acme,1000.00,USD,cloud_consumption,,
2026-10-15,shady,500.00,EUR,professional_services,legal,
"""
FOCUS_COLUMNS = (
    "BillingCurrency,BilledCost,EffectiveCost,ChargeCategory,ChargePeriodStart,ProviderName,"
    "SubAccountId,CommitmentDiscountId"
)
BILLING = f"""{FOCUS_COLUMNS}
EUR,1110.00,1110.00,Usage,2026-10-01T00:00:00Z,Acme Software GmbH,prod,
EUR,-10.00,-10.00,Credit,2026-10-01T00:00:00Z,acme,prod,
EUR,50.00,50.00,Usage,2026-10-01,OtherCloud,lab,
USD,978.26,978.26,Usage,2026-11-01T00:00:00Z,ACME SOFTWARE GMBH,prod,
EUR,300.00,0.00,Purchase,2026-11-01T00:00:00Z,Acme Software GmbH,prod,C-1
"""
USAGE = """vendor,product,user,last_active
acme,Acme Cloud Seats,u1,2026-11-22
acme,Acme Cloud Seats,u2,2026-10-24
acme,Acme Cloud Seats,u3,2026-11-01
acme,Acme Cloud Seats,u4,2026-10-23
acme,Acme Cloud Seats,u5,
acme,Acme Admin,u6,2026-01-05
acme,Acme Admin,u7,
acme,Acme Admin,u8,2026-09-30
zoomy,Zoomy,z1,2026-11-20
zoomy,Zoomy,z2,2026-08-01
"""


@pytest.fixture(scope="module")
def csvs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    folder = tmp_path_factory.mktemp("csv")
    files = {"spend": SPEND, "billing": BILLING, "usage": USAGE}
    for name, text in files.items():
        (folder / f"{name}.csv").write_text(text)
    return {name: folder / f"{name}.csv" for name in files}


def figures_of(repo: Path, csvs: dict[str, Path], **options: Any) -> Figures:
    inputs = ReportInputs(
        repo, AS_OF, spend=csvs["spend"], billing=(str(csvs["billing"]),), usage=csvs["usage"]
    )
    return build_figures(replace(inputs, **options))


@pytest.fixture(scope="module")
def figures(repo: Path, csvs: dict[str, Path]) -> Figures:
    return figures_of(repo, csvs)


def test_the_statuses_are_the_gates(figures: Figures) -> None:
    assert figures.policy_outcomes.statuses == (
        Count("approved", 3),
        Count("pending", 1),
        Count("blocked", 1),
        Count("rejected", 0),
        Count("invalid", 0),
    )


def test_spend_under_management(figures: Figures) -> None:
    spend = figures.spend_under_management
    assert spend is not None
    assert (spend.payments, spend.total, spend.managed, spend.ratio) == (
        4,
        Decimal("12020.00"),
        Decimal("600.00"),
        0.0499,
    )
    assert spend.by_department == (
        Share("it", Decimal("600.00"), Decimal("10600.00"), 0.0566),
        Share("(unassigned)", Decimal("0"), Decimal("920.00"), 0.0),
        Share("legal", Decimal("0"), Decimal("500.00"), 0.0),
    )
    assert spend.by_category == (
        Share("hardware", Decimal("600.00"), Decimal("10600.00"), 0.0566),
        Share("cloud_consumption", Decimal("0"), Decimal("920.00"), 0.0),
        Share("professional_services", Decimal("0"), Decimal("500.00"), 0.0),
    )


def test_time_to_procure_from_git_history(figures: Figures) -> None:
    ttp = figures.time_to_procure
    assert [(item.request, item.category, item.days, item.source) for item in ttp.requests] == [
        ("PR-C", "cloud_consumption", 5.0, "git"),
        ("PR-A", "hardware", 3.0, "git"),
        ("PR-S", "saas_subscription", 3.0, "git"),
    ]
    assert ttp.overall == Distribution("all", 3, 3.0, 5.0)
    assert ttp.by_category == (
        Distribution("cloud_consumption", 1, 5.0, 5.0),
        Distribution("hardware", 1, 3.0, 3.0),
        Distribution("saas_subscription", 1, 3.0, 3.0),
    )
    assert ttp.by_role == (
        Distribution("budget_owner", 3, 3.0, 5.0),
        Distribution("line_manager", 1, 1.5, 1.5),
    )
    assert (ttp.from_git, ttp.from_documents) == (3, 0)


def test_time_to_procure_from_the_documents_dates(repo: Path, csvs: dict[str, Path]) -> None:
    ttp = figures_of(repo, csvs, dates="documents").time_to_procure
    assert [(item.request, item.days, item.source) for item in ttp.requests] == [
        ("PR-C", 5.0, "documents"),
        ("PR-S", 3.0, "documents"),
        ("PR-A", 2.0, "documents"),
    ]
    assert ttp.by_role == (
        Distribution("budget_owner", 3, 3.0, 5.0),
        Distribution("line_manager", 1, 1.0, 1.0),
    )


def test_an_uncommitted_approval_dates_its_request_by_the_documents(
    repo: Path, csvs: dict[str, Path], tmp_path: Path
) -> None:
    copy = tmp_path / "copy"
    shutil.copytree(repo, copy)
    approve(copy, "PR-TEST", approver="director", role="budget_owner", on="2026-11-05")

    ttp = figures_of(copy, csvs).time_to_procure

    assert [(item.request, item.days, item.source) for item in ttp.requests][-1] == (
        "PR-TEST",
        3.0,
        "documents",
    )


def test_approvals_waiting(figures: Figures) -> None:
    waiting = figures.approvals_waiting
    assert waiting.pending_requests == 1
    assert [(s.request, s.role, s.eligible, s.since, s.age_days) for s in waiting.steps] == [
        ("PR-TEST", "budget_owner", ("director",), date(2026, 11, 2), 20)
    ]
    backlog = waiting.by_role[0]
    assert (backlog.role, backlog.count, backlog.oldest_days, backlog.median_days) == (
        "budget_owner",
        1,
        20,
        20.0,
    )
    assert backlog.buckets == (0, 1, 0, 0)


def test_contract_compliance(figures: Figures) -> None:
    contracts = figures.contract_compliance
    assert contracts is not None
    assert (contracts.total, contracts.compliant, contracts.ratio) == (
        Decimal("12020.00"),
        Decimal("11520.00"),
        0.9584,
    )
    assert [(v.vendor, v.spend, v.compliant, v.contract) for v in contracts.by_vendor] == [
        ("shady", Decimal("500.00"), Decimal("0"), "no contract on file"),
        (
            "acme",
            Decimal("11520.00"),
            Decimal("11520.00"),
            "MSA-1, signed 2024-01-01, to 2031-12-31",
        ),
    ]


def test_cloud_cost_accuracy(figures: Figures) -> None:
    cloud = figures.cloud_cost_accuracy
    assert cloud is not None
    assert [(c.month, c.provider, c.forecast, c.actual, c.error) for c in cloud.months] == [
        ("2026-10", "OtherCloud", Decimal("0.00"), Decimal("50.00"), None),
        ("2026-10", "acme", Decimal("1000.00"), Decimal("1100.00"), 0.1),
        ("2026-11", "acme", Decimal("1000.00"), Decimal("900.00"), 0.1),
    ]
    assert (cloud.forecast, cloud.actual, cloud.error, cloud.unforecast) == (
        Decimal("2000.00"),
        Decimal("2000.00"),
        0.1,
        Decimal("50.00"),
    )
    assert [(c.month, c.provider, c.commitment, c.billed) for c in cloud.commitments] == [
        ("2026-11", "acme", "C-1", Decimal("300.00"))
    ]
    assert (cloud.requests, cloud.forecast_starts) == (("PR-C",), "2026-10")


def test_saas_utilisation(figures: Figures) -> None:
    saas = figures.saas_utilisation
    assert saas is not None
    acme, zoomy = saas.subscriptions
    assert (acme.vendor, acme.products, acme.listed, acme.active, acme.bought, acme.paid) == (
        "acme",
        ("Acme Admin", "Acme Cloud Seats"),
        8,
        3,
        5,
        8,
    )
    assert (acme.utilisation, acme.idle, acme.yearly_cost, acme.idle_cost) == (
        0.375,
        5,
        Decimal("600.00"),
        Decimal("375.00"),
    )
    assert (acme.priced_from, acme.price_status) == (("PR-S",), "approved")
    assert (zoomy.active, zoomy.paid, zoomy.idle, zoomy.idle_cost, zoomy.price_status) == (
        1,
        2,
        1,
        None,
        None,
    )
    assert (saas.paid, saas.active, saas.utilisation, saas.idle, saas.idle_cost, saas.unpriced) == (
        10,
        4,
        0.4,
        6,
        Decimal("375.00"),
        1,
    )


def test_supplier_risk_and_esg(figures: Figures) -> None:
    risk = figures.supplier_risk
    assert risk.vendors == 2
    assert risk.risk_tiers == (
        Count("low", 1),
        Count("medium", 0),
        Count("high", 1),
        Count("critical", 0),
    )
    assert risk.medals == (
        Count("platinum", 0),
        Count("gold", 1),
        Count("silver", 0),
        Count("bronze", 0),
        Count("none", 0),
        Count("not assessed", 1),
    )
    assert [(x.vendor, x.attestation, x.lapses, x.days_left) for x in risk.lapsing] == [
        ("shady", "ISO 27001", date(2026, 12, 31), 39)
    ]
    assert [(x.vendor, x.attestation, x.lapses, x.days_left) for x in risk.lapsed] == []
    assert [(x.vendor, x.reason, x.spend) for x in risk.below_esg_bar] == [
        ("shady", "no EcoVadis assessment", Decimal("500.00"))
    ]
    assert (risk.spend_below_bar, risk.spend_total, risk.spend_below_ratio) == (
        Decimal("500.00"),
        Decimal("12020.00"),
        0.0416,
    )


def test_policy_outcomes(figures: Figures) -> None:
    outcomes = figures.policy_outcomes
    assert outcomes.months == ("2026-10", "2026-11")
    blocking = {rule.rule: rule.by_month for rule in outcomes.rules if rule.blocking}
    assert blocking == {"VR-010": (0, 1), "VR-030": (0, 1)}
    assert [(w.waiver, w.days_left) for w in outcomes.waivers] == [("W-NOW", 18)]
    assert outcomes.expiring == 1


def test_since_limits_the_period(repo: Path, csvs: dict[str, Path]) -> None:
    figures = figures_of(repo, csvs, since=date(2026, 10, 2))

    spend = figures.spend_under_management
    contracts = figures.contract_compliance
    assert spend is not None and contracts is not None
    assert (spend.payments, spend.total, spend.managed, spend.ratio) == (
        3,
        Decimal("2020.00"),
        Decimal("600.00"),
        0.297,
    )
    assert (contracts.compliant, contracts.ratio) == (Decimal("1520.00"), 0.7525)
    assert figures.time_to_procure.requests == ()  # every approved request came before
    assert figures.policy_outcomes.months == ("2026-11",)
    assert figures.approvals_waiting.pending_requests == 1  # the backlog is today's


@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")  # a browser's thread may run
def test_two_processes_decide_as_one_does(repo: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    repository, config, book, _ = load(repo)
    assert book is not None
    engine = Engine(book, repository, config, AS_OF, history=repo)
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)  # split as a large repository would be

    split = decide(engine)
    alone = [slim(decision) for decision in engine.decide_all()]

    def order(decision: Decision) -> tuple[str, str]:
        return decision.file, decision.request_id

    assert sorted(split, key=order) == sorted(alone, key=order)
    assert len(alone) == 5


def test_median_and_nearest_rank_percentile() -> None:
    assert (median([]), p90([])) == (None, None)
    assert (median([4, 1, 3]), median([1, 2, 3, 10])) == (3.0, 2.5)
    assert p90([float(n) for n in range(1, 11)]) == 9.0
    assert p90([1.0, 2.0]) == 2.0


def test_report_writes_a_page_and_figures_matching_their_schema(
    cli: Cli, repo: Path, csvs: dict[str, Path], tmp_path: Path
) -> None:
    outcome = cli(
        "report",
        repo,
        "--out",
        tmp_path / "site",
        "--as-of",
        "2026-11-22",
        *("--spend", csvs["spend"], "--billing", csvs["billing"], "--usage", csvs["usage"]),
    )

    assert (outcome.exit_code, outcome.stderr) == (0, "")
    page = (tmp_path / "site" / "index.html").read_text()
    assert "Definition:" in page and "<script" not in page and "http" not in page
    figures = json.loads((tmp_path / "site" / "figures.json").read_text())
    schema = json.loads((PROJECT / "schemas" / "ReportFigures.schema.json").read_text())
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.validate(figures, schema, cls=jsonschema.Draft202012Validator)
    assert figures["spend_under_management"]["managed"] == "600.00"


def test_report_without_csv_files_leaves_their_figures_out(
    cli: Cli, repo: Path, tmp_path: Path
) -> None:
    outcome = cli("report", repo, "--out", tmp_path, "--as-of", "2026-11-22")

    figures = json.loads((tmp_path / "figures.json").read_text())
    assert outcome.exit_code == 0
    assert [figures[name] for name in ("spend_under_management", "cloud_cost_accuracy")] == [
        None,
        None,
    ]
    assert (
        "No figures: run <code>spendgate report</code> with <code>--usage"
        in (tmp_path / "index.html").read_text()
    )


def test_user_text_is_escaped_in_the_page(
    cli: Cli, repo: Path, csvs: dict[str, Path], tmp_path: Path
) -> None:
    usage = tmp_path / "usage.csv"
    usage.write_text("vendor,product,user,last_active\n<b>evil</b>,<script>x</script>,u,\n")

    cli("report", repo, "--out", tmp_path / "site", "--as-of", "2026-11-22", "--usage", usage)

    page = (tmp_path / "site" / "index.html").read_text()
    assert "<script>x</script>" not in page and "&lt;script&gt;x&lt;/script&gt;" in page


# --------------------------------------------------------------------------------------------
# Bad CSV input: located errors, exit code 2, nothing written (a bad billing row is only left
# out: tests/test_focus.py)
# --------------------------------------------------------------------------------------------

BAD_CSV = [
    (
        "spend",
        "date,vendor,amount,category\n2026-10-01,acme,5,hardware\n",
        "spend.csv:1:1: [error] missing column 'currency' (the header has: date, vendor, "
        "amount, category) (csv-header)",
    ),
    (
        "spend",
        SPEND.replace("2026-10-12,acme,1000.00", "2026-10-12,acme,1.000,00"),
        "spend.csv:4:8: [error] the row has 8 fields; the header has 7 (csv-row)",
    ),
    (
        "spend",
        SPEND.replace("1000.00,USD", "1 000,USD"),
        "spend.csv:4:3: [error] amount: '1 000' is not a number (write it like -1234.50) "
        "(csv-value)",
    ),
    (
        "spend",
        SPEND.replace("1000.00,USD", "1000.00,XYZ"),
        "spend.csv:4:4: [error] currency: 'XYZ' is not an ISO 4217 currency code (csv-value)",
    ),
    (
        "spend",
        SPEND.replace("1000.00,USD", "1000.00,SEK"),
        "spend.csv:4:4: [error] currency: no FX rate for SEK in spendgate.yaml (fx.rates) "
        "(csv-value)",
    ),
    (
        "spend",
        SPEND.replace("2026-10-15", "2026-02-30"),
        "spend.csv:5:1: [error] date: '2026-02-30' is not a real date (csv-value)",
    ),
    (
        "spend",
        SPEND.replace("2026-10-15", "15/10/2026"),
        "spend.csv:5:1: [error] date: '15/10/2026' is not a date in the form YYYY-MM-DD "
        "(csv-value)",
    ),
    (
        "spend",
        SPEND.replace("professional_services,legal", "consulting,legal"),
        "spend.csv:5:5: [error] category: 'consulting' is not one of cloud_commitment, "
        "cloud_consumption, hardware, hardware_lease, implementation, internal_development, "
        "perpetual_license, professional_services, saas_subscription, support_maintenance, "
        "telecom_service, term_license, training (csv-value)",
    ),
    (
        "spend",
        SPEND.replace(",legal,", ",legal,PR-NOPE"),
        "spend.csv:5:7: [error] request: 'PR-NOPE' is not a purchase request of the repository "
        "(csv-value)",
    ),
    (
        "spend",
        SPEND.replace(",legal,", ",legal,PR-A"),
        "spend.csv:5:7: [error] request: PR-A is a purchase from acme, not shady (csv-value)",
    ),
    (
        "billing",
        BILLING.replace(",ProviderName,", ",Provider,"),
        "billing.csv:1:1: [error] missing column 'ProviderName' (the header has: "
        "BillingCurrency, BilledCost, EffectiveCost, ChargeCategory, ChargePeriodStart, "
        "Provider, SubAccountId, CommitmentDiscountId) (csv-header)",
    ),
    (
        "usage",
        USAGE.replace("u3,2026-11-01", "u3,yesterday"),
        "usage.csv:4:4: [error] last_active: 'yesterday' is not a date in the form YYYY-MM-DD "
        "(csv-value)",
    ),
    (
        "usage",
        USAGE.replace("u2,2026-10-24", "u1,2026-10-24"),
        "usage.csv:3:3: [error] user: u1 already has a seat of Acme Cloud Seats (line 2) "
        "(csv-value)",
    ),
    (
        "usage",
        "vendor,product,user,user\n",
        "usage.csv:1:4: [error] column 'user' appears twice (csv-header)\n"
        "usage.csv:1:1: [error] missing column 'last_active' (the header has: vendor, product, "
        "user, user) (csv-header)",
    ),
    (
        "usage",
        'vendor,product,user,last_active\nacme,"Seats,u1,\n',
        "usage.csv:2:1: [error] not valid CSV: unexpected end of data (csv-syntax)",
    ),
]


@pytest.mark.parametrize(("kind", "text", "expected"), BAD_CSV)
def test_a_bad_csv_gives_located_errors_and_exit_2(
    cli: Cli, repo: Path, tmp_path: Path, kind: str, text: str, expected: str
) -> None:
    path = tmp_path / f"{kind}.csv"
    path.write_text(text)

    outcome = cli(
        "report", repo, "--out", tmp_path / "site", "--as-of", "2026-11-22", f"--{kind}", path
    )

    shown = outcome.stderr.replace(f"{tmp_path}/", "")
    assert (outcome.exit_code, outcome.stdout, shown) == (2, "", expected + "\n")
    assert not (tmp_path / "site").exists()


def test_a_csv_that_is_not_utf8_is_located(cli: Cli, repo: Path, tmp_path: Path) -> None:
    path = tmp_path / "usage.csv"
    path.write_bytes(b"vendor,product,user,last_active\nacme,Caf\xe9,u1,\n")

    outcome = cli("report", repo, "--out", tmp_path / "site", "--usage", path)

    assert outcome.stderr == f"{path}:2:9: [error] is not UTF-8 text (csv-unreadable)\n"
    assert outcome.exit_code == 2


def test_duckdb_and_the_csv_module_read_a_table_alike(tmp_path: Path) -> None:
    """DuckDB reads spend and usage files; the csv module reads only those DuckDB cannot map
    onto lines (here: the blank line), and both give the same rows, lines and cells."""
    columns = (
        Column("vendor", csv_inputs.text),
        Column("product", csv_inputs.text),
        Column("note", csv_inputs.optional_text),
    )
    body = '\ufeffvendor,product,note\r\nacme,"Seats, ""pro""",\r\nzoomy, Zoomy ,"a note"\r\n'
    plain, blank = tmp_path / "plain.csv", tmp_path / "blank.csv"
    plain.write_text(body, newline="")
    blank.write_text(body + "\r\n", newline="")

    assert _duck_records(plain, plain.read_text(encoding="utf-8-sig"), 3) is not None
    assert _duck_records(blank, blank.read_text(encoding="utf-8-sig"), 3) is None
    assert read_table(plain, columns) == read_table(blank, columns)
    assert read_table(plain, columns).rows == [
        (2, {"vendor": "acme", "product": 'Seats, "pro"', "note": None}),
        (3, {"vendor": "zoomy", "product": "Zoomy", "note": "a note"}),
    ]


def test_a_folder_named_like_a_column_is_not_read_as_one(tmp_path: Path) -> None:
    """DuckDB reads a path's `key=value` folders as columns (hive partitioning) unless told
    not to: a table in a folder `c0=forged` keeps its own first cells."""
    columns = (Column("vendor", csv_inputs.text), Column("product", csv_inputs.text))
    body = "vendor,product\nacme,Seats\nzoomy,Zoomy\n"
    folder = tmp_path / "c0=forged" / "c1=too"
    folder.mkdir(parents=True)
    (tmp_path / "usage.csv").write_text(body)
    (folder / "usage.csv").write_text(body)

    assert _duck_records(folder / "usage.csv", body, 2) == [
        (2, ["acme", "Seats"]),
        (3, ["zoomy", "Zoomy"]),
    ]
    assert read_table(folder / "usage.csv", columns).rows == (
        read_table(tmp_path / "usage.csv", columns).rows
    )
