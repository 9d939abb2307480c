"""`spendgate init`: a new governance repository that validates and checks cleanly.

The repository is rendered from the Jinja2 templates in `templates/init/` (one per file, listed
in TEMPLATES) plus a copy of the reference policy library and its test cases, so that the
repository owns its rules from the first commit (`policy_set: policies`). Nothing here prints:
`scaffold_files` returns the files as text and `write_scaffold` writes them; `scaffold_repository`
does both in a git repository, made with `git init` unless the directory is in one already.
Nothing is committed: the organisation reviews the files first.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import get_args

import jinja2

from spendgate import HOMEPAGE, __version__, vcs
from spendgate.app.schemas import schema_texts
from spendgate.documents.currencies import ISO_4217
from spendgate.documents.fields import Industry
from spendgate.errors import UsageError
from spendgate.policy.library import builtin_directory

INDUSTRIES: tuple[str, ...] = get_args(Industry)
DEFAULT_CURRENCY = "EUR"
TEMPLATE_DIRECTORY = Path(__file__).resolve().parent.parent / "templates" / "init"

#: File written -> the template that renders it, in the order they are listed to the user.
TEMPLATES = {
    "spendgate.yaml": "spendgate.yaml.j2",
    "org/people.yaml": "people.yaml.j2",
    "org/budgets.yaml": "budgets.yaml.j2",
    "README.md": "README.md.j2",
    ".github/workflows/spendgate.yml": "workflow.yml.j2",
    ".pre-commit-config.yaml": "pre-commit-config.yaml.j2",
    ".gitignore": "gitignore.j2",
}

#: Empty folders that git keeps, so that the layout shows where documents go.
KEPT_FOLDERS = ("vendors", "requests", "ai", "approvals", "waivers")

POLICIES = "policies"
POLICY_TESTS = f"{POLICIES}/tests"
#: Where the scaffold ships the JSON Schemas that its files' schema comments name: the files
#: `spendgate schema export --out schemas` writes, so that it also brings them up to date.
SCHEMAS = "schemas"

#: Illustrative FX rates, in EUR per unit (the bundled examples' table of 20 Nov 2026); a base
#: currency listed here gets the others' cross rates, any other base an empty table to fill.
SAMPLE_RATES_AS_OF = date(2026, 11, 20)
SAMPLE_EUR_RATES = {
    "EUR": Decimal("1"),
    "USD": Decimal("0.9215"),
    "GBP": Decimal("1.1692"),
    "CHF": Decimal("1.0634"),
}

#: Files in a directory that do not make it "not empty": `git init` first is a normal start.
IGNORED_ENTRIES = frozenset({".git"})

#: The branch the workflow records decisions on when the directory is in a repository whose
#: HEAD is detached (no branch to go by); a new repository has the branch git itself chose.
FALLBACK_BRANCH = "main"

_KIND = re.compile(r"^kind:\s*(\w+)\s*$", re.MULTILINE)
_NOT_SLUG = re.compile(r"[^a-z0-9]+")


@dataclass(frozen=True)
class Organisation:
    """What `spendgate init` asks: who the repository is for."""

    name: str
    industry: str
    currency: str = DEFAULT_CURRENCY


def new_organisation(
    directory: Path, *, industry: str, name: str | None, currency: str
) -> Organisation:
    """The organisation the options describe, named after `directory` unless `name` is given.

    UsageError for an unknown industry or currency, or an empty name.
    """
    if industry not in INDUSTRIES:
        raise UsageError(f"unknown industry {industry!r}; choose from {', '.join(INDUSTRIES)}")
    code = currency.upper()
    if code not in ISO_4217:
        raise UsageError(f"--currency: {currency!r} is not an ISO 4217 currency code")
    chosen = directory.resolve().name if name is None else name.strip()
    if not chosen or not chosen.isprintable():
        raise UsageError(f"--name: {chosen!r} is not a name (printable text, on one line)")
    return Organisation(chosen, industry, code)


@dataclass(frozen=True)
class Scaffolded:
    """What `scaffold_repository` did: the files it wrote and the git repository they are in."""

    written: tuple[str, ...]
    branch: str
    """The default branch: the one checked out, where the workflow records decisions."""
    initialised: bool
    """Whether `init` made the repository (False: the directory was in one already)."""


def scaffold_repository(
    directory: Path, organisation: Organisation, *, today: date, force: bool
) -> Scaffolded:
    """Scaffold `organisation`'s repository in `directory` (created if missing), running
    `git init` there first unless it is already inside a git work tree (a repository is never
    nested in another). Commits nothing.

    UsageError for a directory `write_scaffold` refuses (before git or any file is touched);
    GitError when git cannot tell whether the directory is in a repository, or cannot make one.
    """
    refuse_target(directory, force=force)
    _make_directory(directory)
    initialised = not vcs.in_work_tree(directory)
    if initialised:
        vcs.init_repository(directory)
    branch = vcs.current_branch(directory) or FALLBACK_BRANCH
    files = scaffold_files(organisation, today=today, branch=branch)
    written = write_scaffold(directory, files, force=force)
    return Scaffolded(tuple(written), branch, initialised)


def schema_reference(kind: str, path: str) -> str:
    """The JSON Schema of `kind` that the scaffold ships in `schemas/`, as the file at `path`
    (relative to the repository's root) names it in its `# yaml-language-server: $schema=`
    comment: relative to the file's folder, which is how the YAML language server resolves it."""
    depth = path.count("/")
    return f"{'../' * depth if depth else './'}{SCHEMAS}/{kind}.schema.json"


def scaffold_files(organisation: Organisation, *, today: date, branch: str) -> dict[str, str]:
    """Every file of the new repository, by path relative to its root, as text; `branch` is
    its default branch, where the workflow records decisions after a merge."""
    files = _rendered(organisation, today, branch)
    files |= {f"{folder}/.gitkeep": "" for folder in KEPT_FOLDERS}
    files |= _reference_policies()
    files |= _policy_tests()
    files |= _schemas()
    return files


def write_scaffold(directory: Path, files: dict[str, str], *, force: bool) -> list[str]:
    """Write `files` under `directory` (created if missing); the paths written, in order.

    Refuses, with a UsageError, a directory that already holds anything but `.git`, unless
    `force`: then files of the same name are overwritten and every other file is left alone.
    """
    refuse_target(directory, force=force)
    for relative, text in files.items():
        _write(directory / relative, text)
    return list(files)


def refuse_target(directory: Path, *, force: bool) -> None:
    """UsageError when `directory` is a file, or (unless `force`) holds anything but `.git`."""
    if directory.exists() and not directory.is_dir():
        raise UsageError(f"{directory} exists and is not a directory")
    if not force and _occupied(directory):
        raise UsageError(
            f"{directory} is not empty; use --force to scaffold into it anyway "
            "(files with the same names are overwritten)"
        )


def _make_directory(directory: Path) -> None:
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise UsageError(f"cannot create {directory}: {error.strerror}") from None


def _occupied(directory: Path) -> bool:
    if not directory.exists():
        return False
    return any(entry.name not in IGNORED_ENTRIES for entry in directory.iterdir())


def _write(target: Path, text: str) -> None:
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8", newline="\n")
    except OSError as error:
        raise UsageError(f"cannot write {target}: {error.strerror}") from None


def _rendered(organisation: Organisation, today: date, branch: str) -> dict[str, str]:
    environment = _environment()
    values = _template_values(organisation, today) | {"branch": branch}
    return {
        path: environment.get_template(template).render(values | {"path": path})
        for path, template in TEMPLATES.items()
    }


def _environment() -> jinja2.Environment:
    # The templates are ours and write YAML and Markdown, not HTML: nothing to escape. Values
    # that could break YAML (the organisation's name) go through `yaml_string`.
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATE_DIRECTORY),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
        autoescape=False,
    )
    environment.filters["yaml_string"] = _yaml_string
    environment.globals["schema_reference"] = schema_reference
    return environment


