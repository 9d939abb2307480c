"""The `sarif` report of `check`: a SARIF 2.1.0 log for code scanning (GitHub, IDEs, dashboards).

One run of one tool. `tool.driver.rules` lists every rule of the policy set in policy order, then
one rule for each other code a result carries (a request that does not load: `yaml-syntax`; an
approval that does not count: `APPROVAL`; an approver who rejected the request: `REJECTED`;
`governance-change` and other repository problems), so every result names its rule by id and
index. Results follow the decisions, each one's rejections (an error at the request's file, as
a rejection fails the gate; a veto is reported by its own finding) and then its findings, and
end with the problems: the same order as the text report. Paths stay relative to the governance
repository (`%SRCROOT%`), and the output is the same bytes for the same report, so it can be
diffed and committed.

Data stays valid in the log (`escaping`): every string is valid Unicode (an undecodable byte of
a file name is U+FFFD in text, and `%FF` in the file's URI, so that the URI names the file), JSON
escapes the rest, and `[` after `##` is written `\\u005b`, which a CI log does not obey.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any

from spendgate import HOMEPAGE, __version__
from spendgate.decisions import Decision, Finding, RouteStep
from spendgate.problems import Location, Problem
from spendgate.reporters.check_text import finding_level, rejection_text, unvetoed_rejections
from spendgate.reporters.escaping import json_document, json_safe, unicode_text, uri_path

if TYPE_CHECKING:
    from spendgate.decisions import CheckReport, RuleInfo

Json = dict[str, Any]

#: The OASIS SARIF 2.1.0 schema, as corrected by Errata 01 (the current official text).
SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_VERSION = "2.1.0"
SOURCE_ROOT = "%SRCROOT%"
#: Versioned, so that a change to what is hashed shows as a new key rather than as new alerts.
FINGERPRINT = "spendgateFinding/v1"

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


def render(report: CheckReport, *, colour: bool = False) -> str:
    """The SARIF log of `report`, as 2-space indented JSON with a final newline."""
    log = {"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": [sarif_run(report)]}
    serialised = json.dumps(json_safe(log), indent=2, ensure_ascii=False, default=str)
    return json_document(serialised) + "\n"


def sarif_run(report: CheckReport) -> Json:
    rules = rule_descriptors(report)
    index = {rule["id"]: position for position, rule in enumerate(rules)}
    results = [
        result for decision in report.decisions for result in decision_results(decision, index)
    ]
    results += [problem_result(problem, index) for problem in report.problems]
    return {
        "tool": {"driver": driver(rules)},
        "originalUriBaseIds": {
            SOURCE_ROOT: {"description": {"text": "The governance repository that was checked."}}
        },
        "columnKind": "unicodeCodePoints",
        "results": results,
        "properties": {
            "policySet": report.policy_set,
            "policySetVersion": report.policy_set_version,
            "evaluationDate": report.evaluation_date.isoformat(),
        },
    }


def driver(rules: list[Json]) -> Json:
    return {
        "name": "spendgate",
        "fullName": f"spendgate {__version__}",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": HOMEPAGE,
        "rules": rules,
    }


# Rules ------------------------------------------------------------------------------------------


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
    meaning = ENFORCEMENT_MEANINGS.get(rule.enforcement, "")
    return (
        f"Rule {rule.id} of policy {rule.policy} {rule.policy_version}, owned by {rule.owner}. "
        f"Effect {rule.effect}, enforcement {rule.enforcement}: {meaning}."
    )


def policy_rule_markdown(rule: RuleInfo) -> str:
    meaning = ENFORCEMENT_MEANINGS.get(rule.enforcement, "")
    paragraphs = [f"**{rule.title}**"]
    if rule.description:
        paragraphs.append(rule.description)
    paragraphs.append(
        f"Rule `{rule.id}` of policy `{rule.policy}` {rule.policy_version}, owned by "
        f"`{rule.owner}`. Effect `{rule.effect}`, enforcement `{rule.enforcement}`: {meaning}."
    )
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


def decision_results(decision: Decision, index: dict[str, int]) -> list[Json]:
    """The request's rejections, then its findings: the order the text report shows them in."""
    return [
        *(rejection_result(decision, step, index) for step in unvetoed_rejections(decision)),
        *(finding_result(decision, finding, index) for finding in decision.findings),
    ]


