"""The command line: exit codes (SPEC §8), formats, and the one top-level error handler."""

from __future__ import annotations

import json
import os
import platform
import pty
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from spendgate import __version__
from spendgate.app import validate as validation
from tests.conftest import PROJECT, Cli, Outcome


def test_version(cli: Cli) -> None:
    assert cli("--version") == Outcome(0, f"spendgate {__version__}\n", "")


def test_valid_repository_exits_zero(cli: Cli, minimal_repo: Path) -> None:
    outcome = cli("validate", minimal_repo)
    assert (outcome.exit_code, outcome.stdout, outcome.stderr) == (
        0,
        "valid: 5 documents in 5 files\n",
        "",
    )


def test_json_format(cli: Cli, minimal_repo: Path) -> None:
    (minimal_repo / "vendors" / "nordlys.yaml").write_text(
        "apiVersion: spendgate/v1\nkind: Vendor\n"
    )

    outcome = cli("validate", minimal_repo, "--format", "json")
    report = json.loads(outcome.stdout)

    assert outcome.exit_code == 1
    assert report["valid"] is False
    assert report["summary"] == {"files": 5, "documents": 5, "errors": 7, "warnings": 0}
    assert report["problems"][0] == {
        "file": "requests/laptops.yaml",
        "line": 8,
        "column": 9,
        "yaml_path": "$.vendor",
        "level": "error",
        "severity": "document",
        "code": "dangling-reference",
        "message": "vendor 'nordlys' is not defined",
        "related": [],
    }
    assert [problem["message"] for problem in report["problems"][1:]] == [
        "missing required field 'id'",
        "missing required field 'legal_name'",
        "missing required field 'country'",
        "missing required field 'status'",
        "missing required field 'risk'",
        "missing required field 'sanctions'",
    ]


def test_configuration_problems_exit_two(cli: Cli, minimal_repo: Path) -> None:
    config = minimal_repo / "spendgate.yaml"
    config.write_text(config.read_text().replace("industry: technology", "industry: banking"))

    outcome = cli("validate", minimal_repo)

    assert outcome.exit_code == 2
    assert outcome.stdout.splitlines() == [
        "spendgate.yaml:5:13: [error] $.organization.industry: Input should be 'finance', "
        "'insurance', 'manufacturing', 'retail', 'healthcare', 'public_sector', 'technology', "
        "'telecom' or 'other', got 'banking' (schema)",
        "invalid: 1 error, 0 warnings in 5 documents in 5 files",
    ]


def test_unknown_format_is_a_usage_error(cli: Cli, minimal_repo: Path) -> None:
    outcome = cli("validate", minimal_repo, "--format", "xml")
    assert (outcome.exit_code, outcome.stdout, outcome.stderr) == (
        2,
        "",
        "Usage: spendgate validate [OPTIONS] [PATH]...\n"
        "Try 'spendgate validate --help' for help.\n"
        "\n"
        "Error: Invalid value for '--format': 'xml' is not one of 'text', 'json'.\n",
    )


def test_missing_path_is_a_usage_error(cli: Cli, tmp_path: Path) -> None:
    outcome = cli("validate", tmp_path / "nowhere")
    assert (outcome.exit_code, outcome.stdout) == (2, "")
    assert outcome.stderr == f"spendgate: error: {tmp_path / 'nowhere'} does not exist\n"


def test_empty_directory_is_not_a_governance_repository(cli: Cli, tmp_path: Path) -> None:
    outcome = cli("validate", tmp_path)
    assert (outcome.exit_code, outcome.stdout, outcome.stderr) == (
        2,
        "",
        f"spendgate: error: {tmp_path} holds no governance repository: no spendgate.yaml and no "
        "documents under the default paths (org/, vendors/, requests/, ai/, approvals/, waivers/, "
        "policies/)\n",
    )


