"""Are the decisions on a generated corpus still what they were? One digest says.

    python bench/decisions.py ROOT --corpus 10k [--record | --expect] [--file FILE]

Runs `spendgate check ROOT --format json` in a fresh process and reduces its decisions to one
SHA-256: each decision's JSON with sorted keys, one per line, in the report's order. The
spendgate version is left out of each decision's inputs (a release alone changes nothing a
request is decided on); everything else is in: status, classification, route, every finding's
message, location and evidence, the files read and their blob ids.

`--record` keeps the digest, the number of decisions per status and a digest of generate.py
(the corpus is generated, so a different generator is a different corpus) under `--corpus` in
bench/expected/decisions.json; `--expect` compares against what was kept and exits 1, printing
both, when the decisions differ. Speed work must leave it unchanged; a change that means to
decide differently records it again and says why in its commit.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
from collections import Counter
from collections.abc import Sequence
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
sys.path.insert(0, str(BENCH_DIR))

from bench_validate import spendgate_command  # noqa: E402
from generate import AS_OF  # noqa: E402

EXPECTED = BENCH_DIR / "expected" / "decisions.json"


def decisions_of(root: Path, as_of: str) -> list[dict[str, Any]]:
    """The decisions `spendgate check ROOT --format json` reports (exit 0 or 1)."""
    command = [*spendgate_command(), "check", str(root), "--as-of", as_of, "--format", "json"]
    run = subprocess.run(command, capture_output=True, text=True, check=False)
    if run.returncode not in (0, 1):
        raise SystemExit(f"{' '.join(command)} exited {run.returncode}: {run.stderr[-2000:]}")
    found: list[dict[str, Any]] = json.loads(run.stdout)["decisions"]
    return found


def summary(decisions: list[dict[str, Any]]) -> dict[str, Any]:
    """The digest of `decisions` and how many there are of each status."""
    digest = hashlib.sha256()
    for decision in decisions:
        inputs = dict(decision.get("inputs") or {})
        inputs.pop("spendgate_version", None)
        line = json.dumps({**decision, "inputs": inputs}, sort_keys=True, ensure_ascii=False)
        digest.update(line.encode("utf-8") + b"\n")
    statuses = Counter(str(decision.get("status")) for decision in decisions)
    return {
        "decisions": len(decisions),
        "statuses": dict(sorted(statuses.items())),
        "sha256": digest.hexdigest(),
        "generator_sha256": hashlib.sha256((BENCH_DIR / "generate.py").read_bytes()).hexdigest(),
    }


def compare(found: dict[str, Any], kept: dict[str, Any] | None) -> tuple[bool, str]:
    """Whether `found` is what was kept, and a line saying so (or what differs)."""
    if kept is None:
        return False, "no decisions recorded for this corpus (run with --record)"
    if kept["generator_sha256"] != found["generator_sha256"]:
        return False, "generate.py changed since the decisions were recorded: record them again"
    if kept["sha256"] == found["sha256"]:
        return True, f"identical to the recorded decisions ({found['decisions']}, sha256 "
    return False, (
        f"the decisions DIFFER from those recorded: {kept['decisions']} {kept['statuses']} "
        f"then, {found['decisions']} {found['statuses']} now"
    )


def verdict(root: Path, corpus: str, as_of: str, file: Path = EXPECTED) -> tuple[bool, str]:
    """Decide the corpus at `root` and compare with what `file` keeps under `corpus`."""
    kept = json.loads(file.read_text(encoding="utf-8")) if file.is_file() else {}
    found = summary(decisions_of(root, as_of))
    same, text = compare(found, kept.get(corpus))
    if same:
        text += f"{found['sha256'][:16]}…)"
    return same, f"decisions of {corpus}: {text}"


def record(root: Path, corpus: str, as_of: str, file: Path = EXPECTED) -> dict[str, Any]:
    """Decide the corpus at `root` and keep its summary under `corpus` in `file`."""
    kept = json.loads(file.read_text(encoding="utf-8")) if file.is_file() else {}
    kept[corpus] = {"as_of": as_of, **summary(decisions_of(root, as_of))}
    file.parent.mkdir(parents=True, exist_ok=True)
    file.write_text(json.dumps(kept, indent=2, sort_keys=True) + "\n", encoding="utf-8")
    found: dict[str, Any] = kept[corpus]
    return found


def main(argv: Sequence[str] | None = None) -> int:
    """Record or compare; exit 1 when the decisions differ from those recorded."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("root", type=Path)
    parser.add_argument("--corpus", required=True, help="the name it is kept under, e.g. 10k")
    parser.add_argument("--as-of", default=AS_OF.isoformat())
    parser.add_argument("--file", type=Path, default=EXPECTED)
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--record", action="store_true", help="keep these decisions' digest")
    mode.add_argument("--expect", action="store_true", help="compare (the default)")
    args = parser.parse_args(argv)
    if args.record:
        print(json.dumps(record(args.root, args.corpus, args.as_of, args.file), indent=2))
        return 0
    same, text = verdict(args.root, args.corpus, args.as_of, args.file)
    print(text)
    return 0 if same else 1


if __name__ == "__main__":
    sys.exit(main())
