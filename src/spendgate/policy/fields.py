"""Which fields an expression reads: found in its text, checked against the context's shape.

A rule that reads `vendor.esg.ecovdis` is a policy error at load time, not a silent `false` at
evaluation. The shape of every context variable comes from the document models (and the few
values spendgate computes); field chains are found in the expression text once string literals
are blanked out. Chains that start from a macro variable (`l` in `exists(l, l.category …)`) are
not checked here; CEL reports those at evaluation.
"""

from __future__ import annotations

import difflib
import math
import re
import types
import typing
from collections.abc import Iterable
from datetime import date
from decimal import Decimal
from functools import cache
from typing import Any, Union

from pydantic import BaseModel

from spendgate.documents.ai_assessment import AIAssessment
from spendgate.documents.currencies import ISO_4217, round_amount
from spendgate.documents.fields import Money
from spendgate.documents.people import Person
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.documents.vendor import Vendor
from spendgate.policy.context import from_day_number

#: A field whose children are not known in advance (a map such as FX rates), a leaf, a date.
OPEN: dict[str, Any] = {"*": None}
LEAF = None
DATE = "date"
#: An amount of money in the currency of the object that holds it (its `currency`; the base
#: currency when it has none), and an amount in the base currency. CEL reads them as doubles;
#: people and reports read them as exact decimals at the currency's minor unit.
MONEY = "money"
MONEY_BASE = "money:base"
#: A decimal that is not money (a line's quantity): read back exactly, as written.
DECIMAL = "decimal"

_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'(?:[^\'\\]|\\.)*\'')
_CHAIN = re.compile(r"(?<![\w.])([A-Za-z_]\w*)((?:\.[A-Za-z_]\w*)+)(\s*\()?")

LINE_FIELDS = (
    "description",
    "category",
    "quantity",
    "unit_price",
    "unit_price_base",
    "currency",
    "price_per",
    "total",
    "total_base",
    "annualised_base",
    "term_months",
    "useful_life_months",
    "billing",
    "possession_right",
    "implementation_of",
    "funded",
    "probable",
    "forecast_utilisation",
    "negotiation_note",
    "benchmark",
    "benchmark_median_base",
    "benchmark_p75_base",
    "asset_value_base",
    "classification",
)
REQUEST_COMPUTED = (
    "currency",
    "total",
    "total_base",
    "annualised_base",
    "cumulative_total_base",
    "categories",
    "fiscal_year",
    "in_year_base",
    "start",
    "end",
    "classification",
    "capex_total_base",
    "opex_total_base",
)
ORG_FIELDS = (
    "name industry jurisdictions base_currency fiscal_year_start accounting_framework "
    "capitalization_threshold"
)
IN_YEAR_FIELDS = ("fiscal_year", "amount_base", "budget_remaining_base")
BUDGET_FIELDS = "cost_centre fiscal_year owner amount_base committed_base remaining_base"
#: The computed amounts in the currency of the line or request that holds them; every computed
#: field named `…_base` (and the capitalisation threshold) is an amount in the base currency.
OWN_CURRENCY_AMOUNTS = frozenset({"unit_price", "total"})
BASE_AMOUNTS = frozenset({"capitalization_threshold"})


def _computed(names: Iterable[str]) -> dict[str, Any]:
    """The shape of computed fields: amounts by their names, every other one a leaf."""
    return {name: _computed_shape(name) for name in names}


def _computed_shape(name: str) -> Any:
    if name.endswith("_base") or name in BASE_AMOUNTS:
        return MONEY_BASE
    if name == "quantity":
        return DECIMAL
    return MONEY if name in OWN_CURRENCY_AMOUNTS else LEAF


def _model_of(annotation: Any) -> type[BaseModel] | None:
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType, list):
        for argument in typing.get_args(annotation):
            found = _model_of(argument)
            if found is not None:
                return found
        return None
    if typing.get_origin(annotation) is typing.Annotated:
        return _model_of(typing.get_args(annotation)[0])
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    return None


def _is_date(annotation: Any) -> bool:
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        return any(_is_date(argument) for argument in typing.get_args(annotation))
    if origin is typing.Annotated:
        return _is_date(typing.get_args(annotation)[0])
    return annotation is date


def _is_amount(annotation: Any, metadata: Iterable[Any] = ()) -> bool:
    """Whether a model field holds money: declared `Money` (by `fields.Amount`), directly or
    as an option."""
    if any(isinstance(item, Money) for item in metadata):
        return True
    origin = typing.get_origin(annotation)
    if origin in (Union, types.UnionType):
        return any(_is_amount(argument) for argument in typing.get_args(annotation))
    if origin is typing.Annotated:
        return _is_amount(None, annotation.__metadata__)
    return False


def _is_open_map(annotation: Any) -> bool:
    if typing.get_origin(annotation) in (Union, types.UnionType):
        return any(_is_open_map(argument) for argument in typing.get_args(annotation))
    return typing.get_origin(annotation) is dict


