"""One daemon per store: a lock held for the life of `newsmon run`.

Two daemons on one store would crawl the same sources twice and race on the outbox. SQLite
gets an exclusive `flock` on a file beside the database (the kernel drops it when the process
dies, even by SIGKILL); PostgreSQL gets a session advisory lock on a connection kept open for
the daemon's life (the server drops it when that connection closes).
"""

from __future__ import annotations

import fcntl
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, text
from sqlalchemy.engine import Connection, Engine, make_url

from monitor.errors import NewsmonError, StoreUnavailable, first_line, store_failure

log = logging.getLogger(__name__)

# pg_try_advisory_lock takes a bigint; this one is b"newsmon\x01" so other programs' keys on
# the same database are unlikely to collide with it.
PG_LOCK_KEY = int.from_bytes(b"newsmon\x01", "big") & 0x7FFF_FFFF_FFFF_FFFF
# pg_locks shows a bigint key as its high and low 32 bits.
_KEY_PARTS = {"hi": PG_LOCK_KEY >> 32, "lo": PG_LOCK_KEY & 0xFFFF_FFFF}


class AlreadyRunning(NewsmonError):
    """Another daemon holds the store's lock."""


class LockUnavailable(NewsmonError):
    """The lock's server cannot be reached, so whether the lock is ours cannot be told."""


@dataclass(frozen=True)
class Holder:
    """Who holds the lock, as far as can be told without taking it."""

    running: bool
    pid: int | None = None


class StoreLock:
    """Acquire with :meth:`acquire`; released by :meth:`release` or by the process ending."""

    def __init__(self, store_url: str) -> None:
        self.url = store_url
        parsed = make_url(store_url)
        self.backend = parsed.get_backend_name()
        database = parsed.database or ""
        self.path: Path | None = None
        if self.backend == "sqlite" and database and not database.startswith(":memory:"):
            self.path = Path(database + ".lock")
        self._fd: int | None = None
        self._engine: Engine | None = None
        self._conn: Connection | None = None

    def describe(self) -> str:
        if self.path is not None:
            return f"lock file {self.path}"
        return "PostgreSQL advisory lock" if self.backend == "postgresql" else "no lock"

    def acquire(self) -> None:
        """Take the lock or raise :class:`AlreadyRunning` naming the holder; a lock file that
        cannot be written or a server that does not answer is a one-line error too."""
        try:
            if self.path is not None:
                self._acquire_file(self.path)
            elif self.backend == "postgresql":
                self._acquire_pg()
        except NewsmonError:
            raise
        except Exception as exc:
            where = f"the store's {self.describe()}"
            failure = store_failure(exc, where)
            if failure is not None:
                raise failure from None
            if self.path is not None:
                raise NewsmonError(f"cannot take {where}: {first_line(exc)}") from None
            raise StoreUnavailable(f"cannot take {where}: {first_line(exc)}") from None

    def release(self) -> None:
        if self._fd is not None:
            fcntl.flock(self._fd, fcntl.LOCK_UN)
            os.close(self._fd)
            self._fd = None
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": PG_LOCK_KEY})
                self._conn.close()
            except Exception:  # the connection may be gone; the server dropped the lock then
                log.debug("advisory unlock failed", exc_info=True)
            self._conn = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None

    def verify(self) -> bool:
        """Whether the lock is still ours; re-takes a PostgreSQL lock lost with its connection.

        A database restart closes the session that held the advisory lock; without this check
        a second daemon could start while the first runs on. Raises :class:`LockUnavailable`
        while the server cannot be reached, so the caller skips its step and asks again later.
        """
        if self.backend != "postgresql":
            return True  # a flock lasts as long as the open file; SQLite in memory needs none
        if self._conn is not None:
            try:
                held = self._conn.execute(
                    text(
                        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
                        " AND pid = pg_backend_pid() AND classid = :hi AND objid = :lo"
                    ),
                    _KEY_PARTS,
                ).scalar_one()
                return bool(held)
            except Exception as exc:
                log.warning("store lock connection lost (%s); taking the lock again", exc)
            self._close_pg()
        try:
            self._acquire_pg()
        except AlreadyRunning:
            return False
        except Exception as exc:
            raise LockUnavailable(f"cannot take the store lock again: {exc}") from exc
        return True

    # -- SQLite ----------------------------------------------------------------------------

    def _acquire_file(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            pid = _read_pid(fd)
            os.close(fd)
            who = f" (pid {pid})" if pid else ""
            raise AlreadyRunning(
                f"another newsmon daemon{who} is already running on this store: {path} is locked"
            ) from None
        # The pid is for people and `newsmon status`; the flock itself is what excludes.
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        self._fd = fd

    # -- PostgreSQL ------------------------------------------------------------------------

    def _acquire_pg(self) -> None:
        url = make_url(self.url)
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        # Its own engine without a pool: this one connection is the lock.
        self._engine = create_engine(url, poolclass=_null_pool(), isolation_level="AUTOCOMMIT")
        try:
            conn = self._engine.connect()
            got = conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": PG_LOCK_KEY}).scalar()
        except Exception:
            self._engine.dispose()
            self._engine = None
            raise
        if not got:
            pid = _pg_holder(conn)
            conn.close()
            self._engine.dispose()
            self._engine = None
            who = f" (server backend pid {pid})" if pid else ""
            raise AlreadyRunning(
                f"another newsmon daemon{who} is already running on this store: "
                "its PostgreSQL advisory lock is held"
            )
        self._conn = conn

    def _close_pg(self) -> None:
        try:
            if self._conn is not None:
                self._conn.close()
        except Exception:
            log.debug("closing the lost lock connection failed", exc_info=True)
        self._conn = None
        if self._engine is not None:
            self._engine.dispose()
            self._engine = None


def holder(store_url: str) -> Holder:
    """Whether a daemon holds the store's lock now (for `newsmon status`)."""
    lock = StoreLock(store_url)
    if lock.path is not None:
        if not lock.path.exists():
            return Holder(running=False)
        fd = os.open(lock.path, os.O_RDONLY)
        try:
            try:
                fcntl.flock(fd, fcntl.LOCK_SH | fcntl.LOCK_NB)
            except BlockingIOError:
                return Holder(running=True, pid=_read_pid(fd))
            fcntl.flock(fd, fcntl.LOCK_UN)
            return Holder(running=False)
        finally:
            os.close(fd)
    if lock.backend == "postgresql":
        url = make_url(store_url)
        if url.drivername == "postgresql":
            url = url.set(drivername="postgresql+psycopg")
        engine = create_engine(url, poolclass=_null_pool())
        try:
            with engine.connect() as conn:
                pid = _pg_holder(conn)
        finally:
            engine.dispose()
        return Holder(running=pid is not None, pid=None)
    return Holder(running=False)


def _read_pid(fd: int) -> int | None:
    try:
        raw = os.pread(fd, 32, 0)
        return int(raw.decode().strip() or 0) or None
    except (OSError, ValueError):
        return None


def _pg_holder(conn: Connection) -> int | None:
    pid = conn.execute(
        text(
            "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted"
            " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
            " AND classid = :hi AND objid = :lo LIMIT 1"
        ),
        _KEY_PARTS,
    ).scalar()
    return int(pid) if pid is not None else None


def _null_pool() -> Any:
    from sqlalchemy.pool import NullPool

    return NullPool
