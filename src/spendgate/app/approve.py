"""`spendgate approve`'s core: write an approval record, or refuse one that would not count."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import date
from pathlib import Path

from spendgate.app.governed_changes import governance_owners
from spendgate.approvals.changes import content_digest, is_governance
from spendgate.approvals.digest import CURRENT_VERSION, request_digest
from spendgate.approvals.roles import authority
from spendgate.approvals.written import ApprovalWritten
from spendgate.decisions import RouteStep
from spendgate.documents.ai_assessment import AIAssessment
from spendgate.documents.approval import Approval, ChangeApproval
from spendgate.documents.fields import Document
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.documents.repository import Repository
from spendgate.errors import ApprovalRefused, UsageError
from spendgate.policy.compile import PolicyBook
from spendgate.policy.engine import Engine
from spendgate.policy.gate import load


@dataclass(frozen=True)
class ApprovalRequest:
    """What the person asks to record."""

    request_id: str
    role: str
    person: str
    """Who approves (`--as`); "" for whoever git's user.email names in People."""
    reject: bool
    comment: str | None
    on: date
    git_email: str | None = None
    """The email git would author a commit with: who is running the command."""
    written_by: str | None = None
    """Who runs the command, when it is not `person` (`--as` someone else): the record says so
    and never counts as `person`'s own."""


def record_approval(root: Path, asked: ApprovalRequest) -> ApprovalWritten:
    """Write the approval record; UsageError saying why it would not count.

    The same person's earlier record for the same role is replaced (git keeps it) once it no
    longer counts, typically because a material change to the request voided it: approving
    again after a change just works. A record that still counts fills its step, so approving
    again is refused before this point ("already filled")."""
    repository, config, book, _ = load(root)
    asked = _identified(repository, asked)
    if book is None:
        raise UsageError("the policies do not compile; run `spendgate validate`")
    entry = repository.index.get("PurchaseRequest", {}).get(asked.request_id)
    if entry is None or not isinstance(entry.document.model, PurchaseRequest):
        raise UsageError(f"no request {asked.request_id!r} in {root}")
    request = entry.document.model
    if asked.person not in repository.people:
        raise UsageError(f"{asked.person!r} is not in org/people.yaml")
    engine = Engine(book, repository, config, asked.on)
    decision = engine.decide(entry.document)
    _refuse_if_it_would_not_count(engine, decision.route, request, asked)
    path = root / config.paths.approvals / request.id / f"{asked.role}-{asked.person}.yaml"
    assessment = repository.get("AIAssessment", request.ai_assessment or "")
    digest = request_digest(request, assessment if isinstance(assessment, AIAssessment) else None)
    replaced = _replaced(repository, path, lambda old: _approval_voided(old, request.id, digest))
    _write_record(path, _record(asked, digest))
    return _written(root, path, asked, replaced, change=None)


def _written(
    root: Path, path: Path, asked: ApprovalRequest, replaced: str, *, change: str | None
) -> ApprovalWritten:
    """What was written at `path`: for the request `asked` names, or for the governance file
    `change` when one is given."""
    return ApprovalWritten(
        path=path.relative_to(root).as_posix(),
        request_id=None if change else asked.request_id,
        change=change,
        role=asked.role,
        person=asked.person,
        decision="reject" if asked.reject else "approve",
        written_by=asked.written_by,
        replaced=replaced,
    )


def _identified(repository: Repository, asked: ApprovalRequest) -> ApprovalRequest:
    """`asked` with its approver named, and with who wrote it when that is someone else: git's
    user.email names the person running the command (through People); `--as` someone else
    makes the record one written on their behalf."""
    email = (asked.git_email or "").lower()
    me = next(
        (p.id for p in repository.people.values() if email and p.email.lower() == email), None
    )
    if not asked.person:
        if me is None:
            known = asked.git_email or "not set"
            raise UsageError(
                f"cannot tell who you are from git's user.email ({known}); pass --as PERSON"
            )
        return replace(asked, person=me)
    if asked.person == me:
        return asked
    return replace(asked, written_by=me or asked.git_email or "an unknown git user")


