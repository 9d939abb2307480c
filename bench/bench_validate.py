"""Benchmark `spendgate validate` and `check` against libyaml and PyYAML on a generated corpus.

    python bench/bench_validate.py [--requests 10000] [--runs 5] [--keep DIR] [--json PATH]

Every measurement is a fresh subprocess (interpreter start-up, imports and any caches are paid
each run) and the figure reported is the median of --runs runs. See bench/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

import yaml

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from generate import AS_OF, generate  # noqa: E402
from yaml_baseline import yaml_files  # noqa: E402

_SUMMARY = re.compile(r"valid: (\d+) documents? in (\d+) files?")


@dataclass(frozen=True)
class Run:
    """One subprocess: wall time, peak resident memory, CPU time, exit code and output."""

    seconds: float
    peak_rss_mib: float
    cpu_seconds: float
    returncode: int
    stdout: str
    stderr: str


@dataclass
class Measure:
    """The runs of one command, summarised."""

    name: str
    command: list[str]
    exit_codes: tuple[int, ...] = (0,)
    samples: list[float] = field(default_factory=list)
    peak_rss_mib: list[float] = field(default_factory=list)
    cpu_seconds: list[float] = field(default_factory=list)

    def add(self, run: Run) -> None:
        self.samples.append(run.seconds)
        self.peak_rss_mib.append(run.peak_rss_mib)
        self.cpu_seconds.append(run.cpu_seconds)

    @property
    def median(self) -> float:
        return statistics.median(self.samples)

    def summary(self, documents: int) -> dict[str, object]:
        return {
            "command": self.command,
            "median_s": round(self.median, 4),
            "min_s": round(min(self.samples), 4),
            "max_s": round(max(self.samples), 4),
            "samples_s": [round(sample, 4) for sample in self.samples],
            "us_per_document": round(self.median / documents * 1e6, 1) if documents else None,
            "peak_rss_mib_median": round(statistics.median(self.peak_rss_mib), 1),
            "peak_rss_mib_max": round(max(self.peak_rss_mib), 1),
            "cpu_s_median": round(statistics.median(self.cpu_seconds), 3),
        }


@dataclass(frozen=True)
class Corpus:
    root: Path
    files: int
    bytes: int
    generated_s: float | None


# --------------------------------------------------------------------------------------------
# Running one subprocess
# --------------------------------------------------------------------------------------------


def run_once(command: Sequence[str], tail: int | None = None) -> Run:
    """Run `command` to completion; its own rusage (not every child's) via `os.wait4`.

    With `tail`, only the last `tail` bytes of each output are read: a child started later
    counts this process's peak RSS as its own (vfork + exec), so a large output read whole
    would raise every later child's figure.
    """
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        process = subprocess.Popen(command, stdout=out, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - started
        process.returncode = os.waitstatus_to_exitcode(status)
        return Run(
            seconds=elapsed,
            peak_rss_mib=usage.ru_maxrss / 1024,  # KiB on Linux
            cpu_seconds=usage.ru_utime + usage.ru_stime,
            returncode=process.returncode,
            stdout=_read(out, tail),
            stderr=_read(err, tail),
        )


def _read(file: IO[bytes], tail: int | None) -> str:
    """What was written to `file`, or its last `tail` bytes."""
    size = file.seek(0, os.SEEK_END)
    file.seek(0 if tail is None else max(0, size - tail))
    return file.read().decode("utf-8", "replace")


def spendgate_command() -> list[str]:
    """The `spendgate` script of this interpreter's environment (not a pyenv shim), or -m."""
    script = Path(sys.executable).parent / "spendgate"
    if script.is_file():
        return [str(script)]
    found = shutil.which("spendgate")
    return [found] if found else [sys.executable, "-m", "spendgate"]


def check(run: Run, what: str, expected: tuple[int, ...] = (0,)) -> Run:
    if run.returncode not in expected:
        tail = (run.stdout + run.stderr)[-3000:]
        raise SystemExit(f"{what} exited {run.returncode}, expected {expected}:\n{tail}")
    return run


# --------------------------------------------------------------------------------------------
# The corpus
# --------------------------------------------------------------------------------------------


@contextmanager
def corpus_dir(keep: Path | None) -> Iterator[tuple[Path, bool]]:
    """The directory to benchmark, and whether it must be generated first."""
    if keep is not None:
        exists = (keep / "spendgate.yaml").is_file()
        yield keep, not exists
        return
    with tempfile.TemporaryDirectory(prefix="spendgate-bench-") as temporary:
        yield Path(temporary) / "repo", True


def prepare_corpus(root: Path, must_generate: bool, args: argparse.Namespace) -> Corpus:
    generated_s = None
    if must_generate:
        print(f"generating {args.requests} requests into {root} (seed {args.seed}) ...", flush=True)
        started = time.perf_counter()
        generate(root, args.requests, args.seed, args.people)
        generated_s = time.perf_counter() - started
    else:
        print(f"reusing the corpus in {root} (--requests, --seed, --people ignored)", flush=True)
    files = 0
    size = 0
    for path in yaml_files(root):  # also warms the page cache for every measure alike
        files += 1
        size += len(path.read_bytes())
    return Corpus(root, files, size, generated_s)


# --------------------------------------------------------------------------------------------
# The measurements
# --------------------------------------------------------------------------------------------


def measure_corpus(corpus: Corpus, runs: int) -> tuple[list[Measure], int]:
    """Validate and both baselines, interleaved run by run so drift hits them alike."""
    root = str(corpus.root)
    baseline = str(BENCH_DIR / "yaml_baseline.py")
    measures = [
        Measure("spendgate validate", [*spendgate_command(), "validate", root]),
        # The gate blocks some generated requests on purpose (exit 1); 0 and 1 are both answers.
        Measure(
            "spendgate check",
            [*spendgate_command(), "check", root, "--as-of", AS_OF.isoformat()],
            exit_codes=(0, 1),
        ),
        Measure("libyaml raw parse", [sys.executable, baseline, "--mode", "raw", root]),
        Measure("PyYAML CSafeLoader load", [sys.executable, baseline, "--mode", "load", root]),
    ]
    documents = corpus.files
    for number in range(1, runs + 1):
        for measure in measures:
            run = check(run_once(measure.command), measure.name, measure.exit_codes)
            measure.add(run)
            documents = _documents(measure, run, documents, corpus.files)
        line = "  ".join(f"{m.name} {m.samples[-1]:.2f}s" for m in measures)
        print(f"run {number}/{runs}: {line}", flush=True)
    return measures, documents


def _documents(measure: Measure, run: Run, documents: int, files: int) -> int:
    """Check that each command saw the whole corpus; validate's own count is the doc count."""
    if measure.name == "spendgate check":
        return documents
    if measure.name == "spendgate validate":
        found = _SUMMARY.search(run.stdout)
        if found is None:
            raise SystemExit(f"validate printed no summary line:\n{run.stdout[-2000:]}")
        if int(found.group(2)) != files:
            print(f"warning: validate read {found.group(2)} files, the corpus has {files}")
        return int(found.group(1))
    if int(run.stdout.strip() or 0) != files:
        raise SystemExit(f"{measure.name} read {run.stdout.strip()} files, expected {files}")
    return documents


def measure_startup(runs: int) -> tuple[Measure, Measure, str]:
    """`spendgate --version` and a bare interpreter, each `runs` times."""
    version = Measure("spendgate --version", [*spendgate_command(), "--version"])
    bare = Measure("python -c pass", [sys.executable, "-c", "pass"])
    output = ""
    for _ in range(runs):
        run = check(run_once(version.command), version.name)
        output = run.stdout.strip()
        version.add(run)
        bare.add(check(run_once(bare.command), bare.name))
    return version, bare, output


# --------------------------------------------------------------------------------------------
# Reporting
# --------------------------------------------------------------------------------------------


def render_table(corpus: Corpus, documents: int, measures: list[Measure]) -> str:
    megabytes = corpus.bytes / 1e6
    lines = [
        f"corpus: {corpus.files} files, {megabytes:.1f} MB, {documents} documents "
        f"({corpus.bytes / max(corpus.files, 1) / 1024:.1f} KiB/file) in {corpus.root}",
        "",
        f"{'measure':<26}{'median s':>10}{'min s':>9}{'µs/doc':>9}{'CPU s':>8}{'peak RSS':>11}",
    ]
    for m in measures:
        rss = statistics.median(m.peak_rss_mib)
        lines.append(
            f"{m.name:<26}{m.median:>10.3f}{min(m.samples):>9.3f}"
            f"{m.median / documents * 1e6:>9.0f}{statistics.median(m.cpu_seconds):>8.2f}"
            f"{rss:>7.0f} MiB"
        )
    return "\n".join(lines)


def ratios(measures: list[Measure]) -> dict[str, float]:
    validate, check_, raw, load = (m.median for m in measures)
    return {
        "validate_over_libyaml_raw": round(validate / raw, 2),
        "validate_over_pyyaml_csafeloader": round(validate / load, 2),
        "check_over_libyaml_raw": round(check_ / raw, 2),
    }


def environment(version_output: str) -> dict[str, object]:
    return {
        "spendgate": version_output,
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "platform": platform.platform(),
        "cpus": os.cpu_count(),
        "pyyaml": yaml.__version__,
        "libyaml": getattr(yaml, "__with_libyaml__", False),
    }


def report(
    corpus: Corpus,
    documents: int,
    measures: list[Measure],
    startup: tuple[Measure, Measure, str],
) -> dict[str, object]:
    version, bare, version_output = startup
    print()
    print(render_table(corpus, documents, measures))
    print()
    for name, value in ratios(measures).items():
        print(f"{name.replace('_', ' ')}: {value:.2f}x")
    print(
        f"spendgate --version: median {version.median * 1000:.0f} ms over {len(version.samples)} "
        f"runs (bare `python -c pass`: {bare.median * 1000:.0f} ms)"
    )
    validate = measures[0]
    print(
        f"validate peak RSS: median {statistics.median(validate.peak_rss_mib):.0f} MiB, "
        f"max {max(validate.peak_rss_mib):.0f} MiB"
    )
    return {
        "environment": environment(version_output),
        "corpus": {
            "root": str(corpus.root),
            "files": corpus.files,
            "documents": documents,
            "bytes": corpus.bytes,
            "generated_s": round(corpus.generated_s, 2) if corpus.generated_s else None,
        },
        "runs": len(validate.samples),
        "measures": {m.name: m.summary(documents) for m in measures},
        "ratios": ratios(measures),
        "startup": {
            "spendgate --version": version.summary(1),
            "python -c pass": bare.summary(1),
        },
    }


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Benchmark spendgate validate.")
    parser.add_argument("--requests", type=int, default=10_000, help="requests to generate")
    parser.add_argument("--runs", type=int, default=5, help="runs per measure (median reported)")
    parser.add_argument("--seed", type=int, default=7, help="generator seed")
    parser.add_argument("--people", type=int, help="people to generate (default requests/20)")
    parser.add_argument("--keep", type=Path, help="corpus directory: reused if it exists")
    parser.add_argument("--startup-runs", type=int, default=10, help="runs of --version")
    parser.add_argument("--json", type=Path, help="also write the figures to this JSON file")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.startup_runs < 1 or args.requests < 1:
        parser.error("--requests, --runs and --startup-runs must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    with corpus_dir(args.keep) as (root, must_generate):
        corpus = prepare_corpus(root, must_generate, args)
        measures, documents = measure_corpus(corpus, args.runs)
        startup = measure_startup(args.startup_runs)
        figures = report(corpus, documents, measures, startup)
    if args.json is not None:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")
        print(f"figures written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
