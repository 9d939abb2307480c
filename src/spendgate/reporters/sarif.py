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
from pathlib import PurePosixPath, PureWindowsPath
from typing import TYPE_CHECKING, Any

from spendgate import HOMEPAGE, __version__
from spendgate.decisions import Decision, Finding, RouteStep
from spendgate.problems import Location, Problem
from spendgate.reporters.check_text import finding_level, rejection_text, unvetoed_rejections
from spendgate.reporters.escaping import json_document, json_safe, unicode_text, uri_path
from spendgate.reporters.sarif_rules import (
    REJECTED,
    rule_descriptors,
    sentence,
)

if TYPE_CHECKING:
    from spendgate.decisions import CheckReport

Json = dict[str, Any]

#: The OASIS SARIF 2.1.0 schema, as corrected by Errata 01 (the current official text).
SCHEMA_URI = (
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"
)
SARIF_VERSION = "2.1.0"
SOURCE_ROOT = "%SRCROOT%"
#: Versioned, so that a change to what is hashed shows as a new key rather than as new alerts.
FINGERPRINT = "spendgateFinding/v1"


def render(report: CheckReport, *, colour: bool = False) -> str:
    """The SARIF log of `report`, as 2-space indented JSON with a final newline."""
    log = {"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": [sarif_run(report)]}
    serialised = json.dumps(json_safe(log), indent=2, ensure_ascii=False, default=str)
    return json_document(serialised) + "\n"


def sarif_run(report: CheckReport) -> Json:
    """The one SARIF run: the tool and its rules, every result, the policy set."""
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
    """The SARIF tool driver: spendgate, its version and the rule descriptors."""
    return {
        "name": "spendgate",
        "fullName": f"spendgate {__version__}",
        "version": __version__,
        "semanticVersion": __version__,
        "informationUri": HOMEPAGE,
        "rules": rules,
    }


# Rules ------------------------------------------------------------------------------------------


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
    """The SARIF result of one finding of a request, marked when waived."""
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
    """The SARIF result of one problem outside requests."""
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
    """A result's locations: one for a place in a file, none otherwise."""
    if not where.file:
        return []
    return [{"physicalLocation": physical_location(where)}]


def physical_location(where: Location) -> Json:
    """A SARIF physicalLocation: the file and, where known, line and column."""
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
    """A `file://` URI for an absolute path, POSIX or Windows."""
    if PureWindowsPath(file).drive:  # a Windows name is Unicode; no byte there fails to decode
        return PureWindowsPath(unicode_text(file)).as_uri()
    return f"file://{uri_path(PurePosixPath(file).as_posix())}"


# Text -------------------------------------------------------------------------------------------