def _approval_voided(old: Document, request_id: str, digest: str) -> str:
    """Why an earlier Approval no longer counts, as far as its content tells."""
    if isinstance(old, Approval) and old.request_digest != digest:
        return f", which a change to {request_id} voided"
    return ""


def _change_approval_voided(old: Document, change: str, digest: str) -> str:
    """Why an earlier ChangeApproval no longer counts; UsageError when it still does (it stands
    for this content until the file changes, like an approval that fills its step)."""
    if not isinstance(old, ChangeApproval):
        return ""
    if old.content_digest == digest:
        raise ApprovalRefused(
            f"{old.approver}'s {old.decision} of {change} as it stands is recorded already "
            f"({old.date}); it stands until {change} changes"
        )
    return f", which a change to {change} voided"


def _replaced(repository: Repository, path: Path, why: Callable[[Document], str]) -> str:
    """What writing `path` replaces: "" when nothing is there; a UsageError when what is there is
    not a plain file of the repository (a link, a pipe: never written through or into)."""
    if not (path.exists() or path.is_symlink()):
        return ""
    relative = path.relative_to(repository.root).as_posix()
    if path.is_symlink() or not path.is_file():
        raise UsageError(f"{relative} is not a regular file; remove it and approve again")
    for loaded in repository.files:
        if loaded.file == relative:
            for document in loaded.documents:
                if document.model is not None:
                    dated = getattr(document.model, "date", None)
                    return f"the record of {dated}{why(document.model)}"
    return f"{relative}, which did not load"


