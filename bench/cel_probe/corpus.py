"""Realistic spendgate evaluation context (~60 leaf values) and 42 rule conditions in CEL.

`make_context(i)` varies the numbers with `i` so that no library can cache a result.
Dates the rules read through `timestamp(...)` are RFC 3339 strings (what a loader would
produce from YAML dates); `now` is an aware `datetime` (CEL timestamp).
"""

from __future__ import annotations

import datetime as dt

UTC = dt.timezone.utc

RULES: list[tuple[str, str]] = [
    # decision rights
    ("DR-010", "request.total_base >= 50000.0"),
    ("DR-020", "request.total_base >= 250000.0 && request.total_base < 1000000.0"),
    ("DR-030", "request.total_base >= 1000000.0"),
    ("DR-040", "requester.approval_limit >= request.total_base"),
    ("DR-050", '"cfo" in requester.roles'),
    ("DR-060", "request.department != budget.department"),
    # sanctions / vendor risk
    ("VR-010", 'vendor.sanctions.status == "clear"'),
    ("VR-020", 'vendor.sanctions.status != "clear"'),
    ("VR-030", 'now - timestamp(vendor.sanctions.screened_on) > duration("2160h")'),
    ("VR-040", 'vendor.risk.tier == "high" || vendor.risk.score >= 70'),
    ("VR-050", 'vendor.risk.tier in ["medium", "high"] && request.data.personal_data'),
    ("VR-060", 'timestamp(vendor.risk.last_review) < now - duration("8760h")'),
    ("VR-070", "!has(vendor.security.soc2_type2) && !has(vendor.security.iso27001)"),
    (
        "VR-080",
        "has(vendor.security.iso27001) && timestamp(vendor.security.iso27001.expires) < now",
    ),
    ("VR-090", "vendor.country in org.high_risk_countries"),
    ("VR-100", 'request.type == "renewal" && vendor.contract.auto_renew'),
    ("VR-110", 'timestamp(vendor.contract.expires) - now < duration("4320h")'),
    # ESG
    ("ESG-010", "has(vendor.esg.ecovadis) && vendor.esg.ecovadis.score >= 45"),
    ("ESG-020", "!has(vendor.esg.ecovadis) && request.total_base >= 100000.0"),
    ("ESG-030", 'has(vendor.esg.sbti) && vendor.esg.sbti.status in ["committed", "targets_set"]'),
    ("ESG-040", 'has(vendor.esg.cdp) && vendor.esg.cdp.climate in ["D", "D-", "F"]'),
    # cloud / capex / line items
    ("CL-010", 'request.line_items.exists(i, i.category == "cloud_commitment")'),
    (
        "CL-020",
        'request.line_items.exists(i, i.category == "cloud_commitment" && i.term_months >= 12)',
    ),
    ("CL-030", "request.line_items.all(i, i.currency == request.currency)"),
    ("CL-040", "size(request.line_items) > 3"),
    (
        "CX-010",
        'request.line_items.exists(i, i.category == "hardware" '
        "&& i.unit_price * double(i.quantity) >= 5000.0)",
    ),
    (
        "CX-020",
        'request.line_items.filter(i, i.category in ["implementation", "training"])'
        ".map(i, i.unit_price * double(i.quantity)).exists(x, x > 100000.0)",
    ),
    ("SP-010", "int(request.total_base) % 10000 == 0"),
    ("SP-020", "request.total_base / double(size(request.line_items)) > 100000.0"),
    # AI procurement
    ("AI-010", 'ai.eu_ai_act.risk_tier == "high"'),
    ("AI-020", 'ai.eu_ai_act.risk_tier == "prohibited"'),
    ("AI-030", "ai.eu_ai_act.gpai && !ai.controls.logging.enabled"),
    ("AI-040", 'size(ai.stakeholders.filter(s, s.position == "oppose")) > 0'),
    ("AI-050", 'ai.model.training_on_our_data && ai.model.hosting == "saas"'),
    (
        "AI-060",
        "ai.data.transfers.exists(t, !(t.to_country in org.adequate_countries) "
        '&& t.mechanism == "none")',
    ),
    ("AI-070", 'ai.eu_ai_act.risk_tier == "high" && !ai.controls.fria.required'),
    ("AI-080", "ai.contract.liability_cap < request.total_base * 2.0"),
    # industry / budget / data
    ("IN-010", 'org.industry == "banking" && vendor.dora.ict_provider'),
    (
        "IN-020",
        'org.industry == "banking" && vendor.dora.critical && request.total_base >= 100000.0',
    ),
    ("BU-010", "budget.remaining < request.total_base"),
    ("BU-020", "budget.remaining - request.total_base < budget.amount * 0.1"),
    (
        "DA-010",
        'request.data.classification in ["restricted", "confidential"] '
        "&& !vendor.data.residency.exists(c, c in org.allowed_regions)",
    ),
    (
        "TX-010",
        'request.title.contains("pilot") || request.justification.matches("(?i)proof of concept")',
    ),
]


