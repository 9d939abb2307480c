"""Reference loaders for the benchmark: what reading the same corpus costs with PyYAML alone.

    python bench/yaml_baseline.py --mode raw DIR    # libyaml's raw event parse, no objects
    python bench/yaml_baseline.py --mode load DIR   # PyYAML's C loader, building Python objects

Reads every `.yaml` file under DIR (sorted, as UTF-8) and prints how many it read. Run as its
own process by `bench_validate.py`, so interpreter start-up and `import yaml` count as they do
for `spendgate validate`.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

import yaml


def yaml_files(root: Path) -> Iterator[Path]:
    """Every `.yaml`/`.yml` file under `root`, in a stable order."""
    for directory, subdirectories, files in os.walk(root):
        subdirectories.sort()
        here = Path(directory)
        for name in sorted(files):
            if name.endswith((".yaml", ".yml")):
                yield here / name


def parse_raw(text: str) -> None:
    """libyaml scans and parses the text into events; no Python objects are constructed."""
    for _event in yaml.parse(text, Loader=yaml.CSafeLoader):
        pass


def load_objects(text: str) -> None:
    """PyYAML's C-accelerated safe loader: events composed into nodes, then Python objects."""
    yaml.load(text, Loader=yaml.CSafeLoader)


MODES = {"raw": parse_raw, "load": load_objects}


def run(root: Path, mode: str) -> int:
    handle = MODES[mode]
    count = 0
    for path in yaml_files(root):
        handle(path.read_bytes().decode("utf-8"))
        count += 1
    return count


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Parse a corpus with PyYAML/libyaml only.")
    parser.add_argument("--mode", choices=sorted(MODES), required=True)
    parser.add_argument("root", type=Path)
    args = parser.parse_args(argv)
    if not getattr(yaml, "__with_libyaml__", False):
        print("PyYAML was built without libyaml; the C loader is unavailable", file=sys.stderr)
        return 2
    print(run(args.root, args.mode))
    return 0


if __name__ == "__main__":
    sys.exit(main())
