"""`vcs.file_histories`: every file's history from one `git log`, as `git log --follow` gives it.

The oracle is git itself: for each path, the test runs `git log --follow` in the repository and
reads its output with NUL between the fields, and `file_histories` must give the same commits, in
the same order, field for field. The repository holds the cases `--follow` is used for: a file
edited three times (once by an author whose name and subject hold a tab, a unit separator and
non-ASCII), a file renamed twice with edits in between and in the second rename, a file deleted
and created again, a file moved in from outside the governance folder, a file renamed on a branch
while edited on the main line, and merges (clean, and resolved by hand). It is read from the top
of the repository and from the governance folder within it. Each file's lines are its own, so
that only renames make two files alike; where a new file is like one that stays (a request made
by copying another), `--follow` runs on into the other file's history and `file_histories`, by
design, does not.

The audit site reads the histories of all its decisions with that one `git log`: counted by
wrapping `vcs.runner.run` (real git still runs), rendering a log of 5 decisions and one of 30
runs git as often.
"""

from __future__ import annotations

import shutil
import subprocess
from collections import Counter
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from spendgate import vcs
from spendgate.audit.record import record_decisions
from spendgate.audit.site import render_site
from spendgate.vcs import runner
from tests.conftest import EXAMPLES
from tests.test_approvals import git

ODD_AUTHOR = "Zoë\tO'Brien\x1fQ ☃ <zoe+odd@example.test>"
ODD_MESSAGE = "Edit\tplain\x1fyaml ☃ <b>\nstill the subject\n\nThe body, not the subject."


# --- the repository ------------------------------------------------------------------------------


class _Repository:
    """A repository built commit by commit, each a day after the last."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.day = 0
        root.mkdir()
        git(root, "init", "-q", "-b", "main")

    def write(self, path: str, text: str) -> None:
        file = self.root / path
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_text(text)

    def move(self, path: str, to: str) -> None:
        (self.root / to).parent.mkdir(parents=True, exist_ok=True)
        (self.root / path).rename(self.root / to)

    def commit(self, message: str, *, author: str = "Admin <admin@test.example>") -> None:
        self.day += 1
        when = f"2026-01-{self.day:02d}T10:00:00+01:00"
        git(self.root, "add", "-A")
        git(self.root, "commit", "-q", "-m", message, author=author, when=when)

    def run(self, *arguments: str) -> None:
        self.day += 1
        git(self.root, *arguments, when=f"2026-01-{self.day:02d}T10:00:00+01:00")


def _text(name: str, edits: dict[int, str] | None = None) -> str:
    """Twenty lines of `name`'s own, with the lines `edits` numbers replaced."""
    lines = [f"{name}, line {number}: a line no other file holds\n" for number in range(20)]
    return "".join((edits or {}).get(number, line) for number, line in enumerate(lines))


@pytest.fixture(scope="module")
def repository(tmp_path_factory: pytest.TempPathFactory) -> Path:
    repo = _Repository(tmp_path_factory.mktemp("histories") / "repo")
    for name in ("plain", "first", "gone", "merged", "moved"):
        repo.write(f"gov/{name}.yaml", _text(name))
    repo.write("outside/draft.yaml", _text("draft"))
    repo.commit("Start the governance repository")
    repo.write("gov/plain.yaml", _text("plain", {1: "first edit\n"}))
    repo.commit("Edit plain once")
    repo.write("gov/first.yaml", _text("first", {2: "edited before the first move\n"}))
    repo.commit("Edit first")
    repo.move("gov/first.yaml", "gov/second.yaml")
    repo.commit("Rename first to second")
    repo.write("gov/second.yaml", _text("first", {3: "edited between the moves\n"}))
    repo.write("gov/plain.yaml", _text("plain", {1: "second edit\n"}))
    repo.commit(ODD_MESSAGE, author=ODD_AUTHOR)
    repo.move("gov/second.yaml", "gov/sub/third.yaml")
    repo.write("gov/sub/third.yaml", _text("first", {4: "edited in the second move\n"}))
    repo.commit("Move second into sub/ as third, with an edit")
    repo.write("gov/sub/third.yaml", _text("first", {5: "edited after the moves\n"}))
    repo.commit("Edit third")
    (repo.root / "gov/gone.yaml").unlink()
    repo.commit("Delete gone")
    repo.write("gov/gone.yaml", "a new file under an old name\n")
    repo.write("gov/plain.yaml", _text("plain", {1: "third edit\n"}))
    repo.commit("Create gone again; edit plain a third time")
    repo.write("gov/gone.yaml", "a new file under an old name, edited\n")
    repo.commit("Edit the new gone")
    repo.move("outside/draft.yaml", "gov/drafted.yaml")
    repo.write("gov/drafted.yaml", _text("draft", {6: "edited as it moved in\n"}))
    repo.commit("Move the draft into the governance folder")
    _branches(repo)
    return repo.root


