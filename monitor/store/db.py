"""Opening the store: engine set-up per back end and schema migration to the latest revision."""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config as AlembicConfig
from sqlalchemy import Engine, create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session, sessionmaker

from monitor.errors import (
    NewsmonError,
    StoreNotWritable,
    StoreUnavailable,
    first_line,
    store_failure,
)

log = logging.getLogger(__name__)

MIGRATIONS = Path(__file__).resolve().parent / "migrations"

Clock = Callable[[], datetime]


def utcnow() -> datetime:
    return datetime.now(UTC)


class Store:
    """A migrated database and a session factory for it."""

    def __init__(self, url: str, *, clock: Clock = utcnow, migrate: bool = True) -> None:
        self.url = url
        self.clock = clock
        self.engine = _create_engine(url)
        self._sessions = sessionmaker(self.engine, expire_on_commit=False)
        if migrate:
            try:
                self.migrate()
            except (SQLAlchemyError, OSError) as exc:
                self.engine.dispose()
                raise self.unavailable(exc) from None

    def unavailable(self, exc: BaseException) -> NewsmonError:
        """The error to report when the store cannot be opened: a server that does not answer
        may come back; a SQLite file that cannot be opened is a wrong `store.url`."""
        where = f"the store {self.redacted_url()}"
        failure = store_failure(exc, where, self.folder())
        if failure is not None:
            return failure
        reason = f"cannot open {where}: {first_line(exc)}"
        if make_url(self.url).get_backend_name() == "sqlite":
            folder = _unwritable_folder(make_url(self.url).database)
            if folder is not None:
                return StoreNotWritable(f"cannot write {where}: its folder {folder} is read-only")
            return NewsmonError(f"{reason} (check store.url)")
        return StoreUnavailable(reason)

    def folder(self) -> Path | None:
        """The folder of a SQLite file; None for a server or an in-memory database."""
        database = make_url(self.url).database
        if make_url(self.url).get_backend_name() != "sqlite" or not database:
            return None
        return None if database == ":memory:" else Path(database).parent

    def failure(self, exc: BaseException) -> NewsmonError | None:
        """A full disk or an unwritable store, told apart from other errors (see
        :func:`monitor.errors.store_failure`)."""
        return store_failure(exc, f"the store {self.redacted_url()}", self.folder())

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision (a no-op when it is there)."""
        cfg = AlembicConfig()
        cfg.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            cfg.attributes["connection"] = connection
            # "heads": every branch, should two migrations have been added side by side.
            command.upgrade(cfg, "heads")

    @contextmanager
    def session(self) -> Iterator[Session]:
        """A unit of work: committed on success, rolled back on any exception."""
        with self._sessions() as session, session.begin():
            yield session

    @contextmanager
    def write_session(self) -> Iterator[Session]:
        """A unit of work that writes: on SQLite it takes the write lock at its start (BEGIN
        IMMEDIATE), so what it reads cannot change before it writes, and a second process
        waits for the lock instead of failing with "database is locked" when its snapshot went
        stale. PostgreSQL needs nothing more than row locks for that."""
        with self._sessions() as session, session.begin():
            if self.engine.dialect.name == "sqlite":
                session.execute(text("BEGIN IMMEDIATE"))
            yield session

    def dispose(self) -> None:
        self.engine.dispose()

    def redacted_url(self) -> str:
        return make_url(self.url).render_as_string(hide_password=True)


def _create_engine(url: str) -> Engine:
    try:
        parsed = make_url(url)
    except Exception as exc:  # sqlalchemy raises ArgumentError with the raw URL
        raise NewsmonError(f"store URL is not a database URL: {exc.__class__.__name__}") from None
    kwargs: dict[str, Any] = {"future": True}
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database
        if database and database != ":memory:":
            try:
                Path(database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise NewsmonError(
                    f"cannot create the store's folder {Path(database).parent}: "
                    f"{exc.strerror or exc} (check store.url)"
                ) from None
        kwargs["connect_args"] = {"timeout": 30}
        engine = create_engine(url, **kwargs)
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    if parsed.get_backend_name() == "postgresql" and parsed.drivername == "postgresql":
        # psycopg 3 is the driver we install; plain postgresql:// would ask for psycopg2.
        url = parsed.set(drivername="postgresql+psycopg").render_as_string(hide_password=False)
    kwargs["pool_pre_ping"] = True
    return create_engine(url, **kwargs)


def _unwritable_folder(database: str | None) -> Path | None:
    """The SQLite file's folder if it exists and cannot be written (SQLite then says only
    "unable to open database file": it needs to create its journal files there)."""
    if not database or database == ":memory:":
        return None
    folder = Path(database).parent
    if folder.is_dir() and not os.access(folder, os.W_OK):
        return folder
    return None


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the daemon write while `newsmon status` or `events` read; foreign keys are off
    # by default in SQLite.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.close()
