"""The audit site (SPEC §9): static HTML pages of the decision log, for auditors.

`render_site` writes `index.html` (every record, the latest of each request first, searchable and
filterable by our own small script; without JavaScript every row shows), a page per record
(`decisions/<decision_id>.html`), per policy version (`policies/<name>@<version>.html`) and per
vendor (`vendors/<id>.html`), a listing of each, and `assets/`. Every link is relative and nothing
is fetched, so the site works from `file://` with no server and no network.

What a record does not hold is read from git: the request, vendor and policy files by the blob ids
the decision recorded (exactly the content that was decided), the waivers at the recorded commit,
and the history of the request file. Policies of spendgate's reference library are also found in
the package by their blob ids. When git lacks a file the working tree stands in, and the page says
which was read. `site_sources` reads those files and `site_pages` gathers the pages' data; this
module picks the records, renders the templates and puts the site in place.
"""

from __future__ import annotations

import gc
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

import jinja2
from pydantic import BaseModel, ValidationError

from spendgate import __version__, vcs
from spendgate.audit import log
from spendgate.audit.site_pages import (
    Entry,
    PolicyPage,
    as_json,
    build_entries,
    build_policy_pages,
    build_vendor_pages,
    page_name,
)
from spendgate.audit.site_sources import RecordedFiles, Waivers, file_models, first_model
from spendgate.decisions import STATUSES, Decision
from spendgate.documents.config import Config, Paths
from spendgate.documents.root import CONFIG_FILE
from spendgate.errors import UsageError
from spendgate.forking import forked_copy, worth_forking

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "audit"
ASSETS = ("site.css", "site.js")
MARKER = ".spendgate-audit-site"
"""A file in DIR saying a previous render wrote it, so a new render may replace it."""
#: From how many pages they are written by two processes (when the machine has two cores).
PARALLEL_PAGES_FROM = 2000

#: A page to write: its path in the site, its template and what the template is given.
Page = tuple[str, str, dict[str, Any]]
_job: tuple[jinja2.Environment, Path, list[Page], dict[str, Any]] | None = None
"""What a forked writer renders: set only while the pages are written (a fork inherits it)."""


@dataclass(frozen=True)
class Site:
    """What `render_site` wrote."""

    out: Path
    log: Path
    files: tuple[str, ...]
    decisions: int
    policies: int
    vendors: int
    skipped: tuple[int, ...]
    """Lines of the log that hold no decision record, left out of the site."""


def site_paths(root: Path) -> Paths:
    """The document paths `spendgate.yaml` configures, or the defaults."""
    config = first_model(file_models(root / CONFIG_FILE, root), Config)
    return config.paths if config else Paths()


def render_site(root: Path, *, out: Path, log_path: Path | None = None) -> Site:
    """Write the audit site of the governance repository at `root` into `out`.

    `out` must be absent, empty, or a site an earlier render wrote (which is replaced whole).
    """
    path = log.log_path(root, log_path)
    if not path.is_file():
        raise UsageError(
            f"no decision log at {path}; record decisions with `spendgate audit record` "
            "or name the log with --log PATH"
        )
    lines = log.read_lines(path)
    usable = [line for line in lines if line.record is not None and _is_record(line.record)]
    kept = {line.number for line in usable}
    skipped = tuple(line.number for line in lines if line.number not in kept)
    files = RecordedFiles(root, _blobs(line.record for line in usable if line.record is not None))
    entries = build_entries(usable, files)
    site = _SiteData(root, entries, files)
    written = _replace_directory(out, lambda target: site.write(target, path, skipped))
    return Site(
        out, path, tuple(written), len(entries), len(site.policies), len(site.vendors), skipped
    )


class _Record(BaseModel):
    """What the site reads of a record: the log's keys around a Decision (its dataclass)."""

    decision_id: str
    timestamp: str
    commit: str
    policy_set: dict[str, str]
    policies: dict[str, str]
    decision: Decision
    prev_hash: str
    hash: str


def _is_record(record: dict[str, Any]) -> bool:
    if not log.has_record_keys(record):
        return False
    try:
        _Record.model_validate(record)
    except ValidationError:
        return False
    return True


def _blobs(records: Iterable[dict[str, Any]]) -> set[str]:
    found = set()
    for record in records:
        found |= {str(blob) for _, blob in record["decision"]["inputs"]["documents"]}
    return found


