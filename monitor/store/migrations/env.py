"""Alembic environment: runs on the connection the store hands over, or on a URL."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import create_engine

import monitor.store.review  # noqa: F401  (its tables belong to the metadata)
from monitor.store.models import Base

target_metadata = Base.metadata
config = context.config


def include_name(name: str | None, type_: str, _parents: Any) -> bool:
    # The full-text index (an FTS5 table and its shadow tables on SQLite, an expression index
    # on PostgreSQL) cannot be modelled in SQLAlchemy; the migration that made it owns it.
    if type_ == "table" and name is not None and name.startswith("articles_fts"):
        return False
    return not (type_ == "index" and name == "ix_articles_fulltext")


def run() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            render_as_batch=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_engine(config.get_main_option("sqlalchemy.url") or "sqlite://")
    with engine.begin() as conn:
        context.configure(
            connection=conn,
            target_metadata=target_metadata,
            render_as_batch=True,
            include_name=include_name,
        )
        with context.begin_transaction():
            context.run_migrations()


run()
