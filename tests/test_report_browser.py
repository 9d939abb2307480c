"""`spendgate report`'s dashboard of every example, opened in headless Chromium (SPEC §12).

Each example's dashboard (with its spend, FOCUS billing and usage CSVs) must load from
`file://` with no console error, no page error and no failed request; every KPI section shows
its definition and its charts carry titles. axe-core finds no accessibility violation, no chart
label runs outside its chart, and each bar's length is the value its own label states. A
full-page screenshot of each is kept under `tests/artifacts/` (git-ignored) to be looked at.

The browser is Debian's `chromium` driven by Playwright's Python client (never `playwright
install`); `scripts/test` installs both. One browser serves the whole session.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Page

from tests.conftest import ARTIFACTS, EXAMPLES, Cli, axe_violations

EXAMPLE_NAMES = ["bank", "manufacturer", "retailer"]
SECTIONS = [
    "spend-under-management",
    "time-to-procure",
    "approvals-waiting",
    "contract-compliance",
    "cloud-cost-accuracy",
    "saas-utilisation",
    "supplier-risk",
    "policy-outcomes",
]


def dashboard(cli: Cli, example: str, target: Path) -> Path:
    folder = EXAMPLES / example
    outcome = cli(
        "report",
        folder,
        "--out",
        target,
        "--as-of",
        "2026-11-22",
        "--dates",
        "documents",
        *("--spend", folder / "spend.csv", "--billing", folder / "billing.csv"),
        *("--usage", folder / "usage.csv"),
    )
    assert (outcome.exit_code, outcome.stderr) == (0, "")
    return target / "index.html"


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_the_dashboard_of_each_example_opens_cleanly(
    cli: Cli, page: Page, tmp_path: Path, example: str
) -> None:
    index = dashboard(cli, example, tmp_path / example)
    problems: list[str] = []
    page.on(
        "console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None
    )
    page.on("pageerror", lambda error: problems.append(str(error)))
    page.on("requestfailed", lambda request: problems.append(f"failed: {request.url}"))
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    page.goto(index.as_uri())
    page.wait_for_load_state("load")

    assert problems == []
    assert requested == [index.as_uri()]  # nothing else: no CDN, no font, no script
    for section in SECTIONS:
        assert page.locator(f"#{section} .definition").inner_text().startswith("Definition:")
    charts = page.locator("svg[role=img]")
    assert charts.count() >= 8
    titles = charts.evaluate_all("svgs => svgs.map(svg => svg.querySelector('title').textContent)")
    assert all(titles)
    assert page.locator(".tile .figure").count() == 8
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"report-{example}.png"), full_page=True)


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_axe_finds_no_accessibility_violation_on_the_dashboard(
    cli: Cli, page: Page, tmp_path: Path, example: str
) -> None:
    page.goto(dashboard(cli, example, tmp_path / example).as_uri())
    assert axe_violations(page) == []


#: Every <text> of every chart whose box (in the chart's own units) leaves the chart's viewBox.
CLIPPED = """() => Array.from(document.querySelectorAll("svg.chart")).flatMap((svg) => {
  const view = svg.viewBox.baseVal;
  return Array.from(svg.querySelectorAll("text")).filter((text) => {
    const box = text.getBBox();
    return box.x < view.x || box.y < view.y || box.x + box.width > view.x + view.width
      || box.y + box.height > view.y + view.height;
  }).map((text) => svg.getAttribute("aria-label") + ": " + text.textContent);
})"""


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_no_chart_label_is_clipped(cli: Cli, page: Page, tmp_path: Path, example: str) -> None:
    page.goto(dashboard(cli, example, tmp_path / example).as_uri())
    assert page.evaluate(CLIPPED) == []


#: Each row of each bar chart, as drawn: its label, its value label and where that stands, and
#: its bars (the longest first): the whole, and in a share chart the part inside it.
BAR_ROWS = """() => Array.from(document.querySelectorAll("svg.chart > g")).map((row) => {
  const value = row.querySelector("text.value").getBBox();
  const bars = Array.from(row.querySelectorAll("rect"), (rect) => rect.getBBox())
    .sort((one, other) => other.width - one.width);
  return {
    chart: row.ownerSVGElement.getAttribute("aria-label"),
    label: row.querySelector("text:not(.value)").textContent,
    value: row.querySelector("text.value").textContent,
    value_left: value.x, value_middle: value.y + value.height / 2,
    bars: bars.map((bar) => ({left: bar.x, right: bar.x + bar.width, top: bar.y,
                              bottom: bar.y + bar.height, width: bar.width})),
  };
})"""


def _number(words: str) -> float:
    """The figure a value label states: `EUR 1,172,467` 1172467, `2.0 d` 2.0, `71%` 71."""
    return float(re.sub(r"[^0-9.]", "", words))


def _unit(words: str) -> float:
    """The step of a value label's last digit: 1 for `71%`, 0.1 for `2.0 d`."""
    return 10.0 ** -len(re.sub(r"[^0-9.]", "", words).partition(".")[2])


def _mismatched(rows: list[dict[str, Any]]) -> list[str]:
    """The rows of one chart whose value label is not beside their bar, level with it, and
    the figure its length shows (to the label's rounding, and a pixel)."""
    # A share chart's label reads "P% of WHOLE": the bar is WHOLE long, the part P% of it.
    figures = [row["value"].partition(" of ")[2] or row["value"] for row in rows]
    stated = [_number(figure) for figure in figures]
    scale = max(row["bars"][0]["width"] for row in rows) / (max(stated) or 1)
    wrong = []
    for row, figure, number in zip(rows, figures, stated, strict=True):
        whole = row["bars"][0]
        beside = abs(row["value_left"] - whole["right"] - 6) < 1
        level = whole["top"] < row["value_middle"] < whole["bottom"]
        long = abs(whole["width"] - number * scale) <= _unit(figure) * scale + 1
        share = (
            len(row["bars"]) == 1
            or abs(
                row["bars"][1]["width"]
                - _number(row["value"].partition(" of ")[0]) / 100 * whole["width"]
            )
            <= whole["width"] * 0.005 + 0.2
        )
        if not (beside and level and long and share):
            wrong.append(f"{row['chart']}: {row['label']}: {row['value']}")
    return wrong


@pytest.mark.parametrize("example", EXAMPLE_NAMES)
def test_each_bar_is_as_long_as_the_value_its_label_states(
    cli: Cli, page: Page, tmp_path: Path, example: str
) -> None:
    page.goto(dashboard(cli, example, tmp_path / example).as_uri())
    rows = page.evaluate(BAR_ROWS)
    charts = sorted({row["chart"] for row in rows})
    assert len(charts) >= 8
    mismatched = [
        wrong for chart in charts for wrong in _mismatched([r for r in rows if r["chart"] == chart])
    ]
    assert mismatched == []
