"""Whether an approval record was really written by its approver (SPEC §6).

In a git repository, the commit that added the record decides: `signed` when git verifies its
signature with a key listed for the approver in People (`signing_keys`: SSH public keys, checked
through git's allowed-signers file, or GPG fingerprints of keys in the keyring), `author-match`
when the commit's author email is the approver's, `unverified` otherwise (or outside git).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterable
from pathlib import Path

from spendgate import vcs
from spendgate.documents.people import Person

SIGNED = "signed"
AUTHOR_MATCH = "author-match"
UNVERIFIED = "unverified"


def authenticate(
    root: Path, records: Iterable[tuple[str, str]], *, people: dict[str, Person], directory: str
) -> dict[str, str]:
    """Record file to how its approver is known to have written it; `records`: (file, approver)."""
    records = list(records)
    if not records or not vcs.is_repository(root):
        return dict.fromkeys((file for file, _ in records), UNVERIFIED)
    with tempfile.TemporaryDirectory(prefix="spendgate-signers-") as scratch:
        signers = Path(scratch) / "allowed_signers"
        signers.write_text(_allowed_signers(people.values()), encoding="utf-8")
        commits = vcs.additions(root, directory, allowed_signers=signers)
    return {file: _judge(commits.get(file), people.get(approver)) for file, approver in records}


_SSH_KEY_TYPES = ("ssh-", "ecdsa-", "sk-")


def _allowed_signers(people: Iterable[Person]) -> str:
    """git's allowed-signers file: one `email key` line per SSH key (GPG keys are not listed)."""
    return "".join(
        f"{person.email} {key}\n"
        for person in people
        for key in person.signing_keys
        if key.startswith(_SSH_KEY_TYPES)
    )


def _judge(commit: vcs.Commit | None, approver: Person | None) -> str:
    if commit is None or approver is None:
        return UNVERIFIED
    email = approver.email.lower()
    listed = {key.replace(" ", "").upper() for key in approver.signing_keys}
    by_key = commit.fingerprint and commit.fingerprint.upper() in listed
    if commit.signature == "G" and (email in commit.signer.lower() or by_key):
        return SIGNED
    if commit.author_email == email:
        return AUTHOR_MATCH
    return UNVERIFIED
