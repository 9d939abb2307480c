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
which was read.
"""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from functools import cached_property
from pathlib import Path
from typing import Any, TypeVar

import jinja2
from pydantic import BaseModel, ValidationError

from spendgate import __version__, vcs
from spendgate.audit import log
from spendgate.decisions import Decision
from spendgate.documents.config import Config, Paths
from spendgate.documents.discovery import CONFIG_FILE
from spendgate.documents.fields import Document
from spendgate.documents.loading import blob_id, load_file, load_source
from spendgate.documents.policy import Policy, Rule
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.documents.source import (
    SourceFile,
    SourceProblem,
    decode,
    leaves_repository,
    read_source,
)
from spendgate.documents.vendor import Vendor
from spendgate.documents.waiver import Waiver
from spendgate.errors import UsageError
from spendgate.policy.library import builtin_directory

TEMPLATES = Path(__file__).resolve().parent.parent / "templates" / "audit"
ASSETS = ("site.css", "site.js")
MARKER = ".spendgate-audit-site"
"""A file in DIR saying a previous render wrote it, so a new render may replace it."""
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}")
_COMMIT = re.compile(r"[0-9a-f]{40}(?:[0-9a-f]{24})?")

DocumentT = TypeVar("DocumentT", bound=Document)


@dataclass(frozen=True)
class Source:
    """A file a decision read, as the site found it."""

    path: str
    blob: str
    text: str | None
    origin: str
    """`git` (the recorded blob), `reference library`, `working tree`, or '' when not found."""

    @property
    def exact(self) -> bool:
        """The text found is the content the decision read."""
        return self.text is not None and blob_id(self.text) == self.blob


@dataclass(frozen=True)
class Entry:
    """One record of the log and what its pages show beside it."""

    line: int
    record: dict[str, Any]
    latest: bool
    chained: bool
    """Its hash recomputes and its prev_hash is the previous record's hash."""
    request: Source
    purchase: PurchaseRequest | None
    vendor: Source | None
    vendor_profile: Vendor | None

    @property
    def id(self) -> str:
        return str(self.record["decision_id"])

    @property
    def decision(self) -> dict[str, Any]:
        decision: dict[str, Any] = self.record["decision"]
        return decision

    @property
    def page(self) -> str:
        return f"decisions/{page_name(self.id)}.html"

    @property
    def vendor_id(self) -> str:
        return self.purchase.vendor if self.purchase else ""

    @property
    def department(self) -> str:
        return self.purchase.department if self.purchase else ""

    @cached_property
    def rules(self) -> tuple[str, ...]:
        """Every rule id the decision cites: findings, route steps, classification."""
        decision = self.decision
        cited = {finding["rule_id"] for finding in decision["findings"]}
        cited |= {line["rule_id"] for line in decision["classification"].get("lines", [])}
        for step in decision["route"]:
            cited |= {part.strip() for part in step["rule_id"].split(",") if part.strip()}
        return tuple(sorted(cited))


@dataclass(frozen=True)
class RuleText:
    """What the site says of one rule of a policy version."""

    id: str
    title: str
    enforcement: str
    effect: str
    description: str
    condition: str
    """The rule's condition as the policy writes it (`when …; assert …`)."""


@dataclass
class PolicyPage:
    """One policy version: its rules (from its file when found) and the decisions citing it."""

    name: str
    version: str
    source: Source | None = None
    policy: Policy | None = None
    rules: dict[str, RuleText] = field(default_factory=dict)
    entries: list[Entry] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.name}@{self.version}"

    @property
    def page(self) -> str:
        return f"policies/{page_name(self.key)}.html"

    def rule(self, rule_id: str) -> RuleText | None:
        return self.rules.get(rule_id)


@dataclass
class VendorPage:
    """One vendor: its profile as the latest decision read it, and its decisions."""

    id: str
    source: Source | None = None
    profile: Vendor | None = None
    entries: list[Entry] = field(default_factory=list)

    @property
    def page(self) -> str:
        return f"vendors/{page_name(self.id)}.html"


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


