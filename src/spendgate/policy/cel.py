"""The one place that talks to the CEL library (Google's cel-expr-python, a C++ core).

Chosen by measurement (bench/cel_probe/REPORT.md): with one combined list program per policy
and one activation per request, the reference library costs ~60-90 µs a request, where the
Rust binding costs ~300 µs (its context conversion alone is ~200 µs) and the pure-Python
interpreter ~11 ms. Expressions compile once; CEL cannot do I/O or call back into Python.
"""

from __future__ import annotations

import re
import reprlib
from dataclasses import dataclass
from typing import Any

from cel_expr_python import cel

from spendgate.policy.context import VARIABLES
from spendgate.policy.failure import RuleFailure

_POSITION = re.compile(r"<input>:(\d+):(\d+): (.*?)(?:\n|$)")


class CelSyntaxError(Exception):
    """An expression does not compile; line and column are within the expression."""

    def __init__(self, message: str, line: int, column: int) -> None:
        super().__init__(message)
        self.message = message
        self.line = line
        self.column = column


#: The library's own budget (not configurable from Python): comprehension iterations per evaluation,
#: shared by every comprehension of one program (bench/cel_probe/REPORT.md).
ITERATION_BUDGET = 10_000


class CelEvaluationError(RuleFailure):
    """An expression failed on this data (a missing key, a type mismatch, its budget)."""


@dataclass(frozen=True)
class Program:
    """A compiled CEL expression, with its source."""

    source: str
    compiled: Any


_ENVIRONMENT = cel.NewEnv(variables=dict.fromkeys(VARIABLES, cel.Type.DYN))


def compile_expression(source: str) -> Program:
    """Compile once; raise CelSyntaxError with the position inside the expression."""
    try:
        return Program(source, _ENVIRONMENT.compile(source))
    except RuntimeError as error:
        text = str(error)
        match = _POSITION.search(text)
        if match is None:
            raise CelSyntaxError(text.removeprefix("INVALID_ARGUMENT: "), 1, 1) from None
        message = match.group(3).removeprefix("Syntax error: ")
        raise CelSyntaxError(message, int(match.group(1)), int(match.group(2))) from None


def activation(context: dict[str, Any]) -> Any:
    """Bind a request's context once; evaluate every program against it."""
    return _ENVIRONMENT.Activation(context)


def evaluate(program: Program, bound: Any) -> Any:
    """The plain Python value of `program` on the bound context, or CelEvaluationError."""
    try:
        result = program.compiled.eval(bound)
    except RuntimeError as error:
        # The library returns data errors as values; it raises only when the evaluation's budget
        # runs out ("INTERNAL: Iteration budget exceeded [INTERNAL]").
        raise CelEvaluationError(_budget_message(str(error))) from None
    if result.type() == cel.Type.ERROR:
        raise CelEvaluationError(f"CEL: {result.value()}")
    return result.plain_value()


def condition(program: Program, bound: Any, name: str) -> bool:
    """A condition's value on the bound context; CelEvaluationError unless true or false."""
    value = evaluate(program, bound)
    if not isinstance(value, bool):
        raise CelEvaluationError(not_boolean(name, value))
    return value


def not_boolean(name: str, value: Any) -> str:
    """Why a condition's value is refused: CEL conditions are true or false, never truthy."""
    kind = _KINDS.get(type(value), type(value).__name__)
    return f"`{name}` is {kind} ({reprlib.repr(value)}), not true or false"


_KINDS: dict[type, str] = {
    str: "a string",
    int: "an integer",
    float: "a number",
    list: "a list",
    dict: "a map",
    type(None): "null",
}


def _budget_message(text: str) -> str:
    if "budget" in text.lower():
        return (
            f"CEL: evaluation budget exceeded ({ITERATION_BUDGET:,} comprehension iterations "
            "per expression)"
        )
    return f"CEL: {text}"
