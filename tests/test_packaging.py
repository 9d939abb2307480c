"""Packaging (issue 19): the wheel holds everything spendgate reads at run time, and an install
of it, made offline, checks a repository and scaffolds one exactly as the source tree does.

The wheel is built from a copy of the tree with the setuptools the test extras install
(`--no-build-isolation --no-index`: no download), and installed with `--no-index --no-deps`
into a virtual environment that takes the dependencies from this interpreter's site-packages."""

from __future__ import annotations

import email.parser
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from email.message import Message
from pathlib import Path

import pytest

from spendgate import HOMEPAGE, __version__
from tests.conftest import EXAMPLES, PROJECT

AS_OF = "2026-11-22"
WHEEL = f"spendgate-{__version__}-py3-none-any.whl"
DIST_INFO = f"spendgate-{__version__}.dist-info"


def plain_environment(**extra: str) -> dict[str, str]:
    """This environment without what would make Python or pip look past the installation: no
    PYTHONPATH to the source tree, no index."""
    environment = {
        name: value
        for name, value in os.environ.items()
        if name != "PYTHONPATH" and not name.startswith("PIP_")
    }
    return {**environment, "PIP_NO_INDEX": "1", "PIP_DISABLE_PIP_VERSION_CHECK": "1", **extra}


def run(*command: str | Path, cwd: Path, **environment: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(each) for each in command],
        cwd=cwd,
        env=plain_environment(**environment),
        capture_output=True,
        text=True,
    )


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The wheel, built from a copy of the tree (the build writes build/ and *.egg-info)."""
    tree = tmp_path_factory.mktemp("tree")
    ignore = shutil.ignore_patterns("__pycache__", "*.egg-info")
    # src/spendgate/reference_policies is a link to policies/: both are copied as they are.
    shutil.copytree(PROJECT / "src", tree / "src", symlinks=True, ignore=ignore)
    shutil.copytree(PROJECT / "policies", tree / "policies", ignore=ignore)
    for name in ("pyproject.toml", "README.md", "LICENSE"):
        shutil.copy2(PROJECT / name, tree / name)
    dist = tmp_path_factory.mktemp("dist")
    command = [sys.executable, "-m", "pip", "wheel", tree, "--no-deps", "--no-build-isolation"]
    built = run(*command, "--wheel-dir", dist, cwd=tree)
    assert built.returncode == 0, built.stdout + built.stderr
    return dist / WHEEL


@pytest.fixture(scope="module")
def installed(wheel: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bin/ directory of a virtual environment with the wheel installed, offline."""
    venv = tmp_path_factory.mktemp("venv")
    made = run(
        sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv, cwd=venv
    )
    assert made.returncode == 0, made.stderr
    # This interpreter's pip installs into the environment: no second pip to set up there.
    pip = (sys.executable, "-m", "pip", "--python", venv / "bin" / "python")
    install = run(*pip, "install", "--no-deps", wheel, cwd=venv)
    assert install.returncode == 0, install.stdout + install.stderr
    return venv / "bin"


def metadata(wheel: Path) -> Message:
    with zipfile.ZipFile(wheel) as archive:
        text = archive.read(f"{DIST_INFO}/METADATA").decode("utf-8")
    return email.parser.Parser().parsestr(text)


def package_files() -> set[str]:
    """Every file of the package in the source tree, links followed, byte-code aside."""
    package = PROJECT / "src" / "spendgate"
    found = set()
    for directory, subdirectories, files in os.walk(package, followlinks=True):
        subdirectories[:] = [each for each in subdirectories if each != "__pycache__"]
        for name in files:
            path = Path(directory, name).relative_to(package.parent)
            found.add(path.as_posix())
    return found


def test_the_wheel_holds_the_whole_package_and_the_license(wheel: Path) -> None:
    """The templates, the reference policies with their test cases, py.typed: every file the
    source tree has in the package is in the wheel, and nothing else is."""
    with zipfile.ZipFile(wheel) as archive:
        names = set(archive.namelist())
    dist_info = {name for name in names if name.startswith(f"{DIST_INFO}/")}

    assert names - dist_info == package_files()
    assert "spendgate/py.typed" in names
    assert "spendgate/templates/init/workflow.yml.j2" in names
    assert "spendgate/reference_policies/decision-rights.yaml" in names
    assert "spendgate/analytics/sql/focus.sql" in names  # the report's FOCUS queries
    assert f"{DIST_INFO}/licenses/LICENSE" in dist_info


