"""Property (issue 14): one hostile document never costs the other documents their decisions.

Each example takes one YAML file of an example repository and mutates it once: a value of another
type or size (huge integers, long strings, deep nesting, YAML 1.1 number forms, tags, aliases), a
key added, removed or renamed (null, numeric, unhashable and duplicate keys), a broken encoding
(invalid UTF-8 bytes, BOMs, CRLF and other line breaks, UTF-16), a YAML syntax break, or a file
name that is not UTF-8. It then runs the real `spendgate check --format json` in-process and
asserts the invariant:

- no traceback and no "internal error" on stderr, and a documented exit code (0, 1 or 2; never 3);
- standard output, when there is any, is one JSON document;
- every request the mutation cannot reach is decided exactly as in the unmutated run.

What a mutation of file F can reach (`Workspace.reached`), kept simple and on the safe side:
every request when F holds a document every decision reads (Config, People, Budgets,
PriceBenchmarks, policies); otherwise a request R when F is R's own file, when F is one of the
inputs R's decision lists (its vendor, its AI assessment), or when F's original text names R's id,
vendor, cost centre, AI assessment or the request R amends or renews. The names cover approvals
and waivers (they name the request or vendor) and the cross-request checks: split purchases and
duplicates (same vendor), budgets (same cost centre) and change orders (amends).

The budget is fixed for CI: `EXAMPLES_PER_REPOSITORY` (40) examples per example repository,
derandomized, at most 10 s each, no example database; about 25 s in all. A longer local search:
`SPENDGATE_PROPERTY_EXAMPLES=2000 python -m pytest tests/test_properties.py`.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import EXAMPLES, Cli, Outcome

# On a failure, Hypothesis's pytest plugin imports libcst when it is installed (it is not part of
# constraints.txt, but some machines have it), and libcst 1.0 warns on import; the warnings-as-
# errors setting would turn that into a pytest INTERNALERROR that hides the failing example.
pytestmark = pytest.mark.filterwarnings(
    "ignore:mypy_extensions.TypedDict is deprecated:DeprecationWarning"
)

AS_OF = "2026-11-22"
EXAMPLES_PER_REPOSITORY = int(os.environ.get("SPENDGATE_PROPERTY_EXAMPLES", "40"))
BUDGET = settings(
    max_examples=EXAMPLES_PER_REPOSITORY,
    deadline=timedelta(seconds=10),
    derandomize=True,
    database=None,
    # The repository copy (tmp_path) and the `cli` fixture are shared by the examples of one
    # test on purpose: each example restores the one file it changed.
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

#: Kinds whose documents are per vendor or per request; any other kind is read by every decision.
LOCAL_KINDS = frozenset(
    {"PurchaseRequest", "Vendor", "AIAssessment", "Approval", "ChangeApproval", "Waiver"}
)
#: The request fields that name the documents and requests a decision depends on.
REFERENCE_FIELDS = ("id", "vendor", "cost_centre", "ai_assessment", "amends", "renews")


# --- the repository under test --------------------------------------------------------------


@dataclass(frozen=True)
class Mutation:
    """One file's new content (and perhaps its new name in the same folder)."""

    file: str
    edit: str
    content: bytes
    name: str | None = None
    """The new file name, with any non-UTF-8 bytes as surrogate escapes (os.fsdecode)."""

    def __repr__(self) -> str:
        renamed = f" renamed to {self.name!r}" if self.name is not None else ""
        return f"Mutation({self.file}{renamed}: {self.edit})"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        printer.text(repr(self))  # Hypothesis would print every field, content included


