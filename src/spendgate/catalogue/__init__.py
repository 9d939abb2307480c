"""The catalogue: what each document of a tree is, without loading it (SPEC §7, the cache).

A pull-request check decides the few requests a change touches, but judges them in the context
of the whole repository: ids are unique, references resolve, a budget counts every submitted
request. The catalogue answers those questions from a summary of each document (kind, id,
references, amount) so that only the touched documents and what they depend on are loaded.

Summaries live in `.spendgate-cache/<version>/catalogue.sqlite3`, keyed by the git blob id of
their file: a blob is summarised once, and a new tree reuses the summary of every blob it
shares with a tree seen before. The cache holds data only (SQLite rows, never pickles), is
git-ignored by its own `.gitignore`, and is safe to delete. It is not used when git tracks it (a
pull request could commit one), and a cache that does not open as this version's is deleted and
built again.

A summary says what a blob holds, wherever it lies; whether it counts depends on where it lies. A
summary whose kind is not read from its file's folder (`discovery.belongs`, under the paths the
tree's spendgate.yaml configures, kept with the tree) is left out of every answer, as loading
leaves such a document out of the repository: a Vendor under requests/ defines no vendor here
either.

`summary` makes the summaries, `store` keeps them in SQLite, and `overlay` lays a change over
a base tree's. `check_cache` keeps what whole-tree checks printed, for the warm path, and
`cache_dir` makes the cache folder safe to keep. Callers import from the modules themselves, so
that the warm path loads none of the others (nor pydantic).
"""
