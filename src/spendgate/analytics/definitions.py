"""What each KPI means, in the words the dashboard shows beside it (and the README repeats)."""

from __future__ import annotations

DEFINITIONS: dict[str, str] = {
    "spend_under_management": (
        "Spend paid through approved purchase requests ÷ all technology spend in the "
        "accounts-payable export (--spend), in base currency by the payment date's FX table, "
        "for payments dated on or after the period start. A payment is under management when "
        "its request column names a request that spendgate decides approved. Departments come "
        "from the payment, else from the request it names."
    ),
    "time_to_procure": (
        "Days from a request's first commit to the commit that made it approved (the last "
        "commit of an approval record that fills its route), for approved requests submitted "
        "in the period: median and 90th percentile (nearest rank). By category: the category of "
        "the request's largest line. By role: for every filled step of the period's requests, "
        "days from the opening of its stage (the request's first commit, or the last approval "
        "of the stages before it) to the commit of its approval. Where git does not know a "
        "request's files, its own dates are used (submitted, approval dates)."
    ),
    "approvals_waiting": (
        "Steps of pending requests that can be approved now (with sequential stages, those of "
        "the earliest stage still open), by approver role; age in days from the opening of "
        "the step's stage to the report date."
    ),
    "contract_compliance": (
        "Spend with vendors holding an active contract (MSA signed, not expired or renewing "
        "automatically) at the time of the request a payment names, or on the payment date "
        "when it names none, ÷ all spend in the period."
    ),
    "cloud_cost_accuracy": (
        "Forecast error |actual − forecast| ÷ forecast per month and provider. Forecast: the "
        "cloud_consumption and cloud_commitment lines of approved and pending requests, "
        "spread evenly over their term's months from the term's start. Actual: FOCUS "
        "EffectiveCost of every billing row but commitment Purchase rows (which are listed "
        "apart, with their BilledCost) and Tax rows, converted at the FX rates recorded for "
        "the charge's date. Overall: Σ|actual − forecast| ÷ Σ forecast."
    ),
    "saas_utilisation": (
        "Seats active in the last 30 days ÷ seats paid, per vendor, from the usage export "
        "(--usage). Seats paid: the larger of the seats listed and the seats bought in "
        "approved requests (saas_subscription and term_license quantities). An idle seat costs "
        "the subscription's yearly value (approved requests, else pending ones) ÷ seats paid."
    ),
    "supplier_risk": (
        "Vendors by risk tier and EcoVadis medal; attestations that lapse within 90 days "
        "(ISO 27001 and ISO 14001 on expiry, a SOC 2 Type II report or EcoVadis assessment 12 "
        "months after its period or assessment); spend in the period with vendors below the "
        "ESG bar: no EcoVadis assessment in the last 12 months scoring 45 or more or with a "
        "medal."
    ),
    "policy_outcomes": (
        "Findings per rule, by the month the requests were submitted, as decided on the report "
        "date; blocking and waived counts. Waivers in force on the report date, and those "
        "lapsing within 30 days."
    ),
    "audit_trail": (
        "The decision log (paths.audit_log, written by spendgate audit record): its records by "
        "the UTC month of their timestamp, and each request's latest record (the last in the "
        "log) by status. Approved, not recorded: requests the gate approves on the report date "
        "whose latest record is not that approval of their current text (the request file and "
        "its git blob id): never recorded as approved, or changed since. Recorded, no longer "
        "approved: requests "
        "whose latest record says approved that the gate does not approve on the report date. "
        "A record that is not JSON, lacks its request, status or timestamp, or has a timestamp "
        "that does not parse is left out and counted. The log's hash chain is not verified "
        "here: spendgate audit verify does that."
    ),
}