@dataclass(repr=False)
class Workspace:
    """A copy of one example repository and its unmutated decisions."""

    root: Path
    files: dict[str, bytes]
    decisions: dict[str, dict[str, Any]]
    names: dict[str, frozenset[str]] = field(default_factory=dict)
    kinds: dict[str, frozenset[str]] = field(default_factory=dict)

    def __repr__(self) -> str:
        return f"Workspace({self.root.name}, {len(self.files)} files)"

    def _repr_pretty_(self, printer: Any, cycle: bool) -> None:
        # A falsifying example prints its fixtures too; a repr of every file's bytes would trip
        # Hypothesis's "overly large repr" warning, which filterwarnings=error makes fatal.
        printer.text(repr(self))

    @contextmanager
    def applied(self, mutation: Mutation) -> Iterator[None]:
        original = self.root / mutation.file
        target = original.parent / mutation.name if mutation.name is not None else original
        original.unlink()
        try:
            target.write_bytes(mutation.content)
            yield
        finally:
            target.unlink(missing_ok=True)
            original.write_bytes(self.files[mutation.file])

    def reached(self, file: str) -> set[str]:
        """The requests whose decision a mutation of `file` may change (module docstring)."""
        if not self.kinds[file] <= LOCAL_KINDS:
            return set(self.decisions)
        text = self.files[file].decode()
        return {
            request
            for request, decision in self.decisions.items()
            if decision["file"] == file
            or file in {path for path, _digest in decision["inputs"]["documents"]}
            or any(_mentions(text, name) for name in self.names[request])
        }


def _mentions(text: str, name: str) -> bool:
    return re.search(rf"(?<![\w.-]){re.escape(name)}(?![\w-])", text) is not None


def _decisions(outcome: Outcome) -> dict[str, list[dict[str, Any]]]:
    decided: dict[str, list[dict[str, Any]]] = {}
    if outcome.stdout.strip():
        for decision in json.loads(outcome.stdout)["decisions"]:
            decided.setdefault(decision["request_id"], []).append(decision)
    return decided


def _check(cli: Cli, root: Path) -> Outcome:
    return cli("check", root, "--as-of", AS_OF, "--format", "json")


@pytest.fixture(params=["bank", "manufacturer", "retailer"])
def workspace(request: pytest.FixtureRequest, tmp_path: Path, cli: Cli) -> Workspace:
    root = tmp_path / request.param
    shutil.copytree(EXAMPLES / request.param, root)
    files = {path.relative_to(root).as_posix(): path.read_bytes() for path in root.rglob("*.yaml")}
    baseline = _check(cli, root)
    assert (baseline.exit_code, baseline.stderr) == (1, ""), baseline
    decisions = {rid: found for rid, (found,) in _decisions(baseline).items()}
    workspace = Workspace(root, files, decisions)
    for path, content in files.items():
        documents = [doc for doc in yaml.safe_load_all(content) if isinstance(doc, dict)]
        workspace.kinds[path] = frozenset(str(doc.get("kind")) for doc in documents)
        for doc in documents:
            if doc.get("kind") == "PurchaseRequest" and doc.get("id") in decisions:
                references = (doc.get(name) for name in REFERENCE_FIELDS)
                workspace.names[doc["id"]] = frozenset(str(ref) for ref in references if ref)
    assert set(workspace.names) == set(decisions)
    return workspace


# --- values, keys and edits -------------------------------------------------------------------