def _ts(d: dt.date) -> str:
    return f"{d.isoformat()}T00:00:00Z"


def make_context(i: int = 0) -> dict[str, object]:
    """One request's evaluation context: nested dicts/lists of str/int/float/bool."""
    k = i % 97
    base = dt.date(2026, 1, 1) + dt.timedelta(days=k)
    items = [
        {
            "category": "term_license",
            "quantity": 1,
            "unit_price": 420000.0 + k,
            "currency": "EUR",
            "term_months": 36,
        },
        {
            "category": "implementation",
            "quantity": 1,
            "unit_price": 310000.0,
            "currency": "EUR",
            "term_months": 0,
        },
        {
            "category": "training",
            "quantity": 2 + k % 3,
            "unit_price": 9000.0,
            "currency": "EUR",
            "term_months": 0,
        },
        {
            "category": "cloud_commitment" if k % 2 else "hardware",
            "quantity": 4,
            "unit_price": 2500.0 + 10 * k,
            "currency": "EUR" if k % 5 else "USD",
            "term_months": 12,
        },
    ]
    total = sum(it["unit_price"] * it["quantity"] for it in items)  # type: ignore[operator]
    return {
        "request": {
            "id": f"NB-2026-{i:04d}",
            "title": "SME credit-decisioning scorecard engine" + (" pilot" if k % 7 == 0 else ""),
            "justification": "The in-house scorecard dates from 2019 and fails back-testing.",
            "type": "renewal" if k % 4 == 0 else "new",
            "department": "credit-risk",
            "currency": "EUR",
            "total_base": float(total),
            "line_items": items,
            "data": {
                "classification": "restricted",
                "personal_data": True,
                "regions": ["DE", "IE"],
            },
        },
        "vendor": {
            "id": "quantis-analytics",
            "country": "IE",
            "status": "approved",
            "contract": {"auto_renew": bool(k % 2), "expires": _ts(dt.date(2027, 6, 30))},
            "risk": {"score": 30 + k % 50, "tier": "medium", "last_review": _ts(base)},
            "sanctions": {"status": "clear", "screened_on": _ts(base)},
            "esg": {
                "ecovadis": {"score": 40 + k % 30, "medal": "silver"},
                "sbti": {"status": "committed"},
                **({"cdp": {"climate": "C"}} if k % 3 else {}),
            },
            "security": {"iso27001": {"expires": _ts(dt.date(2028, 2, 14))}},
            "data": {"residency": ["IE", "NL"]},
            "dora": {"ict_provider": True, "critical": bool(k % 2)},
        },
        "ai": {
            "eu_ai_act": {"risk_tier": "high" if k % 2 else "limited", "gpai": True},
            "model": {"training_on_our_data": False, "hosting": "saas"},
            "controls": {"logging": {"enabled": True}, "fria": {"required": bool(k % 2)}},
            "data": {
                "transfers": [
                    {"to_country": "US", "mechanism": "adequacy"},
                    {"to_country": "IN", "mechanism": "scc"},
                ]
            },
            "contract": {"liability_cap": 2000000.0},
            "stakeholders": [
                {"role": "legal", "position": "support"},
                {"role": "cfo", "position": "oppose" if k % 2 else "conditional"},
                {"role": "dpo", "position": "conditional"},
            ],
        },
        "org": {
            "industry": "banking",
            "adequate_countries": ["US", "GB", "CH", "JP"],
            "allowed_regions": ["DE", "IE", "NL", "FR"],
            "high_risk_countries": ["RU", "IR", "KP"],
        },
        "budget": {
            "department": "credit-risk",
            "amount": 2500000.0,
            "remaining": 900000.0 - 1000 * k,
        },
        "requester": {
            "id": "conor.whelan",
            "approval_limit": 100000.0,
            "roles": ["requester", "budget_owner"],
        },
        "now": dt.datetime(2026, 11, 15, 12, 0, tzinfo=UTC),
    }


def count_leaves(obj: object) -> int:
    if isinstance(obj, dict):
        return sum(count_leaves(v) for v in obj.values())
    if isinstance(obj, list):
        return sum(count_leaves(v) for v in obj)
    return 1


if __name__ == "__main__":
    print(len(RULES), "rules;", count_leaves(make_context()), "leaf values")
