"""Generate a deterministic corpus of ~2 KB purchase-request YAML documents.

Usage: python corpus.py [OUT_DIR] [N]   (defaults: /tmp/loader_corpus 2000)
"""
import os
import random
import sys

DEPTS = ["engineering", "finance", "sales", "marketing", "legal", "it-ops", "hr"]
COUNTRIES = ["NO", "SE", "DK", "FI", "DE", "GB", "US", "FR", "NL", "IE"]
CURRENCIES = ["NOK", "SEK", "EUR", "USD", "GBP", "DKK"]
CATEGORIES = ["software", "hardware", "services", "travel", "training", "cloud", "office"]
VENDORS = ["Acme Cloud AS", "Nordic Hardware AB", "Fjord Consulting", "Globex Ltd",
           "Initech GmbH", "Umbrella Software Inc.", "Stark Analytics", "Wayne Licensing"]
ITEMS = ["Annual SaaS subscription", "Laptop 14in developer config", "Consulting hours (senior)",
         "Conference ticket", "Cloud compute reserved instances", "Monitor 27in 4K",
         "Security audit", "Training course: advanced Kubernetes", "Support contract",
         "Ergonomic chairs", "Data warehouse credits", "Design tool seats"]
WORDS = ("the team needs this to deliver the roadmap for next quarter and replace legacy "
         "tooling that is out of support with a vendor already approved by procurement").split()


def sentence(rng, lo=6, hi=18):
    return " ".join(rng.choice(WORDS) for _ in range(rng.randint(lo, hi))).capitalize() + "."


def date(rng, year=2026):
    return f"{year}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"


def make_doc(i, rng):
    cur = rng.choice(CURRENCIES)
    lines = []
    a = lines.append
    a(f"id: PR-2026-{i:05d}")
    a("version: 1")
    a(f"title: '{rng.choice(ITEMS)} for {rng.choice(DEPTS)}'")
    a(f"submitted: {date(rng)}")
    a(f"needed_by: {date(rng)}")
    a("requester:")
    a(f"  name: Person {i}")
    a(f"  email: person{i}@example.com")
    a(f"  department: {rng.choice(DEPTS)}")
    a(f"  cost_center: CC-{rng.randint(1000, 9999)}")
    a(f"  country: {rng.choice(COUNTRIES)}")
    a(f"  manager: manager{rng.randint(1, 50)}@example.com")
    a("vendor:")
    a(f"  name: \"{rng.choice(VENDORS)}\"")
    a(f"  country: {rng.choice(COUNTRIES)}")
    a(f"  vat_id: {rng.choice(COUNTRIES)}{rng.randint(100000000, 999999999)}MVA")
    a(f"  preferred: {rng.choice(['true', 'false'])}")
    a(f"  contact: sales@vendor{rng.randint(1, 99)}.example")
    a(f"currency: {cur}")
    a("justification: >")
    a(f"  {sentence(rng, 12, 20)}")
    a(f"  {sentence(rng, 8, 16)}")
    a("line_items:")
    for j in range(rng.randint(3, 6)):
        a(f"  - description: \"{rng.choice(ITEMS)}\"")
        a(f"    category: {rng.choice(CATEGORIES)}")
        a(f"    quantity: {rng.randint(1, 50)}")
        a(f"    unit_price: {rng.randint(10, 20000)}.{rng.randint(0, 99):02d}")
        a(f"    currency: {cur}")
        a(f"    term_months: {rng.choice([0, 1, 12, 24, 36])}")
        a(f"    recurring: {rng.choice(['true', 'false'])}")
        a(f"    start_date: {date(rng)}")
        if rng.random() < 0.5:
            a(f"    notes: '{sentence(rng, 4, 10)}'")
    a("approvals:")
    for role in rng.sample(["manager", "finance", "legal", "security"], k=rng.randint(1, 3)):
        a(f"  - role: {role}")
        a(f"    approver: {role}{rng.randint(1, 9)}@example.com")
        a(f"    required: {rng.choice(['true', 'false'])}")
    a("tags: [" + ", ".join(rng.sample(["capex", "opex", "renewal", "new", "urgent", "q2"], k=3)) + "]")
    a("data_processing:")
    a(f"  personal_data: {rng.choice(['true', 'false'])}")
    a(f"  region: {rng.choice(['eu', 'us', 'global'])}")
    a(f"  dpa_signed: {rng.choice(['true', 'false'])}")
    a(f"budget_code: \"{rng.randint(1000, 9999)}-{rng.randint(10, 99)}\"")
    a("attachments:")
    for k in range(rng.randint(1, 3)):
        a(f"  - name: quote-{i}-{k}.pdf")
        a(f"    sha256: {rng.getrandbits(256):064x}")
    return "\n".join(lines) + "\n"


def main():
    out = sys.argv[1] if len(sys.argv) > 1 else "/tmp/loader_corpus"
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2000
    os.makedirs(out, exist_ok=True)
    rng = random.Random(20260301)
    sizes = []
    for i in range(n):
        text = make_doc(i, rng)
        sizes.append(len(text.encode()))
        with open(os.path.join(out, f"pr-{i:05d}.yaml"), "w", encoding="utf-8") as f:
            f.write(text)
    sizes.sort()
    print(f"wrote {n} docs to {out}: min {sizes[0]} median {sizes[n // 2]} max {sizes[-1]} bytes")


if __name__ == "__main__":
    main()
