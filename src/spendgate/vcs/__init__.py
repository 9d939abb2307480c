"""Everything that talks to git, in one place (subprocess `git`, nothing else).

Two kinds of call. A question git may answer "no" to (is this a repository? which commit is
checked out? does this revision name a commit? what history has this file?) returns False, None
or nothing for that "no", which includes "not a repository" and "git is not installed". Every
other call fails closed (SPEC §7): when git exits with an error, cannot run, or outlives its
timeout, it raises GitError with the command and git's own message, so that no failure is ever
read as "nothing changed" or "no such document". A timeout raises in both kinds: a question
with no answer has not been answered "no".

The package runs git through `runner`; `repository` answers where a work tree stands and what
changed, `trees` reads the files of a revision, `history` reads the commits behind them. Callers
use the names below (`from spendgate import vcs; vcs.head(root)`), not the submodules.
"""

from __future__ import annotations

from spendgate.vcs.history import (
    Commit,
    FileCommit,
    LoggedCommit,
    existing_commits,
    file_histories,
    file_history,
    history_at,
    in_history,
    last_commits,
    path_log,
)
from spendgate.vcs.repository import (
    Change,
    changes,
    commit_id,
    current_branch,
    head,
    in_work_tree,
    init_repository,
    is_repository,
    is_tracked,
    merge_base,
    uncommitted,
    user_email,
)
from spendgate.vcs.trees import (
    available_blobs,
    export_tree,
    file_at,
    list_files,
    read_blobs,
    tree_id,
)

__all__ = [
    "Change",
    "Commit",
    "FileCommit",
    "LoggedCommit",
    "available_blobs",
    "changes",
    "commit_id",
    "current_branch",
    "existing_commits",
    "export_tree",
    "file_at",
    "file_histories",
    "file_history",
    "head",
    "history_at",
    "in_history",
    "in_work_tree",
    "init_repository",
    "is_repository",
    "is_tracked",
    "last_commits",
    "list_files",
    "merge_base",
    "path_log",
    "read_blobs",
    "tree_id",
    "uncommitted",
    "user_email",
]
