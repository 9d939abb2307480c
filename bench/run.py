"""The issue 17 table ("Fast at 100,000 requests"): measure every row in one run and print it.

    python bench/run.py [--sizes small|full] [--runs 3] [--keep DIR] [--only 1,2,...] [--json FILE]

Generates the corpora once (10,000 and 100,000 requests with `--sizes full`, 1,000 and 10,000
with `--sizes small`, plus 1,000 distinct and 2 × 1,000 near-identical requests), commits each
on `main` in git, runs each row's work `--runs` times in fresh processes and prints, per row: the
median, its ratio to PyYAML's CSafeLoader parsing the same corpus (measured in the same run),
the row's goal with the baseline it names, whether it is met, and the peak RSS. See
bench/README.md, "The issue 17 table".
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from bench_pull_request import git, prepare_repository  # noqa: E402
from bench_pull_request import measure as measure_pull_request  # noqa: E402
from bench_report import commit_corpus  # noqa: E402
from bench_validate import (  # noqa: E402
    Corpus,
    Measure,
    check,
    environment,
    run_once,
    spendgate_command,
)
from generate import AS_OF  # noqa: E402
from yaml_baseline import yaml_files  # noqa: E402

ROWS = tuple(range(1, 11))
NEAR_IDENTICAL = 1_000
IMPACT_BRANCH = "bench-impact"
THRESHOLD_LINE = "capitalization_threshold: 5000\n"
CHANGED_THRESHOLD_LINE = "capitalization_threshold: 20000\n"
GIB_MIB = 1024.0
#: How much of a command's output is kept: check's text output is ~1.3 KB per request.
TAIL = 64 * 1024
#: How old a file must be before check keeps a run that read it (the warm path), plus a margin.
FRESH_S = 2.2


@dataclass(frozen=True)
class Sizes:
    """How many requests the "10k" and the "100k" rows use."""

    main: int
    large: int


SIZES = {"small": Sizes(1_000, 10_000), "full": Sizes(10_000, 100_000)}


@dataclass(frozen=True)
class CorpusSpec:
    """A corpus to generate: its directory name, size and near-identical layout (if any)."""

    name: str
    requests: int
    near_identical: str | None = None


@dataclass(frozen=True)
class Stage:
    """What bench/decide_stage.py measured: seconds per run, decisions made, peak RSS."""

    load_s: float
    setup_s: list[float]
    decide_s: list[float]
    decisions: int
    peak_rss_mib: float


@dataclass
class Row:
    """One printed line: what was measured, against which goal, and the verdict."""

    key: str
    work: str
    median: str = ""
    seconds: float | None = None
    vs_csafe: float | None = None
    goal: str = ""
    measured: str = ""
    met: bool | None = None
    peak_rss_mib: float | None = None
    error: str | None = None
    notes: list[str] = field(default_factory=list)


def label(requests: int) -> str:
    """`10k` for 10,000 requests."""
    return f"{requests // 1000}k" if requests % 1000 == 0 else str(requests)


def peak(measure: Measure) -> float:
    """The median over a measure's runs of each run's peak RSS (MiB)."""
    return statistics.median(measure.peak_rss_mib)


def source_stamp() -> int:
    """The newest mtime (ns) of spendgate's own files: a change makes check's warm path cold."""
    spec = importlib.util.find_spec("spendgate")
    if spec is None or not spec.submodule_search_locations:
        return 0
    package = Path(next(iter(spec.submodule_search_locations)))
    files = (p for p in package.rglob("*") if p.is_file() and "__pycache__" not in p.parts)
    return max((path.stat().st_mtime_ns for path in files), default=0)


def as_of() -> list[str]:
    """The `--as-of` option every spendgate command of the bench is given."""
    return ["--as-of", AS_OF.isoformat()]


# --------------------------------------------------------------------------------------------
# Corpora and their git state
# --------------------------------------------------------------------------------------------


@contextmanager
def work_dir(keep: Path | None, *, prefix: str = "spendgate-issue17-") -> Iterator[Path]:
    """`keep` (created, kept afterwards) or a temporary directory deleted at the end."""
    if keep is not None:
        keep.mkdir(parents=True, exist_ok=True)
        yield keep
        return
    with tempfile.TemporaryDirectory(prefix=prefix) as temporary:
        yield Path(temporary)


def make_corpus(spec: CorpusSpec, root: Path, seed: int) -> Corpus:
    """Generate `spec` into `root` unless it is there already; read every file once.

    The generator runs as its own process: a child started later counts the RSS this process
    has then as its own peak (vfork + exec), so this process must stay small.
    """
    generated_s = None
    if not (root / "spendgate.yaml").is_file():
        kind = f", near-identical {spec.near_identical}" if spec.near_identical else ""
        print(f"generating {spec.requests} requests{kind} into {root} ...", flush=True)
        command = [sys.executable, str(BENCH_DIR / "generate.py"), "--out", str(root)]
        command += ["--requests", str(spec.requests), "--seed", str(seed)]
        if spec.near_identical:
            command += ["--near-identical", spec.near_identical]
        generated_s = check(run_once(command), "generate.py").seconds
    on_main(root)  # check keeps runs (its warm path) only at the top of a git repository
    files = size = 0
    for path in yaml_files(root):  # warms the page cache for every measure alike
        files += 1
        size += len(path.read_bytes())
    return Corpus(root, files, size, generated_s)


def on_main(root: Path) -> None:
    """Commit the corpus on `main` (once) and check `main` out, discarding any edits.

    After a checkout that changed something it waits until the files it wrote are two seconds
    old: check keeps no run while a file it read is younger than that.
    """
    commit_corpus(root)
    branch = git(root, "branch", "--show-current").strip()
    if branch == "main" and not git(root, "status", "--porcelain", "--untracked-files=no"):
        return
    git(root, "checkout", "-q", "-f", "main")
    time.sleep(FRESH_S)


def impact_branch(root: Path) -> None:
    """Check out a branch off `main` that raises the capitalisation threshold in spendgate.yaml."""
    on_main(root)
    git(root, "checkout", "-q", "-f", "-B", IMPACT_BRANCH, "main")
    config = root / "spendgate.yaml"
    text = config.read_text(encoding="utf-8")
    if THRESHOLD_LINE not in text:
        raise SystemExit(f"{config} has no line {THRESHOLD_LINE.strip()!r} to change")
    config.write_text(text.replace(THRESHOLD_LINE, CHANGED_THRESHOLD_LINE), encoding="utf-8")
    git(root, "commit", "-q", "-am", "raise the capitalisation threshold")


# --------------------------------------------------------------------------------------------
# Measurements, each made once per run of this script and shared by the rows that need it
# --------------------------------------------------------------------------------------------


@dataclass
class Bench:
    """The corpora and every measurement made so far (memoised by name)."""

    directory: Path
    sizes: Sizes
    runs: int
    seed: int
    corpora: dict[str, Corpus] = field(default_factory=dict)
    measures: dict[str, Measure] = field(default_factory=dict)
    stages: dict[str, Stage] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    decisions_differ: bool = False
    """A corpus's decisions are not those bench/expected/decisions.json keeps for it."""

    @property
    def main(self) -> CorpusSpec:
        """The corpus of the "10k" rows."""
        return CorpusSpec(label(self.sizes.main), self.sizes.main)

    @property
    def large(self) -> CorpusSpec:
        """The corpus of the "100k" rows."""
        return CorpusSpec(label(self.sizes.large), self.sizes.large)

    def corpus(self, spec: CorpusSpec) -> Corpus:
        """The corpus of `spec`, generated on first use."""
        if spec.name not in self.corpora:
            self.corpora[spec.name] = make_corpus(spec, self.directory / spec.name, self.seed)
        return self.corpora[spec.name]

    def remember(self, *measures: Measure) -> None:
        """Keep `measures` under their names and print their medians."""
        for measure in measures:
            self.measures[measure.name] = measure
            print(
                f"  {measure.name}: median {measure.median:.3f} s over {len(measure.samples)} "
                f"run(s), peak RSS {peak(measure):.0f} MiB",
                flush=True,
            )

    def csafe(self, spec: CorpusSpec) -> Measure:
        """PyYAML's CSafeLoader loading every file of the corpus (yaml_baseline.py --mode load)."""
        name = f"CSafeLoader load {spec.name}"
        if name not in self.measures:
            corpus = self.corpus(spec)
            baseline = str(BENCH_DIR / "yaml_baseline.py")
            measure = Measure(name, [sys.executable, baseline, "--mode", "load", str(corpus.root)])
            for _ in range(self.runs):
                run = check(run_once(measure.command, TAIL), name)
                if int(run.stdout.strip() or 0) != corpus.files:
                    raise SystemExit(f"{name} read {run.stdout.strip()} files, not {corpus.files}")
                measure.add(run)
            self.remember(measure)
        return self.measures[name]

    def import_yaml(self) -> Measure:
        """A fresh interpreter importing PyYAML: `python -c "import yaml"`."""
        name = "python -c 'import yaml'"
        if name not in self.measures:
            measure = Measure(name, [sys.executable, "-c", "import yaml"])
            for _ in range(self.runs):
                measure.add(check(run_once(measure.command, TAIL), name))
            self.remember(measure)
        return self.measures[name]

    def check_command(self, spec: CorpusSpec) -> list[str]:
        """`spendgate check ROOT --as-of ...` (text format) for the corpus of `spec`."""
        return [*spendgate_command(), "check", str(self.corpus(spec).root), *as_of()]

    def check_pair(self, spec: CorpusSpec) -> tuple[Measure, Measure]:
        """`check` with `.spendgate-cache/` deleted (cold), then at once again (warm), per run."""
        cold_name, warm_name = f"check {spec.name} cold", f"check {spec.name} warm"
        if warm_name not in self.measures:
            root = self.corpus(spec).root
            on_main(root)
            command = self.check_command(spec)
            cold = Measure(cold_name, command, (0, 1))
            warm = Measure(warm_name, command, (0, 1))
            for _ in range(self.runs):
                shutil.rmtree(root / ".spendgate-cache", ignore_errors=True)
                first = check(run_once(command, TAIL), cold_name, cold.exit_codes)
                second = check(run_once(command, TAIL), warm_name, warm.exit_codes)
                if (second.returncode, second.stdout) != (first.returncode, first.stdout):
                    self.notes.append(f"{warm_name}: exit code or output differs from the cold run")
                cold.add(first)
                warm.add(second)
            self.remember(cold, warm)
        return self.measures[cold_name], self.measures[warm_name]

    def full_check(self, spec: CorpusSpec) -> Measure:
        """`check` of the whole corpus with `.spendgate-cache/` deleted first (on `main`)."""
        name = f"check {spec.name} cold"
        if name not in self.measures:
            root = self.corpus(spec).root
            on_main(root)
            measure = Measure(name, self.check_command(spec), (0, 1))
            for _ in range(self.runs):
                shutil.rmtree(root / ".spendgate-cache", ignore_errors=True)
                measure.add(check(run_once(measure.command, TAIL), name, measure.exit_codes))
            self.remember(measure)
        return self.measures[name]

    def decide_stage(self, spec: CorpusSpec) -> Stage:
        """The in-process policy stage (bench/decide_stage.py), `runs` times in one process."""
        if spec.name not in self.stages:
            root = self.corpus(spec).root
            on_main(root)
            script = str(BENCH_DIR / "decide_stage.py")
            command = [sys.executable, script, str(root), "--runs", str(self.runs), *as_of()]
            run = check(run_once(command, TAIL), "decide stage")
            found = json.loads(run.stdout.strip().splitlines()[-1])
            stage = Stage(
                load_s=found["load_s"],
                setup_s=found["setup_s"],
                decide_s=found["decide_s"],
                decisions=found["decisions"],
                peak_rss_mib=run.peak_rss_mib,
            )
            self.stages[spec.name] = stage
            print(
                f"  decide stage {spec.name}: {stage.decisions} decisions, deciding median "
                f"{statistics.median(stage.decide_s):.3f} s, peak RSS {stage.peak_rss_mib:.0f} MiB",
                flush=True,
            )
        return self.stages[spec.name]

    def pull_request(self, spec: CorpusSpec, cold_runs: int) -> tuple[Measure, Measure]:
        """`check --base main` on a branch editing one request: cold cache, then warm."""
        cold_name, warm_name = f"check --base {spec.name} cold", f"check --base {spec.name} warm"
        have = self.measures.get(cold_name)
        if have is None or len(have.samples) < cold_runs:
            root = self.corpus(spec).root
            commit_corpus(root)
            print(f"  the branch changes {prepare_repository(root)}", flush=True)
            cold, warm, _ = measure_pull_request(root, self.runs, cold_runs)
            cold.name, warm.name = cold_name, warm_name
            self.remember(cold, warm)
        return self.measures[cold_name], self.measures[warm_name]

    def audit(self, spec: CorpusSpec) -> tuple[Measure, Measure, Measure]:
        """Per run: a first `audit record` into an empty log, one again, then `audit render`."""
        names = (f"audit record {spec.name}", f"audit record again {spec.name}")
        render_name = f"audit render {spec.name}"
        if render_name not in self.measures:
            root = self.corpus(spec).root
            on_main(root)
            log = self.directory / f"audit-{spec.name}.jsonl"
            record = [*spendgate_command(), "audit", "record", str(root), *as_of()]
            record += ["--log", str(log)]
            first, again = Measure(names[0], record), Measure(names[1], record)
            render = Measure(render_name, [*spendgate_command(), "audit", "render", str(root)])
            for _ in range(self.runs):
                log.unlink(missing_ok=True)
                shutil.rmtree(root / ".spendgate-cache", ignore_errors=True)  # record reuses it
                first.add(check(run_once(record, TAIL), names[0]))
                again.add(check(run_once(record, TAIL), names[1]))
                with tempfile.TemporaryDirectory(prefix="spendgate-site-") as site:
                    command = [*render.command, "--out", site, "--log", str(log)]
                    render.add(check(run_once(command, TAIL), render_name))
            self.remember(first, again, render)
        return self.measures[names[0]], self.measures[names[1]], self.measures[render_name]

    def impact(self, spec: CorpusSpec) -> Measure:
        """`impact --base main` on a branch that raises the capitalisation threshold."""
        name = f"impact {spec.name}"
        if name not in self.measures:
            root = self.corpus(spec).root
            impact_branch(root)
            command = [*spendgate_command(), "impact", str(root), "--base", "main", *as_of()]
            measure = Measure(name, command)
            for _ in range(self.runs):
                measure.add(check(run_once(command, TAIL), name))
            self.remember(measure)
            on_main(root)
        return self.measures[name]


