"""Benchmark `spendgate report` on a generated repository (issue 8: ≤ 10 s at 10,000 requests).

    python bench/bench_report.py                                  # 10,000 requests, 3 runs
    python bench/bench_report.py --requests 10000 --runs 5 --keep /tmp/r10k

The corpus is generated (bench/generate.py) and committed once in a fresh git repository, so
the report reads a real history (one commit). Each run is a fresh process writing the
dashboard into a scratch directory; the median is reported with the peak RSS of the parent
process (the forked worker that decides half of the requests is not counted).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from bench_validate import (  # noqa: E402
    Measure,
    check,
    corpus_dir,
    prepare_corpus,
    run_once,
    spendgate_command,
)
from generate import AS_OF  # noqa: E402

BAR_S = 10.0


def commit_corpus(root: Path) -> None:
    """Make the corpus a git repository with one commit (once)."""
    if (root / ".git").is_dir():
        return
    print("committing the corpus ...", flush=True)
    for arguments in (
        ("init", "-q", "-b", "main"),
        ("config", "user.email", "bench@example.com"),
        ("config", "user.name", "bench"),
        ("add", "-A"),
        ("commit", "-q", "-m", "corpus"),
    ):
        subprocess.run(["git", *arguments], cwd=root, check=True, capture_output=True)


def measure(root: Path, runs: int) -> Measure:
    with tempfile.TemporaryDirectory(prefix="spendgate-report-") as scratch:
        command = [
            *spendgate_command(),
            "report",
            str(root),
            "--out",
            scratch,
            "--as-of",
            AS_OF.isoformat(),
        ]
        result = Measure("report", command)
        for index in range(runs):
            run = check(run_once(command), "spendgate report")
            result.add(run)
            print(f"  run {index + 1}: {run.seconds:.2f} s, {run.peak_rss_mib:.0f} MiB", flush=True)
    return result


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark spendgate report.")
    parser.add_argument("--requests", type=int, default=10_000, help="requests to generate")
    parser.add_argument("--runs", type=int, default=3, help="runs (median reported)")
    parser.add_argument("--seed", type=int, default=7, help="generator seed")
    parser.add_argument("--people", type=int, help="people to generate (default requests/20)")
    parser.add_argument("--keep", type=Path, help="corpus directory: reused if it exists")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.requests < 1:
        parser.error("--requests and --runs must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with corpus_dir(args.keep) as (root, must_generate):
        prepare_corpus(root, must_generate, args)
        commit_corpus(root)
        result = measure(root, args.runs)
    summary = {"report": result.summary(args.requests), "bar_s": BAR_S}
    print(json.dumps(summary, indent=2))
    print(
        f"median {result.median:.2f} s ({'within' if result.median <= BAR_S else 'above'} the bar)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
