"""The cache folder, `.spendgate-cache/`: what makes it safe to keep beside a repository.

Every cache of spendgate (the catalogue's summaries, the kept checks) lives below it, per
spendgate version. It ignores itself in git (its own `.gitignore`) and carries a `CACHEDIR.TAG`,
so that backup tools skip it; deleting it only makes the next run slower.
"""

from __future__ import annotations

from pathlib import Path

CACHE_DIR = ".spendgate-cache"


def prepare(cache: Path, directory: Path) -> None:
    """Create `directory` inside the cache folder `cache`, which ignores itself in git."""
    directory.mkdir(parents=True, exist_ok=True)
    ignore = cache / ".gitignore"
    if not ignore.exists():
        ignore.write_text("# Written by spendgate: the cache is never committed.\n*\n")
    tag = cache / "CACHEDIR.TAG"
    if not tag.exists():
        tag.write_text(
            "Signature: 8a477f597d28d172789f06886806bc55\n"
            "# spendgate's cache (document summaries, kept checks); safe to delete.\n"
        )
