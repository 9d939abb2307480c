"""Everything that talks to git, in one place (subprocess `git`, nothing else).

Two kinds of call. A question git may answer "no" to (is this a repository? which commit is
checked out? does this revision name a commit? what history has this file?) returns False, None
or nothing for that "no", which includes "not a repository" and "git is not installed". Every
other call fails closed (SPEC §7): when git exits with an error, cannot run, or outlives its
timeout, it raises GitError with the command and git's own message, so that no failure is ever
read as "nothing changed" or "no such document". A timeout raises in both kinds: a question
with no answer has not been answered "no".
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
from dataclasses import dataclass
from pathlib import Path

from spendgate.errors import GitError

_OBJECT_ID = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")
_MESSAGE_LINES = 3
"""How many lines of git's standard error a GitError quotes."""
_NOT_RUN = 127
"""The exit status given to a git that could not be started (as a shell gives it)."""


def _run(
    root: Path, arguments: tuple[str, ...], *, stdin: bytes | None = None, timeout: float
) -> subprocess.CompletedProcess[bytes]:
    """Run git in `root`. GitError when it outlives `timeout` seconds: it is killed then, with
    whatever it started (a hook, a filter), which would otherwise hold its output open."""
    command = ("git", *arguments)
    try:
        process = subprocess.Popen(
            command,
            cwd=os.fspath(root),
            stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, ended whole on a timeout
        )
    except OSError as error:  # git is not installed, or `root` is gone
        message = f"cannot run git: {error}"
        return subprocess.CompletedProcess(command, _NOT_RUN, b"", message.encode())
    with process:
        try:
            stdout, stderr = process.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            process.wait()  # not communicate(): a child that escaped the group may hold a pipe
            raise GitError(command, f"timed out after {timeout:g} s") from None
        except BaseException:  # interrupted: leave no git behind
            _kill(process)
            raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _kill(process: subprocess.Popen[bytes]) -> None:
    """End git and everything in its process group (where there are process groups)."""
    if hasattr(os, "killpg"):
        with contextlib.suppress(ProcessLookupError):  # ended already
            os.killpg(process.pid, signal.SIGKILL)
    else:
        process.kill()


def _checked(result: subprocess.CompletedProcess[bytes]) -> bytes:
    """The standard output of a git run that must succeed; GitError with git's message if not."""
    if result.returncode != 0:
        said = result.stderr.decode("utf-8", "replace").splitlines()
        lines = [line.strip() for line in said if line.strip()]
        message = "; ".join(lines[:_MESSAGE_LINES]) + ("; …" if lines[_MESSAGE_LINES:] else "")
        raise GitError(result.args, message or f"exit status {result.returncode}")
    return result.stdout


def _git_bytes(
    root: Path, *arguments: str, stdin: bytes | None = None, timeout: float = 120
) -> bytes:
    """The standard output of a git command that must succeed; GitError otherwise."""
    return _checked(_run(root, arguments, stdin=stdin, timeout=timeout))


def _git(root: Path, *arguments: str, timeout: float = 30) -> str:
    """The standard output (stripped) of a git command that must succeed; GitError otherwise."""
    return _git_bytes(root, *arguments, timeout=timeout).decode("utf-8", "replace").strip()


def _answer(root: Path, *arguments: str, timeout: float = 30) -> str | None:
    """git's answer (stripped) to a question it may answer "no" to: None when it exits with an
    error, which is also its answer outside a repository or when git is not installed."""
    result = _run(root, arguments, timeout=timeout)
    return result.stdout.decode("utf-8", "replace").strip() if result.returncode == 0 else None


def user_email(root: Path) -> str | None:
    """The email git would author commits with in `root` (`git config user.email`)."""
    return _answer(root, "config", "user.email") or None


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


def is_repository(root: Path) -> bool:
    return _answer(root, "rev-parse", "--is-inside-work-tree") == "true"


