"""The audit trail (SPEC §9): a hash-chained decision log, its verification, replay and site."""
