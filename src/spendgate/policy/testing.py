"""`spendgate test`: policy test cases, a folder each, checked against the policies' decisions.

A repository's cases live in `<policies>/tests/`. `base/` there is a small governance
repository; each other folder holding an `expect.yaml` is a case: its other files are laid over
a copy of the base (same path replaces, new path adds), the copy is decided under the
repository's own policies, and the decision of the named request must match the expectation.
"""

from __future__ import annotations

import shutil
import tempfile
from dataclasses import dataclass
from pathlib import Path

from pydantic import Field

from spendgate.documents.fields import IsoDate, StrictModel
from spendgate.documents.located_yaml import YamlProblem, load_located
from spendgate.documents.repository import open_repository
from spendgate.documents.source import SourceProblem, read_source
from spendgate.errors import ConfigurationError
from spendgate.policy.compile import PolicyBook
from spendgate.policy.engine import Engine

EXPECT_FILE = "expect.yaml"
BASE_DIR = "base"


class Expectation(StrictModel):
    """What a case expects of one request's decision; every field given is checked."""

    description: str = ""
    request: str
    as_of: IsoDate
    status: str | None = None
    classification: str | None = None
    roles: list[str] | None = None
    """Exactly the roles of the route."""
    findings: list[str] | None = None
    """Exactly the rule ids of the findings."""
    fires: list[str] = Field(default_factory=list)
    does_not_fire: list[str] = Field(default_factory=list)
    requires: list[str] = Field(default_factory=list)
    """Roles the route must include."""
    does_not_require: list[str] = Field(default_factory=list)


@dataclass(frozen=True)
class CaseResult:
    """The outcome of one test case: its name, description and differences."""

    name: str
    """The test case's name (its folder)."""
    description: str
    """What the case tests."""
    differences: tuple[str, ...]
    """How the decision differs from what the case expects; empty when it passed."""

    @property
    def passed(self) -> bool:
        """Whether the decision matched every expectation."""
        return not self.differences


def discover(directory: Path) -> list[Path]:
    """Every case folder under `directory`, in name order."""
    return sorted(
        path.parent for path in directory.rglob(EXPECT_FILE) if BASE_DIR not in path.parts
    )


def read_expectation(case: Path) -> Expectation:
    """The `expect.yaml` of `case`; ConfigurationError when it is not valid."""
    path = case / EXPECT_FILE
    try:
        (document,) = load_located(read_source(path, root=case).text)
    except SourceProblem as failure:
        raise ConfigurationError(f"{path}: {failure.problem.message}") from None
    except (YamlProblem, ValueError) as error:
        raise ConfigurationError(f"{path}: not a single YAML mapping ({error})") from None
    try:
        return Expectation.model_validate(document.value)
    except ValueError as error:
        raise ConfigurationError(f"{path}: {error}") from None


def run_case(case: Path, base: Path, book: PolicyBook) -> CaseResult:
    """Run one case over a copy of `base` and compare its decision with expectation."""
    expectation = read_expectation(case)
    with tempfile.TemporaryDirectory(prefix="spendgate-test-") as scratch:
        repository_root = Path(scratch) / "repo"
        shutil.copytree(base, repository_root)
        for source in case.rglob("*"):
            if source.is_file() and source.name != EXPECT_FILE:
                target = repository_root / source.relative_to(case)
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(source, target)
        differences = _decide_and_compare(repository_root, book, expectation)
    return CaseResult(case.name, expectation.description, tuple(differences))


def _decide_and_compare(root: Path, book: PolicyBook, expectation: Expectation) -> list[str]:
    repository = open_repository(root)
    if repository.config is None:
        return ["the case has no valid spendgate.yaml"]
    engine = Engine(book, repository, repository.config, expectation.as_of)
    decisions = {decision.request_id: decision for decision in engine.decide_all()}
    decision = decisions.get(expectation.request)
    if decision is None:
        return [f"no decision for request {expectation.request}"]
    fired = sorted({finding.rule_id for finding in decision.findings})
    roles = sorted({name for step in decision.route for name in step.roles})
    differences = []
    if expectation.status is not None and decision.status != expectation.status:
        differences.append(f"status: expected {expectation.status}, got {decision.status}")
    if (
        expectation.classification is not None
        and decision.classification.result != expectation.classification
    ):
        got = decision.classification.result
        differences.append(f"classification: expected {expectation.classification}, got {got}")
    if expectation.roles is not None and roles != sorted(expectation.roles):
        differences.append(f"roles: expected {sorted(expectation.roles)}, got {roles}")
    if expectation.findings is not None and fired != sorted(expectation.findings):
        differences.append(f"findings: expected {sorted(expectation.findings)}, got {fired}")
    differences += [
        f"expected {rule} to fire; findings: {fired}"
        for rule in expectation.fires
        if rule not in fired
    ]
    differences += [
        f"expected {rule} not to fire" for rule in expectation.does_not_fire if rule in fired
    ]
    differences += [
        f"expected a {role} step; route: {roles}"
        for role in expectation.requires
        if role not in roles
    ]
    differences += [
        f"expected no {role} step" for role in expectation.does_not_require if role in roles
    ]
    if decision.status == "invalid":
        differences += [
            f"invalid: {finding.location}: {finding.message}" for finding in decision.findings
        ]
    return differences


def run_cases(directory: Path, book: PolicyBook, *, pattern: str = "") -> list[CaseResult]:
    """Run every case in `directory` whose name contains `pattern` on its `base/` repository;
    the others are not run (a case decides a whole repository: `-k` is for speed)."""
    base = directory / BASE_DIR
    if not base.is_dir():
        raise ConfigurationError(
            f"{directory} has no {BASE_DIR}/ repository for the cases to build on"
        )
    return [run_case(case, base, book) for case in discover(directory) if pattern in case.name]