def _branches(repo: _Repository) -> None:
    """A branch that edits `merged` and renames `moved` while the main line edits both, merged
    cleanly; then edits to one line on both sides, merged by hand to a third text."""
    repo.run("checkout", "-q", "-b", "side")
    repo.write("gov/merged.yaml", _text("merged", {7: "edited on the side\n"}))
    repo.commit("Edit merged on the side")
    repo.move("gov/moved.yaml", "gov/moved-again.yaml")
    repo.commit("Rename moved on the side")
    repo.run("checkout", "-q", "main")
    repo.write("gov/moved.yaml", _text("moved", {15: "edited on main\n"}))
    repo.write("gov/merged.yaml", _text("merged", {12: "edited on main\n"}))
    repo.commit("Edit moved and merged on main")
    repo.run("merge", "-q", "--no-ff", "--no-edit", "side")
    repo.run("checkout", "-q", "-b", "side2")
    repo.write("gov/merged.yaml", _text("merged", {9: "side2's line 9\n"}))
    repo.commit("Change line 9 on side2")
    repo.run("checkout", "-q", "main")
    repo.write("gov/merged.yaml", _text("merged", {9: "main's line 9\n"}))
    repo.commit("Change line 9 on main")
    with pytest.raises(subprocess.CalledProcessError):  # a conflict
        repo.run("merge", "-q", "--no-edit", "side2")
    repo.write("gov/merged.yaml", _text("merged", {9: "both lines 9, by hand\n"}))
    repo.commit("Merge side2, resolving line 9 by hand")


# --- the oracle ----------------------------------------------------------------------------------


def followed(root: Path, path: str) -> list[vcs.FileCommit]:
    """`git log --follow -- path` run in `root`, its fields read between NULs."""
    output = git(
        root, "log", "--follow", "-z", "--format=%H%x00%aI%x00%an%x00%ae%x00%s", "--", path
    )
    fields = output.split("\0")
    if len(fields) % 5 == 1 and fields[-1] == "":
        fields.pop()
    assert len(fields) % 5 == 0, fields
    return [vcs.FileCommit(*fields[start : start + 5]) for start in range(0, len(fields), 5)]


GOVERNANCE_PATHS = [
    "plain.yaml",
    "sub/third.yaml",
    "gone.yaml",
    "drafted.yaml",
    "merged.yaml",
    "moved-again.yaml",
    "moved.yaml",
    "never.yaml",
    "./plain.yaml",
    "sub/../plain.yaml",
]


@pytest.mark.parametrize("folder", ["", "gov"])
def test_every_history_is_what_git_log_follow_gives(repository: Path, folder: str) -> None:
    root = repository / folder
    paths = [path if folder else f"gov/{path}" for path in GOVERNANCE_PATHS]
    histories = vcs.file_histories(root, paths)
    assert set(histories) == set(paths)
    for path in paths:
        assert histories[path] == followed(root, path), path


def test_the_cases_are_the_ones_meant(repository: Path) -> None:
    """What git says of the repository, so that the comparison above covers these cases."""
    histories = vcs.file_histories(repository / "gov", ["plain.yaml", "sub/third.yaml"])
    subjects = {path: [c.subject for c in history] for path, history in histories.items()}
    assert subjects["sub/third.yaml"] == [
        "Edit third",
        "Move second into sub/ as third, with an edit",
        "Edit\tplain\x1fyaml ☃ <b> still the subject",
        "Rename first to second",
        "Edit first",
        "Start the governance repository",
    ]
    odd = histories["plain.yaml"][1]
    assert (odd.author, odd.email) == ("Zoë\tO'Brien\x1fQ ☃", "zoe+odd@example.test")
    assert odd.date == "2026-01-05T10:00:00+01:00"
    assert len(histories["plain.yaml"]) == 4
    merges = git(repository, "log", "--merges", "--format=%H").split()
    assert len(merges) == 2
    everything = vcs.file_histories(repository, [f"gov/{path}" for path in GOVERNANCE_PATHS])
    assert not {c.sha for history in everything.values() for c in history} & set(merges)
    assert everything["gov/never.yaml"] == []


