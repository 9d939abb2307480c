"""Approvals: request digests, role holders and delegations, which approvals count, waivers."""
