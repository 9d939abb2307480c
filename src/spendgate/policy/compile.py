"""Compiling policies: every expression once, at load, with errors located in the policy file.

A policy's `when`/`assert` conditions become one combined CEL list program per policy, so a
request's data crosses into the CEL runtime once per policy rather than once per rule; the
classification table of a rule becomes one program that maps every line item to the index of
its first matching row. Rule messages are Jinja2 templates compiled in a bounded sandbox
(`templates`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from jinja2 import TemplateSyntaxError
from pydantic import BaseModel, ValidationError

from spendgate.documents.loading import LoadedDocument
from spendgate.documents.locator import Locator, YamlPath
from spendgate.documents.policy import (
    ClassifyRow,
    Policy,
    PolicySet,
    Requirement,
    Rule,
    Rung,
    Scope,
)
from spendgate.errors import ConfigurationError
from spendgate.policy.cel import CelSyntaxError, Program, compile_expression
from spendgate.policy.checks import CHECKS, BuiltinCheck
from spendgate.policy.context import VARIABLES
from spendgate.policy.fields import (
    closest_field,
    context_shape,
    field_chains,
    reads,
    unknown_field,
)
from spendgate.policy.templates import compile_message
from spendgate.problems import Location, Problem, Severity

NOT_APPLICABLE, PASSED, FAILED = 0, 1, 2


@dataclass(frozen=True)
class CompiledRow:
    """One classification row with its compiled condition."""

    row: ClassifyRow
    program: Program


@dataclass(frozen=True)
class CompiledRule:
    """A rule ready to evaluate: its programs, its check, its message template, its place."""

    id: str
    title: str
    effect: str
    enforcement: str
    location: Location
    when: Program | None = None
    assertion: Program | None = None
    requirement: Requirement | None = None
    rows: tuple[CompiledRow, ...] = ()
    check: BuiltinCheck | None = None
    check_params: BaseModel | None = None
    message: Any = None
    reads: tuple[str, ...] = ()
    when_reads: tuple[str, ...] = ()
    description: str = ""
    """The rule's own explanation, for reports that show help text (SARIF, Markdown)."""
    fix: str = ""
    """What clears a finding of the rule (the policy's `fix`), for reports to show."""
    message_roots: tuple[str, ...] = ()

    def combined_element(self) -> str:
        """This rule's element of its policy's list program (0 not applicable, 1 pass, 2 fail)."""
        condition = f"({self.when.source})" if self.when else "true"
        if self.assertion is not None:
            return f"{condition} ? (({self.assertion.source}) ? 1 : 2) : 0"
        return f"{condition} ? 1 : 0"


#: Where a policy lists its escalation chain.
ESCALATION = ("spec", "escalation")


@dataclass(frozen=True)
class CompiledPolicy:
    """A policy ready to evaluate: its facts, compiled rules and programs."""

    name: str
    version: str
    owner: str
    file: str
    digest: str
    scope: Scope
    rules: tuple[CompiledRule, ...]
    combined: Program | None
    tables: tuple[tuple[CompiledRule, Program], ...]
    escalation: tuple[Rung, ...] = ()
    rung_locations: tuple[Location, ...] = ()
    """Where each rung of the escalation chain names its role, for problems about it."""

    @cached_property
    def listed(self) -> tuple[CompiledRule, ...]:
        """The rules of the combined program, in its order: all but classification tables."""
        return tuple(rule for rule in self.rules if rule.effect != "classify")


@dataclass(frozen=True)
class PolicyBook:
    """The compiled policy set a repository is judged by."""

    name: str
    version: str
    source: str
    policies: tuple[CompiledPolicy, ...]
    parallel: bool = False
    """The policy set lets approval stages proceed in any order."""
    owner: str = "procurement"
    """The role whose approval a change to the policy set needs."""
    vendor_data_owner: str = "procurement"
    """The role whose approval a change to a vendor's evidence needs."""

    @property
    def rules(self) -> tuple[tuple[CompiledPolicy, CompiledRule], ...]:
        """Every rule of every policy, with its policy."""
        return tuple((policy, rule) for policy in self.policies for rule in policy.rules)