# --------------------------------------------------------------------------------------------
# The rows
# --------------------------------------------------------------------------------------------


def verdict(value: float, limit: float) -> bool:
    """Whether `value` meets a goal of at most `limit`."""
    return value <= limit


def ratio_row(
    key: str,
    work: str,
    measure: Measure,
    csafe: Measure,
    factor: float,
    baseline: tuple[str, float],
) -> Row:
    """A row whose goal is `measure` ≤ `factor` × a baseline (name, median seconds)."""
    name, seconds = baseline
    ratio = measure.median / seconds
    return Row(
        key,
        work,
        median=f"{measure.median:.3f} s",
        seconds=measure.median,
        vs_csafe=measure.median / csafe.median,
        goal=f"≤ {factor:g}× {name} ({seconds:.3f} s)",
        measured=f"{ratio:.2f}×",
        met=verdict(ratio, factor),
        peak_rss_mib=peak(measure),
    )


def row_1(bench: Bench) -> list[Row]:
    """Full check, cold, against the CSafeLoader parse of the same files."""
    spec = bench.main
    csafe = bench.csafe(spec)
    cold, _ = bench.check_pair(spec)
    work = f"check, {spec.name} requests, cold"
    row = ratio_row("1", work, cold, csafe, 0.55, (f"CSafeLoader {spec.name}", csafe.median))
    # Its own process: the runner must stay small, or every later child's peak RSS shows its own.
    command = [sys.executable, str(BENCH_DIR / "decisions.py"), str(bench.corpus(spec).root)]
    compared = run_once([*command, "--corpus", spec.name, *as_of()], TAIL)
    bench.decisions_differ |= compared.returncode != 0
    row.notes.append(f"row 1: {(compared.stdout or compared.stderr).strip()}")
    return [row]


