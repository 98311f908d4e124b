"""The deduplicating article store (SQLAlchemy; SQLite by default, PostgreSQL on servers)."""

from monitor.store.db import Store, utcnow

__all__ = ["Store", "utcnow"]
