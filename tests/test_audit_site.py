"""`spendgate audit render`: the static audit site, read as HTML and driven in headless Chromium.

The decision log comes from a real git repository: a copy of `examples/bank` recorded with
`audit record`'s core twice (a clock pins the timestamps): once as first committed, and again
after the budget owner committed her approval of NB-2026-0194 (so it is `author-match`) and
NB-2026-0190 was retitled with markup in its title (which voids its approvals). The log then holds
14 records of 12 requests.

The browser is Debian's `chromium` driven by Playwright's Python client (never `playwright
install`); `scripts/test` installs both. One browser serves the whole session.
"""

from __future__ import annotations

import json
import re
import shutil
from datetime import date
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import urlsplit
from urllib.request import url2pathname

import pytest
from playwright.sync_api import Browser, Page

from spendgate import forking
from spendgate.audit import site as audit_site
from spendgate.audit.record import record_decisions
from spendgate.audit.site import render_site
from tests.conftest import ARTIFACTS, EXAMPLES, Cli, axe_violations
from tests.test_approvals import git

HELGA = "Helga Schmitt <helga.schmitt@northbridge-bank.eu>"
APPROVAL = "approvals/NB-2026-0194/budget_owner-helga.schmitt.yaml"
OLD_TITLE = "FinOps Certified Practitioner training for the cloud platform team"
NEW_TITLE = "FinOps training <script>document.title='pwned'</script> & more"

#: Latest status of each request, then the two earlier (superseded) records.
LATEST = {
    "NB-2026-0142": "blocked",
    "NB-2026-0157": "pending",
    "NB-2026-0163": "pending",
    "NB-2026-0171": "blocked",
    "NB-2026-0178": "pending",
    "NB-2026-0183": "blocked",
    "NB-2026-0190": "pending",
    "NB-2026-0194": "approved",
    "NB-2026-0199": "blocked",
    "NB-2026-0205": "pending",
    "NB-2026-0211": "pending",
    "NB-2026-0216": "blocked",
}
EARLIER = {"NB-2026-0190": "approved", "NB-2026-0194": "pending"}
ALL_ROWS = sorted([*LATEST, *EARLIER])


# --- the repository, its log and the site --------------------------------------------------------


