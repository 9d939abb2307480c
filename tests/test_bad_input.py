"""Hostile and malformed input (SPEC §13): a located message, the documented exit code, no
traceback, no hang, and the other documents still reported.

Each case drops one bad file into a copy of the minimal repository that also holds one request
with an unknown currency: the output must name both, and count the valid documents.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import PROJECT, Cli

OTHER_REQUEST = """\
apiVersion: spendgate/v1
kind: PurchaseRequest
id: PR-2026-002
title: Monitoring
requester: kari
department: it
cost_centre: it-ops
vendor: nordlys
submitted: 2026-11-03
justification: Observability for the platform team.
line_items:
  - description: Monitoring seats
    category: saas_subscription
    quantity: 10
    unit_price: 12
    currency: EUX
    price_per: month
    term_months: 12
"""
OTHER_LINE = (
    "requests/other.yaml:16:15: [error] $.line_items[0].currency: "
    "'EUX' is not an ISO 4217 currency code (schema)"
)
VENDOR_HEAD = "apiVersion: spendgate/v1\nkind: Vendor\n"


def alias_bomb() -> bytes:
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    for level in range(1, 10):
        lines.append(f"a{level}: &a{level} [" + ", ".join([f"*a{level - 1}"] * 9) + "]")
    return ("\n".join(lines) + "\n").encode()


def vendor(body: str) -> bytes:
    return (VENDOR_HEAD + body).encode()


CASES: dict[str, tuple[Callable[[], bytes], str]] = {
    "malformed": (
        lambda: vendor("id: [unclosed\n"),
        "vendors/case.yaml:4:1: [error] did not find expected ',' or ']' "
        "(while parsing a flow sequence) (yaml-syntax)",
    ),
    "tabs": (
        lambda: vendor("risk:\n\tscore: 1\n"),
        "vendors/case.yaml:4:1: [error] a tab character cannot indent YAML; use spaces "
        "(yaml-syntax)",
    ),
    "duplicate-keys": (
        lambda: vendor("id: a\nid: b\n"),
        "vendors/case.yaml:4:1: [error] $.id: duplicate key 'id' (first defined at line 3) "
        "(duplicate-key)",
    ),
    "object-tag": (
        lambda: vendor('id: !!python/object/apply:os.system ["touch {marker}"]\n'),
        "vendors/case.yaml:3:5: [error] $.id: the YAML tag !!python/object/apply:os.system is not "
        "allowed: spendgate documents are plain data (yaml-tag)",
    ),
    "alias-bomb": (
        alias_bomb,
        "vendors/case.yaml:6:15: [error] aliases expand this document beyond 200,000 values "
        "(alias-limit)",
    ),
    "deep-flow-nesting": (
        lambda: b"[" * 20_000 + b"]" * 20_000 + b"\n",
        "vendors/case.yaml:1:65: [error] $[0][0][0][0][0][0][0][0][0][0][0][0]…(+52): "
        "nesting deeper than 64 levels is not allowed (depth-limit)",
    ),
    "deep-mapping-nesting": (
        lambda: b"a: " + b"{a: " * 20_000 + b"1" + b"}" * 20_000 + b"\n",
        "vendors/case.yaml:1:256: [error] $.a.a.a.a.a.a.a.a.a.a.a.a…(+52): "
        "nesting deeper than 64 levels is not allowed (depth-limit)",
    ),
    "thirty-megabytes": (
        lambda: b"# " + b"x" * (30 * 1024 * 1024) + b"\n",
        "vendors/case.yaml:1:1: [error] file is 30.0 MiB; the limit is 10 MiB (file-too-large)",
    ),
    "latin-1": (
        lambda: "apiVersion: spendgate/v1\nkind: Vendor\nlegal_name: Café SA\n".encode("latin-1"),
        "vendors/case.yaml:3:16: [error] byte 0xe9 is not valid UTF-8; save the file as UTF-8 "
        "(not-utf8)",
    ),
    "utf-16": (
        lambda: "apiVersion: spendgate/v1\n".encode("utf-16"),
        "vendors/case.yaml:1:1: [error] file is UTF-16; spendgate reads UTF-8 only (not-utf8)",
    ),
    "nul-byte": (
        lambda: b"apiVersion: spendgate/v1\nkind: Vendor\nid: x\x00y\n",
        "vendors/case.yaml:3:6: [error] file contains a NUL byte (nul-byte)",
    ),
    "empty-file": (
        lambda: b"",
        "vendors/case.yaml:1:1: [error] file is empty; a document needs apiVersion and kind "
        "(empty-file)",
    ),
    "list-at-root": (
        lambda: b"- apiVersion: spendgate/v1\n- kind: Vendor\n",
        "vendors/case.yaml:1:1: [error] a document must be a mapping with apiVersion and kind, "
        "not a list (not-a-mapping)",
    ),
    "scalar-at-root": (
        lambda: b"just a sentence\n",
        "vendors/case.yaml:1:1: [error] a document must be a mapping with apiVersion and kind, "
        "not the scalar 'just a sentence' (not-a-mapping)",
    ),
    "unknown-kind": (
        lambda: b"apiVersion: spendgate/v1\nkind: Supplier\nid: a\n",
        "vendors/case.yaml:2:7: [error] $.kind: unknown kind 'Supplier'; expected one of Config, "
        "People, Budgets, Vendor, PurchaseRequest, AIAssessment, Approval, ChangeApproval, Waiver, "
        "Policy, PolicySet, PriceBenchmarks, AdequacyDecisions (unknown-kind)",
    ),
    "wrong-api-version": (
        lambda: b"apiVersion: spendgate/v2\nkind: Vendor\nid: a\n",
        "vendors/case.yaml:1:13: [error] $.apiVersion: apiVersion 'spendgate/v2' is not "
        "supported; expected spendgate/v1 (api-version)",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_hostile_file_is_reported_and_others_survive(
    case: str, cli: Cli, minimal_repo: Path, tmp_path: Path
) -> None:
    make, expected_line = CASES[case]
    marker = tmp_path / "executed"
    (minimal_repo / "requests" / "other.yaml").write_text(OTHER_REQUEST)
    content = make().replace(b"{marker}", str(marker).encode())
    (minimal_repo / "vendors" / "case.yaml").write_bytes(content)

    started = time.monotonic()
    outcome = cli("validate", minimal_repo)
    elapsed = time.monotonic() - started

    assert (outcome.exit_code, outcome.stderr) == (1, "")
    assert outcome.stdout.splitlines() == [
        OTHER_LINE,
        expected_line,
        f"invalid: 2 errors, 0 warnings in {_documents(case)} documents in 7 files",
    ]
    assert "Traceback" not in outcome.stdout
    assert elapsed < 10
    assert not marker.exists()


def _documents(case: str) -> int:
    """Valid fixture documents (5) plus the other request, plus what the bad file holds."""
    file_level = {
        "malformed",
        "tabs",
        "duplicate-keys",
        "object-tag",
        "alias-bomb",
        "deep-flow-nesting",
        "deep-mapping-nesting",
        "thirty-megabytes",
        "latin-1",
        "utf-16",
        "nul-byte",
        "empty-file",
    }
    return 6 if case in file_level else 7


def test_symlink_out_of_the_repository_is_refused(
    cli: Cli, minimal_repo: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "outside.yaml"
    outside.write_text((Path(minimal_repo) / "vendors" / "nordlys.yaml").read_text())
    (minimal_repo / "vendors" / "linked.yaml").symlink_to(outside)
    (minimal_repo / "requests" / "other.yaml").write_text(OTHER_REQUEST)

    outcome = cli("validate", minimal_repo)

    assert outcome.exit_code == 1
    assert outcome.stdout.splitlines() == [
        OTHER_LINE,
        f"vendors/linked.yaml:1:1: [error] links outside the repository (to {outside}); refused "
        "(symlink-escape)",
        "invalid: 2 errors, 0 warnings in 6 documents in 7 files",
    ]


def test_symlinked_directory_out_of_the_repository_is_refused(
    cli: Cli, minimal_repo: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (minimal_repo / "vendors" / "more").symlink_to(outside, target_is_directory=True)

    outcome = cli("validate", minimal_repo)

    assert outcome.exit_code == 1
    assert outcome.stdout.splitlines() == [
        f"vendors/more:1:1: [error] links outside the repository (to {outside}); refused "
        "(symlink-escape)",
        "invalid: 1 error, 0 warnings in 5 documents in 5 files",
    ]


def test_symlink_inside_the_repository_is_followed(cli: Cli, minimal_repo: Path) -> None:
    (minimal_repo / "shared").mkdir()
    target = minimal_repo / "shared" / "vendor.yaml"
    target.write_text(
        (minimal_repo / "vendors" / "nordlys.yaml").read_text().replace("nordlys", "fjell")
    )
    (minimal_repo / "vendors" / "fjell.yaml").symlink_to(target)

    outcome = cli("validate", minimal_repo)

    assert (outcome.exit_code, outcome.stdout) == (0, "valid: 6 documents in 6 files\n")


def test_byte_order_mark_is_accepted(cli: Cli, minimal_repo: Path) -> None:
    path = minimal_repo / "vendors" / "nordlys.yaml"
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())

    outcome = cli("validate", minimal_repo)

    assert (outcome.exit_code, outcome.stdout) == (0, "valid: 5 documents in 5 files\n")


def test_configured_path_leading_outside_is_a_configuration_error(
    cli: Cli, minimal_repo: Path
) -> None:
    config = minimal_repo / "spendgate.yaml"
    config.write_text(config.read_text() + "paths:\n  vendors: ../../../etc\n")

    outcome = cli("validate", minimal_repo)

    assert (outcome.exit_code, outcome.stdout.splitlines()) == (
        2,
        [
            "spendgate.yaml:15:12: [error] $.paths.vendors: paths.vendors (../../../etc) leads "
            "outside the repository; the default paths are used (path-escape)",
            "invalid: 1 error, 0 warnings in 5 documents in 5 files",
        ],
    )


REQUEST = """\
apiVersion: spendgate/v1
kind: PurchaseRequest
id: PR-2026-009
title: Servers
requester: kari
department: it
cost_centre: it-ops
vendor: nordlys
submitted: {submitted}
justification: Capacity for the new region.
line_items:
  - description: Rack server
    category: hardware
    quantity: 2
    unit_price: {price}
    currency: EUR
