"""Generate a synthetic, valid governance repository for benchmarks.

    python bench/generate.py --requests N --out DIR [--seed S] [--people P]
                             [--near-identical {window,spread}]

Writes, deterministically for a given seed and N:

- `spendgate.yaml` (Config: base EUR, FX rates for USD, GBP, SEK and NOK),
- `org/people.yaml` (about N/20 people, an acyclic manager tree, roles, delegations),
- `org/budgets.yaml` (36 cost centres for fiscal year 2026),
- N/10 vendors `vendors/vNNNNN.yaml` with full profiles,
- N requests `requests/<yyyy>/<mm>/rNNNNNN.yaml` of about 2 KB each,
- N/50 AI assessments `ai/aiNNNNN.yaml` and N/20 approvals `approvals/<yyyy>/<mm>/...yaml`.

With `--near-identical LAYOUT` the N requests are instead copies of one request (same requester,
vendor, cost centre and line items, so the same amount) that differ only in id and dates, all
submitted within one 30-day window (`window`) or one a day (`spread`); there are no AI
assessments, and the N/20 approvals are written as usual.

YAML is written as text from templates rather than through `yaml.dump`: it is an order of
magnitude faster for 100,000 files and reads like what people write by hand (block style,
quotes only where a plain scalar would be misread).
"""

from __future__ import annotations

import argparse
import hashlib
import re
import sys
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from random import Random

FISCAL_YEAR = 2026
FX_RATES = {"USD": "0.92", "GBP": "1.17", "SEK": "0.087", "NOK": "0.085"}
PRICE_SCALE = {"EUR": 1, "USD": 1, "GBP": 1, "SEK": 11, "NOK": 11}
CURRENCY_WEIGHTS = (("EUR", 60), ("USD", 18), ("GBP", 8), ("SEK", 7), ("NOK", 7))
FIRST_DAY = date(2025, 7, 1)
#: The evaluation date the corpus is built for (`check --as-of`): most vendor evidence is
#: current on it and about one vendor in ten has something stale, as in a real repository.
AS_OF = date(2026, 11, 22)
DAY_SPAN = 540  # requests are submitted between July 2025 and December 2026
#: How `--near-identical` requests are dated: all within one 30-day window, or one a day.
NEAR_IDENTICAL_LAYOUTS = ("window", "spread")
NEAR_IDENTICAL_WINDOW_DAYS = 30

# --------------------------------------------------------------------------------------------
# YAML scalars
# --------------------------------------------------------------------------------------------

_PLAIN_UNSAFE_START = set("-?:,[]{}#&*!|>'\"%@` ")
_YAML11_WORDS = {
    "y",
    "n",
    "yes",
    "no",
    "on",
    "off",
    "true",
    "false",
    "null",
    "~",
    ".inf",
    ".nan",
}
_NUMBER_LIKE = re.compile(r"^[-+]?(\d[\d_,]*(\.\d*)?|\.\d+)([eE][-+]?\d+)?$|^0[xob]")
_DATE_LIKE = re.compile(r"^\d{4}-\d\d?-\d\d?")


def scalar(text: str) -> str:
    """`text` as a YAML scalar: plain when it is read back as the same string, else quoted."""
    if (
        not text
        or text[0] in _PLAIN_UNSAFE_START
        or text[-1] in " :"
        or ": " in text
        or " #" in text
        or "\n" in text
        or text.lower() in _YAML11_WORDS
        or _NUMBER_LIKE.match(text)
        or _DATE_LIKE.match(text)
    ):
        escaped = text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
        return f'"{escaped}"'
    return text


def block(paragraphs: Sequence[str], indent: str = "  ", width: int = 92) -> str:
    """A literal block scalar (`|`) body: paragraphs wrapped at `width`, blank lines between."""
    lines: list[str] = []
    for number, paragraph in enumerate(paragraphs):
        if number:
            lines.append("")
        lines.extend(indent + line for line in wrap(paragraph, width - len(indent)))
    return "\n".join(lines)


def wrap(text: str, width: int) -> list[str]:
    """Greedy word wrap; cheaper than `textwrap` and good enough for generated prose."""
    lines: list[str] = []
    current: list[str] = []
    length = -1
    for word in text.split(" "):
        if length + 1 + len(word) > width and current:
            lines.append(" ".join(current))
            current, length = [], -1
        current.append(word)
        length += 1 + len(word)
    if current:
        lines.append(" ".join(current))
    return lines


def money(cents: int) -> str:
    """An amount as YAML: `1200` for whole units, `42.5`-style decimals otherwise."""
    units, rest = divmod(cents, 100)
    return str(units) if rest == 0 else f"{units}.{rest:02d}"


def price(rng: Random, low: int, high: int, scale: int) -> str:
    """A price between `low` and `high` euro cents, in a currency worth 1/`scale` of a euro."""
    return money(rng.randrange(low, high) * scale)


def yes_no(value: bool) -> str:
    return "true" if value else "false"


def string_list(items: Sequence[str], indent: str) -> str:
    """A block sequence of strings (the caller writes the key line), or ` []` inline."""
    return "".join(f"\n{indent}- {scalar(item)}" for item in items)


# --------------------------------------------------------------------------------------------
# Vocabulary
# --------------------------------------------------------------------------------------------

