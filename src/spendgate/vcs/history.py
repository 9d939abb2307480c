"""The history of files and commits: who last changed a record, and how a path came to be.

What vouches for a record (`last_commits`, with git's verdict on each signature), what the audit
site lists beside a decision (`file_history`), every commit under some paths (`path_log`), which
commits exist and are still in a branch's history, and a scratch repository whose history ends at
a given commit (`history_at`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

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


def file_history(root: Path, path: str) -> list[FileCommit]:
    """The commits that changed `path` (relative to `root`), newest first, across renames.

    Empty outside git, before the first commit, or for a file git never saw; GitError when git
    log fails in a repository.
    """
    if head(root) is None:
        return []
    output = git(root, "log", "--follow", "--format=%x00%H%x1f%aI%x1f%an%x1f%ae%x1f%s", "--", path)
    found = []
    for record in output.split("\0")[1:]:
        sha, date, author, email, subject = (record.strip("\n").split("\x1f") + [""] * 5)[:5]
        found.append(FileCommit(sha, date, author, email, subject))
    return found


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
