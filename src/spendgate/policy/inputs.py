"""What a decision was made from (SPEC §5 `inputs`), so it can be verified and replayed.

Each file the decision read is named with its git blob id: the request, the configuration,
People, Budgets, an adequacy list of the repository's, the vendor and AI assessment it relies
on. Each policy is named `policy:NAME@VERSION` with its blob id, and so is data the rules read
from the reference library rather than the repository. The evaluation date, the FX rates and
the spendgate version complete it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from spendgate import __version__
from spendgate.decisions import Inputs
from spendgate.documents.ai_assessment import AIAssessment
from spendgate.documents.config import Config
from spendgate.documents.repository import Repository
from spendgate.documents.root import CONFIG_FILE
from spendgate.documents.source import git_blob_id
from spendgate.documents.vendor import Vendor
from spendgate.policy import privacy
from spendgate.policy.compile import PolicyBook

#: Kinds every decision reads, whichever request it is.
_SHARED_KINDS = ("People", "Budgets", "AdequacyDecisions")


@dataclass
class InputRecorder:
    """Names the inputs of each decision of one run; files are hashed once per run."""

    repository: Repository
    config: Config
    book: PolicyBook
    today: date
    digests: dict[str, str] = field(init=False)
    shared_files: tuple[str, ...] = field(init=False)
    reference_data: tuple[tuple[str, str], ...] = field(init=False)
    """Data the rules read from the reference library, not the repository (the adequacy list
    when the repository has none of its own), by name and git blob id."""
    read_by_all: tuple[tuple[str, str], ...] = field(init=False)
    """The policies and reference data, named once: every decision of the run shares them."""
    fx_rates: tuple[tuple[str, str], ...] = field(init=False)
    pairs: dict[str, tuple[str, str]] = field(init=False, default_factory=dict)

    def __post_init__(self) -> None:
        repository = self.repository
        self.digests = {loaded.file: loaded.digest for loaded in repository.files}
        self.shared_files = tuple(
            document.file for document in repository.documents() if document.kind in _SHARED_KINDS
        )
        self.reference_data = privacy.reference_inputs(repository)
        self.read_by_all = (
            *((f"policy:{p.name}@{p.version}", p.digest) for p in self.book.policies),
            *self.reference_data,
        )
        rates = self.config.fx.rates if self.config.fx else {}
        self.fx_rates = tuple((currency, str(rate)) for currency, rate in sorted(rates.items()))

    def digest(self, file: str) -> str:
        """The git blob id of a repository file, read once per run."""
        if file not in self.digests:
            path = self.repository.root / file
            self.digests[file] = git_blob_id(path.read_bytes()) if path.is_file() else ""
        return self.digests[file]

    def named(self, file: str) -> tuple[str, str]:
        """A file and its git blob id, one pair per file for the run: the configuration,
        People and a vendor are named by thousands of decisions."""
        pair = self.pairs.get(file)
        if pair is None:
            pair = self.pairs[file] = (file, self.digest(file))
        return pair

    def inputs(
        self, file: str, *, vendor: Vendor | None = None, assessment: AIAssessment | None = None
    ) -> Inputs:
        """What the decision read: each file by its git blob id, the policies, date and rates."""
        files = {file, CONFIG_FILE, *self.shared_files}
        for kind, document in (("Vendor", vendor), ("AIAssessment", assessment)):
            entry = self.repository.index.get(kind, {}).get(getattr(document, "id", ""))
            if entry is not None:
                files.add(entry.document.file)
        read = tuple(self.named(name) for name in sorted(files))
        return Inputs(
            evaluation_date=self.today,
            policy_set=self.book.name,
            policy_set_version=self.book.version,
            documents=read + self.read_by_all,
            fx_rates=self.fx_rates,
            spendgate_version=__version__,
        )
