"""One event with everything the desk checks: its reports, evidence, alerts and review."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.store.models import Alert, AlertAttempt, Article, Detection, Event
from monitor.store.review import EventReview, ReviewAction
from monitor.web.queries import EventRow, NotFound, Places, describe
from monitor.web.review import history


@dataclass(frozen=True)
class Report:
    detection: Detection
    article: Article


@dataclass(frozen=True)
class SentAlert:
    alert: Alert
    attempts: list[AlertAttempt]


@dataclass(frozen=True)
class EventDetail:
    row: EventRow
    reports: list[Report]
    alerts: list[SentAlert]
    review: EventReview | None
    history: list[ReviewAction]
    people: list[str]

    def evidence(self) -> list[dict[str, Any]]:
        return [e for r in self.reports for e in (r.detection.evidence or [])]


def event_detail(session: Session, event_id: int, places: Places) -> EventDetail:
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound(f"no event {event_id}")
    reports = [
        Report(d, a)
        for d, a in session.execute(
            select(Detection, Article)
            .join(Article, Article.id == Detection.article_id)
            .where(Detection.event_id == event.id)
            .order_by(Article.published, Article.id)
        ).all()
    ]
    alerts = list(
        session.scalars(select(Alert).where(Alert.event_id == event.id).order_by(Alert.id))
    )
    attempts: dict[int, list[AlertAttempt]] = {}
    if alerts:
        for attempt in session.scalars(
            select(AlertAttempt)
            .where(AlertAttempt.alert_id.in_([a.id for a in alerts]))
            .order_by(AlertAttempt.id)
        ):
            attempts.setdefault(attempt.alert_id, []).append(attempt)
    people = sorted({str(p) for r in reports for p in (r.detection.people or [])})
    return EventDetail(
        row=describe(session, [event], places)[0],
        reports=reports,
        alerts=[SentAlert(a, attempts.get(a.id, [])) for a in alerts],
        review=session.get(EventReview, event.id),
        history=history(session, event.id),
        people=people,
    )
