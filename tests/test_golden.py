"""Every `check` format, for every example, byte for byte against a committed golden file.

After an intended change of output, rewrite them with `pytest tests/test_golden.py
--update-golden` and review the diff like any other change.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from spendgate.policy import parallel
from spendgate.reporters.formats import CHECK_FORMATS
from tests.conftest import PROJECT, TESTS, Cli

GOLDEN = TESTS / "golden"
AS_OF = "2026-11-22"
#: Example -> the exit code of its check (each has a blocked request).
EXAMPLE_EXITS = {"bank": 1, "manufacturer": 1, "retailer": 1}
SUFFIXES = {
    "text": "txt",
    "json": "json",
    "sarif": "sarif",
    "junit": "xml",
    "github": "txt",
    "markdown": "md",
}


def golden_file(example: str, output_format: str) -> Path:
    return GOLDEN / example / f"check-{output_format}.{SUFFIXES[output_format]}"


def test_every_format_has_a_golden_suffix() -> None:
    assert set(SUFFIXES) == set(CHECK_FORMATS)


@pytest.mark.parametrize("output_format", list(CHECK_FORMATS))
@pytest.mark.parametrize("example", list(EXAMPLE_EXITS))
def test_check_output_matches_golden_file(
    cli: Cli,
    monkeypatch: pytest.MonkeyPatch,
    update_golden: bool,
    example: str,
    output_format: str,
) -> None:
    monkeypatch.chdir(PROJECT)  # a relative path, so that no temporary directory leaks in

    outcome = cli("check", f"examples/{example}", "--as-of", AS_OF, "--format", output_format)

    golden = golden_file(example, output_format)
    if update_golden:
        golden.parent.mkdir(parents=True, exist_ok=True)
        golden.write_bytes(outcome.stdout.encode("utf-8"))
    assert golden.exists(), f"no {golden.relative_to(PROJECT)}; run pytest --update-golden"
    expected = golden.read_bytes().decode("utf-8")
    assert (outcome.exit_code, outcome.stdout, outcome.stderr) == (
        EXAMPLE_EXITS[example],
        expected,
        "",
    )


@pytest.mark.filterwarnings("ignore:.*fork.*:DeprecationWarning")  # a browser's thread may run
@pytest.mark.parametrize("output_format", ["json", "text"])
def test_two_processes_check_exactly_as_one_does(
    cli: Cli, monkeypatch: pytest.MonkeyPatch, output_format: str
) -> None:
    """A large repository is decided in two processes; forced here on the bank, whose waivers
    must still count as matched when the other process matched them."""
    monkeypatch.setattr(parallel, "PARALLEL_FROM", 1)
    monkeypatch.chdir(PROJECT)

    outcome = cli("check", "examples/bank", "--as-of", AS_OF, "--format", output_format)

    assert outcome.stdout == golden_file("bank", output_format).read_text(encoding="utf-8")
    assert outcome.exit_code == 1