FIRST_NAMES = (
    ("Ingrid", "ingrid"),
    ("Lars", "lars"),
    ("Søren", "soren"),
    ("Aino", "aino"),
    ("Mikael", "mikael"),
    ("Freya", "freya"),
    ("Jonas", "jonas"),
    ("Astrid", "astrid"),
    ("Emma", "emma"),
    ("Oliver", "oliver"),
    ("Chloé", "chloe"),
    ("Mateo", "mateo"),
    ("Priya", "priya"),
    ("Kenji", "kenji"),
    ("Zofia", "zofia"),
    ("Tomás", "tomas"),
    ("Hanna", "hanna"),
    ("Erik", "erik"),
    ("Nora", "nora"),
    ("Björn", "bjorn"),
    ("Leila", "leila"),
    ("David", "david"),
    ("Sara", "sara"),
    ("Ahmed", "ahmed"),
)
LAST_NAMES = (
    ("Berg", "berg"),
    ("Nilsen", "nilsen"),
    ("Ødegård", "odegard"),
    ("Virtanen", "virtanen"),
    ("Johansson", "johansson"),
    ("Hansen", "hansen"),
    ("Müller", "muller"),
    ("Dubois", "dubois"),
    ("García", "garcia"),
    ("Rossi", "rossi"),
    ("Kowalski", "kowalski"),
    ("Smith", "smith"),
    ("Patel", "patel"),
    ("Tanaka", "tanaka"),
    ("Lindqvist", "lindqvist"),
    ("Haugen", "haugen"),
    ("Jensen", "jensen"),
    ("Bakker", "bakker"),
    ("O'Neill", "oneill"),
    ("Strand", "strand"),
)

DEPARTMENTS: dict[str, tuple[str, ...]] = {
    "engineering": ("eng-platform", "eng-payments", "eng-mobile", "eng-data", "eng-core"),
    "it": ("it-workplace", "it-infrastructure", "it-networks", "it-service-desk"),
    "security": ("sec-operations", "sec-identity", "sec-grc"),
    "data": ("data-analytics", "data-science", "data-governance"),
    "finance": ("fin-controlling", "fin-treasury", "fin-accounting"),
    "risk": ("risk-credit", "risk-operational", "risk-model"),
    "compliance": ("comp-aml", "comp-regulatory"),
    "legal": ("legal-corporate", "legal-contracts"),
    "operations": ("ops-branches", "ops-back-office", "ops-facilities"),
    "marketing": ("mkt-brand", "mkt-digital"),
    "sales": ("sales-retail", "sales-corporate"),
    "customer_service": ("cs-contact-centre", "cs-digital"),
    "hr": ("hr-people", "hr-learning"),
    "procurement": ("proc-sourcing",),
}

EXECUTIVES = (  # (roles, department) of the first people, all reporting to the CEO
    (("ceo", "manager"), "operations"),
    (("cfo", "manager", "budget_owner"), "finance"),
    (("cto", "manager", "budget_owner"), "engineering"),
    (("legal", "manager"), "legal"),
    (("compliance", "manager"), "compliance"),
    (("dpo",), "compliance"),
    (("procurement", "manager"), "procurement"),
    (("ciso", "manager", "budget_owner"), "security"),
    (("coo", "manager", "budget_owner"), "operations"),
    # Every role the reference library routes to has a holder, so that a decision's route can
    # be filled, as in a real organisation (a role nobody holds is a blocking finding).
    (("board",), "operations"),
    (("vp", "manager"), "engineering"),
    (("vp", "manager"), "operations"),
    (("financial_controller", "manager"), "finance"),
    (("security", "manager"), "security"),
    (("finops",), "engineering"),
    (("operations",), "operations"),
    (("data_governance",), "compliance"),
)

COUNTRIES = (
    ("NO", "AS", "Oslo"),
    ("SE", "AB", "Stockholm"),
    ("DK", "ApS", "Copenhagen"),
    ("FI", "Oy", "Helsinki"),
    ("DE", "GmbH", "Berlin"),
    ("NL", "B.V.", "Amsterdam"),
    ("FR", "SAS", "Paris"),
    ("IE", "Limited", "Dublin"),
    ("GB", "Ltd", "London"),
    ("US", "Inc.", "Austin"),
    ("US", "LLC", "Seattle"),
    ("CH", "AG", "Zurich"),
    ("PL", "sp. z o.o.", "Warsaw"),
    ("EE", "OÜ", "Tallinn"),
    ("IN", "Pvt Ltd", "Bengaluru"),
)
VENDOR_STEMS = (
    "Nordlys",
    "Fjord",
    "Aurora",
    "Polar",
    "Skagen",
    "Baltic",
    "Helix",
    "Quantum",
    "Vector",
    "Summit",
    "Cobalt",
    "Granite",
    "Harbor",
    "Meridian",
    "Nimbus",
    "Orbit",
    "Pinnacle",
    "Sable",
    "Tundra",
    "Vanguard",
    "Zenith",
    "Kestrel",
    "Lumen",
    "Arctic",
    "Birch",
    "Cedar",
    "Delta",
)
VENDOR_TRADES = (
    "Cloud Systems",
    "Data",
    "Software",
    "Consulting",
    "Networks",
    "Analytics",
    "Security",
    "Hardware",
    "Learning",
    "Telecom",
    "Digital",
    "AI Labs",
    "Infrastructure",
    "Solutions",
)
RISK_DOMAINS = ("cyber", "privacy", "financial", "operational", "concentration", "esg", "legal")
SANCTIONS_LISTS = ("EU consolidated", "UN Security Council", "OFAC SDN", "UK HMT", "NO MFA")
SUB_PROCESSORS = (
    "Amazon Web Services EMEA SARL",
    "Microsoft Ireland Operations Ltd",
    "Google Cloud EMEA Ltd",
    "Cloudflare Inc.",
    "Twilio Ireland Ltd",
    "Zendesk Inc.",
    "Snowflake Computing Netherlands B.V.",
    "Datadog Inc.",
    "OVH SAS",
    "Hetzner Online GmbH",
    "Atlassian Pty Ltd",
    "Stripe Payments Europe",
)
MEDALS = ((0, "none"), (45, "bronze"), (55, "silver"), (65, "gold"), (75, "platinum"))
CDP_GRADES = ("A", "A-", "B", "B-", "C", "C-", "D", "D-")
SBTI = ("none", "committed", "targets_set", "targets_set", "removed")
RESIDENCY = ("NO", "SE", "DE", "IE", "NL", "FI", "FR", "US", "GB", "CH")

