"""AdequacyDecisions (`policies/*.yaml`): where personal data may go without further safeguards.

GDPR Art. 44 allows a transfer out of the EEA only under Chapter V; Art. 45 lets the European
Commission decide that a third country (or a territory, or sectors of it) ensures an adequate
level of protection, and a transfer there needs no further authorisation. The EEA is the EU 27
and, by the EEA Agreement (the GDPR is incorporated into its Annex XI), Iceland, Liechtenstein
and Norway. This document keeps both lists as dated data: the reference library ships one, and a
governance repository may keep its own in its policies folder, which then replaces it. Like a
policy, it names the role that owns it: a pull request that changes it needs that role's
approval.
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import Field, model_validator

from spendgate.documents.fields import CountryCode, Document, IsoDate, StrictModel
from spendgate.documents.policy import Metadata


class AdequacyDecision(StrictModel):
    """One Commission decision that a country ensures an adequate level of protection."""

    country: CountryCode
    """The country (or territory) the decision covers, as an ISO 3166-1 alpha-2 code."""
    adopted: IsoDate
    """The day the Commission adopted the decision (ISO date, YYYY-MM-DD); it counts from then."""
    until: IsoDate | None = None
    """The last day it applies (inclusive), for a decision with a sunset clause or one
    replaced by another; none while it stands."""
    scope: str | None = None
    """A partial decision covers only the recipients it names (e.g. `EU-US Data Privacy
    Framework participants`); a transfer counts under it only when it says it is
    `within_scope`."""
    reference: str = Field(min_length=1)
    """The decision, e.g. `Commission Implementing Decision (EU) 2019/419 of 23 January 2019`."""

    @model_validator(mode="after")
    def _ends_after_adoption(self) -> AdequacyDecision:
        if self.until is not None and self.until < self.adopted:
            raise ValueError(f"until ({self.until}) is before adopted ({self.adopted})")
        return self

    def in_force(self, day: date) -> bool:
        """Whether the decision counts on `day`: adopted by then and not yet lapsed."""
        return self.adopted <= day and (self.until is None or day <= self.until)


class AdequacyDecisions(Document):
    """The adequacy lists: the EEA countries and the Commission's decisions, dated."""

    kind: Literal["AdequacyDecisions"]
    """The document kind: always `AdequacyDecisions`."""
    metadata: Metadata
    """The list's name, version and description, as a policy's."""
    source: str = Field(min_length=1)
    """Where the lists were taken from, for whoever updates them."""
    as_of: IsoDate
    """When the lists were last checked against the source."""
    eea: list[CountryCode] = Field(min_length=1)
    """The countries of the European Economic Area: transfers among them need no mechanism."""
    decisions: list[AdequacyDecision] = []
    """The Commission's adequacy decisions (GDPR Art. 45), one per country and decision."""

    @model_validator(mode="after")
    def _no_decision_for_the_eea(self) -> AdequacyDecisions:
        inside = sorted({d.country for d in self.decisions} & set(self.eea))
        if inside:
            raise ValueError(
                f"{', '.join(inside)} in the EEA need no adequacy decision; remove the decision "
                "or the country from eea"
            )
        return self

    def decisions_for(self, country: str, day: date) -> list[AdequacyDecision]:
        """The decisions for `country` in force on `day`."""
        return [d for d in self.decisions if d.country == country and d.in_force(day)]
