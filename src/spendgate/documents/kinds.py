"""The explicit registry of document kinds: `kind:` value to model class."""

from __future__ import annotations

from spendgate.documents.adequacy import AdequacyDecisions
from spendgate.documents.ai_assessment import AIAssessment
from spendgate.documents.approval import Approval, ChangeApproval
from spendgate.documents.benchmarks import PriceBenchmarks
from spendgate.documents.budgets import Budgets
from spendgate.documents.config import Config
from spendgate.documents.fields import Document
from spendgate.documents.people import People
from spendgate.documents.policy import Policy, PolicySet
from spendgate.documents.purchase_request import PurchaseRequest
from spendgate.documents.vendor import Vendor
from spendgate.documents.waiver import Waiver

KINDS: dict[str, type[Document]] = {
    "Config": Config,
    "People": People,
    "Budgets": Budgets,
    "Vendor": Vendor,
    "PurchaseRequest": PurchaseRequest,
    "AIAssessment": AIAssessment,
    "Approval": Approval,
    "ChangeApproval": ChangeApproval,
    "Waiver": Waiver,
    "Policy": Policy,
    "PolicySet": PolicySet,
    "PriceBenchmarks": PriceBenchmarks,
    "AdequacyDecisions": AdequacyDecisions,
}

#: Kinds whose problems are configuration problems (exit 2) rather than document problems.
CONFIGURATION_KINDS = frozenset({"Config", "Policy", "PolicySet", "AdequacyDecisions"})
