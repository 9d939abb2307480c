"""The one error hierarchy: problems meant for the user, each family mapped to its exit code
in one table (`EXIT_CODES`).

Anything that is not a `SpendgateError` is a bug, and reaches the top-level handler in
`spendgate.cli.main`, which prints a short "please report" note and exits 3. (Exceptions that
never leave their module, such as a rule that fails closed or the fast YAML path declining a
file, are control flow, not errors for the user, and stay outside the hierarchy.)
"""

from __future__ import annotations

import shlex
from collections.abc import Sequence

from spendgate.problems import Location


class SpendgateError(Exception):
    """A problem the user can fix: bad configuration, bad flags, an unreadable policy."""

    def __init__(self, message: str, *, location: Location | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.location = location

    def __str__(self) -> str:
        if self.location is None:
            return self.message
        return f"{self.location}: {self.message}"

    @property
    def exit_code(self) -> int:
        """The code the command exits with: the nearest family's in `EXIT_CODES`."""
        return next(EXIT_CODES[family] for family in type(self).__mro__ if family in EXIT_CODES)


class ConfigurationError(SpendgateError):
    """The governance repository's configuration cannot be used."""


class UsageError(SpendgateError):
    """The command line asks for something that cannot be done."""


class ApprovalRefused(SpendgateError):
    """`spendgate approve` will not write a record that would not count (SPEC §6): the
    governance said no, as a blocked gate does, so the exit code is the gate's 1."""


class GitError(SpendgateError):
    """git failed, could not run, or timed out. What it would have said is unknown, so the
    command stops rather than read the silence as "nothing changed" (SPEC §7: fail closed)."""

    def __init__(self, command: Sequence[str], reason: str) -> None:
        super().__init__(f"{shlex.join(command)}: {reason}")
        self.command = tuple(command)
        self.reason = reason
        """git's own message (the first lines of its standard error), or what went wrong."""


#: Each family of errors and the exit code it ends a command with (SPEC §8): 1 when the
#: governance says no, 2 when the command or the configuration cannot be used.
EXIT_CODES: dict[type[SpendgateError], int] = {
    ApprovalRefused: 1,
    ConfigurationError: 2,
    UsageError: 2,
    GitError: 2,
    SpendgateError: 2,
}
