"""How the `vcs` package runs git: one subprocess per call, killed whole on a timeout.

Every other module of the package goes through these few functions, so that the package's two
kinds of call are told apart in one place: `answer` for a question git may answer "no" to (None
on an error exit, outside a repository or without git), and `git` / `git_bytes` for a command
that must succeed (GitError with the command and git's own message otherwise). `run` itself
raises GitError only for a timeout, which is never an answer.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
from pathlib import Path

from spendgate.errors import GitError

_MESSAGE_LINES = 3
"""How many lines of git's standard error a GitError quotes."""
_NOT_RUN = 127
"""The exit status given to a git that could not be started (as a shell gives it)."""


def run(
    root: Path, arguments: tuple[str, ...], *, stdin: bytes | None = None, timeout: float
) -> subprocess.CompletedProcess[bytes]:
    """Run git in `root`. GitError when it outlives `timeout` seconds: it is killed then, with
    whatever it started (a hook, a filter), which would otherwise hold its output open."""
    command = ("git", *arguments)
    try:
        process = subprocess.Popen(
            command,
            cwd=os.fspath(root),
            stdin=subprocess.DEVNULL if stdin is None else subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,  # its own process group, ended whole on a timeout
        )
    except OSError as error:  # git is not installed, or `root` is gone
        message = f"cannot run git: {error}"
        return subprocess.CompletedProcess(command, _NOT_RUN, b"", message.encode())
    with process:
        try:
            stdout, stderr = process.communicate(stdin, timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill(process)
            process.wait()  # not communicate(): a child that escaped the group may hold a pipe
            raise GitError(command, f"timed out after {timeout:g} s") from None
        except BaseException:  # interrupted: leave no git behind
            _kill(process)
            raise
    return subprocess.CompletedProcess(command, process.returncode, stdout, stderr)


def _kill(process: subprocess.Popen[bytes]) -> None:
    """End git and everything in its process group (where there are process groups)."""
    if hasattr(os, "killpg"):
        with contextlib.suppress(ProcessLookupError):  # ended already
            os.killpg(process.pid, signal.SIGKILL)
    else:
        process.kill()


def checked(result: subprocess.CompletedProcess[bytes]) -> bytes:
    """The standard output of a git run that must succeed; GitError with git's message if not."""
    if result.returncode != 0:
        said = result.stderr.decode("utf-8", "replace").splitlines()
        lines = [line.strip() for line in said if line.strip()]
        message = "; ".join(lines[:_MESSAGE_LINES]) + ("; …" if lines[_MESSAGE_LINES:] else "")
        raise GitError(result.args, message or f"exit status {result.returncode}")
    return result.stdout


def git_bytes(
    root: Path, *arguments: str, stdin: bytes | None = None, timeout: float = 120
) -> bytes:
    """The standard output of a git command that must succeed; GitError otherwise."""
    return checked(run(root, arguments, stdin=stdin, timeout=timeout))


def git(root: Path, *arguments: str, timeout: float = 30) -> str:
    """The standard output (stripped) of a git command that must succeed; GitError otherwise."""
    return git_bytes(root, *arguments, timeout=timeout).decode("utf-8", "replace").strip()


def answer(root: Path, *arguments: str, timeout: float = 30) -> str | None:
    """git's answer (stripped) to a question it may answer "no" to: None when it exits with an
    error, which is also its answer outside a repository or when git is not installed."""
    result = run(root, arguments, timeout=timeout)
    return result.stdout.decode("utf-8", "replace").strip() if result.returncode == 0 else None
