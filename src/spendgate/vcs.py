"""Everything that talks to git, in one place (subprocess `git`, nothing else)."""

from __future__ import annotations

import subprocess
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Commit:
    """Who made a commit, and what git says of its signature."""

    sha: str
    author_email: str
    signature: str
    """git's %G? code: G good, B bad, U good but unknown validity, N none, and so on."""
    signer: str
    fingerprint: str = ""
    """The fingerprint of the signing key (GPG), as git reports it."""


def is_repository(root: Path) -> bool:
    return _git(root, "rev-parse", "--is-inside-work-tree") == "true"


def additions(
    root: Path, directory: str, *, allowed_signers: Path | None = None
) -> dict[str, Commit]:
    """For every file under `directory` (relative to `root`), the latest commit that added it.

    One `git log` for the whole directory. SSH signatures are checked against
    `allowed_signers` (git's own verification: `gpg.ssh.allowedSignersFile`).
    """
    options = ["-c", f"gpg.ssh.allowedSignersFile={allowed_signers}"] if allowed_signers else []
    output = _git(
        root,
        *options,
        "log",
        "--diff-filter=A",
        "--relative",
        "--name-only",
        "--format=%x00%H%x1f%ae%x1f%G?%x1f%GS%x1f%GF",
        "--",
        directory,
    )
    found: dict[str, Commit] = {}
    for record in (output or "").split("\0")[1:]:
        header, _, names = record.partition("\n")
        sha, email, signature, signer, fingerprint = (header.split("\x1f") + [""] * 5)[:5]
        commit = Commit(sha, email.lower(), signature, signer, fingerprint)
        for name in names.split("\n"):
            if name.strip():
                found.setdefault(name.strip(), commit)
    return found


def head(root: Path) -> str | None:
    """The commit checked out in `root`, or None outside git."""
    return _git(root, "rev-parse", "HEAD")


@dataclass(frozen=True)
class Change:
    """A path a pull request changes: A added, M modified, D deleted, R renamed (from `old`)."""

    status: str
    path: str
    old: str | None = None


def merge_base(root: Path, base: str, head: str = "HEAD") -> str | None:
    return _git(root, "merge-base", base, head)


def changes(root: Path, since: str, head: str = "HEAD") -> list[Change]:
    """What changed under `root` between the commits `since` and `head` (paths relative to root)."""
    output = _git(root, "diff", "--name-status", "-M", "--relative", since, head, "--", ".")
    found = []
    for line in (output or "").splitlines():
        parts = line.split("\t")
        status = parts[0][:1]
        if status == "R" and len(parts) == 3:
            found.append(Change("R", parts[2], parts[1]))
        elif len(parts) == 2:
            found.append(Change(status, parts[1]))
    return found


def export_tree(root: Path, revision: str, target: Path, paths: tuple[str, ...] = (".",)) -> bool:
    """Write `paths` under `root` as they were at `revision` into `target`; False on failure.

    Run from a subdirectory, `git archive` writes paths relative to it, as wanted here. Paths
    that did not exist at `revision` are left out.
    """
    if not is_repository(root):
        return False
    existing = [
        path for path in paths if _git(root, "cat-file", "-e", f"{revision}:./{path}") is not None
    ]
    if not existing:
        return True
    target.mkdir(parents=True, exist_ok=True)
    try:
        archive = subprocess.run(
            ["git", "archive", "--format=tar", revision, "--", *existing],
            cwd=root,
            capture_output=True,
            timeout=120,
            check=False,
        )
        if archive.returncode != 0:
            return False
        unpack = subprocess.run(
            ["tar", "-x", "-C", str(target)],
            input=archive.stdout,
            capture_output=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return False
    return unpack.returncode == 0
