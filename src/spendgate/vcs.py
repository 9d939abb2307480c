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
    """Write the regular files under `paths` (relative to `root`) as they were at `revision` into
    `target`; False when the revision cannot be read. Paths absent at `revision` are left out."""
    if _git(root, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}") is None:
        return False
    listing = list_files(root, revision, paths)
    contents = read_blobs(root, sorted({blob for _, blob in listing}))
    for path, blob in listing:
        if blob not in contents:
            return False
        destination = target / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(contents[blob])
    return True


def tree_id(root: Path, revision: str) -> str | None:
    """The id of the tree `root` has at `revision`: the same id means the same content."""
    return _git(root, "rev-parse", f"{revision}:./")


def list_files(root: Path, revision: str, paths: tuple[str, ...]) -> list[tuple[str, str]]:
    """(path, blob id) of every regular file under `paths` at `revision`, relative to `root`."""
    existing = [path for path in paths if path]
    if not existing:
        return []
    output = _git_bytes(root, "ls-tree", "-r", "-z", revision, "--", *existing)
    found = []
    for record in (output or b"").split(b"\0"):
        header, _, path = record.partition(b"\t")
        mode, kind, blob = (header.split(b" ") + [b"", b""])[:3]
        if kind == b"blob" and mode in (b"100644", b"100755"):
            found.append((path.decode("utf-8", "surrogateescape"), blob.decode()))
    return found


def read_blobs(root: Path, blobs: list[str]) -> dict[str, bytes]:
    """The contents of the given blobs, read in one `git cat-file --batch`."""
    if not blobs:
        return {}
    output = _git_bytes(root, "cat-file", "--batch", stdin="\n".join(blobs) + "\n", timeout=600)
    contents: dict[str, bytes] = {}
    view = output or b""
    offset = 0
    while offset < len(view):
        end = view.index(b"\n", offset)
        header = view[offset:end].split(b" ")
        offset = end + 1
        if len(header) != 3:  # "<blob> missing"
            continue
        size = int(header[2])
        contents[header[0].decode()] = view[offset : offset + size]
        offset += size + 1
    return contents


def is_tracked(root: Path, path: str) -> bool:
    """True when git tracks anything at or under `path` (relative to `root`)."""
    return bool(_git(root, "ls-files", "--", path))


def _git_bytes(
    root: Path, *arguments: str, stdin: str | None = None, timeout: float = 120
) -> bytes | None:
    try:
        result = subprocess.run(
            ["git", *arguments],
            cwd=root,
            input=stdin.encode() if stdin is not None else None,
            capture_output=True,
            timeout=timeout,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired):
        return None
    return result.stdout if result.returncode == 0 else None
