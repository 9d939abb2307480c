"""What one request's rules produce, and how a finding is written: place, evidence, message.

A finding points at the request field its rule read (a vendor rule at `vendor:`), carries the
values the rule read as evidence (dates and amounts as people read them), and renders its
message from the sandboxed template with only the variables the template names. A rule that
cannot be evaluated on the request (a RuleFailure) becomes a hard finding at the rule, in its
policy file (`fail`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from spendgate.decisions import Evidence, Finding, RouteStep, RuleTrace
from spendgate.policy.checks import Subject
from spendgate.policy.compile import CompiledPolicy, CompiledRule
from spendgate.policy.failure import RuleFailure
from spendgate.policy.fields import context_shape, display, field_shape
from spendgate.policy.templates import render
from spendgate.problems import Location

#: Where in the request file a finding about each context variable points.
ANCHORS: dict[str, tuple[str, ...]] = {
    "vendor": ("vendor",),
    "ai": ("ai_assessment",),
    "budget": ("cost_centre",),
    "requester": ("requester",),
}

#: Request values spendgate computes: a finding about them points at the line items.
COMPUTED = {
    "total",
    "total_base",
    "annualised_base",
    "cumulative_total_base",
    "in_year_base",
    "in_year",
    "currency",
    "capex_total_base",
    "opex_total_base",
    "classification",
    "categories",
}


@dataclass
class Outcome:
    """What the rules of one request produced, gathered before it is frozen into a Decision."""

    context: dict[str, Any]
    explain: bool
    shared: dict[int, Any]
    request_id: str = ""
    findings: list[Finding] = field(default_factory=list)
    steps: list[RouteStep] = field(default_factory=list)
    trace: list[RuleTrace] = field(default_factory=list)
    _shown: dict[str, Any] = field(default_factory=dict)
    subject: Subject | None = None

    def shown(self, root: str) -> Any:
        """A context variable as people read it (ISO dates), converted once per request.

        Vendors, assessments and people are shared by many requests: `shared` keeps their
        converted form for the whole run, keyed by the (long-lived) context dict itself.
        """
        if root not in self._shown:
            value = self.context[root]
            key = id(value)
            if root != "request" and key in self.shared:
                self._shown[root] = self.shared[key]
            else:
                shape = context_shape().get(root)
                self._shown[root] = display(value, shape, base_currency(self.context))
                if root != "request":
                    self.shared[key] = self._shown[root]
        return self._shown[root]

    def fail(self, policy: CompiledPolicy, rule: CompiledRule, failure: RuleFailure) -> None:
        """`rule` could not be evaluated on this request, so it fails closed: a hard finding at
        the rule's place in its policy file, naming this request and why."""
        message = (
            f"rule {rule.id} of policy {policy.name} could not be evaluated for request "
            f"{self.request_id}: {failure}; the rule fails closed"
        )
        evidence = gather_evidence(rule.reads, self.context)
        self.findings.append(make_finding(policy, rule, "hard", message, rule.location, evidence))
        self.record(rule, policy.name, "error", message, rule.reads)

    def record(
        self,
        rule: CompiledRule,
        policy: str,
        outcome: str,
        detail: str,
        chains: tuple[str, ...] = (),
    ) -> None:
        """Keep the trace `explain` shows; evidence is only gathered when someone will read it."""
        if self.explain:
            evidence = gather_evidence(chains, self.context)
            self.trace.append(RuleTrace(rule.id, policy, rule.effect, outcome, detail, evidence))


def make_finding(
    policy: CompiledPolicy,
    rule: CompiledRule,
    enforcement: str,
    message: str,
    where: Location,
    evidence: Evidence,
) -> Finding:
    """The finding a failed rule raises, with its message, place and evidence."""
    return Finding(
        rule.id,
        rule.title,
        policy.name,
        policy.version,
        enforcement,  # type: ignore[arg-type]
        message,
        where,
        evidence,
    )


def gather_evidence(chains: tuple[str, ...], context: dict[str, Any]) -> Evidence:
    """The values an expression read, by field chain, as reports show them."""
    shape = context_shape()
    base = base_currency(context)
    evidence = []
    for chain in chains:
        value: Any = context
        holder: Any = None
        for part in chain.split("."):
            holder, value = value, value.get(part) if isinstance(value, dict) else None
        own = holder.get("currency") if isinstance(holder, dict) else None
        shown = display(
            value, field_shape(chain, shape), base, own if isinstance(own, str) else None
        )
        evidence.append((chain, shown))
    return tuple(evidence)


def base_currency(context: dict[str, Any]) -> str:
    """The organisation's base currency, as the context holds it ("" when it holds none)."""
    org = context.get("org")
    code = org.get("base_currency") if isinstance(org, dict) else None
    return code if isinstance(code, str) else ""


def anchor(chains: tuple[str, ...]) -> tuple[str | int, ...]:
    """The request field a finding points at: the first field the rule read, or its root."""
    for chain in chains:
        root, *rest = chain.split(".")
        if root in ANCHORS:
            return ANCHORS[root]
        if root == "request" and rest:
            return ("line_items",) if rest[0] in COMPUTED else (rest[0],)
    return ()


def render_message(rule: CompiledRule, outcome: Outcome) -> str:
    """The rule's message for this request; RuleFailure if its template fails or runs over."""
    if rule.message is None:
        return rule.title
    shown = {root: outcome.shown(root) for root in rule.message_roots if root in outcome.context}
    return render(rule.message, shown)
