"""`spendgate schema export`: write `schemas/<Kind>.schema.json` from the models."""

from __future__ import annotations

from pathlib import Path

import click


@click.group()
def schema() -> None:
    """JSON Schemas of the document kinds."""


@schema.command("export")
@click.option(
    "--out",
    "directory",
    type=click.Path(file_okay=False, path_type=Path),
    default=Path("schemas"),
    show_default=True,
    help="Directory to write the schemas into.",
)
def export(directory: Path) -> int:
    """Write one JSON Schema per document kind, generated from the models."""
    from spendgate.app.schemas import write_schemas

    changed = write_schemas(directory)
    for path in changed:
        click.echo(f"wrote {path}")
    click.echo(f"{len(changed)} schema(s) changed in {directory}")
    return 0
