"""The composite GitHub Action (`action.yml`) and the workflows (SPEC §11).

GitHub itself cannot run here, so the files are checked in the ways that catch real mistakes:
against SchemaStore's schemas for actions and workflows (as vendored by check-jsonschema); by
asserting what the gate depends on (`check --base`, the SARIF upload, the one comment found by its
marker, the verdict kept until the reports are out, no expression pasted into a script); and by
running the action's own scripts: the bash that finds the merge base, in a real git clone, and the
github-script JavaScript, in Node.js against a fake GitHub client."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml_rs

from tests.conftest import PROJECT
from tests.test_approvals import git

ACTION = PROJECT / "action.yml"
WORKFLOWS = sorted((PROJECT / ".github" / "workflows").glob("*.yml"))
EXAMPLE = PROJECT / ".github" / "workflows" / "governance-example.yml"
MARKER = "<!-- spendgate-report -->"


def load(path: Path) -> Any:
    # YAML 1.2, as GitHub reads it: `on:` stays a string key.
    return yaml_rs.loads(path.read_text(encoding="utf-8"), parse_datetime=False)


def check_jsonschema(schema: str, *paths: Path) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *map(str, paths)],
        capture_output=True,
        text=True,
    )
    return done.returncode, done.stdout + done.stderr


def steps_of(document: dict[str, Any]) -> list[dict[str, Any]]:
    if "runs" in document:
        steps: list[dict[str, Any]] = document["runs"]["steps"]
        return steps
    return [step for job in document["jobs"].values() for step in job.get("steps", [])]


def step(steps: list[dict[str, Any]], *, uses: str) -> dict[str, Any]:
    (found,) = [each for each in steps if each.get("uses", "").startswith(f"{uses}@")]
    return found


@pytest.fixture(scope="module")
def action() -> dict[str, Any]:
    document: dict[str, Any] = load(ACTION)
    return document


@pytest.fixture(scope="module")
def action_steps(action: dict[str, Any]) -> list[dict[str, Any]]:
    return steps_of(action)


@pytest.fixture(scope="module")
def check_step(action_steps: list[dict[str, Any]]) -> dict[str, Any]:
    (found,) = [each for each in action_steps if each.get("id") == "check"]
    return found


def test_the_action_is_valid_against_the_schema_store_schema() -> None:
    assert check_jsonschema("vendor.github-actions", ACTION) == (0, "ok -- validation done\n")


def test_the_workflows_are_valid_against_the_schema_store_schema() -> None:
    assert EXAMPLE in WORKFLOWS
    code, output = check_jsonschema("vendor.github-workflows", *WORKFLOWS)

    assert (code, output) == (0, "ok -- validation done\n")


def test_the_schema_check_does_catch_a_broken_action(tmp_path: Path) -> None:
    broken = tmp_path / "action.yml"
    # A composite `run` step must name its shell.
    broken.write_text(re.sub(r"\n +shell: bash", "", ACTION.read_text(), count=1))

    code, output = check_jsonschema("vendor.github-actions", broken)

    assert code == 1
    assert "Schema validation errors were encountered." in output


def test_no_expression_is_pasted_into_a_script() -> None:
    """Script injection: a `${{ }}` in `run:` or a github-script `script:` is code, not data."""
    for path in [ACTION, *WORKFLOWS]:
        for each in steps_of(load(path)):
            scripts = [each.get("run", ""), each.get("with", {}).get("script", "")]
            assert not any("${{" in script for script in scripts), (path.name, each)


def test_every_input_and_step_output_the_action_uses_exists(action: dict[str, Any]) -> None:
    text = ACTION.read_text(encoding="utf-8")
    steps = {each["id"]: each for each in action["runs"]["steps"] if "id" in each}
    used = re.findall(r"steps\.([A-Za-z0-9_-]+)\.outputs\.([A-Za-z0-9_-]+)", text)

    assert set(re.findall(r"inputs\.([A-Za-z0-9_-]+)", text)) == set(action["inputs"])
    assert {step_id for step_id, _ in used} <= set(steps)
    for step_id, name in used:
        if "run" in steps[step_id]:  # our own script must write what is read
            assert f'echo "{name}=' in steps[step_id]["run"], (step_id, name)


def test_the_action_installs_spendgate_from_its_own_checkout(
    action_steps: list[dict[str, Any]],
) -> None:
    assert step(action_steps, uses="actions/setup-python")["with"]["python-version"] == (
        "${{ inputs.python-version }}"
    )
    (install,) = [each for each in action_steps if "pip install" in each.get("run", "")]
    assert install["run"].endswith('"$GITHUB_ACTION_PATH"')


def test_the_action_runs_check_against_the_base_and_keeps_the_verdict(
    action: dict[str, Any], action_steps: list[dict[str, Any]], check_step: dict[str, Any]
) -> None:
    script = check_step["run"]

    assert 'spendgate check "$SPENDGATE_PATH"' in script
    assert 'options+=(--base "$SPENDGATE_BASE")' in script
    assert '--format "$SPENDGATE_FORMAT"' in script
    assert '--output "sarif=$SPENDGATE_SARIF"' in script
    assert '--output "markdown=$SPENDGATE_MARKDOWN"' in script
    assert "&& code=0 || code=$?" in script  # a blocked gate must not skip the reports
    assert check_step["env"]["SPENDGATE_BASE"] == "${{ steps.base.outputs.ref }}"
    assert action["inputs"]["format"]["default"] == "github"
    last = action_steps[-1]
    assert last["run"] == 'exit "${SPENDGATE_EXIT_CODE:-3}"'
    assert last["env"]["SPENDGATE_EXIT_CODE"] == "${{ steps.check.outputs.exit-code }}"
    assert action["outputs"]["exit-code"]["value"] == "${{ steps.check.outputs.exit-code }}"


def run_step(script: str, tmp_path: Path, **environment: str) -> tuple[int, str, str]:
    """Run a `shell: bash` step as the runner does; its exit code, output and GITHUB_OUTPUT."""
    outputs = tmp_path / "github-output"
    outputs.write_text("")
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        env={"PATH": os.environ["PATH"], "GITHUB_OUTPUT": str(outputs), **environment},
        capture_output=True,
        text=True,
    )
    return done.returncode, done.stdout, outputs.read_text()


def test_the_base_step_finds_the_merge_base_or_says_how_to_check_out(
    action_steps: list[dict[str, Any]], tmp_path: Path
) -> None:
    (base,) = [each for each in action_steps if each.get("id") == "base"]
    upstream, clone = tmp_path / "upstream", tmp_path / "clone"
    upstream.mkdir()
    (upstream / "spendgate.yaml").write_text("apiVersion: spendgate/v1\n")
    git(upstream, "init", "-q", "-b", "main")
    git(upstream, "add", ".")
    git(upstream, "commit", "-q", "-m", "governance")
    git(tmp_path, "clone", "-q", str(upstream), str(clone))
    git(clone, "commit", "-q", "--allow-empty", "-m", "a change")
    head = git(clone, "rev-parse", "HEAD").strip()
    merge_base = git(upstream, "rev-parse", "HEAD").strip()
    environment = {"SPENDGATE_PATH": str(clone), "INPUT_BASE": "", "PR_HEAD_SHA": head}

    found = run_step(base["run"], tmp_path, **environment, PR_BASE_REF="main")
    missing = run_step(base["run"], tmp_path, **environment, PR_BASE_REF="release")

    assert base["env"]["PR_BASE_REF"] == "${{ github.event.pull_request.base.ref }}"
    assert found == (0, "", f"ref=origin/main\ncommit={merge_base}\n")
    assert missing == (
        2,
        "::error title=spendgate::no merge base between HEAD and origin/release; "
        "check out with fetch-depth: 0\n",
        "",
    )


def test_the_catalogue_is_cached_by_the_base_commit(action_steps: list[dict[str, Any]]) -> None:
    restore = step(action_steps, uses="actions/cache/restore")["with"]
    save = step(action_steps, uses="actions/cache/save")["with"]

    assert restore["path"] == save["path"] == "${{ inputs.path }}/.spendgate-cache"
    assert restore["key"] == save["key"]
    assert "${{ steps.base.outputs.commit }}" in restore["key"]
    assert restore["key"].startswith(restore["restore-keys"])


def test_the_action_uploads_sarif_when_a_report_was_written(
    action_steps: list[dict[str, Any]], check_step: dict[str, Any]
) -> None:
    upload = step(action_steps, uses="github/codeql-action/upload-sarif")

    assert upload["with"]["sarif_file"] == "${{ steps.check.outputs.sarif }}"
    assert "steps.check.outputs.sarif != ''" in upload["if"]
    assert action_steps.index(upload) > action_steps.index(check_step)


def test_the_action_posts_or_updates_one_comment_found_by_its_marker(
    action_steps: list[dict[str, Any]],
) -> None:
    (comment,) = [each for each in action_steps if "createComment" in str(each.get("with"))]
    script = comment["with"]["script"]

    assert comment["uses"].startswith("actions/github-script@")
    assert comment["env"]["SPENDGATE_MARKDOWN"] == "${{ steps.check.outputs.markdown }}"
    assert f"const marker = '{MARKER}';" in script
    assert "startsWith(marker)" in script
    assert "updateComment" in script
    assert "inputs.comment == 'true'" in comment["if"]


def test_the_example_workflow_checks_pull_requests_with_the_action() -> None:
    workflow = load(EXAMPLE)
    job = workflow["jobs"]["check"]
    (checkout,) = [each for each in job["steps"] if each["uses"].startswith("actions/checkout@")]
    (gate,) = [each for each in job["steps"] if each["uses"].startswith("spendgate/spendgate@")]

    assert {"pull_request", "push"} <= set(workflow["on"])
    assert workflow["on"]["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {"contents": "read"}
    assert job["permissions"] == {
        "contents": "read",
        "pull-requests": "write",
        "security-events": "write",
        "actions": "read",
    }
    assert checkout["with"]["fetch-depth"] == 0
    assert checkout["with"]["ref"] == "${{ github.event.pull_request.head.sha }}"
    assert gate["id"] == "spendgate"


def test_the_example_workflow_records_decisions_on_main() -> None:
    workflow = load(EXAMPLE)
    job = workflow["jobs"]["record"]
    scripts = [each.get("run", "") for each in job["steps"]]

    assert "github.event_name == 'push'" in job["if"]
    assert job["permissions"] == {"contents": "write"}
    assert "spendgate audit record" in scripts
    assert any("git push" in script for script in scripts)
    assert any(script.startswith("git add audit/decisions.jsonl") for script in scripts)
    # The token is not left in .git/config for every step: only the one that pushes gets it.
    assert job["steps"][0]["with"]["persist-credentials"] is False
    (push,) = [each for each in job["steps"] if "git push" in each.get("run", "")]
    assert [each for each in job["steps"] if "GITHUB_TOKEN" in each.get("env", {})] == [push]
    assert push["env"]["GITHUB_TOKEN"] == "${{ github.token }}"


def test_the_example_workflow_scans_main_for_code_scanning() -> None:
    """Issue 19: code scanning compares a pull request's alerts with the default branch's, so
    each push to main runs the action on the whole repository, which uploads its SARIF."""
    job = load(EXAMPLE)["jobs"]["scan"]
    checkout, gate, verdict = job["steps"]

    assert "github.event_name == 'push'" in job["if"]
    assert job["permissions"] == {
        "contents": "read",
        "security-events": "write",
        "actions": "read",
    }
    assert checkout["with"] == {"fetch-depth": 0, "persist-credentials": False}
    assert gate["uses"].startswith("spendgate/spendgate@")
    assert gate["continue-on-error"] is True
    assert verdict["env"] == {"SPENDGATE_EXIT_CODE": "${{ steps.spendgate.outputs.exit-code }}"}


@pytest.mark.parametrize(("code", "job_exit"), [("0", 0), ("1", 0), ("2", 2), ("3", 3), ("", 3)])
def test_the_scan_of_main_fails_only_when_the_check_could_not_judge(
    code: str, job_exit: int
) -> None:
    """A blocked or pending request on main is an alert, not a failed job; a configuration or
    internal error is, and so is an action that never said."""
    (verdict,) = [each for each in load(EXAMPLE)["jobs"]["scan"]["steps"] if "run" in each]
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", verdict["run"]],
        env={"PATH": os.environ["PATH"], "SPENDGATE_EXIT_CODE": code},
    )
    assert done.returncode == job_exit


def test_the_example_workflow_does_nothing_outside_a_governance_repository() -> None:
    workflow = load(EXAMPLE)
    look = workflow["jobs"]["governance"]["steps"][-1]["run"]

    assert "[ -f spendgate.yaml ]" in look
    assert not (PROJECT / "spendgate.yaml").exists()  # so in this repository both jobs skip
    for name in ("check", "scan", "record"):
        assert workflow["jobs"][name]["needs"] == "governance"
        assert workflow["jobs"][name]["if"].startswith(
            "needs.governance.outputs.found == 'true' && "
        )


# actions/github-script runs its `script` as the body of an async function of (require, github,
# context, ...); this harness does the same with a fake `github` that records what it is asked.
GITHUB_SCRIPT_HARNESS = """
const calls = [];
const comments = JSON.parse(process.env.HARNESS_COMMENTS);
const github = {
  rest: {
    issues: {
      listComments: 'listComments',
      createComment: async (parameters) => calls.push(['create', parameters]),
      updateComment: async (parameters) => calls.push(['update', parameters]),
    },
    pulls: { listReviews: 'listReviews' },
  },
  paginate: async (method, parameters) => {
    calls.push(['paginate', method, parameters]);
    return method === 'listComments' ? comments : [{ id: 1, state: 'APPROVED' }];
  },
};
const context = {
  repo: { owner: 'acme', repo: 'governance' },
  payload: { pull_request: { number: 7 } },
  serverUrl: 'https://github.com',
  runId: 99,
};
const AsyncFunction = Object.getPrototypeOf(async () => {}).constructor;
const script = new AsyncFunction('require', 'github', 'context', process.env.HARNESS_SCRIPT);
script(require, github, context).then(() => console.log(JSON.stringify(calls)));
"""


def run_github_script(
    script: str, tmp_path: Path, *, comments: list[dict[str, Any]], **environment: str
) -> list[list[Any]]:
    done = subprocess.run(
        ["node", "-e", GITHUB_SCRIPT_HARNESS],
        env={
            "PATH": os.environ["PATH"],
            "HARNESS_SCRIPT": script,
            "HARNESS_COMMENTS": json.dumps(comments),
            **environment,
        },
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=True,
    )
    calls: list[list[Any]] = json.loads(done.stdout)
    return calls


needs_node = pytest.mark.skipif(
    shutil.which("node") is None, reason="needs Node.js, which runs actions/github-script"
)


@pytest.fixture(scope="module")
def comment_script(action_steps: list[dict[str, Any]]) -> str:
    (comment,) = [each for each in action_steps if "createComment" in str(each.get("with"))]
    script: str = comment["with"]["script"]
    return script


@needs_node
def test_the_first_report_creates_the_comment(comment_script: str, tmp_path: Path) -> None:
    report = tmp_path / "report.md"
    report.write_text(f"{MARKER}\n## spendgate: blocked\n")

    calls = run_github_script(
        comment_script,
        tmp_path,
        comments=[{"id": 5, "body": "Looks good to me"}],
        SPENDGATE_MARKDOWN=str(report),
    )

    assert calls[-1] == [
        "create",
        {
            "owner": "acme",
            "repo": "governance",
            "issue_number": 7,
            "body": f"{MARKER}\n## spendgate: blocked\n",
        },
    ]


@needs_node
def test_a_later_report_updates_the_comment_with_the_marker(
    comment_script: str, tmp_path: Path
) -> None:
    report = tmp_path / "report.md"
    report.write_text("## spendgate: passed\n")  # the marker is added when the report lacks it
    comments = [
        {"id": 5, "body": f"Why is {MARKER} in the old comment?"},
        {"id": 6, "body": f"{MARKER}\n## spendgate: blocked\n"},
    ]

    calls = run_github_script(
        comment_script, tmp_path, comments=comments, SPENDGATE_MARKDOWN=str(report)
    )

    assert calls[-1] == [
        "update",
        {
            "owner": "acme",
            "repo": "governance",
            "comment_id": 6,
            "body": f"{MARKER}\n## spendgate: passed\n",
        },
    ]


@needs_node
def test_a_report_too_long_for_a_comment_is_cut_and_points_to_the_summary(
    comment_script: str, tmp_path: Path
) -> None:
    report = tmp_path / "report.md"
    report.write_text(f"{MARKER}\n" + "| one row |\n" * 20_000)

    calls = run_github_script(comment_script, tmp_path, comments=[], SPENDGATE_MARKDOWN=str(report))
    body = calls[-1][1]["body"]

    lines = body.splitlines()
    assert len(body) < 65_536
    assert lines[0] == MARKER
    assert set(lines[1:-2]) == {"| one row |"}, "cut at a line break: no row is split"
    assert lines[-2:] == [
        "",
        "…cut short; the whole report is in the "
        "[job summary](https://github.com/acme/governance/actions/runs/99).",
    ]


@needs_node
def test_the_reviews_are_fetched_for_check(
    action_steps: list[dict[str, Any]], tmp_path: Path
) -> None:
    (fetch,) = [each for each in action_steps if "listReviews" in str(each.get("with"))]
    reviews = tmp_path / "reviews.json"

    calls = run_github_script(
        fetch["with"]["script"], tmp_path, comments=[], SPENDGATE_REVIEWS=str(reviews)
    )

    assert calls == [
        [
            "paginate",
            "listReviews",
            {"owner": "acme", "repo": "governance", "pull_number": 7, "per_page": 100},
        ]
    ]
    assert json.loads(reviews.read_text()) == [{"id": 1, "state": "APPROVED"}]
