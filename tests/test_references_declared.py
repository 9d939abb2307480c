"""References between documents are declared once, on the models (`RefersTo`), and everything
about them derives from that declaration: the table of declarations, a dangling id in each
declared field reported at its place, the references each catalogue summary carries, and what a
pull request re-decides when a document that others refer to changes."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated, Any, Literal

import pytest

from spendgate.catalogue.summary import summaries
from spendgate.documents.fields import Document, Identifier, RefersTo, StrictModel
from spendgate.documents.kinds import KINDS
from spendgate.documents.loading import LoadedDocument, LoadedFile, load_file
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.documents.references import (
    broken_references,
    declared_references,
    references_in,
)
from spendgate.documents.repository import open_repository
from spendgate.problems import Location
from tests.conftest import Cli
from tests.test_approvals import git
from tests.test_catalogue import check_base, commit, committed_bank, edit, full_check

BANK = Path(__file__).parent.parent / "examples" / "bank"
GHOST = "ghost-ref"

#: Every reference the models declare, by kind: (YAML path template, kinds it may name).
DECLARED = {
    "People": [
        (("people", "*", "manager"), ("Person",)),
        (("delegations", "*", "from"), ("Person",)),
        (("delegations", "*", "to"), ("Person",)),
    ],
    "Budgets": [(("budgets", "*", "owner"), ("Person",))],
    "PurchaseRequest": [
        (("requester",), ("Person",)),
        (("vendor",), ("Vendor",)),
        (("renews",), ("PurchaseRequest",)),
        (("amends",), ("PurchaseRequest",)),
        (("line_items", "*", "benchmark"), ("Benchmark",)),
        (("ai_assessment",), ("AIAssessment",)),
    ],
    "AIAssessment": [
        (("request",), ("PurchaseRequest",)),
        (("controls", "human_oversight_owner"), ("Person",)),
    ],
    "Approval": [(("request",), ("PurchaseRequest",)), (("approver",), ("Person",))],
    "ChangeApproval": [(("approver",), ("Person",))],
    "Waiver": [
        (("applies_to", "*"), ("PurchaseRequest", "Vendor")),
        (("approved_by",), ("Person",)),
    ],
}

#: Where examples/bank (with the two seeds below) holds each declared reference first:
#: (kind, YAML path, file, line, column, the id found there, the message once it is a ghost).
PLACES = [
    ("People", "$.people[2].manager", "org/people.yaml", 23, 14, "margit.albrecht", "person"),
    ("People", "$.delegations[0].from", "org/people.yaml", 189, 11, "declan.murphy", "person"),
    ("People", "$.delegations[0].to", "org/people.yaml", 190, 9, "helga.schmitt", "person"),
    ("Budgets", "$.budgets[0].owner", "org/budgets.yaml", 9, 12, "tobias.brandt", "person"),
    (
        "PurchaseRequest",
        "$.requester",
        "requests/2026/NB-2026-0142.yaml",
        6,
        12,
        "felix.bauer",
        "person",
    ),
    (
        "PurchaseRequest",
        "$.vendor",
        "requests/2026/NB-2026-0142.yaml",
        9,
        9,
        "lexicor-ai",
        "vendor",
    ),
    (
        "PurchaseRequest",
        "$.renews",
        "requests/2026/NB-2026-0171.yaml",
        13,
        9,
        "NB-2026-0142",
        "request",
    ),
    (
        "PurchaseRequest",
        "$.amends",
        "requests/2026/NB-2026-0216.yaml",
        13,
        9,
        "NB-2026-0183",
        "request",
    ),
    (
        "PurchaseRequest",
        "$.line_items[0].benchmark",
        "requests/2026/NB-2026-0171.yaml",
        35,
        16,
        "wavelength-100g-protected",
        "benchmark",
    ),
    (
        "PurchaseRequest",
        "$.ai_assessment",
        "requests/2026/NB-2026-0142.yaml",
        51,
        16,
        "AI-NB-2026-007",
        "AI assessment",
    ),
    ("AIAssessment", "$.request", "ai/AI-NB-2026-007.yaml", 5, 10, "NB-2026-0142", "request"),
    (
        "AIAssessment",
        "$.controls.human_oversight_owner",
        "ai/AI-NB-2026-007.yaml",
        40,
        26,
        "niamh.osullivan",
        "person",
    ),
    (
        "Approval",
        "$.request",
        "approvals/NB-2026-0142/cfo-helga.schmitt.yaml",
        4,
        10,
        "NB-2026-0142",
        "request",
    ),
    (
        "Approval",
        "$.approver",
        "approvals/NB-2026-0142/cfo-helga.schmitt.yaml",
        5,
        11,
        "helga.schmitt",
        "person",
    ),
    (
        "ChangeApproval",
        "$.approver",
        "approvals/changes/esg.yaml",
        4,
        11,
        "helga.schmitt",
        "person",
    ),
    ("Waiver", "$.applies_to[0]", "waivers/WV-NB-2026-004.yaml", 6, 14, "nordlys-telekom", None),
    ("Waiver", "$.approved_by", "waivers/WV-NB-2026-004.yaml", 12, 14, "lena.hoffmann", "person"),
]


def seeded_bank(target: Path) -> Path:
    """A copy of examples/bank that also holds the references the example does not use: a
    renewal's `renews` and a ChangeApproval."""
    shutil.copytree(BANK, target)
    renewal = target / "requests" / "2026" / "NB-2026-0171.yaml"
    text = renewal.read_text()
    assert "\ntype: renewal\n" in text
    renewal.write_text(text.replace("\ntype: renewal\n", "\ntype: renewal\nrenews: NB-2026-0142\n"))
    (target / "approvals" / "changes").mkdir()
    (target / "approvals" / "changes" / "esg.yaml").write_text(
        "apiVersion: spendgate/v1\nkind: ChangeApproval\nchange: policies/esg.yaml\n"
        "approver: helga.schmitt\nrole: cfo\ndecision: approve\ndate: 2026-11-20\n"
        f"content_digest: sha256:{'0' * 64}\n"
    )
    return target


