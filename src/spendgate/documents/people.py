"""People (`org/people.yaml`): who works here, their roles, managers and dated delegations."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from spendgate.documents.fields import (
    Document,
    Email,
    Identifier,
    IsoDate,
    RefersTo,
    Slug,
    StrictModel,
)


class Person(StrictModel):
    """One person: contact, GitHub login, roles, departments, manager and signing keys."""

    id: Identifier
    """The person's id, which documents use to name them, e.g. `karl.meier`."""
    name: str
    """The person's full name."""
    email: Email
    """The work email; with `author-match`, their commits are recognised by it."""
    github: str | None = None
    """The GitHub login, to map pull-request reviews to people."""
    roles: list[Slug] = []
    """The roles the person holds, e.g. `cfo`, `procurement`, `dpo`."""
    departments: list[Slug] = []
    """The departments the person belongs to (a director directs these)."""
    manager: Annotated[Identifier | None, RefersTo("Person")] = None
    """The id of the person's line manager."""
    signing_keys: list[str] = []
    """SSH public keys (`ssh-ed25519 AAAA…`) or GPG fingerprints that sign this person's commits."""


class Delegation(StrictModel):
    """`from` lends `roles` to `to` for the dates given; a delegate cannot delegate further."""

    from_: Annotated[Identifier, RefersTo("Person")] = Field(alias="from")
    """The id of the person who lends their roles."""
    to: Annotated[Identifier, RefersTo("Person")]
    """The id of the person who may act in those roles meanwhile."""
    roles: list[Slug] = Field(min_length=1)
    """The roles lent; `from` must hold each of them."""
    start: IsoDate
    """The first day of the delegation (ISO date, YYYY-MM-DD)."""
    end: IsoDate
    """The last day of the delegation, inclusive (ISO date, YYYY-MM-DD)."""
    reason: str
    """Why the roles are lent, e.g. parental leave."""

    @model_validator(mode="after")
    def _dates_in_order(self) -> Delegation:
        if self.end < self.start:
            raise ValueError(f"delegation ends ({self.end}) before it starts ({self.start})")
        if self.from_ == self.to:
            raise ValueError(f"{self.to} cannot delegate to themselves")
        return self


class People(Document):
    """Everyone who requests or approves, and the delegations among them."""

    kind: Literal["People"]
    """The document kind: always `People`."""
    people: list[Person] = Field(min_length=1)
    """Everyone who requests or approves purchases."""
    delegations: list[Delegation] = []
    """Dated delegations of roles from one person to another."""
