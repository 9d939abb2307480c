"""`spendgate approve`'s core: write an approval record, or refuse one that would not count."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path

from spendgate.app.governed_changes import governance_owners
from spendgate.approvals.changes import content_digest, is_governance
from spendgate.approvals.digest import CURRENT_VERSION, request_digest
from spendgate.approvals.roles import authority
from spendgate.decisions import RouteStep
from spendgate.documents.ai_assessment import AIAssessment
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
    reject: bool
    comment: str | None
    on: date


def record_approval(root: Path, asked: ApprovalRequest) -> Path:
    """Write the approval record and return its path; UsageError saying why it would not count."""
    repository, config, book, _ = load(root)
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
    if path.exists():
        raise UsageError(f"{path.relative_to(root)} exists already; approvals are not overwritten")
    path.parent.mkdir(parents=True, exist_ok=True)
    assessment = repository.get("AIAssessment", request.ai_assessment or "")
    digest = request_digest(request, assessment if isinstance(assessment, AIAssessment) else None)
    path.write_text(_record(asked, digest), encoding="utf-8")
    return path


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
        raise ApprovalRefused(
            f"the {role} step of {request.id} is already filled by {steps[0].approved_by}"
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
    lines.append(f"digest_version: {CURRENT_VERSION}")
    lines.append(f"request_digest: {digest}")
    return "\n".join(lines) + "\n"


def _quoted(text: str) -> str:
    """A YAML double-quoted scalar: safe for any comment text."""
    escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'"{escaped}"'


def record_change_approval(root: Path, asked: ApprovalRequest) -> Path:
    """Write a ChangeApproval of the governed file `asked.request_id` (a path: a governance
    file, or a vendor file whose evidence changes) as it stands."""
    repository, config, book, _ = load(root)
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
    if path.exists():
        raise UsageError(f"{path.relative_to(root)} exists already; approvals are not overwritten")
    path.parent.mkdir(parents=True, exist_ok=True)
    lines = [
        "apiVersion: spendgate/v1",
        "kind: ChangeApproval",
        f"change: {change}",
        f"approver: {asked.person}",
        f"role: {owner}",
        f"decision: {'reject' if asked.reject else 'approve'}",
        f"date: {asked.on.isoformat()}",
        *([f"comment: {_quoted(asked.comment)}"] if asked.comment else []),
        f"content_digest: {content_digest(root / change)}",
    ]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _owner_of(repository: Repository, book: PolicyBook | None, change: str, vendors: str) -> str:
    """The role whose approval a change to `change` needs: the one the gate asks for."""
    owners = governance_owners(repository, book)
    if change.startswith(vendors):
        return owners["vendors"]
    return owners.get(change, owners["*"])
