"""Decisions: what spendgate concluded about one purchase request, as frozen data.

Nothing here renders itself; reporters read these objects and nothing else (SPEC §5). A decision
and a problem become JSON through one pydantic `TypeAdapter` each (`as_json_data`), from which
their JSON Schema comes as well (`json_schema`): the published schema describes what is written.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING, Any, Literal, get_args

from spendgate.problems import Level, Location, Problem, Severity

if TYPE_CHECKING:
    from pydantic import TypeAdapter

Status = Literal["approved", "pending", "blocked", "rejected", "invalid"]
#: Every status, in the order outputs list them: from passing the gate to not loading at all.
STATUSES: tuple[Status, ...] = get_args(Status)
Enforcement = Literal["advisory", "soft", "hard"]
ClassificationResult = Literal["capex", "opex", "prepaid", "lease", "mixed", "none"]

#: The rule id of the finding an `invalid` decision carries when spendgate itself failed.
INTERNAL_ERROR = "internal-error"

#: A value a condition read, by its path in the evaluation context (`vendor.risk.tier`).
Evidence = tuple[tuple[str, Any], ...]


@dataclass(frozen=True, slots=True)
class Finding:
    """A rule that failed for this request, with where it points and what it saw."""

    rule_id: str
    """The id of the rule that failed, e.g. `ESG-010`."""
    title: str
    """The rule's title: what it asks."""
    policy: str
    """The name of the policy the rule belongs to."""
    policy_version: str
    """The policy's version (semver)."""
    enforcement: Enforcement
    """`advisory` (warns), `soft` (blocks unless waived) or `hard` (blocks)."""
    message: str
    """What is wrong, as the rule's message says it for this request."""
    location: Location
    """Where in which file the finding points."""
    evidence: Evidence = ()
    """The values the rule's conditions read, as [path in the evaluation context, value] pairs."""
    waiver: str | None = None
    """The id of the waiver that lifts the finding; none when no waiver does."""

    @property
    def warns(self) -> bool:
        """Whether it neither blocks nor was waived: an advisory finding, or an approval that
        does not count (what reports show as a warning)."""
        return not self.blocking and not (self.waiver is not None and self.enforcement == "soft")

    @property
    def blocking(self) -> bool:
        """Hard findings always block; soft ones unless waived; advisory ones never."""
        if self.enforcement == "hard":
            return True
        return self.enforcement == "soft" and self.waiver is None


@dataclass(frozen=True, slots=True)
class RouteStep:
    """One approval the request needs: a role, who may give it, and whether it has been given."""

    role: str
    """The role whose approval the step needs, e.g. `director`."""
    rule_id: str
    """The id of the rule that asks for the step."""
    reason: str
    """Why the step is needed, in the rule's words."""
    stage: int = 1
    """The approval stage, from 1: with sequential stages a step waits for every earlier one."""
    of: str | None = None
    """Whose the role is, as the rule scopes it: `department`, `cost_centre` or `requester`;
    none for anyone holding it."""
    veto: bool = False
    """Whether a rejection in this step blocks the request."""
    eligible: tuple[str, ...] = ()
    """The ids of the people who may fill the step (never the requester)."""
    satisfied: bool = False
    """Whether an approval that counts fills the step."""
    approved_by: str | None = None
    """The id of the person whose record fills the step (or rejects it)."""
    approved_on: date | None = None
    """The day of that approval or rejection (ISO date, YYYY-MM-DD)."""
    rejected: bool = False
    """Whether the step was rejected."""
    acting_for: str | None = None
    """When the approver acted through a delegation: whose role they exercised."""
    authenticity: str | None = None
    """How the approval is known to be the approver's: signed, author-match or unverified."""
    covers: tuple[str, ...] = ()
    """Further roles this step stands for, because the same one person alone may fill them."""
    comment: str | None = None
    """What the approver wrote with their approval or rejection."""
    escalated_from: str | None = None
    """The role the rule asked for (`director of department`), when nobody but the requester
    could fill it and the step passed up the policy's escalation chain to this role."""

    @property
    def roles(self) -> tuple[str, ...]:
        """The step's role and the further roles it stands for."""
        return (self.role, *self.covers)


@dataclass(frozen=True, slots=True)
class LineClassification:
    """How one line item was classified, by which row of which rule, and why."""

    line: int
    """The line item's position in the request, from 1."""
    result: str
    """The line's classification: `capex`, `opex`, `prepaid` or `lease`."""
    rule_id: str
    """The id of the classification rule that decided it."""
    row: int
    """The row of that rule's table that matched, from 1."""
    reason: str
    """The matching row's reason."""
    commitment: bool = False
    """Whether the row marks the line as a commitment."""


