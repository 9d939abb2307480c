"""Reading a document file safely: inside the repository, a regular file, bounded in size, UTF-8,
no NUL bytes."""

from __future__ import annotations

import hashlib
import os
import stat
from dataclasses import dataclass
from pathlib import Path

from spendgate.problems import Location, Problem

MAX_FILE_BYTES = 10 * 1024 * 1024
_UTF8_BOM = b"\xef\xbb\xbf"
_OTHER_BOMS = {
    b"\xff\xfe\x00\x00": "UTF-32",
    b"\x00\x00\xfe\xff": "UTF-32",
    b"\xff\xfe": "UTF-16",
    b"\xfe\xff": "UTF-16",
}


_NONBLOCK = getattr(os, "O_NONBLOCK", 0)
_CLOEXEC = getattr(os, "O_CLOEXEC", 0)
_FILE_KINDS = {
    stat.S_IFDIR: "a directory",
    stat.S_IFIFO: "a named pipe",
    stat.S_IFSOCK: "a socket",
    stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device",
}


@dataclass(frozen=True)
class SourceFile:
    """The text of one file, and the name under which problems in it are reported."""

    path: Path
    name: str
    text: str
    digest: str = ""
    """The git blob id of the file's bytes as read (a byte-order mark included), when known."""


class SourceProblem(Exception):
    """The file cannot be read as a document; carries the problem to report."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(problem.message)
        self.problem = problem


def display_name(path: Path, root: Path) -> str:
    """`path` relative to `root` with forward slashes, or as given when outside it."""
    try:
        return path.relative_to(root).as_posix()
    except ValueError:
        return path.as_posix()


def _fail(name: str, message: str, code: str, line: int = 1, column: int = 1) -> SourceProblem:
    return SourceProblem(Problem(Location(name, line, column), message, code))


def _line_and_column(data: bytes, offset: int) -> tuple[int, int]:
    line_start = data.rfind(b"\n", 0, offset) + 1
    return data.count(b"\n", 0, offset) + 1, offset - line_start + 1


def leaves_repository(path: Path, root: Path) -> bool:
    """True when `path`, with its links followed, is not inside `root`."""
    real = os.path.realpath(path)
    real_root = os.path.realpath(root)
    return real != real_root and not real.startswith(real_root.rstrip(os.sep) + os.sep)


def read_source(path: Path, *, root: Path, max_bytes: int = MAX_FILE_BYTES) -> SourceFile:
    """Read `path` as UTF-8 text, or raise SourceProblem saying why it cannot be a document."""
    name = display_name(path, root)
    # Discovery never enters linked folders and configured paths are checked once, so only a
    # link at the file itself can lead out; an lstat is far cheaper than resolving every path.
    linked = path.is_symlink()
    if linked and leaves_repository(path, root):
        target = os.path.realpath(path)
        raise _fail(name, f"links outside the repository (to {target}); refused", "symlink-escape")
    try:
        data = _read_regular_file(path, name, max_bytes, linked=linked)
    except OSError as error:
        raise _fail(name, f"cannot read file: {error.strerror}", "unreadable") from None
    return SourceFile(path=path, name=name, text=decode(data, name), digest=git_blob_id(data))


def text_for_positions(root: Path, name: str, max_bytes: int = MAX_FILE_BYTES) -> str | None:
    """The text of repository file `name`, or None when `read_source` would refuse it.

    For finding where a problem is in a file already read: the same refusals (a link out of
    the repository, anything but a regular file, too large, not UTF-8, a NUL byte) without
    building their messages, the display name or the blob id, which cost more than the read.
    """
    # Plain os calls on a str: a pathlib object per call costs as much as the read itself.
    path = os.path.join(root, name)  # noqa: PTH118
    try:
        if stat.S_ISLNK(os.lstat(path).st_mode) and leaves_repository(Path(path), root):
            return None
        if not stat.S_ISREG(os.stat(path).st_mode):  # noqa: PTH116 - never open a pipe or device
            return None
        descriptor = os.open(path, os.O_RDONLY | _NONBLOCK | _CLOEXEC)
    except OSError:
        return None
    try:
        status = os.fstat(descriptor)
        if not stat.S_ISREG(status.st_mode) or status.st_size > max_bytes:
            return None
        data = os.read(descriptor, status.st_size + 1)
    except OSError:
        return None
    finally:
        os.close(descriptor)
    if len(data) > status.st_size or b"\x00" in data or any(map(data.startswith, _OTHER_BOMS)):
        return None  # grown since it was loaded, or not text spendgate reads: no positions
    try:
        return data.removeprefix(_UTF8_BOM).decode("utf-8")
    except UnicodeDecodeError:
        return None


def _read_regular_file(path: Path, name: str, max_bytes: int, *, linked: bool) -> bytes:
    """The bytes of the regular file at `path` (a link followed), at most `max_bytes` of them.

    A named pipe, socket or device is refused before it is opened: opening a pipe waits for a
    writer, and reading a device may never end. The file is opened without blocking and
    checked again, in case it was replaced in between.
    """
    _check_kind_and_size(path.stat(), name, max_bytes, linked=linked)
    descriptor = os.open(path, os.O_RDONLY | _NONBLOCK | _CLOEXEC)
    with os.fdopen(descriptor, "rb", buffering=0) as handle:
        _check_kind_and_size(os.fstat(descriptor), name, max_bytes, linked=linked)
        data = handle.readall()  # sized by the file's size, as Path.read_bytes is
    if len(data) > max_bytes:  # it grew since
        raise _too_large(name, len(data), max_bytes)
    return data


def _check_kind_and_size(
    status: os.stat_result, name: str, max_bytes: int, *, linked: bool
) -> None:
    if not stat.S_ISREG(status.st_mode):
        kind = _FILE_KINDS.get(stat.S_IFMT(status.st_mode), "a special file")
        verb = "links to" if linked else "is"
        raise _fail(name, f"{verb} {kind}, not a regular file; refused", "not-regular-file")
    if status.st_size > max_bytes:
        raise _too_large(name, status.st_size, max_bytes)


def _too_large(name: str, size: int, max_bytes: int) -> SourceProblem:
    return _fail(
        name,
        f"file is {size / 1_048_576:.1f} MiB; the limit is {max_bytes / 1_048_576:.0f} MiB",
        "file-too-large",
    )


def git_blob_id(data: bytes) -> str:
    """The id git gives a blob of these bytes (`git hash-object`)."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data).hexdigest()


def decode(data: bytes, name: str) -> str:
    """The UTF-8 text of `data` (a leading BOM dropped), or a SourceProblem with its place."""
    for bom, encoding in _OTHER_BOMS.items():
        if data.startswith(bom):
            raise _fail(name, f"file is {encoding}; spendgate reads UTF-8 only", "not-utf8", 1, 1)
    nul = data.find(b"\x00")
    if nul >= 0:
        raise _fail(name, "file contains a NUL byte", "nul-byte", *_line_and_column(data, nul))
    if data.startswith(_UTF8_BOM):
        data = data[len(_UTF8_BOM) :]
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line, column = _line_and_column(data, error.start)
        raise _fail(
            name,
            f"byte 0x{data[error.start]:02x} is not valid UTF-8; save the file as UTF-8",
            "not-utf8",
            line,
            column,
        ) from None