def rejection_result(decision: Decision, step: RouteStep, index: dict[str, int]) -> Json:
    """An error at the request's file: who rejected it, as which role, when, by which rule."""
    where = Location(decision.file)
    text = sentence(f"{request_label(decision)}: {rejection_text(step)} ({step.rule_id})")
    return {
        "ruleId": REJECTED,
        "ruleIndex": index[REJECTED],
        "level": "error",
        "message": {"text": text},
        "locations": locations(where),
        "partialFingerprints": fingerprint(REJECTED, where, decision.request_id, text),
        "properties": {
            "request": decision.request_id,
            "requestFile": decision.file,
            "status": decision.status,
            "role": step.role,
            "roles": list(step.roles),
            "routeRules": step.rule_id,
            "rejectedBy": step.approved_by,
            "rejectedOn": step.approved_on.isoformat() if step.approved_on else None,
            "actingFor": step.acting_for,
            "authenticity": step.authenticity,
        },
    }


def finding_result(decision: Decision, finding: Finding, index: dict[str, int]) -> Json:
    waived = finding.waiver is not None and not finding.blocking
    text = finding_text(decision, finding)
    if waived:
        text += f" Waived by {finding.waiver}."
    result: Json = {
        "ruleId": finding.rule_id,
        "ruleIndex": index[finding.rule_id],
        "level": finding_level(finding),
        "message": {"text": text},
        "locations": locations(finding.location),
        "partialFingerprints": fingerprint(
            finding.rule_id, finding.location, decision.request_id, finding.message
        ),
        "properties": {
            "request": decision.request_id,
            "requestFile": decision.file,
            "status": decision.status,
            "policy": finding.policy,
            "policyVersion": finding.policy_version,
            "enforcement": finding.enforcement,
            "blocking": finding.blocking,
            "yamlPath": finding.location.yaml_path,
            "evidence": dict(finding.evidence),
        },
    }
    if waived:
        result["suppressions"] = [
            {"kind": "external", "status": "accepted", "justification": f"{finding.waiver}"}
        ]
    return result


def problem_result(problem: Problem, index: dict[str, int]) -> Json:
    result: Json = {
        "ruleId": problem.code,
        "ruleIndex": index[problem.code],
        "level": problem.level.value,
        "message": {"text": sentence(problem.message)},
        "locations": locations(problem.location),
        "partialFingerprints": fingerprint(problem.code, problem.location, "", problem.message),
        "properties": {"severity": problem.severity.value, "yamlPath": problem.location.yaml_path},
    }
    if problem.related:
        result["relatedLocations"] = [
            {"id": number, "physicalLocation": physical_location(where)}
            for number, where in enumerate(problem.related, start=1)
            if where.file
        ]
    return result


def request_label(decision: Decision) -> str:
    """Which request a result is about; a file that did not load has no request id yet."""
    if decision.request_id == "?":
        return f"The request file {decision.file}"
    return f"Request {decision.request_id}"


def finding_text(decision: Decision, finding: Finding) -> str:
    """Which request, and what failed. An assertion's message is its rule's title, the goal."""
    label = request_label(decision)
    if finding.policy != "validate" and finding.message == finding.title:
        return sentence(f"{label} does not meet {finding.rule_id}: {finding.message}")
    return sentence(f"{label}: {finding.message}")


def fingerprint(rule_id: str, where: Location, request_id: str, message: str) -> dict[str, str]:
    """Identity that survives lines moving: rule, file, YAML path, request and message."""
    parts = (rule_id, where.file, where.yaml_path, request_id, message)
    # surrogatepass: a file name that is not UTF-8 keeps a fingerprint of its own
    digest = hashlib.sha256("\x1f".join(parts).encode("utf-8", "surrogatepass")).hexdigest()
    return {FINGERPRINT: digest[:32]}


def locations(where: Location) -> list[Json]:
    if not where.file:
        return []
    return [{"physicalLocation": physical_location(where)}]


def physical_location(where: Location) -> Json:
    # A place known only by its file (line 0) is reported at line 1, as code scanning annotates
    # whole-file results: a region-less location is valid SARIF but tools warn about it.
    region: Json = {"startLine": max(where.line, 1)}
    if where.line > 0 and where.column > 0:
        region["startColumn"] = where.column
    return {"artifactLocation": artifact_location(where.file), "region": region}


def artifact_location(file: str) -> Json:
    """A path relative to the repository root, or a file URI for one outside it."""
    if PurePosixPath(file).is_absolute() or PureWindowsPath(file).is_absolute():
        return {"uri": path_uri(file)}
    return {"uri": uri_path(file), "uriBaseId": SOURCE_ROOT}


def path_uri(file: str) -> str:
    if PureWindowsPath(file).drive:  # a Windows name is Unicode; no byte there fails to decode
        return PureWindowsPath(unicode_text(file)).as_uri()
    return f"file://{uri_path(PurePosixPath(file).as_posix())}"


# Text -------------------------------------------------------------------------------------------


def sentence(text: str) -> str:
    """`text` as a sentence: SARIF viewers show the first sentence of a message on its own."""
    text = text.strip()
    if not text:
        return text
    return text if text[-1] in ".!?" else text + "."
