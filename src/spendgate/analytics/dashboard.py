"""Render the figures as a static dashboard: one HTML page with inline SVG charts, and
`figures.json` beside it. No script and nothing fetched: it opens from `file://`."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import jinja2
from markupsafe import Markup

from spendgate import __version__
from spendgate.analytics import figures_json, svg
from spendgate.analytics.definitions import DEFINITIONS
from spendgate.analytics.figures import Figures
from spendgate.analytics.procurement import AGE_BUCKETS
from spendgate.analytics.stats import Distribution, Share

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "report"
PAGE = "index.html"
FIGURES = "figures.json"
#: Rows a table shows; the rest are in figures.json.
TABLE_ROWS = 25


@dataclass(frozen=True)
class Written:
    """The two files the dashboard was written to: the page and its figures."""

    page: Path
    figures: Path


def write_dashboard(figures: Figures, target: Path) -> Written:
    """Write `index.html` and `figures.json` into `target` (created if needed)."""
    target.mkdir(parents=True, exist_ok=True)
    page, data = target / PAGE, target / FIGURES
    page.write_text(render_page(figures), encoding="utf-8")
    data.write_text(figures_json.render(figures), encoding="utf-8")
    return Written(page, data)


def render_page(figures: Figures) -> str:
    """The dashboard's HTML page for `figures`."""
    template = _environment(figures.base_currency).get_template("index.html.j2")
    return template.render(
        f=figures,
        charts=Charts(figures),
        definitions=DEFINITIONS,
        rows=TABLE_ROWS,
        buckets=[_bucket_name(low, high) for low, high in AGE_BUCKETS],
        version=__version__,
    )


def _bucket_name(low: int, high: int | None) -> str:
    return f"{low}–{high} days" if high is not None else f"over {low - 1} days"


def _environment(currency: str) -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["money"] = lambda value: money(value, currency)
    environment.filters["amount"] = amount
    environment.filters["percent"] = percent
    environment.filters["days"] = days
    return environment


def amount(value: Decimal | None) -> str:
    """`1234567.891` as `1,234,568`; None as a dash."""
    return "–" if value is None else f"{value:,.0f}"


def money(value: Decimal | None, currency: str) -> str:
    """An amount for the page: currency and whole units, grouped; a dash when unknown."""
    return "–" if value is None else f"{currency} {value:,.0f}"


def percent(value: float | None) -> str:
    """A ratio for the page, as a percentage to one decimal; a dash when unknown."""
    return "–" if value is None else f"{value * 100:.1f}%"


def days(value: float | None) -> str:
    """A duration for the page, in days to one decimal; a dash when unknown."""
    return "–" if value is None else f"{value:,.1f} d"


class Charts:
    """The SVG charts of one set of figures, drawn when the template asks for them."""

    def __init__(self, figures: Figures) -> None:
        self.figures = figures
        self.currency = figures.base_currency

    def _money(self, value: float) -> str:
        return money(Decimal(str(round(value))), self.currency)

    def _shares(self, items: tuple[Share, ...], title: str) -> Markup:
        rows = [(s.name, float(s.part), float(s.whole)) for s in items[:TABLE_ROWS]]
        return svg.share_chart(rows, title=title, shown=self._money, part_name="managed")

    def spend_by_department(self) -> Markup:
        """Spend under management, by department."""
        spend = self.figures.spend_under_management
        assert spend is not None
        return self._shares(spend.by_department, "Spend under management by department")

    def spend_by_category(self) -> Markup:
        """Spend under management, by category."""
        spend = self.figures.spend_under_management
        assert spend is not None
        return self._shares(spend.by_category, "Spend under management by category")

    def _durations(self, items: tuple[Distribution, ...], title: str) -> Markup:
        bars = [
            svg.Bar(d.name, d.median_days or 0, f"median, p90 {days(d.p90_days)}, n={d.count}")
            for d in items[:TABLE_ROWS]
        ]
        return svg.bar_chart(bars, title=title, shown=days)

    def procure_by_category(self) -> Markup:
        """Median days to approval, by category."""
        found = self.figures.time_to_procure.by_category
        return self._durations(found, "Median days to approval by category")

    def procure_by_role(self) -> Markup:
        """Median days each approver role took."""
        found = self.figures.time_to_procure.by_role
        return self._durations(found, "Median days each approver role took")

    def waiting_by_role(self) -> Markup:
        """Approvals waiting, by role, with the oldest wait."""
        backlog = self.figures.approvals_waiting.by_role[:TABLE_ROWS]
        bars = [svg.Bar(b.role, b.count, f"oldest {b.oldest_days} days") for b in backlog]
        return svg.bar_chart(
            bars,
            title="Approvals waiting by role",
            shown=lambda v: f"{v:.0f}",
            colour=svg.PALETTE[1],
        )

    def contracts_by_vendor(self) -> Markup:
        """Each vendor's spend, and how much of it was under contract."""
        contracts = self.figures.contract_compliance
        assert contracts is not None
        rows = [
            (v.vendor, float(v.compliant), float(v.spend)) for v in contracts.by_vendor[:TABLE_ROWS]
        ]
        return svg.share_chart(
            rows,
            title="Spend under contract by vendor",
            shown=self._money,
            part_name="under contract",
        )

    def cloud_months(self) -> Markup:
        """Cloud cost per month, forecast beside actual."""
        cloud = self.figures.cloud_cost_accuracy
        assert cloud is not None
        months = sorted({cell.month for cell in cloud.months})
        forecast = dict.fromkeys(months, 0.0)
        actual = dict.fromkeys(months, 0.0)
        for cell in cloud.months:
            forecast[cell.month] += float(cell.forecast)
            actual[cell.month] += float(cell.actual)
        series = [
            svg.Series("forecast", tuple(forecast[m] for m in months)),
            svg.Series("actual", tuple(actual[m] for m in months)),
        ]
        return svg.column_chart(
            months, series, title="Cloud cost per month: forecast and actual", shown=self._money
        )

    def saas_idle(self) -> Markup:
        """Each SaaS subscription's share of seats active in the last 30 days."""
        saas = self.figures.saas_utilisation
        assert saas is not None
        bars = [
            svg.Bar(s.vendor, (s.utilisation or 0) * 100, f"{s.active} of {s.paid} seats active")
            for s in saas.subscriptions[:TABLE_ROWS]
        ]
        return svg.bar_chart(
            bars, title="Seats active in the last 30 days", shown=lambda v: f"{v:.0f}%"
        )

    def risk_tiers(self) -> Markup:
        """Vendors counted by risk tier."""
        tiers = self.figures.supplier_risk.risk_tiers
        bars = [svg.Bar(c.name, c.count) for c in tiers]
        return svg.bar_chart(
            bars, title="Vendors by risk tier", shown=lambda v: f"{v:.0f}", colour=svg.PALETTE[3]
        )

    def medals(self) -> Markup:
        """Vendors counted by EcoVadis medal."""
        medals = self.figures.supplier_risk.medals
        bars = [svg.Bar(c.name, c.count) for c in medals]
        return svg.bar_chart(
            bars,
            title="Vendors by EcoVadis medal",
            shown=lambda v: f"{v:.0f}",
            colour=svg.PALETTE[2],
        )

    def findings_trend(self, by_month: tuple[int, ...], rule: str) -> Markup:
        """A sparkline of one rule's findings per month."""
        return svg.sparkline([float(v) for v in by_month], title=f"{rule} findings per month")

    def meter(self, share: float | None, name: str) -> Markup:
        """A meter of one share, labelled with its name and percentage."""
        return svg.meter(share, title=f"{name}: {percent(share)}")
