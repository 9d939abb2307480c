"""Loading a file is a pipeline whose every step is entered once: read → parse → validate →
locate (issue 16). A profiler records which modules of `spendgate.documents` run, in order; each
module belongs to one step, and the steps must follow each other without coming back."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from spendgate.documents.loading import LoadedFile, load_file
from tests.conftest import EXAMPLES

#: The step each module of the pipeline serves; the others (the orchestrating `loading`, the
#: scalar rules both parsers share, problems) belong to no single step.
STEPS = {
    "spendgate.documents.source": "read",
    "spendgate.documents.fast_yaml": "parse",
    "spendgate.documents.fields": "validate",
    "spendgate.documents.purchase_request": "validate",
    "spendgate.documents.currencies": "validate",
    "spendgate.documents.located_yaml": "locate",
    "spendgate.documents.yaml_syntax": "locate",
}
REQUEST = Path("requests") / "2026" / "NB-2026-0142.yaml"


def steps_of(load: Any) -> tuple[list[str], LoadedFile]:
    """The steps `load()` runs through, a step written again each time it is entered anew."""
    steps: list[str] = []

    def profile(frame: FrameType, event: str, _: Any) -> None:
        step = STEPS.get(frame.f_globals.get("__name__", ""))
        if event == "call" and step is not None and (not steps or steps[-1] != step):
            steps.append(step)

    sys.setprofile(profile)
    try:
        loaded = load()
    finally:
        sys.setprofile(None)
    return steps, loaded


@pytest.fixture
def bank(tmp_path: Path) -> Path:
    root = tmp_path / "bank"
    shutil.copytree(EXAMPLES / "bank", root)
    return root


def test_a_valid_file_is_read_parsed_and_validated_once(bank: Path) -> None:
    steps, loaded = steps_of(lambda: load_file(bank / REQUEST, root=bank))

    assert steps == ["read", "parse", "validate"]
    assert [document.kind for document in loaded.documents] == ["PurchaseRequest"]


def test_a_faulty_file_is_validated_once_then_located(bank: Path) -> None:
    path = bank / REQUEST
    path.write_text(path.read_text().replace("vendor:", "vendr:"))

    steps, loaded = steps_of(lambda: load_file(path, root=bank))

    assert steps == ["read", "parse", "validate", "locate"]
    assert [
        (problem.location.line, problem.location.column, problem.message)
        for document in loaded.documents
        for problem in document.problems
    ] == [(2, 1, "missing required field 'vendor'"), (9, 1, "unknown field 'vendr'")]