def model_shape(model: type[BaseModel]) -> dict[str, Any]:
    """Field name (by alias) to the shape below it: a dict, OPEN, or LEAF."""
    shape: dict[str, Any] = {}
    for name, info in model.model_fields.items():
        if name in ("api_version", "kind"):
            continue
        key = info.alias or name
        nested = _model_of(info.annotation)
        if nested is not None:
            shape[key] = model_shape(nested)
        elif _is_open_map(info.annotation):
            shape[key] = OPEN
        elif _is_date(info.annotation):
            shape[key] = DATE
        elif _is_amount(info.annotation, info.metadata):
            shape[key] = MONEY
        else:
            shape[key] = LEAF
    return shape


@cache
def context_shape() -> dict[str, Any]:
    """The shape of every context variable an expression may start from."""
    request = model_shape(PurchaseRequest)
    request.update(_computed(REQUEST_COMPUTED))
    request.update(start=DATE, end=DATE)
    line = _computed(LINE_FIELDS)
    request["line_items"] = line
    request["in_year"] = _computed(IN_YEAR_FIELDS)
    return {
        "request": request,
        "vendor": model_shape(Vendor),
        "ai": model_shape(AIAssessment),
        "org": _computed(ORG_FIELDS.split()),
        "budget": _computed(BUDGET_FIELDS.split()),
        "requester": model_shape(Person),
        "now": DATE,
        "this_year": LEAF,
        "line": line,
    }


def field_chains(expression: str) -> list[tuple[str, int]]:
    """Every `a.b.c` chain read by the expression with its offset; method names dropped."""
    blanked = _STRING.sub(lambda match: " " * len(match.group(0)), expression)
    chains = []
    for match in _CHAIN.finditer(blanked):
        parts = [match.group(1), *match.group(2)[1:].split(".")]
        if match.group(3):  # `x.startsWith(` : the last part is a method, not a field
            parts = parts[:-1]
        chains.append((".".join(parts), match.start()))
    return chains


def unknown_field(chain: str, variables: dict[str, Any]) -> str | None:
    """The first part of `chain` that the context does not define, or None if all is known."""
    parts = chain.split(".")
    if parts[0] not in variables:
        return None  # a macro variable or a function; CEL checks those itself
    shape: Any = variables[parts[0]]
    for index, part in enumerate(parts[1:], start=1):
        if shape is OPEN:
            return None
        if not isinstance(shape, dict) or part not in shape:
            return ".".join(parts[: index + 1])
        shape = shape[part]
    return None


def closest_field(chain: str, variables: dict[str, Any]) -> str | None:
    """The known field nearest to an unknown `chain` (as `unknown_field` returns it), spelt
    like it: `vendor.status` for `vendor.stauts`, `vendor` for `vendr`; None if none is near."""
    *known, wrong = chain.split(".")
    shape: Any = variables
    for part in known:
        shape = shape.get(part) if isinstance(shape, dict) else None
    if not isinstance(shape, dict) or shape is OPEN:
        return None
    close = difflib.get_close_matches(wrong, sorted(map(str, shape)), n=1)
    return ".".join((*known, close[0])) if close else None


def reads(expression: str, variables: dict[str, Any]) -> tuple[str, ...]:
    """The context fields the expression reads, for evidence: known chains only, in order."""
    seen: dict[str, None] = {}
    for chain, _ in field_chains(expression):
        if chain.split(".")[0] in variables and unknown_field(chain, variables) is None:
            seen[chain] = None
    return tuple(seen)


def field_shape(chain: str, variables: dict[str, Any]) -> Any:
    """The shape at the end of a known chain: a dict, OPEN, LEAF or DATE."""
    parts = chain.split(".")
    shape: Any = variables.get(parts[0])
    for part in parts[1:]:
        if not isinstance(shape, dict) or shape is OPEN:
            return LEAF
        shape = shape.get(part)
    return shape


def display(value: Any, shape: Any, base_currency: str, currency: str | None = None) -> Any:
    """A context value as people read it, recursively: day numbers back to ISO dates, amounts
    back to exact decimals at their currency's minor unit (`currency`: that of the object
    holding the value, if it has one)."""
    if shape == DATE and isinstance(value, int):
        return from_day_number(value).isoformat()
    if shape == DECIMAL and isinstance(value, float) and math.isfinite(value):
        return Decimal(repr(value))
    if shape in (MONEY, MONEY_BASE) and isinstance(value, (int, float)):
        return exact_amount(value, currency if shape == MONEY and currency else base_currency)
    if isinstance(value, dict) and isinstance(shape, dict) and shape is not OPEN:
        own = value.get("currency")
        own = own if isinstance(own, str) else None
        return {
            key: display(item, shape.get(key), base_currency, own) for key, item in value.items()
        }
    if isinstance(value, list):
        return [display(item, shape, base_currency, currency) for item in value]
    return value


def exact_amount(value: float, currency: str) -> Decimal | float:
    """The decimal an amount of the context stands for, at `currency`'s minor unit.

    The context's doubles come from decimals already rounded to a minor unit and below the
    models' absurdity limit (at most 15 significant digits), so the shortest repr of the double
    is that decimal: the conversion is exact. A value that is not finite, or a currency that is
    not ISO 4217, is left as it is.
    """
    if isinstance(value, bool) or not math.isfinite(value):
        return value
    exact = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
    return round_amount(exact, currency) if currency in ISO_4217 else exact
