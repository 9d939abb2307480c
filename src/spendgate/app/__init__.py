"""The application layer: one module per workflow, wiring the layers below it.

`cli` parses flags and picks exit codes, then calls a workflow here; a workflow loads the
repository, decides, approves, records or reports by calling the packages below (`reporters`,
`audit`, `analytics`, `policy`, `approvals`, `documents`, `catalogue`), which never import it.
"""