def shape(path: str) -> tuple[str, ...]:
    """`$.people[2].manager` as the template `('people', '*', 'manager')`."""
    parts = path.removeprefix("$.").replace("[", ".[").split(".")
    return tuple("*" if part.startswith("[") else part for part in parts)


def test_declared_references_are_the_table() -> None:
    declared = {
        kind: [(path, refers_to.kinds) for path, refers_to in declared_references(model)]
        for kind, model in KINDS.items()
        if declared_references(model)
    }

    assert declared == DECLARED


def test_every_declaration_is_checked_at_a_place() -> None:
    placed = sorted((kind, shape(path)) for kind, path, *_ in PLACES)
    declared = sorted((kind, path) for kind, rows in DECLARED.items() for path, _ in rows)

    assert placed == declared


def test_the_seeded_bank_is_clean(tmp_path: Path) -> None:
    assert open_repository(seeded_bank(tmp_path / "bank")).problems == []


@pytest.mark.parametrize(
    ("kind", "yaml_path", "file", "line", "column", "found", "label"),
    PLACES,
    ids=[f"{kind}{path[1:]}" for kind, path, *_ in PLACES],
)
def test_a_dangling_declared_reference_is_located(
    tmp_path: Path,
    kind: str,
    yaml_path: str,
    file: str,
    line: int,
    column: int,
    found: str,
    label: str | None,
) -> None:
    root = seeded_bank(tmp_path / "bank")
    lines = (root / file).read_text().splitlines(keepends=True)
    start = column - 1
    assert lines[line - 1][start : start + len(found)] == found
    lines[line - 1] = lines[line - 1][:start] + GHOST + lines[line - 1][start + len(found) :]
    (root / file).write_text("".join(lines))

    problems = open_repository(root).problems

    message = (
        f"{label} {GHOST!r} is not defined"
        if label
        else f"waiver target {GHOST!r} is neither a request nor a vendor"
    )
    assert [(str(p.location), p.location.yaml_path, p.message, p.code) for p in problems] == [
        (f"{file}:{line}:{column}", yaml_path, message, "dangling-reference")
    ]


