"""`check`: decide every request (of the tree, or those a pull request touches) and render the
report in each format asked for; for a whole tree, when nothing it is made of changed since an
earlier run, what that run printed.

Only the top folder of a git repository with a commit keeps runs (`catalogue.check_cache`: its
cache folder is git-ignored). A run that met a bug in spendgate is never kept, so that it is
decided again next time. The policy engine is imported only when something must be decided: a
warm run pays for reading a file, not for the engine.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from spendgate import vcs
from spendgate.audit.log import log_path
from spendgate.audit.recorded import vanished_requests
from spendgate.catalogue.check_cache import CheckCache, KeptCheck, check_key
from spendgate.decisions import CheckReport, Gate
from spendgate.errors import GitError
from spendgate.vcs.repository import top_level

if TYPE_CHECKING:  # the engine loads only when something must be decided
    from spendgate.policy.engine import Progress


@dataclass(frozen=True)
class CheckRun:
    """What a check printed in each format asked for, and what its gate depends on."""

    outputs: dict[str, str]
    """The text of each format, by name (`text+colour` for coloured text)."""
    gate: Gate
    warm: bool = False
    """Whether the run was an earlier one's, kept because nothing had changed."""
    diagnostics: tuple[str, ...] = ()
    """The report's sentences for debugging (`CheckReport.diagnostics`), printed on request."""


def rendered(report: CheckReport, formats: Sequence[str]) -> CheckRun:
    """`report` in each of `formats` (`text+colour` is text for a terminal, `text+quiet` the
    text of what needs attention)."""
    placed = placed_in_repository(report)
    outputs = {name: _render(placed, name) for name in formats}
    return CheckRun(outputs, report.gate(), diagnostics=report.diagnostics)


def placed_in_repository(report: CheckReport) -> CheckReport:
    """`report` with where its root stands in its git repository (`repository_path`), so that
    SARIF names files from the repository's top folder; as it is outside git."""
    root = Path(report.root)
    top = top_level(root) if root.is_dir() else None
    if top is None:
        return report
    try:
        path = root.resolve().relative_to(top.resolve())
    except ValueError:  # git names a top folder that does not hold the root: trust neither
        return report
    return replace(report, repository_path=path.as_posix() if path.parts else "")


def _render(report: CheckReport, name: str) -> str:
    """`report` in the format called `name`, with its `+` options."""
    from spendgate.reporters import check_text
    from spendgate.reporters.formats import renderer

    format_name, *options = name.split("+")
    colour = "colour" in options
    if format_name == "text":
        return check_text.render(report, colour=colour, quiet="quiet" in options)
    return renderer(format_name)(report, colour=colour)


def check_tree(
    root: Path,
    *,
    as_of: date,
    reviews: Path | None,
    author_login: str | None,
    formats: Sequence[str],
    files: Sequence[str] = (),
    progress: Progress | None = None,
) -> CheckRun:
    """Every request of the repository at `root` decided as of `as_of`, rendered in `formats`
    (`text+colour` is text for a terminal); an earlier run's when its inputs are the same.
    Given `files` (relative to `root`), only their requests and problems, the rest of the
    repository being their context. `progress` is told how deciding goes."""
    cache = _cache_of(root)
    inputs = _inputs(as_of, reviews, author_login)
    if inputs is not None and files:
        inputs["files"] = "\n".join(files)
    log = log_path(root)
    if inputs is not None:  # not YAML, so not among the files the key reads
        inputs["decision_log"] = _stamp(log)
    key = check_key(root, inputs) if cache is not None and inputs is not None else None
    kept = cache.get(key) if cache is not None and key is not None else None
    if kept is not None and all(name in kept.outputs for name in formats):
        return CheckRun(kept.outputs, kept.gate, warm=True)
    from spendgate.policy.gate import PullRequest, check_repository

    pull_request = PullRequest(reviews=reviews, author_login=author_login)
    report = check_repository(
        root,
        as_of=as_of,
        pull_request=pull_request,
        files=frozenset(files) if files else None,
        progress=progress,
    )
    if not files:
        report = _with_vanished_requests(root, log, report)
    run = rendered(report, formats)
    if cache is None or key is None or inputs is None or run.gate.internal_errors:
        return run
    if check_key(root, inputs) == key:  # nothing changed while deciding
        outputs = {**(kept.outputs if kept else {}), **run.outputs}
        cache.put(key, KeptCheck(outputs, run.gate))
    return run


def _with_vanished_requests(root: Path, log: Path, report: CheckReport) -> CheckReport:
    """`report` with a problem per request the decision log at `log` records that the
    repository no longer holds (`audit.recorded`): a decided request's id, or a withdrawn one's
    file that is still there, holds it."""
    decided = {decision.request_id for decision in report.decisions}
    vanished = vanished_requests(root, log, decided)
    return replace(report, problems=(*report.problems, *vanished)) if vanished else report


def _stamp(path: Path) -> str:
    """A file's size and change time, for the key of a kept run (empty when there is none)."""
    try:
        status = path.stat()
    except OSError:
        return ""
    return f"{status.st_size}:{status.st_mtime_ns}:{status.st_ctime_ns}"


def check_change(
    root: Path,
    base_ref: str,
    *,
    as_of: date,
    reviews: Path | None,
    author_login: str | None,
    formats: Sequence[str],
) -> CheckRun:
    """A pull request's check: what changed in `root` since `base_ref`, judged by its rules,
    rendered in `formats` (the catalogue keeps it fast; there is no kept run to reuse)."""
    from spendgate.app.pull_request import check_against_base
    from spendgate.policy.gate import PullRequest

    pull_request = PullRequest(reviews=reviews, author_login=author_login)
    return rendered(
        check_against_base(root, base_ref, as_of=as_of, pull_request=pull_request), formats
    )


def _cache_of(root: Path) -> CheckCache | None:
    """The check cache of `root`, when it is the top of a git repository with a commit (a
    folder inside another project, such as its examples, keeps nothing)."""
    if not root.is_dir() or top_level(root) != root.resolve() or vcs.head(root) is None:
        return None
    try:
        cache = CheckCache.open(root)
    except GitError:
        return None
    return cache if cache.directory is not None else None


def _inputs(as_of: date, reviews: Path | None, author_login: str | None) -> dict[str, str] | None:
    """What a check reads besides the repository's files: the date and the pull request; None
    when the reviews cannot be read (deciding says why)."""
    digest = ""
    if reviews is not None:
        try:
            digest = hashlib.sha256(reviews.read_bytes()).hexdigest()
        except OSError:
            return None
    return {
        "as_of": as_of.isoformat(),
        "reviews": digest,
        "reviews_path": str(reviews or ""),
        "author": author_login or "",
    }
