"""`spendgate init`: the scaffolded repository validates, checks, tests and gates cleanly (§11)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from dataclasses import astuple
from datetime import date
from pathlib import Path
from typing import Any, get_args

import jsonschema
import pytest

from spendgate import HOMEPAGE, __version__
from spendgate.app.scaffold import TEMPLATE_DIRECTORY, TEMPLATES, new_organisation, scaffold_files
from spendgate.app.schemas import schema_texts
from spendgate.cli.init import INDUSTRIES
from spendgate.documents.fields import Industry
from spendgate.documents.located_yaml import load_located
from spendgate.documents.people import People
from spendgate.documents.repository import open_repository
from spendgate.policy.library import builtin_directory, load_policy_book
from tests.conftest import PROJECT, Cli, GitUser
from tests.test_action import check_jsonschema
from tests.test_approvals import git

AS_OF = "2026-11-22"
EMPTY_CHECK = (
    "0 requests: 0 approved, 0 pending, 0 blocked, 0 rejected, 0 invalid "
    f"(policy set spendgate-reference 1.1.0, as of {AS_OF})\n"
)
#: Roles that come from the documents' structure, not from a person's `roles`.
STRUCTURAL_ROLES = {"budget_owner", "line_manager"}
SCHEMA_COMMENT = re.compile(r"# yaml-language-server: \$schema=(\S+)\n")
SCHEMA_STORE = {
    ".github/workflows/spendgate.yml": "https://json.schemastore.org/github-workflow.json",
    ".pre-commit-config.yaml": "https://json.schemastore.org/pre-commit-config.json",
}
#: The identity the record job commits the decision log as.
BOT = {
    "GIT_AUTHOR_NAME": "github-actions[bot]",
    "GIT_AUTHOR_EMAIL": "41898282+github-actions[bot]@users.noreply.github.com",
    "GIT_COMMITTER_NAME": "github-actions[bot]",
    "GIT_COMMITTER_EMAIL": "41898282+github-actions[bot]@users.noreply.github.com",
}
RECORD_SCRIPT = """\
if [ ! -f audit/decisions.jsonl ]; then
  echo "No decisions yet."
  exit 0
fi
git add audit/decisions.jsonl
if git diff --cached --quiet; then
  echo "No new decisions."
  exit 0
fi
git commit --quiet -m "audit: record the decisions of $GITHUB_SHA"
# The token reaches git through the environment as command-line configuration, the
# header actions/checkout would have written: for this step's pull and push alone.
credential="$(printf 'x-access-token:%s' "$GITHUB_TOKEN" | base64 -w0)"
export GIT_CONFIG_COUNT=1 GIT_CONFIG_KEY_0="http.$GITHUB_SERVER_URL/.extraheader"
export GIT_CONFIG_VALUE_0="AUTHORIZATION: basic $credential"
# A push made with the workflow's token starts no workflow, so this cannot loop.
git pull --rebase --quiet origin "$BRANCH"
git push --quiet origin "HEAD:$BRANCH"
"""
CHECK_COMMAND = (
    'spendgate check --base "origin/$GITHUB_BASE_REF" --format github '
    "--output sarif=spendgate.sarif --output markdown=spendgate.md"
)
SCAN_COMMAND = """\
spendgate check --format github \\
  --output sarif=spendgate.sarif --output markdown=spendgate.md || verdict=$?
