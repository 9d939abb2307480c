"""The repository and its work tree: whether there is one, what is checked out, and what changed.

Questions about where `root` stands (is it in git, which branch and commit are checked out,
which commit does a revision name, who commits there, does git track a path), making a new
repository (`init_repository`, for `spendgate init`), and the differences a check is about:
the paths changed between two commits (`changes`, from their `merge_base`) and the paths that
differ from HEAD in the work tree (`uncommitted`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from spendgate.errors import GitError
from spendgate.vcs.runner import answer, checked, git, git_bytes, run


def user_email(root: Path) -> str | None:
    """The email git would author a commit with in `root` (`git var GIT_AUTHOR_IDENT`: the
    configured user.email, or GIT_AUTHOR_EMAIL when set); None when git knows of none."""
    ident = answer(root, "var", "GIT_AUTHOR_IDENT") or ""
    start, end = ident.find("<"), ident.rfind(">")
    return ident[start + 1 : end] or None if 0 <= start < end else None


def is_repository(root: Path) -> bool:
    """Whether `root` is inside a git work tree."""
    return answer(root, "rev-parse", "--is-inside-work-tree") == "true"


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
    return git(root, "rev-parse", "--is-inside-work-tree", timeout=timeout) == "true"


def init_repository(root: Path, *, timeout: float = 30) -> None:
    """Make the existing folder `root` a new git repository (`git init`), on the initial branch
    git's own configuration names (`init.defaultBranch`). GitError when git cannot."""
    git(root, "init", "--quiet", timeout=timeout)


def current_branch(root: Path) -> str | None:
    """The branch checked out in `root`, even before its first commit; None outside git or on
    a detached HEAD."""
    return answer(root, "symbolic-ref", "--quiet", "--short", "HEAD")


def head(root: Path) -> str | None:
    """The commit checked out in `root`, or None outside git or before the first commit."""
    return answer(root, "rev-parse", "HEAD")


def top_level(root: Path) -> Path | None:
    """The top folder of the work tree `root` is in, or None outside git."""
    found = answer(root, "rev-parse", "--show-toplevel")
    return Path(found) if found else None


def commit_id(root: Path, revision: str) -> str | None:
    """The id of the commit `revision` names in `root`, or None when it names none there."""
    return answer(
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
    result = run(root, arguments, timeout=timeout)
    if result.returncode == 1 and not result.stderr.strip():
        raise GitError(result.args, f"{base} and {head} share no history")
    return checked(result).decode().strip()


def changes(root: Path, since: str, head: str = "HEAD", *, timeout: float = 120) -> list[Change]:
    """What changed under `root` between the commits `since` and `head`, paths relative to root
    and exactly as in the tree (`-z`: git quotes none). GitError when git cannot say; an empty
    list only when git reports no change."""
    output = git_bytes(
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


def is_tracked(root: Path, path: str, *, timeout: float = 30) -> bool:
    """True when git tracks anything at or under `path` (relative to `root`); GitError when git
    cannot say."""
    return bool(git(root, "ls-files", "--", path, timeout=timeout))


def uncommitted(root: Path) -> list[str] | None:
    """Paths under `root` (relative to it) that differ from HEAD: modified, staged, deleted or
    untracked and not ignored. None outside git or before the first commit; GitError when git
    cannot say."""
    if head(root) is None:
        return None
    changed = git_bytes(root, "diff", "--name-only", "--relative", "-z", "HEAD", "--", ".")
    untracked = git_bytes(root, "ls-files", "--others", "--exclude-standard", "-z", "--", ".")
    names = (changed + b"\0" + untracked).split(b"\0")
    return sorted({name.decode("utf-8", "surrogateescape") for name in names if name})
