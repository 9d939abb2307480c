"""Rule messages: Jinja2 templates rendered in a sandbox with limits (SPEC §4, §13).

Jinja2's SandboxedEnvironment keeps a template away from Python internals but not from CPU and
memory: a loop over `range(1000000000)`, loops nested over a request's line items, or a string
doubled forty times would hold the check. Rendering therefore runs on a budget, counted in
operations rather than seconds so that the same inputs always give the same decision:

- every loop iteration, call, filter, attribute or item lookup, operator and printed value costs
  one operation, at most `MAX_OPERATIONS` per message;
- the rendered message is at most `MAX_OUTPUT` characters;
- `range()` makes at most `MAX_RANGE` numbers;
- any value a template makes (a string, a list, a call's or filter's result) holds at most
  `MAX_VALUE` characters or items, and any integer at most `MAX_INTEGER_BITS` bits; repetition
  (`*`), powers (`**`) and widths (`center`, `indent`, `tojson(indent)`, `ljust`, `%10d`,
  `{:>10}`, ...) are refused before they are computed, and widths taken from an argument (`%*d`,
  `{:{}}`) are refused outright.

The loops, concatenations (`~`) and printed values are bounded by rewriting the template's syntax
tree once, at policy load, so that each passes through the sandbox's `call` hook. Whatever goes
wrong while rendering, limit or error, is a RuleFailure ("message template: ..."), which the
engine turns into a finding at the rule.
"""

from __future__ import annotations

import functools
import re
import types
from collections.abc import Callable, Generator, Iterable, Iterator
from contextlib import closing
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, cast

from jinja2 import TemplateError, nodes
from jinja2.environment import Template
from jinja2.runtime import Context
from jinja2.sandbox import SandboxedEnvironment
from jinja2.visitor import NodeTransformer

from spendgate.policy.failure import RuleFailure

#: Operations (loop iterations, calls, filters, lookups, operators, printed values) per message.
MAX_OPERATIONS = 100_000
#: Characters of one rendered message.
MAX_OUTPUT = 10_000
#: Numbers one `range()` may make (Jinja2's own sandbox allows 100,000).
MAX_RANGE = 10_000
#: Characters or items of any value made while rendering; also the largest width or repeat.
MAX_VALUE = 100_000
#: Bits of an integer made while rendering (about 1,233 decimal digits).
MAX_INTEGER_BITS = 4_096

#: Filters whose numeric arguments are widths or counts: what they make grows with them.
_WIDENING_FILTERS = frozenset({"batch", "center", "indent", "slice", "tojson", "truncate"})
_WIDENING_METHODS = frozenset({"center", "expandtabs", "ljust", "rjust", "zfill"})
_SIZED = (str, list, tuple, dict, set, frozenset)
#: A `%` or `{}` format width or precision of six digits or more, or taken from an argument.
_WIDE_FORMAT = re.compile(
    r"%(?:\([^)]*\))?[-+ #0]*(?:\*|\d{6,}|\d*\.(?:\*|\d{6,}))|\{[^{}]*:[^{}]*(?:\{|\d{6,})"
)


class LimitExceeded(RuleFailure):
    """A message template reached one of the sandbox's limits."""


@dataclass
class _Budget:
    operations: int = 0
    output: int = 0


_BUDGET: ContextVar[_Budget | None] = ContextVar("spendgate_template_budget", default=None)


def _spend() -> None:
    budget = _BUDGET.get()
    if budget is None:  # a filter folded into a constant at policy load: only its checks apply
        return
    budget.operations += 1
    if budget.operations > MAX_OPERATIONS:
        raise LimitExceeded(f"rendering takes more than {MAX_OPERATIONS:,} operations")


def _sized(value: Any) -> Any:
    """`value`, once it is known to be within MAX_VALUE and MAX_INTEGER_BITS."""
    if isinstance(value, _SIZED) and len(value) > MAX_VALUE:
        raise LimitExceeded(f"a value of more than {MAX_VALUE:,} characters or items")
    if isinstance(value, int) and value.bit_length() > MAX_INTEGER_BITS:
        raise LimitExceeded(f"an integer of more than {MAX_INTEGER_BITS:,} bits")
    return value


def _check_widths(name: str, arguments: Iterable[Any]) -> None:
    for argument in arguments:
        if isinstance(argument, int | float) and abs(argument) > MAX_VALUE:
            raise LimitExceeded(f"{name}() with {argument:,}, above {MAX_VALUE:,}")


def _check_format(text: Any) -> None:
    if isinstance(text, str) and _WIDE_FORMAT.search(text):
        raise LimitExceeded(
            f"a format width above {MAX_VALUE - 1:,}, or one taken from an argument"
        )


def _check_operands(operator: str, left: Any, right: Any) -> None:
    if operator == "*":
        for sequence, times in ((left, right), (right, left)):
            repeated = isinstance(sequence, _SIZED) and isinstance(times, int)
            if repeated and len(sequence) * times > MAX_VALUE:
                raise LimitExceeded(f"a value of more than {MAX_VALUE:,} characters or items")
    elif operator == "**" and isinstance(left, int) and isinstance(right, int) and right > 0:
        if abs(left) > 1 and left.bit_length() * right > MAX_INTEGER_BITS:
            raise LimitExceeded(f"an integer of more than {MAX_INTEGER_BITS:,} bits")
    elif operator == "%":
        _check_format(left)


