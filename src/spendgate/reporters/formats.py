"""The formats `check` writes, one module each, chosen from one dict.

Every module has `render(report, *, colour=False) -> str`. They are imported when chosen, so
that start-up stays lean and a run pays only for the formats it writes.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from spendgate.decisions import CheckReport

#: Format name -> module under `spendgate.reporters`.
CHECK_FORMATS = {
    "text": "check_text",
    "json": "check_json",
    "sarif": "sarif",
    "junit": "junit",
    "github": "github",
    "markdown": "markdown",
}


class Renderer(Protocol):
    """What every format module's `render` is: a check report in, text out."""

    def __call__(self, report: CheckReport, *, colour: bool = False) -> str: ...


def renderer(name: str) -> Renderer:
    """The `render` function of the format called `name` (one of CHECK_FORMATS)."""
    module = importlib.import_module(f"spendgate.reporters.{CHECK_FORMATS[name]}")
    render: Renderer = module.render
    return render
