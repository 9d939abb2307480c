"""A request an approver rejected (SPEC §5, §6, §8, §9, §12): `rejected` in every output.

Each rejection is written by `spendgate approve --reject` (so it carries the request's digest as
it stands) and committed by its approver, in a real git repository:

- `keyboards`: the policy tests' base repository, one request (PR-TEST, 600 EUR) whose only step
  is its budget owner, Dora Director; she rejects it, so the rejection alone decides the gate and
  every output can be compared whole.
- `office`: the same rejection beside a second request that waits for the same budget owner
  (PR-MICE); its decision log is recorded and rendered as the audit site, which is driven in
  headless Chromium, and its dashboard is written by `spendgate report`.

A copy of `examples/bank` would do as well, but its statuses move with the reference policies;
in these two repositories every status, count and line is known, so each is compared exactly.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from datetime import date
from pathlib import Path

import jsonschema
import pytest
from playwright.sync_api import Page

from spendgate.audit.record import record_decisions
from spendgate.audit.site import render_site
from spendgate.policy.gate import check_repository
from spendgate.reporters import check_text
from tests.conftest import PROJECT, Cli
from tests.test_approvals import git
from tests.test_audit_site import visible_requests
from tests.test_sarif import assert_multitool_valid, assert_schema_valid

AS_OF = "2026-11-22"
POLICY_SET = "policy set spendgate-reference 1.1.0, as of 2026-11-22"
DORA = "Dora Director <director@test.example>"
COMMENT = "Reuse the spare keyboards first."
REJECTED_STEP = (
    "    stage 1 budget_owner (DR-005): [!] rejected by director (author-match) on 2026-11-03"
)
SUMMARY = f"1 request: 0 approved, 0 pending, 0 blocked, 1 rejected, 0 invalid ({POLICY_SET})"
#: What `--format text` prints for the rejected keyboards.
TEXT = (
    "PR-TEST [rejected] Keyboards for the team\n"
    "  requests/pr-test.yaml: 600.00 EUR, opex\n"
    "  route:\n"
    f"{REJECTED_STEP}\n"
    "\n"
    f"{SUMMARY}\n"
)


def reject(
    cli: Cli, root: Path, request: str, *, role: str, person: str, author: str, on: str
) -> None:
    """`spendgate approve --reject` by the approver at the keyboard (git's author is `author`),
    then commit the record as its approver."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("GIT_AUTHOR_NAME", author[: author.index(" <")])
        patch.setenv("GIT_AUTHOR_EMAIL", author[author.index("<") + 1 : -1])
        outcome = cli(
            "approve", request, "--role", role, "--as", person, "--reject", "--comment", COMMENT,
            "--on", on, "--repo", root,
        )  # fmt: skip
    written = f"approvals/{request}/{role}-{person}.yaml"
    said = f"wrote {written}: rejection by {person} as {role}\n"
    assert (outcome.exit_code, outcome.stdout, outcome.stderr) == (0, said, "")
    git(root, "add", written)
    git(root, "commit", "-q", "-m", f"Reject {request} as {role}", author=author)


def in_git(root: Path) -> Path:
    """Commit everything in `root` as a new repository's first commit."""
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "governance repository")
    return root


def check(cli: Cli, root: Path, *options: str) -> tuple[int, str, str]:
    outcome = cli("check", root, "--as-of", AS_OF, *options)
    return outcome.exit_code, outcome.stdout, outcome.stderr


@pytest.fixture
def keyboards(cli: Cli, tmp_path: Path) -> Path:
    root = tmp_path / "keyboards"
    shutil.copytree(PROJECT / "policies" / "tests" / "base", root)
    in_git(root)
    reject(
        cli, root, "PR-TEST", role="budget_owner", person="director", author=DORA, on="2026-11-03"
    )
    return root


# --- the gate and the text report ----------------------------------------------------------------


def test_a_rejection_fails_the_gate_with_and_without_allow_pending(
    cli: Cli, keyboards: Path
) -> None:
    assert check(cli, keyboards) == (1, TEXT, "")
    assert check(cli, keyboards, "--allow-pending") == (1, TEXT, "")


def test_the_text_report_colours_rejected_red(keyboards: Path) -> None:
    report = check_repository(keyboards, as_of=date.fromisoformat(AS_OF))

    first = check_text.render(report, colour=True).splitlines()[0]

    assert first == "PR-TEST [\x1b[31mrejected\x1b[0m] Keyboards for the team"


