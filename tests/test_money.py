"""Money and accounting (issue 15): ISO 4217 minor units, exact totals rounded once, in-year
budgets, the accounting framework, and change orders counted with their whole group.

Each test builds on an example repository or on the policy tests' base repository, copied to a
temporary directory, and asserts exact outcomes: statuses, rule ids, messages with their
file:line:col, and figures.
"""

from __future__ import annotations

import shutil
import time
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from spendgate.catalogue.summary import summaries
from spendgate.decisions import Decision
from spendgate.documents.currencies import EXPONENTS, ISO_4217, format_amount, round_amount
from spendgate.documents.in_year import months_left, split
from spendgate.documents.loading import load_file
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.documents.repository import open_repository
from spendgate.policy.checks import CHECKS, Subject
from spendgate.policy.checks.budget_available import Params
from spendgate.policy.context import build_context
from spendgate.policy.engine import Engine
from spendgate.policy.fields import context_shape, display, exact_amount
from spendgate.policy.library import load_policy_book
from tests.conftest import EXAMPLES, PROJECT, Cli

BASE = PROJECT / "policies" / "tests" / "base"
AS_OF = date(2026, 11, 22)


def copy_of(source: Path, tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    shutil.copytree(source, root)
    return root


def request_yaml(
    request_id: str, lines: str, *, submitted: str = "2026-11-02", extra: str = ""
) -> str:
    """A request of the base repository's cost centre and vendor with the given line items."""
    return (
        "apiVersion: spendgate/v1\nkind: PurchaseRequest\n"
        f"id: {request_id}\ntitle: Test purchase\nrequester: requester\ndepartment: it\n"
        f"cost_centre: it-ops\nvendor: acme\nsubmitted: {submitted}\n{extra}"
        f"justification: Needed.\nline_items:\n{lines}"
    )


def line(
    price: str,
    *,
    currency: str = "EUR",
    category: str = "professional_services",
    quantity: str = "1",
    **fields: object,
) -> str:
    """One line item in YAML: in `request_yaml`, the unit price is on line 15, the currency on
    line 16 and the other fields follow in the order given."""
    text = f"- description: Thing\n  category: {category}\n  quantity: {quantity}\n"
    text += f"  unit_price: {price}\n  currency: {currency}\n"
    return text + "".join(f"  {key}: {value}\n" for key, value in fields.items())


def budgets_yaml(*years: tuple[int, int]) -> str:
    rows = "".join(
        f"  - {{cost_centre: it-ops, fiscal_year: {year}, owner: director, amount: {amount}, "
        "currency: EUR}\n"
        for year, amount in years
    )
    return f"apiVersion: spendgate/v1\nkind: Budgets\nbudgets:\n{rows}"


def engine(root: Path) -> Engine:
    repository = open_repository(root)
    assert repository.config is not None
    return Engine(load_policy_book(repository), repository, repository.config, AS_OF)


def request_of(engine_: Engine, request_id: str) -> PurchaseRequest:
    model = engine_.repository.get("PurchaseRequest", request_id)
    assert isinstance(model, PurchaseRequest)
    return model


def decisions(root: Path) -> dict[str, Decision]:
    return {decision.request_id: decision for decision in engine(root).decide_all()}


def findings(decision: Decision, rule_id: str) -> list[str]:
    return [f"{f.location}: {f.message}" for f in decision.findings if f.rule_id == rule_id]


def roles(decision: Decision) -> set[str]:
    return {role for step in decision.route for role in (step.role, *step.covers)}


def set_config(root: Path, old: str, new: str) -> None:
    config = root / "spendgate.yaml"
    text = config.read_text(encoding="utf-8")
    assert text.count(old) == 1
    config.write_text(text.replace(old, new), encoding="utf-8")


# 1. ISO 4217 minor units, exact totals, one rounding --------------------------------------------


def test_currencies_and_minor_units_come_from_the_maintained_iso_4217_list() -> None:
    assert (EXPONENTS["JPY"], EXPONENTS["EUR"], EXPONENTS["KWD"]) == (0, 2, 3)
    assert {"XCG", "EUR", "CLP"} <= ISO_4217  # XCG replaced ANG in 2025
    # BGN left the list when Bulgaria joined the euro; gold and funds have no minor unit to buy in
    assert not {"BGN", "ANG", "XAU", "XXX", "CHE", "USN"} & ISO_4217
    assert [format_amount(Decimal("1234.5"), code) for code in ("JPY", "EUR", "KWD")] == [
        "1235",
        "1234.50",
        "1234.500",
    ]


@pytest.mark.parametrize(
    ("currency", "price", "message"),
    [
        ("JPY", "0.5", "JPY has no minor unit: 0.5 has 1 decimal place"),
        ("JPY", "1000.5", "JPY has no minor unit: 1000.5 has 1 decimal place"),
        ("EUR", "10.001", "EUR has 2 decimal places (ISO 4217): 10.001 has 3 decimal places"),
        ("KWD", "1.0001", "KWD has 3 decimal places (ISO 4217): 1.0001 has 4 decimal places"),
    ],
)
def test_a_price_finer_than_its_currency_allows_is_an_error_at_the_price(
    cli: Cli, tmp_path: Path, currency: str, price: str, message: str
) -> None:
    root = copy_of(BASE, tmp_path)
    (root / "requests" / "pr-test.yaml").write_text(
        request_yaml("PR-TEST", line(price, currency=currency))
    )

    outcome = cli("validate", root)

    assert (outcome.exit_code, outcome.stdout.splitlines()[0]) == (
        1,
        f"requests/pr-test.yaml:15:15: [error] $.line_items[0].unit_price: {message} (schema)",
    )


@pytest.mark.parametrize(
    ("currency", "price"), [("KWD", "1.001"), ("JPY", "1000"), ("EUR", "10.10")]
)
def test_a_price_within_its_minor_unit_is_valid(
    cli: Cli, tmp_path: Path, currency: str, price: str
) -> None:
    root = copy_of(BASE, tmp_path)
    set_config(root, "    USD: 0.92\n", "    USD: 0.92\n    KWD: 2.8\n    JPY: 0.0055\n")
    (root / "requests" / "pr-test.yaml").write_text(
        request_yaml("PR-TEST", line(price, currency=currency))
    )
    assert cli("validate", root).exit_code == 0


@pytest.mark.parametrize("code", ["XYZ", "BGN", "XAU"])
def test_an_unknown_withdrawn_or_metal_currency_is_an_error_at_the_currency(
    cli: Cli, tmp_path: Path, code: str
) -> None:
    root = copy_of(BASE, tmp_path)
    (root / "requests" / "pr-test.yaml").write_text(
        request_yaml("PR-TEST", line("10", currency=code))
    )

    outcome = cli("validate", root)

    assert (outcome.exit_code, outcome.stdout.splitlines()[0]) == (
        1,
        f"requests/pr-test.yaml:16:13: [error] $.line_items[0].currency: '{code}' is not an "
        "ISO 4217 currency code (schema)",
    )


def test_budget_amounts_and_the_threshold_carry_their_currencys_minor_unit(
    cli: Cli, tmp_path: Path
) -> None:
    root = copy_of(BASE, tmp_path)
    budgets = root / "org" / "budgets.yaml"
    budgets.write_text(budgets.read_text().replace("amount: 10000000,", "amount: 10000000.005,"))
    set_config(root, "base_currency: EUR", "base_currency: JPY")
    set_config(root, "capitalization_threshold: 5000", "capitalization_threshold: 5000.5")

    outcome = cli("validate", root)

    assert (outcome.exit_code, outcome.stdout.splitlines()[:2]) == (
        2,
        [
            "org/budgets.yaml:4:71: [error] $.budgets[0].amount: EUR has 2 decimal places "
            "(ISO 4217): 10000000.005 has 3 decimal places (schema)",
            "spendgate.yaml:14:27: [error] $.capitalization_threshold: JPY has no minor unit: "
            "5000.5 has 1 decimal place (schema)",
        ],
    )


def test_totals_are_exact_and_rounded_once_half_up(tmp_path: Path) -> None:
    root = copy_of(BASE, tmp_path)
    seven_months = {"price_per": "year", "term_months": 7}
    (root / "requests" / "pr-test.yaml").write_text(
        request_yaml("PR-TEST", line("1000", **seven_months) + line("1000", **seven_months))
    )
    (root / "requests" / "pr-half.yaml").write_text(
        request_yaml("PR-HALF", line("1000.05", quantity="0.5"))
    )

    decided = decisions(root)

    # 583.333... twice is 1,166.666..., rounded once: 1,166.67 (rounding each line: 1,166.66)
    assert decided["PR-TEST"].total_base == "1166.67"
    # 500.025 is a tie: half up gives 500.03 (half even would give 500.02)
    assert decided["PR-HALF"].total_base == "500.03"


def test_a_jpy_base_currency_shows_whole_yen(tmp_path: Path, cli: Cli) -> None:
    root = copy_of(BASE, tmp_path)
    set_config(root, "base_currency: EUR", "base_currency: JPY")
    set_config(root, "    USD: 0.92\n", "    USD: 0.92\n    EUR: 161.5\n")
    budgets = root / "org" / "budgets.yaml"
    budgets.write_text(budgets.read_text().replace("currency: EUR", "currency: JPY"))
    (root / "requests" / "pr-test.yaml").write_text(
        request_yaml("PR-TEST", line("1.00", quantity="3"))
    )

    decided = decisions(root)

    # 3 x EUR 1.00 x 161.5 = JPY 484.5, a tie: 485
    assert (decided["PR-TEST"].total_base, decided["PR-TEST"].base_currency) == ("485", "JPY")
    (root / "requests" / "pr-test.yaml").write_text(
        request_yaml("PR-TEST", line("10.00", quantity="1000"))
    )
    text = cli("check", root, "--as-of", "2026-11-22").stdout
    markdown = cli("check", root, "--as-of", "2026-11-22", "--format", "markdown").stdout
    assert "  requests/pr-test.yaml: 1,615,000 JPY, opex\n" in text
    assert "| 1,615,000 JPY |" in markdown


# 2. In-year budgets ----------------------------------------------------------------------------


LEGAL_OPS_2027 = (
    "  - cost_centre: legal-ops\n"
    "    name: Legal operations and contract management\n"
    "    department: legal\n"
    "    fiscal_year: 2027\n"
    "    owner: niamh.osullivan\n"
    "    amount: 540000\n"
    "    currency: EUR\n"
    "    capex_cap: 50000\n"
    "    opex_cap: 490000\n"
)


def decide_0142(root: Path) -> tuple[dict[str, Any], Decision]:
    engine_ = engine(root)
    request = request_of(engine_, "NB-2026-0142")
    context = build_context(
        request, ledger=engine_.ledger, vendor=None, assessment=None, requester=None, today=AS_OF
    )
    return context, {d.request_id: d for d in engine_.decide_all()}["NB-2026-0142"]


def test_budgets_are_judged_per_fiscal_year_the_contract_is_paid_in(tmp_path: Path) -> None:
    """NB-2026-0142 starts on 2027-01-15: a 36-month subscription billed annually (222,000 a
    year) and 97,000 of implementation and training paid at the start."""
    root = copy_of(EXAMPLES / "bank", tmp_path)
    budgets = root / "org" / "budgets.yaml"
    assert LEGAL_OPS_2027 in budgets.read_text()

    context, decided = decide_0142(root)

    # Fiscal 2027 has its budget; 2028 and 2029 have none yet: a planning note each (DR-095).
    assert context["budget"]["fiscal_year"] == 2027
    assert findings(decided, "DR-090") == []
    assert findings(decided, "DR-095") == [
        f"requests/2026/NB-2026-0142.yaml:8:14: cost centre legal-ops has no budget for fiscal "
        f"year {year}, in which 222,000.00 EUR of this request falls"
        for year in (2028, 2029)
    ]
    assert {f.enforcement for f in decided.findings if f.rule_id == "DR-095"} == {"advisory"}

    budgets.write_text(
        budgets.read_text().replace(LEGAL_OPS_2027, "")
        + "".join(
            f"  - {{cost_centre: legal-ops, fiscal_year: {year}, owner: niamh.osullivan, "
            f"amount: {amount}, currency: EUR}}\n"
            for year, amount in ((2027, 300000), (2028, 222000), (2029, 250000))
        )
    )
    context, decided = decide_0142(root)

    assert findings(decided, "DR-090") + findings(decided, "DR-095") == []
    assert "cfo" in roles(decided)  # 319,000 in fiscal 2027 against 300,000 (DR-080)
    assert (context["request"]["fiscal_year"], context["request"]["in_year_base"]) == (
        2027,
        319000.0,
    )
    assert context["request"]["in_year"] == [
        {"fiscal_year": 2027, "amount_base": 319000.0, "budget_remaining_base": 300000.0},
        {"fiscal_year": 2028, "amount_base": 222000.0, "budget_remaining_base": 222000.0},
        {"fiscal_year": 2029, "amount_base": 222000.0, "budget_remaining_base": 250000.0},
    ]
    assert context["budget"] == {
        "cost_centre": "legal-ops",
        "fiscal_year": 2027,
        "owner": "niamh.osullivan",
        "amount_base": 300000.0,
        "committed_base": 0.0,
        "remaining_base": 300000.0,
    }


def test_no_budget_for_the_year_spending_starts_is_a_soft_finding(tmp_path: Path) -> None:
    root = copy_of(EXAMPLES / "bank", tmp_path)
    budgets = root / "org" / "budgets.yaml"
    budgets.write_text(budgets.read_text().replace(LEGAL_OPS_2027, ""))

    context, decided = decide_0142(root)

    # The owner of the budget it was raised under still approves.
    assert context["budget"] == {"cost_centre": "legal-ops", "owner": "niamh.osullivan"}
    assert "budget_owner" in roles(decided)
    assert findings(decided, "DR-090") == [
        "requests/2026/NB-2026-0142.yaml:8:14: cost centre legal-ops has no budget for fiscal "
        "year 2027, in which 319,000.00 EUR of this request falls"
    ]
    assert {f.enforcement for f in decided.findings if f.rule_id == "DR-090"} == {"soft"}


def test_other_requests_commit_their_in_year_share(tmp_path: Path) -> None:
    """PR-OTHER, a 24-month licence paid yearly from March 2026, commits 6,000 in fiscal 2026
    and 6,000 in 2027; PR-TEST, 1,000 a month for 24 months from November 2026, spends 2,000,
    12,000 and 10,000 in 2026-2028."""
    root = copy_of(BASE, tmp_path)
    (root / "org" / "budgets.yaml").write_text(
        budgets_yaml((2026, 50000), (2027, 15000), (2028, 50000))
    )
    monthly = {"price_per": "month", "term_months": 24, "billing": "monthly"}
    yearly = {"price_per": "year", "term_months": 24, "billing": "annual"}
    (root / "requests" / "pr-test.yaml").write_text(
        request_yaml("PR-TEST", line("1000", **monthly))
    )
    (root / "requests" / "pr-other.yaml").write_text(
        request_yaml("PR-OTHER", line("6000", **yearly), submitted="2026-03-01")
    )
    engine_ = engine(root)
    request = request_of(engine_, "PR-TEST")

    years = [
        (y.fiscal_year, y.in_year, y.amount, y.committed)
        for y in engine_.ledger.budget_years(request)
    ]
    decided = {d.request_id: d for d in engine_.decide_all()}["PR-TEST"]
    context = build_context(
        request, ledger=engine_.ledger, vendor=None, assessment=None, requester=None, today=AS_OF
    )
    subject = Subject(request, None, context, engine_.repository, engine_.ledger, AS_OF)
    overruns = list(CHECKS["budget_available"].run(subject, Params(allow_overrun=False)))

    assert years == [
        (2026, Decimal("2000.00"), Decimal("50000.00"), Decimal("6000.00")),
        (2027, Decimal("12000.00"), Decimal("15000.00"), Decimal("6000.00")),
        (2028, Decimal("10000.00"), Decimal("50000.00"), Decimal("0")),
    ]
    assert "cfo" in roles(decided) and findings(decided, "DR-090") == []
    assert [failure.message for failure in overruns] == [
        "fiscal year 2027: 12,000.00 EUR of this request exceeds the 9,000.00 EUR left in the "
        "it-ops budget (15,000.00 EUR, of which other requests commit 6,000.00 EUR)"
    ]
    # The pull-request check's catalogue splits a request the same way the ledger does.
    loaded = load_file(root / "requests" / "pr-other.yaml", root=root)
    (summary,) = summaries(loaded)
    assert summary.commitments(engine_.config) == [
        (("it-ops", 2026), Decimal("6000.00")),
        (("it-ops", 2027), Decimal("6000.00")),
    ]


def test_a_100_year_term_is_refused_and_a_50_year_term_is_split_at_once(
    cli: Cli, tmp_path: Path
) -> None:
    root = copy_of(BASE, tmp_path)
    request = root / "requests" / "pr-test.yaml"
    monthly = {"price_per": "month", "billing": "monthly"}
    request.write_text(request_yaml("PR-TEST", line("1", term_months=1200, **monthly)))

    outcome = cli("validate", root)

    assert (outcome.exit_code, outcome.stdout.splitlines()[0]) == (
        1,
        "requests/pr-test.yaml:17:16: [error] $.line_items[0].term_months: Input should be "
        "less than or equal to 600 (schema)",
    )

    request.write_text(request_yaml("PR-TEST", line("1", term_months=600, **monthly)))
    started = time.perf_counter()
    engine_ = engine(root)
    model = request_of(engine_, "PR-TEST")
    years = engine_.ledger.in_year_base(model)
    assert time.perf_counter() - started < 5
    assert (len(years), years[2026], years[2027], years[2075], years[2076]) == (
        51,
        Decimal("2.00"),
        Decimal("12.00"),
        Decimal("12.00"),
        Decimal("10.00"),
    )
    assert sum(years.values()) == Decimal(600)


def test_annual_instalments_and_fiscal_years_that_do_not_start_in_january() -> None:
    # Fiscal years from April: 2026-03-15 is the last month of fiscal 2026.
    assert months_left(date(2026, 3, 15), 4) == 1
    assert months_left(date(2026, 4, 1), 4) == 12
    # 30 months billed annually from March: 12 months, 12 months, 6 months pro rata.
    assert split([(("annual", 30), Decimal(3000))], 2026, 1) == {
        2026: Decimal(1200),
        2027: Decimal(1200),
        2028: Decimal(600),
    }
    # Usage spread over 3 months, two of them in the first fiscal year: exact shares that add
    # up to the total, each rounded once where it is shown.
    usage = split([(("usage", 3), Decimal(100))], 2026, 2)
    assert {year: round_amount(share, "EUR") for year, share in usage.items()} == {
        2026: Decimal("66.67"),
        2027: Decimal("33.33"),
    }
    assert sum(usage.values()) == 100


# 3. The accounting framework --------------------------------------------------------------------


def test_saas_implementation_follows_the_accounting_framework(tmp_path: Path) -> None:
    """The bank keeps IFRS books; the same request under US GAAP capitalises the work."""
    root = copy_of(EXAMPLES / "bank", tmp_path)

    ifrs = decisions(root)["NB-2026-0142"].classification.lines[1]
    set_config(root, "accounting_framework: ifrs", "accounting_framework: us-gaap")
    us_gaap = decisions(root)["NB-2026-0142"].classification
    set_config(root, "  accounting_framework: us-gaap\n", "")
    default = decisions(root)["NB-2026-0142"].classification

    assert (ifrs.result, ifrs.reason) == (
        "opex",
        "Implementation of a SaaS product: configuration or customisation the customer does not "
        "control is expensed under IFRS (IFRIC agenda decision, April 2021, IAS 38)",
    )
    assert (us_gaap.result, us_gaap.lines[1].result, us_gaap.lines[1].reason) == (
        "mixed",
        "prepaid",
        "Implementation of a SaaS product (cloud computing arrangement): capitalised and "
        "amortised over the hosting term under US GAAP (ASC 350-40 as amended by ASU 2018-15)",
    )
    assert default == us_gaap


@pytest.mark.parametrize(
    ("framework", "asset_value", "result"),
    [
        ("ifrs", "  asset_value: 1200\n", "opex"),
        ("ifrs", "", "lease"),
        ("ifrs", "  asset_value: 30000\n", "lease"),
        ("us-gaap", "  asset_value: 1200\n", "lease"),
    ],
)
def test_the_ifrs_16_low_value_exemption_needs_the_assets_value(
    tmp_path: Path, framework: str, asset_value: str, result: str
) -> None:
    root = copy_of(BASE, tmp_path)
    set_config(
        root,
        "  base_currency: EUR\n",
        f"  base_currency: EUR\n  accounting_framework: {framework}\n",
    )
    lease = line("40", category="hardware_lease", price_per="month", term_months=36)
    lease += asset_value
    (root / "requests" / "pr-test.yaml").write_text(request_yaml("PR-TEST", lease))

    decided = decisions(root)["PR-TEST"]

    assert decided.classification.result == result
    assert ("financial_controller" in roles(decided)) == (result == "lease")


def test_an_unknown_framework_and_an_asset_value_finer_than_its_currency_are_errors(
    cli: Cli, tmp_path: Path
) -> None:
    root = copy_of(BASE, tmp_path)
    set_config(
        root, "  base_currency: EUR\n", "  base_currency: EUR\n  accounting_framework: ifrs-eu\n"
    )
    lease = line(
        "40", category="hardware_lease", price_per="month", term_months=36, asset_value="1200.001"
    )
    (root / "requests" / "pr-test.yaml").write_text(request_yaml("PR-TEST", lease))

    outcome = cli("validate", root)

    assert (outcome.exit_code, outcome.stdout.splitlines()[:2]) == (
        2,
        [
            "requests/pr-test.yaml:19:16: [error] $.line_items[0].asset_value: EUR has 2 "
            "decimal places (ISO 4217): 1200.001 has 3 decimal places (schema)",
            "spendgate.yaml:9:25: [error] $.organization.accounting_framework: Input should be "
            "'us-gaap' or 'ifrs', got 'ifrs-eu' (schema)",
        ],
    )


# 4. Change orders count with their whole group --------------------------------------------------


def test_change_orders_count_with_their_parent_and_siblings(tmp_path: Path) -> None:
    """LR-2026-0401 (598,000) has a change order, LR-2026-0438 (74,800). A sibling change order
    (330,000), a change order of that change order (1,000) and a withdrawn one (5,000,000) are
    added: the group is 1,003,800, above the CEO's 1,000,000, for every member."""
    root = copy_of(EXAMPLES / "retailer", tmp_path)
    original = (root / "requests" / "2026" / "LR-2026-0438.yaml").read_text()

    def change_order(request_id: str, amends: str, price: str, status: str = "") -> None:
        text = original.replace("id: LR-2026-0438", f"id: {request_id}")
        text = text.replace("amends: LR-2026-0401", f"amends: {amends}{status}")
        text = text.replace("unit_price: 3400\n", f"unit_price: {price}\n")
        text = text.replace("    price_per: month\n", "").replace("    term_months: 22\n", "")
        (root / "requests" / "2026" / f"{request_id}.yaml").write_text(text)

    change_order("LR-2026-0439", "LR-2026-0401", "330000")
    change_order("LR-2026-0440", "LR-2026-0438", "1000")
    change_order("LR-2026-0441", "LR-2026-0401", "5000000", "\nstatus: withdrawn")
    engine_ = engine(root)
    members = ("LR-2026-0401", "LR-2026-0438", "LR-2026-0439", "LR-2026-0440", "LR-2026-0441")
    cumulative = [
        engine_.ledger.cumulative_total_base(request_of(engine_, member)) for member in members
    ]
    decided = {d.request_id: d for d in engine_.decide_all()}

    assert cumulative == [Decimal("1003800.00")] * 5
    assert "LR-2026-0441" not in decided  # withdrawn: neither decided nor counted
    assert all("ceo" in roles(decided[member]) for member in members[:4])


def test_a_change_order_cycle_is_one_group_and_does_not_hang(tmp_path: Path) -> None:
    root = copy_of(BASE, tmp_path)
    for request_id, amends in (("PR-A", "PR-B"), ("PR-B", "PR-A")):
        (root / "requests" / f"{request_id.lower()}.yaml").write_text(
            request_yaml(request_id, line("600"), extra=f"type: change_order\namends: {amends}\n")
        )

    engine_ = engine(root)
    decided = {d.request_id: d for d in engine_.decide_all()}

    assert [
        engine_.ledger.cumulative_total_base(request_of(engine_, request_id))
        for request_id in ("PR-A", "PR-B", "PR-TEST")
    ] == [Decimal("1200.00"), Decimal("1200.00"), Decimal("600.00")]
    assert "line_manager" in roles(decided["PR-A"]) and "line_manager" in roles(decided["PR-B"])


# --- money as people and the log read it (issue 16) -------------------------------------------


@pytest.mark.parametrize(
    ("value", "shape", "base", "expected"),
    [
        (1200.0, "money:base", "JPY", Decimal("1200")),
        (9480.0, "money:base", "USD", Decimal("9480.00")),
        (0.1 + 0.2, "money:base", "EUR", Decimal("0.30")),
        (1.5, "money", "KWD", Decimal("1.50")),  # an own-currency amount without its currency
        (2.5, "decimal", "EUR", Decimal("2.5")),  # a quantity, exactly as written
        (19358, "date", "EUR", "2023-01-01"),
        (7.5, None, "EUR", 7.5),  # not money: left alone
    ],
)
def test_a_context_value_is_shown_as_the_decimal_it_stands_for(
    value: float, shape: str | None, base: str, expected: object
) -> None:
    shown = display(value, shape, base)

    assert (shown, type(shown)) == (expected, type(expected))


def test_a_line_shows_its_own_amounts_in_its_currency_and_the_base_ones_in_the_base() -> None:
    line = {"currency": "KWD", "unit_price": 1.25, "total": 2.5, "total_base": 7.6, "quantity": 2.0}

    shown = display(line, context_shape()["line"], "JPY")

    assert shown == {
        "currency": "KWD",
        "unit_price": Decimal("1.250"),
        "total": Decimal("2.500"),
        "total_base": Decimal("8"),
        "quantity": Decimal("2.0"),
    }


def test_every_amount_of_the_models_is_money_in_the_context_shape() -> None:
    shape = context_shape()

    assert shape["ai"]["financials"]["tco_3y"] == "money"
    assert shape["ai"]["contract"]["liability_cap"] == "money"
    assert shape["request"]["in_year"]["budget_remaining_base"] == "money:base"
    assert shape["org"]["capitalization_threshold"] == "money:base"
    assert shape["line"]["quantity"] == "decimal"


@given(st.decimals(min_value=0, max_value=Decimal("999999999999.99"), places=2))
def test_an_amount_comes_back_exactly_from_the_double_cel_reads(amount: Decimal) -> None:
    assert exact_amount(float(amount), "EUR") == amount