PRODUCTS = (
    "observability platform",
    "customer data platform",
    "identity and access management suite",
    "endpoint protection",
    "core banking test environments",
    "payment gateway",
    "contract lifecycle management tool",
    "e-signature service",
    "data warehouse",
    "developer laptops",
    "branch network switches",
    "contact centre telephony",
    "HR information system",
    "learning management system",
    "GRC platform",
    "backup and recovery appliances",
    "SIEM",
    "API management gateway",
    "document archive",
    "fraud detection engine",
    "mobile device management",
    "BI dashboards",
    "video conferencing rooms",
    "secure file transfer",
    "KYC screening service",
)
AI_PRODUCTS = (
    "LLM assistant for customer service",
    "credit scoring model",
    "AML transaction monitoring model",
    "document extraction service",
    "code assistant for developers",
    "speech analytics",
    "claims triage model",
    "CV screening tool",
    "chatbot for the public website",
    "forecasting service for cash management",
)
PURPOSES = (
    "the payments team",
    "all branches",
    "the contact centre",
    "the data platform",
    "regulatory reporting",
    "the mobile bank",
    "group IT",
    "the 2026 cloud migration",
    "the risk function",
    "corporate customers",
    "onboarding of retail customers",
    "the security operations centre",
    "internal audit",
    "the finance close process",
)
VERBS = {
    "new": ("Purchase of", "Introduce", "New", "Pilot and roll-out of", "Procure"),
    "renewal": ("Renewal of", "Renew", "Annual renewal of", "Extend"),
    "upgrade": ("Upgrade of", "Expand", "Scale up", "Tier upgrade of"),
    "change_order": ("Change order for", "Scope change for", "Additional capacity for"),
}
TYPES = (("new", 55), ("renewal", 25), ("upgrade", 12), ("change_order", 8))

OPENINGS = (
    "The {product} we use today for {purpose} no longer meets our needs.",
    "{department_title} has run on a patchwork of tools for {purpose}, and the cost of keeping "
    "it together grows every quarter.",
    "This request covers the {product} that {purpose} depends on every working day.",
    "Following the architecture review in {quarter}, we propose to standardise on one "
    "{product} for {purpose}.",
    "Our current contract for the {product} ends in {quarter} and needs a decision now.",
)
MIDDLES = (
    "We compared three suppliers on functionality, price, security posture and exit terms, "
    "and {vendor} came out ahead on total cost over the term.",
    "The incumbent tool is at end of support, which leaves us exposed to unpatched "
    "vulnerabilities and to audit findings.",
    "Volumes grew by roughly {growth} percent over the last year and the current capacity is "
    "exhausted during month-end peaks.",
    "Manual workarounds currently cost about {hours} hours per month across the team.",
    "The solution integrates with our identity provider, so joiners and leavers are handled "
    "automatically and access reviews become a report rather than a project.",
    "Security reviewed the vendor's SOC 2 report and penetration test summary and had no "
    "blocking findings.",
    "Procurement negotiated a discount against list price in exchange for a longer commitment.",
    "Data stays in the EU, and the vendor's sub-processors are listed in the data processing "
    "agreement.",
    "Without this purchase the project plan for {purpose} slips by at least one quarter.",
)
CLOSINGS = (
    "We ask for approval so that delivery can start before {needed}.",
    "The cost is covered by the approved budget of cost centre {cost_centre}.",
    "A decision is needed before {needed} to keep the current pricing.",
    "Finance has reviewed the business case and the classification of the line items.",
    "The request has been discussed with the budget owner, who supports it.",
)
KPIS = (
    "Reduce mean time to resolve incidents by {n}%",
    "Cut licence spend on overlapping tools by {n}%",
    "Bring onboarding time for new customers under {d} days",
    "Raise first-contact resolution to {p}%",
    "Retire {d} legacy servers by year end",
    "Keep availability at or above 99.9% per month",
    "Lower manual processing effort by {n} hours per month",
    "Close all high findings from the last internal audit",
    "Shorten the monthly close by {d} days",
    "Raise employee satisfaction with tooling by {n} points",
)
REGIONS = ("EU", "EEA", "NO", "SE", "DE", "IE", "US", "GB")


# --------------------------------------------------------------------------------------------
# The organisation: who exists, which cost centres, which vendors
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Person:
    id: str
    name: str
    department: str
    roles: tuple[str, ...]
    manager: str | None


@dataclass
class Organisation:
    people: list[Person] = field(default_factory=list)
    by_department: dict[str, list[Person]] = field(default_factory=dict)
    budget_owners: list[Person] = field(default_factory=list)
    approvers: list[tuple[Person, str]] = field(default_factory=list)
    vendor_ids: list[str] = field(default_factory=list)


