"""The text of `spendgate impact`: each request decided differently, old beside new.

Every line goes through `escaping.text_line`, as in the `text` report of `check`.
"""

from __future__ import annotations

from spendgate.decisions import Impact
from spendgate.decisions import ImpactOutcome as Outcome
from spendgate.reporters.escaping import text_line


def _difference(before: Outcome, after: Outcome) -> str:
    parts = []
    if before.status != after.status:
        parts.append(f"status {before.status} -> {after.status}")
    if before.classification != after.classification:
        parts.append(f"classification {before.classification} -> {after.classification}")
    added = sorted(set(after.roles) - set(before.roles))
    removed = sorted(set(before.roles) - set(after.roles))
    if added or removed:
        roles = [f"+{role}" for role in added] + [f"-{role}" for role in removed]
        parts.append("route " + " ".join(roles))
    return "; ".join(parts)


def render(impact: Impact) -> str:
    """`impact` as text: one line per request whose decision changes, then the summary."""
    lines = [
        f"{file}: {request_id}: {_difference(before, after)}"
        for request_id, file, before, after in impact.changed
    ]
    lines.append(impact.summary())
    return "\n".join(text_line(line) for line in lines) + "\n"