class Party(StrictModel):
    """A party to the test's contract, with a contact person."""

    contact: Annotated[Identifier | None, RefersTo("Person")] = None


class Contract(Document):
    """A kind the code does not know: its references are checked from its declarations."""

    kind: Literal["Contract"]
    signed_with: Annotated[Identifier, RefersTo("Vendor")]
    parties: list[Party] = []


def test_a_new_declaration_is_checked_without_touching_the_checks(tmp_path: Path) -> None:
    repository = open_repository(seeded_bank(tmp_path / "bank"))
    contract = Contract.model_validate(
        {
            "apiVersion": "spendgate/v1",
            "kind": "Contract",
            "signed_with": "nobody-inc",
            "parties": [{"contact": "helga.schmitt"}, {}, {"contact": "no.one"}],
        }
    )
    document = LoadedDocument(
        "contracts/c.yaml", 0, Location("contracts/c.yaml"), "Contract", contract
    )
    repository.files.append(LoadedFile("contracts/c.yaml", (document,)))

    assert [(path, r.kinds) for path, r in declared_references(Contract)] == [
        (("signed_with",), ("Vendor",)),
        (("parties", "*", "contact"), ("Person",)),
    ]
    assert list(references_in(contract)) == [
        (("signed_with",), RefersTo("Vendor"), "nobody-inc"),
        (("parties", 0, "contact"), RefersTo("Person"), "helga.schmitt"),
        (("parties", 2, "contact"), RefersTo("Person"), "no.one"),
    ]
    assert [
        (found.file, path, message, code)
        for found, path, message, code in broken_references(repository)
    ] == [
        (
            "contracts/c.yaml",
            ("signed_with",),
            "vendor 'nobody-inc' is not defined",
            "dangling-reference",
        ),
        (
            "contracts/c.yaml",
            ("parties", 2, "contact"),
            "person 'no.one' is not defined",
            "dangling-reference",
        ),
    ]


def test_each_summary_carries_the_references_its_model_declares(tmp_path: Path) -> None:
    root = seeded_bank(tmp_path / "bank")
    files = (
        "requests/2026/NB-2026-0142.yaml",
        "requests/2026/NB-2026-0171.yaml",
        "requests/2026/NB-2026-0216.yaml",
        "ai/AI-NB-2026-007.yaml",
        "approvals/NB-2026-0142/cfo-helga.schmitt.yaml",
        "approvals/changes/esg.yaml",
        "waivers/WV-NB-2026-004.yaml",
        "vendors/lexicor-ai.yaml",
    )

    found = [
        (summary.kind, summary.id, summary.references)
        for file in files
        for summary in summaries(load_file(root / file, root=root))
    ]

    # People and benchmarks are not catalogued (every decision loads them): their references
    # (requester, approver, line_items[*].benchmark) are left out.
    assert found == [
        (
            "PurchaseRequest",
            "NB-2026-0142",
            (("AIAssessment", "AI-NB-2026-007"), ("Vendor", "lexicor-ai")),
        ),
        (
            "PurchaseRequest",
            "NB-2026-0171",
            (("PurchaseRequest", "NB-2026-0142"), ("Vendor", "nordlys-telekom")),
        ),
        (
            "PurchaseRequest",
            "NB-2026-0216",
            (("PurchaseRequest", "NB-2026-0183"), ("Vendor", "meridian-advisory")),
        ),
        ("AIAssessment", "AI-NB-2026-007", (("PurchaseRequest", "NB-2026-0142"),)),
        ("Approval", "", (("PurchaseRequest", "NB-2026-0142"),)),
        ("ChangeApproval", "", ()),
        (
            "Waiver",
            "WV-NB-2026-004",
            (("PurchaseRequest", "nordlys-telekom"), ("Vendor", "nordlys-telekom")),
        ),
        ("Vendor", "lexicor-ai", ()),
    ]


