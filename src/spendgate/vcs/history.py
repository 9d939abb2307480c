"""The history of files and commits: who last changed a record, and how a path came to be.

What vouches for a record (`last_commits`, with git's verdict on each signature), what the audit
site lists beside a decision (`file_histories` for many files with one `git log`, `file_history`
for one), every commit under some paths (`path_log`), which commits exist and are still in a
branch's history, and a scratch repository whose history ends at a given commit (`history_at`).
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice
from pathlib import Path

from spendgate.errors import GitError
from spendgate.vcs.repository import commit_id, head
from spendgate.vcs.runner import git, git_bytes


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
    authored_on: str = ""
    """The author date (YYYY-MM-DD, in the author's own time zone)."""


def last_commits(
    root: Path, directories: tuple[str, ...], *, allowed_signers: Path | None = None
) -> dict[str, Commit]:
    """For every file under `directories` (relative to `root`), the last commit that touched it:
    the one that gave the file its current content, which is what vouches for a record.

    One `git log` for all the directories. SSH signatures are checked against
    `allowed_signers` (git's own verification: `gpg.ssh.allowedSignersFile`). Empty outside a
    repository or before its first commit; GitError when git log fails in a repository.
    """
    wanted = [directory for directory in directories if directory]
    if not wanted or head(root) is None:  # no commit vouches for anything yet
        return {}
    options = ["-c", f"gpg.ssh.allowedSignersFile={allowed_signers}"] if allowed_signers else []
    output = git_bytes(
        root,
        *options,
        *("log", "--no-renames", "--relative", "--name-status", "-z"),
        # git's own fields first; the author's email and the signer, which the committer can
        # shape, last, so that no separator they hide in them can shift another field.
        "--format=commit%x1f%H%x1f%G?%x1f%GF%x1f%aI%x1f%ae%x1f%GS",
        "--",
        *wanted,
        timeout=600,
    )
    found: dict[str, Commit] = {}
    commit: Commit | None = None
    pending_status = False
    for token in output.decode("utf-8", "surrogateescape").split("\0"):
        if pending_status:
            if commit is not None:
                found.setdefault(token, commit)
            pending_status = False
        elif token.startswith("commit\x1f"):
            commit = _logged_commit(token)
        elif token.strip():
            pending_status = True
    return found


def _logged_commit(header: str) -> Commit:
    """A `commit<US>sha<US>G?<US>GF<US>aI<US>ae<US>GS` header (US: the unit separator)."""
    _, sha, signature, fingerprint, authored, rest = (header.split("\x1f", 5) + [""] * 6)[:6]
    email, _, signer = rest.rpartition("\x1f")
    return Commit(sha, email.lower(), signature, signer, fingerprint, authored[:10])


@dataclass(frozen=True)
class FileCommit:
    """One commit in a file's history: what the audit site lists beside a decision."""

    sha: str
    date: str
    """The author date, ISO 8601."""
    author: str
    email: str
    subject: str


_LOG = ("-c", "diff.relative=false", "-c", "log.showSignature=false", "log", "--no-color")
"""`git log` with nothing in its output a parser would not expect, whatever the configuration."""
_HEADER_FORMAT = "--format=commit%x00%H%x00%aI%x00%an%x00%ae%x00%s"
"""A marker, then five fields each ended by NUL, which none of them can hold: no character of a
name or subject (tab, newline, unit separator) can shift a field or pass for a header."""
_HEADER_FIELDS = 5


def file_history(root: Path, path: str) -> list[FileCommit]:
    """The commits that changed `path` (relative to `root`), newest first, across renames: the
    history `file_histories` gives it."""
    return file_histories(root, [path])[path]


def file_histories(root: Path, paths: Iterable[str]) -> dict[str, list[FileCommit]]:
    """The commits that changed each of `paths` (relative to `root`), newest first, across
    renames, all read from one `git log -M --name-status` of the whole repository.

    Each file is followed back through the log, in git's order, as `git log --follow` follows
    its one path: a commit that adds, modifies or deletes the file under its current name is in
    its history, and where git pairs that addition with a deletion (a rename, edited or not) the
    file goes by the old name from there on, on whichever branch comes next. Merges are never
    listed and renames made in a merge are not followed, as `--follow` diffs no merge without
    `-m`.

    Two differences, by design. `--follow` also looks for copies as hard as git can: a file
    added while one like it stays gets that file's history too, which is not its own, and
    finding it reads every file of the commit before. And renames are git's pairing for the
    commit as a whole, not for one file: the two differ when a commit deletes several files like
    one it adds, or moves more files with edits than `diff.renameLimit` allows (exact moves are
    always found). A path names a file, never a pattern or a directory; one outside the
    repository has no history.

    Every history is empty outside git or before the first commit; GitError when git log fails
    in a repository.
    """
    wanted = set(paths)
    if not wanted or head(root) is None:
        return {path: [] for path in wanted}
    prefix = _top_prefix(root)
    names = {path: _from_top(prefix, path) for path in wanted}
    followed: dict[str, list[FileCommit]] = {}
    if any(names.values()):
        output = git_bytes(root, *_LOG, "-M", "--name-status", "-z", _HEADER_FORMAT, timeout=600)
        followed = _follow(_logged_changes(output), {name for name in names.values() if name})
    return {path: list(followed.get(name, [])) for path, name in names.items()}


def _top_prefix(root: Path) -> str:
    """Where `root` sits in its repository (`dir/` or empty): the log names paths from the top."""
    output = git_bytes(root, "rev-parse", "--show-prefix")
    return output.decode("utf-8", "surrogateescape").removesuffix("\n")


def _from_top(prefix: str, path: str) -> str:
    """`path`, relative to the folder at `prefix`, as the log names it; empty when it names no
    file of the repository."""
    if not path or posixpath.isabs(path):
        return ""
    joined = posixpath.normpath(prefix + path)
    return "" if joined in (".", "..") or joined.startswith("../") else joined


@dataclass(frozen=True)
class _Change:
    """A file one commit changed, as `git log -M` pairs them against its parent."""

    status: str
    """A added, D deleted, M modified, R renamed, C copied, T type changed, and so on."""
    path: str
    """The path in the commit; for D the path deleted."""
    source: str = ""
    """For R and C: the path in the parent it came from."""

    def touched(self) -> tuple[str, ...]:
        """The paths whose own history this change is part of (a copy leaves its source as is)."""
        return (self.path, self.source) if self.status == "R" else (self.path,)


def _follow(
    logged: Iterable[tuple[FileCommit, list[_Change]]], wanted: Iterable[str]
) -> dict[str, list[FileCommit]]:
    """Each wanted path's commits in the log's order, following it back through renames."""
    histories: dict[str, list[FileCommit]] = {path: [] for path in wanted}
    # The name each wanted file has at this point of the log, and which wanted paths it is.
    following: dict[str, set[str]] = {path: {path} for path in histories}
    for commit, changes in logged:
        shown: set[str] = set()
        for change in changes:
            for name in change.touched():
                shown |= following.get(name, set())
        for path in shown:
            histories[path].append(commit)
        for change in changes:
            if change.source and change.path in following:
                following.setdefault(change.source, set()).update(following.pop(change.path))
    return histories


def _logged_changes(output: bytes) -> Iterator[tuple[FileCommit, list[_Change]]]:
    """The commits of a `git log -z` in `_HEADER_FORMAT`, in its order, each with the files it
    changed (none without `--name-status`).

    A header is the marker and a fixed number of fields; a status is followed by its one or two
    paths, read as paths whatever they hold. GitError for output of any other shape.
    """
    tokens = iter(output.split(b"\0"))
    commit: FileCommit | None = None
    changes: list[_Change] = []
    for token in tokens:
        if token == b"commit":
            if commit is not None:
                yield commit, changes
            commit, changes = _header(tokens), []
        elif token.strip():
            changes.append(_change(token.strip().decode("ascii", "replace"), tokens))
    if commit is not None:
        yield commit, changes


def _header(tokens: Iterator[bytes]) -> FileCommit:
    """The commit whose header fields come next."""
    fields = [field.decode("utf-8", "replace") for field in islice(tokens, _HEADER_FIELDS)]
    if len(fields) != _HEADER_FIELDS:
        raise GitError(("git", "log"), "the log ends inside a commit's header")
    return FileCommit(*fields)


_STATUS = re.compile(r"[A-Z][0-9]*")


def _change(status: str, tokens: Iterator[bytes]) -> _Change:
    """The change a `--name-status -z` status opens: its path, or for R and C two."""
    count = 2 if status[:1] in ("R", "C") else 1
    paths = [path.decode("utf-8", "surrogateescape") for path in islice(tokens, count)]
    if not _STATUS.fullmatch(status) or len(paths) != count:
        raise GitError(("git", "log"), f"unexpected change {status!r} in the log")
    return _Change(status[0], paths[-1], paths[0] if count == 2 else "")


def existing_commits(root: Path, commits: list[str], *, timeout: float = 120) -> set[str]:
    """Those of `commits` that name a commit of the repository at `root` (one `cat-file`);
    GitError when git cannot say."""
    if not commits:
        return set()
    stdin = ("\n".join(commits) + "\n").encode()
    output = git_bytes(root, "cat-file", "--batch-check", stdin=stdin, timeout=timeout)
    found = set()
    for line, asked in zip(output.decode().splitlines(), commits, strict=False):
        parts = line.split(" ")
        if len(parts) == 3 and parts[1] == "commit" and asked.lower() == parts[0]:
            found.add(asked)
    return found


def in_history(root: Path, commits: set[str], *, timeout: float = 600) -> set[str]:
    """Those of `commits` reachable from a branch, tag or other ref (one `git rev-list --all`):
    a commit that exists but is in no history was rewritten away. GitError when git cannot say."""
    if not commits:
        return set()
    output = git_bytes(root, "rev-list", "--all", timeout=timeout)
    return commits & set(output.decode().split())


def history_at(root: Path, commit: str, target: Path) -> Path | None:
    """A scratch repository at `target` whose HEAD is `commit` of the repository at `root`.

    It shares the objects of `root`'s repository (git alternates) and checks nothing out, so
    `git log` in it reads history as it was at `commit`, at the cost of one `git init`. Returns
    where `root` sits in it (write the tree there), or None when `commit` names no commit of
    `root`; GitError when git fails otherwise.
    """
    resolved = commit_id(root, commit)
    if resolved is None:
        return None
    objects = git(root, "rev-parse", "--git-path", "objects")
    shallow = git(root, "rev-parse", "--git-path", "shallow")
    prefix = git(root, "rev-parse", "--show-prefix")
    target.mkdir(parents=True, exist_ok=True)
    git(target, "init", "--quiet")
    git_dir = target / ".git"
    (git_dir / "objects" / "info").mkdir(parents=True, exist_ok=True)
    (git_dir / "objects" / "info" / "alternates").write_text(f"{(root / objects).resolve()}\n")
    if (root / shallow).is_file():  # a shallow clone's history ends where the clone's does
        (git_dir / "shallow").write_bytes((root / shallow).read_bytes())
    git(target, "update-ref", "--no-deref", "HEAD", resolved)
    # The index as at `commit`, so that the tree written there reads as committed, not as
    # uncommitted changes (which vouch for nothing).
    git(target, "read-tree", "HEAD")
    return target / prefix


@dataclass(frozen=True)
class LoggedCommit:
    """One commit of a path log: when it was committed and the files it added, modified or
    deleted (paths relative to the repository root given)."""

    sha: str
    committed: int
    """The committer date, in seconds since the epoch."""
    changes: tuple[tuple[str, str], ...]
    """(status, path): A added, M modified, D deleted (renames show as D and A)."""


def path_log(
    root: Path, paths: tuple[str, ...], *, timeout: float = 600
) -> list[LoggedCommit] | None:
    """Every commit that changed a file under `paths` (relative to `root`), oldest first, read
    with one `git log`; None outside git or before the first commit, GitError when git log fails
    in a repository."""
    if head(root) is None:
        return None
    output = git_bytes(
        root,
        *("log", "--reverse", "--no-renames", "--relative", "--name-status", "-z"),
        "--format=commit %H %ct",
        "--",
        *paths,
        timeout=timeout,
    )
    return _parse_path_log(output.decode("utf-8", "surrogateescape").split("\0"))


def _parse_path_log(tokens: list[str]) -> list[LoggedCommit]:
    """Tokens of `git log -z --name-status`: a `commit SHA TIME` header, then status and path
    pairs; a path always follows its status, so a path is never taken for a header."""
    commits: list[LoggedCommit] = []
    changes: list[tuple[str, str]] = []
    header: list[str] = []
    pending_status = ""
    for token in tokens:
        if pending_status:
            changes.append((pending_status, token))
            pending_status = ""
        elif token.startswith("commit "):
            if header:
                commits.append(LoggedCommit(header[1], int(header[2]), tuple(changes)))
            header, changes = token.split(" "), []
        elif token.strip():
            pending_status = token.strip()[:1]
    if header:
        commits.append(LoggedCommit(header[1], int(header[2]), tuple(changes)))
    return commits