def row_2(bench: Bench) -> list[Row]:
    """Full check run again with nothing changed (the second of two runs)."""
    spec = bench.main
    csafe = bench.csafe(spec)
    _, warm = bench.check_pair(spec)
    work = f"check, {spec.name}, nothing changed (2nd run)"
    return [ratio_row("2", work, warm, csafe, 0.2, (f"CSafeLoader {spec.name}", csafe.median))]


def row_3(bench: Bench) -> list[Row]:
    """The policy stage alone, in-process, in µs per decided request."""
    spec = bench.main
    csafe = bench.csafe(spec)
    stage = bench.decide_stage(spec)
    decide_s = statistics.median(stage.decide_s)
    per_request = decide_s / stage.decisions * 1e6
    csafe_per_file = csafe.median / bench.corpus(spec).files * 1e6
    row = Row(
        "3",
        f"policy stage, {spec.name}, reference library",
        median=f"{per_request:.0f} µs/req",
        seconds=decide_s,
        vs_csafe=per_request / csafe_per_file,
        goal="≤ 100 µs/request",
        measured=f"{per_request / 100:.2f}×",
        met=verdict(per_request, 100.0),
        peak_rss_mib=stage.peak_rss_mib,
    )
    row.notes.append(
        f"row 3: Engine.decide_all() of {stage.decisions} requests in one process, median "
        f"{decide_s:.3f} s; not included: engine set-up "
        f"{statistics.median(stage.setup_s):.3f} s, loading {stage.load_s:.3f} s. ×CSafe "
        f"is µs/request over CSafeLoader's µs/file ({csafe_per_file:.0f})"
    )
    return [row]