@pytest.fixture(scope="module")
def governance(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bank example in git, with its decision log recorded at two commits."""
    root = tmp_path_factory.mktemp("audit") / "bank"
    shutil.copytree(EXAMPLES / "bank", root)
    approval = (root / APPROVAL).read_text()
    (root / APPROVAL).unlink()
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "governance repository")
    _record(root, "2026-11-22T09:30:00Z")
    (root / APPROVAL).write_text(approval)
    git(root, "add", APPROVAL)
    git(root, "commit", "-q", "-m", "Approve NB-2026-0194 as budget owner", author=HELGA)
    request = root / "requests/2026/NB-2026-0190.yaml"
    request.write_text(request.read_text().replace(OLD_TITLE, NEW_TITLE))
    git(root, "commit", "-q", "-a", "-m", "Retitle NB-2026-0190")
    _record(root, "2026-11-23T10:00:00Z")
    return root


def _record(root: Path, timestamp: str) -> None:
    log = root / "audit/decisions.jsonl"
    record_decisions(root, as_of=date(2026, 11, 22), log=log, clock=lambda: timestamp)


@pytest.fixture(scope="module")
def site(governance: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    render_site(governance, out=out)
    return out


def decision_page(site: Path, request_id: str, *, latest: bool = True) -> Path:
    """The page of the latest (or the earlier) record of `request_id`."""
    index = (site / "index.html").read_text()
    rows = re.findall(
        rf'<tr data-request="{request_id}"[^>]* data-latest="(true|false)"[^>]*>\s*'
        r'<th scope="row"><a href="(decisions/d-[0-9a-f]{16}\.html)">',
        index,
    )
    wanted = "true" if latest else "false"
    return site / next(page for flag, page in rows if flag == wanted)


def text_of(page: Path) -> str:
    """The page's text as a reader sees it: tags dropped, entities resolved, spaces collapsed."""
    return " ".join(unescape(re.sub(r"<[^>]+>", " ", page.read_text())).split())


# --- the generated HTML --------------------------------------------------------------------------


def test_the_index_lists_every_record_latest_of_each_request_first(site: Path) -> None:
    rows = re.findall(
        r'<tr data-request="([^"]+)" data-status="([^"]+)"[^>]* data-latest="(true|false)"',
        (site / "index.html").read_text(),
    )
    assert len(rows) == 14
    assert {(request, status) for request, status, flag in rows if flag == "true"} == set(
        LATEST.items()
    )
    assert [(request, status) for request, status, flag in rows[12:]] == [
        ("NB-2026-0194", "pending"),
        ("NB-2026-0190", "approved"),
    ]
    assert len(list((site / "decisions").glob("d-*.html"))) == 14


def test_a_decision_page_shows_the_route_its_approver_and_how_she_was_authenticated(
    site: Path,
) -> None:
    text = text_of(decision_page(site, "NB-2026-0194"))
    assert (
        "Role Stage Required by Why Eligible State Approved by On Authenticity "
        "budget_owner 1 DR-005 The budget owner approves every request helga.schmitt "
        "approved helga.schmitt 2026-11-18 author-match Findings"
    ) in text
    assert "Requester hannah.clarke Department finance Cost centre finance-reporting" in text
    assert "Vendor kestrel-systems" in text


def test_findings_show_their_rule_from_the_policy_and_the_waivers_that_lift_them(
    site: Path,
) -> None:
    text = text_of(decision_page(site, "NB-2026-0171"))
    assert "VR-015: The vendor was screened for sanctions within 90 days" in text
    assert "Policy vendor-risk 1.0.0 Enforcement hard (blocks)" in text
    assert "Condition assert now - vendor.sanctions.screened_on <= 90" in text
    assert "ESG-010: Above 100,000 the vendor scores 45 on EcoVadis" in text
    assert "Waiver waived by WV-NB-2026-004" in text
    assert "WV-NB-2026-004 lifts ESG-010 Rules ESG-010 Applies to nordlys-telekom" in text
    assert "Approved by lena.hoffmann Granted 2026-10-01 Expires 2027-03-31 (inclusive)" in text
    assert 'vendor.sanctions.screened_on "2026-05-14"' in text


def test_a_decision_page_shows_the_git_history_of_its_request(site: Path) -> None:
    text = text_of(decision_page(site, "NB-2026-0190"))
    history = text[text.index("Git history of requests/2026/NB-2026-0190.yaml") :]
    assert re.findall(
        r"Admin <admin@test\.example> (.+?) (?:[0-9a-f]{12} |Rendered by)", history
    ) == [
        "Retitle NB-2026-0190",
        "governance repository",
    ]
    assert "Records of NB-2026-0190 in the log" in text


def test_the_policy_and_vendor_pages(site: Path) -> None:
    esg = text_of(site / "policies/esg@1.0.0.html")
    assert "EcoVadis, CDP, SBTi and modern slavery statements" in esg
    assert "ESG-010 Above 100,000 the vendor scores 45 on EcoVadis" in esg
    assert "spendgate's reference library" in esg
    assert "NB-2026-0171" in esg
    kestrel = text_of(site / "vendors/kestrel-systems.html")
    assert re.findall(r"NB-2026-\d{4}", kestrel) == [
        "NB-2026-0194",
        "NB-2026-0211",
        "NB-2026-0194",
        "NB-2026-0178",
    ]


def test_markup_in_a_request_title_is_shown_as_text(site: Path) -> None:
    escaped = (
        "FinOps training &lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt; &amp; more"
    )
    for page in (site / "index.html", decision_page(site, "NB-2026-0190")):
        html = page.read_text()
        assert escaped in html
        assert "<script>document" not in html


def test_every_relative_link_and_asset_of_every_page_exists(site: Path) -> None:
    pages = sorted(site.rglob("*.html"))
    assert len(pages) == 1 + 2 + 14 + 14 + 9
    for page in pages:
        for reference in _references(page.read_text()):
            assert not urlsplit(reference).scheme or reference.startswith("data:"), reference
            if reference.startswith("data:"):
                continue
            path, _, fragment = reference.partition("#")
            target = (page.parent / path).resolve() if path else page
            assert target.is_file(), f"{page.relative_to(site)} links to {reference}"
            if fragment:
                assert f'id="{fragment}"' in target.read_text(), f"{page.name}: {reference}"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found += [value for name, value in attrs if name in ("href", "src") and value]


def _references(html: str) -> list[str]:
    parser = _Links()
    parser.feed(html)
    return parser.found


def test_every_colour_pair_of_the_stylesheet_has_enough_contrast(site: Path) -> None:
    colours = dict(
        re.findall(r"--([a-z]+): (#[0-9a-f]{6});", (site / "assets/site.css").read_text())
    )
    for text in ("text", "muted", "link", "approved", "pending", "blocked", "rejected", "invalid"):
        for background in ("background", "panel"):
            ratio = _contrast(colours[text], colours[background])
            assert ratio >= 4.5, (text, background, ratio)


def _contrast(one: str, other: str) -> float:
    """WCAG 2 contrast ratio of two #rrggbb colours."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i : i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    high, low = sorted((luminance(one), luminance(other)), reverse=True)
    return (high + 0.05) / (low + 0.05)


# --- the command line ----------------------------------------------------------------------------


def test_a_site_written_by_two_processes_is_the_one_written_by_one(
    governance: Path, site: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Large sites split their pages over two processes; which one wrote a page must not show."""
    monkeypatch.setattr(audit_site, "PARALLEL_PAGES_FROM", 2)
    monkeypatch.setattr(forking.os, "cpu_count", lambda: 2)
    out = tmp_path / "site"

    render_site(governance, out=out)

    def files(root: Path) -> dict[str, bytes]:
        return {
            p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*") if p.is_file()
        }

    assert len(files(out)) > 2
    assert files(out) == files(site)


def test_render_says_what_it_wrote_and_replaces_its_own_earlier_site(
    cli: Cli, governance: Path, tmp_path: Path
) -> None:
    out = tmp_path / "site"
    said = (
        0,
        f"wrote {out}/index.html and 14 decision, 14 policy and 9 vendor page(s) (42 files) "
        "from audit/decisions.jsonl\n",
        "",
    )
    assert tuple(vars(cli("audit", "render", governance, "--out", out)).values()) == said
    (out / "decisions/stale.html").write_text("from an earlier render")
    assert tuple(vars(cli("audit", "render", governance, "--out", out)).values()) == said
    assert not (out / "decisions/stale.html").exists()


def test_render_refuses_a_directory_it_did_not_write(
    cli: Cli, governance: Path, tmp_path: Path
) -> None:
    (tmp_path / "notes.txt").write_text("mine")
    outcome = cli("audit", "render", governance, "--out", tmp_path)
    assert (outcome.exit_code, outcome.stdout) == (2, "")
    assert outcome.stderr == (
        f"spendgate: error: {tmp_path} is not empty and holds no earlier audit site; "
        "choose another --out\n"
    )
    assert sorted(path.name for path in tmp_path.iterdir()) == ["notes.txt"]


def test_a_missing_log_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    shutil.copytree(EXAMPLES / "bank", tmp_path / "bank")
    outcome = cli("audit", "render", tmp_path / "bank", "--out", tmp_path / "site")
    assert tuple(vars(outcome).values()) == (
        2,
        "",
        f"spendgate: error: no decision log at {tmp_path}/bank/audit/decisions.jsonl; record "
        "decisions with `spendgate audit record` or name the log with --log PATH\n",
    )
    assert not (tmp_path / "site").exists()


def test_lines_that_hold_no_record_are_left_out_with_a_warning(
    cli: Cli, governance: Path, tmp_path: Path
) -> None:
    lines = (governance / "audit/decisions.jsonl").read_text().splitlines()
    log = tmp_path / "decisions.jsonl"
    log.write_text("\n".join([lines[0], "not json", '{"decision_id": "d-1"}', *lines[1:3]]) + "\n")
    outcome = cli("audit", "render", governance, "--out", tmp_path / "site", "--log", log)
    assert outcome.exit_code == 0
    assert outcome.stderr == (
        f"{log}:2: not a decision record; left out of the site\n"
        f"{log}:3: not a decision record; left out of the site\n"
    )
    assert "and 3 decision, " in outcome.stdout
    assert "line 2, 3" in (tmp_path / "site/index.html").read_text()


def test_without_git_the_working_tree_stands_in_and_the_pages_say_so(
    governance: Path, tmp_path: Path
) -> None:
    copy = tmp_path / "bank"
    shutil.copytree(governance, copy, ignore=shutil.ignore_patterns(".git"))
    render_site(copy, out=tmp_path / "site")
    latest = text_of(decision_page(tmp_path / "site", "NB-2026-0190"))
    assert (
        "Request file read from the working tree: requests/2026/NB-2026-0190.yaml (the " in latest
    )
    assert "git has no history of this file here." in latest
    earlier = text_of(decision_page(tmp_path / "site", "NB-2026-0190", latest=False))
    assert "is not in git and the file has changed since" in earlier
    waived = text_of(decision_page(tmp_path / "site", "NB-2026-0171"))
    assert "Approved by lena.hoffmann Granted 2026-10-01" in waived


def test_a_record_edited_after_the_fact_shows_a_broken_link(
    governance: Path, tmp_path: Path
) -> None:
    lines = (governance / "audit/decisions.jsonl").read_text().splitlines()
    edited = json.loads(lines[1])
    edited["decision"]["title"] = "Edited later"
    lines[1] = json.dumps(edited)
    (tmp_path / "decisions.jsonl").write_text("\n".join(lines) + "\n")
    render_site(governance, out=tmp_path / "site", log_path=tmp_path / "decisions.jsonl")
    site = tmp_path / "site"
    broken = [
        page.name for page in (site / "decisions").glob("*.html") if "broken" in text_of(page)
    ]
    assert broken == [f"{edited['decision_id']}.html"]


# --- in the browser ------------------------------------------------------------------------------


def visible_requests(page: Page) -> list[str]:
    return sorted(
        page.eval_on_selector_all(
            "#decisions tbody tr:not([hidden])", "rows => rows.map(row => row.dataset.request)"
        )
    )


def test_filters_narrow_the_rows_and_clearing_restores_them(page: Page, site: Path) -> None:
    page.goto((site / "index.html").as_uri())
    assert visible_requests(page) == ALL_ROWS
    page.select_option("#f-status", "approved")
    assert visible_requests(page) == ["NB-2026-0190", "NB-2026-0194"]
    assert page.inner_text("#count") == "Showing 2 of 14 records"
    page.check("#f-latest")
    assert visible_requests(page) == ["NB-2026-0194"]
    page.click("#f-clear")
    page.wait_for_function("document.getElementById('count').textContent.startsWith('Showing 14')")
    assert visible_requests(page) == ALL_ROWS
    page.select_option("#f-vendor", "kestrel-systems")
    assert visible_requests(page) == [
        "NB-2026-0178",
        "NB-2026-0194",
        "NB-2026-0194",
        "NB-2026-0211",
    ]
    page.select_option("#f-department", "operations")
    assert visible_requests(page) == ["NB-2026-0211"]
    page.click("#f-clear")
    page.wait_for_function("document.getElementById('count').textContent.startsWith('Showing 14')")
    assert page.inner_text("#count") == "Showing 14 of 14 records"


def test_search_dates_and_rules_filter_too(page: Page, site: Path) -> None:
    page.goto((site / "index.html").as_uri())
    page.fill("#f-text", "wavelength")
    assert visible_requests(page) == ["NB-2026-0171"]
    page.fill("#f-text", "DOCKING  stations hannah.clarke")
    assert visible_requests(page) == ["NB-2026-0194", "NB-2026-0194"]
    page.fill("#f-text", "")
    page.fill("#f-from", "2026-11-23")
    assert visible_requests(page) == ["NB-2026-0190", "NB-2026-0194"]
    page.fill("#f-from", "")
    page.fill("#f-to", "2026-11-22")
    assert visible_requests(page) == sorted(LATEST)
    page.fill("#f-to", "")
    page.select_option("#f-rule", "VR-015")
    assert visible_requests(page) == ["NB-2026-0171"]
    page.select_option("#f-rule", "")
    assert visible_requests(page) == ALL_ROWS


def test_without_javascript_every_row_shows(browser: Browser, site: Path) -> None:
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto((site / "index.html").as_uri())
    assert page.locator("#decisions tbody tr:visible").count() == 14
    assert not page.locator("#filters").is_visible()
    context.close()


#: What the crawl reads of each page: its links, its title, and what it finds amiss in its markup.
INSPECT = """() => {
  const problems = [];
  if (document.querySelectorAll("h1").length !== 1) problems.push("not one h1");
  if (!document.documentElement.lang) problems.push("no lang");
  if (!document.querySelector("main") || !document.querySelector("nav")) problems.push("landmarks");
  let level = 0;
  for (const heading of document.querySelectorAll("h1, h2, h3, h4, h5, h6")) {
    const next = Number(heading.tagName[1]);
    if (next > level + 1) problems.push("skips to " + heading.tagName + ": " + heading.textContent);
    level = next;
  }
  for (const input of document.querySelectorAll("input, select, textarea")) {
    if (!input.labels || input.labels.length === 0) problems.push("no label: " + input.id);
  }
  for (const cell of document.querySelectorAll("th")) {
    if (!cell.getAttribute("scope")) problems.push("th without scope: " + cell.textContent);
  }
  for (const table of document.querySelectorAll("table")) {
    if (!table.caption) problems.push("table without caption");
  }
  const links = Array.from(document.querySelectorAll("a[href]"), (a) => a.href);
  return {problems: problems, links: links, title: document.title};
}"""


def test_every_page_loads_cleanly_links_resolve_and_the_markup_is_accessible(
    page: Page, site: Path
) -> None:
    trouble: list[str] = []
    page.on("console", lambda message: trouble.append(f"console {message.type}: {message.text}"))
    page.on("pageerror", lambda error: trouble.append(f"page error: {error}"))
    page.on("requestfailed", lambda request: trouble.append(f"failed: {request.url}"))
    pending, seen = [(site / "index.html").as_uri()], set()
    while pending:
        url = pending.pop()
        if url in seen:
            continue
        seen.add(url)
        page.goto(url)
        found = page.evaluate(INSPECT)
        assert (found["problems"], found["title"] == "pwned") == ([], False), url
        for link in found["links"]:
            target = link.partition("#")[0]
            assert target.startswith(site.as_uri() + "/"), f"{url} links outside: {link}"
            assert Path(url2pathname(urlsplit(target).path)).is_file(), f"{url}: {link}"
            pending.append(target)
    assert trouble == []
    assert len(seen) == len(list(site.rglob("*.html")))


def test_a_screenshot_of_a_decision_page(page: Page, site: Path) -> None:
    page.goto(decision_page(site, "NB-2026-0194").as_uri())
    assert "author-match" in page.inner_text("#main")
    ARTIFACTS.mkdir(exist_ok=True)
    shot = ARTIFACTS / "decision-NB-2026-0194.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 50_000


# --- accessibility (axe-core) and the way from "Blocked by" to the finding -------------------

BLOCKED = [request for request, status in LATEST.items() if status == "blocked"]


def test_axe_finds_no_accessibility_violation_on_the_index(page: Page, site: Path) -> None:
    page.goto((site / "index.html").as_uri())
    assert axe_violations(page) == []


@pytest.mark.parametrize("request_id", BLOCKED)
def test_axe_finds_no_accessibility_violation_on_a_blocked_decision_page(
    page: Page, site: Path, request_id: str
) -> None:
    page.goto(decision_page(site, request_id).as_uri())
    assert axe_violations(page) == []


def _blocking_rules(governance: Path, request_id: str) -> list[str]:
    """The rules the latest record of `request_id` names as blocking it, each once."""
    lines = (governance / "audit/decisions.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]
    latest = [r for r in records if r["decision"]["request_id"] == request_id][-1]
    return list(dict.fromkeys(latest["decision"]["blocking"]))


@pytest.mark.parametrize("request_id", BLOCKED)
def test_blocked_by_links_to_each_blocking_finding(
    page: Page, site: Path, governance: Path, request_id: str
) -> None:
    url = decision_page(site, request_id).as_uri()
    page.goto(url)
    links = page.locator("p.blocking a")
    rules = _blocking_rules(governance, request_id)
    assert links.all_inner_texts() == rules
    for index, rule in enumerate(rules):
        page.goto(url)
        links.nth(index).click()
        target = page.locator(":target")
        assert (page.url.partition("#")[0], target.count()) == (url, 1)
        heading = target.locator("h3").inner_text()
        shown = target.evaluate(
            "found => { const box = found.getBoundingClientRect();"
            " return box.top > -1 && box.top < innerHeight; }"
        )
        assert (heading.partition(":")[0], target.get_attribute("class"), shown) == (
            rule,
            "finding blocks",
            True,
        )


@pytest.mark.parametrize("request_id", BLOCKED)
def test_blocking_findings_are_listed_first(page: Page, site: Path, request_id: str) -> None:
    page.goto(decision_page(site, request_id).as_uri())
    classes = page.locator("section[aria-labelledby=findings] article").evaluate_all(
        "articles => articles.map((article) => article.className)"
    )
    blocks = [kind == "finding blocks" for kind in classes]
    assert (blocks[0], blocks) == (True, sorted(blocks, reverse=True))
