"""Deciding a large repository in two processes.

Deciding is pure Python, so threads would not help. On a large repository and a machine with
more than one core, the repository is loaded once, then a forked copy of the process decides one
half of the requests (by a hash of their file) while this process decides the other. The copy
sends back its decisions and the waivers its findings matched (so that "waiver matches nothing"
is judged over both halves). The result is exactly what one process decides.
"""

from __future__ import annotations

import gc
import zlib
from collections.abc import Callable

from spendgate.decisions import Decision
from spendgate.forking import forked_copy, worth_forking
from spendgate.policy.engine import Engine

#: From how many requests deciding is split between two processes.
PARALLEL_FROM = 2000

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
    if not worth_forking(requests, PARALLEL_FROM):
        return _transformed(engine.decide_all(only, let_go=let_go), transform)
    _job = (engine, only, transform, let_go)
    gc.freeze()  # the fork then shares the loaded repository instead of copying it page by page
    try:
        with forked_copy() as pool:
            other = pool.submit(_decide_half, 1)
            mine, _ = _decide_half(0)
            if let_go:
                engine.repository.let_go(list(engine.repository.requests()))
            theirs, matched = other.result()
    finally:
        gc.unfreeze()
        _job = None
    engine.waivers.matched |= matched
    return sorted(mine + theirs, key=lambda decision: (decision.file, decision.request_id))


def _decide_half(part: int) -> tuple[list[Decision], set[str]]:
    assert _job is not None
    engine, only, transform, let_go = _job

    def half(file: str, request_id: str) -> bool:
        mine = zlib.crc32(file.encode()) % 2 == part
        return mine and (only is None or only(file, request_id))

    decided = engine.decide_all(half, let_go=let_go)
    return _transformed(decided, transform), set(engine.waivers.matched)


def _transformed(decisions: list[Decision], transform: Transform | None) -> list[Decision]:
    return decisions if transform is None else [transform(decision) for decision in decisions]