def page_name(text: str) -> str:
    """`text` as a file name when it is a safe one, else a stable name derived from it."""
    if _SAFE_NAME.fullmatch(text):
        return text
    return "x-" + hashlib.sha256(text.encode()).hexdigest()[:16]


def site_paths(root: Path) -> Paths:
    """The document paths `spendgate.yaml` configures, or the defaults."""
    config = _first(_file_models(root / CONFIG_FILE, root), Config)
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
    files = _Files(root, _blobs(line.record for line in usable if line.record is not None))
    entries = _entries(usable, files)
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
    if set(record) != set(log.RECORD_KEYS):
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


class _Files:
    """Recorded files: from git by blob id (one batch), the reference library, or the tree."""

    def __init__(self, root: Path, blobs: set[str]) -> None:
        self.root = root
        self.git = vcs.read_blobs(root, sorted(blobs))
        self.library = {
            blob_id(path.read_text(encoding="utf-8")): path
            for path in sorted(builtin_directory().glob("*.yaml"))
        }
        self._models: dict[tuple[str, str, str], tuple[Document, ...]] = {}

    def source(self, path: str, blob: str) -> Source:
        if blob in self.git:
            return _decoded(path, blob, self.git[blob], "git")
        if blob in self.library:
            return _decoded(path, blob, self.library[blob].read_bytes(), "reference library")
        file = self.root / path
        if path.startswith("policy:") or leaves_repository(file, self.root):
            return Source(path, blob, None, "")
        try:
            return Source(path, blob, read_source(file, root=self.root).text, "working tree")
        except SourceProblem:
            return Source(path, blob, None, "")

    def models(self, source: Source) -> tuple[Document, ...]:
        """The documents of `source` that validate (none when it was not found)."""
        key = (source.path, source.blob, source.origin)
        if key not in self._models:
            self._models[key] = _parsed(source)
        return self._models[key]


def _decoded(path: str, blob: str, data: bytes, origin: str) -> Source:
    try:
        return Source(path, blob, decode(data, path), origin)
    except SourceProblem:
        return Source(path, blob, None, origin)


def _parsed(source: Source) -> tuple[Document, ...]:
    if source.text is None:
        return ()
    loaded = load_source(SourceFile(Path(source.path), source.path, source.text))
    return tuple(document.model for document in loaded.documents if document.model is not None)


def _file_models(path: Path, root: Path) -> tuple[Document, ...]:
    if not path.is_file():
        return ()
    loaded = load_file(path, root=root)
    return tuple(document.model for document in loaded.documents if document.model is not None)


def _first(
    models: Iterable[Document], kind: type[DocumentT], ident: str | None = None
) -> DocumentT | None:
    for model in models:
        if isinstance(model, kind) and ident in (None, getattr(model, "id", None)):
            return model
    return None


def _entries(lines: list[log.Line], files: _Files) -> list[Entry]:
    records = [line.record for line in lines if line.record is not None]
    last = {record["decision"]["request_id"]: index for index, record in enumerate(records)}
    entries = []
    previous_hash = log.GENESIS
    for index, (line, record) in enumerate(zip(lines, records, strict=True)):
        chained = record["prev_hash"] == previous_hash and log.record_hash(record) == record["hash"]
        previous_hash = record["hash"]
        latest = last[record["decision"]["request_id"]] == index
        entries.append(_entry(line.number, record, files, latest=latest, chained=chained))
    return entries


def _entry(
    number: int, record: dict[str, Any], files: _Files, *, latest: bool, chained: bool
) -> Entry:
    decision = record["decision"]
    documents = [(str(path), str(blob)) for path, blob in decision["inputs"]["documents"]]
    blob = next((blob for path, blob in documents if path == decision["file"]), "")
    request = files.source(decision["file"], blob)
    purchase = _first(files.models(request), PurchaseRequest, decision["request_id"])
    vendor, profile = _vendor(files, documents, purchase.vendor if purchase else "")
    return Entry(number, record, latest, chained, request, purchase, vendor, profile)


