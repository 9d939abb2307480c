"""The audit site's page data: one `Entry` per record, and the policy and vendor pages.

`build_entries` pairs each record of the log with what its page shows beside it (the request and
vendor profile it read, whether it is its request's latest record and whether its hash chains).
`build_policy_pages` gathers each policy version's rules (from its file when found, else from the
findings that cite them) and the decisions citing it; `build_vendor_pages` each vendor's profile
and decisions. Everything here is data for the templates; `site` renders and writes it.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from spendgate.audit import log
from spendgate.audit.site_sources import RecordedFiles, Source, first_model
from spendgate.documents.fields import Document
from spendgate.documents.policy import Policy, Rule
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.documents.vendor import Vendor

_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}")


@dataclass(frozen=True)
class Entry:
    """One record of the log and what its pages show beside it."""

    line: int
    record: dict[str, Any]
    latest: bool
    chained: bool
    """Its hash recomputes and its prev_hash is the previous record's hash."""
    request: Source
    purchase: PurchaseRequest | None
    vendor: Source | None
    vendor_profile: Vendor | None

    @property
    def id(self) -> str:
        """The record's decision id."""
        return str(self.record["decision_id"])

    @property
    def decision(self) -> dict[str, Any]:
        """The decision as the record holds it."""
        decision: dict[str, Any] = self.record["decision"]
        return decision

    @property
    def page(self) -> str:
        """The path of the record's page in the site."""
        return f"decisions/{page_name(self.id)}.html"

    @property
    def vendor_id(self) -> str:
        """The id of the request's vendor; empty when the request is unknown."""
        return self.purchase.vendor if self.purchase else ""

    @property
    def department(self) -> str:
        """The request's department; empty when the request is unknown."""
        return self.purchase.department if self.purchase else ""

    @cached_property
    def findings(self) -> tuple[ShownFinding, ...]:
        """The decision's findings as its page lists them, blocking ones first."""
        return shown_findings(self.decision)

    @cached_property
    def blocked_by(self) -> tuple[ShownFinding, ...]:
        """The first blocking finding of each rule that blocks the request, in the page's
        order: what "Blocked by" names and links to."""
        first: dict[str, ShownFinding] = {}
        for shown in self.findings:
            if shown.blocks:
                first.setdefault(shown.finding["rule_id"], shown)
        return tuple(first.values())

    @cached_property
    def rules(self) -> tuple[str, ...]:
        """Every rule id the decision cites: findings, route steps, classification."""
        decision = self.decision
        cited = {finding["rule_id"] for finding in decision["findings"]}
        cited |= {line["rule_id"] for line in decision["classification"].get("lines", [])}
        for step in decision["route"]:
            cited |= {part.strip() for part in step["rule_id"].split(",") if part.strip()}
        return tuple(sorted(cited))


@dataclass(frozen=True)
class ShownFinding:
    """A finding as its decision page lists it: where it stands on the page and whether it
    blocks the request."""

    anchor: str
    """The id of its element, unique on the page: `finding-RULE`, then `finding-RULE-2`…"""
    blocks: bool
    finding: dict[str, Any]


def shown_findings(decision: dict[str, Any]) -> tuple[ShownFinding, ...]:
    """The decision's findings as its page lists them: those that block the request first, the
    others after, each group in the record's order.

    A finding blocks when the record names its rule as blocking and it is not a waived soft
    finding (`Finding.blocking`: a waiver cannot lift a hard rule), so a waived finding of a
    rule that also blocks elsewhere is not listed among the blocking ones.
    """
    blocking = set(decision.get("blocking", ()))
    seen: dict[str, int] = {}
    shown = []
    for finding in decision["findings"]:
        rule = finding["rule_id"]
        seen[rule] = seen.get(rule, 0) + 1
        anchor = f"finding-{page_name(rule)}" + (f"-{seen[rule]}" if seen[rule] > 1 else "")
        waived = finding.get("waiver") is not None and finding["enforcement"] != "hard"
        shown.append(ShownFinding(anchor, rule in blocking and not waived, finding))
    return tuple(sorted(shown, key=lambda one: not one.blocks))


@dataclass(frozen=True)
class RuleText:
    """What the site says of one rule of a policy version."""

    id: str
    title: str
    enforcement: str
    effect: str
    description: str
    condition: str
    """The rule's condition as the policy writes it (`when …; assert …`)."""


@dataclass
class PolicyPage:
    """One policy version: its rules (from its file when found) and the decisions citing it."""

    name: str
    version: str
    source: Source | None = None
    policy: Policy | None = None
    rules: dict[str, RuleText] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)

    @property
    def key(self) -> str:
        """The policy version as decisions cite it: `name@version`."""
        return f"{self.name}@{self.version}"

    @property
    def page(self) -> str:
        """The path of the policy version's page in the site."""
        return f"policies/{page_name(self.key)}.html"

    def rule(self, rule_id: str) -> RuleText | None:
        """The text of rule `rule_id` in this version, if its file was found."""
        return self.rules.get(rule_id)


@dataclass
class VendorPage:
    """One vendor: its profile as the latest decision read it, and its decisions."""

    id: str
    source: Source | None = None
    profile: Vendor | None = None
    entries: list[Entry] = field(default_factory=list)

    @property
    def page(self) -> str:
        """The path of the vendor's page in the site."""
        return f"vendors/{page_name(self.id)}.html"


def page_name(text: str) -> str:
    """`text` as a file name when it is a safe one, else a stable name derived from it."""
    if _SAFE_NAME.fullmatch(text):
        return text
    return "x-" + hashlib.sha256(text.encode()).hexdigest()[:16]


