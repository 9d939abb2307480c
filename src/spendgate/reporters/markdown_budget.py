"""How the pull-request comment (`markdown`) stays within GitHub's limit: a budget of length
that every part of the comment is charged to, tables that take the rows that fit and say how
many they left out, and length counted as GitHub and JavaScript count it.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence


def length(text: str) -> int:
    """How long `text` is for GitHub: in UTF-16 code units, as JavaScript (and so a bot that
    posts the comment) counts, which is never less than Python's count of characters (an emoji
    past U+FFFF, such as 🚫, counts twice)."""
    return len(text.encode("utf-16-le")) // 2


class Budget:
    """What is left of the comment's length; lines are charged with their line break."""

    def __init__(self, left: int) -> None:
        self.left = left

    @staticmethod
    def cost(lines: Sequence[str]) -> int:
        """What `lines` take of the comment."""
        return sum(length(line) + 1 for line in lines)

    def fits(self, lines: Sequence[str]) -> bool:
        """Whether `lines` fit in what is left."""
        return self.cost(lines) <= self.left

    def spend(self, lines: list[str]) -> list[str]:
        """`lines`, charged to the budget (the caller has made sure that they fit)."""
        self.left -= self.cost(lines)
        return lines


def capped_table(
    head: list[str],
    rows: list[str],
    budget: Budget,
    *,
    most: int,
    more: Callable[[int], str],
) -> list[str]:
    """`head` (a heading and the table's header) and its first rows, at most `most` and as many
    as fit in `budget`, then a blank line; when some are left out, `more(first row left out)`
    says so under the table. A table is never cut: no room for a row, no table."""
    if len(rows) <= most and budget.fits([*head, *rows, ""]):
        return budget.spend([*head, *rows, ""])
    reserve = Budget.cost([more(0), ""])  # the longest: fewer left out is never longer
    taken: list[str] = []
    room = budget.left - reserve - Budget.cost([*head, ""])
    for row in rows[:most]:
        room -= length(row) + 1
        if room < 0:
            break
        taken.append(row)
    table = [*head, *taken, ""] if taken else []
    closing = [more(len(taken)), ""]
    return budget.spend(table + closing) if budget.fits(table + closing) else []


def counted(counts: Counter[str], order: Iterable[str]) -> str:
    """`2 blocked, 1 pending`: the counts that are not zero, in `order`, digits grouped."""
    return ", ".join(f"{counts[key]:,} {key}" for key in order if counts[key])