def _vendor(
    files: _Files, documents: list[tuple[str, str]], vendor_id: str
) -> tuple[Source | None, Vendor | None]:
    """The vendor profile among the documents a decision read (files named after it first)."""
    if not vendor_id:
        return None, None
    candidates = [(p, b) for p, b in documents if not p.startswith("policy:")]
    candidates.sort(key=lambda document: vendor_id not in document[0])
    for path, blob in candidates:
        source = files.source(path, blob)
        profile = _first(files.models(source), Vendor, vendor_id)
        if profile is not None:
            return source, profile
    return None, None


class _SiteData:
    """Every page's data, gathered once from the entries."""

    def __init__(self, root: Path, entries: list[Entry], files: _Files) -> None:
        self.root = root
        self.entries = entries
        self.policies = _policy_pages(entries, files)
        self.vendors = _vendor_pages(entries)
        self.waivers = _Waivers(root, files, site_paths(root).waivers)
        self._histories: dict[str, list[vcs.FileCommit]] = {}
        self._by_request: dict[str, list[Entry]] = {}
        for entry in entries:
            self._by_request.setdefault(entry.decision["request_id"], []).append(entry)
        self._previous = dict(zip([e.id for e in entries[1:]], entries, strict=False))

    def history(self, path: str) -> list[vcs.FileCommit]:
        if path not in self._histories:
            self._histories[path] = vcs.file_history(self.root, path)
        return self._histories[path]

    def ordered(self) -> list[Entry]:
        """The latest record of each request first, then the earlier ones; newest first."""
        newest = list(reversed(self.entries))
        return [e for e in newest if e.latest] + [e for e in newest if not e.latest]

    def write(self, target: Path, log_path: Path, skipped: tuple[int, ...]) -> list[str]:
        """Write every page and asset under `target`; the paths written, relative to it."""
        environment = _environment()
        index = {"entries": self.ordered(), "log_path": str(log_path), "skipped": skipped}
        pages: list[tuple[str, str, dict[str, Any]]] = [
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
        for name, template, context in pages:
            base = "../" * name.count("/")
            html = environment.get_template(template).render(**common, base=base, **context)
            _write(target / name, html)
            written.append(name)
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
        """The values each filter of the index offers, from every entry."""
        found: dict[str, set[str]] = {"status": set(), "vendor": set(), "department": set()}
        found["rule"] = set()
        for entry in self.entries:
            found["status"].add(entry.decision["status"])
            found["vendor"].add(entry.vendor_id)
            found["department"].add(entry.department)
            found["rule"].update(entry.rules)
        return {name: sorted(value for value in values if value) for name, values in found.items()}


def _policy_pages(entries: list[Entry], files: _Files) -> dict[str, PolicyPage]:
    pages: dict[str, PolicyPage] = {}
    for entry in entries:
        for key, blob in entry.record["policies"].items():
            name, _, version = key.removeprefix("policy:").rpartition("@")
            page = pages.setdefault(f"{name}@{version}", PolicyPage(name, version))
            if page.source is None or page.source.blob != blob:  # the latest record's text
                page.source = files.source(key, blob)
                page.policy = _policy(files.models(page.source), name)
        for finding in entry.decision["findings"]:
            key = f"{finding['policy']}@{finding['policy_version']}"
            pages.setdefault(key, PolicyPage(finding["policy"], finding["policy_version"]))
    for page in pages.values():
        page.rules = _rule_texts(page.policy) if page.policy else {}
        page.entries = [e for e in entries if _cites(e, page)]
        for entry in page.entries:
            for finding in entry.decision["findings"]:
                if f"{finding['policy']}@{finding['policy_version']}" == page.key:
                    page.rules.setdefault(finding["rule_id"], _finding_rule(finding))
    return dict(sorted(pages.items()))


def _policy(models: Iterable[Document], name: str) -> Policy | None:
    found = [m for m in models if isinstance(m, Policy) and m.metadata.name == name]
    return found[0] if found else None


def _rule_texts(policy: Policy) -> dict[str, RuleText]:
    return {rule.id: _rule_text(rule, policy.spec.enforcement) for rule in policy.spec.rules}


def _rule_text(rule: Rule, default_enforcement: str) -> RuleText:
    effect, condition = _effect(rule)
    when = f"when {rule.when}; " if rule.when else ""
    enforcement = rule.enforcement or default_enforcement
    description = rule.description or ""
    return RuleText(rule.id, rule.title, enforcement, effect, description, when + condition)


def _effect(rule: Rule) -> tuple[str, str]:
    """What the rule does, and its condition as the policy writes it."""
    if rule.assert_ is not None:
        return "assert", f"assert {rule.assert_}"
    if rule.require is not None:
        return "require", f"require {rule.require.role}" + (
            f" of {rule.require.of}" if rule.require.of else ""
        )
    if rule.classify is not None:
        return "classify", f"classify by a table of {len(rule.classify)} rows"
    check = rule.check
    name = check.name if check else ""
    return "check", f"check {name}({_as_json(check.params) if check else ''})"


def _finding_rule(finding: dict[str, Any]) -> RuleText:
    return RuleText(finding["rule_id"], finding["title"], finding["enforcement"], "", "", "")


def _cites(entry: Entry, page: PolicyPage) -> bool:
    if any(
        f"{finding['policy']}@{finding['policy_version']}" == page.key
        for finding in entry.decision["findings"]
    ):
        return True
    in_set = f"policy:{page.key}" in entry.record["policies"]
    return in_set and any(rule in page.rules for rule in entry.rules)


def _vendor_pages(entries: list[Entry]) -> dict[str, VendorPage]:
    pages: dict[str, VendorPage] = {}
    for entry in entries:
        if not entry.vendor_id:
            continue
        page = pages.setdefault(entry.vendor_id, VendorPage(entry.vendor_id))
        page.entries.append(entry)
        if entry.vendor_profile is not None:
            page.source, page.profile = entry.vendor, entry.vendor_profile
    return dict(sorted(pages.items()))


class _Waivers:
    """Waivers by id as they stood at a commit (or in the working tree when git lacks it)."""

    def __init__(self, root: Path, files: _Files, directory: str) -> None:
        self.root = root
        self.files = files
        self.directory = directory
        self._at: dict[str, dict[str, tuple[Source, Waiver]]] = {}

    def find(self, commit: str, waiver_id: str) -> tuple[Source, Waiver] | None:
        if commit not in self._at:
            self._at[commit] = self._read(commit)
        return self._at[commit].get(waiver_id)

    def _read(self, commit: str) -> dict[str, tuple[Source, Waiver]]:
        # Only an object id reaches git's command line: a log is data, never options.
        if _COMMIT.fullmatch(commit) and vcs.tree_id(self.root, commit) is not None:
            listing = vcs.list_files(self.root, commit, (self.directory,))
            contents = vcs.read_blobs(self.root, [blob for _, blob in listing])
            sources = [
                _decoded(path, blob, contents.get(blob, b""), "git") for path, blob in listing
            ]
        else:
            folder = self.root / self.directory
            paths = sorted(folder.rglob("*.yaml")) if folder.is_dir() else []
            sources = [self._working(path) for path in paths]
        found = {}
        for source in sources:
            for model in self.files.models(source):
                if isinstance(model, Waiver):
                    found[model.id] = (source, model)
        return found

    def _working(self, path: Path) -> Source:
        name = path.relative_to(self.root).as_posix()
        try:
            text = read_source(path, root=self.root).text
        except SourceProblem:
            return Source(name, "", None, "working tree")
        return Source(name, blob_id(text), text, "working tree")


def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["money"] = _money
    environment.filters["short"] = lambda sha: str(sha or "")[:12]
    environment.filters["as_json"] = _as_json
    environment.filters["page_name"] = page_name
    return environment


def _money(value: object) -> str:
    """`1234567.5` as `1,234,567.50`; anything that is not a number as it is."""
    try:
        return f"{Decimal(str(value)):,.2f}"
    except (InvalidOperation, ValueError):
        return str(value)


def _as_json(value: object) -> str:
    return json.dumps(value, ensure_ascii=False, default=str)


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
