"""Everything that talks to git, in one place (subprocess `git`, nothing else)."""

from __future__ import annotations

import subprocess
from pathlib import Path


def _git(root: Path, *arguments: str) -> str | None:
    """The output of a git command in `root`, or None when git or the repository is missing."""
    try:
        result = subprocess.run(
            ["git", *arguments],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=30,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout.strip() if result.returncode == 0 else None


def user_email(root: Path) -> str | None:
    """The email git would author commits with in `root` (`git config user.email`)."""
    return _git(root, "config", "user.email") or None