def row_4(bench: Bench, cold_runs: int) -> list[Row]:
    """PR check, warm cache, against a bare `import yaml`."""
    spec = bench.large
    csafe = bench.csafe(spec)
    baseline = bench.import_yaml()
    _, warm = bench.pull_request(spec, cold_runs)
    work = f"check --base, 1 changed, {spec.name}, warm"
    return [ratio_row("4", work, warm, csafe, 10, ("`import yaml`", baseline.median))]


def row_5(bench: Bench) -> list[Row]:
    """PR check with `.spendgate-cache/` deleted first."""
    spec = bench.large
    csafe = bench.csafe(spec)
    cold, _ = bench.pull_request(spec, bench.runs)
    row = Row(
        "5",
        f"check --base, 1 changed, {spec.name}, cold",
        median=f"{cold.median:.3f} s",
        seconds=cold.median,
        vs_csafe=cold.median / csafe.median,
        goal="≤ 10 s",
        measured=f"{cold.median / 10:.2f}×",
        met=verdict(cold.median, 10.0),
        peak_rss_mib=peak(cold),
    )
    return [row]


def row_6(bench: Bench) -> list[Row]:
    """Peak RSS of a full check of the large corpus."""
    spec = bench.large
    csafe = bench.csafe(spec)
    full = bench.full_check(spec)
    row = Row(
        "6",
        f"peak memory, check {spec.name}",
        median=f"{full.median:.3f} s",
        seconds=full.median,
        vs_csafe=full.median / csafe.median,
        goal="peak RSS ≤ 1 GiB",
        measured=f"{peak(full):.0f} MiB",
        met=verdict(peak(full), GIB_MIB),
        peak_rss_mib=peak(full),
    )
    return [row]


