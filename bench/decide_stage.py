"""Time the policy stage alone: load a repository once, then decide its requests in-process.

    python bench/decide_stage.py DIR [--runs 3] [--as-of 2026-11-22]

Loads the repository and compiles its policies once (`spendgate.policy.gate.load`, the first
half of `check`), then `--runs` times builds a fresh `Engine` and calls `Engine.decide_all()`:
every request decided in this one process (`check` splits large repositories over two). Prints
one JSON object with the load time, each run's engine set-up and deciding time, and how many
decisions were made. Run as its own process by `bench/run.py`.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Sequence
from datetime import date
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from generate import AS_OF  # noqa: E402
from spendgate.policy.engine import Engine  # noqa: E402
from spendgate.policy.gate import load  # noqa: E402


def decide_stage(root: Path, runs: int, as_of: date) -> dict[str, object]:
    """Load `root` once; time a fresh engine's set-up and its `decide_all()` `runs` times."""
    started = time.perf_counter()
    repository, config, book, problems = load(root)
    loaded_s = time.perf_counter() - started
    if book is None:
        raise SystemExit(f"the policies do not compile: {[p.message for p in problems][:3]}")
    setup_s: list[float] = []
    decide_s: list[float] = []
    decisions = 0
    for _ in range(runs):
        started = time.perf_counter()
        engine = Engine(book=book, repository=repository, config=config, today=as_of)
        built = time.perf_counter()
        decisions = len(engine.decide_all())
        setup_s.append(built - started)
        decide_s.append(time.perf_counter() - built)
    return {"load_s": loaded_s, "setup_s": setup_s, "decide_s": decide_s, "decisions": decisions}


def main(argv: Sequence[str] | None = None) -> int:
    """Parse the arguments, measure, print the JSON object."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("root", type=Path)
    parser.add_argument("--runs", type=int, default=3, help="deciding runs (default 3)")
    parser.add_argument("--as-of", type=date.fromisoformat, default=AS_OF)
    args = parser.parse_args(argv)
    print(json.dumps(decide_stage(args.root, args.runs, args.as_of)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
