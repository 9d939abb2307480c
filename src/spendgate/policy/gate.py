"""`check`'s core: load the repository and its policies, decide every request, return data."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from spendgate import vcs
from spendgate.approvals.github import person_of_login, read_reviews
from spendgate.approvals.review_commits import ReviewedContent
from spendgate.approvals.routing import RoleHolders
from spendgate.decisions import CheckReport, PolicyRules, RuleInfo
from spendgate.documents.config import Config
from spendgate.documents.people import Person
from spendgate.documents.repository import Elsewhere, Repository, open_repository
from spendgate.errors import UsageError
from spendgate.policy import parallel
from spendgate.policy.compile import PolicyBook, PolicyErrors
from spendgate.policy.engine import Engine, Progress
from spendgate.policy.library import load_policy_book, unknown_roles
from spendgate.policy.reference_advice import reference_fix
from spendgate.problems import Level, Location, Problem


def load(
    root: Path, elsewhere: Elsewhere | None = None
) -> tuple[Repository, Config, PolicyBook | None, list[Problem]]:
    """The repository, its configuration, and its compiled policies (None when they fail)."""
    if not root.is_dir():
        raise UsageError(f"{root} is not a governance repository directory")
    repository = open_repository(root, elsewhere)
    if repository.config is None:
        raise UsageError(f"{root} has no valid spendgate.yaml; run `spendgate validate {root}`")
    try:
        return repository, repository.config, load_policy_book(repository), []
    except PolicyErrors as failure:
        return repository, repository.config, None, failure.problems


@dataclass(frozen=True)
class PullRequest:
    """What spendgate knows of the pull request being checked, if any."""

    reviews: Path | None = None
    author_login: str | None = None


def check_repository(
    root: Path,
    *,
    as_of: date,
    pull_request: PullRequest = PullRequest(),
    history: Path | None = None,
    only: Callable[[str, str], bool] | None = None,
    elsewhere: Elsewhere | None = None,
    files: frozenset[str] | None = None,
    progress: Progress | None = None,
) -> CheckReport:
    """Decide every request of the repository at `root` as of `as_of`.

    `only(file, request id)` says which requests to decide; `elsewhere` stands in for the
    documents of the repository that `root` leaves out; `files` limits what is decided and
    reported to those files (the rest of the repository is their context); `progress` is told
    how deciding goes.
    """
    if files is not None:
        only = _in_files(files, only)
    repository, config, book, policy_problems = load(root, elsewhere)
    # Files whose problems their requests' decisions report; a withdrawn request is not decided,
    # so the problems of a file holding only withdrawn ones are reported below as the run's own.
    request_files = {
        loaded.file
        for loaded in repository.files
        if any(
            d.kind == "PurchaseRequest"
            and getattr(d.facts or d.model, "status", None) != "withdrawn"
            for d in loaded.documents
        )
    }
    if book is None:
        return CheckReport(str(root), as_of, "", "", (), tuple(policy_problems))
    engine = Engine(book, repository, config, as_of, history=history)
    engine.progress = progress
    if pull_request.reviews is not None:
        if config.approvals.source == "records":
            raise UsageError(
                "spendgate.yaml sets approvals.source to records; set it to github or both "
                "to count pull-request reviews"
            )
        engine.desk.reviews = read_reviews(pull_request.reviews, repository.people)
        engine.desk.reviews_location = Location(str(pull_request.reviews), 1, 1)
        engine.desk.head_commit = vcs.head(history or root)
        engine.desk.digest_at = ReviewedContent(history or root, repository).digest_at
    engine.notary.pr_author = person_of_login(repository.people, pull_request.author_login)
    # Each request's model is let go once it is decided: nothing here reads it again.
    decisions = parallel.decide_all(engine, only, let_go=True)
    decided = {decision.file for decision in decisions}
    others = [
        problem
        for problem in repository.problems
        if problem.is_error and problem.location.file not in decided | request_files
    ]
    others += [
        Problem(
            engine.locator.locate(file, 0, ("id",)),
            f"waiver {waiver.id} matches no finding of {', '.join(waiver.rules)} "
            f"on {', '.join(waiver.applies_to)}",
            "waiver-unmatched",
            level=Level.WARNING,
        )
        for file, waiver in engine.waivers.unmatched()
        if files is None  # deciding some requests, a waiver may match one not decided
    ]
    others += unknown_roles(book, repository)
    if files is not None:
        others = [problem for problem in others if problem.location.file in files]
    return CheckReport(
        str(root),
        as_of,
        book.name,
        book.version,
        tuple(decisions),
        tuple(others),
        rules=rule_infos(book, engine.rules.role_holders),
        waivers=config.paths.waivers,
    )


def _in_files(
    files: frozenset[str], only: Callable[[str, str], bool] | None
) -> Callable[[str, str], bool]:
    """`only`, narrowed to the requests of `files`."""

    def selected(file: str, request_id: str) -> bool:
        return file in files and (only is None or only(file, request_id))

    return selected


def rule_infos(book: PolicyBook, holders: RoleHolders | None = None) -> tuple[RuleInfo, ...]:
    """What reports need to know of every rule of the book (its fix: the policy's own, else the
    reference library's advice); with the holders of roles, also who may grant a waiver of
    each."""
    return tuple(
        RuleInfo(
            rule.id,
            rule.title,
            rule.description,
            policy.name,
            policy.version,
            policy.owner,
            rule.effect,
            rule.enforcement,
            rule.location,
            rule.fix or reference_fix(policy.name, rule.id),
            holders.of(policy.owner, None) if holders else (),
        )
        for policy, rule in book.rules
    )


def policy_rules(book: PolicyBook, people: Iterable[Person] = ()) -> PolicyRules:
    """What `spendgate policies list` shows of the book: its name, size and every rule (with
    who of `people` may grant a waiver of it)."""
    infos = rule_infos(book, RoleHolders(people))
    return PolicyRules(book.name, book.version, len(book.policies), infos)
