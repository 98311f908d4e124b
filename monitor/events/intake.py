"""Detecting stored articles: each pending article gets a detection, an event if positive, and
the event's alerts, all in one transaction.

The per-article steps run in the order of the flow — detect, store the finding, group it into
an event, queue the event's alerts — inside one transaction, so an event and the outbox rows
announcing it commit together or not at all.

Each article is its own error boundary: an article whose detection or grouping raises is
rolled back, recorded in `detect_failures` with its error and a digest of its traceback, and
skipped by later cycles until `newsmon detect --retry-failed`; the other articles go on.
"""

from __future__ import annotations

import hashlib
import logging
import traceback
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from sqlalchemy import and_, delete, func, or_, select
from sqlalchemy.orm import Session

from crawler.calendar_text import IST
from monitor.alerts.policy import AlertPolicy
from monitor.detect import Detector, Finding
from monitor.events.grouping import assign_event
from monitor.events.summary import refresh
from monitor.store import Store
from monitor.store.models import Article, DetectFailure, Detection

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DetectOutcome:
    article_id: int
    positive: bool
    event_id: int | None
    new_event: bool
    alerts: int
    # "TypeError: ..." when the article's detection or grouping raised; nothing was kept.
    error: str | None = None

    @property
    def failed(self) -> bool:
        return self.error is not None


def local_date(moment: datetime | None) -> date | None:
    """The publication date as the outlet printed it (India time), for resolving weekdays."""
    return moment.astimezone(IST).date() if moment else None


def detection_row(found: Finding, article_id: int, now: datetime) -> Detection:
    return Detection(
        article_id=article_id,
        meeting=found.meeting,
        election_prep=found.election_prep,
        score=found.score,
        parties=list(found.parties),
        people=list(found.people),
        fields=found.event.to_json() if found.event is not None else None,
        evidence=[e.to_json() for e in found.evidence],
        created_at=now,
    )


def pending_articles(session: Session, limit: int) -> list[int]:
    """Articles waiting for detection, without those that failed on this text.

    Publication order, not the order the crawl happened to store them in: the same articles then
    make the same events with the same ids every time."""
    failed_on_this_text = (
        select(DetectFailure.article_id)
        .where(
            DetectFailure.article_id == Article.id,
            or_(Article.updated_at.is_(None), DetectFailure.failed_at >= Article.updated_at),
        )
        .exists()
    )
    return list(
        session.scalars(
            select(Article.id)
            .where(and_(Article.detected_at.is_(None), ~failed_on_this_text))
            .order_by(Article.published.asc().nulls_last(), Article.url, Article.id)
            .limit(limit)
        )
    )


def detect_pending(
    store: Store,
    detector: Detector,
    policy: AlertPolicy,
    *,
    min_score: float = 0.0,
    limit: int = 1000,
) -> list[DetectOutcome]:
    with store.session() as session:
        pending = pending_articles(session, limit)
    return detect_articles(store, detector, policy, pending, min_score=min_score)


def detect_articles(
    store: Store,
    detector: Detector,
    policy: AlertPolicy,
    article_ids: Sequence[int],
    *,
    min_score: float = 0.0,
) -> list[DetectOutcome]:
    """Detect each article in its own transaction; one that raises is recorded, not fatal."""
    outcomes = []
    for article_id in article_ids:
        try:
            outcome = detect_article(store, detector, article_id, policy, min_score)
        except Exception as exc:  # the boundary: any bug in one article stays with it
            log.exception("article %d: detection failed; skipped until retried", article_id)
            outcome = record_failure(store, article_id, exc)
        outcomes.append(outcome)
    return outcomes


def detect_article(
    store: Store, detector: Detector, article_id: int, policy: AlertPolicy, min_score: float
) -> DetectOutcome:
    now = store.clock()
    with store.session() as session:
        article = session.get(Article, article_id)
        if article is None:
            raise LookupError(f"article {article_id} vanished")
        # detect
        found = detector.detect(
            article.title, article.text, lang=article.lang, published=local_date(article.published)
        )
        # store the finding, in place of an earlier one
        old = session.scalar(select(Detection).where(Detection.article_id == article.id))
        previous_event = old.event_id if old is not None else None
        if old is not None:
            session.delete(old)
            session.flush()
        row = detection_row(found, article.id, now)
        session.add(row)
        article.detected_at = now
        session.execute(delete(DetectFailure).where(DetectFailure.article_id == article.id))
        positive = (found.meeting or found.election_prep) and found.score >= min_score
        if not positive:
            # The earlier finding's event lost this report.
            refresh(session, [previous_event])
            return DetectOutcome(article.id, False, None, False, 0)
        # events
        event, created = assign_event(session, row, article, now=now, previous=previous_event)
        if previous_event is not None:
            refresh(session, [previous_event])  # an edited article may be in another language
        # outbox
        alerts = policy.on_event(
            session, event, created=created, detection=row, article=article, now=now
        )
        log.info(
            "article %d (%s) flagged meeting=%s election_prep=%s parties=%s -> event %d%s",
            article.id,
            article.source,
            found.meeting,
            found.election_prep,
            ",".join(found.parties),
            event.id,
            " (new)" if created else "",
        )
        return DetectOutcome(article.id, True, event.id, created, alerts)


def record_failure(store: Store, article_id: int, exc: BaseException) -> DetectOutcome:
    """Write down why `article_id` failed, so later cycles skip it and status can show it."""
    error = f"{type(exc).__name__}: {exc}".splitlines()[0][:500]
    frames = traceback.extract_tb(exc.__traceback__)
    # File names without their folders: the same bug has the same digest on every install.
    shape = "\n".join(f"{Path(f.filename).name}:{f.name}:{f.lineno}" for f in frames)
    digest = hashlib.sha256(f"{type(exc).__name__}\n{shape}".encode()).hexdigest()[:16]
    last = frames[-1] if frames else None
    raised_at = f"{Path(last.filename).name}:{last.lineno} in {last.name}" if last else None
    now = store.clock()
    with store.session() as session:
        row = session.get(DetectFailure, article_id)
        if row is None:
            session.add(
                DetectFailure(
                    article_id=article_id,
                    error=error,
                    traceback_digest=digest,
                    raised_at=raised_at,
                    failed_at=now,
                    attempts=1,
                )
            )
        else:
            row.error, row.traceback_digest, row.raised_at = error, digest, raised_at
            row.failed_at, row.attempts = now, row.attempts + 1
    return DetectOutcome(article_id, False, None, False, 0, error=error)


def failed_articles(session: Session) -> list[DetectFailure]:
    return list(session.scalars(select(DetectFailure).order_by(DetectFailure.article_id)))


def count_failed(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(DetectFailure)) or 0)


def retry_failed(
    store: Store, detector: Detector, policy: AlertPolicy, *, min_score: float = 0.0
) -> list[DetectOutcome]:
    """Detect every failed article again now; those that still raise stay recorded."""
    with store.session() as session:
        ids = [f.article_id for f in failed_articles(session)]
    return detect_articles(store, detector, policy, ids, min_score=min_score)