def in_work_tree(root: Path, *, timeout: float = 30) -> bool:
    """Whether `root` is inside a git work tree: False only where no `.git` is found in `root`
    or above it; GitError where one is but git cannot read it (a damaged repository, git
    missing, a repository git does not trust), so that "not in git" is never a failure's
    disguise."""
    if is_repository(root):
        return True
    start = root.resolve()
    if not any((folder / ".git").exists() for folder in (start, *start.parents)):
        return False
    return _git(root, "rev-parse", "--is-inside-work-tree", timeout=timeout) == "true"


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
    output = _git_bytes(
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


def head(root: Path) -> str | None:
    """The commit checked out in `root`, or None outside git or before the first commit."""
    return _answer(root, "rev-parse", "HEAD")


def commit_id(root: Path, revision: str) -> str | None:
    """The id of the commit `revision` names in `root`, or None when it names none there."""
    return _answer(
        root, "rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"
    )


@dataclass(frozen=True)
class Change:
    """A path a pull request changes: A added, M modified, D deleted, R renamed (from `old`)."""

    status: str
    path: str
    old: str | None = None


def merge_base(root: Path, base: str, head: str = "HEAD", *, timeout: float = 30) -> str:
    """The commit `base` and `head` last shared. GitError with git's message when either names
    no commit, and when they share no history (git says nothing then)."""
    arguments = ("merge-base", "--end-of-options", base, head)
    result = _run(root, arguments, timeout=timeout)
    if result.returncode == 1 and not result.stderr.strip():
        raise GitError(result.args, f"{base} and {head} share no history")
    return _checked(result).decode().strip()


def changes(root: Path, since: str, head: str = "HEAD", *, timeout: float = 120) -> list[Change]:
    """What changed under `root` between the commits `since` and `head`, paths relative to root
    and exactly as in the tree (`-z`: git quotes none). GitError when git cannot say; an empty
    list only when git reports no change."""
    output = _git_bytes(
        root,
        *("diff", "--name-status", "-z", "-M", "--relative", since, head, "--", "."),
        timeout=timeout,
    )
    return _parse_changes(output.decode("utf-8", "surrogateescape").split("\0"))


def _parse_changes(tokens: list[str]) -> list[Change]:
    """Tokens of `git diff --name-status -z`: a status, then its path; for a rename or a copy
    (R or C with a score, as in R100) the old path, then the new. A copy (reported only when
    asked for with -C) leaves its source as it was: it is an addition."""
    found = []
    fields = iter(tokens)
    for status in fields:
        if not status:  # after the last path's terminator
            continue
        path = next(fields)
        if status[0] in "RC":
            new = next(fields)
            found.append(Change("R", new, path) if status[0] == "R" else Change("A", new))
        else:
            found.append(Change(status[0], path))
    return found


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
    return _git(root, "rev-parse", f"{revision}:./", timeout=timeout)


def list_files(
    root: Path, revision: str, paths: tuple[str, ...], *, timeout: float = 120
) -> list[tuple[str, str]]:
    """(path, blob id) of every regular file under `paths` at `revision`, relative to `root`.
    GitError when git cannot read the revision."""
    existing = [path for path in paths if path]
    if not existing:
        return []
    output = _git_bytes(root, "ls-tree", "-r", "-z", revision, "--", *existing, timeout=timeout)
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
    view = _git_bytes(root, "cat-file", "--batch", stdin=stdin, timeout=timeout)
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


def is_tracked(root: Path, path: str, *, timeout: float = 30) -> bool:
    """True when git tracks anything at or under `path` (relative to `root`); GitError when git
    cannot say."""
    return bool(_git(root, "ls-files", "--", path, timeout=timeout))


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
    output = _git(root, "log", "--follow", "--format=%x00%H%x1f%aI%x1f%an%x1f%ae%x1f%s", "--", path)
    found = []
    for record in output.split("\0")[1:]:
        sha, date, author, email, subject = (record.strip("\n").split("\x1f") + [""] * 5)[:5]
        found.append(FileCommit(sha, date, author, email, subject))
    return found


def uncommitted(root: Path) -> list[str] | None:
    """Paths under `root` (relative to it) that differ from HEAD: modified, staged, deleted or
    untracked and not ignored. None outside git or before the first commit; GitError when git
    cannot say."""
    if head(root) is None:
        return None
    changed = _git_bytes(root, "diff", "--name-only", "--relative", "-z", "HEAD", "--", ".")
    untracked = _git_bytes(root, "ls-files", "--others", "--exclude-standard", "-z", "--", ".")
    names = (changed + b"\0" + untracked).split(b"\0")
    return sorted({name.decode("utf-8", "surrogateescape") for name in names if name})


def existing_commits(root: Path, commits: list[str], *, timeout: float = 120) -> set[str]:
    """Those of `commits` that name a commit of the repository at `root` (one `cat-file`);
    GitError when git cannot say."""
    if not commits:
        return set()
    stdin = ("\n".join(commits) + "\n").encode()
    output = _git_bytes(root, "cat-file", "--batch-check", stdin=stdin, timeout=timeout)
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
    output = _git_bytes(root, "rev-list", "--all", timeout=timeout)
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
    objects = _git(root, "rev-parse", "--git-path", "objects")
    shallow = _git(root, "rev-parse", "--git-path", "shallow")
    prefix = _git(root, "rev-parse", "--show-prefix")
    target.mkdir(parents=True, exist_ok=True)
    _git(target, "init", "--quiet")
    git_dir = target / ".git"
    (git_dir / "objects" / "info").mkdir(parents=True, exist_ok=True)
    (git_dir / "objects" / "info" / "alternates").write_text(f"{(root / objects).resolve()}\n")
    if (root / shallow).is_file():  # a shallow clone's history ends where the clone's does
        (git_dir / "shallow").write_bytes((root / shallow).read_bytes())
    _git(target, "update-ref", "--no-deref", "HEAD", resolved)
    # The index as at `commit`, so that the tree written there reads as committed, not as
    # uncommitted changes (which vouch for nothing).
    _git(target, "read-tree", "HEAD")
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
    output = _git_bytes(
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


def file_at(root: Path, revision: str, path: str, *, timeout: float = 120) -> bytes | None:
    """The bytes of the file `path` (relative to `root`) at `revision`, or None when that
    revision has no file there. GitError when git cannot read `revision` (a missing ref, a
    damaged repository, a timeout), or when `path` is there but is not a regular file."""
    commit = _git(root, "rev-parse", "--verify", "--end-of-options", f"{revision}^{{commit}}")
    listing = _git_bytes(root, "ls-tree", "-z", commit, "--", path, timeout=timeout)
    for entry in listing.split(b"\0"):
        header, _, name = entry.partition(b"\t")
        if name.decode("utf-8", "surrogateescape") != path:
            continue
        mode, kind, blob = (header.split(b" ") + [b"", b""])[:3]
        if kind != b"blob" or mode not in (b"100644", b"100755"):
            raise GitError(("git", "ls-tree", commit), f"{path} is not a regular file")
        return read_blobs(root, [blob.decode()], timeout=timeout)[blob.decode()]
    return None
