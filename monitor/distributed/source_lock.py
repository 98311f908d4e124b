"""A per-source lock in PostgreSQL: one crawl of a source at a time, across the cluster.

A session advisory lock on a hash of the source name, held on its own connection by the process
that crawls. The server drops it when that connection closes, so a crawl killed by SIGKILL
(or a worker machine that loses power) frees its source without anyone cleaning up, and a task
that Celery delivers a second time finds the lock taken while the first delivery still runs.
"""

from __future__ import annotations

import hashlib
import logging

from sqlalchemy import Connection, Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

log = logging.getLogger(__name__)

_HELD = text(
    "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted"
    " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
    " AND classid = :hi AND objid = :lo AND objsubid = 1"
)


def lock_key(source: str) -> int:
    """A stable bigint for `source`; the prefix keeps it apart from the store lock's key."""
    digest = hashlib.sha256(b"newsmon-source:" + source.encode()).digest()
    return int.from_bytes(digest[:8], "big") & 0x7FFF_FFFF_FFFF_FFFF


def _engine(store_url: str) -> Engine:
    url = make_url(store_url)
    if url.drivername == "postgresql":
        url = url.set(drivername="postgresql+psycopg")
    # No pool: the one connection is the lock, and closing it must really close it.
    return create_engine(
        url, poolclass=NullPool, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 5}
    )


class SourceLock:
    def __init__(self, store_url: str, source: str) -> None:
        self.source = source
        self.key = lock_key(source)
        self._engine = _engine(store_url)
        self._conn: Connection | None = None

    def acquire(self) -> bool:
        """True if taken; False if another process holds it. Raises if the server is down."""
        conn = self._engine.connect()
        got = bool(conn.execute(text("SELECT pg_try_advisory_lock(:k)"), {"k": self.key}).scalar())
        if got:
            self._conn = conn
        else:
            conn.close()
        return got

    def release(self) -> None:
        if self._conn is not None:
            try:
                self._conn.execute(text("SELECT pg_advisory_unlock(:k)"), {"k": self.key})
                self._conn.close()
            except Exception:  # the connection is gone, and the lock with it
                log.debug("unlocking source %s failed", self.source, exc_info=True)
            self._conn = None
        self._engine.dispose()


def held_sources(conn: Connection, sources: list[str]) -> set[str]:
    """Which of `sources` some process is crawling now (their lock is held), without taking it."""
    held = set()
    for name in sources:
        key = lock_key(name)
        if conn.execute(_HELD, {"hi": key >> 32, "lo": key & 0xFFFF_FFFF}).scalar_one():
            held.add(name)
    return held
