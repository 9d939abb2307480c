"""The duplicate and split-purchase checks at scale (issue 17): many alike requests of one vendor
are found through an index by vendor and day, never by comparing every pair, and each request
gets one finding that names the first five and counts the rest, however many fall in its window.

Built on the policy tests' base repository; asserts exact findings, messages and evidence.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from pathlib import Path

import pytest
import yaml

from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.policy.ledger import Nearby
from tests.test_money import BASE, copy_of, decisions, engine, line, request_yaml

START = date(2026, 9, 1)


def alike_requests(root: Path, count: int, *, days_apart: int, price: str = "300") -> list[str]:
    """`count` requests alike in vendor, requester and total, `days_apart` days from each other;
    their ids, in order of submission."""
    (root / "requests" / "pr-test.yaml").unlink()
    ids = [f"AL-{number:04d}" for number in range(count)]
    for number, request_id in enumerate(ids):
        submitted = (START + timedelta(days=number * days_apart)).isoformat()
        text = request_yaml(request_id, line(price), submitted=submitted)
        (root / "requests" / f"{request_id.lower()}.yaml").write_text(text, encoding="utf-8")
    return ids


def messages(root: Path, rule_id: str) -> dict[str, list[str]]:
    return {
        request_id: [f.message for f in decision.findings if f.rule_id == rule_id]
        for request_id, decision in decisions(root).items()
    }


def test_forty_alike_requests_in_one_window_give_each_one_finding_naming_five(
    tmp_path: Path,
) -> None:
    root = copy_of(BASE, tmp_path)
    ids = alike_requests(root, 40, days_apart=0)

    found = decisions(root)
    duplicates = {i: [f for f in d.findings if f.rule_id == "DUP-010"] for i, d in found.items()}
    splits = {i: [f for f in d.findings if f.rule_id == "SPLIT-010"] for i, d in found.items()}

    first = duplicates[ids[0]]
    assert [f.message for f in first] == [
        "AL-0000 looks like a duplicate of AL-0001, AL-0002, AL-0003, AL-0004, AL-0005 and 34 "
        "more (same vendor, requester and total, submitted within 30 days of it)"
    ]
    assert first[0].evidence == (
        ("request.total", Decimal("300.00")),
        *((f"AL-000{n}.total", Decimal("300.00")) for n in range(1, 6)),
    )
    assert {len(findings) for findings in duplicates.values()} == {1}
    assert [f.message for f in splits[ids[7]]] == [
        "AL-0000, AL-0001, AL-0002, AL-0003, AL-0004 and 35 more together total 12,000.00, above "
        "the 1,000 threshold that each stays under"
    ]
    assert len(splits[ids[7]][0].evidence) == 5
    assert {len(findings) for findings in splits.values()} == {1}


def test_requests_a_day_apart_see_only_those_within_thirty_days(tmp_path: Path) -> None:
    root = copy_of(BASE, tmp_path)
    ids = alike_requests(root, 70, days_apart=1)

    found = messages(root, "DUP-010")

    # Day 0 sees days 1..30; day 35 sees days 5..65 but itself: 60 others.
    assert found[ids[0]] == [
        "AL-0000 looks like a duplicate of AL-0001, AL-0002, AL-0003, AL-0004, AL-0005 and 25 "
        "more (same vendor, requester and total, submitted within 30 days of it)"
    ]
    assert found[ids[35]] == [
        "AL-0035 looks like a duplicate of AL-0005, AL-0006, AL-0007, AL-0008, AL-0009 and 55 "
        "more (same vendor, requester and total, submitted within 30 days of it)"
    ]


def test_one_alike_request_keeps_the_message_that_names_its_date(tmp_path: Path) -> None:
    root = copy_of(BASE, tmp_path)
    ids = alike_requests(root, 2, days_apart=3)

    assert messages(root, "DUP-010")[ids[0]] == [
        "AL-0000 looks like a duplicate of AL-0001 (same vendor, requester and total, submitted "
        "2026-09-04)"
    ]


@pytest.mark.parametrize(
    ("day", "expected"),
    [(0, ["a", "b"]), (30, ["a", "b", "c"]), (31, ["b", "c"]), (100, [])],
)
def test_nearby_finds_the_requests_within_the_days_either_side(
    day: int, expected: list[str]
) -> None:
    requests = [request("b", 1), request("a", 0), request("c", 60), request("d", 0)]
    nearby = Nearby(requests, key=lambda r: "other group" if r.id == "d" else "group")

    around = nearby.around(request("probe", day), 30)

    assert [r.id for r in around] == expected


def request(identifier: str, offset: int) -> PurchaseRequest:
    """A request `offset` days after START, from the base repository's YAML."""
    text = request_yaml(identifier, line("10"), submitted=(START + timedelta(offset)).isoformat())
    return PurchaseRequest.model_validate(yaml.safe_load(text))


