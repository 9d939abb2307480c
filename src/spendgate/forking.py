"""Sharing pure-Python work with a forked copy of this process, and when it pays.

Deciding requests, writing audit pages and summarising a cold catalogue are pure Python, so
threads would not help. On a machine with a second core, a large enough run forks one copy after
loading: the copy shares what is loaded instead of loading it again, does its part, and sends
back only what it made. Each caller keeps its results in a deterministic order, so a run's
output is the same whichever process made a piece of it.
"""

from __future__ import annotations

import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor


def worth_forking(items: int, threshold: int) -> bool:
    """Whether `items` pieces of work are split with a forked copy: at least `threshold` of
    them, a second core, and `fork` available (elsewhere the copy would start from nothing)."""
    if items < threshold or (os.cpu_count() or 1) < 2:
        return False
    return "fork" in multiprocessing.get_all_start_methods()


def forked_copy() -> ProcessPoolExecutor:
    """A pool of one forked copy of this process (forked at its first task)."""
    return ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork"))