def as_json(value: object) -> str:
    """`value` as compact JSON, non-ASCII kept and anything JSON lacks as its string."""
    return json.dumps(value, ensure_ascii=False, default=str)


def build_entries(lines: list[log.Line], files: RecordedFiles) -> list[Entry]:
    """An entry per line of `lines` (each holding a decision record), in the log's order."""
    records = [line.record for line in lines if line.record is not None]
    last = {record["decision"]["request_id"]: index for index, record in enumerate(records)}
    entries = []
    previous_hash = log.GENESIS
    for index, (line, record) in enumerate(zip(lines, records, strict=True)):
        chained = record["prev_hash"] == previous_hash and log.holds_its_hash(record)
        previous_hash = record["hash"]
        latest = last[record["decision"]["request_id"]] == index
        entries.append(_entry(line.number, record, files, latest=latest, chained=chained))
    return entries


def _entry(
    number: int, record: dict[str, Any], files: RecordedFiles, *, latest: bool, chained: bool
) -> Entry:
    decision = record["decision"]
    documents = [(str(path), str(blob)) for path, blob in decision["inputs"]["documents"]]
    blob = next((blob for path, blob in documents if path == decision["file"]), "")
    request = files.source(decision["file"], blob)
    purchase = first_model(files.models(request), PurchaseRequest, decision["request_id"])
    vendor, profile = _vendor(files, documents, purchase.vendor if purchase else "")
    return Entry(number, record, latest, chained, request, purchase, vendor, profile)


def _vendor(
    files: RecordedFiles, documents: list[tuple[str, str]], vendor_id: str
) -> tuple[Source | None, Vendor | None]:
    """The vendor profile among the documents a decision read (files named after it first)."""
    if not vendor_id:
        return None, None
    candidates = [(p, b) for p, b in documents if not p.startswith("policy:")]
    candidates.sort(key=lambda document: vendor_id not in document[0])
    for path, blob in candidates:
        source = files.source(path, blob)
        profile = first_model(files.models(source), Vendor, vendor_id)
        if profile is not None:
            return source, profile
    return None, None


def build_policy_pages(entries: list[Entry], files: RecordedFiles) -> dict[str, PolicyPage]:
    """A page per policy version the entries' policy sets or findings name, by `name@version`."""
    pages: dict[str, PolicyPage] = {}
    for entry in entries:
        for key, blob in entry.record["policies"].items():
            name, _, version = key.removeprefix("policy:").rpartition("@")
            page = pages.setdefault(f"{name}@{version}", PolicyPage(name, version))
            if page.source is None or page.source.blob != blob:  # the latest record's text
                page.source = files.source(key, blob)
                page.policy = _policy(files.models(page.source), name)
        for finding in entry.decision["findings"]:
            key = f"{finding['policy']}@{finding['policy_version']}"
            pages.setdefault(key, PolicyPage(finding["policy"], finding["policy_version"]))
    for page in pages.values():
        page.rules = _rule_texts(page.policy) if page.policy else {}
        page.entries = [e for e in entries if _cites(e, page)]
        for entry in page.entries:
            for finding in entry.decision["findings"]:
                if f"{finding['policy']}@{finding['policy_version']}" == page.key:
                    page.rules.setdefault(finding["rule_id"], _finding_rule(finding))
    return dict(sorted(pages.items()))


def _policy(models: Iterable[Document], name: str) -> Policy | None:
    found = [m for m in models if isinstance(m, Policy) and m.metadata.name == name]
    return found[0] if found else None


def _rule_texts(policy: Policy) -> dict[str, RuleText]:
    return {rule.id: _rule_text(rule, policy.spec.enforcement) for rule in policy.spec.rules}


def _rule_text(rule: Rule, default_enforcement: str) -> RuleText:
    effect, condition = _effect(rule)
    when = f"when {rule.when}; " if rule.when else ""
    enforcement = rule.enforcement or default_enforcement
    description = rule.description or ""
    return RuleText(rule.id, rule.title, enforcement, effect, description, when + condition)


def _effect(rule: Rule) -> tuple[str, str]:
    """What the rule does, and its condition as the policy writes it."""
    if rule.assert_ is not None:
        return "assert", f"assert {rule.assert_}"
    if rule.require is not None:
        return "require", f"require {rule.require.role}" + (
            f" of {rule.require.of}" if rule.require.of else ""
        )
    if rule.classify is not None:
        return "classify", f"classify by a table of {len(rule.classify)} rows"
    check = rule.check
    name = check.name if check else ""
    return "check", f"check {name}({as_json(check.params) if check else ''})"


def _finding_rule(finding: dict[str, Any]) -> RuleText:
    return RuleText(finding["rule_id"], finding["title"], finding["enforcement"], "", "", "")


def _cites(entry: Entry, page: PolicyPage) -> bool:
    if any(
        f"{finding['policy']}@{finding['policy_version']}" == page.key
        for finding in entry.decision["findings"]
    ):
        return True
    in_set = f"policy:{page.key}" in entry.record["policies"]
    return in_set and any(rule in page.rules for rule in entry.rules)


def build_vendor_pages(entries: list[Entry]) -> dict[str, VendorPage]:
    """A page per vendor the entries' requests name, with the last profile one of them read."""
    pages: dict[str, VendorPage] = {}
    for entry in entries:
        if not entry.vendor_id:
            continue
        page = pages.setdefault(entry.vendor_id, VendorPage(entry.vendor_id))
        page.entries.append(entry)
        if entry.vendor_profile is not None:
            page.source, page.profile = entry.vendor, entry.vendor_profile
    return dict(sorted(pages.items()))