#: YAML forms that YAML 1.1 and 1.2 read differently, tags, aliases, and other odd scalars.
ODD_SCALARS = [
    "~", "null", "NULL", "", "true", "False", "yes", "no", "on", "off", "y", "n", "NO",
    "0", "-0", "010", "0o17", "0x1_F", "0B1111", "0b101", ".1_0", "1_000", "+12", "12e3",
    "1e400", "-1e400", ".inf", "-.Inf", ".nan", "NaN", "190:20:30", "! 12", "!!str 12",
    '!!int "12"', "!!float 1", "!!binary aGVsbG8=", "!!timestamp 2026-11-22",
    "!!python/object/apply:os.system [true]", "!!set {a, b}", "!!omap [a: 1]", "!custom x",
    "&anchor value", "*undefined", "2026-11-22", "2026-02-30", "2026-13-45", "2026-11-22T10:00Z",
    "'single quoted'", '"double \\" quoted"', '"\\u0000"', '"\\ud800"', '"\\x1b[31mred"',
    '"line\\n::error file=x.yaml::forged"', "[]", "{}", "[~, null]", "{~: 1}", "{null: 1, 2: x}",
    "{[a]: 1}", "{a: 1, a: 2}", "<<: *a",
]  # fmt: skip
SYNTAX_BREAKS = [
    "\t", "  ", "- ", ": ", "? ", "[", "]", "{", "}", "&a ", "*a ", "!tag ", "!!binary ", "|",
    ">", "'", '"', "#", "@", "`", ",", "%", "%YAML 1.1\n", "%YAML 2.0\n---\n",
    "%TAG !e! tag:example.com,2000:\n---\n", "---\n", "...\n", "<<: *a\n", "x: &a [*a]\n",
]  # fmt: skip
ODD_KEYS = [
    "~", "null", "NULL", "''", '""', "1", "-1", "0x10", "1.5", ".inf", "true", "yes", "no",
    "2026-11-22", "[a, b]", "{a: 1}", "'quoted key'", '"new\\nline"', '"::error file=x::x"',
    "<<", "? complex", "apiVersion", "kind", "id",
]  # fmt: skip
BAD_BYTES = [
    b"\xff", b"\xfe", b"\x80", b"\xc3\x28", b"\xc0\xaf", b"\xed\xa0\x80", b"\xf4\x90\x80\x80",
    b"\x00", b"\x07", b"\x1b[31m", b"\xef\xbb\xbf", "\u2028".encode(), "\u0085".encode(),
    b"\r", b"\x0c", b"\t",
]  # fmt: skip
ODD_NAMES = [
    b"\xff\xfe.yaml", b"caf\xe9.yaml", b"new\nline.yaml", b"tab\tname.yaml",
    b"%0A::error file=x::forged.yaml", b" leading-space.yaml", b"-dash.yaml", b".hidden.yaml",
    b"renamed.yml", b"renamed.YAML", b"\xef\xbb\xbfbom.yaml", "ünïcödé.yaml".encode(),
    "\u202eright-to-left.yaml".encode(),
]  # fmt: skip


def _flow(items: list[str], mapping: bool) -> str:
    if mapping:
        pairs = zip(items[::2], items[1::2], strict=False)
        return "{" + ", ".join(f"{key}: {value}" for key, value in pairs) + "}"
    return "[" + ", ".join(items) + "]"


def scalars() -> st.SearchStrategy[str]:
    return st.one_of(
        st.integers().map(str),
        st.sampled_from(ODD_SCALARS),
        st.text(max_size=30).map(json.dumps),
        st.text(min_size=1, max_size=30),  # unquoted: it may break the line it lands on
        st.floats().map(repr),
    )


def values() -> st.SearchStrategy[str]:
    """YAML source text for one value: it may break the document, as data in a PR can."""
    return st.one_of(
        scalars(),
        # Past Python's 4,300-digit limit for int <-> str.
        st.integers(4000, 20_000).map(lambda digits: "9" * digits),
        st.integers(1_000, 200_000).map(lambda size: '"' + "x" * size + '"'),
        st.integers(2, 5_000).map(lambda depth: "[" * depth + "]" * depth),
        st.integers(2, 5_000).map(lambda depth: "{a: " * depth + "1" + "}" * depth),
        st.integers(2, 10_000).map(lambda size: "[" + ", ".join(["1"] * size) + "]"),
        st.lists(scalars(), max_size=5).flatmap(
            lambda items: st.booleans().map(lambda mapping: _flow(items, mapping))
        ),
        st.sampled_from(["|\n  one\n  two", ">-\n  folded\n  text", "\n  nested: 1", "\n  - a"]),
    )


def keys(known: list[str]) -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(ODD_KEYS),
        st.sampled_from(known),  # a duplicate of a key the file already has
        st.from_regex(r"[a-z_][a-z0-9_]{0,15}", fullmatch=True),
        st.text(max_size=20).map(json.dumps),
        st.integers(1_025, 100_000).map(lambda size: "k" * size),
    )


