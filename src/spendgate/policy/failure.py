"""A rule that cannot be evaluated on one request: the one exception policy evaluation raises.

A CEL error or exhausted CEL budget, a condition that is not a boolean, and a message template
that fails or exceeds its sandbox limits are all a RuleFailure. `Outcome.fail` turns one into a
hard finding at the rule's place in its policy file, naming the request (the rule fails closed),
so one request's data never costs another request its decision and never ends the check.
"""

from __future__ import annotations


class RuleFailure(Exception):
    """Why a rule could not be evaluated on this request; `str()` is the reason people read."""
