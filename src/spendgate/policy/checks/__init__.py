"""The explicit registry of built-in cross-document checks, one module each."""

from __future__ import annotations

from spendgate.policy.checks import (
    budget_available,
    certificate_fresh,
    contract_active,
    duplicate_request,
    reference_exists,
    split_purchase,
    transfers_covered,
)
from spendgate.policy.checks.base import BuiltinCheck, Failure, Subject

CHECKS: dict[str, BuiltinCheck] = {
    module.__name__.rsplit(".", 1)[1]: BuiltinCheck(
        name=module.__name__.rsplit(".", 1)[1],
        params=module.Params,
        run=module.run,
        doc=(module.__doc__ or "").strip(),
    )
    for module in (
        split_purchase,
        budget_available,
        duplicate_request,
        contract_active,
        certificate_fresh,
        reference_exists,
        transfers_covered,
    )
}

__all__ = ["CHECKS", "BuiltinCheck", "Failure", "Subject"]
