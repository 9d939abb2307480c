"""The text of `spendgate impact`: each request decided differently, old beside new.

Every line goes through `escaping.text_line`, as in the `text` report of `check`. The `github`
report of a pull request that changes governance prints the same lines (`changed_lines`).
"""

from __future__ import annotations

from spendgate.decisions import Impact
from spendgate.decisions import ImpactOutcome as Outcome
from spendgate.reporters.escaping import text_line


def difference(before: Outcome, after: Outcome) -> str:
    """What differs between two outcomes of one request: `status pending -> blocked; route
    +cfo -director` (a role with + is added to the route, with - taken off it)."""
    parts = []
    if before.status != after.status:
        parts.append(f"status {before.status} -> {after.status}")
    if before.classification != after.classification:
        parts.append(f"classification {before.classification} -> {after.classification}")
    if set(before.roles) != set(after.roles):
        parts.append("route " + route_change(before, after))
    return "; ".join(parts)


def route_change(before: Outcome, after: Outcome) -> str:
    """The roles added to the route (`+cfo`), then those taken off it (`-director`)."""
    added = sorted(set(after.roles) - set(before.roles))
    removed = sorted(set(before.roles) - set(after.roles))
    return " ".join([f"+{role}" for role in added] + [f"-{role}" for role in removed])


def changed_lines(impact: Impact) -> list[str]:
    """One line per request whose decision changes, `file: id: difference` (not escaped)."""
    return [
        f"{file}: {request_id}: {difference(before, after)}"
        for request_id, file, before, after in impact.changed
    ]


def render(impact: Impact) -> str:
    """`impact` as text: one line per request whose decision changes, then the summary."""
    lines = [*changed_lines(impact), impact.summary()]
    return "\n".join(text_line(line) for line in lines) + "\n"