class CallOff(PurchaseRequest):
    """A request that also names the framework agreement it calls off (itself a request) and
    who reviewed it: a kind of reference the catalogue's code has never heard of."""

    framework: Annotated[Identifier | None, RefersTo("PurchaseRequest")] = None
    reviewer: Annotated[Identifier | None, RefersTo("Person")] = None


def test_a_new_declaration_is_catalogued_without_touching_the_catalogue(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = seeded_bank(tmp_path / "bank")
    path = root / "requests" / "2026" / "NB-2026-0205.yaml"
    path.write_text(path.read_text() + "framework: NB-2026-0142\nreviewer: helga.schmitt\n")
    monkeypatch.setitem(KINDS, "PurchaseRequest", CallOff)

    (summary,) = summaries(load_file(path, root=root))

    assert summary.references == (
        ("PurchaseRequest", "NB-2026-0142"),
        ("Vendor", "arcadia-software"),
    )
    assert summary.refers_to("PurchaseRequest") == ("NB-2026-0142",)
    assert summary.refers_to("Person") == ()


WAIVER_OF_KESTREL = """\
apiVersion: spendgate/v1
kind: Waiver
id: WV-TEST-KESTREL
rules: [ESG-010]
applies_to: [kestrel-systems]
justification: Re-assessment booked.
approved_by: lena.hoffmann
granted: 2026-10-01
expires: 2027-03-31
"""

KESTREL_REQUESTS = ["NB-2026-0178", "NB-2026-0194", "NB-2026-0211"]


@pytest.mark.parametrize(
    ("change", "decided"),
    [
        pytest.param(
            lambda root: edit(root / "vendors/kestrel-systems.yaml", "\nid:", "\n# again\nid:"),
            KESTREL_REQUESTS,
            id="vendor",
        ),
        pytest.param(
            lambda root: (root / "waivers" / "WV-TEST-KESTREL.yaml").write_text(WAIVER_OF_KESTREL),
            KESTREL_REQUESTS,
            id="waiver of a vendor",
        ),
        pytest.param(
            lambda root: edit(
                root / "requests/2026/NB-2026-0216.yaml", "quantity: 14", "quantity: 140"
            ),
            ["NB-2026-0183", "NB-2026-0216"],
            id="change order",
        ),
    ],
)
def test_a_pull_request_redecides_the_requests_related_by_declared_references(
    cli: Cli, tmp_path: Path, change: Any, decided: list[str]
) -> None:
    root = committed_bank(tmp_path / "bank")
    change(root)
    commit(root, "a change")

    report = check_base(cli, root)
    full = full_check(cli, root)

    assert [d["request_id"] for d in report["decisions"]] == decided
    assert report["decisions"] == [full[request_id] for request_id in decided]


def change_order_chain(root: Path) -> Path:
    """The bank on main with a chain of change orders, each to a vendor of its own (so that only
    the chain relates them): NB-2026-0230 (6,000 EUR) amends NB-2026-0216 (21,000 EUR), which
    amends NB-2026-0183 (46,500 EUR); a branch `bigger` checked out."""
    committed_bank(root)
    requests = root / "requests" / "2026"
    edit(requests / "NB-2026-0183.yaml", "vendor: meridian-advisory", "vendor: caspian-data")
    amendment = requests / "NB-2026-0230.yaml"
    amendment.write_text((requests / "NB-2026-0216.yaml").read_text())
    edit(amendment, "id: NB-2026-0216", "id: NB-2026-0230")
    edit(amendment, "vendor: meridian-advisory", "vendor: quantis-analytics")
    edit(amendment, "amends: NB-2026-0183", "amends: NB-2026-0216")
    edit(amendment, "quantity: 14", "quantity: 4")
    commit(root, "a change order of a change order")
    git(root, "checkout", "-q", "main")
    git(root, "merge", "-q", "--ff-only", "change")
    git(root, "checkout", "-q", "-b", "bigger")
    return root


#: The route of a request of the chain once the group needs the CFO, by request.
CFO_ROUTES = {
    "NB-2026-0183": ["budget_owner", "compliance", "security", "line_manager", "vp", "cfo"],
    "NB-2026-0216": ["budget_owner", "line_manager", "vp", "cfo"],
    "NB-2026-0230": ["budget_owner", "compliance", "security", "line_manager", "vp", "cfo"],
}


@pytest.mark.parametrize(
    ("request_file", "quantities", "decided"),
    [
        # 195,000 EUR: 216,000 with NB-2026-0216 alone (a VP); 262,500 with the group (the CFO).
        pytest.param("NB-2026-0230", ("4", "130"), ["NB-2026-0216", "NB-2026-0230"], id="last"),
        # 225,000 EUR: 246,000 with NB-2026-0216 alone (a VP); 252,000 with the group (the CFO).
        pytest.param("NB-2026-0183", ("31", "150"), ["NB-2026-0183", "NB-2026-0216"], id="first"),
    ],
)
def test_a_change_order_is_judged_with_its_whole_group(
    cli: Cli, tmp_path: Path, request_file: str, quantities: tuple[str, str], decided: list[str]
) -> None:
    root = change_order_chain(tmp_path / "bank")
    before, after = quantities
    request = root / "requests" / "2026" / f"{request_file}.yaml"
    edit(request, f"quantity: {before}\n", f"quantity: {after}\n")
    commit(root, "a bigger request")

    report = check_base(cli, root)
    full = full_check(cli, root)

    # Re-decided are the change and the requests it refers to or is referred to by; what
    # deciding them reads is the whole group, the request two links away included.
    assert [d["request_id"] for d in report["decisions"]] == decided
    assert report["decisions"] == [full[request_id] for request_id in decided]
    assert {
        d["request_id"]: [step["role"] for step in d["route"]] for d in report["decisions"]
    } == {request_id: CFO_ROUTES[request_id] for request_id in decided}


def test_a_request_is_judged_with_the_requests_that_share_its_vendor(
    cli: Cli, tmp_path: Path
) -> None:
    root = committed_bank(tmp_path / "bank")
    requests = root / "requests" / "2026"
    copy = requests / "NB-2026-0300.yaml"
    copy.write_text((requests / "NB-2026-0178.yaml").read_text())
    edit(copy, "id: NB-2026-0178", "id: NB-2026-0300")
    commit(root, "the same purchase again")

    report = check_base(cli, root)
    full = full_check(cli, root)

    (decision,) = report["decisions"]
    assert decision == full["NB-2026-0300"]
    assert [
        (finding["rule_id"], finding["message"])
        for finding in decision["findings"]
        if "NB-2026-0178" in finding["message"]
    ] == [
        (
            "SPLIT-010",
            "NB-2026-0178, NB-2026-0300 together total 408,800.00, above the 250,000 threshold "
            "that each stays under",
        ),
        (
            "DUP-010",
            "NB-2026-0300 looks like a duplicate of NB-2026-0178 (same vendor, requester and "
            "total, submitted 2026-10-19)",
        ),
    ]


def test_a_new_declaration_relates_requests_in_a_pull_request(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setitem(KINDS, "PurchaseRequest", CallOff)
    root = committed_bank(tmp_path / "bank")
    git(root, "checkout", "-q", "main")
    call_off = root / "requests" / "2026" / "NB-2026-0205.yaml"
    call_off.write_text(call_off.read_text() + "framework: NB-2026-0142\n")
    commit(root, "a call-off of the Lexicor agreement")
    git(root, "checkout", "-q", "-B", "change")
    edit(root / "requests" / "2026" / "NB-2026-0142.yaml", "\ntitle: ", "\ntitle: Revised ")
    commit(root, "revise the agreement")

    report = check_base(cli, root)
    full = full_check(cli, root)

    assert [d["request_id"] for d in report["decisions"]] == ["NB-2026-0142", "NB-2026-0205"]
    assert report["decisions"] == [full["NB-2026-0142"], full["NB-2026-0205"]]
