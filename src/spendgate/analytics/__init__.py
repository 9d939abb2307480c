"""Spend and governance analytics: the figures behind `spendgate report` (SPEC §12).

The core computes frozen figures from decisions, documents, git history and the CSV inputs;
`dashboard` renders them. Nothing here prints.
"""
