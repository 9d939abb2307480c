"""The files of a tree at a revision: listed, read in one batch, or written out to a folder.

For readers of documents as they were at a commit (a pull request's base, an audited decision):
`list_files` and `read_blobs` read a tree without checking it out, `export_tree` writes one into
a scratch folder, `file_at` reads one file, and `available_blobs` serves readers with other
places to look. A blob git does not have is a GitError, never a missing document.
"""

from __future__ import annotations

import re
from pathlib import Path

from spendgate.errors import GitError
from spendgate.vcs.repository import commit_id, is_repository
from spendgate.vcs.runner import git, git_bytes

_OBJECT_ID = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")


def export_tree(
    root: Path,
    revision: str,
    target: Path,
    paths: tuple[str, ...] = (".",),
    *,
    timeout: float = 600,
) -> bool:
    """Write the regular files under `paths` (relative to `root`) as they were at `revision` into
    `target`. False when `revision` names no commit; GitError when git cannot read it. Paths
    absent at `revision` are left out."""
    if commit_id(root, revision) is None:
        return False
    listing = list_files(root, revision, paths, timeout=timeout)
    contents = read_blobs(root, sorted({blob for _, blob in listing}), timeout=timeout)
    for path, blob in listing:
        destination = target / path
        destination.parent.mkdir(parents=True, exist_ok=True)
        destination.write_bytes(contents[blob])
    return True


def tree_id(root: Path, revision: str, *, timeout: float = 30) -> str:
    """The id of the tree `root` has at `revision`: the same id means the same content.
    GitError when git cannot read it."""
    return git(root, "rev-parse", f"{revision}:./", timeout=timeout)


def list_files(
    root: Path, revision: str, paths: tuple[str, ...], *, timeout: float = 120
) -> list[tuple[str, str]]:
    """(path, blob id) of every regular file under `paths` at `revision`, relative to `root`.
    GitError when git cannot read the revision."""
    existing = [path for path in paths if path]
    if not existing:
        return []
    output = git_bytes(root, "ls-tree", "-r", "-z", revision, "--", *existing, timeout=timeout)
    found = []
    for record in output.split(b"\0"):
        header, _, path = record.partition(b"\t")
        mode, kind, blob = (header.split(b" ") + [b"", b""])[:3]
        if kind == b"blob" and mode in (b"100644", b"100755"):
            found.append((path.decode("utf-8", "surrogateescape"), blob.decode()))
    return found


def read_blobs(root: Path, blobs: list[str], *, timeout: float = 600) -> dict[str, bytes]:
    """The contents of the given blobs, read in one `git cat-file --batch`. GitError naming the
    blobs git does not have: a damaged clone is never read as fewer documents."""
    contents, missing = _cat_file(root, blobs, timeout=timeout)
    if missing:
        shown = ", ".join(missing[:5]) + (f" and {len(missing) - 5} more" if missing[5:] else "")
        raise GitError(("git", "cat-file", "--batch"), f"not in the repository: {shown}")
    return contents


def available_blobs(root: Path, blobs: list[str], *, timeout: float = 600) -> dict[str, bytes]:
    """Those of `blobs` (object ids) the repository at `root` has, and their contents; none
    outside git. For readers that have other places to look, such as the audit site."""
    wanted = [blob for blob in blobs if _OBJECT_ID.fullmatch(blob)]
    if not wanted or not is_repository(root):
        return {}
    return _cat_file(root, wanted, timeout=timeout)[0]


def _cat_file(
    root: Path, blobs: list[str], *, timeout: float
) -> tuple[dict[str, bytes], list[str]]:
    """(contents by blob id, the blobs git reports missing) from one `git cat-file --batch`."""
    if not blobs:
        return {}, []
    stdin = ("\n".join(blobs) + "\n").encode()
    view = git_bytes(root, "cat-file", "--batch", stdin=stdin, timeout=timeout)
    contents: dict[str, bytes] = {}
    missing: list[str] = []
    offset = 0
    while offset < len(view):
        end = view.index(b"\n", offset)
        header = view[offset:end]
        offset = end + 1
        name, _, verdict = header.rpartition(b" ")
        if verdict in (b"missing", b"ambiguous"):
            missing.append(name.decode("utf-8", "replace"))
            continue
        blob, size = name.partition(b" ")[0], int(verdict)  # "<blob> <type> <size>"
        contents[blob.decode()] = view[offset : offset + size]
        offset += size + 1
    return contents, missing


def file_at(root: Path, revision: str, path: str, *, timeout: float = 120) -> bytes | None:
    """The bytes of the file `path` (relative to `root`) at `revision`, or None when that
    revision has no file there. GitError when git cannot read `revision` (a missing ref, a
    damaged repository, a timeout), or when `path` is there but is not a regular file."""
    commit = git(root, "rev-parse", "--verify", "--end-of-options", f"{revision}^{{commit}}")
    listing = git_bytes(root, "ls-tree", "-z", commit, "--", path, timeout=timeout)
    for entry in listing.split(b"\0"):
        header, _, name = entry.partition(b"\t")
        if name.decode("utf-8", "surrogateescape") != path:
            continue
        mode, kind, blob = (header.split(b" ") + [b"", b""])[:3]
        if kind != b"blob" or mode not in (b"100644", b"100755"):
            raise GitError(("git", "ls-tree", commit), f"{path} is not a regular file")
        return read_blobs(root, [blob.decode()], timeout=timeout)[blob.decode()]
    return None
