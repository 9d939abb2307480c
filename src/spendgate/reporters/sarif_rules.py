"""The rules of the `sarif` report: one `reportingDescriptor` per rule a result may name.

Every rule of the policy set, in policy order, with its title, its enforcement as the default
level, its rule text as help; then one descriptor for each other code a result carries
(`APPROVAL`, `REJECTED`, `yaml-syntax`, `governance-change`, ...), so that every result names
its rule by id and by index (`spendgate.reporters.sarif`).
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from spendgate.decisions import Finding
from spendgate.problems import Problem
from spendgate.reporters.check_text import unvetoed_rejections
from spendgate.reporters.escaping import markdown_inline

if TYPE_CHECKING:
    from spendgate.decisions import CheckReport, RuleInfo

Json = dict[str, Any]

#: A rule's default level: what one of its findings is unless a waiver makes it a note.
ENFORCEMENT_LEVELS = {"hard": "error", "soft": "error", "advisory": "warning"}
ENFORCEMENT_MEANINGS = {
    "hard": "a finding blocks the request, and no waiver can lift it",
    "soft": "a finding blocks the request unless a waiver covers it",
    "advisory": "a finding is reported and never blocks",
}
#: The rule of a result that reports an approver's rejection of a request.
REJECTED = "REJECTED"
REJECTED_TITLE = "An approver on the route rejected the request"
REJECTED_EXPLANATION = (
    "An approver who holds a role on the request's approval route recorded a rejection, so the "
    "request cannot be approved and the gate fails. Only a material change to the request, which "
    "voids the rejection, lets it be approved again."
)


def rule_descriptors(report: CheckReport) -> list[Json]:
    """Every rule of the policy set, then one for each other code that a result carries."""
    descriptors: dict[str, Json] = {}
    for rule in report.rules:
        descriptors.setdefault(rule.id, policy_rule(rule))
    for decision in report.decisions:
        if unvetoed_rejections(decision):
            descriptors.setdefault(REJECTED, rejected_rule())
        for finding in decision.findings:
            descriptors.setdefault(finding.rule_id, finding_rule(finding))
    for problem in report.problems:
        descriptors.setdefault(problem.code, problem_rule(problem))
    return list(descriptors.values())


def policy_rule(rule: RuleInfo) -> Json:
    """The SARIF rule descriptor of one policy rule: id, texts, help and default level."""
    title = sentence(rule.title)
    return descriptor(
        rule.id,
        rule.title,
        full=sentence(rule.description) if rule.description else title,
        help_text=f"{title} {policy_rule_facts(rule)}",
        help_markdown=policy_rule_markdown(rule),
        level=ENFORCEMENT_LEVELS.get(rule.enforcement, "warning"),
        properties={
            "policy": rule.policy,
            "policyVersion": rule.policy_version,
            "owner": rule.owner,
            "effect": rule.effect,
            "enforcement": rule.enforcement,
            "tags": ["procurement", rule.policy],
        },
    )


def policy_rule_facts(rule: RuleInfo) -> str:
    """A policy rule's facts in plain text: policy, owner, effect, enforcement; then what
    clears a finding of it."""
    meaning = ENFORCEMENT_MEANINGS.get(rule.enforcement, "")
    return " ".join(
        (
            f"Rule {rule.id} of policy {rule.policy} {rule.policy_version}, owned by "
            f"{rule.owner}. Effect {rule.effect}, enforcement {rule.enforcement}: {meaning}.",
            *remedy(rule),
        )
    )


def remedy(rule: RuleInfo) -> tuple[str, ...]:
    """What clears a finding of `rule`: its fix, and for a soft rule who may waive it."""
    said: tuple[str, ...] = (f"To fix: {rule.fix}",) if rule.fix else ()
    if rule.enforcement == "soft" and rule.effect != "require":
        granters = ", ".join(rule.waiver_granters) or "nobody yet"
        said += (f"A waiver may be granted by a holder of {rule.owner} ({granters}).",)
    return said


def policy_rule_markdown(rule: RuleInfo) -> str:
    """A policy rule's help in Markdown: title, description and facts."""
    meaning = ENFORCEMENT_MEANINGS.get(rule.enforcement, "")
    paragraphs = [f"**{rule.title}**"]
    if rule.description:
        paragraphs.append(rule.description)
    paragraphs.append(
        f"Rule `{rule.id}` of policy `{rule.policy}` {rule.policy_version}, owned by "
        f"`{rule.owner}`. Effect `{rule.effect}`, enforcement `{rule.enforcement}`: {meaning}."
    )
    paragraphs.extend(markdown_inline(sentence) for sentence in remedy(rule))
    return "\n\n".join(paragraphs)


