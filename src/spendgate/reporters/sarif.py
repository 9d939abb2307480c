"""The `sarif` report of `check`: a SARIF 2.1.0 log for code scanning (GitHub, IDEs, dashboards).

One run of one tool. `tool.driver.rules` lists every rule of the policy set in policy order, then
one rule for each other code a result carries (a request that does not load: `yaml-syntax`; an
approval that does not count: `APPROVAL`; an approver who rejected the request: `REJECTED`;
`governance-change` and other repository problems), so every result names its rule by id and
index. Results follow the decisions, each one's rejections (an error at the request's file, as
a rejection fails the gate; a veto is reported by its own finding) and then its findings, and
end with the problems: the same order as the text report. The output is the same bytes for the
same report, so it can be diffed and committed.

Paths are relative to `%SRCROOT%`: the top folder of the git repository when the governance
repository is in one (`CheckReport.repository_path` is then the first part of each path, so
that code scanning finds the file when governance is a subfolder), the governance repository
itself outside git.

Code scanning rejects a run of more than 25,000 results (`MAX_RESULTS`). A larger report keeps
the most severe (errors, then warnings, then notes, each in report order), and the run says
what it left out: a tool execution notification (what a run says about the tool's own
execution, as opposed to what it found) and the run's `resultsLeftOut` property, by level.

Data stays valid in the log (`escaping`): every string is valid Unicode (an undecodable byte of
a file name is U+FFFD in text, and `%FF` in the file's URI, so that the URI names the file), JSON
escapes the rest, and `[` after `##` is written `\\u005b`, which a CI log does not obey.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
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
#: The most results a run holds: GitHub code scanning rejects a run of more (and shows the 5,000
#: most severe of those it takes).
MAX_RESULTS = 25_000
#: Which results a capped run keeps first.
SEVERITY = {"error": 0, "warning": 1, "note": 2}


@dataclass(frozen=True)
class Naming:
    """How results name rules and files: each rule's index in the driver's rules, and the
    governance repository's folder in its git repository (`""`: its top, or outside git)."""

    rule_index: dict[str, int]
    folder: str = ""

    def rule(self, rule_id: str) -> Json:
        """A result's rule, by id and by index."""
        return {"ruleId": rule_id, "ruleIndex": self.rule_index[rule_id]}


def render(report: CheckReport, *, colour: bool = False) -> str:
    """The SARIF log of `report`, as 2-space indented JSON with a final newline."""
    log = {"$schema": SCHEMA_URI, "version": SARIF_VERSION, "runs": [sarif_run(report)]}
    serialised = json.dumps(json_safe(log), indent=2, ensure_ascii=False, default=str)
    return json_document(serialised) + "\n"


def sarif_run(report: CheckReport) -> Json:
    """The one SARIF run: the tool and its rules, the results (at most `MAX_RESULTS`), the
    policy set, and what was left out."""
    rules = rule_descriptors(report)
    naming = Naming(
        {rule["id"]: position for position, rule in enumerate(rules)},
        report.repository_path or "",
    )
    results = [
        result for decision in report.decisions for result in decision_results(decision, naming)
    ]
    results += [problem_result(problem, naming) for problem in report.problems]
    kept, left_out = capped(results)
    run: Json = {
        "tool": {"driver": driver(rules)},
        "originalUriBaseIds": {SOURCE_ROOT: {"description": {"text": source_root(report)}}},
        "columnKind": "unicodeCodePoints",
        "results": kept,
        "properties": {
            "policySet": report.policy_set,
            "policySetVersion": report.policy_set_version,
            "evaluationDate": report.evaluation_date.isoformat(),
        },
    }
    if left_out:
        run["invocations"] = [
            {
                "executionSuccessful": True,
                "toolExecutionNotifications": [
                    {"level": "warning", "message": {"text": left_out_text(left_out)}}
                ],
            }
        ]
        run["properties"]["resultsLeftOut"] = {
            "total": left_out.total(),
            **{level: left_out[level] for level in SEVERITY},
        }
    return run


def source_root(report: CheckReport) -> str:
    """What `%SRCROOT%`, the base of every relative path, stands for."""
    if report.repository_path is None:
        return "The governance repository that was checked."
    if not report.repository_path:
        return "The top folder of the git repository: the governance repository that was checked."
    return (
        "The top folder of the git repository; the governance repository that was checked is "
        f"its folder {report.repository_path}."
    )


