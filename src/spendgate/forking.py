"""Sharing pure-Python work with a forked copy of this process, and when it pays.

Deciding requests, writing audit pages and summarising a cold catalogue are pure Python, so
threads would not help. On a machine with a second core, a large enough run forks one copy after
loading: the copy shares what is loaded instead of loading it again, does its part, and sends
back only what it made. Each caller keeps its results in a deterministic order, so a run's
output is the same whichever process made a piece of it.

Work that does not hold the interpreter (DuckDB scanning a billing export) runs instead in a
thread of this process, `in_background`, beside the pure-Python work. A fork copies only the
forking thread, and with it whatever lock another thread held at that instant, so a fork first
waits for every background job to finish.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor, wait
from typing import Any, TypeVar

T = TypeVar("T")

_background: list[Future[Any]] = []
"""The jobs started with `in_background` that a fork waits for."""


def worth_forking(items: int, threshold: int) -> bool:
    """Whether `items` pieces of work are split with a forked copy: at least `threshold` of
    them, a second core, and `fork` available (elsewhere the copy would start from nothing)."""
    if items < threshold or (os.cpu_count() or 1) < 2:
        return False
    return "fork" in multiprocessing.get_all_start_methods()


def forked_copy() -> ProcessPoolExecutor:
    """A pool of one forked copy of this process (forked at its first task), once every
    background job has finished."""
    wait(list(_background))
    _background.clear()
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))


def in_background(work: Callable[[], T], name: str) -> Future[T]:
    """Start `work` in a thread of this process; its result (or its exception) is the future's.

    The thread is a daemon: a run that fails before it asks for the result does not wait for it
    to end (its owner may interrupt it first)."""
    future: Future[T] = Future()

    def run() -> None:
        if not future.set_running_or_notify_cancel():
            return
        try:
            future.set_result(work())
        except BaseException as error:  # handed to whoever asks for the result
            future.set_exception(error)

    _background.append(future)
    threading.Thread(target=run, name=name, daemon=True).start()
    return future
