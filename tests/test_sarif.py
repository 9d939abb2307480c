"""The `sarif` report: valid for the official SARIF 2.1.0 schema and for Microsoft's SARIF
Multitool (its SARIF rules and its GitHub code scanning ingestion rules), and true to the
decisions it reports.

The schema is the OASIS file itself (tests/data/README.md says where it comes from); the Multitool
is the npm package in package.json, which `scripts/test` installs with `npm ci`.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import subprocess
import sys
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from jsonschema.validators import validator_for

from spendgate import HOMEPAGE, __version__
from spendgate.decisions import CheckReport, Classification, Decision, Finding, Inputs
from spendgate.policy.library import builtin_directory
from spendgate.problems import Location
from spendgate.reporters import sarif
from spendgate.reporters.sarif import FINGERPRINT, MAX_RESULTS, SCHEMA_URI
from tests.conftest import EXAMPLES, PROJECT, TESTS, Cli

AS_OF = "2026-11-22"
#: Example -> number of results: every finding of every decision, every rejection on a route
#: that no veto finding reports (one each in the manufacturer and the retailer), every problem.
EXAMPLE_RESULTS = {"bank": 35, "manufacturer": 31, "retailer": 27}
SCHEMA_FILE = TESTS / "data" / "sarif-schema-2.1.0.json"
#: Of the official file as published (tests/data/README.md): it is never edited here.
SCHEMA_SHA256 = "ddddcccbf95c7c50c037b5b07eff4140556278ca574ff374db46786b5fce7949"
MULTITOOL = (
    PROJECT
    / "node_modules"
    / "@microsoft"
    / f"sarif-multitool-{sys.platform}"
    / ("Sarif.Multitool.exe" if sys.platform == "win32" else "Sarif.Multitool")
)
#: Multitool notes asking for what a report made from decisions alone cannot hold: message
#: templates (SARIF2002), git provenance (SARIF2003), reachable URIs offline (SARIF2006), code
#: snippets and context regions read from the files (SARIF2010, SARIF2011), per-rule help pages,
#: which do not exist (SARIF2012); and rule ids like `CS2001` (SARIF2009), where spendgate's
#: problem codes (`yaml-syntax`) stay the ones every other format shows. Errors and warnings are
#: never accepted.
ACCEPTED_NOTES = {
    "SARIF2002",
    "SARIF2003",
    "SARIF2006",
    "SARIF2009",
    "SARIF2010",
    "SARIF2011",
    "SARIF2012",
}

Json = dict[str, Any]


def check_sarif(cli: Cli, path: Path | str, *, exit_code: int = 1) -> Json:
    outcome = cli("check", path, "--as-of", AS_OF, "--format", "sarif")
    assert (outcome.exit_code, outcome.stderr) == (exit_code, "")
    log: Json = json.loads(outcome.stdout)
    return log


def assert_schema_valid(log: Json) -> None:
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))
    validator_class = validator_for(schema)  # the draft the schema declares
    validator_class.check_schema(schema)
    errors = sorted(validator_class(schema).iter_errors(log), key=lambda error: error.json_path)
    assert [f"{error.json_path}: {error.message}" for error in errors] == []


def multitool_findings(sarif_file: Path, tmp_path: Path) -> list[tuple[str, str, str]]:
    """(level, rule, message) of what `validate` reports, SARIF rules and GitHub rules alike."""
    assert MULTITOOL.exists(), f"{MULTITOOL} is missing: scripts/test installs it with `npm ci`"
    output = tmp_path / f"{sarif_file.stem}.validation.sarif"
    command = [str(MULTITOOL), "validate", str(sarif_file), "--output", str(output)]
    command += ["--log", "ForceOverwrite", "--level", "Error;Warning;Note"]
    command += ["--rule-kind", "Sarif;Gh"]
    # Invariant globalization: the tool then needs no ICU library on the machine.
    env = {**os.environ, "DOTNET_SYSTEM_GLOBALIZATION_INVARIANT": "1"}
    ran = subprocess.run(command, capture_output=True, text=True, env=env, timeout=300)
    assert ran.returncode == 0, ran.stdout + ran.stderr
    validation = json.loads(output.read_text(encoding="utf-8-sig"))
    (run,) = validation["runs"]
    assert [invocation["executionSuccessful"] for invocation in run["invocations"]] == [True]
    return [
        (result.get("level", "warning"), result["ruleId"], json.dumps(result["message"]))
        for result in run.get("results", [])
    ]


def assert_multitool_valid(log: Json, tmp_path: Path) -> None:
    sarif_file = tmp_path / "spendgate.sarif"
    sarif_file.write_text(json.dumps(log, indent=2), encoding="utf-8")
    findings = multitool_findings(sarif_file, tmp_path)
    assert [finding for finding in findings if finding[0] != "note"] == []
    assert {rule for _, rule, _ in findings} <= ACCEPTED_NOTES


def results_of(log: Json) -> list[Json]:
    results: list[Json] = log["runs"][0]["results"]
    return results


def rules_of(log: Json) -> list[Json]:
    rules: list[Json] = log["runs"][0]["tool"]["driver"]["rules"]
    return rules


def the_result(log: Json, rule_id: str, request: str) -> Json:
    (result,) = [
        result
        for result in results_of(log)
        if result["ruleId"] == rule_id and result["properties"].get("request") == request
    ]
    return result


# Validity ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("example", list(EXAMPLE_RESULTS))
def test_example_report_is_valid_sarif(cli: Cli, tmp_path: Path, example: str) -> None:
    log = check_sarif(cli, EXAMPLES / example)

    assert_schema_valid(log)
    assert_multitool_valid(log, tmp_path)


def test_the_schema_is_the_official_errata_01_text() -> None:
    assert hashlib.sha256(SCHEMA_FILE.read_bytes()).hexdigest() == SCHEMA_SHA256
    schema = json.loads(SCHEMA_FILE.read_text(encoding="utf-8"))

    assert schema["id"] == SCHEMA_URI
    assert schema["title"] == "Static Analysis Results Format (SARIF) Version 2.1.0 JSON Schema"
    assert validator_for(schema).__name__ == "Draft4Validator"


def test_the_schema_rejects_what_it_should(cli: Cli) -> None:
    """A guard against a schema that accepts anything: a region must start at line 1 or later."""
    log = check_sarif(cli, EXAMPLES / "bank")
    results_of(log)[0]["locations"][0]["physicalLocation"]["region"]["startLine"] = 0

    with pytest.raises(AssertionError, match="startLine"):
        assert_schema_valid(log)


def test_the_multitool_rejects_what_it_should(cli: Cli, tmp_path: Path) -> None:
    """A guard against a validation that passes everything: a rule index past the rules."""
    log = check_sarif(cli, EXAMPLES / "bank")
    results_of(log)[0]["ruleIndex"] = 999
    sarif_file = tmp_path / "broken.sarif"
    sarif_file.write_text(json.dumps(log), encoding="utf-8")

    findings = multitool_findings(sarif_file, tmp_path)

    assert ("error", "SARIF1009") in {(level, rule) for level, rule, _ in findings}


def test_invalid_request_and_repository_problem(
    cli: Cli, minimal_repo: Path, tmp_path: Path
) -> None:
    """Codes that no policy declares (a validation problem, a problem of no request) get rules."""
    (minimal_repo / "requests" / "broken.yaml").write_text(
        "apiVersion: spendgate/v1\nkind: PurchaseRequest\nid: PR-2026-002\ntitle: [broken\n"
    )
    (minimal_repo / "waivers").mkdir()
    (minimal_repo / "waivers" / "WV-1.yaml").write_text(
        "apiVersion: spendgate/v1\nkind: Waiver\nid: WV-1\nrules: [ESG-010]\n"
        "applies_to: [nordlys]\njustification: Nothing to waive.\napproved_by: kari\n"
        "granted: 2026-10-01\nexpires: 2027-03-31\n"
    )

    log = check_sarif(cli, minimal_repo)

    assert_schema_valid(log)
    assert_multitool_valid(log, tmp_path)
    rules = rules_of(log)
    assert [rule["id"] for rule in rules[-2:]] == ["yaml-syntax", "waiver-unmatched"]
    assert rules[-2]["properties"]["policy"] == "validate"
    assert rules[-2]["defaultConfiguration"] == {"level": "error"}
    assert rules[-1]["properties"]["policy"] == "repository"
    broken, laptops, waiver = results_of(log)
    assert (broken["ruleId"], broken["level"]) == ("yaml-syntax", "error")
    assert broken["message"]["text"] == (
        "The request file requests/broken.yaml: "
        "did not find expected ',' or ']' (while parsing a flow sequence)."
    )
    assert broken["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 5,
        "startColumn": 1,
    }
    assert (laptops["ruleId"], laptops["level"]) == ("VR-030", "error")
    assert (waiver["ruleId"], waiver["level"]) == ("waiver-unmatched", "warning")
    assert waiver["message"]["text"] == "waiver WV-1 matches no finding of ESG-010 on nordlys."
    assert waiver["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "waivers/WV-1.yaml",
        "uriBaseId": "%SRCROOT%",
    }


def test_policy_errors_alone(cli: Cli, minimal_repo: Path, tmp_path: Path) -> None:
    """Policies that do not compile: no rules of the policy set, only the problems (exit 2)."""
    shutil.copytree(builtin_directory(), minimal_repo / "policies", ignore=lambda *_: ["tests"])
    config = minimal_repo / "spendgate.yaml"
    config.write_text(config.read_text() + "policy_set: policies\n")
    policy = minimal_repo / "policies" / "vendor-risk.yaml"
    policy.write_text(policy.read_text().replace('vendor.status != "blocked"', "vendor.status &&"))

    log = check_sarif(cli, minimal_repo, exit_code=2)

    assert_schema_valid(log)
    assert_multitool_valid(log, tmp_path)
    results = results_of(log)
    assert results
    assert {result["level"] for result in results} == {"error"}
    assert {rule["id"] for rule in rules_of(log)} == {result["ruleId"] for result in results}
    assert {
        result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"] for result in results
    } == {"policies/vendor-risk.yaml"}


# Content ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("example", list(EXAMPLE_RESULTS))
def test_one_result_per_finding_and_problem(cli: Cli, example: str) -> None:
    log = check_sarif(cli, EXAMPLES / example)
    report = json.loads(
        cli("check", EXAMPLES / example, "--as-of", AS_OF, "--format", "json").stdout
    )

    findings = [
        (finding["rule_id"], decision["request_id"])
        for decision in report["decisions"]
        for finding in decision["findings"]
    ]
    findings += [
        ("REJECTED", decision["request_id"])
        for decision in report["decisions"]
        for step in decision["route"]
        if step["rejected"] and not step["veto"]
    ]
    results = results_of(log)
    assert len(results) == EXAMPLE_RESULTS[example] == len(findings) + len(report["problems"])
    assert Counter((r["ruleId"], r["properties"]["request"]) for r in results) == Counter(findings)


@pytest.mark.parametrize("example", list(EXAMPLE_RESULTS))
def test_every_result_names_its_rule_by_id_and_index(cli: Cli, example: str) -> None:
    log = check_sarif(cli, EXAMPLES / example)
    rules = rules_of(log)

    assert len({rule["id"] for rule in rules}) == len(rules)
    for result in results_of(log):
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
    for rule in rules:
        assert rule["name"].isalnum() and rule["name"][0].isupper()
        assert rule["shortDescription"]["text"].endswith(".")
        assert rule["help"]["text"] and rule["help"]["markdown"]
        assert rule["defaultConfiguration"]["level"] in ("error", "warning")


def test_tool_and_run(cli: Cli) -> None:
    log = check_sarif(cli, EXAMPLES / "bank")

    assert (log["$schema"], log["version"]) == (SCHEMA_URI, "2.1.0")
    (run,) = log["runs"]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["semanticVersion"]) == (
        "spendgate",
        __version__,
        __version__,
    )
    assert driver["informationUri"] == HOMEPAGE
    assert run["originalUriBaseIds"]["%SRCROOT%"]["description"]["text"]
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["properties"] == {
        "policySet": "spendgate-reference",
        "policySetVersion": "1.1.0",
        "evaluationDate": AS_OF,
    }


def test_policy_rule_descriptor(cli: Cli) -> None:
    rules = {rule["id"]: rule for rule in rules_of(check_sarif(cli, EXAMPLES / "bank"))}

    screened = rules["VR-015"]
    assert screened["name"] == "TheVendorWasScreenedForSanctionsWithin90Days"
    assert screened["shortDescription"] == {
        "text": "The vendor was screened for sanctions within 90 days."
    }
    assert screened["defaultConfiguration"] == {"level": "error"}
    assert screened["properties"] == {
        "policy": "vendor-risk",
        "policyVersion": "1.0.0",
        "owner": "procurement",
        "effect": "assert",
        "enforcement": "hard",
        "tags": ["procurement", "vendor-risk"],
    }
    assert "no waiver can lift it" in screened["help"]["text"]
    assert screened["help"]["markdown"].startswith(
        "**The vendor was screened for sanctions within 90 days**"
    )
    assert rules["ESG-020"]["defaultConfiguration"] == {"level": "warning"}
    approval = rules["APPROVAL"]  # not a policy rule: synthesised from the finding
    assert list(rules)[-1] == "APPROVAL"
    assert approval["properties"]["enforcement"] == "advisory"
    assert approval["defaultConfiguration"] == {"level": "warning"}


def test_blocking_finding_is_an_error_at_its_place(cli: Cli) -> None:
    result = the_result(check_sarif(cli, EXAMPLES / "bank"), "VR-015", "NB-2026-0171")

    assert result["level"] == "error"
    assert result["message"]["text"] == (
        "Request NB-2026-0171: nordlys-telekom was last screened on 2026-05-14, "
        "more than 90 days ago."
    )
    assert result["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {  # from the top of the project's git repository
                    "uri": "examples/bank/requests/2026/NB-2026-0171.yaml",
                    "uriBaseId": "%SRCROOT%",
                },
                "region": {"startLine": 9, "startColumn": 9},
            }
        }
    ]
    assert result["properties"]["blocking"] is True
    assert result["properties"]["yamlPath"] == "$.vendor"
    assert "suppressions" not in result


def test_assertion_names_the_rule_it_fails(cli: Cli) -> None:
    result = the_result(check_sarif(cli, EXAMPLES / "bank"), "AI-070", "NB-2026-0142")

    assert result["level"] == "error"
    assert result["message"]["text"] == (
        "Request NB-2026-0142 does not meet AI-070: Limited-risk AI has a transparency plan."
    )
    assert result["locations"][0]["physicalLocation"]["region"] == {
        "startLine": 51,
        "startColumn": 16,
    }


def test_waived_finding_is_a_suppressed_note(cli: Cli) -> None:
    result = the_result(check_sarif(cli, EXAMPLES / "bank"), "ESG-010", "NB-2026-0171")

    assert result["level"] == "note"
    assert result["message"]["text"].endswith(" Waived by WV-NB-2026-004.")
    assert result["suppressions"] == [
        {"kind": "external", "status": "accepted", "justification": "WV-NB-2026-004"}
    ]
    assert result["properties"]["blocking"] is False


def test_advisory_finding_is_a_warning(cli: Cli) -> None:
    result = the_result(check_sarif(cli, EXAMPLES / "bank"), "ESG-020", "NB-2026-0171")

    assert result["level"] == "warning"
    assert result["properties"]["enforcement"] == "advisory"


def test_fingerprints_survive_moved_lines(cli: Cli, tmp_path: Path) -> None:
    before = check_sarif(cli, EXAMPLES / "bank")
    moved = tmp_path / "bank"
    shutil.copytree(EXAMPLES / "bank", moved)
    request = moved / "requests" / "2026" / "NB-2026-0171.yaml"
    request.write_text("# a comment moves every line down\n" + request.read_text())

    after = check_sarif(cli, moved)

    old, new = (the_result(log, "VR-015", "NB-2026-0171") for log in (before, after))
    assert new["partialFingerprints"] == old["partialFingerprints"]
    assert new["locations"][0]["physicalLocation"]["region"]["startLine"] == 10
    fingerprints = [result["partialFingerprints"][FINGERPRINT] for result in results_of(after)]
    assert len(set(fingerprints)) == len(fingerprints)


# Form -------------------------------------------------------------------------------------------


def test_output_is_deterministic_and_indented(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(PROJECT)
    arguments = ("check", "examples/bank", "--as-of", AS_OF, "--format", "sarif")
    first = cli(*arguments, "--output", f"sarif={tmp_path / 'out.sarif'}")
    second = cli(*arguments)

    assert first.stdout == second.stdout == (tmp_path / "out.sarif").read_text(encoding="utf-8")
    assert first.stdout.startswith('{\n  "$schema": ')
    assert first.stdout.endswith("}\n") and not first.stdout.endswith("\n\n")


# On GitHub -------------------------------------------------------------------------------------


def git_init(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run(["git", "init", "--quiet", str(folder)], check=True, timeout=60)


def relative_uris(log: Json) -> set[str]:
    return {
        location["physicalLocation"]["artifactLocation"]["uri"]
        for result in results_of(log)
        for location in result["locations"]
        if location["physicalLocation"]["artifactLocation"].get("uriBaseId") == "%SRCROOT%"
    }


def test_a_governance_subfolder_is_named_from_the_top_of_its_git_repository(
    cli: Cli, minimal_repo: Path, tmp_path: Path
) -> None:
    """Code scanning places a result by its path from the top of the repository it scans."""
    project = tmp_path / "project"
    git_init(project)
    governance = project / "finance" / "gov"
    shutil.copytree(minimal_repo, governance)

    log = check_sarif(cli, governance)

    assert relative_uris(log) == {"finance/gov/requests/laptops.yaml"}
    assert all((project / uri).is_file() for uri in relative_uris(log))
    assert log["runs"][0]["originalUriBaseIds"] == {
        "%SRCROOT%": {
            "description": {
                "text": "The top folder of the git repository; the governance repository that "
                "was checked is its folder finance/gov."
            }
        }
    }
    assert_schema_valid(log)
    assert_multitool_valid(log, tmp_path)


def test_a_governance_repository_at_the_top_of_git_or_outside_it_is_named_from_itself(
    cli: Cli, minimal_repo: Path
) -> None:
    outside = check_sarif(cli, minimal_repo)
    git_init(minimal_repo)
    at_top = check_sarif(cli, minimal_repo)

    assert relative_uris(outside) == relative_uris(at_top) == {"requests/laptops.yaml"}
    assert outside["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["description"] == {
        "text": "The governance repository that was checked."
    }
    assert at_top["runs"][0]["originalUriBaseIds"]["%SRCROOT%"]["description"] == {
        "text": "The top folder of the git repository: the governance repository that was checked."
    }


def capped_finding(number: int, enforcement: str, waiver: str | None = None) -> Finding:
    return Finding(
        "VR-015",
        "The vendor was screened",
        "vendor-risk",
        "1.0.0",
        enforcement,  # type: ignore[arg-type]
        f"finding {number}",
        Location("requests/r.yaml", number + 1, 1, "$.vendor"),
        waiver=waiver,
    )


def many_results_report(notes: int, warnings: int, errors: int) -> CheckReport:
    """One request with findings numbered from 0: its notes, then its warnings, then its
    errors."""
    findings = (
        *(capped_finding(n, "soft", waiver="WV-1") for n in range(notes)),
        *(capped_finding(n, "advisory") for n in range(notes, notes + warnings)),
        *(capped_finding(n, "hard") for n in range(notes + warnings, notes + warnings + errors)),
    )
    decided = Decision(
        "PR-1", "requests/r.yaml", "Laptops", "blocked", "1.00", "EUR", Classification("opex"),
        (), findings, Inputs(date(2026, 11, 22), "reference", "1.0.0", ()),
    )  # fmt: skip
    return CheckReport("gov", date(2026, 11, 22), "reference", "1.0.0", (decided,), ())


def test_a_run_keeps_the_25000_most_severe_results_and_says_what_it_left_out() -> None:
    log = json.loads(sarif.render(many_results_report(500, 1_500, 24_000)))

    (run,) = log["runs"]
    results = run["results"]
    assert MAX_RESULTS == 25_000 == len(results)
    assert [result["level"] for result in results] == ["error"] * 24_000 + ["warning"] * 1_000
    kept = [int(result["message"]["text"].removesuffix(".").split()[-1]) for result in results]
    assert kept == [*range(2_000, 26_000), *range(500, 1_500)]  # each level in report order
    assert run["invocations"] == [
        {
            "executionSuccessful": True,
            "toolExecutionNotifications": [
                {
                    "level": "warning",
                    "message": {
                        "text": "1,000 results left out (500 warnings, 500 notes): GitHub code "
                        "scanning takes at most 25,000 results in a run, so this run keeps the "
                        "most severe. The text and json reports list them all."
                    },
                }
            ],
        }
    ]
    assert run["properties"]["resultsLeftOut"] == {
        "total": 1_000,
        "error": 0,
        "warning": 500,
        "note": 500,
    }


def test_a_capped_run_is_valid_sarif(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """With a cap of 5: a run of 25,000 results takes the Multitool minutes to read (read once,
    with `--max-file-size-in-kb 100000`, it found no error and no warning either)."""
    monkeypatch.setattr(sarif, "MAX_RESULTS", 5)
    log = json.loads(sarif.render(many_results_report(2, 2, 3)))

    (run,) = log["runs"]
    assert [result["level"] for result in run["results"]] == ["error"] * 3 + ["warning"] * 2
    assert run["invocations"][0]["toolExecutionNotifications"][0]["message"]["text"] == (
        "2 results left out (2 notes): GitHub code scanning takes at most 5 results in a run, "
        "so this run keeps the most severe. The text and json reports list them all."
    )
    assert_schema_valid(log)
    assert_multitool_valid(log, tmp_path)


def test_a_run_within_the_limit_keeps_every_result_in_report_order() -> None:
    report = many_results_report(1, 1, 1)
    (run,) = json.loads(sarif.render(report))["runs"]

    assert [result["level"] for result in run["results"]] == ["note", "warning", "error"]
    assert "invocations" not in run and "resultsLeftOut" not in run["properties"]