def test_a_change_order_in_the_window_is_left_out_of_its_own_groups_only(
    tmp_path: Path,
) -> None:
    root = copy_of(BASE, tmp_path)
    ids = alike_requests(root, 8, days_apart=0)
    amending = root / "requests" / "al-0001.yaml"
    amending.write_text(
        request_yaml(
            "AL-0001", line("300"), submitted=START.isoformat(), extra="amends: AL-0000\n"
        ),
        encoding="utf-8",
    )

    found = messages(root, "DUP-010")

    assert found[ids[0]] == [
        "AL-0000 looks like a duplicate of AL-0002, AL-0003, AL-0004, AL-0005, AL-0006 and 1 "
        "more (same vendor, requester and total, submitted within 30 days of it)"
    ]
    assert found[ids[2]] == [
        "AL-0002 looks like a duplicate of AL-0000, AL-0001, AL-0003, AL-0004, AL-0005 and 2 "
        "more (same vendor, requester and total, submitted within 30 days of it)"
    ]
    splits = messages(root, "SPLIT-010")
    assert splits[ids[0]] == [
        "AL-0000, AL-0002, AL-0003, AL-0004, AL-0005 and 2 more together total 2,100.00, above "
        "the 1,000 threshold that each stays under"
    ]
    assert splits[ids[2]] == [
        "AL-0000, AL-0001, AL-0002, AL-0003, AL-0004 and 3 more together total 2,400.00, above "
        "the 1,000 threshold that each stays under"
    ]


def test_deciding_lets_go_of_each_request_and_weighs_it_as_before(tmp_path: Path) -> None:
    """A full check lets go of each request's model once it is decided, so that a large
    repository's models and decisions are not both held whole (issue 17). The requests decided
    after it weigh it by its facts: the same duplicates, split purchases, change-order totals,
    budget figures and renewal target, and no model is left afterwards."""
    root = copy_of(BASE, tmp_path)
    ids = alike_requests(root, 12, days_apart=3)
    (root / "requests" / "al-0004.yaml").write_text(
        request_yaml("AL-0004", line("300"), submitted="2026-09-13", extra="amends: AL-0000\n"),
        encoding="utf-8",
    )
    (root / "requests" / "al-0011.yaml").write_text(
        request_yaml(
            "AL-0011",
            line("300"),
            submitted="2026-10-04",
            extra="type: renewal\nrenews: AL-0002\n",
        ),
        encoding="utf-8",
    )
    held = engine(root).decide_all()

    letting_go = engine(root)
    decided = letting_go.decide_all(let_go=True)

    assert decided == held
    assert [d.request_id for d in decided] == ids
    assert {f.rule_id for d in decided for f in d.findings} >= {"DUP-010", "SPLIT-010"}
    assert list(letting_go.repository.documents("PurchaseRequest")) == []
    facts = [document.facts for document in letting_go.repository.requests()]
    assert [f.id for f in facts if f is not None] == ids
