"""The progress bar of a long check: on standard error, only when it is a terminal, never in CI.

The core tells a `Progress` (`spendgate.policy.engine.Progress`) how deciding goes; this is the
one that draws it, with click's own progress bar. Runs under `PROGRESS_FROM` requests finish
before a bar would be read, so they draw none.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import click

#: From how many requests deciding shows a bar.
PROGRESS_FROM = 200


class TerminalProgress:
    """A click progress bar on standard error, started when the total is known."""

    def __init__(self) -> None:
        self.bar: Any = None

    def start(self, total: int) -> None:
        """Draw the bar for `total` requests, if there are enough to wait for."""
        if total < PROGRESS_FROM or self.bar is not None:
            return
        self.bar = click.progressbar(
            length=total,
            label=f"deciding {total:,} requests",
            file=sys.stderr,
            update_min_steps=max(1, total // 200),
        )
        self.bar.__enter__()

    def advance(self, decided: int) -> None:
        """Move the bar on by `decided` requests."""
        if self.bar is not None:
            self.bar.update(decided)

    def close(self) -> None:
        """Finish the bar's line, so that what follows starts on a line of its own."""
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None


def shows_progress() -> bool:
    """Whether a bar is drawn: standard error is a terminal, and this is not a CI run (CI logs
    are files, where a redrawn line is noise)."""
    return sys.stderr.isatty() and not os.environ.get("CI")


@contextmanager
def terminal_progress(*, wanted: bool = True) -> Iterator[TerminalProgress | None]:
    """A progress bar while the block runs, when one is wanted and `shows_progress()`."""
    if not (wanted and shows_progress()):
        yield None
        return
    progress = TerminalProgress()
    try:
        yield progress
    finally:
        progress.close()
