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
    name: str
    email: Email
    github: str | None = None
    """The GitHub login, to map pull-request reviews to people."""
    roles: list[Slug] = []
    departments: list[Slug] = []
    manager: Annotated[Identifier | None, RefersTo("Person")] = None
    signing_keys: list[str] = []
    """SSH public keys (`ssh-ed25519 AAAA…`) or GPG fingerprints that sign this person's commits."""


class Delegation(StrictModel):
    """`from` lends `roles` to `to` for the dates given; a delegate cannot delegate further."""

    from_: Annotated[Identifier, RefersTo("Person")] = Field(alias="from")
    to: Annotated[Identifier, RefersTo("Person")]
    roles: list[Slug] = Field(min_length=1)
    start: IsoDate
    end: IsoDate
    reason: str

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
    people: list[Person] = Field(min_length=1)
    delegations: list[Delegation] = []