def _bounded_filter(name: str, function: Callable[..., Any]) -> Callable[..., Any]:
    # Filters marked pass_context/pass_environment/pass_eval_context get that object first.
    skip = 1 if getattr(function, "jinja_pass_arg", None) is not None else 0

    @functools.wraps(function)  # keeps jinja_pass_arg, so Jinja still passes what it expects
    def bounded(*arguments: Any, **options: Any) -> Any:
        _spend()
        if name in _WIDENING_FILTERS:
            _check_widths(name, (*arguments[skip + 1 :], *options.values()))
        elif name == "format" and len(arguments) > skip:
            _check_format(arguments[skip])
        return _sized(function(*arguments, **options))

    return bounded


def _range(*arguments: int) -> range:
    numbers = range(*arguments)
    if numbers[MAX_RANGE:]:  # slicing measures even a range too long for len()
        raise LimitExceeded(f"range() makes more than {MAX_RANGE:,} numbers")
    return numbers


class _MessageSandbox(SandboxedEnvironment):
    """Jinja2's sandbox, with every operation counted and every value it makes bounded."""

    intercepted_binops = frozenset({"*", "**", "%", "+"})

    def __init__(self) -> None:
        super().__init__(autoescape=False, keep_trailing_newline=False)
        self.globals["range"] = _range
        del self.globals["lipsum"]  # makes paragraphs by the thousand; no message needs it
        self.filters = {name: _bounded_filter(name, f) for name, f in self.filters.items()}

    def call(__self, __context: Context, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        _spend()
        if isinstance(__obj, types.BuiltinMethodType) and isinstance(__obj.__self__, str):
            if __obj.__name__ in _WIDENING_METHODS:
                _check_widths(__obj.__name__, (*args, *kwargs.values()))
            elif __obj.__name__ in ("format", "format_map"):  # older Jinja2 releases hand them here
                _check_format(__obj.__self__)
        return _sized(super().call(__context, __obj, *args, **kwargs))

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        _spend()
        _check_operands(operator, left, right)
        return _sized(super().call_binop(context, operator, left, right))

    def getattr(self, obj: Any, attribute: str) -> Any:
        _spend()
        return super().getattr(obj, attribute)

    def getitem(self, obj: Any, argument: Any) -> Any:
        _spend()
        return super().getitem(obj, argument)

    def wrap_str_format(self, value: Any) -> Callable[..., str] | None:
        formatter = super().wrap_str_format(value)
        if formatter is None:
            return None
        _check_format(value.__self__)
        return formatter

    def spendgate_each(self, items: Iterable[Any]) -> Iterator[Any]:
        """What a `{% for %}` loop iterates: its items, each one an operation."""
        for item in items:
            _spend()
            yield item

    def spendgate_sized(self, value: Any) -> Any:
        """A printed value or a `~` concatenation, once `call` has counted and sized it."""
        return value


class _Bounding(NodeTransformer):
    """Routes loops, concatenations and printed values through the sandbox's `call` hook."""

    def visit_For(self, node: nodes.For) -> nodes.Node:
        self.generic_visit(node)
        node.iter = _through("spendgate_each", node.iter)
        return node

    def visit_Concat(self, node: nodes.Concat) -> nodes.Node:
        self.generic_visit(node)
        return _through("spendgate_sized", node)

    def visit_Output(self, node: nodes.Output) -> nodes.Node:
        self.generic_visit(node)
        node.nodes = [
            child if isinstance(child, nodes.TemplateData) else _through("spendgate_sized", child)
            for child in node.nodes
        ]
        return node


def _through(hook: str, node: nodes.Node) -> nodes.Expr:
    return nodes.Call(
        nodes.EnvironmentAttribute(hook, lineno=node.lineno),
        [node],
        [],
        None,
        None,
        lineno=node.lineno,
    )


_SANDBOX = _MessageSandbox()


def compile_message(text: str) -> Template:
    """A message template, bounded; TemplateSyntaxError if it does not parse."""
    tree = _Bounding().visit(_SANDBOX.parse(text))
    tree.set_environment(_SANDBOX)
    return _SANDBOX.from_string(tree)


def render(template: Template, variables: dict[str, Any]) -> str:
    """The message with its whitespace collapsed; RuleFailure when rendering fails or is cut off."""
    budget = _Budget()
    token = _BUDGET.set(budget)
    pieces = []
    try:
        generator = cast(Generator[str, None, None], template.generate(**variables))
        with closing(generator) as chunks:
            for chunk in chunks:
                budget.output += len(chunk)
                if budget.output > MAX_OUTPUT:
                    raise LimitExceeded(f"the message is longer than {MAX_OUTPUT:,} characters")
                pieces.append(chunk)
    except RuleFailure as failure:
        raise RuleFailure(f"message template: {failure}") from None
    except TemplateError as error:
        raise RuleFailure(f"message template: {error.message or error}") from None
    except Exception as error:  # policy code ran in the sandbox: whatever it raised is the rule's
        raise RuleFailure(f"message template: {type(error).__name__}: {error}") from None
    finally:
        _BUDGET.reset(token)
    return " ".join("".join(pieces).split())