if [ "${verdict:-0}" -ge 2 ]; then exit "$verdict"; fi
"""
#: The actions the workflow uses, each pinned by its release's commit SHA (issue 19).
CHECKOUT = {
    "uses": "actions/checkout@08c6903cd8c0fde910a37f88322edcfb5dd907a8",
    "with": {"fetch-depth": 0, "persist-credentials": False},
}
SETUP_PYTHON = {
    "uses": "actions/setup-python@e797f83bcb11b83ae66e0230d6156d7c80228e7c",
    "with": {"python-version": "3.11"},
}
CACHE = "9255dc7a253b0ccc959486e2bca901246202afeb"
UPLOAD_SARIF = "github/codeql-action/upload-sarif@5d4e8d1aca955e8d8589aabd499c5cae939e33c7"
#: What uploading SARIF takes: code scanning, and reading the run in private repositories.
SARIF_PERMISSIONS = {"contents": "read", "security-events": "write", "actions": "read"}


def initial_branch(monkeypatch: pytest.MonkeyPatch, name: str) -> None:
    """Configure git's `init.defaultBranch` as `name` for every git this process starts (git
    reads GIT_CONFIG_COUNT/KEY/VALUE as command-line configuration), whatever the machine's
    own configuration says."""
    monkeypatch.setenv("GIT_CONFIG_COUNT", "1")
    monkeypatch.setenv("GIT_CONFIG_KEY_0", "init.defaultBranch")
    monkeypatch.setenv("GIT_CONFIG_VALUE_0", name)


@pytest.fixture
def on_main(monkeypatch: pytest.MonkeyPatch) -> None:
    """`spendgate init` makes its repositories on branch main."""
    initial_branch(monkeypatch, "main")


@pytest.fixture(scope="module")
def scaffold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One finance scaffold on branch main, written by the command, shared by the tests that
    only read it."""
    from spendgate.cli.main import run

    root = tmp_path_factory.mktemp("scaffold") / "northbridge"
    with pytest.MonkeyPatch.context() as monkeypatch:
        initial_branch(monkeypatch, "main")
        assert run(["init", str(root), "--industry", "finance", "--name", "Northbridge Bank"]) == 0
    return root


def yaml_files(root: Path) -> list[str]:
    """Every YAML file of the scaffold outside the policy test cases (copied verbatim)."""
    return sorted(
        path.relative_to(root).as_posix()
        for path in root.rglob("*")
        if path.suffix in (".yaml", ".yml") and "tests" not in path.relative_to(root).parts
    )


def load(path: Path) -> Any:
    (document,) = load_located(path.read_text(encoding="utf-8"))
    return document.value


def test_the_industries_are_those_the_config_model_allows() -> None:
    assert get_args(Industry) == INDUSTRIES


@pytest.mark.parametrize("industry", INDUSTRIES)
def test_every_industry_scaffolds_a_repository_that_validates_and_checks(
    cli: Cli, tmp_path: Path, industry: str
) -> None:
    root = tmp_path / "governance"
    outcome = cli("init", root, "--industry", industry)
    assert (outcome.exit_code, outcome.stderr) == (0, "")
    assert outcome.stdout.startswith(
        f"Scaffolded the governance repository of governance in {root} "
        f"(industry {industry}, base currency EUR):\n"
    )
    assert astuple(cli("validate", root)) == (0, "valid: 17 documents in 17 files\n", "")
    assert astuple(cli("check", root, "--as-of", AS_OF)) == (0, EMPTY_CHECK, "")
    assert routed_roles(root, industry) <= held_roles(root)


def routed_roles(root: Path, industry: str) -> set[str]:
    """Every role a policy in scope can route a request to, or that owns a policy."""
    book = load_policy_book(open_repository(root))
    roles: set[str] = set()
    for policy in book.policies:
        if not {"any", industry} & set(policy.scope.industries):
            continue
        roles.add(policy.owner)
        roles |= {rule.requirement.role for rule in policy.rules if rule.requirement}
    return roles - STRUCTURAL_ROLES


def held_roles(root: Path) -> set[str]:
    (people,) = [model for _, model in open_repository(root).models(People)]
    return {role for person in people.people for role in person.roles}


def test_init_prints_what_it_wrote_and_what_to_do_next(
    cli: Cli, tmp_path: Path, on_main: None
) -> None:
    root = tmp_path / "acme"
    cases = len(list((builtin_directory() / "tests").rglob("expect.yaml")))
    outcome = cli(
        "init", root, "--industry", "retail", "--name", "Acme Stores", "--currency", "gbp"
    )
    assert astuple(outcome) == (
        0,
        f"Scaffolded the governance repository of Acme Stores in {root} "
        "(industry retail, base currency GBP):\n"
        "  spendgate.yaml\n"
        "  org/people.yaml\n"
        "  org/budgets.yaml\n"
        "  README.md\n"
        "  .github/workflows/spendgate.yml\n"
        "  .pre-commit-config.yaml\n"
        "  .gitignore\n"
        "  vendors/ requests/ ai/ approvals/ waivers/ (empty, for your documents)\n"
        "  policies/ (14 reference policy files)\n"
        f"  policies/tests/ ({cases} policy test cases)\n"
        f"  schemas/ ({len(schema_texts())} JSON Schemas, for editors)\n"
        f"Initialised a git repository in {root}, on branch main.\n"
        "\n"
        "Next steps:\n"
        "  1. Replace the placeholders in org/people.yaml, org/budgets.yaml and the FX rates\n"
        "     in spendgate.yaml with your own people, budgets and rates.\n"
        f"  2. spendgate validate {root} && spendgate check {root} && spendgate test {root}\n"
        f"  3. Review the files, then commit them: git -C {root} add . && git -C {root} commit\n"
        "  4. Push main to GitHub and require the spendgate workflow's check job there;\n"
        "     after each merge into main its record job appends the decisions to\n"
        "     audit/decisions.jsonl.\n"
        "  5. Run `pre-commit install` to check every commit.\n"
        "README.md tells requesters and approvers how to use the repository.\n",
        "",
    )
    config = load(root / "spendgate.yaml")
    assert config["organization"] == {
        "name": "Acme Stores",
        "industry": "retail",
        "jurisdictions": [],
        "base_currency": "GBP",
        "fiscal_year_start": 1,
        "accounting_framework": "us-gaap",
    }
    assert config["fx"]["rates"] == {"EUR": 0.8553, "USD": 0.7881, "CHF": 0.9095}
    assert config["policy_set"] == "policies"


