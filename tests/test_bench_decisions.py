"""bench/decisions.py: the digest that says a speed change left every decision as it was."""

from __future__ import annotations

import copy
import sys
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "bench"))

from decisions import compare, summary


def _decisions() -> list[dict[str, Any]]:
    finding = {"rule_id": "DR-090", "message": "needs the CFO", "location": {"line": 5}}
    return [
        {
            "request_id": "PR-1",
            "status": "blocked",
            "findings": [finding],
            "inputs": {"documents": [["requests/a.yaml", "ab12"]], "spendgate_version": "0.1.0"},
        },
        {"request_id": "PR-2", "status": "pending", "findings": [], "inputs": {}},
    ]


def test_the_same_decisions_under_another_spendgate_version_are_identical() -> None:
    released = _decisions()
    released[0]["inputs"]["spendgate_version"] = "0.2.0"

    assert compare(summary(released), summary(_decisions())) == (
        True,
        "identical to the recorded decisions (2, sha256 ",
    )


def test_a_changed_message_location_or_blob_id_makes_the_decisions_differ() -> None:
    kept = summary(_decisions())
    for change in ("message", "line", "blob"):
        changed = copy.deepcopy(_decisions())
        if change == "message":
            changed[0]["findings"][0]["message"] = "needs the CFO."
        elif change == "line":
            changed[0]["findings"][0]["location"]["line"] = 6
        else:
            changed[0]["inputs"]["documents"][0][1] = "ab13"
        found = summary(changed)

        assert found["statuses"] == kept["statuses"] == {"blocked": 1, "pending": 1}
        assert compare(found, kept) == (
            False,
            "the decisions DIFFER from those recorded: 2 {'blocked': 1, 'pending': 1} then, "
            "2 {'blocked': 1, 'pending': 1} now",
        )


def test_a_corpus_made_by_another_generator_is_not_compared() -> None:
    kept = {**summary(_decisions()), "generator_sha256": "0" * 64}

    assert compare(summary(_decisions()), kept) == (
        False,
        "generate.py changed since the decisions were recorded: record them again",
    )
    assert compare(summary(_decisions()), None)[0] is False
