"""`audit record`: decide every request at HEAD and log the new or changed decisions, reusing
the warm check (`app.check`) when nothing changed since the last check of the same date.

The kept JSON report holds each decision exactly as the log does (`check --format json` and the
log write the same `decision_json`), so a record made from it is the record deciding again would
make. When the configuration does not load, the problems are reported by deciding in full.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import orjson

from spendgate.app.check import check_tree
from spendgate.audit.record import Recorded, committed_head, record_decided, record_decisions


def record_head(root: Path, *, as_of: date, log: Path) -> Recorded:
    """Append the new or changed decisions of the repository at `root` (clean, at HEAD) to the
    log at `log`, as of `as_of`."""
    commit = committed_head(root)
    run = check_tree(root, as_of=as_of, reviews=None, author_login=None, formats=["json"])
    if run.gate.has_configuration_errors:
        return record_decisions(root, as_of=as_of, log=log)
    decisions: list[dict[str, Any]] = orjson.loads(run.outputs["json"])["decisions"]
    return record_decided(decisions, commit=commit, log=log)