def test_a_material_change_clears_the_rejection(cli: Cli, keyboards: Path) -> None:
    request = keyboards / "requests" / "pr-test.yaml"
    request.write_text(request.read_text().replace("quantity: 4", "quantity: 5"))
    git(keyboards, "commit", "-q", "-a", "-m", "Five keyboards")

    code, stdout, stderr = check(cli, keyboards)
    # The note's wording belongs to the approvals; here it matters that the rejection is void.
    route, note, summary = stdout.split("\n  approvals/")[0], *stdout.rsplit("\n\n", 1)
    assert (code, stderr) == (1, "")
    assert route == (
        "PR-TEST [pending] Keyboards for the team\n"
        "  requests/pr-test.yaml: 750.00 EUR, opex\n"
        "  route:\n"
        "    stage 1 budget_owner (DR-005): [ ] waiting; may approve: director"
    )
    assert note.splitlines()[-1].startswith(
        "  approvals/PR-TEST/budget_owner-director.yaml:4:11: [warning] $.approver: reject by "
        "director as budget_owner on 2026-11-03 is void"
    )
    assert summary == (
        f"1 request: 0 approved, 1 pending, 0 blocked, 0 rejected, 0 invalid ({POLICY_SET})\n"
    )
    assert check(cli, keyboards, "--allow-pending") == (0, stdout, "")


# --- json, sarif, junit, markdown, github ----------------------------------------------------


def test_the_json_report_says_rejected_and_satisfies_its_schema(cli: Cli, keyboards: Path) -> None:
    code, stdout, _ = check(cli, keyboards, "--format", "json")
    report = json.loads(stdout)
    schema = json.loads((PROJECT / "schemas" / "CheckReport.schema.json").read_text())

    jsonschema.validate(report, schema, cls=jsonschema.Draft202012Validator)
    (decision,) = report["decisions"]
    (step,) = decision["route"]
    assert code == 1
    assert (decision["status"], decision["blocking"], decision["findings"]) == ("rejected", [], [])
    assert (step["rejected"], step["satisfied"], step["approved_by"], step["approved_on"]) == (
        True,
        False,
        "director",
        "2026-11-03",
    )


def test_sarif_reports_the_rejection_as_an_error_at_the_request(
    cli: Cli, keyboards: Path, tmp_path: Path
) -> None:
    code, stdout, _ = check(cli, keyboards, "--format", "sarif")
    log = json.loads(stdout)
    (run,) = log["runs"]
    rules = {rule["id"]: rule for rule in run["tool"]["driver"]["rules"]}

    assert code == 1
    assert_schema_valid(log)
    assert_multitool_valid(log, tmp_path)
    (result,) = run["results"]
    del result["partialFingerprints"]
    assert result == {
        "ruleId": "REJECTED",
        "ruleIndex": list(rules).index("REJECTED"),
        "level": "error",
        "message": {
            "text": "Request PR-TEST: rejected by director as budget_owner on 2026-11-03, "
            f'saying "{COMMENT}" (DR-005).'
        },
        "locations": [
            {
                "physicalLocation": {
                    "artifactLocation": {"uri": "requests/pr-test.yaml", "uriBaseId": "%SRCROOT%"},
                    "region": {"startLine": 1},
                }
            }
        ],
        "properties": {
            "request": "PR-TEST",
            "requestFile": "requests/pr-test.yaml",
            "status": "rejected",
            "role": "budget_owner",
            "roles": ["budget_owner"],
            "routeRules": "DR-005",
            "rejectedBy": "director",
            "rejectedOn": "2026-11-03",
            "actingFor": None,
            "authenticity": "author-match",
        },
    }
    assert rules["REJECTED"]["defaultConfiguration"] == {"level": "error"}
    assert rules["REJECTED"]["shortDescription"] == {
        "text": "An approver on the route rejected the request."
    }


def junit_route(stdout: str, request: str) -> ET.Element:
    suite = ET.fromstring(stdout).find(f"testsuite[@name='{request}']")
    assert suite is not None
    route = suite.find("testcase[@name='approval route']")
    assert route is not None
    return route


def test_junit_fails_the_approval_route_naming_who_rejected_it(cli: Cli, keyboards: Path) -> None:
    code, stdout, _ = check(cli, keyboards, "--format", "junit")
    top = ET.fromstring(stdout)
    failure = junit_route(stdout, "PR-TEST").find("failure")

    assert code == 1
    assert (top.get("failures"), top.get("errors")) == ("1", "0")
    assert failure is not None
    assert failure.attrib == {
        "message": f'rejected by director as budget_owner on 2026-11-03, saying "{COMMENT}"',
        "type": "rejected",
    }
    assert failure.text == REJECTED_STEP.strip()