def finding_rule(finding: Finding) -> Json:
    """A rule for a finding that no policy declares: a document that fails to load, an approval."""
    if finding.policy == "validate":
        title = f"A purchase request loads and validates ({finding.rule_id})"
        explanation = (
            "The request file does not load or does not match its schema, so it cannot be "
            "decided; the gate treats it as invalid. Fix the file at the location shown."
        )
    else:
        title = finding.title
        meaning = ENFORCEMENT_MEANINGS.get(finding.enforcement, "")
        explanation = (
            f"A check built into spendgate ({finding.policy}), enforcement "
            f"{finding.enforcement}: {meaning}."
        )
    return builtin_rule(finding.rule_id, title, explanation, finding.policy, finding.enforcement)


def rejected_rule() -> Json:
    """The rule of a rejection by an approver, which is no finding of a policy."""
    return builtin_rule(REJECTED, REJECTED_TITLE, REJECTED_EXPLANATION, "approvals", "")


def problem_rule(problem: Problem) -> Json:
    """A rule for a repository problem that belongs to no request (`governance-change`, …)."""
    explanation = (
        f"A problem with the code {problem.code} that belongs to no single request: errors "
        "fail the gate, warnings do not. Fix it at the location shown."
    )
    return builtin_rule(
        problem.code, f"Repository problem {problem.code}", explanation, "repository", ""
    )


def builtin_rule(rule_id: str, title: str, explanation: str, kind: str, enforcement: str) -> Json:
    """The SARIF rule descriptor of a check that is not a policy rule."""
    properties: Json = {"policy": kind, "tags": ["procurement", kind]}
    if enforcement:
        properties["enforcement"] = enforcement
    return descriptor(
        rule_id,
        title,
        full=f"{sentence(title)} {explanation}",
        help_text=explanation,
        help_markdown=explanation,
        level=ENFORCEMENT_LEVELS.get(enforcement, "error"),
        properties=properties,
    )


def descriptor(
    rule_id: str,
    title: str,
    *,
    full: str,
    help_text: str,
    help_markdown: str,
    level: str,
    properties: Json,
) -> Json:
    """A SARIF reportingDescriptor from its parts."""
    return {
        "id": rule_id,
        "name": friendly_name(title) or friendly_name(rule_id),
        "shortDescription": {"text": sentence(title)},
        "fullDescription": {"text": full},
        "help": {"text": help_text, "markdown": help_markdown},
        "defaultConfiguration": {"level": level},
        "properties": properties,
    }


def friendly_name(title: str) -> str:
    """A PascalCase name for a rule, as SARIF tools expect (`VendorIsScreenedWithin90Days`).

    One-letter words (articles) are dropped, and a number joins the word before it, so that every
    part is a capital followed by lower-case letters or digits.
    """
    parts: list[str] = []
    for word in re.findall(r"[^\W_]+", title):
        if word[0].isdigit() and parts:
            parts[-1] += word
        elif len(word) > 1 and word[0].isalpha():
            parts.append(word[0].upper() + word[1:].lower())
    return "".join(parts)


# Results ----------------------------------------------------------------------------------------


def sentence(text: str) -> str:
    """`text` as a sentence: SARIF viewers show the first sentence of a message on its own."""
    text = text.strip()
    if not text:
        return text
    return text if text[-1] in ".!?" else text + "."
