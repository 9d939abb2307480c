"""Benchmark `spendgate check --base` on a large repository (SPEC §13, issue 5).

    python bench/bench_pull_request.py                                # 100,000 requests
    python bench/bench_pull_request.py --requests 10000 --runs 5 --keep /tmp/pr10k

The corpus is generated (bench/generate.py), committed on `main` in a fresh git repository, and
a branch `bench-change` edits one request (its title, so the request stays valid and is decided
with everything it depends on). Then, each in a fresh process:

- **cold**: `check --base main` with `.spendgate-cache/` deleted first, so the catalogue of the
  whole base tree is built (every file read from git and summarised);
- **warm**: the same with the cache left by the previous run;
- baselines measured in the same run: `spendgate --version` (interpreter start-up and imports)
  and `git diff --name-status main` (what finding the change costs git alone).

The bar: warm median ≤ 1 s at 100,000 requests.
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from bench_validate import (  # noqa: E402
    Measure,
    check,
    corpus_dir,
    environment,
    measure_startup,
    prepare_corpus,
    run_once,
    spendgate_command,
)
from generate import AS_OF  # noqa: E402

BRANCH = "bench-change"
WARM_BAR_S = 1.0


def git(root: Path, *arguments: str) -> str:
    return subprocess.run(
        ["git", *arguments], cwd=root, check=True, capture_output=True, text=True
    ).stdout


def prepare_repository(root: Path) -> str:
    """Commit the corpus on main (once) and branch off one edited request; returns its path."""
    if not (root / ".git").is_dir():
        print("committing the corpus on main ...", flush=True)
        git(root, "init", "-q", "-b", "main")
        git(root, "config", "user.email", "bench@example.com")
        git(root, "config", "user.name", "bench")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "corpus")
    git(root, "checkout", "-q", "-f", "-B", BRANCH, "main")
    # git's sorted list of names rather than Path objects: 100,000 of those would raise this
    # process's peak RSS, which every child it starts afterwards reports as its own floor
    requests = git(root, "ls-files", "--", "requests").splitlines()
    target = root / requests[len(requests) // 2]
    text = target.read_text()
    target.write_text(text.replace("\ntitle: ", "\ntitle: Revised ", 1))
    git(root, "commit", "-q", "-am", "revise one request")
    return target.relative_to(root).as_posix()


def measure(root: Path, runs: int, cold_runs: int) -> tuple[Measure, Measure, Measure]:
    command = [
        *spendgate_command(),
        "check",
        str(root),
        "--base",
        "main",
        "--as-of",
        AS_OF.isoformat(),
    ]
    cold = Measure("check --base, cold cache", command, (0, 1))
    warm = Measure("check --base, warm cache", command, (0, 1))
    diff = Measure(
        "git diff --name-status main", ["git", "-C", str(root), "diff", "--name-status", "main"]
    )
    for _ in range(cold_runs):
        shutil.rmtree(root / ".spendgate-cache", ignore_errors=True)
        cold.add(check(run_once(command), cold.name, cold.exit_codes))
    for _ in range(runs):
        run = check(run_once(command), warm.name, warm.exit_codes)
        if "up to date" not in run.stdout:
            raise SystemExit(f"the warm run did not use the cache:\n{run.stdout[-2000:]}")
        warm.add(run)
        diff.add(check(run_once(diff.command), diff.name))
    return cold, warm, diff


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=5, help="warm runs (median reported)")
    parser.add_argument("--cold-runs", type=int, default=1)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--people", type=int, default=None)
    parser.add_argument("--keep", type=Path, default=None)
    parser.add_argument("--startup-runs", type=int, default=5)
    parser.add_argument("--json", type=Path, default=None)
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with corpus_dir(args.keep) as (root, must_generate):
        corpus = prepare_corpus(root, must_generate, args)
        changed = prepare_repository(root)
        cold, warm, diff = measure(root, args.runs, args.cold_runs)
        version, _, version_output = measure_startup(args.startup_runs)
    figures = {m.name: m.summary(0) for m in (cold, warm, diff, version)}
    print(f"\n{corpus.files} files; the branch changes {changed}\n")
    print("| measure | median s | min s | peak RSS MiB |\n| --- | ---: | ---: | ---: |")
    for m in (cold, warm, diff, version):
        rss = max(m.peak_rss_mib)
        print(f"| {m.name} | {m.median:.3f} | {min(m.samples):.3f} | {rss:.0f} |")
    print(
        f"\nwarm ÷ spendgate --version: {warm.median / version.median:.2f}×; "
        f"cold ÷ warm: {cold.median / warm.median:.1f}×; "
        f"bar: warm ≤ {WARM_BAR_S} s: {'met' if warm.median <= WARM_BAR_S else 'NOT met'}"
    )
    if args.json:
        payload = {"files": corpus.files, "changed": changed, "figures": figures}
        payload["environment"] = environment(version_output)
        args.json.write_text(json.dumps(payload, indent=2) + "\n")
    return 0 if warm.median <= WARM_BAR_S else 1


if __name__ == "__main__":
    raise SystemExit(main())
