"""Deciding a large repository in two processes.

Deciding is pure Python, so threads would not help. On a large repository and a machine with
more than one core, the repository is loaded once, then a forked copy of the process decides one
half of the requests (by a hash of their file) while this process decides the other. The copy
decides its half in `CHUNKS` parts and sends back each part's decisions as it is done, with the
waivers its findings matched (so that "waiver matches nothing" is judged over both halves): it
never holds its whole half, and what crosses between the processes is a part at a time. The
result is exactly what one process decides.
"""

from __future__ import annotations

import gc
import zlib
from collections.abc import Callable

from spendgate.decisions import Decision
from spendgate.forking import forked_copy, worth_forking
from spendgate.policy.engine import Engine, Progress

#: From how many requests deciding is split between two processes.
PARALLEL_FROM = 2000
#: In how many parts the forked copy decides and sends back its half.
CHUNKS = 8

Select = Callable[[str, str], bool]
Transform = Callable[[Decision], Decision]

_job: tuple[Engine, Select | None, Transform | None, bool] | None = None
"""What a forked worker decides with: set only while the split runs (a fork inherits it)."""


def decide_all(
    engine: Engine,
    only: Select | None = None,
    *,
    transform: Transform | None = None,
    let_go: bool = False,
) -> list[Decision]:
    """`engine.decide_all(only, let_go=let_go)`, in two processes when that pays; `transform`
    is applied to each decision where it is made (to slim what crosses between the processes).
    With `let_go`, this process lets go of the other half's requests before it takes in their
    decisions."""
    global _job
    requests = sum(1 for _ in engine.repository.requests())
    if engine.progress is not None:
        engine.progress.start(requests)
    if not worth_forking(requests, PARALLEL_FROM):
        return _transformed(engine.decide_all(only, let_go=let_go), transform)
    _job = (engine, only, transform, let_go)
    shown = engine.progress
    if shown is not None:  # this process decides half: each of its decisions stands for two
        engine.progress = _Doubled(shown)
    gc.freeze()  # the fork then shares the loaded repository instead of copying it page by page
    try:
        with forked_copy() as pool:
            parts = [pool.submit(_decide_part, 2 * n + 1) for n in range(CHUNKS)]
            decisions, _ = _decide_part(None)
            if let_go:
                engine.repository.let_go(list(engine.repository.requests()))
            for part in parts:
                theirs, matched = part.result()
                decisions += theirs
                engine.waivers.matched |= matched
    finally:
        gc.unfreeze()
        _job = None
        engine.progress = shown
    return sorted(decisions, key=lambda decision: (decision.file, decision.request_id))


def _decide_part(residue: int | None) -> tuple[list[Decision], set[str]]:
    """Decide the requests whose file hashes to `residue` modulo 2 × CHUNKS (one part of the
    forked copy's half), or for None to any even residue (this process's half)."""
    assert _job is not None
    engine, only, transform, let_go = _job
    if residue is not None:
        engine.progress = None  # the forked copy's progress is estimated by this process's

    def selected(file: str, request_id: str) -> bool:
        found = zlib.crc32(file.encode()) % (2 * CHUNKS)
        mine = found % 2 == 0 if residue is None else found == residue
        return mine and (only is None or only(file, request_id))

    decided = engine.decide_all(selected, let_go=let_go)
    return _transformed(decided, transform), set(engine.waivers.matched)


class _Doubled:
    """Progress told twice what this process decides: the forked copy decides as many, at the
    same pace, and a bar in the parent cannot hear from it until a part is done."""

    def __init__(self, shown: Progress) -> None:
        self.shown = shown

    def start(self, total: int) -> None:
        """The total, passed on as it is."""
        self.shown.start(total)

    def advance(self, decided: int) -> None:
        """Two requests decided for each one decided here."""
        self.shown.advance(2 * decided)


def _transformed(decisions: list[Decision], transform: Transform | None) -> list[Decision]:
    return decisions if transform is None else [transform(decision) for decision in decisions]
