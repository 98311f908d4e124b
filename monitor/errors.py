"""Exceptions that reach the command line as a one-line reason and an exit status.

2 is bad input or configuration; 1 a store server that does not answer (it may come back);
73 a store that cannot be written (read-only file system or folder, no permission); 74 a full
disk. The systemd unit restarts on 1 only: restarting cannot fix the others.
"""

from __future__ import annotations

import errno
import shutil
from pathlib import Path


class NewsmonError(Exception):
    """Bad input or configuration: the CLI prints the message and exits with status 2."""

    exit_status = 2


class StoreUnavailable(NewsmonError):
    """The database server cannot be reached. It may be restarting, so the exit status is 1,
    which the systemd unit retries (2 means a bad config and is not retried)."""

    exit_status = 1


class StoreNotWritable(NewsmonError):
    """The store's file or folder cannot be written: a read-only file system, a read-only
    folder, or no permission. An operator must fix it; a restart cannot."""

    exit_status = 73


class StoreFull(NewsmonError):
    """The store's disk (or the database server's) is full."""

    exit_status = 74


_FULL = ("database or disk is full", "no space left on device", "could not extend file")
_READ_ONLY = ("readonly database", "read-only file system", "permission denied")


# Less free space than this beside a SQLite file that reports an I/O error: the disk is full.
_NEARLY_FULL = 64 * 1024


def store_failure(
    exc: BaseException, where: str = "the store", folder: Path | None = None
) -> NewsmonError | None:
    """The error to stop with when `exc` says the store's disk is full or cannot be written;
    None for anything else. Reads the driver's message and OSError numbers, so it needs no
    database module. `folder`: a SQLite file's folder, whose free space tells a full disk
    from other causes of SQLite's bare "disk I/O error"."""
    code = getattr(exc, "errno", None)
    inner = getattr(exc, "orig", None)
    text = " ".join(str(e) for e in (exc, inner) if e is not None).lower()
    sqlstate = getattr(inner, "sqlstate", None)
    full = code == errno.ENOSPC or sqlstate == "53100" or any(k in text for k in _FULL)
    if not full and folder is not None and "disk i/o error" in text:
        try:
            full = shutil.disk_usage(folder).free < _NEARLY_FULL
        except OSError:
            full = False
    if full:
        return StoreFull(f"cannot write {where}: the disk is full ({first_line(exc)})")
    if code in (errno.EROFS, errno.EACCES, errno.EPERM) or any(k in text for k in _READ_ONLY):
        return StoreNotWritable(f"cannot write {where}: {first_line(exc)}")
    return None


def first_line(exc: BaseException) -> str:
    """The first line of a driver's message ("connection refused"), without the hints and
    links that follow it; the DB-API error inside a SQLAlchemy one when there is one."""
    inner = getattr(exc, "orig", None) or exc
    text = str(inner).strip() or inner.__class__.__name__
    return text.splitlines()[0].strip()


class ConfigError(NewsmonError):
    """An invalid configuration file, named with the key path and the reason."""

    def __init__(self, file: str, key_path: str, reason: str) -> None:
        self.file = file
        self.key_path = key_path
        self.reason = reason
        where = f"{file}: {key_path}" if key_path else file
        super().__init__(f"{where}: {reason}")