def row_7(bench: Bench) -> list[Row]:
    """Near-identical requests (one window, one a day) against 1,000 distinct ones."""
    distinct_spec = CorpusSpec(label(NEAR_IDENTICAL), NEAR_IDENTICAL)
    distinct = bench.full_check(distinct_spec)
    rows = []
    for key, layout, what in (("7a", "window", "one 30-day window"), ("7b", "spread", "one a day")):
        spec = CorpusSpec(f"{distinct_spec.name}-{layout}", NEAR_IDENTICAL, layout)
        csafe = bench.csafe(spec)
        measure = bench.full_check(spec)
        time_ratio = measure.median / distinct.median
        rss_ratio = peak(measure) / peak(distinct)
        rows.append(
            Row(
                key,
                f"check, {distinct_spec.name} near-identical, {what}",
                median=f"{measure.median:.3f} s",
                seconds=measure.median,
                vs_csafe=measure.median / csafe.median,
                goal=(
                    f"time, RSS ≤ 2× {distinct_spec.name} distinct "
                    f"({distinct.median:.3f} s, {peak(distinct):.0f} MiB)"
                ),
                measured=f"{time_ratio:.2f}×, {rss_ratio:.2f}×",
                met=verdict(time_ratio, 2.0) and verdict(rss_ratio, 2.0),
                peak_rss_mib=peak(measure),
            )
        )
    return rows


