"""Field types shared by the document models: strict where YAML would otherwise guess.

Models run in pydantic's strict mode, so `on` never becomes True and `"10"` never becomes 10.
Dates and amounts get explicit before-validators: YAML 1.2 hands dates over as strings, and
money is held as `Decimal`, never as a float.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    WithJsonSchema,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from spendgate.documents.core_schema import printable
from spendgate.documents.currencies import ISO_4217, minor_unit_problem

API_VERSION = "spendgate/v1"

#: Above this, an amount is taken for a typing mistake rather than a purchase.
ABSURD_AMOUNT = Decimal("1000000000000")

_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


@dataclass(frozen=True)
class RefersTo:
    """Field metadata: the field holds the id of a document of `kind` (or of one of `also`).

    Written `Annotated[Identifier, RefersTo("Vendor")]`; on a list field, each item is such an id.
    The declaration is the one place a reference between documents is stated: the repository's
    dangling-reference check walks it (`references.declared_references`), and the catalogue's
    summaries and a pull request's affected set derive from it. It leaves validation and the JSON
    Schema unchanged.
    """

    kind: str
    """The kind of the document referred to, as indexed: `Vendor`, `Person`, `Benchmark`."""
    also: tuple[str, ...] = ()
    """Other kinds the id may name instead (a waiver's target: a request or a vendor)."""

    @property
    def kinds(self) -> tuple[str, ...]:
        """Every kind the id may name, the first one first."""
        return (self.kind, *self.also)


@dataclass(frozen=True)
class Money:
    """Field metadata: the field holds an amount of money (`Amount` carries it).

    What reads the models' shapes (the policy context's evidence and messages) shows such a
    field as an exact decimal at its currency's minor unit, never as a binary float.
    """


#: The names of the fields a document gave, one set per combination, shared by every model that
#: gave the same ones (`StrictModel.model_post_init`).
_GIVEN_FIELDS: dict[frozenset[str], set[str]] = {}


class StrictModel(BaseModel):
    """Base of every model: unknown fields are errors, values are never coerced, data is frozen."""

    model_config = ConfigDict(
        extra="forbid",
        strict=True,
        frozen=True,
        populate_by_name=True,
    )

    def model_post_init(self, context: Any, /) -> None:
        """Share the set of fields the document gave with every model that gave the same ones.

        pydantic keeps a set per model instance: about 4 KB of a request's 14 KB, held for
        every request of a run. A frozen model's set is never changed in place (`model_copy`
        copies it before adding to the copy's), so models of one shape can share one.
        """
        given = self.__pydantic_fields_set__
        shared = _GIVEN_FIELDS.setdefault(frozenset(given), given)
        if shared is not given:
            object.__setattr__(self, "__pydantic_fields_set__", shared)


def _shown(text: str) -> str:
    """Document text quoted in a message: escaped (one line whatever it holds) and cut short."""
    return f"{printable(text):.60}"


def _parse_date(value: Any) -> Any:
    if isinstance(value, date) or not isinstance(value, str):
        return value
    if not _ISO_DATE.fullmatch(value):
        raise ValueError(f"'{_shown(value)}' is not a date in the form YYYY-MM-DD")
    try:
        return date.fromisoformat(value)
    except ValueError as error:
        raise ValueError(f"'{_shown(value)}' is not a real date ({error})") from None


def _parse_amount(value: Any) -> Any:
    if isinstance(value, bool):
        raise ValueError("must be a number, not a boolean")
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ValueError("must be a finite number")
        return Decimal(repr(value))
    if isinstance(value, str):
        raise ValueError(f"must be a number, not the string '{_shown(value)}'")
    if isinstance(value, Decimal) and not value.is_finite():
        raise ValueError("must be a finite number")
    return value


def _check_currency(code: str) -> str:
    if code not in ISO_4217:
        raise ValueError(f"'{_shown(code)}' is not an ISO 4217 currency code")
    return code


def _check_amount_size(value: Decimal) -> Decimal:
    try:
        too_large = value > ABSURD_AMOUNT
    except InvalidOperation:  # pragma: no cover - finite decimals always compare
        too_large = True
    if too_large:
        shown = f"{value.normalize():,f}"
        raise ValueError(f"{shown} is beyond any plausible purchase (limit {ABSURD_AMOUNT:,})")
    return value


def check_minor_units(title: str, currency: str, amounts: dict[str, Decimal | None]) -> None:
    """Each named amount has at most `currency`'s decimal places (ISO 4217 minor unit).

    Called from a model validator once the currency is known; the error is raised at each
    amount's own field, so that it is reported at that field's line and column.
    """
    errors = [
        InitErrorDetails(
            type=PydanticCustomError("minor_unit", "{problem}", {"problem": problem}),
            loc=(name,),
            input=amount,
        )
        for name, amount in amounts.items()
        if amount is not None and (problem := minor_unit_problem(amount, currency)) is not None
    ]
    if errors:
        raise ValidationError.from_exception_data(title, errors)


IsoDate = Annotated[
    date,
    BeforeValidator(_parse_date),
    WithJsonSchema({"type": "string", "format": "date"}),
]
"""A calendar date written YYYY-MM-DD."""

Amount = Annotated[
    Decimal,
    BeforeValidator(_parse_amount),
    Field(ge=0),
    AfterValidator(_check_amount_size),
    WithJsonSchema({"type": "number", "minimum": 0, "maximum": float(ABSURD_AMOUNT)}),
    Money(),
]
"""A non-negative, finite amount of money below the absurdity limit."""

Quantity = Annotated[
    Decimal,
    BeforeValidator(_parse_amount),
    Field(gt=0),
    AfterValidator(_check_amount_size),
    WithJsonSchema({"type": "number", "exclusiveMinimum": 0}),
]

Currency = Annotated[
    str,
    AfterValidator(_check_currency),
    WithJsonSchema({"type": "string", "enum": sorted(ISO_4217)}),
]
"""An ISO 4217 currency code such as EUR."""

Identifier = Annotated[str, Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9._-]*$", max_length=128)]
"""The id of a document or a person: letters, digits, dot, dash and underscore."""

Slug = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9_-]*$", max_length=64)]
"""A lower-case name: roles, departments, cost centres."""

CountryCode = Annotated[str, Field(pattern=r"^[A-Z]{2}$")]
"""An ISO 3166-1 alpha-2 country code such as NO."""

SemVer = Annotated[
    str,
    Field(
        pattern=r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$"
    ),
]

Months = Annotated[int, Field(ge=1, le=600)]
Percent = Annotated[int, Field(ge=0, le=100)]
Email = Annotated[str, Field(pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")]

Industry = Literal[
    "finance",
    "insurance",
    "manufacturing",
    "retail",
    "healthcare",
    "public_sector",
    "technology",
    "telecom",
    "other",
]

Enforcement = Literal["advisory", "soft", "hard"]


class Document(StrictModel):
    """Fields every document carries."""

    api_version: Literal["spendgate/v1"] = Field(alias="apiVersion")
    """The document format's version: always `spendgate/v1`."""
