"""Detecting stored articles: each pending article gets a detection, an event if positive, and
the event's alerts, all in one transaction."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select

from monitor.alerts.policy import AlertPolicy
from monitor.detect import Detection as Found
from monitor.detect import Detector
from monitor.events.grouping import assign_event
from monitor.store import Store
from monitor.store.models import Article, Detection

log = logging.getLogger(__name__)

IST = ZoneInfo("Asia/Kolkata")


@dataclass(frozen=True)
class DetectOutcome:
    article_id: int
    positive: bool
    event_id: int | None
    new_event: bool
    alerts: int


def local_date(moment: datetime | None) -> date | None:
    """The publication date as the outlet printed it (India time), for resolving weekdays."""
    return moment.astimezone(IST).date() if moment else None


def detection_row(found: Found, article_id: int, now: datetime) -> Detection:
    event = found.event
    fields = None
    if event is not None:
        fields = {
            "date": event.date,
            "time": event.time,
            "status": event.status,
            "mode": event.mode,
            "place": event.place,
            "level": event.level,
            "election": event.election,
            # Whose meeting it is (an alliance's or a party's): the label's `event.party`.
            "party": event.party,
        }
    return Detection(
        article_id=article_id,
        meeting=found.meeting,
        election_prep=found.election_prep,
        score=found.score,
        parties=list(found.parties),
        people=list(found.people),
        fields=fields,
        evidence=[{"sentence": e.sentence, "terms": list(e.terms)} for e in found.evidence],
        created_at=now,
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
        pending = list(
            session.scalars(
                select(Article.id)
                .where(Article.detected_at.is_(None))
                .order_by(Article.id)
                .limit(limit)
            )
        )
    return [
        detect_article(store, detector, article_id, policy, min_score) for article_id in pending
    ]


def detect_article(
    store: Store, detector: Detector, article_id: int, policy: AlertPolicy, min_score: float
) -> DetectOutcome:
    now = store.clock()
    with store.session() as session:
        article = session.get(Article, article_id)
        if article is None:
            raise LookupError(f"article {article_id} vanished")
        found = detector.detect(
            article.title, article.text, lang=article.lang, published=local_date(article.published)
        )
        old = session.scalar(select(Detection).where(Detection.article_id == article.id))
        previous_event = old.event_id if old is not None else None
        if old is not None:
            session.delete(old)
            session.flush()
        row = detection_row(found, article.id, now)
        session.add(row)
        article.detected_at = now
        positive = (found.meeting or found.election_prep) and found.score >= min_score
        if not positive:
            return DetectOutcome(article.id, False, None, False, 0)
        event, created = assign_event(session, row, article, now=now, previous=previous_event)
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
