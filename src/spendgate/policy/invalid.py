"""The decision for a request that cannot be judged: each problem with it is a hard finding."""

from __future__ import annotations

from decimal import Decimal

from spendgate import __version__
from spendgate.decisions import INTERNAL_ERROR, Classification, Decision, Finding, Inputs
from spendgate.documents.currencies import format_amount
from spendgate.problems import Location, Problem

#: The problem code of a request whose deciding met a bug in spendgate (exit code 3).


def internal_error(file: str, error: Exception) -> Problem:
    """What an `invalid` decision says when spendgate itself failed while deciding the request."""
    return Problem(
        Location(file),
        f"internal error while deciding this request: {type(error).__name__}: {error}; "
        "please report it",
        INTERNAL_ERROR,
    )


def invalid_decision(
    request: tuple[str, str, str], problems: list[Problem], base_currency: str, inputs: Inputs
) -> Decision:
    """`request` is (id, file, title); the status is `invalid` and nothing is routed."""
    request_id, file, title = request
    findings = tuple(
        Finding(
            problem.code,
            problem.message,
            "validate",
            __version__,
            "hard",
            problem.message,
            problem.location,
        )
        for problem in problems
    )
    return Decision(
        request_id,
        file,
        title,
        "invalid",
        format_amount(Decimal(0), base_currency),
        base_currency,
        Classification("none"),
        (),
        findings,
        inputs,
    )
