"""Output files: atomic writes, the user's permissions, and one sentence when a folder will not do.

Everything budgetopt writes under ``reports/`` goes through here: the content is written to a
temporary file in the same folder and renamed over the target, which is atomic on POSIX, so a
failed or interrupted run — a full disk included — never leaves a file under a final name that
looks finished. The files of one result (a solve's tables and summary, say) are written
:func:`together`: all are renamed once every one is written, and a failure leaves none of them.
Files get the permissions the user's umask gives (``mkstemp`` alone would make them private to
the user).

A folder that cannot hold the outputs (read-only, an existing file, under a file, a full disk, a
folder where a file goes) raises :class:`OutputError`: a sentence naming the path and what would
do instead, which the command prints and exits with its own code (``cli.EXIT_OUTPUT``).
"""

from __future__ import annotations

import errno
import os
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from pathlib import Path

import pandas as pd


class OutputError(Exception):
    """An output folder or file that cannot be written, said in one sentence."""


def umask() -> int:
    """The process's umask, read without changing it (``os.umask`` can only be read by setting
    it, which would race with other threads creating files)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("Umask:"):
                return int(line.split()[1], 8)
    except (OSError, ValueError):
        pass
    current = os.umask(0o022)
    os.umask(current)
    return current


WRITE_ERRORS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG, errno.EROFS, errno.EACCES,
                          errno.EPERM, errno.EISDIR, errno.ENOTDIR})
"""The OS errors that mean an output cannot be written where it goes."""


def is_write_error(error: BaseException) -> bool:
    """Whether ``error`` says an output cannot be written (not, say, a timeout or a lost
    connection, which are OS errors too)."""
    return isinstance(error, OutputError) or (
        isinstance(error, OSError) and error.errno in WRITE_ERRORS)


def why(error: OSError, path: Path) -> str:
    """What an OS error means for an output path, and what would do instead."""
    if error.errno == errno.EISDIR and path.is_dir():
        return _in_the_way(path)
    if error.errno in (errno.ENOSPC, errno.EDQUOT, errno.EFBIG):
        return f"Cannot write {path}: the disk is full (or a size limit reached); free some space."
    if error.errno == errno.EROFS:
        return (f"Cannot write {path}: the file system is read-only; choose a folder you can "
                "write to (--out).")
    if error.errno in (errno.EACCES, errno.EPERM):
        return (f"Cannot write {path}: permission denied; choose a folder you can write to "
                "(--out).")
    for parent in (path, *path.parents):
        if parent.exists() and not parent.is_dir():
            what = "is" if parent == path else "lies under"
            return (f"Cannot write {path}: it {what} {parent}, which is a file, not a folder; "
                    "choose a folder (--out).")
    return f"Cannot write {path}: {error.strerror or error}."


def _in_the_way(path: Path) -> str:
    return (f"Cannot write {path}: it is a folder, where budgetopt writes a file; move or "
            "remove it, or choose another folder (--out).")


def prepare_folder(folder: str | Path, stale: Iterable[str] = ()) -> Path:
    """Make ``folder``, check that files can be written in it, and remove the ``stale`` outputs
    of an earlier run, so a run that fails leaves nothing that could be read as its result."""
    folder = Path(folder)
    try:
        folder.mkdir(parents=True, exist_ok=True)
        fd, probe = tempfile.mkstemp(prefix=".budgetopt-", suffix=".probe", dir=folder)
        os.close(fd)
        Path(probe).unlink()
    except OSError as e:
        raise OutputError(why(e, folder)) from None
    for name in stale:
        _remove(folder / name)
    return folder


def _remove(path: Path) -> None:
    """Remove an earlier run's file; a folder in its place is said, and left alone."""
    if path.is_dir() and not path.is_symlink():
        raise OutputError(_in_the_way(path))
    try:
        path.unlink(missing_ok=True)
    except OSError as e:
        raise OutputError(why(e, path)) from None


def remove_outputs(folder: str | Path, names: Iterable[str]) -> None:
    """Remove the files ``names`` from ``folder`` where they are files — a command's outputs,
    after bad input, so an earlier run's result is not read as this one's — and nothing else:
    no folder is made or removed, and one that cannot be changed is left as it is."""
    for name in names:
        path = Path(folder) / name
        if path.is_file() or path.is_symlink():
            with suppress(OSError):
                path.unlink()


def _staged(path: Path, data: bytes) -> Path:
    """``data`` in a temporary file beside ``path``, with the user's permissions: its name."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    except OSError as e:
        raise OutputError(why(e, path)) from None
    try:
        Path(tmp).chmod(0o666 & ~umask())  # by its name: the file made, whatever fd is open
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(why(e, path)) from None
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return Path(tmp)


def _rename(tmp: Path, path: Path) -> None:
    try:
        tmp.replace(path)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise OutputError(why(e, path)) from None


def write_bytes(path: str | Path, data: bytes) -> Path:
    path = Path(path)
    _rename(_staged(path, data), path)
    return path


def write_text(path: str | Path, text: str) -> Path:
    return write_bytes(path, text.encode("utf-8"))


def write_csv(path: str | Path, frame: pd.DataFrame) -> Path:
    return write_text(path, csv_text(frame))


def csv_text(frame: pd.DataFrame) -> str:
    return frame.to_csv(index=False, lineterminator="\n")


class Together:
    """The files of one result, written by :func:`together`: each to a temporary name beside
    its final one as it comes, all renamed at the end."""

    def __init__(self) -> None:
        self._staged: list[tuple[Path, Path]] = []  # (temporary, final)

    def write_bytes(self, path: str | Path, data: bytes) -> Path:
        path = Path(path)
        self._staged.append((_staged(path, data), path))
        return path

    def write_text(self, path: str | Path, text: str) -> Path:
        return self.write_bytes(path, text.encode("utf-8"))

    def write_csv(self, path: str | Path, frame: pd.DataFrame) -> Path:
        return self.write_text(path, csv_text(frame))

    def finish(self) -> None:
        """Rename every file to its final name; on a failure, none is left."""
        renamed: list[Path] = []
        try:
            for tmp, path in self._staged:
                _rename(tmp, path)
                renamed.append(path)
        except BaseException:
            for path in renamed:
                path.unlink(missing_ok=True)
            raise
        finally:
            self.discard()

    def discard(self) -> None:
        """Remove the temporary files not renamed."""
        for tmp, _ in self._staged:
            tmp.unlink(missing_ok=True)
        self._staged = []


@contextmanager
def together() -> Iterator[Together]:
    """Write a result's files all or none: ``with files.together() as out:
    out.write_csv(...)``. The files are renamed to their final names when the block ends;
    when any cannot be written (a full disk), or the block fails, none of them is left —
    neither a temporary file nor a file already renamed."""
    written = Together()
    try:
        yield written
    except BaseException:
        written.discard()
        raise
    written.finish()