ENTRY = re.compile(r"(?P<head>(?P<indent> *)(?P<dash>- )?)(?P<key>[A-Za-z_][\w.-]*):(?P<rest>.*)")


@dataclass(frozen=True)
class Entry:
    """A `key: value` line and the lines of its value below it."""

    start: int
    end: int
    head: str
    key: str
    rest: str
    column: int

    @classmethod
    def at(cls, lines: list[str], start: int) -> Entry:
        match = ENTRY.fullmatch(lines[start].rstrip("\n"))
        assert match is not None
        column = len(match["head"])
        opens = not match["rest"].strip()
        end = start + 1
        while end < len(lines) and _inside(lines[end], column, opens_block=opens):
            end += 1
        while end > start + 1 and not lines[end - 1].strip():
            end -= 1
        return cls(start, end, match["head"], match["key"], match["rest"], column)

    def value(self, text: str) -> str:
        return text.replace("\n", "\n" + " " * (self.column + 2))


def _inside(line: str, column: int, *, opens_block: bool) -> bool:
    depth = len(line) - len(line.lstrip(" "))
    if not line.strip() or depth > column:
        return True
    return opens_block and depth == column and line.lstrip().startswith("- ")


@st.composite
def structural_edits(draw: st.DrawFn, path: str, content: bytes) -> Mutation:
    lines = content.decode().splitlines(keepends=True)
    starts = [index for index, line in enumerate(lines) if ENTRY.fullmatch(line.rstrip("\n"))]
    entry = Entry.at(lines, draw(st.sampled_from(starts)))
    before, block, after = lines[: entry.start], lines[entry.start : entry.end], lines[entry.end :]
    operation = draw(st.sampled_from(["value", "remove", "rename", "add", "value"]))
    if operation == "value":
        text = draw(values())
        block = [f"{entry.head}{entry.key}: {entry.value(text)}\n"]
        edit = f"line {entry.start + 1}: {entry.key} set to {_short(text)}"
    elif operation == "remove":
        block = [entry.head.rstrip() + "\n"] if entry.head.strip() else []
        edit = f"line {entry.start + 1}: {entry.key} removed"
    elif operation == "rename":
        key = draw(keys(sorted({Entry.at(lines, start).key for start in starts})))
        block = [f"{entry.head}{key}:{entry.rest}\n", *block[1:]]
        edit = f"line {entry.start + 1}: {entry.key} renamed to {_short(key)}"
    else:
        key, text = draw(keys([entry.key])), draw(values())
        block = [*block, f"{' ' * entry.column}{key}: {entry.value(text)}\n"]
        edit = f"after line {entry.end}: added {_short(key)}: {_short(text)}"
    return Mutation(path, edit, "".join([*before, *block, *after]).encode())