@dataclass(frozen=True, slots=True)
class Classification:
    """The request's classification: one result per line and their aggregate."""

    result: ClassificationResult
    """The request's classification: one line's result, `mixed` when the lines differ, `none`
    without lines classified."""
    lines: tuple[LineClassification, ...] = ()
    """The classification of each line item, in order."""

    @property
    def commitment(self) -> bool:
        """Whether any line is a commitment."""
        return any(line.commitment for line in self.lines)


@dataclass(frozen=True, slots=True)
class RuleTrace:
    """Why a rule did or did not apply to a request: what `explain` shows."""

    rule_id: str
    """The id of the rule considered."""
    policy: str
    """The name of the policy the rule belongs to."""
    effect: str
    """The rule's effect: `assert`, `require`, `classify` or `check`."""
    outcome: str
    """What came of it: `passed`, `failed`, `applied` or `not applicable`."""
    detail: str
    """Why, in a sentence."""
    evidence: Evidence = ()
    """The values the rule's conditions read, as [path in the evaluation context, value] pairs."""


@dataclass(frozen=True, slots=True)
class Inputs:
    """What the decision was made from, so it can be verified and replayed."""

    evaluation_date: date
    """The day the request was judged as of (ISO date, YYYY-MM-DD): `now` in the conditions."""
    policy_set: str
    """The name of the policy set that decided."""
    policy_set_version: str
    """The policy set's version (semver)."""
    documents: tuple[tuple[str, str], ...]
    """Every document and policy the decision read, as [path or `policy:NAME@VERSION`, git
    blob id] pairs."""
    fx_rates: tuple[tuple[str, str], ...] = ()
    """The exchange rates used, as [currency, rate into the base currency] pairs."""
    spendgate_version: str = ""
    """The version of spendgate that decided."""


@dataclass(frozen=True, slots=True)
class Decision:
    """Everything spendgate decided about one purchase request."""

    request_id: str
    """The id of the purchase request decided."""
    file: str
    """The request's file, relative to the repository root."""
    title: str
    """The request's title."""
    status: Status
    """`approved`, `pending` (approvals missing), `blocked`, `rejected` or `invalid` (a document
    does not load)."""
    total_base: str
    """The request's total contract value in the base currency, as a decimal string with the
    currency's minor-unit places (EUR `1200.00`); 0 when it cannot be converted."""
    base_currency: str
    """The base currency, an ISO 4217 code."""
    classification: Classification
    """How the request and each line item are classified (capex, opex, prepaid, lease)."""
    route: tuple[RouteStep, ...]
    """The approval steps the request needs, in stage order, and whether each is filled."""
    findings: tuple[Finding, ...]
    """The rules the request fails, with where they point and what they saw."""
    inputs: Inputs
    """The evaluation date, policy set, documents (with digests) and FX rates it was made from."""
    trace: tuple[RuleTrace, ...] = field(default=(), compare=False)
    """Every rule considered and what came of it (`explain`; empty elsewhere)."""

    @property
    def blocking_findings(self) -> tuple[Finding, ...]:
        """The findings that block the request."""
        return tuple(finding for finding in self.findings if finding.blocking)

    @property
    def internal_error(self) -> bool:
        """Whether deciding this request met a bug in spendgate: only `invalid` decisions carry
        problem codes, and only spendgate sets this one."""
        return self.status == "invalid" and any(
            finding.rule_id == INTERNAL_ERROR for finding in self.findings
        )


@dataclass(frozen=True)
class RuleInfo:
    """What a report may say about a rule that was considered: who owns it and what it means."""

    id: str
    """The rule's id, e.g. `DR-010`."""
    title: str
    """What the rule asks, in a line."""
    description: str
    """More about the rule, as its policy says; "" when it says nothing."""
    policy: str
    """The name of the policy the rule belongs to."""
    policy_version: str
    """The policy's version (semver)."""
    owner: str
    """The policy's owner role, which may waive the rule."""
    effect: str
    """The rule's effect: `assert`, `require`, `classify` or `check`."""
    enforcement: str
    """`advisory`, `soft` or `hard`."""
    location: Location
    """Where the rule is defined."""
    fix: str = ""
    """What clears a finding of the rule (its policy's `fix`, else the reference advice)."""
    waiver_granters: tuple[str, ...] = ()
    """Who holds the owner's role, so may grant a waiver of it (never for their own request)."""


