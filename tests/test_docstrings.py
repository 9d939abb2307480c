"""Docstrings on the public API (issue 16): at least 95% of it says, in a line, what it is for.

Public means a module-level function or class, or a method or property of a public class, whose
name does not start with `_`; functions nested inside functions are not counted. The definitions
are read from the source with `ast`, as `test_layers` reads the imports.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.conftest import PROJECT

PACKAGE = PROJECT / "src" / "spendgate"

#: The share of public definitions that must carry a docstring (issue 16's acceptance).
REQUIRED = 0.95

Definition = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def _public(body: list[ast.stmt], prefix: str) -> dict[str, bool]:
    """Qualified name -> documented, for the public definitions in `body` and their classes."""
    found: dict[str, bool] = {}
    for node in body:
        if not isinstance(node, Definition) or node.name.startswith("_"):
            continue
        name = f"{prefix}{node.name}"
        found[name] = bool(ast.get_docstring(node))
        if isinstance(node, ast.ClassDef):
            found.update(_public(node.body, f"{name}."))
    return found


def public_definitions(package: Path = PACKAGE) -> dict[str, bool]:
    """`module.py:Class.name` -> whether it has a docstring, for every public definition."""
    found: dict[str, bool] = {}
    for path in sorted(package.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        found.update(_public(tree.body, f"{path.relative_to(package).as_posix()}:"))
    return found


def test_the_public_api_is_documented() -> None:
    found = public_definitions()
    undocumented = sorted(name for name, documented in found.items() if not documented)
    share = 1 - len(undocumented) / len(found)

    assert share >= REQUIRED, (
        f"{len(found) - len(undocumented)} of {len(found)} public definitions documented "
        f"({share:.1%}), below {REQUIRED:.0%}; undocumented:\n" + "\n".join(undocumented)
    )


def test_what_counts_as_public(tmp_path: Path) -> None:
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "shapes.py").write_text(
        '"""A module."""\n'
        "def drawn():\n"
        '    """Documented."""\n'
        "    def nested(): ...\n"
        "def _private(): ...\n"
        "class Shape:\n"
        "    def area(self): ...\n"
        "    @property\n"
        "    def name(self):\n"
        '        """Documented."""\n'
        "    def _helper(self): ...\n"
        "class _Hidden:\n"
        "    def shown(self): ...\n"
        "async def fetched(): ...\n",
        encoding="utf-8",
    )

    assert public_definitions(tmp_path) == {
        "sub/shapes.py:drawn": True,
        "sub/shapes.py:Shape": False,
        "sub/shapes.py:Shape.area": False,
        "sub/shapes.py:Shape.name": True,
        "sub/shapes.py:fetched": False,
    }
