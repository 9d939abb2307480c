"""Whether a governance record was really given by the person it names (SPEC §6).

One rule for every record that grants something — approvals, waivers, change approvals — and
for pull-request reviews: a `Notary` judges each `Claim` the same way, in one code path.

- **Who wrote it.** In a git repository the *last* commit that touched the record's file
  vouches for it (an edit by anyone else removes what the first commit proved): `signed` when
  git verifies the commit's signature with a key listed for the person in People (SSH keys,
  through an allowed-signers file built from People; GPG keys by fingerprint), `author-match`
  when the commit's author email is the person's, `unverified` otherwise, and always for a file
  with uncommitted changes. `approvals.require_authenticity` says which level a record needs:
  `signed`, `author-match`, or `none`. Outside git nothing can be proved, and records are
  taken as `unverified`. A review comes from GitHub, which authenticates its author:
  `github-review`.
- **Who may not give it.** Never the requester of what it grants, never the pull request's
  author (segregation of duties).
- **When.** A record dated after the evaluation date, or after the commit that vouches for it,
  does not count.

Whether the person holds the role on the record's date depends on what the record grants (a
step of a route, the owner role of a rule or of a file), so each kind of record checks that
itself, with `spendgate.approvals.roles.authority`.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from spendgate import vcs
from spendgate.documents.people import Person

SIGNED = "signed"
AUTHOR_MATCH = "author-match"
UNVERIFIED = "unverified"
GITHUB_REVIEW = "github-review"

Requirement = Literal["none", "author-match", "signed"]

_MEETS: dict[str, frozenset[str]] = {
    "none": frozenset({SIGNED, AUTHOR_MATCH, UNVERIFIED, GITHUB_REVIEW}),
    "author-match": frozenset({SIGNED, AUTHOR_MATCH, GITHUB_REVIEW}),
    "signed": frozenset({SIGNED, GITHUB_REVIEW}),
}


@dataclass(frozen=True)
class Claim:
    """What a record says: `person` gives `given` (e.g. "approve as cfo") on `dated`."""

    person: str
    dated: date
    file: str | None
    """The record's file in the repository; None for a pull-request review."""
    written_by: str | None = None
    """Who wrote the record on the person's behalf (`approve --as`): then it is not theirs."""


@dataclass(frozen=True)
class Verdict:
    """How a record is known to be its person's, and why it does not count ("" when it does)."""

    level: str
    refusal: str = ""

    @property
    def counts(self) -> bool:
        """Whether the record counts: nothing refuses it."""
        return not self.refusal