def row_8(bench: Bench) -> list[Row]:
    """`audit render` of every decision against the first `audit record`."""
    spec = bench.main
    csafe = bench.csafe(spec)
    first, _, render = bench.audit(spec)
    work = f"audit render, {spec.name} decisions"
    return [ratio_row("8", work, render, csafe, 1, ("first audit record", first.median))]


def row_9(bench: Bench) -> list[Row]:
    """`audit record` again with nothing new against the first `audit record`."""
    spec = bench.main
    csafe = bench.csafe(spec)
    first, again, _ = bench.audit(spec)
    work = f"audit record again, {spec.name}, nothing new"
    return [ratio_row("9", work, again, csafe, 0.2, ("first audit record", first.median))]


def row_10(bench: Bench) -> list[Row]:
    """`impact` of a threshold change against a full check of the same corpus."""
    spec = bench.large
    csafe = bench.csafe(spec)
    full = bench.full_check(spec)
    impact = bench.impact(spec)
    work = f"impact (threshold change), {spec.name}"
    return [ratio_row("10", work, impact, csafe, 2, (f"check {spec.name}", full.median))]


WORK: dict[int, str] = {
    1: "check, main size, cold",
    2: "check, main size, nothing changed",
    3: "policy stage per request",
    4: "PR check, large size, warm cache",
    5: "PR check, large size, cold cache",
    6: "peak memory, check of the large size",
    7: "near-identical requests",
    8: "audit render",
    9: "audit record, nothing new",
    10: "impact, large size",
}


def measure_row(bench: Bench, number: int, only: set[int]) -> list[Row]:
    """The rows of table row `number`; a row that fails reports its error instead."""
    cold_runs = bench.runs if 5 in only else 1
    table: dict[int, Callable[[Bench], list[Row]]] = {
        1: row_1,
        2: row_2,
        3: row_3,
        4: lambda b: row_4(b, cold_runs),
        5: row_5,
        6: row_6,
        7: row_7,
        8: row_8,
        9: row_9,
        10: row_10,
    }
    print(f"row {number}: {WORK[number]}", flush=True)
    stamp = source_stamp()
    try:
        rows = table[number](bench)
        if source_stamp() != stamp:
            bench.notes.append(
                f"row {number}: spendgate's own files changed while it was measured, which makes "
                "check's warm path cold: a figure that relies on it may be a cold run"
            )
        return rows
    except (SystemExit, Exception) as error:
        text = str(error)
        if isinstance(error, subprocess.CalledProcessError):
            text = f"{error.cmd[:3]} exited {error.returncode}: {error.stderr}"
        message = text.strip().splitlines()
        print(f"  row {number} failed: {text[-2000:]}", flush=True)
        return [Row(str(number), WORK[number], error=message[0] if message else repr(error))]


# --------------------------------------------------------------------------------------------
# Printing
# --------------------------------------------------------------------------------------------

COLUMNS = (
    ("row", 4, "<"),
    ("work", 42, "<"),
    ("median", 12, ">"),
    ("×CSafe", 7, ">"),
    ("goal", 46, "<"),
    ("measured", 12, ">"),
    ("met", 4, ">"),
    ("peak RSS", 9, ">"),
)


