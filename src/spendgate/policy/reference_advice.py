"""What clears a finding of each rule of the reference policy library: the advice `check`
shows under a blocking finding (`fix:`), by policy name and rule id.

It is kept here rather than in the policy files as their `fix`: every decision records the git
blob of each policy file it was decided by, and a decision log recorded under the reference
library must verify and replay on later versions of spendgate (tests/test_log_rfc8785.py).
Advice changes no decision, so it may improve without changing the library's files. A rule's own
`fix` takes precedence; the copies `spendgate init` writes keep the library's names and rule
ids, so they get the same advice until their owners write their own.
"""

from __future__ import annotations

#: (policy name, rule id) -> what clears a finding of that rule.
REFERENCE_FIXES: dict[tuple[str, str], str] = {
    ("ai-procurement", "AI-010"): (
        "Do not buy it: the EU AI Act (Article 5) prohibits the practice. Correct "
        "ai.eu_ai_act.risk_tier in the AI assessment only if the assessment was wrong."
    ),
    ("ai-procurement", "AI-030"): (
        "Complete the fundamental rights impact assessment and record its date in the AI "
        "assessment (controls.fria.completed)."
    ),
    ("ai-procurement", "AI-040"): (
        "Have the vendor keep logs for at least 180 days and record it in the AI assessment "
        "(controls.logging.enabled, controls.logging.retention_days)."
    ),
    ("ai-procurement", "AI-050"): (
        "Name the person who oversees the system in the AI assessment "
        "(controls.human_oversight_owner)."
    ),
    ("ai-procurement", "AI-060"): (
        "Add the MCC-AI high-risk clauses to the contract and record it in the AI assessment "
        "(contract.mcc_ai: high_risk)."
    ),
    ("ai-procurement", "AI-070"): (
        "Write how users are told they deal with AI and record it in the AI assessment "
        "(controls.transparency_plan)."
    ),
    ("ai-procurement", "AI-080"): (
        "Cover each transfer of personal data outside the EEA by an adequacy decision, SCCs "
        "or BCRs, and record the mechanism in the AI assessment (data.transfers)."
    ),
    ("ai-procurement", "AI-085"): (
        "Carry out a transfer impact assessment for each transfer under SCCs or BCRs and "
        "record its date in the AI assessment (data.transfers[].tia_date)."
    ),
    ("cloud-finops", "CLOUD-020"): (
        "Size the commitment to usage you forecast at 70% or more, and record the forecast on "
        "the line item (forecast_utilisation)."
    ),
    ("data-protection", "DP-010"): (
        "Cover each place the vendor holds or processes personal data outside the EEA by an "
        "adequacy decision, SCCs or BCRs, recorded in the vendor file (data.transfers)."
    ),
    ("data-protection", "DP-020"): (
        "Obtain a transfer impact assessment for each of the vendor's transfers under SCCs or "
        "BCRs and record its date in the vendor file (data.transfers[].tia_date)."
    ),
    ("decision-rights", "DR-090"): (
        "Ask the budget owner to add a budget for the cost centre and fiscal year to "
        "org/budgets.yaml, or move the start date into a year that has one."
    ),
    ("decision-rights", "DR-095"): (
        "Ask the budget owner to plan the later years' amounts into org/budgets.yaml."
    ),
    ("esg", "ESG-010"): (
        "Ask the vendor for a current EcoVadis assessment (a score of 45 or more, or a medal "
        "from the last 12 months) and record it in the vendor file (esg.ecovadis)."
    ),
    ("esg", "ESG-020"): (
        "Ask the vendor to disclose to CDP climate and record the score in the vendor file "
        "(esg.cdp.climate)."
    ),
    ("esg", "ESG-030"): (
        "Ask the vendor for its SBTi targets and record the date in the vendor file "
        "(esg.sbti.since)."
    ),
    ("esg", "ESG-040"): (
        "Ask the vendor for its modern slavery statement of this or last year and record it "
        "in the vendor file (esg.modern_slavery_statement)."
    ),
    ("industry-finance", "FIN-030"): (
        "Choose a system that explains each individual decision, and record it in the AI "
        "assessment (controls.explainability: local)."
    ),
    ("industry-manufacturing", "MFG-020"): (
        "Plan a pilot with success criteria and record it in the AI assessment "
        "(pilot.planned, pilot.weeks, pilot.success_criteria)."
    ),
    ("industry-public-sector", "PUB-010"): (
        "Complete the fundamental rights impact assessment and record its date in the AI "
        "assessment (controls.fria.completed)."
    ),
    ("purchase-integrity", "SPLIT-010"): (
        "Combine the related requests to the vendor into one request, so that the approvals "
        "its full value needs are asked for."
    ),
    ("purchase-integrity", "SPLIT-020"): (
        "Check that the amount is not set to stay under an approval threshold; nothing to do "
        "if it is the real price."
    ),
    ("purchase-integrity", "DUP-010"): (
        "Withdraw the duplicate, or say in the description why both purchases are needed."
    ),
    ("purchase-integrity", "REF-010"): (
        "Name the request this one renews (renews), as it is in requests/."
    ),
    ("purchase-integrity", "TEL-010"): (
        "Negotiate the price down to the benchmark, or write what was negotiated on the line "
        "item (negotiation_note)."
    ),
    ("vendor-risk", "VR-010"): (
        "Do not buy from the vendor until its sanctions screening is clear; compliance "
        "re-screens it and records the result in the vendor file (sanctions)."
    ),
    ("vendor-risk", "VR-015"): (
        "Screen the vendor against the sanctions lists again and record the date in the "
        "vendor file (sanctions.screened_on)."
    ),
    ("vendor-risk", "VR-020"): (
        "Choose another vendor, or have procurement lift the block in the vendor file (status)."
    ),
    ("vendor-risk", "VR-030"): (
        "Extend or renew the vendor's contract to cover the whole term, and record it in the "
        "vendor file (contract.expires), or shorten the term."
    ),
    ("vendor-risk", "VR-040"): (
        "Obtain the vendor's current SOC 2 Type II report and a valid ISO 27001 certificate "
        "and record them in the vendor file (security.soc2_type2, security.iso27001)."
    ),
}


def reference_fix(policy: str, rule: str) -> str:
    """The library's advice for `rule` of `policy`, or "" when it has none."""
    return REFERENCE_FIXES.get((policy, rule), "")
