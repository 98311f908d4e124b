"""The `crawl_tasks` table: which sources are in flight, on which worker, and how they ended.

The broker only carries messages; this table is what the coordinator and `newsmon status`
trust, because it survives a broker restart and says which worker did what.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from monitor.store.models import CrawlTask

OPEN = ("unsent", "queued", "running", "retrying")
FINISHED = ("done", "failed")


def open_sources(session: Session) -> set[str]:
    """Sources with a task not finished yet: they are not enqueued again."""
    return set(session.scalars(select(CrawlTask.source).where(CrawlTask.status.in_(OPEN))))


def create(session: Session, sources: Sequence[str], *, now: datetime) -> list[CrawlTask]:
    rows = [
        CrawlTask(source=name, status="unsent", created_at=now, updated_at=now) for name in sources
    ]
    session.add_all(rows)
    session.flush()
    return rows


def unsent(session: Session) -> list[CrawlTask]:
    return list(
        session.scalars(
            select(CrawlTask).where(CrawlTask.status == "unsent").order_by(CrawlTask.id)
        )
    )


def stale(
    session: Session, *, queued_before: datetime, running_before: datetime
) -> list[CrawlTask]:
    """Open tasks whose message may be lost: queued or retrying and untouched since
    `queued_before` (gone with a broker restart), or running and untouched since
    `running_before` (the caller checks that no crawl holds their source's lock)."""
    return list(
        session.scalars(
            select(CrawlTask)
            .where(
                (
                    CrawlTask.status.in_(("queued", "retrying"))
                    & (CrawlTask.updated_at < queued_before)
                )
                | ((CrawlTask.status == "running") & (CrawlTask.updated_at < running_before))
            )
            .order_by(CrawlTask.id)
        )
    )


def mark_sent(session: Session, task_id: int, *, now: datetime) -> None:
    session.execute(
        update(CrawlTask)
        .where(CrawlTask.id == task_id)
        .where(CrawlTask.status.in_(("unsent", "queued", "running", "retrying")))
        .values(
            status="queued", enqueued_at=now, updated_at=now, sends=CrawlTask.sends + 1, error=None
        )
    )


def mark_unsent(session: Session, task_id: int, *, now: datetime, error: str) -> None:
    session.execute(
        update(CrawlTask)
        .where(CrawlTask.id == task_id)
        .where(CrawlTask.status == "unsent")
        .values(updated_at=now, error=error)
    )


def collect_finished(session: Session) -> list[CrawlTask]:
    """Finished tasks not collected yet, now marked collected (the coordinator then detects)."""
    rows = list(
        session.scalars(
            select(CrawlTask)
            .where(CrawlTask.status.in_(FINISHED))
            .where(CrawlTask.collected.is_(False))
            .order_by(CrawlTask.id)
        )
    )
    for row in rows:
        row.collected = True
    return rows