class PolicyErrors(ConfigurationError):
    """Policies that do not compile; every problem located in its file (exit code 2)."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__(f"{len(problems)} policy problem(s)")
        self.problems = problems


class _Compiler:
    def __init__(self, locator: Locator, digests: dict[str, str]) -> None:
        self.locator = locator
        self.digests = digests
        self.problems: list[Problem] = []
        self.shape = context_shape()

    def fail(self, document: LoadedDocument, path: YamlPath, message: str) -> None:
        where = self.locator.locate(document.file, document.index, path)
        self.problems.append(Problem(where, message, "policy", severity=Severity.CONFIGURATION))

    def expression(
        self, document: LoadedDocument, path: YamlPath, source: str, *, line_variable: bool = False
    ) -> Program | None:
        variables = (
            self.shape if line_variable else {k: v for k, v in self.shape.items() if k != "line"}
        )
        try:
            program = compile_expression(source)
        except CelSyntaxError as error:
            message = f"CEL: {error.message}{_spelt_like(error.message, variables)}"
            self.fail_at(document, path, source, error.line, error.column, message)
            return None
        given = _not_a_condition(source)
        if given is not None:
            self.fail(document, path, f"CEL: the condition gives {given}, not a boolean")
            return None
        for chain, offset in field_chains(source):
            unknown = unknown_field(chain, variables)
            if unknown is not None:
                line = source.count("\n", 0, offset) + 1
                column = offset - (source.rfind("\n", 0, offset) + 1) + 1
                close = closest_field(unknown, variables)
                hint = f"; did you mean {close}?" if close else ""
                message = f"unknown field {unknown}{hint}"
                self.fail_at(document, path, source, line, column, message)
                return None
        return program

    def fail_at(
        self,
        document: LoadedDocument,
        path: YamlPath,
        source: str,
        line: int,
        column: int,
        message: str,
    ) -> None:
        where = self.locator.locate(document.file, document.index, path)
        if line == 1 and "\n" not in source and where.line > 0:
            where = Location(where.file, where.line, where.column + column - 1, where.yaml_path)
        elif line > 1 or "\n" in source:
            message = f"{message} (line {line}, column {column} of the expression)"
        self.problems.append(Problem(where, message, "policy", severity=Severity.CONFIGURATION))

    def template(self, document: LoadedDocument, path: YamlPath, text: str | None) -> Any:
        if text is None:
            return None
        try:
            return compile_message(text)
        except TemplateSyntaxError as error:
            self.fail(document, path, f"message template: {error.message}")
            return None

    def check(
        self, document: LoadedDocument, path: YamlPath, rule: Rule
    ) -> tuple[BuiltinCheck | None, BaseModel | None]:
        assert rule.check is not None
        builtin = CHECKS[rule.check.name]
        try:
            return builtin, builtin.params.model_validate(rule.check.params)
        except ValidationError as error:
            detail = error.errors(include_url=False)[0]
            field = ".".join(str(part) for part in detail["loc"])
            self.fail(
                document,
                (*path, "check", "params"),
                f"{rule.check.name} params: {field}: {detail['msg']}",
            )
            return None, None

    def rule(
        self, document: LoadedDocument, policy: Policy, index: int, rule: Rule
    ) -> CompiledRule:
        path: YamlPath = ("spec", "rules", index)
        when = self.expression(document, (*path, "when"), rule.when) if rule.when else None
        assertion = (
            self.expression(document, (*path, "assert"), rule.assert_) if rule.assert_ else None
        )
        rows = tuple(
            CompiledRow(row, program)
            for position, row in enumerate(rule.classify or ())
            if (
                program := self.expression(
                    document, (*path, "classify", position, "when"), row.when, line_variable=True
                )
            )
        )
        builtin, params = self.check(document, path, rule) if rule.check else (None, None)
        effect = (
            "assert"
            if rule.assert_
            else "require"
            if rule.require
            else "classify"
            if rule.classify
            else "check"
        )
        sources = " ".join(filter(None, (rule.when, rule.assert_)))
        return CompiledRule(
            id=rule.id,
            title=rule.title,
            description=(rule.description or "").strip(),
            fix=" ".join((rule.fix or "").split()),
            effect=effect,
            enforcement=rule.enforcement or policy.spec.enforcement,
            location=self.locator.locate(document.file, document.index, (*path, "id")),
            when=when,
            assertion=assertion,
            requirement=rule.require,
            rows=rows,
            check=builtin,
            check_params=params,
            message=self.template(document, (*path, "message"), rule.message),
            reads=reads(sources, self.shape),
            when_reads=reads(rule.when or "", self.shape),
            message_roots=_roots(rule.message),
        )

    def policy(self, document: LoadedDocument) -> CompiledPolicy | None:
        policy = document.model
        assert isinstance(policy, Policy)
        before = len(self.problems)
        rules = tuple(
            self.rule(document, policy, index, rule) for index, rule in enumerate(policy.spec.rules)
        )
        if len(self.problems) > before:
            return None
        listed = [rule for rule in rules if rule.effect != "classify"]
        combined = (
            compile_expression("[" + ", ".join(r.combined_element() for r in listed) + "]")
            if listed
            else None
        )
        tables = tuple((rule, _table_program(rule)) for rule in rules if rule.effect == "classify")
        return CompiledPolicy(
            name=policy.metadata.name,
            version=policy.metadata.version,
            owner=policy.metadata.owner,
            file=document.file,
            digest=self.digests.get(document.file, ""),
            scope=policy.spec.scope,
            rules=rules,
            combined=combined,
            tables=tables,
            escalation=tuple(policy.spec.escalation),
            rung_locations=tuple(
                self.locator.locate(
                    document.file, document.index, ("spec", "escalation", n, "role")
                )
                for n in range(len(policy.spec.escalation))
            ),
        )


def _roots(template: str | None) -> tuple[str, ...]:
    """The context variables a message template mentions; only those are rendered."""
    if not template:
        return ()
    return tuple(root for root in VARIABLES if re.search(rf"\b{root}\b", template))


def _spelt_like(message: str, variables: dict[str, Any]) -> str:
    """ "; did you mean vendor?" when CEL's `message` is about an undeclared name spelt like a
    context variable (`vendr.sanctions.status`), else ""."""
    undeclared = re.search(r"undeclared reference to '([\w.]+)'", message)
    if undeclared is None:
        return ""
    close = closest_field(undeclared.group(1).split(".")[0], variables)
    return f"; did you mean {close}?" if close else ""


def _not_a_condition(source: str) -> str | None:
    """The type a condition gives when CEL can tell it is never a boolean (`amount * 2`, a
    string); None when it is, or may be, one (a field read stays unknown until evaluated)."""
    try:
        compile_expression(f"({source}) ? true : false")
    except CelSyntaxError as error:
        found = re.search(r"overload for '_\?_:_' applied to '\((\w+),", error.message)
        if found is not None:
            return {"double": "a number", "int": "a number", "uint": "a number"}.get(
                found.group(1), f"a {found.group(1)}"
            )
    return None


def _table_program(rule: CompiledRule) -> Program:
    """Every line item to the list of its rows' conditions (the first true one decides).

    A chain of ternaries would stop at the first match, but CEL bounds expression depth (32),
    which a table of 18 rows exceeds; evaluating every row of a line costs a few microseconds.
    """
    rows = ", ".join(f"({row.program.source})" for row in rule.rows)
    return compile_expression(f"request.line_items.map(line, [{rows}])")


def compile_policies(
    documents: list[LoadedDocument], *, locator: Locator, source: str, digests: dict[str, str]
) -> PolicyBook:
    """Compile every Policy document; raise PolicyErrors listing every problem found."""
    compiler = _Compiler(locator, digests)
    policies = [compiler.policy(document) for document in documents if document.kind == "Policy"]
    if compiler.problems:
        raise PolicyErrors(compiler.problems)
    sets = [document.model for document in documents if isinstance(document.model, PolicySet)]
    name, version = (sets[0].metadata.name, sets[0].metadata.version) if sets else (source, "0.0.0")
    members = set(sets[0].spec.policies) if sets and sets[0].spec.policies else None
    compiled = tuple(
        policy
        for policy in policies
        if policy is not None and (members is None or policy.name in members)
    )
    if not sets:
        return PolicyBook(name, version, source, compiled)
    spec = sets[0].spec
    return PolicyBook(
        name,
        version,
        source,
        compiled,
        parallel=spec.stages == "parallel",
        owner=sets[0].metadata.owner,
        vendor_data_owner=spec.vendor_data_owner,
    )
