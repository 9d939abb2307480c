"""A transfer of personal data to another country (GDPR Chapter V, Art. 44-49).

Shared by the vendor profile (where the vendor and its sub-processors hold or reach the data)
and the AI-procurement record (where the AI system sends it). Whether a transfer is lawful is
judged by geography, not by what it declares (`spendgate.policy.privacy`): a country in the EEA
needs no mechanism, `adequacy` counts only where an EU adequacy decision (Art. 45) is in force,
and `scc` (Art. 46(2)(c)) or `bcr` (Art. 47) count as appropriate safeguards.
"""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from spendgate.documents.fields import CountryCode, IsoDate, StrictModel

Mechanism = Literal["adequacy", "scc", "bcr", "derogation", "none"]


class Transfer(StrictModel):
    """One transfer of personal data out of the EEA: to which country, under what."""

    to_country: CountryCode
    """The country the data goes to, as an ISO 3166-1 alpha-2 code."""
    mechanism: Mechanism
    """`adequacy` (GDPR Art. 45), `scc` standard contractual clauses (Art. 46(2)(c)), `bcr`
    binding corporate rules (Art. 47), `derogation` (Art. 49: occasional transfers only), or
    `none`."""
    tia_date: IsoDate | None = None
    """When the transfer impact assessment was done."""
    within_scope: bool = False
    """The recipient falls within the scope of a partial adequacy decision: certified under the
    EU-US Data Privacy Framework for US, a commercial organisation under PIPEDA for CA. A
    partial decision counts only for a transfer that says so."""

    @model_validator(mode="after")
    def _scope_only_for_adequacy(self) -> Transfer:
        if self.within_scope and self.mechanism != "adequacy":
            raise ValueError(
                f"within_scope says the recipient is within an adequacy decision's scope; "
                f"it does not apply to mechanism {self.mechanism}"
            )
        return self