def test_the_scaffolds_policy_tests_pass(cli: Cli, scaffold: Path) -> None:
    cases = len(list((builtin_directory() / "tests").rglob("expect.yaml")))
    outcome = cli("test", scaffold)
    assert (outcome.exit_code, outcome.stderr) == (0, "")
    assert outcome.stdout.endswith(f"\n{cases} passed, 0 failed\n")


def test_k_runs_only_the_cases_it_names(cli: Cli, scaffold: Path, tmp_path: Path) -> None:
    """`-k` picks cases before running them: a case it leaves out is never read, so a policy
    owner's edit loop is seconds, not a run of every case."""
    copy = tmp_path / "repo"
    shutil.copytree(scaffold, copy)
    (copy / "policies/tests/VR-010-quiet-clear/expect.yaml").write_text("nonsense: true\n")
    outcome = cli("test", copy, "-k", "DR-030")
    assert astuple(outcome) == (
        0,
        "PASS DR-030-fires-above-50k\nPASS DR-030-quiet-40k\n2 passed, 0 failed\n",
        "",
    )


def test_the_policies_are_the_reference_library(scaffold: Path) -> None:
    for reference in builtin_directory().glob("*.yaml"):
        copy = (scaffold / "policies" / reference.name).read_text(encoding="utf-8")
        assert SCHEMA_COMMENT.sub("", copy, count=1) == reference.read_text(encoding="utf-8")