def cells(row: Row) -> tuple[str, ...]:
    """The printed cells of a row."""
    if row.error is not None:
        return (row.key, row.work, "—", "—", f"error: {row.error}"[:46], "—", "—", "—")
    met = "—" if row.met is None else "yes" if row.met else "no"
    vs_csafe = "—" if row.vs_csafe is None else f"{row.vs_csafe:.2f}×"
    rss = "—" if row.peak_rss_mib is None else f"{row.peak_rss_mib:.0f} MiB"
    return (row.key, row.work, row.median, vs_csafe, row.goal, row.measured, met, rss)


def render(rows: list[Row], bench: Bench) -> str:
    """The table, the baselines measured in this run, and the notes."""
    header = "  ".join(f"{name:{align}{width}}" for name, width, align in COLUMNS)
    lines = [header, "-" * len(header)]
    for row in rows:
        lines.append(
            "  ".join(
                f"{cell:{align}{width}}"
                for cell, (_, width, align) in zip(cells(row), COLUMNS, strict=True)
            )
        )
    lines += ["", "baselines measured in this run (median):"]
    for name, measure in bench.measures.items():
        if name.startswith(("CSafeLoader", "python -c")):
            lines.append(f"  {name}: {measure.median:.3f} s")
    lines += ["", "corpora:"]
    for name, corpus in bench.corpora.items():
        lines.append(f"  {name}: {corpus.files} files, {corpus.bytes / 1e6:.1f} MB")
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    lines += [
        "",
        "peak RSS: the child's ru_maxrss from os.wait4, median over runs; of check's forked",
        "worker and its parent the larger peak counts, not their sum. A child started by this",
        f"runner cannot show less than the runner's own peak, {own:.0f} MiB (vfork + exec).",
    ]
    notes = bench.notes + [note for row in rows for note in row.notes]
    return "\n".join(lines + ([""] if notes else []) + notes)


def figures(rows: list[Row], bench: Bench, args: argparse.Namespace) -> dict[str, object]:
    """Everything measured, for --json."""
    version = run_once([*spendgate_command(), "--version"]).stdout.strip()
    return {
        "environment": environment(version),
        "sizes": args.sizes,
        "runs": args.runs,
        "rows": [asdict(row) for row in rows],
        "measures": {name: m.summary(0) for name, m in bench.measures.items()},
        "decide_stage": {name: asdict(stage) for name, stage in bench.stages.items()},
        "corpora": {
            name: {"root": str(c.root), "files": c.files, "bytes": c.bytes}
            for name, c in bench.corpora.items()
        },
    }


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------


def parse_only(text: str) -> set[int]:
    """`1,2,7` as a set of row numbers."""
    try:
        chosen = {int(part) for part in text.split(",") if part.strip()}
    except ValueError as error:
        raise argparse.ArgumentTypeError(f"not a list of row numbers: {text}") from error
    if not chosen or not chosen <= set(ROWS):
        raise argparse.ArgumentTypeError(f"rows are 1 to {ROWS[-1]}: {text}")
    return chosen


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """The command line."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument(
        "--sizes",
        choices=sorted(SIZES),
        default="full",
        help="full: 10k and 100k requests (the issue's); small: 1k and 10k (default full)",
    )
    parser.add_argument("--runs", type=int, default=3, help="runs per measure (median)")
    parser.add_argument("--keep", type=Path, help="directory for the corpora, kept and reused")
    parser.add_argument("--only", type=parse_only, default=set(ROWS), help="rows, e.g. 1,2,7")
    parser.add_argument("--seed", type=int, default=7, help="generator seed (default 7)")
    parser.add_argument("--json", type=Path, help="also write every figure to this JSON file")
    args = parser.parse_args(argv)
    if args.runs < 1:
        parser.error("--runs must be at least 1")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Measure the chosen rows and print the table."""
    args = parse_args(argv)
    rows: list[Row] = []
    with work_dir(args.keep) as directory:
        bench = Bench(directory, SIZES[args.sizes], args.runs, args.seed)
        for number in sorted(args.only):
            rows.extend(measure_row(bench, number, args.only))
        print()
        print(render(rows, bench))
        if args.json is not None:
            payload = figures(rows, bench, args)
            args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
            print(f"\nfigures written to {args.json}")
    return 1 if bench.decisions_differ else 0


if __name__ == "__main__":
    sys.exit(main())
