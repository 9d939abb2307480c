"""The house is one-way (issue 16): each package imports only its own layer or those below it,
and no two packages import each other, directly or round a longer cycle.

The imports are read from the source with `ast`, every one of them: at module level, inside
functions and under `TYPE_CHECKING`, because a function-level import is a dependency all the
same. A new package or top-level module fails the first test until it is given a layer here.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

from tests.conftest import PROJECT

PACKAGE = PROJECT / "src" / "spendgate"

#: Top to bottom; a unit may import its own layer and every layer below it.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("__main__",),
    ("cli",),
    ("app",),
    ("reporters", "audit", "analytics"),
    ("policy", "approvals"),
    ("documents", "catalogue"),
    ("vcs", "problems", "errors", "decisions", "forking"),
    ("__init__",),
)
LAYER_OF = {unit: depth for depth, units in enumerate(LAYERS) for unit in units}

#: Names the root package itself defines: importing them is importing `spendgate/__init__.py`.
ROOT_NAMES = {"__version__", "HOMEPAGE"}


def unit_of(module: str) -> str:
    """`spendgate.policy.engine` is in unit `policy`; `spendgate` itself is `__init__`."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def imports(package: Path = PACKAGE) -> dict[tuple[str, str], list[str]]:
    """(importing unit, imported unit) -> the `module:line` places of those imports."""
    found: dict[tuple[str, str], list[str]] = defaultdict(list)
    for path in sorted(package.rglob("*.py")):
        module = ".".join(path.relative_to(package.parent).with_suffix("").parts)
        module = module.removesuffix(".__init__")
        source = unit_of(module) if module != "spendgate" else "__init__"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("spendgate"):
                assert node.module is not None
                if node.module == "spendgate":
                    targets = [
                        "__init__" if alias.name in ROOT_NAMES else alias.name
                        for alias in node.names
                    ]
                else:
                    targets = [unit_of(node.module)]
            elif isinstance(node, ast.Import):
                targets = [
                    unit_of(alias.name)
                    for alias in node.names
                    if alias.name.startswith("spendgate")
                ]
            for target in targets:
                if target != source:
                    found[(source, target)].append(f"{module}:{node.lineno}")
    return found


def units() -> set[str]:
    """Every package and top-level module of spendgate."""
    return {
        path.stem if path.is_file() else path.name
        for path in PACKAGE.iterdir()
        if (path.is_file() and path.suffix == ".py")
        or (path.is_dir() and (path / "__init__.py").is_file())
    }


def test_every_package_has_a_layer() -> None:
    assert sorted(units() - set(LAYER_OF)) == []


def climbing(table: dict[tuple[str, str], list[str]]) -> list[str]:
    """The imports of `table` that reach a layer above the importer's."""
    return [
        f"{source} -> {target}: {', '.join(places)}"
        for (source, target), places in sorted(table.items())
        if LAYER_OF.get(target, -1) < LAYER_OF.get(source, -1)
    ]


def test_no_package_imports_a_layer_above_its_own() -> None:
    assert climbing(imports()) == []


def test_no_two_packages_import_each_other_round_a_cycle() -> None:
    graph: dict[str, set[str]] = defaultdict(set)
    for source, target in imports():
        graph[source].add(target)

    def reaches(start: str, goal: str) -> bool:
        seen, todo = set(), [start]
        while todo:
            unit = todo.pop()
            if unit == goal:
                return True
            if unit not in seen:
                seen.add(unit)
                todo.extend(graph.get(unit, ()))
        return False

    cycles = sorted(
        f"{source} -> {target} -> … -> {source}"
        for source in list(graph)
        for target in graph[source]
        if reaches(target, source)
    )
    assert cycles == []


def test_the_reader_sees_an_import_that_climbs(tmp_path: Path) -> None:
    """The check itself works: a function-level upward import in a scratch package is found."""
    package = tmp_path / "spendgate"
    (package / "documents").mkdir(parents=True)
    (package / "documents" / "loading.py").write_text(
        "def load():\n    from spendgate.cli.main import main\n    return main\n"
    )

    assert climbing(imports(package)) == ["documents -> cli: spendgate.documents.loading:2"]


def test_layers_are_named_in_the_readme() -> None:
    readme = (PROJECT / "README.md").read_text(encoding="utf-8")
    for units_of_layer in LAYERS[1:-1]:
        assert " / ".join(f"`{unit}`" for unit in units_of_layer) in readme


def test_one_error_hierarchy_with_one_exit_code_table() -> None:
    """Every error meant for the user is a SpendgateError, and its exit code comes from the one
    table in `spendgate.errors`."""
    import importlib
    import pkgutil

    import spendgate
    from spendgate.errors import EXIT_CODES, ApprovalRefused, SpendgateError
    from spendgate.policy.compile import PolicyErrors

    for module in pkgutil.walk_packages(spendgate.__path__, "spendgate."):
        if not module.name.endswith("__main__"):
            importlib.import_module(module.name)
    families: list[type[SpendgateError]] = []
    todo: list[type[SpendgateError]] = [SpendgateError]
    while todo:
        family = todo.pop()
        families.append(family)
        todo.extend(family.__subclasses__())

    assert issubclass(PolicyErrors, SpendgateError)
    assert all("exit_code" not in vars(family) for family in families[1:])
    assert (ApprovalRefused("no").exit_code, PolicyErrors([]).exit_code) == (1, 2)
    assert set(EXIT_CODES.values()) == {1, 2}


def test_no_module_is_over_400_lines() -> None:
    """A module that grows past 400 lines is doing two things: split it where little crosses."""
    long = {
        str(path.relative_to(PACKAGE)): lines
        for path in sorted(PACKAGE.rglob("*.py"))
        if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 400
    }
    assert long == {}