def test_internal_error_asks_for_a_report_without_traceback(
    cli: Cli, minimal_repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(root: Path, files: object = ()) -> None:
        raise KeyError("boom")

    monkeypatch.setattr(validation, "validate_repository", broken)

    outcome = cli("validate", minimal_repo)

    assert (outcome.exit_code, outcome.stderr) == (
        3,
        "spendgate: internal error: KeyError: 'boom'\n"
        f"This is a bug in spendgate {__version__} (Python {platform.python_version()}). Please "
        "report it at https://github.com/spendgate/spendgate/issues; rerun with --debug for the "
        "traceback.\n",
    )
    with pytest.raises(KeyError):
        cli("--debug", "validate", minimal_repo)


def test_console_script_runs_as_a_real_process(tmp_path: Path) -> None:
    bad = tmp_path / "vendors"
    bad.mkdir(parents=True)
    (bad / "v.yaml").write_text("apiVersion: spendgate/v1\nkind: Vendor\nid: [\n")
    result = subprocess.run(
        [sys.executable, "-m", "spendgate", "validate", str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (result.returncode, result.stderr) == (1, "")
    assert result.stdout.splitlines()[0].startswith("vendors/v.yaml:4:1: [error] ")


def test_version_does_not_load_the_models() -> None:
    """Start-up stays lean: the models (pydantic, ~0.2 s of imports) load only for commands."""
    shown = modules_after(["--version"], "m in ('pydantic', 'yaml', 'yaml_rs', 'jinja2')")

    assert shown == f"spendgate {__version__}\n[]\n"


def modules_after(arguments: list[str], which: str) -> str:
    """What a fresh interpreter prints running spendgate with `arguments`, then the modules `m`
    loaded for which `which` holds, sorted."""
    probe = (
        "import sys\n"
        "from spendgate.cli.main import run\n"
        f"run({arguments!r})\n"
        f"print(sorted(m for m in sys.modules if {which}))\n"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=60, check=True
    )
    return result.stdout


def test_each_command_is_registered_under_its_own_name() -> None:
    import click

    from spendgate.cli.main import COMMANDS, cli

    found = {name: cli.get_command(click.Context(cli), name) for name in COMMANDS}

    assert {name: command.name for name, command in found.items() if command} == {
        name: name for name in COMMANDS
    }
    assert cli.get_command(click.Context(cli), "reprot") is None


def test_a_command_imports_no_other_command() -> None:
    """`spendgate report` does not pay for the modules of `audit`, `approve` and the rest."""
    shown = modules_after(["report", "--help"], "m.startswith('spendgate.cli.')")

    loaded = shown.splitlines()[-1]
    assert loaded == "['spendgate.cli.main', 'spendgate.cli.paths', 'spendgate.cli.report']"


AS_OF = "2026-11-22"


def test_a_command_run_inside_the_repository_works_on_the_repository(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Repository root discovery (issue 18): from `requests/2026/`, `check`, `validate` and
    `explain` find the governance repository as git finds its top level."""
    bank = tmp_path / "bank"
    shutil.copytree(PROJECT / "examples" / "bank", bank)
    from_top = [
        cli("check", bank, "--as-of", AS_OF),
        cli("validate", bank),
        cli("explain", "NB-2026-0178", "--repo", bank, "--as-of", AS_OF),
    ]
    monkeypatch.chdir(bank / "requests" / "2026")

    inside = [
        cli("check", "--as-of", AS_OF),
        cli("validate"),
        cli("explain", "NB-2026-0178", "--as-of", AS_OF),
    ]

    assert [o.exit_code for o in inside] == [1, 0, 0]
    assert inside == from_top


def test_root_discovery_stops_at_the_top_of_the_git_work_tree(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A git repository of its own inside a governance repository (a vendored tool, a
    submodule) is not that governance repository: discovery stops where git would."""
    outer = tmp_path / "outer"
    shutil.copytree(PROJECT / "examples" / "bank", outer)
    inner = outer / "tools" / "vendored"
    inner.mkdir(parents=True)
    subprocess.run(["git", "init", "-q", str(inner)], check=True)
    monkeypatch.chdir(inner)

    outcome = cli("check", "--as-of", AS_OF)

    assert (outcome.exit_code, outcome.stdout, outcome.stderr) == (
        2,
        "",
        "spendgate: error: . has no valid spendgate.yaml; run `spendgate validate .`\n",
    )


def test_check_and_validate_given_a_file_report_only_that_file(
    cli: Cli, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """File arguments (issue 18), as editors pass them: one request decided with the whole
    repository as context, exactly as the full check decides it; a problem in another file is
    that file's, and not reported for this one."""
    bank = tmp_path / "bank"
    shutil.copytree(PROJECT / "examples" / "bank", bank)
    vendor = next((bank / "vendors").glob("*.yaml"))
    vendor.write_text(vendor.read_text() + "unexpected_field: 1\n")
    monkeypatch.chdir(bank)
    whole = cli("check", "--as-of", AS_OF).stdout
    request = "requests/2026/NB-2026-0178.yaml"
    block = whole[whole.index("NB-2026-0178 [") :]
    block = block[: block.index("\n\n") + 2]

    checked = cli("check", request, "--as-of", AS_OF)
    validated = cli("validate", request)
    broken = cli("validate", vendor.relative_to(bank).as_posix(), request)

    assert (checked.exit_code, checked.stderr) == (1, "")
    assert checked.stdout == (
        block + "1 request: 0 approved, 1 pending, 0 blocked, 0 rejected, 0 invalid (policy set "
        "spendgate-reference 1.1.0, as of 2026-11-22)\n"
    )
    assert (validated.exit_code, validated.stdout, validated.stderr) == (
        0,
        "valid: 1 document in 1 file\n",
        "",
    )
    assert broken.exit_code == 1
    assert [line.split(":")[0] for line in broken.stdout.splitlines()[:-1]] == [
        vendor.relative_to(bank).as_posix()
    ]


def test_files_of_two_repositories_or_of_none_are_refused(cli: Cli, tmp_path: Path) -> None:
    one, two = tmp_path / "one", tmp_path / "two"
    shutil.copytree(PROJECT / "examples" / "bank", one)
    shutil.copytree(PROJECT / "examples" / "bank", two)
    stray = tmp_path / "stray.yaml"
    stray.write_text("kind: Vendor\n")
    request = "requests/2026/NB-2026-0178.yaml"

    both = cli("check", one / request, two / request)
    outside = cli("validate", stray)

    assert (both.exit_code, both.stderr) == (
        2,
        f"spendgate: error: the paths lie in different governance repositories: {one} and {two}\n",
    )
    assert (outside.exit_code, outside.stderr) == (
        2,
        f"spendgate: error: {stray} is not inside a governance repository (no spendgate.yaml)\n",
    )


def test_a_misspelt_command_or_option_gets_a_suggestion(cli: Cli, minimal_repo: Path) -> None:
    """Typos (issue 18): click's suggestions, for commands and options alike."""
    command = cli("chek", minimal_repo)
    option = cli("check", minimal_repo, "--as-off", "2026-11-22")

    assert (command.exit_code, command.stdout) == (2, "")
    assert command.stderr.splitlines()[-1] == (
        "Error: No such command 'chek'. (Did you mean one of: 'check', 'schema'?)"
    )
    assert (option.exit_code, option.stderr.splitlines()[-1]) == (
        2,
        "Error: No such option '--as-off'. Did you mean '--as-of'?",
    )


def on_a_terminal(arguments: list[str], **environment: str) -> str:
    """What `python -m spendgate ARGUMENTS` prints when its standard output is a terminal
    (a pseudo-terminal), with `environment` added, line ends as the program wrote them."""
    return run_on_a_terminal(arguments, "stdout", os.environ | environment)[0]


def run_on_a_terminal(
    arguments: list[str], terminal: str, environment: dict[str, str]
) -> tuple[str, str]:
    """Run `python -m spendgate ARGUMENTS` with `terminal` ("stdout" or "stderr") on a
    pseudo-terminal and the other stream in a file, in exactly `environment`: what the terminal
    showed (line ends as written) and what the file got."""
    leader, follower = pty.openpty()
    # A file, not a pipe, for the other stream: a full pipe would stall the program.
    with tempfile.TemporaryFile() as piped:
        streams = {"stdout": piped, "stderr": piped, terminal: follower}
        process = subprocess.Popen(
            [sys.executable, "-m", "spendgate", *arguments], **streams, env=environment
        )
        os.close(follower)
        chunks = []
        while True:
            try:
                chunk = os.read(leader, 65536)
            except OSError:  # the terminal closed with the program
                break
            if not chunk:
                break
            chunks.append(chunk)
        process.wait(timeout=120)
        os.close(leader)
        piped.seek(0)
        written = piped.read().decode("utf-8")
    return b"".join(chunks).decode("utf-8").replace("\r\n", "\n"), written


def test_no_color_turns_the_colours_of_a_terminal_off(cli: Cli) -> None:
    """NO_COLOR (issue 18, no-color.org): on a terminal the statuses are coloured, unless
    NO_COLOR is set; then the output is exactly what a pipe gets."""
    arguments = ["check", str(PROJECT / "examples" / "bank"), "--as-of", AS_OF]

    coloured = on_a_terminal(arguments)
    plain = on_a_terminal(arguments, NO_COLOR="1")
    piped = cli(*arguments).stdout

    assert "[\x1b[33mpending\x1b[0m]" in coloured
    assert re.sub("\x1b\\[[0-9;]*m", "", coloured) == piped  # colour is the only difference
    assert plain == piped
