"""Typos in policies (issue 18) are reported where they are written, with the nearest name."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import Cli


def scaffold(cli: Cli, tmp_path: Path) -> Path:
    """A new repository owning the reference policies (`spendgate init`)."""
    root = tmp_path / "repo"
    assert cli("init", root, "--industry", "retail").exit_code == 0
    return root


def test_an_escalation_rung_nobody_holds_or_names_is_reported_at_load(
    cli: Cli, tmp_path: Path
) -> None:
    """An escalation chain climbing to `vpp` would pass a step to nobody: the rung is reported
    where it names the role, as a rule requiring an unknown role is."""
    root = scaffold(cli, tmp_path)
    rights = root / "policies" / "decision-rights.yaml"
    rights.write_text(rights.read_text().replace("    - {role: vp}\n", "    - {role: vpp}\n"))

    validated = cli("validate", root)

    assert (validated.exit_code, validated.stdout) == (
        0,
        "policies/decision-rights.yaml:27:14: [warning] $.spec.escalation[2].role: policy "
        "decision-rights escalates to role 'vpp', which nobody in People holds and no reference "
        "policy names; did you mean 'vp'? (unknown-role)\n"
        "valid: 0 errors, 1 warning in 17 documents in 17 files\n",
    )


def test_a_misspelt_field_in_a_condition_gets_the_field_it_is_spelt_like(
    cli: Cli, tmp_path: Path
) -> None:
    """`vendor.stauts` and `vendr.status` are policy errors (exit 2) naming the field or the
    variable meant."""
    root = scaffold(cli, tmp_path)
    risk = root / "policies" / "vendor-risk.yaml"
    text = risk.read_text()
    text = text.replace('assert: vendor.status != "blocked"', 'assert: vendor.stauts != "blocked"')
    text = text.replace(
        'assert: vendor.sanctions.status == "clear"', 'assert: vendr.sanctions.status == "clear"'
    )
    risk.write_text(text)

    validated = cli("validate", root)

    assert (validated.exit_code, validated.stdout) == (
        2,
        "policies/vendor-risk.yaml:17:30: [error] $.spec.rules[0].assert: CEL: undeclared "
        "reference to 'vendr.sanctions.status' (in container ''); did you mean vendor? (policy)\n"
        "policies/vendor-risk.yaml:25:15: [error] $.spec.rules[2].assert: unknown field "
        "vendor.stauts; did you mean vendor.status? (policy)\n"
        "invalid: 2 errors, 0 warnings in 17 documents in 17 files\n",
    )
