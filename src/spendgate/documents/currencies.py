"""ISO 4217 currencies and their minor units, from the maintained `iso4217` package.

The package ships the ISO 4217 maintenance agency's current list (SIX, List One) and is
released when the list changes, so a new currency (XCG replacing ANG in 2025) or a withdrawn one
(BGN, Bulgaria joining the euro on 2026-01-01) arrives with a dependency update, not a hand
edit. Spendgate accepts the codes of that list that have a minor unit: funds (`IsFund`, e.g.
CHE, USN) and the codes without one (precious metals, SDR, test and "no currency" codes) are
left out, as no purchase is priced in them.

Money carries its currency's exponent: an amount may have at most as many decimal places as the
currency's minor unit (JPY none, EUR two, KWD three). Figures computed from amounts are exact
`Decimal`s and are rounded once, where they are shown or compared, with `round_amount`.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_HALF_UP, Context, Decimal

import iso4217


def _funds() -> frozenset[str]:
    """Codes the list marks as funds (an `IsFund` attribute on their name)."""
    found = set()
    for entry in iso4217.raw_xml.findall("CcyTbl/CcyNtry"):
        name, code = entry.find("CcyNm"), entry.find("Ccy")
        if name is not None and code is not None and code.text and name.get("IsFund"):
            found.add(code.text.strip())
    return frozenset(found)


def _exponents() -> dict[str, int]:
    funds = _funds()
    return {
        currency.code: currency.exponent
        for currency in iso4217.Currency
        if currency.exponent is not None and currency.code not in funds
    }


EXPONENTS: dict[str, int] = _exponents()
"""Each accepted currency code and its minor unit: the number of decimal places it allows."""

ISO_4217 = frozenset(EXPONENTS)
"""The accepted ISO 4217 currency codes."""

_QUANTUM = {code: Decimal(1).scaleb(-places) for code, places in EXPONENTS.items()}

EXACT_DIGITS = 80
"""Significant digits of money arithmetic: enough that a product of a quantity, a price and a
term is never rounded, so that the one rounding of a figure is the last."""

ROUNDING = ROUND_HALF_UP
"""Half a minor unit rounds away from zero, as invoices do and as the euro conversion rules
require (Council Regulation (EC) No 1103/97, Art. 5). Each figure is rounded once, so the bias
that banker's rounding avoids in long chains of roundings does not arise."""

_ROUNDING_CONTEXT = Context(prec=EXACT_DIGITS, rounding=ROUNDING)
EXACT = Context(prec=EXACT_DIGITS)
"""The context of money arithmetic (`EXACT.multiply(amount, rate)`): its methods, unlike the
operators, never depend on the thread's current context."""


def exact_sum(amounts: Iterable[Decimal]) -> Decimal:
    """The sum of `amounts`, unrounded."""
    total = Decimal(0)
    for amount in amounts:
        total = EXACT.add(total, amount)
    return total


def exponent(currency: str) -> int:
    """The number of decimal places `currency` allows (KeyError for a code not accepted)."""
    return EXPONENTS[currency]


def decimal_places(amount: Decimal) -> int:
    """How many decimal places an amount is written with, trailing zeros aside (10.50 has 1)."""
    position = amount.normalize().as_tuple().exponent
    assert isinstance(position, int)  # finite amounts only: the models reject the others
    return max(0, -position)


def minor_unit_problem(amount: Decimal, currency: str) -> str | None:
    """Why `amount` cannot be an amount of `currency`, or None when its precision fits."""
    allowed = EXPONENTS.get(currency)
    places = decimal_places(amount)
    if allowed is None or places <= allowed:
        return None
    written = f"{amount.normalize():f}"
    counted = f"{places} decimal place{'s' if places != 1 else ''}"
    if allowed == 0:
        return f"{currency} has no minor unit: {written} has {counted}"
    return f"{currency} has {allowed} decimal places (ISO 4217): {written} has {counted}"


def round_amount(amount: Decimal, currency: str) -> Decimal:
    """`amount` rounded to `currency`'s minor unit (half up): the one rounding of a figure."""
    return amount.quantize(_QUANTUM[currency], context=_ROUNDING_CONTEXT)


def format_amount(amount: Decimal, currency: str) -> str:
    """`amount` written with exactly its currency's decimal places: JPY 1200, EUR 1200.00."""
    return f"{round_amount(amount, currency):f}"
