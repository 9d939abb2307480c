"""Options several commands share, spelled once."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

import click


def format_option(names: Iterable[str]) -> Callable[[Any], Any]:
    """`--format NAME`, one of `names` (`text` by default), passed as `output_format`."""
    return click.option(
        "--format",
        "output_format",
        type=click.Choice(list(names)),
        default="text",
        show_default=True,
        help="Output format; each JSON output has its schema in schemas/.",
    )