def make_people(rng: Random, count: int) -> list[Person]:
    """`count` people: executives first, then staff whose manager is always someone earlier."""
    people: list[Person] = []
    taken: set[str] = set()
    departments = tuple(DEPARTMENTS)
    for index in range(max(count, len(EXECUTIVES) + 3)):
        first, first_id = rng.choice(FIRST_NAMES)
        last, last_id = rng.choice(LAST_NAMES)
        identifier = f"{first_id}.{last_id}"
        suffix = 2
        while identifier in taken:
            identifier, suffix = f"{first_id}.{last_id}{suffix}", suffix + 1
        taken.add(identifier)
        if index < len(EXECUTIVES):
            roles, department = EXECUTIVES[index]
            manager = people[0].id if index else None
        else:
            department = rng.choice(departments)
            boss = people[rng.randrange(max(1, index // 6), index)]
            manager = boss.id
            roles = ("employee",)
        people.append(Person(identifier, f"{first} {last}", department, roles, manager))
    return _promote_managers(people)


def _promote_managers(people: list[Person]) -> list[Person]:
    """Give everyone with reports the `manager` role (and every third of them a budget), and
    the first staff member of each department the `director` role."""
    managers = {person.manager for person in people if person.manager}
    promoted: list[Person] = []
    directed: set[str] = set()
    for index, person in enumerate(people):
        roles = person.roles
        if person.id in managers and "manager" not in roles:
            roles = (*roles, "manager") + (("budget_owner",) if index % 3 == 0 else ())
        if index >= len(EXECUTIVES) and person.department not in directed:
            directed.add(person.department)
            roles = (*roles, "director")
        promoted.append(Person(person.id, person.name, person.department, roles, person.manager))
    return promoted


def make_organisation(rng: Random, people_count: int, vendor_count: int) -> Organisation:
    org = Organisation(people=make_people(rng, people_count))
    for person in org.people:
        org.by_department.setdefault(person.department, []).append(person)
    org.budget_owners = [p for p in org.people if "budget_owner" in p.roles]
    for person in org.people:
        for role in person.roles:
            if role not in ("employee", "ceo", "coo"):
                org.approvers.append((person, role))
    org.vendor_ids = [f"v{number:05d}" for number in range(1, vendor_count + 1)]
    return org


def render_config() -> str:
    rates = "".join(f"\n    {code}: {rate}" for code, rate in FX_RATES.items())
    return f"""\
apiVersion: spendgate/v1
kind: Config
organization:
  name: Nordlys Sparebank ASA
  industry: finance
  jurisdictions:
    - EU
    - "NO"
    - SE
  base_currency: EUR
  fiscal_year_start: 1
fx:
  as_of: 2026-01-02
  rates:{rates}
capitalization_threshold: 5000
approvals:
  source: records
  require_authenticity: false
policy_set: builtin
"""


def render_people(rng: Random, org: Organisation) -> str:
    parts = ["apiVersion: spendgate/v1\nkind: People\npeople:\n"]
    for person in org.people:
        manager = f"\n    manager: {person.manager}" if person.manager else ""
        login = person.id.replace(".", "-")
        roles = string_list(person.roles, "      ")
        parts.append(
            f"""\
  - id: {person.id}
    name: {scalar(person.name)}
    email: {person.id}@nordlys.example
    github: {login}
    roles:{roles}
    departments:
      - {person.department}{manager}
"""
        )
    parts.append("delegations:\n")
    for number in range(max(2, len(org.people) // 40)):
        delegator, role = org.approvers[number % len(org.approvers)]
        delegate = rng.choice([p for p in org.people if p.id != delegator.id])
        start = FIRST_DAY + timedelta(days=rng.randrange(DAY_SPAN))
        end = start + timedelta(days=rng.randrange(5, 30))
        parts.append(
            f"""\
  - from: {delegator.id}
    to: {delegate.id}
    roles:
      - {role}
    start: {start.isoformat()}
    end: {end.isoformat()}
    reason: {rng.choice(("Annual leave", "Parental leave", "Business travel", "Sick leave"))}
"""
        )
    return "".join(parts)


def render_budgets(rng: Random, org: Organisation) -> str:
    parts = ["apiVersion: spendgate/v1\nkind: Budgets\nbudgets:\n"]
    for department, centres in DEPARTMENTS.items():
        for centre in centres:
            owner = rng.choice(org.budget_owners)
            amount = rng.randrange(4, 120) * 250_000
            capex = amount * rng.randrange(20, 60) // 100
            name = centre.split("-", 1)[1].replace("-", " ").capitalize()
            parts.append(
                f"""\
  - cost_centre: {centre}
    name: {scalar(name)}
    department: {department}
    fiscal_year: {FISCAL_YEAR}
    owner: {owner.id}
    amount: {amount}
    currency: EUR
    capex_cap: {capex}
    opex_cap: {amount - capex}
"""
            )
    return "".join(parts)


def render_vendor(rng: Random, vendor_id: str) -> str:
    country, form, city = rng.choice(COUNTRIES)
    stem, trade = rng.choice(VENDOR_STEMS), rng.choice(VENDOR_TRADES)
    legal_name = f"{stem} {trade} {form}"
    slug = f"{stem}{trade.split()[0]}".lower()
    signed = date(2019, 1, 1) + timedelta(days=rng.randrange(2400))
    expires = signed + timedelta(days=365 * rng.randrange(5, 12))
    score = rng.randrange(5, 95)
    tier = "low" if score < 30 else "medium" if score < 60 else "high" if score < 85 else "critical"
    review = AS_OF - timedelta(days=rng.randrange(200))
    eco = rng.randrange(25, 90)
    medal = next(name for floor, name in reversed(MEDALS) if eco >= floor)
    status = rng.choices(("approved", "onboarding", "blocked"), (85, 12, 3))[0]
    sanctions = rng.choices(("clear", "pending", "hit"), (95, 4, 1))[0]
    ict = rng.random() < 0.6
    domains = string_list(rng.sample(RISK_DOMAINS, rng.randrange(1, 4)), "      ")
    lists = string_list(rng.sample(SANCTIONS_LISTS, rng.randrange(2, 5)), "    ")
    residency = string_list(rng.sample(RESIDENCY, rng.randrange(1, 4)), "    ")
    subs = string_list(rng.sample(SUB_PROCESSORS, rng.randrange(1, 5)), "    ")
    return f"""\
apiVersion: spendgate/v1
kind: Vendor
id: {vendor_id}
legal_name: {scalar(legal_name)}
country: {scalar(country)}
status: {status}
strategic: {yes_no(rng.random() < 0.1)}
contract:
  msa_id: MSA-{signed.year}-{rng.randrange(1000, 9999)}
  signed: {signed.isoformat()}
  expires: {expires.isoformat()}
  auto_renew: {yes_no(rng.random() < 0.5)}
  notice_days: {rng.choice((30, 60, 90, 180))}
risk:
  score: {score}
  tier: {tier}
  last_review: {review.isoformat()}
  domains:{domains}
sanctions:
  status: {sanctions}
  screened_on: {(AS_OF - timedelta(days=rng.randrange(100))).isoformat()}
  lists:{lists}
esg:
  ecovadis:
    score: {eco}
    medal: {medal}
    assessed_on: {(review - timedelta(days=rng.randrange(300))).isoformat()}
  cdp:
    climate: {rng.choice(CDP_GRADES)}
  sbti:
    status: {rng.choice(SBTI)}
    since: {(signed - timedelta(days=rng.randrange(400))).isoformat()}
  iso14001:
    expires: {(review + timedelta(days=rng.randrange(200, 1100))).isoformat()}
  modern_slavery_statement:
    url: https://www.{slug}.example/{city.lower()}/modern-slavery-statement
    year: {rng.choice((2024, 2025, 2025, 2026, 2026))}
security:
  soc2_type2:
    period_end: {(AS_OF - timedelta(days=rng.randrange(400))).isoformat()}
  iso27001:
    expires: {(AS_OF + timedelta(days=rng.randrange(-30, 1100))).isoformat()}
data:
  residency:{residency}
  sub_processors:{subs}
dora:
  ict_provider: {yes_no(ict)}
  critical: {yes_no(ict and rng.random() < 0.2)}
"""


# --------------------------------------------------------------------------------------------
# Purchase requests
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestPlan:
    """What a request needs to know about its neighbours: its number and cross-references."""

    number: int
    ai_number: int | None
    earlier: int | None


def request_id(number: int) -> str:
    return f"r{number:06d}"


@dataclass(frozen=True)
class Shape:
    """How a line item of one category looks: quantity and price ranges, and its other fields.

    Prices are in euro cents; each other field is a tuple of values to pick from.
    """

    descriptions: tuple[str, ...]
    price: tuple[int, int]
    quantity: tuple[int, int] | None = None
    fields: dict[str, tuple[str, ...]] = field(default_factory=dict)


BOOL = ("true", "false")
MOSTLY_TRUE = ("true", "true", "true", "false")
SHAPES: dict[str, Shape] = {
    "hardware": Shape(
        ("Rack servers with three-year warranty", "Laptops, 14 inch, 32 GB", "Storage shelves"),
        (30_000, 900_000),
        (1, 80),
        {"useful_life_months": ("36", "48", "60"), "billing": ("upfront",)},
    ),
    "hardware_lease": Shape(
        ("Leased thin clients", "Leased network appliances", "Leased meeting-room kits"),
        (2_000, 20_000),
        (1, 60),
        {"price_per": ("month",), "term_months": ("24", "36", "48"), "billing": ("monthly",)},
    ),
    "perpetual_license": Shape(
        ("Perpetual licences", "Perpetual server licences", "Perpetual seats"),
        (10_000, 400_000),
        (1, 200),
        {
            "useful_life_months": ("36", "60"),
            "billing": ("upfront",),
            "possession_right": ("true",),
        },
    ),
    "term_license": Shape(
        ("Term licences", "Named-user term licences", "Core-based term licences"),
        (5_000, 90_000),
        (5, 500),
        {
            "price_per": ("year",),
            "term_months": ("12", "24", "36"),
            "billing": ("annual",),
            "possession_right": BOOL,
        },
    ),
    "saas_subscription": Shape(
        ("Subscription, enterprise tier", "Named-user subscription", "Subscription seats"),
        (800, 60_000),
        (5, 2000),
        {
            "price_per": ("month", "year"),
            "term_months": ("12", "24", "36"),
            "billing": ("monthly", "annual"),
        },
    ),
    "cloud_consumption": Shape(
        ("Pay-as-you-go cloud consumption", "Metered API usage", "Storage and egress"),
        (100_000, 5_000_000),
        None,
        {"price_per": ("month",), "term_months": ("12",), "billing": ("usage",)},
    ),
    "cloud_commitment": Shape(
        ("Committed cloud spend", "Reserved capacity commitment", "Savings plan"),
        (5_000_000, 80_000_000),
        None,
        {
            "price_per": ("year",),
            "term_months": ("12", "36"),
            "billing": ("annual",),
            "forecast_utilisation": tuple(str(n) for n in range(60, 100)),
        },
    ),
    "professional_services": Shape(
        ("Consultant days, senior", "Solution architect days", "Advisory days"),
        (80_000, 180_000),
        (5, 220),
        {"billing": ("monthly", "upfront")},
    ),
    "implementation": Shape(
        ("Implementation and configuration", "Data migration and cut-over", "Integration build"),
        (90_000, 160_000),
        (10, 300),
        {"billing": ("monthly",), "implementation_of": ("internal_use", "saas")},
    ),
    "internal_development": Shape(
        (
            "Internal development sprint capacity",
            "Feature build by the in-house team",
            "Internal engineering of extensions",
        ),
        (70_000, 120_000),
        (20, 400),
        {
            "useful_life_months": ("36", "60"),
            "billing": ("monthly",),
            "funded": MOSTLY_TRUE,
            "probable": MOSTLY_TRUE,
        },
    ),
    "support_maintenance": Shape(
        ("Premium support", "Annual maintenance and updates", "24/7 support with named TAM"),
        (100_000, 4_000_000),
        None,
        {"price_per": ("year",), "term_months": ("12", "24", "36"), "billing": ("annual",)},
    ),
    "telecom_service": Shape(
        ("MPLS and internet lines", "SIP trunks", "Mobile data plans"),
        (5_000, 250_000),
        (1, 40),
        {"price_per": ("month",), "term_months": ("24", "36"), "billing": ("monthly",)},
    ),
    "training": Shape(
        ("Administrator training", "End-user training sessions", "Certification vouchers"),
        (20_000, 300_000),
        (1, 60),
        {"billing": ("upfront",)},
    ),
}
CATEGORIES = tuple(SHAPES)


def line_item(rng: Random, category: str, currency: str, product: str) -> str:
    """One `line_items` entry, with the fields that matter for its category."""
    shape = SHAPES[category]
    description = f"{rng.choice(shape.descriptions)} for the {product}"
    lines = [f"  - description: {scalar(description)}", f"    category: {category}"]
    if shape.quantity is not None:
        lines.append(f"    quantity: {rng.randrange(*shape.quantity)}")
    lines.append(f"    unit_price: {price(rng, *shape.price, PRICE_SCALE[currency])}")
    lines.append(f"    currency: {currency}")
    lines.extend(f"    {key}: {rng.choice(values)}" for key, values in shape.fields.items())
    if rng.random() < 0.25:
        lines.append(f"    negotiation_note: {scalar(rng.choice(_NOTES))}")
    return "\n".join(lines) + "\n"


_NOTES = (
    "List price less 18 percent, price held for the full term",
    "Vendor agreed to cap annual uplift at CPI plus 2 percent",
    "Includes 10 free days of onboarding support",
    "Payment terms 45 days net",
    "Discount depends on signing before quarter end",
)


def _prose(rng: Random, context: dict[str, str]) -> list[str]:
    count = rng.randrange(2, 4)
    paragraphs = [rng.choice(OPENINGS) + " " + " ".join(rng.sample(MIDDLES, 2))]
    paragraphs.extend(" ".join(rng.sample(MIDDLES, 3)) for _ in range(count - 2))
    paragraphs.append(rng.choice(MIDDLES) + " " + rng.choice(CLOSINGS))
    return [paragraph.format(**context) for paragraph in paragraphs]


def _kpis(rng: Random) -> list[str]:
    chosen = rng.sample(KPIS, rng.randrange(2, 5))
    return [
        kpi.format(n=rng.randrange(10, 60), d=rng.randrange(2, 30), p=rng.randrange(70, 95))
        for kpi in chosen
    ]


def render_request(rng: Random, org: Organisation, plan: RequestPlan, submitted: date) -> str:
    department = rng.choice(tuple(org.by_department))
    requester = rng.choice(org.by_department[department])
    cost_centre = rng.choice(DEPARTMENTS[department])
    vendor = rng.choice(org.vendor_ids)
    kind = rng.choices([t for t, _ in TYPES], [w for _, w in TYPES])[0] if plan.earlier else "new"
    product = rng.choice(AI_PRODUCTS if plan.ai_number else PRODUCTS)
    purpose = rng.choice(PURPOSES)
    currency = rng.choices([c for c, _ in CURRENCY_WEIGHTS], [w for _, w in CURRENCY_WEIGHTS])[0]
    needed = submitted + timedelta(days=rng.randrange(14, 120))
    context = {
        "product": product,
        "purpose": purpose,
        "vendor": vendor,
        "cost_centre": cost_centre,
        "department_title": department.replace("_", " ").capitalize(),
        "quarter": f"Q{rng.randrange(1, 5)} {submitted.year}",
        "growth": str(rng.randrange(15, 80)),
        "hours": str(rng.randrange(20, 400)),
        "needed": needed.strftime("%d %B %Y"),
    }
    title = f"{rng.choice(VERBS[kind])} {product} for {purpose}"
    link = ""
    if kind == "renewal":
        link = f"\nrenews: {request_id(plan.earlier or 1)}"
    elif kind == "change_order":
        link = f"\namends: {request_id(plan.earlier or 1)}"
    items = "".join(
        line_item(rng, rng.choice(CATEGORIES), currency, product)
        for _ in range(rng.randrange(2, 7))
    )
    personal = rng.random() < 0.45
    classification = rng.choice(
        ("internal", "confidential", "restricted")
        if personal
        else ("public", "internal", "confidential")
    )
    regions = string_list(rng.sample(REGIONS, rng.randrange(1, 3)), "    ")
    ai = f"\nai_assessment: ai{plan.ai_number:05d}" if plan.ai_number else ""
    ot = "\nintegrates_with_ot: true" if rng.random() < 0.03 else ""
    status = rng.choices(("submitted", "draft", "withdrawn"), (88, 9, 3))[0]
    return f"""\
apiVersion: spendgate/v1
kind: PurchaseRequest
id: {request_id(plan.number)}
title: {scalar(title)}
requester: {requester.id}
department: {department}
cost_centre: {cost_centre}
vendor: {vendor}
submitted: {submitted.isoformat()}
needed_by: {needed.isoformat()}
type: {kind}{link}
status: {status}
justification: |
{block(_prose(rng, context))}
benefits:
  roi: {rng.randrange(-50, 4000) / 10}
  kpis:{string_list(_kpis(rng), "    ")}
line_items:
{items}data:
  classification: {classification}
  personal_data: {yes_no(personal)}
  special_category: {yes_no(personal and rng.random() < 0.15)}
  regions:{regions}{ai}{ot}
"""


# --------------------------------------------------------------------------------------------
# AI assessments and approvals
# --------------------------------------------------------------------------------------------

STAKEHOLDER_ROLES = ("cto", "business", "cfo", "legal", "compliance", "dpo", "operations")
POSITIONS = ("support", "support", "conditional", "oppose")
ANNEX_III = (
    "5b creditworthiness",
    "4a recruitment",
    "5c life and health insurance pricing",
    "1a remote biometric identification",
    "5a access to public services",
)


def render_ai(rng: Random, org: Organisation, number: int, request: str, on: date) -> str:
    tier = rng.choices(("high", "limited", "minimal"), (30, 40, 30))[0]
    reason = (
        "supports decisions listed in Annex III"
        if tier == "high"
        else "interacts with people but does not decide on them"
    )
    annex = f"\n  annex_iii_area: {scalar(rng.choice(ANNEX_III))}" if tier == "high" else ""
    owner = rng.choice(org.people).id
    fria_done = ""
    if tier == "high":
        fria_done = f"\n    completed: {(on + timedelta(days=10)).isoformat()}"
    transfers = ""
    if rng.random() < 0.5:
        transfers = f"""
    - to_country: US
      mechanism: {rng.choice(("scc", "adequacy", "bcr"))}
      tia_date: {(on - timedelta(days=rng.randrange(10, 200))).isoformat()}"""
    stakeholders = "".join(
        f"\n  - role: {role}\n    position: {rng.choice(POSITIONS)}"
        f"\n    note: {scalar(rng.choice(_STAKEHOLDER_NOTES))}"
        for role in rng.sample(STAKEHOLDER_ROLES, 4)
    )
    return f"""\
apiVersion: spendgate/v1
kind: AIAssessment
id: ai{number:05d}
request: {request}
use_case: >
  {rng.choice(_USE_CASES)}
eu_ai_act:
  role: {rng.choices(("deployer", "provider"), (9, 1))[0]}
  risk_tier: {tier}{annex}
  art_6_3_exemption: false
  gpai: {yes_no(rng.random() < 0.6)}
  rationale: >
    The system {reason}, so it is classified as
    {tier} risk. Legal reviewed the classification on {on.isoformat()}.
model:
  approach: {rng.choice(("pretrained", "fine_tuned", "custom"))}
  hosting: {rng.choice(("saas", "vpc", "on_prem"))}
  training_on_our_data: {yes_no(rng.random() < 0.2)}
data:
  categories:
    - customer contact data
    - transaction history
  transfers:{transfers or " []"}
controls:
  explainability: {rng.choice(("none", "global", "local"))}
  human_oversight_owner: {owner}
  logging:
    enabled: true
    retention_days: {rng.choice((180, 365, 730, 1825))}
  bias_testing: {yes_no(tier == "high" or rng.random() < 0.3)}
  fria:
    required: {yes_no(tier == "high")}{fria_done}
  dpia: {(on - timedelta(days=rng.randrange(5, 60))).isoformat()}
contract:
  mcc_ai: {"high_risk" if tier == "high" else rng.choice(("light", "none"))}
  ip_ownership: {rng.choice(("customer", "vendor", "shared"))}
  liability_cap: {rng.randrange(5, 200) * 10_000}
  audit_rights: {yes_no(rng.random() < 0.7)}
  model_change_notice_days: {rng.choice((30, 60, 90))}
  exit_data_return: true
pilot:
  planned: true
  weeks: {rng.randrange(4, 13)}
  success_criteria:
    - Precision at or above the current manual process
    - No high findings in the security review
stakeholders:{stakeholders}
financials:
  pricing_model: {rng.choice(("per_seat", "per_call", "subscription", "usage"))}
  tco_3y: {rng.randrange(50, 3000) * 1000}
"""


_USE_CASES = (
    "Draft answers to customer e-mails for an agent to review and send.",
    "Score retail credit applications as an input to the credit officer's decision.",
    "Flag unusual transactions for the anti-money-laundering team to investigate.",
    "Extract fields from scanned invoices and contracts into the archive.",
    "Suggest code completions to developers inside the IDE.",
)
_STAKEHOLDER_NOTES = (
    "Fits the target architecture",
    "Needs exit clause reviewed",
    "Business case is sound",
    "Wants the DPIA updated before go-live",
    "Supports a time-boxed pilot first",
)
APPROVAL_COMMENTS = (
    "Within budget and aligned with the sourcing strategy.",
    "Approved on condition that the DPA is signed before go-live.",
    "Checked the classification of the line items; fine.",
    "Security review complete, no blocking findings.",
    "Please renegotiate the uplift cap at the next renewal.",
)


def render_approval(rng: Random, org: Organisation, request: str, text: str, on: date) -> str:
    approver, role = rng.choice(org.approvers)
    decision = rng.choices(("approve", "reject"), (9, 1))[0]
    digest = hashlib.sha256(text.encode()).hexdigest()
    return f"""\
apiVersion: spendgate/v1
kind: Approval
request: {request}
approver: {approver.id}
role: {role}
decision: {decision}
date: {on.isoformat()}
comment: {scalar(rng.choice(APPROVAL_COMMENTS))}
request_digest: sha256:{digest}
"""


# --------------------------------------------------------------------------------------------
# Writing the repository
# --------------------------------------------------------------------------------------------


@dataclass
class Counts:
    files: int = 0
    bytes: int = 0

    def write(self, path: Path, text: str) -> None:
        data = text.encode()
        path.write_bytes(data)
        self.files += 1
        self.bytes += len(data)


def generate(
    out: Path,
    requests: int,
    seed: int = 7,
    people: int | None = None,
    near_identical: str | None = None,
) -> Counts:
    """Write the whole repository under `out` (created if missing); return what was written.

    `people` defaults to one person per 20 requests (at least 10). `near_identical` (a layout of
    NEAR_IDENTICAL_LAYOUTS) writes copies of one request instead of distinct ones.
    """
    rng = Random(seed)
    head_count = people if people is not None else max(10, requests // 20)
    org = make_organisation(rng, head_count, max(5, requests // 10))
    counts = Counts()
    for folder in ("org", "vendors", "requests", "ai", "approvals"):
        (out / folder).mkdir(parents=True, exist_ok=True)
    counts.write(out / "spendgate.yaml", render_config())
    counts.write(out / "org" / "people.yaml", render_people(rng, org))
    counts.write(out / "org" / "budgets.yaml", render_budgets(rng, org))
    for vendor_id in org.vendor_ids:
        counts.write(out / "vendors" / f"{vendor_id}.yaml", render_vendor(rng, vendor_id))
    if near_identical is None:
        write_requests(rng, org, out, requests, counts)
    else:
        write_near_identical(rng, org, out, requests, counts, near_identical)
    return counts


def write_requests(rng: Random, org: Organisation, out: Path, total: int, counts: Counts) -> None:
    """Requests in submission order; every 50th has an AI assessment, every 20th an approval."""
    folders: set[Path] = set()
    for index in range(total):
        number = index + 1
        submitted = FIRST_DAY + timedelta(days=index * DAY_SPAN // max(total, 1))
        ai_number = index // 50 + 1 if index % 50 == 25 else None
        earlier = rng.randrange(1, number) if number > 1 else None
        plan = RequestPlan(number, ai_number, earlier)
        text = render_request(rng, org, plan, submitted)
        month = f"{submitted.year}/{submitted.month:02d}"
        folder = _folder(out / "requests" / month, folders)
        counts.write(folder / f"{request_id(number)}.yaml", text)
        if ai_number is not None:
            ai_text = render_ai(rng, org, ai_number, request_id(number), submitted)
            counts.write(out / "ai" / f"ai{ai_number:05d}.yaml", ai_text)
        if index % 20 == 10:
            on = submitted + timedelta(days=rng.randrange(1, 15))
            approval = render_approval(rng, org, request_id(number), text, on)
            target = _folder(out / "approvals" / month, folders)
            counts.write(target / f"{request_id(number)}-a{index // 20 + 1:05d}.yaml", approval)


_STATUS_LINE = re.compile(r"^status: \w+$", re.MULTILINE)


def write_near_identical(
    rng: Random, org: Organisation, out: Path, total: int, counts: Counts, layout: str
) -> None:
    """`total` copies of one request, differing only in id and dates; every 20th approved."""
    if layout not in NEAR_IDENTICAL_LAYOUTS:
        raise ValueError(f"unknown near-identical layout {layout!r}")
    template_seed = rng.randrange(2**32)
    folders: set[Path] = set()
    for index in range(total):
        number = index + 1
        submitted = FIRST_DAY + timedelta(days=_near_identical_day(index, total, layout))
        plan = RequestPlan(number, None, None)
        text = render_request(Random(template_seed), org, plan, submitted)
        text = _STATUS_LINE.sub("status: submitted", text, count=1)
        month = f"{submitted.year}/{submitted.month:02d}"
        folder = _folder(out / "requests" / month, folders)
        counts.write(folder / f"{request_id(number)}.yaml", text)
        if index % 20 == 10:
            on = submitted + timedelta(days=rng.randrange(1, 15))
            approval = render_approval(rng, org, request_id(number), text, on)
            target = _folder(out / "approvals" / month, folders)
            counts.write(target / f"{request_id(number)}-a{index // 20 + 1:05d}.yaml", approval)


def _near_identical_day(index: int, total: int, layout: str) -> int:
    """Days after FIRST_DAY that near-identical request `index` of `total` is submitted."""
    if layout == "window":
        return index * NEAR_IDENTICAL_WINDOW_DAYS // max(total, 1)
    return index


def _folder(path: Path, known: set[Path]) -> Path:
    if path not in known:
        path.mkdir(parents=True, exist_ok=True)
        known.add(path)
    return path


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--requests", type=int, required=True, help="number of purchase requests")
    parser.add_argument("--out", type=Path, required=True, help="directory to write (created)")
    parser.add_argument("--seed", type=int, default=7, help="random seed (default 7)")
    parser.add_argument("--people", type=int, help="number of people (default requests/20)")
    parser.add_argument(
        "--near-identical",
        choices=NEAR_IDENTICAL_LAYOUTS,
        help="write copies of one request, within one 30-day window or one a day",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.requests < 1:
        print("--requests must be at least 1", file=sys.stderr)
        return 2
    started = time.perf_counter()
    counts = generate(args.out, args.requests, args.seed, args.people, args.near_identical)
    elapsed = time.perf_counter() - started
    megabytes = counts.bytes / 1e6
    print(f"wrote {counts.files} files ({megabytes:.1f} MB) to {args.out} in {elapsed:.1f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
