"""Per-source state kept in the store: which sources are due, and what each crawl did to them."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler import bookkeeping as bk
from monitor.config.model import SourceConfig
from monitor.crawl.runner import CrawlStats
from monitor.store.articles import touch_source
from monitor.store.models import Source

log = logging.getLogger(__name__)

# A source due "at" the tick should not slip to the next one because of a few seconds.
SLACK = timedelta(seconds=5)
# After n failures in a row a source waits BACKOFF_BASE * 2**(n-1), at most BACKOFF_MAX: a site
# that is down is asked less and less often, but never dropped, and comes back on its own.
BACKOFF_BASE = timedelta(minutes=15)
BACKOFF_MAX = timedelta(hours=6)


def due_sources(
    session: Session, sources: Sequence[SourceConfig], *, default_minutes: float, now: datetime
) -> list[SourceConfig]:
    """Sources whose interval has passed since their last crawl and that are not backing off."""
    rows = {row.name: row for row in session.scalars(select(Source))}
    due = []
    for source in sources:
        row = rows.get(source.name)
        if row is None or row.last_crawl_at is None:
            due.append(source)
            continue
        if row.next_crawl_at is not None and now < row.next_crawl_at - SLACK:
            continue
        every = timedelta(minutes=source.every_minutes or default_minutes)
        if now - row.last_crawl_at >= every - SLACK:
            due.append(source)
    return due


def mark_started(session: Session, sources: Sequence[SourceConfig], *, now: datetime) -> None:
    for source in sources:
        row = touch_source(session, source.name, now=now)
        row.lang, row.region = source.lang, source.region


def backoff(failures: int) -> timedelta:
    """How long a source waits after `failures` failed crawls in a row."""
    if failures <= 0:
        return timedelta(0)
    # Capped before exponentiation so a source failing for months cannot overflow.
    factor: int = 2 ** min(failures - 1, 16)
    return min(BACKOFF_BASE * factor, BACKOFF_MAX)


def source_failure(stats: CrawlStats, name: str) -> str | None:
    """Why the crawl failed for source `name`, or None when its discovery answered.

    A source fails when none of its feeds, sitemaps or listing pages answered usably; a feed
    down beside a working sitemap is logged, not a failure.
    """
    raw = stats.raw

    def count(counter: str) -> int:
        return int(raw.get(bk.source_key(name, counter)) or 0)

    if count(bk.DISCOVERY_OK) > 0 or count(bk.DISCOVERY_FAILED) == 0:
        return None
    return str(raw.get(bk.source_key(name, bk.LAST_ERROR)) or "discovery failed")


def record_crawl(
    session: Session,
    sources: Sequence[SourceConfig],
    stats: CrawlStats | None,
    *,
    now: datetime,
    error: str | None = None,
) -> None:
    """Update each source after a crawl: last crawl, failures in a row, backoff.

    Health (ok / failing) and the operator's notices are judged from these counts elsewhere
    (monitor/alerts/source_health.py), which must see each change of health itself.

    `error` is a failure of the crawl as a whole: counted for every source, but it pushes no
    source back, since the fault is not theirs.
    """
    if stats is not None and stats.cut_short and not error:
        # Neither a success nor a failure of its sources: they stay due, so the next start
        # crawls them again (what was stored is skipped), and no notice says "recovered".
        log.info("crawl stopped before it finished; its sources stay due")
        return
    for source in sources:
        row = touch_source(session, source.name, now=now)
        row.last_crawl_at = now
        if error:
            row.consecutive_failures += 1
            row.last_error = error
            continue
        failure = source_failure(stats, source.name) if stats is not None else None
        if failure is None:
            row.consecutive_failures, row.last_success_at = 0, now
            row.next_crawl_at = None
            continue
        row.consecutive_failures += 1
        row.last_error = failure
        row.next_crawl_at = now + backoff(row.consecutive_failures)
        log.warning(
            "source %s failed %d times in a row (%s); next try after %s",
            source.name,
            row.consecutive_failures,
            failure,
            row.next_crawl_at.isoformat(timespec="minutes"),
        )