@dataclass(frozen=True)
class CheckReport:
    """Every decision, and the problems that belong to no request."""

    root: str
    evaluation_date: date
    policy_set: str
    policy_set_version: str
    decisions: tuple[Decision, ...]
    problems: tuple[Problem, ...]
    notes: tuple[str, ...] = ()
    """Sentences about how the check was made (for a pull request: which rules judged it)."""
    rules: tuple[RuleInfo, ...] = ()
    """Every rule of the policy set, in policy order (what SARIF and JUnit list)."""
    waivers: str = "waivers"
    """The folder waivers are written to (the configuration's `paths.waivers`)."""
    impact: Impact | None = None
    """For a pull request that changes governance: the requests its rules would decide
    differently (what the pull-request comment lists)."""
    diagnostics: tuple[str, ...] = ()
    """Sentences for whoever debugs spendgate (what the catalogue did): no report renders them,
    `check --verbose` prints them on standard error."""
    repository_path: str | None = None
    """Where `root` stands in its git repository: its path from the repository's top folder
    (POSIX, `""` at the top), None outside git. SARIF names files from that top folder, where
    code scanning looks for them (`app.check` sets it: no reporter asks git)."""

    @property
    def has_configuration_errors(self) -> bool:
        """Whether a problem is a configuration error."""
        return any(p.is_error and p.severity is Severity.CONFIGURATION for p in self.problems)

    @property
    def internal_errors(self) -> int:
        """Requests whose deciding met a bug in spendgate (each one `invalid`): exit code 3."""
        return sum(1 for decision in self.decisions if decision.internal_error)

    def gate(self) -> Gate:
        """What the gate needs of this report to pass or fail it."""
        return Gate(
            statuses=tuple(sorted({decision.status for decision in self.decisions})),
            has_errors=any(problem.is_error for problem in self.problems),
            has_configuration_errors=self.has_configuration_errors,
            internal_errors=self.internal_errors,
            has_warnings=any(
                finding.warns for decision in self.decisions for finding in decision.findings
            )
            or any(problem.level is Level.WARNING for problem in self.problems),
        )


@dataclass(frozen=True)
class Gate:
    """What passing or failing a check depends on: which statuses its decisions have, whether a
    problem is an error (and a configuration error), how many requests met a bug."""

    statuses: tuple[str, ...]
    has_errors: bool
    has_configuration_errors: bool
    internal_errors: int
    has_warnings: bool = False
    """Whether a finding or a problem warns (what `--fail-on warning` fails on)."""


@dataclass(frozen=True)
class ImpactOutcome:
    """How one request is decided: status, classification and the roles of its route."""

    status: str
    """The decision's status."""
    classification: str
    """The request's classification."""
    roles: tuple[str, ...]
    """The roles of the approval route, in order."""


@dataclass(frozen=True)
class Impact:
    """The requests a governance change would decide differently, base beside head."""

    base: str
    requests: int
    changed: tuple[tuple[str, str, ImpactOutcome, ImpactOutcome], ...]
    """(request id, file, under the base's rules, under the change's rules)."""
    problems: tuple[Problem, ...] = ()
    """The configuration errors of the base or the change: with any, the comparison means
    nothing (`spendgate impact` reports them and exits 2)."""

    def summary(self) -> str:
        """The closing line: how many requests would be decided differently."""
        return (
            f"{len(self.changed)} of {self.requests} requests would be decided differently under "
            f"this change's rules than under those of {self.base[:12]}"
        )


@dataclass(frozen=True)
class PolicyRules:
    """What `spendgate policies list` shows: the policy set, its size and every rule of it."""

    policy_set: str
    """The policy set's name."""
    policy_set_version: str
    """The policy set's version (semver)."""
    policies: int
    """How many policies the set holds."""
    rules: tuple[RuleInfo, ...]
    """Every rule of the set, in policy order."""


_ADAPTERS: dict[type[Any], TypeAdapter[Any]] = {}


def _adapter(shape: type[Any]) -> TypeAdapter[Any]:
    """The one adapter of `shape`, built on first use (building one costs milliseconds, and
    importing pydantic more: a run that only prints a kept check never does)."""
    from pydantic import TypeAdapter

    if shape not in _ADAPTERS:
        _ADAPTERS[shape] = TypeAdapter(shape)
    return _ADAPTERS[shape]


def as_json_data(value: Any) -> dict[str, Any]:
    """A decision, a problem or other result data (a frozen dataclass) as JSON data: dates in
    ISO form, money as decimal strings, tuples as lists (strings as they are: a reporter makes
    them valid Unicode)."""
    data: dict[str, Any] = _adapter(type(value)).dump_python(value, mode="json")
    return data


def json_schema(shape: type[Any]) -> dict[str, Any]:
    """The JSON Schema of what `as_json_data` writes for `shape`, each field described by its
    docstring (the one source of the published schemas' descriptions)."""
    from pydantic import TypeAdapter

    # pydantic refuses a config for a dataclass itself, but the dataclasses inside a list take
    # the list's; `as_json_data` keeps its own adapter, which need not read their source.
    described = TypeAdapter(list[shape], config={"use_attribute_docstrings": True})  # type: ignore[valid-type]
    listed: dict[str, Any] = described.json_schema(mode="serialization")
    definitions: dict[str, Any] = listed["$defs"]
    schema: dict[str, Any] = definitions.pop(shape.__name__)
    if definitions:
        schema["$defs"] = definitions
    return schema