def test_markdown_shows_the_rejection_in_the_headline_table_and_route(
    cli: Cli, keyboards: Path
) -> None:
    code, stdout, _ = check(cli, keyboards, "--format", "markdown")

    assert code == 1
    assert stdout == (
        "<!-- spendgate-report -->\n"
        "## 🚫 spendgate: rejected\n"
        "\n"
        f"{SUMMARY}\n"
        "\n"
        "| Request | Status | Total | Classification | Title |\n"
        "| --- | --- | ---: | --- | --- |\n"
        "| PR-TEST | 🚫 rejected | 600.00 EUR | opex | Keyboards for the team |\n"
        "\n"
        "### 🚫 PR-TEST: Keyboards for the team\n"
        "\n"
        "**rejected** · 600.00 EUR · opex · `requests/pr-test.yaml`\n"
        "\n"
        "**Approval route**\n"
        "\n"
        "- [ ] stage 1: **budget\\_owner** (DR-005): **rejected** by director on 2026-11-03 "
        "(author-match)\n"
    )


def test_github_annotates_the_rejection_as_an_error(cli: Cli, keyboards: Path) -> None:
    code, stdout, _ = check(cli, keyboards, "--format", "github")

    assert code == 1
    assert stdout == (
        "::group::PR-TEST [rejected] Keyboards for the team\n"
        "  requests/pr-test.yaml: 600.00 EUR, opex\n"
        "  route:\n"
        f"{REJECTED_STEP}\n"
        f"::error file={keyboards}/requests/pr-test.yaml,title=REJECTED::PR-TEST: rejected by "
        f'director as budget_owner on 2026-11-03, saying "{COMMENT}" (DR-005)\n'
        "::endgroup::\n"
        f"{SUMMARY}\n"
    )


def test_a_veto_is_blocked_and_reported_once_as_its_finding(cli: Cli, keyboards: Path) -> None:
    """Blocked wins over rejected; SARIF and GitHub leave the veto's rejection to its finding,
    while JUnit's approval route still fails on it."""
    git(keyboards, "rm", "-q", "approvals/PR-TEST/budget_owner-director.yaml")
    config = keyboards / "spendgate.yaml"
    config.write_text(config.read_text().replace("industry: technology", "industry: finance"))
    vendor = keyboards / "vendors" / "acme.yaml"
    vendor.write_text(
        vendor.read_text().replace(
            "ict_provider: false, critical: false", "ict_provider: true, critical: true"
        )
    )
    git(keyboards, "commit", "-q", "-a", "-m", "A critical ICT provider, for a bank")
    reject(
        cli,
        keyboards,
        "PR-TEST",
        role="compliance",
        person="compliance",
        author="Cora Compliance <comp@test.example>",
        on="2026-11-05",
    )

    code, stdout, _ = check(cli, keyboards, "--format", "sarif")
    results = json.loads(stdout)["runs"][0]["results"]
    _, junit, _ = check(cli, keyboards, "--format", "junit")
    failure = junit_route(junit, "PR-TEST").find("failure")

    assert code == 1
    assert {(r["ruleId"], r["properties"]["status"], r["level"]) for r in results} == {
        ("FIN-020", "blocked", "error")
    }
    assert failure is not None
    assert failure.get("message") == (
        f'rejected by compliance as compliance on 2026-11-05, saying "{COMMENT}"'
    )
    assert "title=REJECTED" not in check(cli, keyboards, "--format", "github")[1]


# --- audit log, audit site, dashboard -----------------------------------------------------------

