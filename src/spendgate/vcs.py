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

    Empty outside git or for a file git never saw.
    """
    output = _git(root, "log", "--follow", "--format=%x00%H%x1f%aI%x1f%an%x1f%ae%x1f%s", "--", path)
    found = []
    for record in (output or "").split("\0")[1:]:
        sha, date, author, email, subject = (record.strip("\n").split("\x1f") + [""] * 5)[:5]
        found.append(FileCommit(sha, date, author, email, subject))
    return found


def uncommitted(root: Path) -> list[str] | None:
    """Paths under `root` (relative to it) that differ from HEAD: modified, staged, deleted or
    untracked and not ignored. None outside git or before the first commit."""
    changed = _git_bytes(root, "diff", "--name-only", "--relative", "-z", "HEAD", "--", ".")
    untracked = _git_bytes(root, "ls-files", "--others", "--exclude-standard", "-z", "--", ".")
    if changed is None or untracked is None:
        return None
    names = (changed + b"\0" + untracked).split(b"\0")
    return sorted({name.decode("utf-8", "surrogateescape") for name in names if name})


def existing_commits(root: Path, commits: list[str]) -> set[str]:
    """Those of `commits` that name a commit of the repository at `root` (one `cat-file`)."""
    if not commits:
        return set()
    output = _git_bytes(root, "cat-file", "--batch-check", stdin="\n".join(commits) + "\n")
    found = set()
    for line, asked in zip((output or b"").decode().splitlines(), commits, strict=False):
        parts = line.split(" ")
        if len(parts) == 3 and parts[1] == "commit" and asked.lower() == parts[0]:
            found.add(asked)
    return found


def in_history(root: Path, commits: set[str]) -> set[str]:
    """Those of `commits` reachable from a branch, tag or other ref (one `git rev-list --all`):
    a commit that exists but is in no history was rewritten away."""
    if not commits:
        return set()
    output = _git_bytes(root, "rev-list", "--all", timeout=600)
    return commits & set((output or b"").decode().split())


def history_at(root: Path, commit: str, target: Path) -> Path | None:
    """A scratch repository at `target` whose HEAD is `commit` of the repository at `root`.

    It shares the objects of `root`'s repository (git alternates) and checks nothing out, so
    `git log` in it reads history as it was at `commit`, at the cost of one `git init`. Returns
    where `root` sits in it (write the tree there), or None when `commit` cannot be read.
    """
    objects = _git(root, "rev-parse", "--git-path", "objects")
    shallow = _git(root, "rev-parse", "--git-path", "shallow")
    prefix = _git(root, "rev-parse", "--show-prefix")
    if objects is None or shallow is None or prefix is None:
        return None
    target.mkdir(parents=True, exist_ok=True)
    if _git(target, "init", "--quiet") is None:
        return None
    git_dir = target / ".git"
    (git_dir / "objects" / "info").mkdir(parents=True, exist_ok=True)
    (git_dir / "objects" / "info" / "alternates").write_text(f"{(root / objects).resolve()}\n")
    if (root / shallow).is_file():  # a shallow clone's history ends where the clone's does
        (git_dir / "shallow").write_bytes((root / shallow).read_bytes())
    if _git(target, "update-ref", "--no-deref", "HEAD", f"{commit}^{{commit}}") is None:
        return None
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


def path_log(root: Path, paths: tuple[str, ...]) -> list[LoggedCommit] | None:
    """Every commit that changed a file under `paths` (relative to `root`), oldest first, read
    with one `git log`; None outside git or before the first commit."""
    output = _git_bytes(
        root,
        *("log", "--reverse", "--no-renames", "--relative", "--name-status", "-z"),
        "--format=commit %H %ct",
        "--",
        *paths,
        timeout=600,
    )
    if output is None:
        return None
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
