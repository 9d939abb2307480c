"""The formats `check` writes, one module each, chosen from one dict; and the formats of the
commands that print one result, `text` or `json`, chosen from another.

Every module of CHECK_FORMATS has `render(report, *, colour=False) -> str`. They are imported
when chosen, so that start-up stays lean and a run pays only for the formats it writes.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
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


#: Command -> format name -> `module:function` under `spendgate.reporters`: the function takes
#: the command's result and returns what it prints. (`validate` and `audit verify` keep theirs
#: beside their data: `problems.FORMATS`, `spendgate.audit.verify_report.FORMATS`.)
COMMAND_FORMATS: dict[str, dict[str, str]] = {
    "explain": {"text": "explain_text:render", "json": "explain_json:render"},
    "impact": {"text": "impact_text:render", "json": "impact_json:render"},
    "policies list": {"text": "policy_rules:render_text", "json": "policy_rules:render_json"},
    "test": {"text": "policy_tests:render_text", "json": "policy_tests:render_json"},
    "approve": {"text": "approval:render_text", "json": "approval:render_json"},
}


def command_renderer(command: str, name: str) -> Callable[..., str]:
    """The function that renders `command`'s result in the format called `name` (explain's
    also take a `guide` to what its blocking findings ask)."""
    module_name, _, function = COMMAND_FORMATS[command][name].partition(":")
    module = importlib.import_module(f"spendgate.reporters.{module_name}")
    render: Callable[..., str] = getattr(module, function)
    return render
