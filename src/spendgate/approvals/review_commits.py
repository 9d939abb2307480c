"""What a request said at the commit a pull-request review was given on.

A reviewer approves what they saw. GitHub keeps an approval after later pushes unless the
repository dismisses stale reviews, so spendgate judges each review by its commit: it counts
when the request (and the AI assessment it references) had the same material content there as
now (`spendgate.approvals.digest`), and is void when it had other content, or none, or when git
cannot show that commit (a force-push removed it): what the reviewer saw cannot be told.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from spendgate import vcs
from spendgate.approvals.digest import request_digest
from spendgate.documents.ai_assessment import AIAssessment
from spendgate.documents.loading import load_source
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.documents.repository import Repository
from spendgate.documents.source import SourceFile
from spendgate.errors import GitError


@dataclass
class ReviewedContent:
    """Reads requests and assessments as they were at reviewed commits, once each."""

    root: Path
    repository: Repository
    _digests: dict[tuple[str, str], str | None] = field(default_factory=dict)

    def digest_at(self, commit: str, request_id: str) -> str | None:
        """The request's material digest at `commit`, or None when it cannot be told."""
        key = (commit, request_id)
        if key not in self._digests:
            self._digests[key] = self._digest_at(commit, request_id)
        return self._digests[key]

    def _digest_at(self, commit: str, request_id: str) -> str | None:
        request = self._model_at(commit, "PurchaseRequest", request_id)
        if not isinstance(request, PurchaseRequest):
            return None
        if not request.ai_assessment:
            return request_digest(request)
        assessment = self._model_at(commit, "AIAssessment", request.ai_assessment)
        if not isinstance(assessment, AIAssessment):
            return None
        return request_digest(request, assessment)

    def _model_at(self, commit: str, kind: str, identifier: str) -> object | None:
        """The document `identifier` of `kind` at `commit`, read from the file that holds it
        now; None when that file had no such document there."""
        entry = self.repository.index.get(kind, {}).get(identifier)
        if entry is None or not commit:
            return None
        file = entry.document.file
        try:
            data = vcs.file_at(self.root, commit, file)
        except GitError:
            return None
        if data is None:
            return None
        text = data.decode("utf-8", "replace")
        loaded = load_source(SourceFile(self.root / file, file, text))
        return next(
            (
                document.model
                for document in loaded.documents
                if document.kind == kind and getattr(document.model, "id", None) == identifier
            ),
            None,
        )