class _SiteData:
    """Every page's data, gathered once from the entries."""

    def __init__(self, root: Path, entries: list[Entry], files: RecordedFiles) -> None:
        self.root = root
        self.entries = entries
        self.policies = build_policy_pages(entries, files)
        self.vendors = build_vendor_pages(entries)
        self.waivers = Waivers(root, files, site_paths(root).waivers)
        self._histories: dict[str, list[vcs.FileCommit]] = {}
        self._by_request: dict[str, list[Entry]] = {}
        for entry in entries:
            self._by_request.setdefault(entry.decision["request_id"], []).append(entry)
        self._previous = dict(zip([e.id for e in entries[1:]], entries, strict=False))

    def history(self, path: str) -> list[vcs.FileCommit]:
        """The git history of `path`, read with those of every record's file on first use."""
        if path not in self._histories:
            wanted = {entry.decision["file"] for entry in self.entries} | {path}
            self._histories |= vcs.file_histories(self.root, wanted - self._histories.keys())
        return self._histories[path]

    def ordered(self) -> list[Entry]:
        """The latest record of each request first, then the earlier ones; newest first."""
        newest = list(reversed(self.entries))
        return [e for e in newest if e.latest] + [e for e in newest if not e.latest]

    def write(self, target: Path, log_path: Path, skipped: tuple[int, ...]) -> list[str]:
        """Write every page and asset under `target`; the paths written, relative to it."""
        environment = _environment()
        index = {"entries": self.ordered(), "log_path": str(log_path), "skipped": skipped}
        pages: list[Page] = [
            ("index.html", "index.html", {"section": "decisions", **index}),
            ("policies/index.html", "policies.html", {"section": "policies"}),
            ("vendors/index.html", "vendors.html", {"section": "vendors"}),
        ]
        pages += [(e.page, "decision.html", {"section": "", "entry": e}) for e in self.entries]
        pages += [
            (p.page, "policy.html", {"section": "", "policy": p}) for p in self.policies.values()
        ]
        pages += [
            (v.page, "vendor.html", {"section": "", "vendor": v}) for v in self.vendors.values()
        ]
        written = [_copy_asset(target, name) for name in ASSETS]
        common = {"version": __version__, "log": log_path.name, "site": self}
        if self.entries:
            self.history(self.entries[0].decision["file"])  # one git log, before any fork
        _write_pages(environment, target, pages, common)
        written += [name for name, _, _ in pages]
        (target / MARKER).write_text("written by spendgate audit render\n", encoding="utf-8")
        return written

    def records_of(self, request_id: str) -> list[Entry]:
        """Every record of one request, oldest first."""
        return self._by_request.get(request_id, [])

    def previous(self, entry: Entry) -> Entry | None:
        """The record before `entry` in the log (the one its prev_hash should name)."""
        return self._previous.get(entry.id)

    def policy_page(self, name: str, version: str) -> PolicyPage | None:
        return self.policies.get(f"{name}@{version}")

    def choices(self) -> dict[str, list[str]]:
        """The values each filter of the index offers, from every entry. The status filter
        offers every status, in the order the reports list them, so that an auditor can ask for
        `rejected` (and see none) before the log holds one; then any other status a record of
        an older or newer spendgate holds."""
        found: dict[str, set[str]] = {"status": set(), "vendor": set(), "department": set()}
        found["rule"] = set()
        for entry in self.entries:
            found["status"].add(entry.decision["status"])
            found["vendor"].add(entry.vendor_id)
            found["department"].add(entry.department)
            found["rule"].update(entry.rules)
        offered = {
            name: sorted(value for value in values if value) for name, values in found.items()
        }
        others = [status for status in offered["status"] if status not in STATUSES]
        return offered | {"status": [*STATUSES, *others]}


def _write_pages(
    environment: jinja2.Environment, target: Path, pages: list[Page], common: dict[str, Any]
) -> None:
    """Render and write every page; by two processes on a large site, each taking every other
    page. Each page is its own file, so the site is the same whichever process wrote a page."""
    global _job
    _job = (environment, target, pages, common)
    try:
        if not worth_forking(len(pages), PARALLEL_PAGES_FROM):
            _write_share(0, 1)
            return
        gc.freeze()  # the fork shares the pages' data instead of copying it page by page
        try:
            with forked_copy() as pool:
                other = pool.submit(_write_share, 1, 2)
                _write_share(0, 2)
                other.result()  # re-raises what failed in the other process
        finally:
            gc.unfreeze()
    finally:
        _job = None


def _write_share(part: int, parts: int) -> None:
    """Write the pages whose position is `part` modulo `parts`."""
    assert _job is not None
    environment, target, pages, common = _job
    for name, template, context in pages[part::parts]:
        base = "../" * name.count("/")
        html = environment.get_template(template).render(**common, base=base, **context)
        _write(target / name, html)


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["money"] = _money
    environment.filters["short"] = lambda sha: str(sha or "")[:12]
    environment.filters["as_json"] = as_json
    environment.filters["page_name"] = page_name
    return environment


def _money(value: object) -> str:
    """`1234567.5` as `1,234,567.50`; anything that is not a number as it is."""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


def _copy_asset(target: Path, name: str) -> str:
    destination = target / "assets" / name
    destination.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(TEMPLATES / name, destination)
    return f"assets/{name}"


def _write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _replace_directory(out: Path, build: Callable[[Path], list[str]]) -> list[str]:
    """Build the site in a scratch sibling of `out`, then put it in place of `out`."""
    if out.exists() and not (out.is_dir() and ((out / MARKER).is_file() or not any(out.iterdir()))):
        raise UsageError(
            f"{out} is not empty and holds no earlier audit site; choose another --out"
        )
    out.parent.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(dir=out.parent, prefix=f".{out.name}."))
    try:
        scratch.chmod(0o755)
        written = build(scratch)
        if out.exists():
            shutil.rmtree(out)
        scratch.rename(out)
    except BaseException:
        shutil.rmtree(scratch, ignore_errors=True)
        raise
    return written
