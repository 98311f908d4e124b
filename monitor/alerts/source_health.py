"""Source-health notices for the people who run newsmon (not for the newsroom).

After each cycle every enabled source is judged: *failing* when its last
`operations.fail_after_cycles` crawls failed in a row, *stale* when it has yielded no new article
for `operations.stale_after_hours`, otherwise *ok*. A change from ok to a problem queues one
operator notice per operations channel; the return to ok queues one recovery notice. The last
notice sent about a source is read back from the outbox, so a restart neither repeats a notice
nor forgets that a recovery is owed, and the idempotency key (source, sequence number, channel)
makes a repeated check after a crash a no-op.

Notices are outbox rows of kind ``operator`` (route ``operations``, no event) with a payload of
schema ``newsmon.operator/1``.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any, Final

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.config.model import SourceConfig
from monitor.config.ops import OperationsConfig
from monitor.store import Store
from monitor.store.models import Alert, Source

log = logging.getLogger(__name__)

SCHEMA: Final = "newsmon.operator/1"
ROUTE: Final = "operations"
PROBLEMS: Final = frozenset({"failing", "stale"})


@dataclass(frozen=True)
class Notice:
    source: str
    state: str  # failing | stale | recovered
    sequence: int


def notice_key(source: str, sequence: int, channel: str) -> str:
    return f"newsmon:operator-{source}:{sequence}:{channel}"


def judge(row: Source, ops: OperationsConfig, now: datetime) -> str:
    """ok | stale | failing for one source as the store knows it now."""
    if row.consecutive_failures >= ops.fail_after_cycles:
        return "failing"
    if row.last_crawl_at is None:
        return "ok"  # never crawled yet: nothing to judge
    # A source that never yielded anything is judged from when newsmon first knew it.
    since = row.last_new_article_at or row.created_at
    if now - since >= timedelta(hours=ops.stale_after_hours):
        return "stale"
    return "ok"


def queue_health_notices(
    store: Store,
    ops: OperationsConfig,
    sources: Sequence[SourceConfig],
    channels: Sequence[str],
    now: datetime | None = None,
) -> list[Notice]:
    """Judge every source, record its health, and queue the notices its changes call for."""
    now = now or store.clock()
    targets = tuple(ops.channels) or tuple(channels)
    names = {s.name for s in sources}
    notices: list[Notice] = []
    with store.session() as session:
        for row in session.scalars(select(Source).where(Source.name.in_(names))):
            state = judge(row, ops, now)
            if row.health != state:
                row.health, row.health_changed_at = state, now
            notice = _notice_due(session, row, state)
            if notice is None:
                continue
            _log(row, notice, ops)
            for channel in targets:
                _enqueue(session, row, notice, channel, now)
            notices.append(notice)
    if notices and not targets:
        log.warning("no alert channel for operator notices: set operations.channels")
    return notices


def _notice_due(session: Session, row: Source, state: str) -> Notice | None:
    last = session.scalar(
        select(Alert.payload)
        .where(
            Alert.kind == "operator",
            # Escaped: "_" in a source name is a LIKE wildcard, and news_18 is not news-18.
            Alert.idempotency_key.startswith(_prefix(row.name), autoescape=True),
        )
        .order_by(Alert.id.desc())
        .limit(1)
    )
    told = str(last.get("state")) if last else "recovered"
    sequence = int(last.get("sequence", 0)) + 1 if last else 1
    if state in PROBLEMS and state != told:
        return Notice(row.name, state, sequence)
    if state == "ok" and told in PROBLEMS:
        return Notice(row.name, "recovered", sequence)
    return None


def _prefix(source: str) -> str:
    return f"newsmon:operator-{source}:"


def _enqueue(session: Session, row: Source, notice: Notice, channel: str, now: datetime) -> None:
    key = notice_key(row.name, notice.sequence, channel)
    if session.scalar(select(Alert.id).where(Alert.idempotency_key == key)) is not None:
        return
    session.add(
        Alert(
            event_id=None,
            channel=channel,
            kind="operator",
            route=ROUTE,
            idempotency_key=key,
            payload=payload(row, notice, key, now),
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )


def payload(row: Source, notice: Notice, key: str, now: datetime) -> dict[str, Any]:
    """The notice as JSON (schema ``newsmon.operator/1``)::

    {"schema": "newsmon.operator/1", "alert_id": "...", "kind": "operator",
     "source": "bhaskar", "state": "failing" | "stale" | "recovered", "sequence": 3,
     "title": "...", "summary": "...", "consecutive_failures": 4, "last_error": "..." | null,
     "last_success_at": "...Z" | null, "last_new_article_at": "...Z" | null,
     "created_at": "...Z"}
    """
    titles = {
        "failing": f"Source {row.name} is failing",
        "stale": f"Source {row.name} has published nothing new",
        "recovered": f"Source {row.name} has recovered",
    }
    return {
        "schema": SCHEMA,
        "alert_id": key,
        "kind": "operator",
        "source": row.name,
        "state": notice.state,
        "sequence": notice.sequence,
        "title": titles[notice.state],
        "summary": summary(row, notice.state),
        "consecutive_failures": row.consecutive_failures,
        "last_error": row.last_error,
        "last_success_at": _iso(row.last_success_at),
        "last_new_article_at": _iso(row.last_new_article_at),
        "created_at": _iso(now),
    }


def summary(row: Source, state: str) -> str:
    if state == "failing":
        return f"{row.consecutive_failures} crawls in a row failed; last error: {row.last_error}"
    if state == "stale":
        last = _iso(row.last_new_article_at) or "never"
        return f"no new article since {last}"
    return "crawls succeed and new articles arrive again"


def _log(row: Source, notice: Notice, ops: OperationsConfig) -> None:
    if notice.state == "recovered":
        log.warning("source %s recovered", row.name)
    elif notice.state == "failing":
        log.error(
            "source %s is failing: %d crawls in a row (threshold %d); last error: %s",
            row.name,
            row.consecutive_failures,
            ops.fail_after_cycles,
            row.last_error,
        )
    else:
        log.error(
            "source %s is stale: no new article for %s hours (since %s)",
            row.name,
            ops.stale_after_hours,
            _iso(row.last_new_article_at) or "never",
        )


def _iso(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
