"""`spendgate check [PATH]`: decide every request; the CI gate."""

from __future__ import annotations

import json
import os
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

import click

from spendgate.cli.paths import repository_and_files, wants_colour
from spendgate.cli.progress import terminal_progress

if TYPE_CHECKING:  # the core loads only when the command runs, keeping start-up lean
    from spendgate.decisions import Gate

from spendgate import __version__
from spendgate.errors import UsageError
from spendgate.reporters.escaping import text_line
from spendgate.reporters.formats import CHECK_FORMATS


@click.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path), metavar="[PATH]...")
@click.option(
    "--format",
    "output_format",
    type=click.Choice(list(CHECK_FORMATS)),
    default="text",
    show_default=True,
    help="What to print on standard output.",
)
@click.option(
    "--output",
    "outputs",
    multiple=True,
    metavar="FORMAT=PATH",
    help="Also write the report in FORMAT to PATH (repeatable), e.g. sarif=spendgate.sarif.",
)
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Evaluation date (YYYY-MM-DD); today by default. Recorded in every decision.",
)
@click.option("--allow-pending", is_flag=True, help="Pass requests that only wait for approvals.")
@click.option(
    "--fail-on",
    type=click.Choice(["error", "warning"]),
    default="error",
    show_default=True,
    help="Fail the gate on errors only, or on warnings too (advisory findings, approvals that "
    "do not count, warnings about the repository).",
)
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Text only: leave out approved requests and the notes; print what needs attention "
    "and the summary. No progress bar.",
)
@click.option(
    "--github-reviews",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    default=None,
    help="A pull request's reviews (GitHub REST API JSON); approving reviews count as approvals.",
)
@click.option("--pr-author", default=None, help="GitHub login of the pull request's author.")
@click.option(
    "--base",
    "base_ref",
    default=None,
    help="Check a pull request: what changed since this git ref, judged by its rules. "
    "On GitHub Actions, taken from GITHUB_BASE_REF.",
)
@click.option(
    "--verbose",
    "-v",
    is_flag=True,
    help="Also print, on standard error, how the check was made (what the catalogue did).",
)
def check(
    paths: tuple[Path, ...],
    output_format: str,
    outputs: tuple[str, ...],
    as_of: object,
    allow_pending: bool,
    fail_on: str,
    quiet: bool,
    github_reviews: Path | None,
    pr_author: str | None,
    base_ref: str | None,
    verbose: bool,
) -> int:
    """Decide every purchase request in the repository at PATH (the one around the current
    folder by default). Given files instead, decide only the requests in them, with the whole
    repository as context (what pre-commit and editors pass).

    Exits 0 when every request is approved (or pending, with --allow-pending), 1 when one is
    blocked, rejected, invalid or pending, 2 on a configuration error such as a policy that does
    not compile, 3 when spendgate failed while deciding a request (the others are decided and
    reported).
    """
    from spendgate.app.check import check_change, check_tree

    path, files = repository_and_files(paths)
    targets = [_output_target(value) for value in outputs]
    evaluation_date = as_of.date() if hasattr(as_of, "date") else date.today()
    base_ref = base_ref or _github_base()
    author = pr_author or _github_author()
    if quiet and output_format != "text":
        raise UsageError("--quiet shortens the text report; it does nothing to --format json")
    shown = output_format + ("+colour" if output_format == "text" and wants_colour() else "")
    shown += "+quiet" if quiet else ""
    formats = list(dict.fromkeys([*(name for name, _ in targets), shown]))
    if base_ref and files:
        raise UsageError("--base checks what a pull request changes; give no files with it")
    if base_ref:
        run = check_change(
            path,
            base_ref,
            as_of=evaluation_date,
            reviews=github_reviews,
            author_login=author,
            formats=formats,
        )
    else:
        with terminal_progress(wanted=not quiet) as progress:
            run = check_tree(
                path,
                as_of=evaluation_date,
                reviews=github_reviews,
                author_login=author,
                formats=formats,
                files=files,
                progress=progress,
            )
    for name, target in targets:
        _write(target, run.outputs[name])
    click.echo(run.outputs[shown], nl=False)
    if verbose:
        for line in run.diagnostics:  # escaped: a CI runner reads its standard error too
            click.echo(text_line(line), err=True)
    if run.gate.internal_errors:
        click.echo(
            f"spendgate: internal error while deciding {run.gate.internal_errors} request(s); "
            f"each is reported as invalid. This is a bug in spendgate {__version__}: "
            "please report it.",
            err=True,
        )
    return gate_exit_code(run.gate, allow_pending=allow_pending, fail_on=fail_on)


def _output_target(value: str) -> tuple[str, Path]:
    name, separator, target = value.partition("=")
    if not separator or not target:
        raise UsageError(f"--output takes FORMAT=PATH, not {value!r}")
    if name not in CHECK_FORMATS:
        raise UsageError(
            f"--output: unknown format {name!r}; choose from {', '.join(CHECK_FORMATS)}"
        )
    return name, Path(target)


def _write(target: Path, text: str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    except OSError as error:
        raise UsageError(f"cannot write {target}: {error.strerror}") from None


def gate_exit_code(gate: Gate, *, allow_pending: bool, fail_on: str = "error") -> int:
    """SPEC §8: 3 when spendgate failed while deciding a request, 2 for configuration errors,
    1 when the gate blocks (or, failing on warnings, when something warns), 0 when all pass. A
    rejected request fails the gate even with `allow_pending`: it waits for nobody, only a
    changed request can be approved."""
    if gate.internal_errors:
        return 3
    if gate.has_configuration_errors:
        return 2
    failing = {"blocked", "rejected", "invalid"} | (set() if allow_pending else {"pending"})
    if gate.has_errors or failing & set(gate.statuses):
        return 1
    if fail_on == "warning" and gate.has_warnings:
        return 1
    return 0


def _github_base() -> str | None:
    """On a GitHub Actions pull-request run, the base branch as the checkout knows it."""
    base = os.environ.get("GITHUB_BASE_REF")
    return f"origin/{base}" if base else None


def _github_author() -> str | None:
    """The pull request's author, from the event payload GitHub Actions provides."""
    event = os.environ.get("GITHUB_EVENT_PATH")
    if not event:
        return None
    try:
        payload = json.loads(Path(event).read_text(encoding="utf-8"))
        return str(payload["pull_request"]["user"]["login"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