def test_the_metadata_names_the_license_the_pythons_and_the_project_pages(wheel: Path) -> None:
    found = metadata(wheel)
    project = tomllib.loads((PROJECT / "pyproject.toml").read_text(encoding="utf-8"))["project"]

    assert found["Name"] == "spendgate"
    assert found["Version"] == __version__
    assert found["License-Expression"] == "Apache-2.0"
    assert found["Requires-Python"] == ">=3.11"
    assert found["Description-Content-Type"] == "text/markdown"
    assert found.get_all("Classifier") == project["classifiers"]
    assert {
        "Programming Language :: Python :: 3.11",
        "Programming Language :: Python :: 3.12",
        "Typing :: Typed",
    } <= set(project["classifiers"])
    assert found.get_all("Project-URL") == [
        f"Homepage, {HOMEPAGE}",
        f"Documentation, {HOMEPAGE}/blob/main/docs/guide/README.md",
        f"Issues, {HOMEPAGE}/issues",
        f"Changelog, {HOMEPAGE}/releases",
    ]
    assert found["Keywords"] == ",".join(project["keywords"])


def test_the_installed_wheel_checks_a_repository_as_the_source_tree_does(
    installed: Path, tmp_path: Path
) -> None:
    """An installed spendgate finds its reference policies and report templates in the wheel:
    it prints what the source tree prints for the example bank, and exits the same."""
    for name in ("installed", "source"):
        shutil.copytree(EXAMPLES / "bank", tmp_path / name)
    command = ("check", ".", "--as-of", AS_OF)

    from_wheel = run(installed / "spendgate", *command, cwd=tmp_path / "installed")
    from_source = run(
        sys.executable, "-m", "spendgate", *command, cwd=tmp_path / "source",
        PYTHONPATH=str(PROJECT / "src"),
    )  # fmt: skip

    assert (from_wheel.returncode, from_wheel.stderr) == (1, "")
    assert from_wheel.stdout.endswith(
        f"12 requests: 2 approved, 5 pending, 5 blocked, 0 rejected, 0 invalid "
        f"(policy set spendgate-reference 1.1.0, as of {AS_OF})\n"
    )
    assert (from_wheel.returncode, from_wheel.stdout) == (
        from_source.returncode,
        from_source.stdout,
    )
    where = run(
        installed / "python", "-c", "import spendgate; print(spendgate.__file__)", cwd=tmp_path
    )
    python = f"python{sys.version_info.major}.{sys.version_info.minor}"
    assert where.stdout == f"{installed.parent}/lib/{python}/site-packages/spendgate/__init__.py\n"


def test_the_installed_wheel_scaffolds_what_the_source_tree_does(
    installed: Path, tmp_path: Path
) -> None:
    git = {"GIT_CONFIG_COUNT": "1", "GIT_CONFIG_KEY_0": "init.defaultBranch"}
    command = ("init", "governance", "--industry", "retail", "--name", "Acme Stores")
    for name in ("installed", "source"):
        (tmp_path / name).mkdir()

    from_wheel = run(
        installed / "spendgate", *command, cwd=tmp_path / "installed", **git,
        GIT_CONFIG_VALUE_0="main",
    )  # fmt: skip
    from_source = run(
        sys.executable, "-m", "spendgate", *command, cwd=tmp_path / "source", **git,
        GIT_CONFIG_VALUE_0="main", PYTHONPATH=str(PROJECT / "src"),
    )  # fmt: skip

    assert (from_wheel.returncode, from_wheel.stderr) == (0, "")
    assert from_wheel.stdout == from_source.stdout
    written = files_under(tmp_path / "installed" / "governance")
    assert written == files_under(tmp_path / "source" / "governance")
    assert len([name for name in written if name.startswith("policies/tests/")]) > 100
    assert (
        f"spendgate @ git+{HOMEPAGE}@v{__version__}" in written[".github/workflows/spendgate.yml"]
    )


def files_under(root: Path) -> dict[str, str]:
    """Every file under `root` but git's own, by relative path, with its text."""
    return {
        path.relative_to(root).as_posix(): path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*"))
        if path.is_file() and ".git" not in path.relative_to(root).parts
    }
