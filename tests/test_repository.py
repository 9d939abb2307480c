"""The repository index: duplicate ids name both files; references must resolve."""

from __future__ import annotations

from pathlib import Path

from spendgate.documents.repository import open_repository
from spendgate.documents.vendor import Vendor
from tests.conftest import Cli


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


def test_norway_stays_norway(minimal_repo: Path) -> None:
    repository = open_repository(minimal_repo)
    vendor = repository.get("Vendor", "nordlys")
    assert isinstance(vendor, Vendor)
    assert vendor.country == "NO"
    assert repository.problems == []


def test_duplicate_id_across_files_names_both(cli: Cli, minimal_repo: Path) -> None:
    copy = minimal_repo / "vendors" / "zz-copy.yaml"
    copy.write_text((minimal_repo / "vendors" / "nordlys.yaml").read_text())

    outcome = cli("validate", minimal_repo)

    assert (outcome.exit_code, outcome.stdout.splitlines()) == (
        1,
        [
            "vendors/zz-copy.yaml:3:5: [error] $.id: duplicate vendor id 'nordlys'; "
            "first defined at vendors/nordlys.yaml:3:5 (duplicate-id)",
            "invalid: 1 error, 0 warnings in 6 documents in 6 files",
        ],
    )


def test_duplicate_person_in_people(cli: Cli, minimal_repo: Path) -> None:
    people = minimal_repo / "org" / "people.yaml"
    people.write_text(
        people.read_text() + "  - id: kari\n    name: Kari Two\n    email: k2@fjord.example\n"
    )

    outcome = cli("validate", minimal_repo)

    assert outcome.stdout.splitlines()[0] == (
        "org/people.yaml:22:9: [error] $.people[3].id: duplicate person id 'kari'; "
        "first defined at org/people.yaml:16:9 (duplicate-id)"
    )


def test_dangling_references_each_located(cli: Cli, minimal_repo: Path) -> None:
    request = minimal_repo / "requests" / "laptops.yaml"
    edit(request, "vendor: nordlys", "vendor: nordlyss")
    edit(request, "requester: kari", "requester: kary")
    edit(request, "cost_centre: it-ops", "cost_centre: it-opz")
    edit(minimal_repo / "org" / "people.yaml", "manager: ingrid", "manager: ingrd")
    edit(minimal_repo / "org" / "budgets.yaml", "owner: olav", "owner: olaf")
    (minimal_repo / "approvals").mkdir()
    (minimal_repo / "approvals" / "a.yaml").write_text(
        "apiVersion: spendgate/v1\nkind: Approval\nrequest: PR-2026-404\napprover: olav\n"
        "role: director\ndecision: approve\ndate: 2026-11-04\n"
        f"request_digest: sha256:{'0' * 64}\n"
    )
    (minimal_repo / "waivers").mkdir()
    (minimal_repo / "waivers" / "w.yaml").write_text(
        "apiVersion: spendgate/v1\nkind: Waiver\nid: W-1\nrules: [ESG-010]\n"
        "applies_to: [nobody]\njustification: Pending reassessment.\napproved_by: olav\n"
        "granted: 2026-11-01\nexpires: 2026-12-31\n"
    )

    outcome = cli("validate", minimal_repo)

    assert (outcome.exit_code, outcome.stdout.splitlines()) == (
        1,
        [
            "approvals/a.yaml:3:10: [error] $.request: request 'PR-2026-404' is not defined "
            "(dangling-reference)",
            "org/budgets.yaml:6:12: [error] $.budgets[0].owner: person 'olaf' is not defined "
            "(dangling-reference)",
            "org/people.yaml:15:14: [error] $.people[1].manager: person 'ingrd' is not defined "
            "(dangling-reference)",
            "requests/laptops.yaml:5:12: [error] $.requester: person 'kary' is not defined "
            "(dangling-reference)",
            "requests/laptops.yaml:7:14: [error] $.cost_centre: cost centre 'it-opz' has no budget "
            "(dangling-reference)",
            "requests/laptops.yaml:8:9: [error] $.vendor: vendor 'nordlyss' is not defined "
            "(dangling-reference)",
            "waivers/w.yaml:5:14: [error] $.applies_to[0]: waiver target 'nobody' is neither a "
            "request nor a vendor (dangling-reference)",
            "invalid: 7 errors, 0 warnings in 7 documents in 7 files",
        ],
    )


def test_manager_cycle(cli: Cli, minimal_repo: Path) -> None:
    people = minimal_repo / "org" / "people.yaml"
    edit(people, "    roles: [ceo]\n", "    roles: [ceo]\n    manager: kari\n")

    outcome = cli("validate", minimal_repo)

    assert outcome.stdout.splitlines()[0] == (
        "org/people.yaml:9:14: [error] $.people[0].manager: managers form a cycle: "
        "ingrid -> kari -> olav -> ingrid (manager-cycle)"
    )


def test_currency_without_fx_rate(cli: Cli, minimal_repo: Path) -> None:
    edit(minimal_repo / "requests" / "laptops.yaml", "currency: NOK", "currency: SEK")

    outcome = cli("validate", minimal_repo)

    assert outcome.stdout.splitlines()[0] == (
        "requests/laptops.yaml:16:15: [error] $.line_items[0].currency: no FX rate for SEK in "
        "spendgate.yaml (fx.rates); the base currency is EUR (fx-rate-missing)"
    )


def test_line_item_benchmark_must_exist(cli: Cli, minimal_repo: Path) -> None:
    edit(
        minimal_repo / "requests" / "laptops.yaml",
        "useful_life_months: 36",
        "useful_life_months: 36\n    benchmark: laptop-32gb",
    )

    outcome = cli("validate", minimal_repo)

    assert outcome.stdout.splitlines()[0] == (
        "requests/laptops.yaml:18:16: [error] $.line_items[0].benchmark: benchmark 'laptop-32gb' "
        "is not defined (dangling-reference)"
    )