def _tabs(content: bytes) -> bytes:
    return re.sub(rb"(?m)^((?:  )+)", lambda match: b"\t" * (len(match[1]) // 2), content)


WHOLE_FILE_EDITS: dict[str, Callable[[bytes], bytes]] = {
    "emptied": lambda content: b"",
    "UTF-8 BOM prepended": lambda content: b"\xef\xbb\xbf" + content,
    "two UTF-8 BOMs prepended": lambda content: b"\xef\xbb\xbf\xef\xbb\xbf" + content,
    "CRLF line breaks": lambda content: content.replace(b"\n", b"\r\n"),
    "CR line breaks": lambda content: content.replace(b"\n", b"\r"),
    "NEL line breaks": lambda content: content.replace(b"\n", "\u0085".encode()),
    "U+2028 line breaks": lambda content: content.replace(b"\n", "\u2028".encode()),
    "UTF-16 with BOM": lambda content: content.decode().encode("utf-16"),
    "UTF-16-LE without BOM": lambda content: content.decode().encode("utf-16-le"),
    "UTF-32": lambda content: content.decode().encode("utf-32"),
    "Latin-1": lambda content: content.decode().encode("latin-1", "replace"),
    "indented with tabs": _tabs,
    "whitespace only": lambda content: b"  \n\n",
    "a document marker only": lambda content: b"---\n",
    "a null document": lambda content: b"~\n",
    "a list": lambda content: b"- a\n- b\n",
    "a plain string": lambda content: b"hello\n",
    "the document repeated": lambda content: content + b"---\n" + content,
    "an empty document added": lambda content: content + b"---\n",
    "a YAML 1.1 directive": lambda content: b"%YAML 1.1\n---\n" + content,
    "a NUL byte appended": lambda content: content + b"\x00",
}


def byte_edits(path: str, content: bytes) -> st.SearchStrategy[Mutation]:
    offsets = st.integers(0, len(content))
    line_starts = [0] + [index + 1 for index, byte in enumerate(content[:-1]) if byte == 0x0A]
    snippets = st.sampled_from(SYNTAX_BREAKS).map(str.encode)

    def insert(where: int, inserted: bytes) -> Mutation:
        edited = content[:where] + inserted + content[where:]
        return Mutation(path, f"{inserted!r} inserted at byte {where}", edited)

    return st.one_of(
        st.sampled_from(sorted(WHOLE_FILE_EDITS)).map(
            lambda name: Mutation(path, name, WHOLE_FILE_EDITS[name](content))
        ),
        st.builds(insert, offsets, st.sampled_from(BAD_BYTES) | st.binary(min_size=1, max_size=8)),
        st.builds(insert, st.sampled_from(line_starts), snippets),
        st.builds(insert, offsets, snippets),
        offsets.map(lambda size: Mutation(path, f"truncated to {size} bytes", content[:size])),
    )


def renames(path: str, content: bytes) -> st.SearchStrategy[Mutation]:
    return st.sampled_from(ODD_NAMES).map(
        lambda name: Mutation(path, "same content", content, name=os.fsdecode(name))
    )


def mutations(files: dict[str, bytes]) -> st.SearchStrategy[Mutation]:
    def of(path: str) -> st.SearchStrategy[Mutation]:
        content = files[path]
        edits = {
            "structure": structural_edits(path, content),
            "bytes": byte_edits(path, content),
            "name": renames(path, content),
        }
        # Edits that keep the YAML well-formed reach the models and the policies, where values
        # are interpreted: half of the draws.
        weighted = ["structure", "bytes", "structure", "name"]
        return st.sampled_from(weighted).flatmap(lambda name: edits[name])

    return st.sampled_from(sorted(files)).flatmap(of)


def _short(text: str, limit: int = 60) -> str:
    if len(text) <= limit:
        return repr(text)
    return f"{text[:limit]!r}…(+{len(text) - limit} chars)"


# --- the property -----------------------------------------------------------------------------


def _shown(outcome: Outcome) -> str:
    return f"exit {outcome.exit_code}\nstderr: {outcome.stderr[-2000:]}"


@BUDGET
@given(data=st.data())
def test_one_mutated_document_never_changes_the_others(
    workspace: Workspace, cli: Cli, data: st.DataObject
) -> None:
    mutation = data.draw(mutations(workspace.files), label="mutation")
    with workspace.applied(mutation):
        outcome = _check(cli, workspace.root)
    assert "Traceback" not in outcome.stderr, _shown(outcome)
    assert "internal error" not in outcome.stderr, _shown(outcome)
    assert outcome.exit_code in (0, 1, 2), _shown(outcome)
    decided = _decisions(outcome)  # fails here when standard output is not one JSON document
    untouched = set(workspace.decisions) - workspace.reached(mutation.file)
    changed = sorted(
        request for request in untouched if decided.get(request) != [workspace.decisions[request]]
    )
    assert not changed, f"decisions changed: {changed}\n{_shown(outcome)}"
