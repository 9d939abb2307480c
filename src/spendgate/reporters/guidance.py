"""What a blocking finding asks of the requester: how to clear it, and whether a waiver can.

The formats people read (text, Markdown, GitHub annotations, JUnit) show these sentences under
each finding that blocks. They come from the report alone: the rule's `fix` (its policy says
what clears it), its enforcement (hard: no waiver lifts it; soft: a waiver may), and who may
grant that waiver (the holders of the role that owns the rule's policy, never the requester).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

from spendgate.decisions import CheckReport, Decision, Finding, RuleInfo

HARD = "hard: no waiver can lift it."
VETO = "veto: no waiver can lift it; a material change to the request clears the rejection."


@dataclass(frozen=True)
class Guide:
    """The rules of a run by id and where waivers are written: what the sentences need."""

    rules: Mapping[str, RuleInfo] = field(default_factory=dict)
    waivers: str = "waivers"

    @classmethod
    def of(cls, report: CheckReport) -> Guide:
        """The guide to a check report's findings."""
        return cls.to(report.rules, waivers=report.waivers)

    @classmethod
    def to(cls, rules: Iterable[RuleInfo], *, waivers: str = "waivers") -> Guide:
        """The guide to findings of `rules`."""
        return cls({rule.id: rule for rule in rules}, waivers)

    def under_findings(self, decision: Decision) -> list[tuple[str, ...]]:
        """For each of the decision's findings, the sentences shown under it: said once per
        rule, under its first finding that blocks."""
        said: set[str] = set()
        sentences: list[tuple[str, ...]] = []
        for finding in decision.findings:
            if finding.rule_id in said or not finding.blocking:
                sentences.append(())
                continue
            said.add(finding.rule_id)
            sentences.append(self.what_to_do(finding, decision.request_id))
        return sentences

    def what_to_do(self, finding: Finding, request_id: str) -> tuple[str, ...]:
        """What clears a blocking `finding` of a policy rule: its fix, and whether and by whom
        it may be waived. Nothing for a finding of no rule (a document that does not load says
        what is wrong with it, and no waiver applies to it)."""
        rule = self.rules.get(finding.rule_id)
        if rule is None:
            return ()
        lines = [f"fix: {full_stop(rule.fix)}"] if rule.fix else []
        if rule.effect == "require":
            lines.append(VETO)
        elif finding.enforcement == "hard":
            lines.append(HARD)
        else:
            lines.append(waiver_sentence(rule, request_id, waivers=self.waivers))
        return tuple(lines)


def waiver_sentence(rule: RuleInfo, request_id: str, *, waivers: str) -> str:
    """`soft: a waiver can lift it: …`: the record to write and who may grant it."""
    granters = ", ".join(rule.waiver_granters) or "nobody holds it yet"
    return (
        f"soft: a waiver can lift it: a Waiver in {waivers}/ with rules: [{rule.id}] and "
        f"applies_to: [{request_id}], approved and committed by a holder of {rule.owner} "
        f"({granters}), never the requester."
    )


def full_stop(sentence: str) -> str:
    """`sentence` ending in a full stop (or the question or exclamation mark it ends in)."""
    return sentence if sentence.endswith((".", "!", "?")) else f"{sentence}."
