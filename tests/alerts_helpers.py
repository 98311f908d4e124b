"""Building blocks for the alert tests: a settable clock and reports stored as detection does."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from monitor.alerts.policy import AlertPolicy
from monitor.events.grouping import assign_event
from monitor.store import Store
from monitor.store.models import Article, Detection, Source

START = datetime(2023, 11, 20, 4, 30, tzinfo=UTC)  # 10:00 in India


class Clock:
    def __init__(self, now: datetime = START) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@dataclass(frozen=True)
class Stored:
    article_id: int
    event_id: int
    created: bool
    alerts: int


def store_report(
    store: Store,
    policy: AlertPolicy,
    *,
    url: str,
    party: str = "JMM",
    source: str = "prabhatkhabar",
    region: str | None = "Jharkhand",
    lang: str = "hi",
    title: str = "झामुमो की ऑनलाइन बैठक 21 नवंबर को",
    date: str | None = "2023-11-21",
    place: str | None = "Ranchi",
    score: float = 0.9,
    meeting: bool = True,
    election_prep: bool = True,
    evidence: str = "हेमंत सोरेन पार्टी पदाधिकारियों के साथ ऑनलाइन संवाद करेंगे।",
) -> Stored:
    """Store an article and its positive detection and hand the event to the policy, in one
    transaction, the way `monitor.events.intake.detect_article` does."""
    now = store.clock()
    with store.session() as session:
        if (
            region is not None
            and session.scalar(select(Source).where(Source.name == source)) is None
        ):
            session.add(
                Source(
                    name=source, lang=lang, region=region, created_at=now, consecutive_failures=0
                )
            )
        article = Article(
            source=source,
            url=url,
            canonical_url=url,
            title=title,
            text=evidence,
            published=now,
            lang=lang,
            content_hash=hashlib.sha256(url.encode()).hexdigest(),
            fetched_at=now,
            detected_at=now,
        )
        session.add(article)
        session.flush()
        fields: dict[str, Any] = {
            "date": date,
            "time": None,
            "status": "scheduled",
            "mode": "in_person",
            "place": place,
            "level": "state",
            "election": None,
        }
        detection = Detection(
            article_id=article.id,
            meeting=meeting,
            election_prep=election_prep,
            score=score,
            parties=[party],
            people=[],
            fields=fields,
            evidence=[{"sentence": evidence, "terms": []}],
            created_at=now,
        )
        session.add(detection)
        event, created = assign_event(session, detection, article, now=now)
        alerts = policy.on_event(
            session, event, created=created, detection=detection, article=article, now=now
        )
        return Stored(article.id, event.id, created, alerts)
