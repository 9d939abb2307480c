"""References between documents are declared once, on the models (`RefersTo`), and checked from
that declaration: the table of declarations, the catalogue's reference columns, and a dangling
id in each declared field, reported at its place."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Annotated, Literal

import pytest

from spendgate.catalogue import REFERENCES
from spendgate.documents.ai_assessment import AIAssessment
from spendgate.documents.approval import Approval
from spendgate.documents.fields import Document, Identifier, RefersTo, StrictModel
from spendgate.documents.kinds import KINDS
from spendgate.documents.loading import LoadedDocument, LoadedFile
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.documents.references import (
    broken_references,
    declared_references,
    references_in,
)
from spendgate.documents.repository import open_repository
from spendgate.documents.waiver import Waiver
from spendgate.problems import Location

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


def test_catalogue_columns_are_declared_references() -> None:
    catalogued = (PurchaseRequest, AIAssessment, Approval, Waiver)
    fields = {
        path[0] for model in catalogued for path, _ in declared_references(model) if len(path) == 1
    }

    assert {column for column in REFERENCES if column != "id"} <= fields


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