def test_a_file_made_as_a_copy_of_another_has_a_history_of_its_own(tmp_path: Path) -> None:
    """`--follow` finds copies harder: the copy's history runs on into its original's. That is
    not a history of the file, and finding it costs a look at every file of the commit before."""
    repo = _Repository(tmp_path / "repo")
    repo.write("requests/a.yaml", _text("request"))
    repo.commit("Request a")
    repo.write("requests/a.yaml", _text("request", {3: "a, edited\n"}))
    repo.commit("Edit a")
    repo.write("requests/b.yaml", _text("request", {3: "b, made from a\n"}))
    repo.commit("Request b, made from a")
    own = vcs.file_histories(repo.root, ["requests/b.yaml"])["requests/b.yaml"]
    assert [commit.subject for commit in own] == ["Request b, made from a"]
    assert followed(repo.root, "requests/b.yaml") == [
        own[0],
        *vcs.file_histories(repo.root, ["requests/a.yaml"])["requests/a.yaml"],
    ]


def test_one_git_log_reads_every_path(repository: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    commands = _counted(monkeypatch)
    paths = ["plain.yaml", "sub/third.yaml", "./gone.yaml", "../../elsewhere.yaml", "/etc/passwd"]
    histories = vcs.file_histories(repository / "gov", paths)
    assert commands["log"] == 1
    assert histories["./gone.yaml"] == followed(repository / "gov", "gone.yaml")
    assert histories["../../elsewhere.yaml"] == histories["/etc/passwd"] == []


# --- the audit site ------------------------------------------------------------------------------


def _counted(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """How many times each git subcommand runs from now on (real git still runs each)."""
    commands: Counter[str] = Counter()
    real_run = runner.run

    def counting_run(
        root: Path, arguments: tuple[str, ...], **options: Any
    ) -> subprocess.CompletedProcess[bytes]:
        commands[_subcommand(arguments)] += 1
        return real_run(root, arguments, **options)

    monkeypatch.setattr(runner, "run", counting_run)
    return commands


def _subcommand(arguments: tuple[str, ...]) -> str:
    """`log` of `-c name=value log --follow`: the first argument that is no `-c` option."""
    index = 0
    while index < len(arguments) and arguments[index] == "-c":
        index += 2
    return arguments[index] if index < len(arguments) else ""


def _governance(root: Path, requests: int) -> Path:
    """The bank example with `requests` more requests, each added in its own commit, and its
    decision log recorded."""
    shutil.copytree(EXAMPLES / "bank", root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", ".")
    git(root, "commit", "-q", "-m", "governance repository")
    template = (root / "requests/2026/NB-2026-0194.yaml").read_text()
    for number in range(1000, 1000 + requests):
        request = f"NB-2026-{number}"
        (root / f"requests/2026/{request}.yaml").write_text(
            template.replace("NB-2026-0194", request)
        )
        git(root, "add", ".")
        git(root, "commit", "-q", "-m", f"Request {request}")
    log = root / "audit/decisions.jsonl"
    record_decisions(root, as_of=date(2026, 11, 22), log=log, clock=lambda: "2026-11-22T09:30:00Z")
    return root


def test_the_site_reads_histories_with_one_git_log_however_many_decisions(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small = _governance(tmp_path / "small", 5)
    large = _governance(tmp_path / "large", 30)
    counts = []
    for root in (small, large):
        commands = _counted(monkeypatch)
        site = render_site(root, out=root.parent / f"{root.name}-site")
        counts.append((site.decisions, commands["log"]))
        monkeypatch.undo()
    assert counts == [(12 + 5, 1), (12 + 30, 1)]
    page = (tmp_path / "large-site/decisions").glob("*.html")
    assert any("Request NB-2026-1029" in path.read_text() for path in page)
