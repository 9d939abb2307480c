"""Noise (issue 18): `--fail-on warning`, `--quiet`, and a progress bar only on a terminal."""

from __future__ import annotations

import os
import re
import shutil
from pathlib import Path

from tests.conftest import EXAMPLES, Cli
from tests.test_cli import run_on_a_terminal

AS_OF = "2026-11-22"
RETAILER = EXAMPLES / "retailer" / "requests" / "2026"


def test_fail_on_warning_fails_the_gate_on_a_warning_and_only_then(cli: Cli) -> None:
    """LR-2026-0438 waits for approvals and has an advisory finding; LR-2026-0398 only waits.
    With --allow-pending both pass; failing on warnings fails the first, with the same report."""
    warned = ["check", RETAILER / "LR-2026-0438.yaml", "--as-of", AS_OF, "--allow-pending"]
    clean = ["check", RETAILER / "LR-2026-0398.yaml", "--as-of", AS_OF, "--allow-pending"]

    passing, failing = cli(*warned), cli(*warned, "--fail-on", "warning")
    quiet_one = cli(*clean, "--fail-on", "warning")

    assert (passing.exit_code, failing.exit_code, quiet_one.exit_code) == (0, 1, 0)
    assert failing.stdout == passing.stdout
    assert "[warning] $.cost_centre: cost centre mkt-personalization" in failing.stdout
    assert "[warning]" not in quiet_one.stdout


def test_quiet_prints_what_needs_attention_and_the_summary(cli: Cli) -> None:
    """--quiet: the full text without the approved requests' blocks and the notes."""
    full = cli("check", EXAMPLES / "bank", "--as-of", AS_OF)
    quiet = cli("check", EXAMPLES / "bank", "--as-of", AS_OF, "--quiet")
    refused = cli("check", EXAMPLES / "bank", "--format", "json", "-q")

    blocks = full.stdout.split("\n\n")
    kept = [block for block in blocks if not re.match(r"NB-\d{4}-\d{4} \[approved\]", block)]
    assert len(kept) == len(blocks) - 2  # the bank has two approved requests
    assert (quiet.exit_code, quiet.stdout, quiet.stderr) == (1, "\n\n".join(kept), "")
    assert (refused.exit_code, refused.stdout, refused.stderr) == (
        2,
        "",
        "spendgate: error: --quiet shortens the text report; it does nothing to --format json\n",
    )


def many_requests(tmp_path: Path, count: int) -> Path:
    """The retailer with `count` more requests, copies of one that waits for approvals."""
    root = tmp_path / "retailer"
    shutil.copytree(EXAMPLES / "retailer", root)
    original = (RETAILER / "LR-2026-0398.yaml").read_text(encoding="utf-8")
    for number in range(count):
        new_id = f"LR-2026-{5000 + number}"
        copy = original.replace("LR-2026-0398", new_id)
        (root / "requests" / "2026" / f"{new_id}.yaml").write_text(copy, encoding="utf-8")
    return root


def test_a_long_check_shows_progress_on_a_terminal_and_nowhere_else(tmp_path: Path) -> None:
    """A bar on standard error when it is a terminal; none in CI (CI set), none with --quiet,
    none on a pipe; standard output is the same report every time."""
    root = many_requests(tmp_path, 250)
    arguments = ["check", str(root), "--as-of", AS_OF]
    local = {name: value for name, value in os.environ.items() if name != "CI"}

    bar, report = run_on_a_terminal(arguments, "stderr", local)
    in_ci, report_in_ci = run_on_a_terminal(arguments, "stderr", local | {"CI": "true"})
    quiet, _ = run_on_a_terminal([*arguments, "--quiet"], "stderr", local)
    _, piped = run_on_a_terminal(arguments, "stdout", local)

    drawn = bar.split("\r\x1b[?25l")  # each redraw: back to the line's start, cursor hidden
    assert drawn[0] == ""
    assert drawn[1] == "deciding 262 requests  [" + "-" * 36 + "]    0%"
    assert len(drawn) > 10  # drawn again as it goes
    # the line is finished (cursor shown again, a new line) before anything else is written
    assert drawn[-1] == "deciding 262 requests  [" + "#" * 36 + "]  100%\x1b[?25h\n"
    assert (in_ci, quiet, piped) == ("", "", "")
    assert report == report_in_ci
    assert report.endswith(
        "262 requests: 1 approved, 5 pending, 256 blocked, 0 rejected, 0 invalid (policy set "
        "spendgate-reference 1.1.0, as of 2026-11-22)\n"
    )
