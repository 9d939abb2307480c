"""The decision for a request that cannot be judged: each problem with it is a hard finding."""

from __future__ import annotations

from spendgate import __version__
from spendgate.decisions import Classification, Decision, Finding, Inputs
from spendgate.problems import Problem


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
        "0.00",
        base_currency,
        Classification("none"),
        (),
        findings,
        inputs,
    )
