"""`spendgate audit render [PATH] --out DIR [--log PATH]`: the static HTML audit site."""

from __future__ import annotations

from pathlib import Path

import click

from spendgate.cli.paths import RepositoryPath


@click.command("render")
@click.argument("path", type=RepositoryPath(), default=".")
@click.option(
    "--out",
    required=True,
    metavar="DIR",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the site: a new or empty directory, or one an earlier render wrote.",
)
@click.option(
    "--log",
    type=click.Path(dir_okay=False, path_type=Path),
    default=None,
    help="The decision log; by default paths.audit_log of spendgate.yaml (audit/decisions.jsonl).",
)
def render(path: Path, out: Path, log: Path | None) -> int:
    """Write the audit site of the decision log of the repository at PATH into DIR.

    A searchable, filterable index of every record; a page per decision (request, classification,
    route and approvals, findings with their rules, waivers, chain, git history), per policy
    version and per vendor. Open DIR/index.html in a browser: it needs no server and no network.
    Exits 0 when the site is written, 2 when the log is missing or DIR holds something else.
    """
    from spendgate.audit.log import display_name
    from spendgate.audit.site import render_site

    site = render_site(path, out=out, log_path=log)
    name = display_name(site.log, path)
    for number in site.skipped:
        click.echo(f"{name}:{number}: not a decision record; left out of the site", err=True)
    click.echo(
        f"wrote {out / 'index.html'} and {site.decisions} decision, {site.policies} policy and "
        f"{site.vendors} vendor page(s) ({len(site.files)} files) from {name}"
    )
    return 0