def test_a_directory_that_is_not_empty_is_refused(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")
    outcome = cli("init", tmp_path, "--industry", "technology")
    assert astuple(outcome) == (
        2,
        "",
        f"spendgate: error: {tmp_path} is not empty; use --force to scaffold into it anyway "
        "(files with the same names are overwritten)\n",
    )
    assert [path.name for path in tmp_path.iterdir()] == ["notes.txt"]


def test_force_writes_into_a_directory_and_keeps_other_files(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine\n")
    (tmp_path / "README.md").write_text("old\n")
    outcome = cli("init", tmp_path, "--industry", "technology", "--force")
    assert (outcome.exit_code, outcome.stderr) == (0, "")
    assert (tmp_path / "notes.txt").read_text() == "mine\n"
    assert (tmp_path / "README.md").read_text().startswith(f"# {tmp_path.name}: purchase")
    assert astuple(cli("validate", tmp_path)) == (0, "valid: 17 documents in 17 files\n", "")


def test_a_fresh_git_repository_counts_as_empty(cli: Cli, tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    assert cli("init", tmp_path, "--industry", "telecom").exit_code == 0


def test_init_makes_a_git_repository_on_the_branch_git_is_configured_with(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Issue 18: `init` runs `git init`, which names the branch as the user's git does; the
    workflow records decisions on that branch. Nothing is committed: the files are reviewed
    first."""
    initial_branch(monkeypatch, "trunk")
    root = tmp_path / "governance"

    outcome = cli("init", root, "--industry", "other")

    assert (outcome.exit_code, outcome.stderr) == (0, "")
    assert f"\nInitialised a git repository in {root}, on branch trunk.\n\n" in outcome.stdout
    assert "  4. Push trunk to GitHub and require the spendgate workflow's check job there;\n" in (
        outcome.stdout
    )
    assert (root / ".git").is_dir()
    assert git(root, "symbolic-ref", "--short", "HEAD") == "trunk\n"
    assert git(root, "rev-list", "--all") == ""
    assert "?? spendgate.yaml\n" in git(root, "status", "--porcelain")
    workflow = load(root / ".github" / "workflows" / "spendgate.yml")
    assert workflow["on"] == {"pull_request": None, "push": {"branches": ["trunk"]}}
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert "After each merge into `trunk`, the `record` job of the `spendgate` workflow runs\n" in (
        readme
    )


def test_init_inside_a_work_tree_makes_no_nested_repository(cli: Cli, tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "develop")
    root = tmp_path / "governance"

    outcome = cli("init", root, "--industry", "other")

    assert (outcome.exit_code, outcome.stderr) == (0, "")
    assert (
        f"\n{root} is in a git repository already (branch develop): none was made.\n\n"
        in outcome.stdout
    )
    assert not (root / ".git").exists()
    untracked = git(tmp_path, "status", "--porcelain", "--untracked-files=all").splitlines()
    assert "?? governance/spendgate.yaml" in untracked
    workflow = load(root / ".github" / "workflows" / "spendgate.yml")
    assert workflow["on"]["push"] == {"branches": ["develop"]}


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--currency", "EURO", "--currency: 'EURO' is not an ISO 4217 currency code"),
        ("--name", "  ", "--name: '' is not a name (printable text, on one line)"),
        (
            "--name",
            "Acme\nStores",
            "--name: 'Acme\\nStores' is not a name (printable text, on one line)",
        ),
    ],
)
def test_bad_options_are_usage_errors(
    cli: Cli, tmp_path: Path, option: str, value: str, message: str
) -> None:
    outcome = cli("init", tmp_path / "new", "--industry", "retail", option, value)
    assert astuple(outcome) == (2, "", f"spendgate: error: {message}\n")
    assert not (tmp_path / "new").exists()


def test_an_unknown_industry_is_refused_by_the_command_line(cli: Cli, tmp_path: Path) -> None:
    outcome = cli("init", tmp_path, "--industry", "mining")
    assert outcome.exit_code == 2
    assert "'mining' is not one of 'finance', 'insurance', 'manufacturing'" in outcome.stderr


def test_a_base_currency_without_sample_rates_gets_an_empty_table(cli: Cli, tmp_path: Path) -> None:
    assert cli("init", tmp_path, "--industry", "healthcare", "--currency", "JPY").exit_code == 0
    assert load(tmp_path / "spendgate.yaml")["fx"]["rates"] == {}
    assert astuple(cli("validate", tmp_path)) == (0, "valid: 17 documents in 17 files\n", "")


def test_every_yaml_file_names_its_schema(scaffold: Path) -> None:
    files = yaml_files(scaffold)
    assert len(files) == 19
    for name in files:
        text = (scaffold / name).read_text(encoding="utf-8")
        match = SCHEMA_COMMENT.match(text)
        assert match, f"{name} does not start with a schema comment"
        if name in SCHEMA_STORE:
            assert match.group(1) == SCHEMA_STORE[name]
            continue
        kind = load(scaffold / name)["kind"]
        folder_depth = name.count("/")
        up = "../" * folder_depth if folder_depth else "./"
        assert match.group(1) == f"{up}schemas/{kind}.schema.json"


def test_the_scaffold_ships_the_schemas_that_schema_export_writes(scaffold: Path) -> None:
    shipped = {
        path.name: path.read_text(encoding="utf-8") for path in (scaffold / "schemas").iterdir()
    }
    assert shipped == schema_texts()


def test_every_schema_comment_names_a_shipped_schema_that_accepts_its_file(scaffold: Path) -> None:
    named = [name for name in yaml_files(scaffold) if name not in SCHEMA_STORE]
    assert len(named) == 17
    for name in named:
        text = (scaffold / name).read_text(encoding="utf-8")
        assert_valid_by_schema_comment(scaffold, scaffold / name, text)


def assert_valid_by_schema_comment(root: Path, path: Path, text: str) -> None:
    """`text`, to be written at `path`, names in its schema comment a schema shipped in the
    repository at `root`, relative to its folder, and that schema (Draft 2020-12) accepts it."""
    match = SCHEMA_COMMENT.match(text)
    assert match, f"{path} does not start with a schema comment"
    target = (path.parent / match.group(1)).resolve()
    assert target.parent == (root / "schemas").resolve()
    assert target.is_file(), f"{path}: {match.group(1)} does not exist"
    schema = json.loads(target.read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    (document,) = load_located(text)
    jsonschema.validate(document.value, schema, cls=jsonschema.Draft202012Validator)


def test_the_workflow_gates_pull_requests(scaffold: Path) -> None:
    workflow = load(scaffold / ".github" / "workflows" / "spendgate.yml")
    assert workflow["on"] == {"pull_request": None, "push": {"branches": ["main"]}}
    assert workflow["permissions"] == {"contents": "read"}
    assert set(workflow["jobs"]) == {"check", "scan", "record"}
    job = workflow["jobs"]["check"]
    assert job["if"] == "github.event_name == 'pull_request'"
    assert job["permissions"] == SARIF_PERMISSIONS
    steps = job["steps"]
    assert steps[:2] == [CHECKOUT, SETUP_PYTHON]
    runs = [step["run"] for step in steps if "run" in step]
    assert f'python -m pip install "spendgate @ git+{HOMEPAGE}@v{__version__}"' in runs
    assert CHECK_COMMAND in runs
    assert "spendgate test" in runs
    assert [step["uses"] for step in steps[2:] if "uses" in step] == [
        f"actions/cache/restore@{CACHE}",
        f"actions/cache/save@{CACHE}",
        UPLOAD_SARIF,
    ]
    (upload,) = [step for step in steps if "upload-sarif" in step.get("uses", "")]
    assert upload["with"] == {"sarif_file": "spendgate.sarif", "category": "spendgate"}
    # A fork's pull request gets a read-only token, which cannot upload.
    assert upload["if"] == (
        "!cancelled() && hashFiles('spendgate.sarif') != '' "
        "&& github.event.pull_request.head.repo.full_name == github.repository"
    )


def test_the_workflow_scans_the_default_branch_for_code_scanning(scaffold: Path) -> None:
    """Issue 19: code scanning compares a pull request's alerts with the default branch's, so
    every push to it uploads a full check's SARIF under the pull requests' category, and leaves
    the catalogue cache for the pull requests based on it."""
    job = load(scaffold / ".github" / "workflows" / "spendgate.yml")["jobs"]["scan"]
    assert job["if"] == "github.event_name == 'push'"
    assert job["permissions"] == SARIF_PERMISSIONS
    steps = job["steps"]
    assert steps[:2] == [CHECKOUT, SETUP_PYTHON]
    runs = [step["run"] for step in steps if "run" in step]
    assert runs == [
        f'python -m pip install "spendgate @ git+{HOMEPAGE}@v{__version__}"',
        SCAN_COMMAND,
        'cat spendgate.md >> "$GITHUB_STEP_SUMMARY"',
    ]
    restore, save, upload = [step for step in steps[2:] if "uses" in step]
    assert (restore["uses"], save["uses"]) == (
        f"actions/cache/restore@{CACHE}",
        f"actions/cache/save@{CACHE}",
    )
    assert restore["with"]["key"] == save["with"]["key"] == "spendgate-${{ github.sha }}"
    assert upload == {
        "name": "Upload SARIF to code scanning",
        "if": "!cancelled() && hashFiles('spendgate.sarif') != ''",
        "uses": UPLOAD_SARIF,
        "with": {"sarif_file": "spendgate.sarif", "category": "spendgate"},
    }
    (scan,) = [step for step in steps if step.get("run") == SCAN_COMMAND]
    assert steps.index(restore) < steps.index(scan) < steps.index(save) < steps.index(upload)


@pytest.mark.parametrize(("verdict", "job_exit"), [(0, 0), (1, 0), (2, 2), (3, 3)])
def test_the_scan_fails_only_when_the_check_could_not_judge(
    tmp_path: Path, verdict: int, job_exit: int
) -> None:
    """On the default branch a blocked or pending request (exit 1) is an alert, not a failed
    job; a configuration or internal error (2, 3) fails it."""
    shim = tmp_path / "spendgate"
    shim.write_text(f"#!/bin/sh\nexit {verdict}\n")
    shim.chmod(0o755)
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", SCAN_COMMAND],
        cwd=tmp_path,
        env={"PATH": f"{tmp_path}{os.pathsep}{os.environ['PATH']}"},
    )
    assert done.returncode == job_exit


def test_the_workflow_records_decisions_after_a_merge(scaffold: Path) -> None:
    """The record job runs only on pushes to the default branch, and is the only job that may
    write to the repository (issue 18)."""
    workflow = load(scaffold / ".github" / "workflows" / "spendgate.yml")
    assert workflow["jobs"]["record"] == {
        "if": "github.event_name == 'push'",
        "runs-on": "ubuntu-latest",
        "timeout-minutes": 15,
        "concurrency": {"group": "spendgate-audit-log", "cancel-in-progress": False},
        "permissions": {"contents": "write"},
        "steps": [
            CHECKOUT,
            SETUP_PYTHON,
            {
                "name": f"Install spendgate {__version__}",
                "run": f'python -m pip install "spendgate @ git+{HOMEPAGE}@v{__version__}"',
            },
            {
                "name": "Append the decisions that are new or changed to audit/decisions.jsonl",
                "run": "spendgate audit record",
            },
            {
                "name": "Commit and push the decision log",
                "env": {
                    "BRANCH": "${{ github.ref_name }}",
                    "GITHUB_TOKEN": "${{ github.token }}",
                    **BOT,
                },
                "run": RECORD_SCRIPT,
            },
        ],
    }


def test_the_record_job_commits_the_decisions_of_a_merge_once(
    cli: Cli, tmp_path: Path, on_main: None
) -> None:
    """The record job's own scripts, run as a runner would after a merge into main, in a clone
    of a real remote: the merged request's decision is committed to the log and pushed, as the
    bot; run again, the job finds nothing new and pushes nothing."""
    root, origin = tmp_path / "repo", tmp_path / "origin.git"
    assert cli("init", root, "--industry", "retail").exit_code == 0
    vendor, request = readme_examples(root)
    request_id = load_located(request)[0].value["id"]
    (root / "vendors" / "northwind-hardware.yaml").write_text(vendor)
    (root / "requests" / f"{request_id}.yaml").write_text(request)
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "spendgate init, and a first purchase")
    git(tmp_path, "init", "-q", "--bare", str(origin))
    git(root, "push", "-q", str(origin), "main")
    git(tmp_path, "clone", "-q", "--branch", "main", str(origin), "runner")
    merged = git(root, "rev-parse", "HEAD").strip()
    job = load(root / ".github" / "workflows" / "spendgate.yml")["jobs"]["record"]

    first = run_job(job, tmp_path / "runner", sha=merged, branch="main")
    recorded = git(origin, "rev-parse", "main").strip()
    again = run_job(job, tmp_path / "runner", sha=merged, branch="main")

    assert first[0] == (
        "appended 1 record(s) to audit/decisions.jsonl: 1 new or changed of 1 decision(s) at "
        f"commit {merged[:12]}"
    )
    assert git(origin, "log", "-1", "--format=%an <%ae>%n%s", "main") == (
        "github-actions[bot] <41898282+github-actions[bot]@users.noreply.github.com>\n"
        f"audit: record the decisions of {merged}\n"
    )
    assert git(origin, "diff", "--name-only", merged, "main") == "audit/decisions.jsonl\n"
    (record,) = git(origin, "show", "main:audit/decisions.jsonl").splitlines()
    assert json.loads(record)["decision"]["request_id"] == request_id
    assert again[0].startswith("appended 0 record(s) to audit/decisions.jsonl")
    assert again[2:] == ["No new decisions."]
    assert git(origin, "rev-parse", "main").strip() == recorded
    # The token was the push step's alone: nothing of it is left in the clone's configuration.
    assert "extraheader" not in (tmp_path / "runner" / ".git" / "config").read_text()


def run_job(job: dict[str, Any], checkout: Path, *, sha: str, branch: str) -> list[str]:
    """Run the `run` scripts of `job` (spendgate installed already) in `checkout` as a runner's
    bash does, with the step's environment and a `spendgate` command running this tree; the
    lines they printed."""
    shims = checkout.parent / "bin"
    shims.mkdir(exist_ok=True)
    shim = shims / "spendgate"
    shim.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m spendgate "$@"\n')
    shim.chmod(0o755)
    github = {"${{ github.ref_name }}": branch, "${{ github.token }}": "ghs_not-a-real-token"}
    printed: list[str] = []
    for step in job["steps"]:
        if "run" not in step or step["name"].startswith("Install"):
            continue
        environment = {
            "PATH": f"{shims}{os.pathsep}{os.environ['PATH']}",
            "HOME": str(checkout.parent),
            "PYTHONPATH": str(PROJECT / "src"),
            "GITHUB_SHA": sha,
            "GITHUB_SERVER_URL": "https://github.com",
            **{name: github.get(value, value) for name, value in step.get("env", {}).items()},
        }
        done = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", step["run"]],
            cwd=checkout,
            env=environment,
            capture_output=True,
            text=True,
            check=True,
        )
        printed += done.stdout.splitlines()
    return printed


def test_the_workflow_is_valid_against_the_schema_store_schema(scaffold: Path) -> None:
    workflow = scaffold / ".github" / "workflows" / "spendgate.yml"
    assert check_jsonschema("vendor.github-workflows", workflow) == (0, "ok -- validation done\n")


def test_the_pre_commit_config_runs_the_published_hooks(scaffold: Path) -> None:
    config = load(scaffold / ".pre-commit-config.yaml")
    assert config == {
        "repos": [
            {
                "repo": HOMEPAGE,
                "rev": f"v{__version__}",
                "hooks": [{"id": "spendgate-validate"}, {"id": "spendgate-check"}],
            }
        ]
    }
    published = {hook["id"] for hook in load(PROJECT / ".pre-commit-hooks.yaml")}
    assert {"spendgate-validate", "spendgate-check"} <= published


def test_the_gitignore_keeps_the_cache_out(scaffold: Path) -> None:
    assert ".spendgate-cache/" in (scaffold / ".gitignore").read_text().splitlines()


def test_every_template_is_used() -> None:
    assert sorted(TEMPLATES.values()) == sorted(p.name for p in TEMPLATE_DIRECTORY.iterdir())


def test_the_yaml_string_filter_keeps_awkward_names(tmp_path: Path) -> None:
    name = 'Acme "Nord" AS: #1 \\ Ørsted'
    chosen = new_organisation(tmp_path, industry="other", name=name, currency="NOK")
    files = scaffold_files(chosen, today=date(2026, 11, 22), branch="main")
    (config,) = load_located(files["spendgate.yaml"])
    assert config.value["organization"]["name"] == name


def test_a_committed_scaffold_passes_a_pull_request_check(
    cli: Cli, tmp_path: Path, on_main: None
) -> None:
    root = tmp_path / "repo"
    assert cli("init", root, "--industry", "manufacturing").exit_code == 0
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "spendgate init")
    outcome = cli("check", root, "--base", "HEAD", "--as-of", AS_OF)
    assert (outcome.exit_code, outcome.stderr) == (0, "")
    assert outcome.stdout.endswith(EMPTY_CHECK)
    assert git(root, "status", "--porcelain") == ""


def test_the_readme_walks_a_purchase_to_approved(
    cli: Cli, git_user: GitUser, tmp_path: Path, on_main: None
) -> None:
    """The README's example vendor and request, approved as it says, pass the gate."""
    root = tmp_path / "repo"
    assert cli("init", root, "--industry", "retail").exit_code == 0
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "spendgate init")
    vendor, request = readme_examples(root)
    (root / "vendors" / "northwind-hardware.yaml").write_text(vendor)
    request_id = load_located(request)[0].value["id"]
    (root / "requests" / str(date.today().year)).mkdir()
    (root / "requests" / str(date.today().year) / f"{request_id}.yaml").write_text(request)
    git(root, "checkout", "-q", "-b", "laptops")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "Propose laptops", author="E <it.engineer@repo.example>")
    pending = cli("check", root, "--base", "main")
    assert (pending.exit_code, pending.stdout.splitlines()[0]) == (
        1,
        f"{request_id} [pending] Laptops for the new support engineers",
    )
    steps = {"budget_owner": "it.director", "line_manager": "it.team.lead"}
    steps["procurement"] = "procurement.lead"
    for role, person in steps.items():
        git_user(f"{person}@repo.example")  # each approver at their own keyboard
        approved = cli("approve", request_id, "--role", role, "--as", person, "--repo", root)
        assert approved.exit_code == 0, approved
        git(root, "add", "approvals")
        git(root, "commit", "-q", "-m", f"Approve as {role}", author=f"P <{person}@repo.example>")
    vendor_blocks = cli("check", root, "--base", "main")
    approved = cli(
        "approve",
        "--change",
        "vendors/northwind-hardware.yaml",
        "--role",
        "procurement",
        "--as",
        "procurement.lead",
        "--repo",
        root,
    )
    assert approved.exit_code == 0, approved
    git(root, "add", "approvals")
    git(
        root, "commit", "-q", "-m", "Approve the vendor", author="P <procurement.lead@repo.example>"
    )
    outcome = cli("check", root, "--base", "main")
    assert vendor_blocks.exit_code == 1
    assert (
        "vendors/northwind-hardware.yaml:1:1: [error] this pull request adds the evidence of "
        "vendor northwind-hardware (a new vendor); it needs the approval of procurement, and the "
        "pull request is blocked meanwhile (vendor-evidence-change)\n"
    ) in vendor_blocks.stdout
    assert (outcome.exit_code, outcome.stdout.splitlines()[0]) == (
        0,
        f"{request_id} [approved] Laptops for the new support engineers",
    )


def test_the_readmes_examples_name_the_schemas_that_accept_them(scaffold: Path) -> None:
    """Each example, written where the README says, names a shipped schema that accepts it."""
    vendor, request = readme_examples(scaffold)
    readme = (scaffold / "README.md").read_text(encoding="utf-8")
    year = date.today().year
    request_path = f"requests/{year}/IT-{year}-001.yaml"
    assert "add it as `vendors/northwind-hardware.yaml`" in readme
    assert f"3. Add the request as `{request_path}`:" in readme
    assert_valid_by_schema_comment(scaffold, scaffold / "vendors/northwind-hardware.yaml", vendor)
    assert_valid_by_schema_comment(scaffold, scaffold / request_path, request)


def readme_examples(root: Path) -> list[str]:
    text = (root / "README.md").read_text(encoding="utf-8")
    return [textwrap.dedent(block) for block in re.findall(r"```yaml\n(.*?)```", text, re.S)]


def test_a_role_nobody_holds_or_names_is_reported_at_load(cli: Cli, tmp_path: Path) -> None:
    """Typos (issue 18): a policy requiring `cfoo` is reported when the repository is loaded, by
    validate and by check, with a suggestion; not found only as a request waiting forever."""
    root = tmp_path / "repo"
    assert cli("init", root, "--industry", "retail").exit_code == 0
    rights = root / "policies" / "decision-rights.yaml"
    rights.write_text(rights.read_text().replace("{role: cfo, stage: 4}", "{role: cfoo, stage: 4}"))
    warning = (
        "policies/decision-rights.yaml:47:11: [warning] $.spec.rules[4].id: rule DR-040 requires "
        "role 'cfoo', which nobody in People holds and no reference policy names; did you mean "
        "'cfo'? (unknown-role)"
    )

    validated = cli("validate", root)
    checked = cli("check", root, "--as-of", "2026-11-22")

    assert (validated.exit_code, validated.stdout) == (
        0,
        f"{warning}\nvalid: 0 errors, 1 warning in 17 documents in 17 files\n",
    )
    assert warning in checked.stdout.splitlines()


def test_a_condition_that_cannot_be_a_boolean_is_a_load_error(cli: Cli, tmp_path: Path) -> None:
    """Typos (issue 18): `when: request.cumulative_total_base + 1.0` or a string is reported
    where it is written when the policies load (exit 2), never an internal error (exit 3)."""
    root = tmp_path / "repo"
    assert cli("init", root, "--industry", "retail").exit_code == 0
    rights = root / "policies" / "decision-rights.yaml"
    text = rights.read_text()
    text = text.replace(
        "when: request.cumulative_total_base > 1000.0", "when: request.cumulative_total_base + 1.0"
    )
    text = text.replace("when: request.cumulative_total_base > 10000.0", "when: '\"yes\"'")
    rights.write_text(text)

    validated = cli("validate", root)
    checked = cli("check", root, "--as-of", "2026-11-22")

    assert (validated.exit_code, validated.stdout) == (
        2,
        "policies/decision-rights.yaml:37:13: [error] $.spec.rules[1].when: CEL: the condition "
        "gives a number, not a boolean (policy)\n"
        "policies/decision-rights.yaml:41:13: [error] $.spec.rules[2].when: CEL: the condition "
        "gives a string, not a boolean (policy)\n"
        "invalid: 2 errors, 0 warnings in 17 documents in 17 files\n",
    )
    assert (checked.exit_code, checked.stderr) == (2, "")