@dataclass
class Notary:
    """Judges claims against the git history of the record folders and the segregation rules."""

    people: Mapping[str, Person]
    requirement: Requirement
    today: date
    commits: Mapping[str, vcs.Commit] | None = None
    """The last commit of each record file, by path; None outside git (nothing is provable)."""
    uncommitted: frozenset[str] = frozenset()
    """Record files whose content differs from the commit checked out."""
    pr_author: str | None = None
    """The person who opened the pull request being checked, if known."""
    levels: dict[str, str] = field(default_factory=dict)

    def judge(self, claim: Claim, *, requester: str | None = None) -> Verdict:
        """The verdict on `claim`; `requester` is whoever asked for what it grants."""
        level = self.level(claim)
        if claim.person == requester:
            return Verdict(level, f"{claim.person} is the requester")
        if claim.person == self.pr_author:
            return Verdict(level, f"{claim.person} authored the pull request")
        if claim.dated > self.today:
            return Verdict(
                level, f"it is dated {claim.dated}, after the evaluation date {self.today}"
            )
        return Verdict(level, self._provenance_refusal(claim, level))

    def level(self, claim: Claim) -> str:
        """How the claim's record is known to be its person's, judged once per file."""
        if claim.file is None:
            return GITHUB_REVIEW
        if claim.written_by is not None:
            return UNVERIFIED  # whoever commits it, the record says it is not the person's own
        key = f"{claim.file}\0{claim.person}"
        if key not in self.levels:
            self.levels[key] = self._level(claim.file, self.people.get(claim.person))
        return self.levels[key]

    def _level(self, file: str, person: Person | None) -> str:
        if self.commits is None or person is None or file in self.uncommitted:
            return UNVERIFIED
        commit = self.commits.get(file)
        if commit is None:
            return UNVERIFIED
        if _signed_by(commit, person):
            return SIGNED
        return AUTHOR_MATCH if commit.author_email == person.email.lower() else UNVERIFIED

    def _provenance_refusal(self, claim: Claim, level: str) -> str:
        if claim.file is None or self.commits is None:
            return ""  # a review (GitHub vouches for it), or no git history to ask
        commit = self.commits.get(claim.file)
        if level not in _MEETS[self.requirement]:
            return self._unproven(claim, commit)
        if (
            commit is not None
            and commit.authored_on
            and claim.dated.isoformat() > commit.authored_on
        ):
            return (
                f"it is dated {claim.dated}, after the commit that vouches for it "
                f"({commit.sha[:12]}, authored {commit.authored_on})"
            )
        return ""

    def _unproven(self, claim: Claim, commit: vcs.Commit | None) -> str:
        if claim.written_by is not None:
            return (
                f"{claim.file} was written on {claim.person}'s behalf by {claim.written_by}, so it "
                f"is never {claim.person}'s own; approvals.require_authenticity is "
                f"{self.requirement}: {claim.person} approves with their own git identity"
            )
        wanted = (
            f"signed with a key of {claim.person}"
            if self.requirement == "signed"
            else f"authored or signed by {claim.person}"
        )
        if claim.file in self.uncommitted:
            found = f"{claim.file} has uncommitted changes"
        elif commit is None:
            found = f"{claim.file} is not committed"
        else:
            signature = "signed" if commit.signature == "G" else "unsigned"
            found = (
                f"the last commit that touched {claim.file} ({commit.sha[:12]}) is {signature} "
                f"and authored by {commit.author_email or 'nobody'}"
            )
        return (
            f"{found}; approvals.require_authenticity is {self.requirement}, so the record "
            f"counts only in a commit {wanted}"
        )


def notary_for(
    history: Path,
    folders: tuple[str, ...],
    *,
    people: Mapping[str, Person],
    requirement: Requirement,
    today: date,
) -> Notary:
    """A notary that knows the last commit of every file under `folders` (relative to
    `history`, a git work tree; outside git, a notary that can prove nothing)."""
    if not vcs.in_work_tree(history):
        return Notary(people, requirement, today)
    with tempfile.TemporaryDirectory(prefix="spendgate-signers-") as scratch:
        signers = Path(scratch) / "allowed_signers"
        signers.write_text(_allowed_signers(people.values()), encoding="utf-8")
        commits = vcs.last_commits(history, folders, allowed_signers=signers)
    return Notary(people, requirement, today, commits, _uncommitted(history, folders))


def _uncommitted(history: Path, folders: tuple[str, ...]) -> frozenset[str]:
    changed: set[str] = set()
    for folder in folders:
        if (history / folder).is_dir():
            changed.update(f"{folder}/{name}" for name in vcs.uncommitted(history / folder) or [])
    return frozenset(changed)


_SSH_KEY_TYPES = ("ssh-", "ecdsa-", "sk-")
_UNSAFE = frozenset('\r\n,*?!"')
"""Characters that would make an allowed-signers line say more than `email key`: a line break,
or a principal pattern (list, wildcard, negation, quoting)."""


def _allowed_signers(people: Iterable[Person]) -> str:
    """git's allowed-signers file: one `email key` line per SSH key (GPG keys are not listed)."""
    return "".join(
        f"{person.email} {key}\n"
        for person in people
        for key in person.signing_keys
        if key.startswith(_SSH_KEY_TYPES) and not set(key + person.email) & _UNSAFE
    )


def _signed_by(commit: vcs.Commit, person: Person) -> bool:
    """A good signature made with one of `person`'s listed keys."""
    if commit.signature != "G":
        return False
    email = person.email.lower()
    principal = commit.signer.lower()
    if principal == email or principal.endswith(f"<{email}>"):
        return True
    listed = {key.replace(" ", "").upper() for key in person.signing_keys}
    return bool(commit.fingerprint) and commit.fingerprint.upper() in listed
