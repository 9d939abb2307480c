"""Supply chain (issue 19): what spendgate's workflows, its action and the workflow `spendgate
init` scaffolds run on GitHub, checked by zizmor, the GitHub Actions static analyser.

zizmor runs offline (no GitHub token, no online audits), as CI can. A pytest test rather than a
line in scripts/test: it audits a freshly scaffolded workflow, which only exists once `init` has
run; it shows the findings in the assertion; and it runs wherever the suite runs."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sysconfig
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import PROJECT

WORKFLOWS = sorted((PROJECT / ".github" / "workflows").glob("*.yml"))
ACTION = PROJECT / "action.yml"
#: The policy for spendgate's own files: every action pinned by commit SHA, except spendgate's
#: own release in the example workflow, which has no SHA before it is published.
CONFIG = PROJECT / ".github" / "zizmor.yml"
#: Where zizmor looks for a token (and its other settings).
GITHUB_TOKENS = {"GH_TOKEN", "GITHUB_TOKEN", "ZIZMOR_GITHUB_TOKEN", "ZIZMOR_CONFIG"}
#: zizmor's exit codes: 0 nothing found; 11 to 14 the highest severity found, low to high.
EXIT_CODES = {0, 11, 12, 13, 14}
#: `uses: owner/repo[/path]@<40 hex> # vX[.Y[.Z]]`: a commit, and the release it is.
PINNED = re.compile(r"uses: ([\w.-]+/[\w.-]+)(/[\w./-]+)?@([0-9a-f]{40}) # (v\d+(?:\.\d+){0,2})$")


def zizmor(*arguments: str | Path) -> list[dict[str, Any]]:
    """The findings of medium severity or above, as zizmor's JSON."""
    program = shutil.which("zizmor", path=sysconfig.get_path("scripts")) or shutil.which("zizmor")
    assert program, "zizmor is missing: pip install -c constraints.txt -e '.[test]'"
    done = subprocess.run(
        [program, "--offline", "--format=json", "--min-severity=medium", *map(str, arguments)],
        capture_output=True,
        text=True,
        # No GitHub token, whatever the environment has: offline means offline.
        env={name: value for name, value in os.environ.items() if name not in GITHUB_TOKENS},
        cwd=PROJECT,
    )
    assert done.returncode in EXIT_CODES, done.stderr
    findings: list[dict[str, Any]] = json.loads(done.stdout)
    return findings


def summary(findings: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
    """(audit, file, line) of each finding, for an assertion that reads well when it fails."""
    return [
        (
            finding["ident"],
            Path(location["symbolic"]["key"]["Local"]["verbatim_path"]).name,
            location["concrete"]["location"]["start_point"]["row"] + 1,
        )
        for finding in findings
        for location in finding["locations"][:1]
    ]


@pytest.fixture(scope="module")
def scaffolded(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workflow a governance repository gets from `spendgate init`."""
    from spendgate.cli.main import run

    root = tmp_path_factory.mktemp("supply-chain") / "governance"
    assert run(["init", str(root), "--industry", "retail"]) == 0
    return root / ".github" / "workflows" / "spendgate.yml"


def test_zizmor_finds_nothing_in_the_workflows_and_the_action() -> None:
    assert summary(zizmor("--config", CONFIG, *WORKFLOWS, ACTION)) == []


def test_zizmor_finds_nothing_in_the_scaffolded_workflow(scaffolded: Path) -> None:
    """Audited as a user's zizmor would, with its default policy: no configuration of ours."""
    assert summary(zizmor("--no-config", scaffolded)) == []


def test_zizmor_does_find_an_unpinned_action_and_persisted_credentials(
    scaffolded: Path, tmp_path: Path
) -> None:
    """The audits above are not vacuous offline: a tag instead of a commit, and a checkout
    that keeps the token, are found."""
    text = scaffolded.read_text(encoding="utf-8").replace(
        "actions/setup-python@e797f83bcb11b83ae66e0230d6156d7c80228e7c # v6.0.0",
        "actions/setup-python@v6",
        1,
    )
    text = text.replace("          persist-credentials: false\n", "", 1)
    broken = tmp_path / "spendgate.yml"
    broken.write_text(text)
    lines = text.splitlines()
    checkout = next(n for n, line in enumerate(lines, 1) if "uses: actions/checkout@" in line)
    setup_python = lines.index("      - uses: actions/setup-python@v6") + 1

    assert summary(zizmor("--no-config", broken)) == [
        ("artipacked", "spendgate.yml", checkout),
        ("unpinned-uses", "spendgate.yml", setup_python),
    ]


def test_spendgate_s_own_release_is_the_only_action_named_by_tag() -> None:
    """What .github/zizmor.yml allows is used once, in the example, and nowhere else."""
    tagged = [
        (path.name, line.strip())
        for path in [*WORKFLOWS, ACTION]
        for line in path.read_text(encoding="utf-8").splitlines()
        if "uses:" in line and not PINNED.search(line)
    ]
    assert tagged == [
        ("governance-example.yml", "uses: spendgate/spendgate@v0.1.0"),
        ("governance-example.yml", "uses: spendgate/spendgate@v0.1.0"),
    ]


def test_each_release_is_pinned_to_one_commit_everywhere(scaffolded: Path) -> None:
    """A repository at one version has one commit: an action pinned in several files names the
    same commit and the same release in each, so an update cannot leave one behind unnoticed."""
    commits: defaultdict[str, set[tuple[str, str]]] = defaultdict(set)
    for path in [*WORKFLOWS, ACTION, scaffolded]:
        for line in path.read_text(encoding="utf-8").splitlines():
            if match := PINNED.search(line):
                repository, _, commit, version = match.groups()
                commits[repository].add((commit, version))

    assert dict(commits) == {
        "actions/checkout": {("08c6903cd8c0fde910a37f88322edcfb5dd907a8", "v5.0.0")},
        "actions/setup-python": {("e797f83bcb11b83ae66e0230d6156d7c80228e7c", "v6.0.0")},
        "actions/cache": {("9255dc7a253b0ccc959486e2bca901246202afeb", "v5.0.1")},
        "actions/github-script": {("ed597411d8f924073f98dfc5c65a23a2325f34cd", "v8.0.0")},
        "github/codeql-action": {("5d4e8d1aca955e8d8589aabd499c5cae939e33c7", "v4.31.9")},
    }