"""

VALUE_CASES = {
    "negative-amount": (
        {"price": "-4500"},
        "requests/case.yaml:15:17: [error] $.line_items[0].unit_price: "
        "Input should be greater than or equal to 0 (schema)",
    ),
    "infinite-amount": (
        {"price": ".inf"},
        "requests/case.yaml:15:17: [error] $.line_items[0].unit_price: "
        "must be a finite number (schema)",
    ),
    "not-a-number-amount": (
        {"price": ".nan"},
        "requests/case.yaml:15:17: [error] $.line_items[0].unit_price: "
        "must be a finite number (schema)",
    ),
    "absurd-amount": (
        {"price": "4.5e15"},
        "requests/case.yaml:15:17: [error] $.line_items[0].unit_price: "
        "4,500,000,000,000,000 is beyond any plausible purchase (limit 1,000,000,000,000) (schema)",
    ),
    "amount-as-text": (
        {"price": "4,500"},
        "requests/case.yaml:15:17: [error] $.line_items[0].unit_price: "
        "must be a number, not the string '4,500' (schema)",
    ),
    "impossible-date": (
        {"submitted": "2026-02-30"},
        "requests/case.yaml:9:12: [error] $.submitted: "
        "'2026-02-30' is not a real date (day is out of range for month) (schema)",
    ),
    "date-in-another-format": (
        {"submitted": "30.01.2026"},
        "requests/case.yaml:9:12: [error] $.submitted: "
        "'30.01.2026' is not a date in the form YYYY-MM-DD (schema)",
    ),
}


@pytest.mark.parametrize("case", VALUE_CASES)
def test_bad_values_are_located(case: str, cli: Cli, minimal_repo: Path) -> None:
    values, expected_line = VALUE_CASES[case]
    fields = {"submitted": "2026-11-04", "price": "4500", **values}
    (minimal_repo / "requests" / "case.yaml").write_text(REQUEST.format(**fields))

    outcome = cli("validate", minimal_repo)

    assert (outcome.exit_code, outcome.stderr) == (1, "")
    assert outcome.stdout.splitlines() == [
        expected_line,
        "invalid: 1 error, 0 warnings in 6 documents in 6 files",
    ]


def test_unreadable_policy_file_is_a_configuration_error(cli: Cli, minimal_repo: Path) -> None:
    (minimal_repo / "policies").mkdir()
    (minimal_repo / "policies" / "broken.yaml").write_text("apiVersion: spendgate/v1\nkind: [\n")

    outcome = cli("validate", minimal_repo)

    assert (outcome.exit_code, outcome.stdout.splitlines()) == (
        2,
        [
            "policies/broken.yaml:3:1: [error] did not find expected node content "
            "(while parsing a flow node) (yaml-syntax)",
            "invalid: 1 error, 0 warnings in 5 documents in 6 files",
        ],
    )


def _request(
    *, price: str = "4500", title: str = "Servers", extra_line_item_field: str = ""
) -> str:
    text = REQUEST.format(submitted="2026-11-04", price=price).replace(
        "title: Servers", f"title: {title}"
    )
    return text + extra_line_item_field


REQUEST_CASES: dict[str, tuple[str, list[str]]] = {
    # Issue 14: Python cannot convert an integer of 5,001 digits; the run exited 3.
    "huge-integer": (
        _request(price="1" * 5001),
        [
            "requests/case.yaml:15:17: [error] $.line_items[0].unit_price: number is 5,001 "
            "characters long; the limit is 100 (number-limit)"
        ],
    ),
    "huge-hexadecimal": (
        _request(price="0x" + "f" * 5000),
        [
            "requests/case.yaml:15:17: [error] $.line_items[0].unit_price: number is 5,002 "
            "characters long; the limit is 100 (number-limit)"
        ],
    ),
    # Issue 14: `~` and `null` keys exited 3, or were reported at `$.line_items[0].None`.
    "null-keys": (
        "~: 1\nnull: 2\n" + _request(),
        ["requests/case.yaml:1:1: [error] keys must be strings; found null (key-type)"],
    ),
    "null-key-in-a-line-item": (
        _request(extra_line_item_field="    ~: x\n    null: y\n"),
        [
            "requests/case.yaml:17:5: [error] $.line_items[0]: keys must be strings; found null "
            "(key-type)"
        ],
    ),
    # Issue 14: YAML 1.1 number forms are text in YAML 1.2, on the fast path too.
    "underscored-hexadecimal-price": (
        _request(price="0x1_F"),
        [
            "requests/case.yaml:15:17: [error] $.line_items[0].unit_price: must be a number, not "
            "the string '0x1_F' (schema)"
        ],
    ),
    "binary-price": (
        _request(price="0B1111"),
        [
            "requests/case.yaml:15:17: [error] $.line_items[0].unit_price: must be a number, not "
            "the string '0B1111' (schema)"
        ],
    ),
    "underscored-fraction-price": (
        _request(price=".1_0"),
        [
            "requests/case.yaml:15:17: [error] $.line_items[0].unit_price: must be a number, not "
            "the string '.1_0' (schema)"
        ],
    ),
    "non-specific-tag-price": (
        _request(price="! 12"),
        [
            "requests/case.yaml:15:17: [error] $.line_items[0].unit_price: must be a number, not "
            "the string '12' (schema)"
        ],
    ),
    # `! 12` is the string '12': a valid title (it made the request invalid).
    "non-specific-tag-title": (_request(title="! 12"), []),
    "escape-sequence-in-title": (
        _request(title="\x1b[2Jforged"),
        [
            "requests/case.yaml:4:8: [error] the control character U+001B is not allowed in YAML "
            "(yaml-syntax)"
        ],
    ),
}


@pytest.mark.parametrize("case", REQUEST_CASES)
def test_hostile_request_is_reported_and_others_survive(
    case: str, cli: Cli, minimal_repo: Path
) -> None:
    text, expected_lines = REQUEST_CASES[case]
    (minimal_repo / "requests" / "other.yaml").write_text(OTHER_REQUEST)
    (minimal_repo / "requests" / "case.yaml").write_text(text)

    outcome = cli("validate", minimal_repo)

    loads = not expected_lines or "(schema)" in expected_lines[0]
    errors = len(expected_lines) + 1
    assert (outcome.exit_code, outcome.stderr) == (1, "")
    assert outcome.stdout.splitlines() == [
        *expected_lines,
        OTHER_LINE,
        f"invalid: {errors} error{'s' if errors > 1 else ''}, 0 warnings in "
        f"{7 if loads else 6} documents in 7 files",
    ]


def _validate_in_a_subprocess(repository: Path) -> subprocess.CompletedProcess[str]:
    """A run that would hang on a pipe fails here by its timeout instead of hanging the suite."""
    return subprocess.run(
        [sys.executable, "-m", "spendgate", "validate", str(repository)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_a_named_pipe_is_refused_never_opened(minimal_repo: Path) -> None:
    (minimal_repo / "requests" / "other.yaml").write_text(OTHER_REQUEST)
    os.mkfifo(minimal_repo / "requests" / "x.yaml")

    outcome = _validate_in_a_subprocess(minimal_repo)

    assert (outcome.returncode, outcome.stderr) == (1, "")
    assert outcome.stdout.splitlines() == [
        OTHER_LINE,
        "requests/x.yaml:1:1: [error] is a named pipe, not a regular file; refused "
        "(not-regular-file)",
        "invalid: 2 errors, 0 warnings in 6 documents in 7 files",
    ]


def test_a_link_to_a_named_pipe_is_refused(minimal_repo: Path) -> None:
    (minimal_repo / "requests" / "other.yaml").write_text(OTHER_REQUEST)
    os.mkfifo(minimal_repo / "pipe")
    (minimal_repo / "vendors" / "piped.yaml").symlink_to(minimal_repo / "pipe")

    outcome = _validate_in_a_subprocess(minimal_repo)

    assert (outcome.returncode, outcome.stderr) == (1, "")
    assert outcome.stdout.splitlines() == [
        OTHER_LINE,
        "vendors/piped.yaml:1:1: [error] links to a named pipe, not a regular file; refused "
        "(not-regular-file)",
        "invalid: 2 errors, 0 warnings in 6 documents in 7 files",
    ]


def test_a_named_pipe_in_place_of_a_single_file_is_refused(minimal_repo: Path) -> None:
    (minimal_repo / "org" / "budgets.yaml").unlink()
    os.mkfifo(minimal_repo / "org" / "budgets.yaml")

    outcome = _validate_in_a_subprocess(minimal_repo)

    assert outcome.returncode == 1
    assert (
        "org/budgets.yaml:1:1: [error] is a named pipe, not a regular file; refused "
        "(not-regular-file)"
    ) in outcome.stdout.splitlines()


def test_a_named_pipe_in_place_of_the_configuration_is_refused(minimal_repo: Path) -> None:
    """Not skipped as if there were no spendgate.yaml (the builtin policies would judge)."""
    (minimal_repo / "spendgate.yaml").unlink()
    os.mkfifo(minimal_repo / "spendgate.yaml")

    validated = _validate_in_a_subprocess(minimal_repo)
    checked = subprocess.run(
        [sys.executable, "-m", "spendgate", "check", str(minimal_repo)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert validated.returncode == 1
    assert (
        "spendgate.yaml:1:1: [error] is a named pipe, not a regular file; refused "
        "(not-regular-file)"
    ) in validated.stdout.splitlines()
    assert (checked.returncode, checked.stderr) == (
        2,
        f"spendgate: error: {minimal_repo} has no valid spendgate.yaml; run "
        f"`spendgate validate {minimal_repo}`\n",
    )


def test_a_named_pipe_as_a_policy_test_expectation_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    shutil.copytree(PROJECT / "policies" / "tests" / "base", root / "policies" / "tests" / "base")
    shutil.copy(PROJECT / "policies" / "tests" / "base" / "spendgate.yaml", root)
    case = root / "policies" / "tests" / "piped"
    case.mkdir()
    os.mkfifo(case / "expect.yaml")

    outcome = subprocess.run(
        [sys.executable, "-m", "spendgate", "test", str(root)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert (outcome.returncode, outcome.stdout) == (2, "")
    assert outcome.stderr == (
        f"spendgate: error: {case / 'expect.yaml'}: is a named pipe, not a regular file; refused\n"
    )


@pytest.mark.parametrize(
    ("kind", "shown"),
    [("[]", "[]"), ("{}", "{}"), ("[[]]", "[[]]"), ("{a: [b]}", "{'a': ['b']}")],
)
def test_a_kind_that_is_a_list_or_mapping_is_an_unknown_kind(
    cli: Cli, minimal_repo: Path, kind: str, shown: str
) -> None:
    """Found by tests/test_properties.py: an unhashable kind ended the run with exit 3."""
    (minimal_repo / "requests" / "other.yaml").write_text(OTHER_REQUEST)
    (minimal_repo / "requests" / "x.yaml").write_text(f"apiVersion: spendgate/v1\nkind: {kind}\n")

    outcome = cli("validate", minimal_repo)

    assert (outcome.exit_code, outcome.stderr) == (1, "")
    assert OTHER_LINE in outcome.stdout.splitlines()
    assert outcome.stdout.splitlines()[1] == (
        f"requests/x.yaml:2:7: [error] $.kind: unknown kind {shown}; expected one of Config, "
        "People, Budgets, Vendor, PurchaseRequest, AIAssessment, Approval, ChangeApproval, "
        "Waiver, Policy, PolicySet, PriceBenchmarks, AdequacyDecisions (unknown-kind)"
    )


def test_a_request_of_more_than_a_thousand_line_items_is_refused(
    cli: Cli, minimal_repo: Path
) -> None:
    """Classifying line items costs time that grows with the square of their number."""
    (minimal_repo / "requests" / "other.yaml").write_text(OTHER_REQUEST)
    request = minimal_repo / "requests" / "laptops.yaml"
    text = request.read_text()
    head, items = text.split("line_items:\n")
    request.write_text(f"{head}line_items:\n{items * 1001}")

    outcome = cli("check", minimal_repo, "--as-of", "2026-11-22", "--format", "json")

    report = json.loads(outcome.stdout)
    found = {
        d["file"]: (d["status"], [f["message"] for f in d["findings"]]) for d in report["decisions"]
    }
    assert outcome.exit_code == 1
    assert found == {
        "requests/laptops.yaml": (
            "invalid",
            ["List should have at most 1000 items after validation, not 1001"],
        ),
        "requests/other.yaml": ("invalid", ["'EUX' is not an ISO 4217 currency code"]),
    }


def test_finding_positions_reads_only_what_loading_would(tmp_path: Path) -> None:
    """The locator's light read (documents.source.text_for_positions) refuses what read_source
    refuses, and never waits on a pipe, when a file was swapped after it was loaded."""
    from spendgate.documents.source import text_for_positions

    root = tmp_path / "repo"
    root.mkdir()
    (tmp_path / "outside.yaml").write_text("id: secret\n", encoding="utf-8")
    (root / "plain.yaml").write_text("id: PR-1\n", encoding="utf-8")
    (root / "inside.yaml").symlink_to(root / "plain.yaml")
    (root / "escape.yaml").symlink_to(tmp_path / "outside.yaml")
    os.mkfifo(root / "pipe.yaml")
    (root / "nul.yaml").write_bytes(b"id: PR-1\x00\n")
    (root / "utf16.yaml").write_bytes("id: PR-1\n".encode("utf-16"))
    (root / "latin1.yaml").write_bytes(b"id: caf\xe9\n")
    (root / "big.yaml").write_bytes(b"id: PR-1\n" + b"#" * 64)
    (root / "folder.yaml").mkdir()

    names = sorted(path.name for path in root.iterdir())
    read = {name: text_for_positions(root, name, max_bytes=32) for name in names}

    assert read == {
        "big.yaml": None,
        "escape.yaml": None,
        "folder.yaml": None,
        "inside.yaml": "id: PR-1\n",
        "latin1.yaml": None,
        "nul.yaml": None,
        "pipe.yaml": None,
        "plain.yaml": "id: PR-1\n",
        "utf16.yaml": None,
    }
    assert text_for_positions(root, "missing.yaml") is None