def capped(results: list[Json]) -> tuple[list[Json], Counter[str]]:
    """`results`, or past `MAX_RESULTS` the most severe of them (errors, then warnings, then
    notes, each in report order); and how many of each level were left out."""
    if len(results) <= MAX_RESULTS:
        return results, Counter()
    ranked = sorted(results, key=lambda result: SEVERITY.get(result["level"], len(SEVERITY)))
    return ranked[:MAX_RESULTS], Counter(result["level"] for result in ranked[MAX_RESULTS:])


def left_out_text(left_out: Counter[str]) -> str:
    """The notification of a capped run: how many results of each level it left out, and
    where they all are."""
    total = left_out.total()
    counts = ", ".join(
        f"{left_out[level]:,} {level}{'s' if left_out[level] != 1 else ''}"
        for level in SEVERITY
        if left_out[level]
    )
    return (
        f"{total:,} result{'s' if total != 1 else ''} left out ({counts}): GitHub code scanning "
        f"takes at most {MAX_RESULTS:,} results in a run, so this run keeps the most severe. "
        "The text and json reports list them all."
    )


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


def decision_results(decision: Decision, naming: Naming) -> list[Json]:
    """The request's rejections, then its findings: the order the text report shows them in."""
    return [
        *(rejection_result(decision, step, naming) for step in unvetoed_rejections(decision)),
        *(finding_result(decision, finding, naming) for finding in decision.findings),
    ]


def rejection_result(decision: Decision, step: RouteStep, naming: Naming) -> Json:
    """An error at the request's file: who rejected it, as which role, when, by which rule."""
    where = Location(decision.file)
    text = sentence(f"{request_label(decision)}: {rejection_text(step)} ({step.rule_id})")
    return {
        **naming.rule(REJECTED),
        "level": "error",
        "message": {"text": text},
        "locations": locations(where, naming.folder),
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


def finding_result(decision: Decision, finding: Finding, naming: Naming) -> Json:
    """The SARIF result of one finding of a request, marked when waived."""
    waived = finding.waiver is not None and not finding.blocking
    text = finding_text(decision, finding)
    if waived:
        text += f" Waived by {finding.waiver}."
    result: Json = {
        **naming.rule(finding.rule_id),
        "level": finding_level(finding),
        "message": {"text": text},
        "locations": locations(finding.location, naming.folder),
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


def problem_result(problem: Problem, naming: Naming) -> Json:
    """The SARIF result of one problem outside requests."""
    result: Json = {
        **naming.rule(problem.code),
        "level": problem.level.value,
        "message": {"text": sentence(problem.message)},
        "locations": locations(problem.location, naming.folder),
        "partialFingerprints": fingerprint(problem.code, problem.location, "", problem.message),
        "properties": {"severity": problem.severity.value, "yamlPath": problem.location.yaml_path},
    }
    if problem.related:
        result["relatedLocations"] = [
            {"id": number, "physicalLocation": physical_location(where, naming.folder)}
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


def locations(where: Location, folder: str) -> list[Json]:
    """A result's locations: one for a place in a file, none otherwise."""
    if not where.file:
        return []
    return [{"physicalLocation": physical_location(where, folder)}]


def physical_location(where: Location, folder: str) -> Json:
    """A SARIF physicalLocation: the file (`folder` is the governance repository's, relative to
    `%SRCROOT%`) and, where known, line and column."""
    # A place known only by its file (line 0) is reported at line 1, as code scanning annotates
    # whole-file results: a region-less location is valid SARIF but tools warn about it.
    region: Json = {"startLine": max(where.line, 1)}
    if where.line > 0 and where.column > 0:
        region["startColumn"] = where.column
    return {"artifactLocation": artifact_location(where.file, folder), "region": region}


def artifact_location(file: str, folder: str = "") -> Json:
    """A path relative to `%SRCROOT%` (`file` is relative to the governance repository, which
    is `folder` there), or a file URI for an absolute one."""
    if PurePosixPath(file).is_absolute() or PureWindowsPath(file).is_absolute():
        return {"uri": path_uri(file)}
    path = f"{folder}/{file}" if folder else file
    return {"uri": uri_path(path), "uriBaseId": SOURCE_ROOT}


def path_uri(file: str) -> str:
    """A `file://` URI for an absolute path, POSIX or Windows."""
    if PureWindowsPath(file).drive:  # a Windows name is Unicode; no byte there fails to decode
        return PureWindowsPath(unicode_text(file)).as_uri()
    return f"file://{uri_path(PurePosixPath(file).as_posix())}"


# Text -------------------------------------------------------------------------------------------
