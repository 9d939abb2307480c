"""`spendgate audit record|verify|replay`: the tamper-evident decision log (SPEC §9).

Each command is a plain click command added to the `audit` group at the end of this module.
"""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from spendgate.audit.verify_report import FORMATS as VERIFY_FORMATS
from spendgate.cli.audit_render import render
from spendgate.cli.options import format_option
from spendgate.cli.paths import RepositoryPath
from spendgate.errors import UsageError

if TYPE_CHECKING:  # the core loads only when a command runs, keeping start-up lean
    from spendgate.audit.replay import Replayed

_LOG_HELP = (
    "The decision log; by default paths.audit_log of spendgate.yaml (audit/decisions.jsonl)."
)
_DECISION_ID = re.compile(r"^d-[0-9a-f]{16}$")


@click.group()
def audit() -> None:
    """The decision log: record decisions, verify the chain, replay a decision from git."""


@click.command("record")
@click.argument("path", type=RepositoryPath(), default=".")
@click.option(
    "--as-of",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    default=None,
    help="Evaluation date (YYYY-MM-DD); today by default.",
)
@click.option("--log", type=click.Path(dir_okay=False, path_type=Path), help=_LOG_HELP)
def record(path: Path, as_of: object, log: Path | None) -> int:
    """Decide every request at HEAD and append the new or changed decisions to the log.

    Run by CI on the main branch after a merge. Refuses when PATH is not a git repository or
    has uncommitted changes to documents. Exits 0, or 2 when the policies do not load.
    """
    from spendgate.app.record import record_head
    from spendgate.audit.log import display_name, log_path
    from spendgate.reporters.problems import problem_line

    target = log_path(path, log)
    evaluation_date = as_of.date() if hasattr(as_of, "date") else date.today()
    outcome = record_head(path, as_of=evaluation_date, log=target)
    if outcome.problems:
        for problem in outcome.problems:
            click.echo(problem_line(problem), err=True)
        click.echo("nothing recorded: the repository's configuration does not load", err=True)
        return 2
    click.echo(
        f"appended {len(outcome.appended)} record(s) to {display_name(target, path)}: "
        f"{len(outcome.appended)} new or changed of {outcome.decided} decision(s) at commit "
        f"{outcome.commit[:12]}"
    )
    click.echo(f"head {outcome.head}")
    return 0


@click.command("verify")
@click.argument("path", type=RepositoryPath(), default=".")
@click.option("--log", type=click.Path(dir_okay=False, path_type=Path), help=_LOG_HELP)
@click.option(
    "--anchor",
    metavar="HASH",
    help="A head hash kept elsewhere: fail unless the chain still holds that record, intact "
    "up to it.",
)
@click.option(
    "--base",
    metavar="REF",
    help="Anchor at the log's head at git revision REF, and fail unless the log at REF is a "
    "byte-for-byte prefix of this one.",
)
@format_option(VERIFY_FORMATS)
def verify(
    path: Path, log: Path | None, anchor: str | None, base: str | None, output_format: str
) -> int:
    """Recompute the log's hash chain and check its commits and document digests against git.

    Reports the first broken link by line and decision id, and prints the record count and the
    head hash. With --anchor or --base (or both), the log must still hold that head: a log cut
    short or rewritten and re-chained is a valid chain, but not an anchored one. Exits 0 when
    the log is intact, 1 when it is not, 2 for a malformed HASH or a REF git cannot read.
    """
    from spendgate.audit.anchor import parse_anchor
    from spendgate.audit.log import display_name, log_path
    from spendgate.audit.verify import verify_log

    anchor_hash = parse_anchor(anchor) if anchor is not None else None
    target = log_path(path, log)
    name = display_name(target, path)
    verified = verify_log(path, target, name=name, anchor=anchor_hash, base=base)
    click.echo(VERIFY_FORMATS[output_format](verified), nl=False)
    return 0 if verified.intact else 1


@click.command("replay")
@click.argument("decision_id", required=False)
@click.argument("path", type=RepositoryPath(), required=False)
@click.option("--all", "replay_all", is_flag=True, help="Replay every record of the log.")
@click.option("--log", type=click.Path(dir_okay=False, path_type=Path), help=_LOG_HELP)
def replay(decision_id: str | None, path: Path | None, replay_all: bool, log: Path | None) -> int:
    """Decide DECISION_ID's request again from git, at its recorded commit and date.

    With --all, every record (and the first argument, if any, is PATH). Prints `reproduced` or
    the fields that differ. Exits 0 when all are reproduced, 1 otherwise, 2 for an unknown id.
    """
    from spendgate.audit.log import display_name, log_path
    from spendgate.audit.replay import replay as replay_records

    wanted, root = _replay_arguments(decision_id, path, replay_all=replay_all)
    target = log_path(root, log)
    results = replay_records(root, target, decision_id=wanted, name=display_name(target, root))
    for result in results:
        click.echo(_replayed_text(result), nl=False)
    reproduced = sum(1 for result in results if result.reproduced)
    click.echo(f"{reproduced} of {len(results)} decision(s) reproduced")
    return 0 if reproduced == len(results) else 1


def _replay_arguments(
    decision_id: str | None, path: Path | None, *, replay_all: bool
) -> tuple[str | None, Path]:
    """(the decision to replay, None for all; the repository) from replay's arguments."""
    if not replay_all:
        if decision_id is None:
            raise UsageError("audit replay needs a DECISION_ID, or --all")
        return decision_id, path or Path()
    if decision_id is not None and (path is not None or _DECISION_ID.match(decision_id)):
        raise UsageError("audit replay takes a DECISION_ID or --all, not both")
    return None, Path(decision_id) if decision_id is not None else Path()


def _replayed_text(result: Replayed) -> str:
    """What replay says of one record: each line escaped, as the log's values are data."""
    from spendgate.reporters.escaping import text_line

    who = f"{result.decision_id} {result.request_id}"
    if result.reproduced:
        lines = [f"{who}: reproduced"]
    elif result.failure is not None:
        lines = [f"{who}: not replayed: {result.failure}"]
    else:
        lines = [f"{who}: differs"]
        lines += [
            f"  {d.path}: recorded {_value(d.recorded)}, now {_value(d.now)}"
            for d in result.differences
        ]
        lines += [f"  reason: {reason}" for reason in result.reasons]
    return "".join(f"{text_line(line)}\n" for line in lines)


def _value(value: Any) -> str:
    from spendgate.audit.replay import ABSENT

    if value is ABSENT:
        return "absent"
    return json.dumps(value, ensure_ascii=False, sort_keys=True)


audit.add_command(record)
audit.add_command(verify)
audit.add_command(replay)
audit.add_command(render)
