"""`spendgate report`'s dashboard of every example, opened in headless Chromium (SPEC §12).

Each example's dashboard (with its spend, FOCUS billing and usage CSVs) must load from
`file://` with no console error, no page error and no failed request; every KPI section shows
its definition and its charts carry titles. A full-page screenshot of each is kept under
`tests/artifacts/` (git-ignored) to be looked at.

The browser is Debian's `chromium` driven by Playwright's Python client (never `playwright
install`); `scripts/test` installs both. One browser serves the whole session.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from tests.conftest import ARTIFACTS, EXAMPLES, Cli

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


@pytest.mark.parametrize("example", ["bank", "manufacturer", "retailer"])
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
