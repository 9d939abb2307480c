"""Time read+parse of every corpus file, per loader; median of 5 runs.

Usage: python bench.py [CORPUS_DIR] [RUNS]  -> prints a markdown table and
writes bench_results.json next to this file.
"""
import glob
import json
import os
import statistics
import sys
import time

import yaml

import loaders

CORPUS = sys.argv[1] if len(sys.argv) > 1 else "/tmp/loader_corpus"
RUNS = int(sys.argv[2]) if len(sys.argv) > 2 else 5
FILES = sorted(glob.glob(os.path.join(CORPUS, "*.yaml")))
N = len(FILES)


def read(p):
    with open(p, encoding="utf-8") as f:
        return f.read()


def time_per_file(fn):
    runs = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        for p in FILES:
            fn(read(p))
        runs.append((time.perf_counter() - t0) / N * 1e6)
    return runs


def time_batch(fn):
    """fn receives the list of all texts (read inside the timed region)."""
    runs = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        fn([read(p) for p in FILES])
        runs.append((time.perf_counter() - t0) / N * 1e6)
    return runs


def main():
    rows = []  # (name, kind, runs)
    rows.append(("read only (open+read, no parse)", "reference", time_per_file(lambda t: None)))
    rows.append(("libyaml raw events: yaml.parse(CSafeLoader)", "baseline", time_per_file(loaders.pyyaml_events)))
    rows.append(("libyaml compose: yaml.compose(CSafeLoader) (node tree + marks)", "baseline", time_per_file(loaders.pyyaml_compose)))
    for name, fn in loaders.LOADERS.items():
        kind = "baseline" if name.startswith("pyyaml") else "candidate"
        rows.append((name, kind, time_per_file(fn)))
    # variants
    if "yaml-rs (yaml_rs.loads)" in loaders.LOADERS:
        import yaml_rs
        rows.append(("yaml-rs loads(parse_datetime=False)", "variant",
                     time_per_file(lambda t: yaml_rs.loads(t, parse_datetime=False))))
    if "rustyyaml (rustyyaml.safe_load)" in loaders.LOADERS:
        from rustyyaml import rustyyaml as native
        import rustyyaml
        rows.append(("rustyyaml native safe_load (no py wrapper)", "variant", time_per_file(native.safe_load)))
        rows.append(("rustyyaml.safe_load_many (batch, threads on 2 cores)", "variant",
                     time_batch(rustyyaml.safe_load_many)))
    if "rapidyaml (ryml.parse_in_arena + py walker)" in loaders.LOADERS:
        rows.append(("rapidyaml parse only (tree, no dict)", "variant", time_per_file(loaders.ryml_parse_only)))

    out = []
    print(f"{N} files, {RUNS} runs each, per-document microseconds (read+parse)\n")
    print("| loader | kind | median µs/doc | min | max |")
    print("|---|---|---:|---:|---:|")
    for name, kind, runs in rows:
        med = statistics.median(runs)
        print(f"| {name} | {kind} | {med:.1f} | {min(runs):.1f} | {max(runs):.1f} |")
        out.append({"name": name, "kind": kind, "median_us": med, "runs_us": runs})
    with open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "bench_results.json"), "w") as f:
        json.dump({"n_files": N, "runs": RUNS, "results": out}, f, indent=1)


if __name__ == "__main__":
    main()
