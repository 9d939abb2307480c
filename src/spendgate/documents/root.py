"""Where a governance repository starts: the folder with `spendgate.yaml`, found from anywhere
inside it as git finds its top level.

Light on purpose (no models): the command line uses it before it knows what it will load.
"""

from __future__ import annotations

from pathlib import Path

#: The configuration file that marks a governance repository's top folder.
CONFIG_FILE = "spendgate.yaml"


def governance_root(start: Path) -> Path | None:
    """The top folder of the governance repository `start` lies in: `start` itself or the
    nearest folder above it holding a `spendgate.yaml`, never beyond the top of the git work
    tree it is in. None when there is none."""
    here = start.resolve()
    if not here.is_dir():
        here = here.parent
    for folder in (here, *here.parents):
        if (folder / CONFIG_FILE).is_file():
            return folder
        if (folder / ".git").exists():
            return None
    return None
