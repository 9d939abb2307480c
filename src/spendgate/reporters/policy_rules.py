"""`policies list`: every rule of the policy set, as a table (`text`) or as data (`json`)."""

from __future__ import annotations

from typing import Any

from spendgate.decisions import PolicyRules, RuleInfo, as_json_data
from spendgate.reporters.escaping import text_line
from spendgate.reporters.json_report import (
    COUNT,
    TEXT,
    definitions,
    json_text,
    listed,
    output_schema,
    ref,
)


def render_text(listing: PolicyRules) -> str:
    """A row per rule under a header, then how many rules and policies of which set."""
    lines = [f"{'RULE':<10} {'POLICY':<24} {'VERSION':<8} {'ENFORCE':<9} {'EFFECT':<8} TITLE"]
    lines.extend(
        f"{rule.id:<10} {rule.policy:<24} {rule.policy_version:<8} {rule.enforcement:<9} "
        f"{rule.effect:<8} {text_line(rule.title)}"
        for rule in listing.rules
    )
    lines.append(
        f"{len(listing.rules)} rules in {listing.policies} policies of "
        f"{listing.policy_set} {listing.policy_set_version}"
    )
    return "\n".join(lines) + "\n"


def render_json(listing: PolicyRules) -> str:
    """The policy set and every rule, in policy order, with where each rule is written."""
    return json_text(
        {
            "policy_set": {"name": listing.policy_set, "version": listing.policy_set_version},
            "policies": listing.policies,
            "rules": [as_json_data(rule) for rule in listing.rules],
        }
    )


def rules_schema() -> dict[str, Any]:
    """The JSON Schema of `render_json` (published as `schemas/PolicyRules.schema.json`)."""
    rules = definitions(("RuleInfo", RuleInfo))
    return output_schema(
        "PolicyRules",
        title="spendgate policies list",
        description="What `spendgate policies list --format json` prints: the policy set, how "
        "many policies it applies, and every rule with its policy, version and enforcement.",
        properties={
            "policy_set": {
                "description": "The policy set in force.",
                "type": "object",
                "required": ["name", "version"],
                "properties": {
                    "name": {**TEXT, "description": "The policy set's name."},
                    "version": {**TEXT, "description": "The policy set's version (semver)."},
                },
            },
            "policies": {**COUNT, "description": "How many policies the set applies."},
            "rules": {
                **listed(ref("RuleInfo")),
                "description": "Every rule of the set, in policy order.",
            },
        },
        defs=rules,
    )