def _template_values(organisation: Organisation, today: date) -> dict[str, object]:
    return {
        "name": organisation.name,
        "industry": organisation.industry,
        "currency": organisation.currency,
        "domain": _email_domain(organisation.name),
        "today": today.isoformat(),
        # fiscal_year_start is 1 in the generated spendgate.yaml: the fiscal year is the year.
        "fiscal_year": today.year,
        "fx_as_of": SAMPLE_RATES_AS_OF.isoformat(),
        "fx_rates": sample_rates(organisation.currency),
        "homepage": HOMEPAGE,
        "version": __version__,
    }


def sample_rates(base: str) -> dict[str, str]:
    """Illustrative rates into `base` (units of `base` per unit), or none when it has no sample."""
    base_rate = SAMPLE_EUR_RATES.get(base)
    if base_rate is None:
        return {}
    return {
        code: str((rate / base_rate).quantize(Decimal("0.0001")))
        for code, rate in SAMPLE_EUR_RATES.items()
        if code != base
    }


def _yaml_string(value: str) -> str:
    """`value` as a double-quoted YAML scalar (JSON's string syntax is a subset of YAML's)."""
    return json.dumps(value, ensure_ascii=False)


def _email_domain(name: str) -> str:
    """A placeholder mail domain under the reserved `.example` top-level domain."""
    slug = _NOT_SLUG.sub("-", name.lower()).strip("-")
    return f"{slug or 'organisation'}.example"


def _reference_policies() -> dict[str, str]:
    """The reference policies, each headed by the schema comment of its kind."""
    policies = {
        f"{POLICIES}/{path.name}": path.read_text(encoding="utf-8")
        for path in sorted(builtin_directory().glob("*.yaml"))
    }
    return {relative: _with_schema(text, relative) for relative, text in policies.items()}


def _with_schema(text: str, path: str) -> str:
    match = _KIND.search(text)
    if match is None:
        return text
    return f"# yaml-language-server: $schema={schema_reference(match.group(1), path)}\n{text}"


def _policy_tests() -> dict[str, str]:
    """The reference library's test cases, verbatim: `spendgate test` runs them."""
    root = builtin_directory() / "tests"
    return {
        f"{POLICY_TESTS}/{path.relative_to(root).as_posix()}": path.read_text(encoding="utf-8")
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


def _schemas() -> dict[str, str]:
    """The JSON Schemas of this version of spendgate, as `spendgate schema export` writes them."""
    return {f"{SCHEMAS}/{name}": text for name, text in schema_texts().items()}