def _write_record(path: Path, text: str) -> None:
    """Write a record through a temporary file: a reader never sees half of it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    temporary.write_text(text, encoding="utf-8")
    temporary.replace(path)


def _refuse_if_it_would_not_count(
    engine: Engine, route: tuple[RouteStep, ...], request: PurchaseRequest, asked: ApprovalRequest
) -> None:
    who, role = asked.person, asked.role
    _refuse_a_future_date(asked)
    if who == request.requester:
        raise ApprovalRefused(f"{who} is the requester of {request.id} and cannot approve it")
    steps = [step for step in route if role in step.roles]
    if not steps:
        needed = ", ".join(sorted({name for step in route for name in step.roles})) or "nothing"
        raise ApprovalRefused(f"{request.id} needs no {role} approval (its route: {needed})")
    open_steps = [step for step in steps if not step.satisfied and not step.rejected]
    if asked.reject and not open_steps:  # a no stops the request even after another's yes
        open_steps = [step for step in steps if not step.rejected]
    if not open_steps:
        step = steps[0]
        if step.rejected:
            raise ApprovalRefused(
                f"the {role} step of {request.id} was rejected by {step.approved_by} on "
                f"{step.approved_on}; only a material change to the request clears a rejection"
            )
        raise ApprovalRefused(
            f"the {role} step of {request.id} is already filled by {step.approved_by}"
        )
    filled = [step.role for step in route if step.approved_by == who and role not in step.roles]
    if filled and not engine.config.approvals.allow_one_person_many_steps:
        raise ApprovalRefused(
            f"{who} already fills the {filled[0]} step of {request.id}; one person fills one step"
        )
    decided = authority(
        who, role, asked.on, eligible=open_steps[0].eligible, delegations=engine.desk.delegations
    )
    if not decided.allowed:
        raise ApprovalRefused(
            f"{decided.reason}; may approve: {', '.join(open_steps[0].eligible) or 'nobody'}"
        )
    if not engine.book.parallel and not asked.reject:
        _refuse_out_of_order(route, open_steps[0], request)


def _refuse_out_of_order(
    route: tuple[RouteStep, ...], step: RouteStep, request: PurchaseRequest
) -> None:
    """Stages are sequential (SPEC §6): a step is approved once every earlier stage is."""
    waiting = [other for other in route if other.stage < step.stage and not other.satisfied]
    if not waiting:
        return
    listed = "; ".join(
        f"stage {other.stage} {' + '.join(other.roles)} "
        f"(may approve: {', '.join(other.eligible) or 'nobody'})"
        for other in waiting
    )
    raise ApprovalRefused(
        f"the {step.role} step of {request.id} is stage {step.stage}, and earlier stages are "
        f"still open: {listed}; approve it once they are approved"
    )


def _refuse_a_future_date(asked: ApprovalRequest) -> None:
    """A record dated after the commit that adds it never counts (SPEC §6)."""
    if asked.on > date.today():
        raise UsageError(
            f"--on {asked.on} is in the future; a record dated after the commit that adds it "
            "does not count"
        )


def _record(asked: ApprovalRequest, digest: str) -> str:
    lines = [
        "apiVersion: spendgate/v1",
        "kind: Approval",
        f"request: {asked.request_id}",
        f"approver: {asked.person}",
        f"role: {asked.role}",
        f"decision: {'reject' if asked.reject else 'approve'}",
        f"date: {asked.on.isoformat()}",
    ]
    if asked.comment:
        lines.append("comment: " + _quoted(asked.comment))
    if asked.written_by:
        lines.append("written_by: " + _quoted(asked.written_by))
    lines.append(f"digest_version: {CURRENT_VERSION}")
    lines.append(f"request_digest: {digest}")
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar: safe for any comment text."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def record_change_approval(root: Path, asked: ApprovalRequest) -> ApprovalWritten:
    """Write a ChangeApproval of the governed file `asked.request_id` (a path: a governance
    file, or a vendor file whose evidence changes) as it stands, replacing the same person's
    earlier one (git keeps it), which counts only for the content it approved."""
    repository, config, book, _ = load(root)
    asked = _identified(repository, asked)
    change = asked.request_id
    vendors = config.paths.vendors.rstrip("/") + "/"
    governed = is_governance(change, config.paths) or change.startswith(vendors)
    if not governed or not (root / change).is_file():
        raise UsageError(f"{change} is neither a governance file nor a vendor file of {root}")
    _refuse_a_future_date(asked)
    owner = _owner_of(repository, book, change, vendors)
    if asked.role != owner:
        raise UsageError(f"a change to {change} is approved by {owner}, not {asked.role}")
    person = repository.people.get(asked.person)
    if person is None or owner not in person.roles:
        raise UsageError(f"{asked.person} does not hold {owner}")
    stem = change.replace("/", "-").removesuffix(".yaml")
    path = root / config.paths.approvals / "governance" / f"{stem}-{asked.person}.yaml"
    digest = content_digest(root / change)
    replaced = _replaced(repository, path, lambda old: _change_approval_voided(old, change, digest))
    lines = [
        "apiVersion: spendgate/v1",
        "kind: ChangeApproval",
        f"change: {change}",
        f"approver: {asked.person}",
        f"role: {owner}",
        f"decision: {'reject' if asked.reject else 'approve'}",
        f"date: {asked.on.isoformat()}",
        *([f"comment: {_quoted(asked.comment)}"] if asked.comment else []),
        *([f"written_by: {_quoted(asked.written_by)}"] if asked.written_by else []),
        f"content_digest: {digest}",
    ]
    _write_record(path, "\n".join(lines) + "\n")
    return _written(root, path, asked, replaced, change=change)


def _owner_of(repository: Repository, book: PolicyBook | None, change: str, vendors: str) -> str:
    """The role whose approval a change to `change` needs: the one the gate asks for."""
    owners = governance_owners(repository, book)
    if change.startswith(vendors):
        return owners["vendors"]
    return owners.get(change, owners["*"])