MICE = """apiVersion: spendgate/v1
kind: PurchaseRequest
id: PR-MICE
title: Mice for the design team
requester: requester
department: it
cost_centre: it-ops
vendor: acme
submitted: 2026-11-04
justification: Ergonomic mice.
line_items:
  - {description: Mouse, category: hardware, quantity: 6, unit_price: 45, currency: EUR,
     useful_life_months: 36}
"""


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The keyboards, rejected, beside a request that waits for the same budget owner (PR-MICE);
    the rejection written by `python -m spendgate approve`, and the decision log recorded."""
    root = tmp_path_factory.mktemp("rejected") / "office"
    shutil.copytree(PROJECT / "policies" / "tests" / "base", root)
    (root / "requests" / "pr-mice.yaml").write_text(MICE)
    in_git(root)
    command = [sys.executable, "-m", "spendgate", "approve", "PR-TEST", "--role", "budget_owner"]
    command += ["--as", "director", "--reject", "--comment", COMMENT, "--on", "2026-11-03"]
    director = {"GIT_AUTHOR_NAME": "Dora Director", "GIT_AUTHOR_EMAIL": "director@test.example"}
    subprocess.run(
        [*command, "--repo", str(root)],
        check=True,
        capture_output=True,
        text=True,
        env=os.environ | director,  # the director at the keyboard
    )
    git(root, "add", "approvals")
    git(root, "commit", "-q", "-m", "Reject PR-TEST", author=DORA)
    log = root / "audit/decisions.jsonl"
    record_decisions(
        root, as_of=date.fromisoformat(AS_OF), log=log, clock=lambda: "2026-11-22T09:30:00Z"
    )
    return root


@pytest.fixture(scope="module")
def site(office: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    render_site(office, out=out)
    return out


def test_the_audit_log_records_rejected_and_satisfies_its_schema(office: Path) -> None:
    schema = json.loads((PROJECT / "schemas" / "AuditRecord.schema.json").read_text())
    lines = (office / "audit/decisions.jsonl").read_text().splitlines()
    records = [json.loads(line) for line in lines]

    for record in records:
        jsonschema.validate(record, schema, cls=jsonschema.Draft202012Validator)
    assert [(r["decision"]["request_id"], r["decision"]["status"]) for r in records] == [
        ("PR-MICE", "pending"),
        ("PR-TEST", "rejected"),
    ]


def test_the_index_offers_every_status_and_marks_the_rejected_row(site: Path) -> None:
    index = (site / "index.html").read_text()
    status_filter = re.search(r'<select id="f-status".*?</select>', index, re.DOTALL)

    assert status_filter is not None
    assert re.findall(r'<option value="([^"]*)">', status_filter.group()) == [
        "",
        "approved",
        "pending",
        "blocked",
        "rejected",
        "invalid",
    ]
    assert sorted(re.findall(r'<tr data-request="([^"]+)" data-status="([^"]+)"', index)) == [
        ("PR-MICE", "pending"),
        ("PR-TEST", "rejected"),
    ]


def test_the_decision_page_shows_the_rejection(site: Path) -> None:
    index = (site / "index.html").read_text()
    (page,) = re.findall(
        r'<tr data-request="PR-TEST"[^>]*>\s*<th scope="row"><a href="([^"]+)">', index
    )
    html = (site / page).read_text()
    badge = '<span class="status status-rejected">rejected</span>'

    assert f"Decision {badge}" in html
    assert f"<td>{badge}</td>" in html  # the budget owner's step


def test_filtering_by_rejected_in_chromium_shows_the_rejected_request(
    page: Page, site: Path
) -> None:
    page.goto((site / "index.html").as_uri())
    assert visible_requests(page) == ["PR-MICE", "PR-TEST"]

    page.select_option("#f-status", "rejected")
    assert visible_requests(page) == ["PR-TEST"]
    assert page.inner_text("#count") == "Showing 1 of 2 records"
    badge = 'tr[data-request="PR-TEST"] .status'
    assert page.eval_on_selector(badge, "e => getComputedStyle(e).color") == "rgb(160, 19, 110)"

    page.select_option("#f-status", "pending")
    assert visible_requests(page) == ["PR-MICE"]


def test_the_dashboard_counts_rejected_and_does_not_wait_on_it(
    cli: Cli, office: Path, tmp_path: Path
) -> None:
    out = tmp_path / "dashboard"
    outcome = cli("report", office, "--out", out, "--as-of", AS_OF)
    figures = json.loads((out / "figures.json").read_text())
    waiting = figures["approvals_waiting"]

    assert outcome.exit_code == 0
    assert [(c["name"], c["count"]) for c in figures["policy_outcomes"]["statuses"]] == [
        ("approved", 0),
        ("pending", 1),
        ("blocked", 0),
        ("rejected", 1),
        ("invalid", 0),
    ]
    assert (
        '<p class="headline">2 request(s), 0 approved, 1 pending, 0 blocked, 1 rejected, '
        "0 invalid.</p>" in (out / "index.html").read_text()
    )
    assert waiting["pending_requests"] == 1
    assert [(step["request"], step["role"]) for step in waiting["steps"]] == [
        ("PR-MICE", "budget_owner")
    ]
