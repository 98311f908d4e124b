"""The transactional outbox: alerts are rows written in the same transaction as their event.

An alert's identity is (event, channel, kind): the unique idempotency key makes a second
enqueue of the same alert a no-op, so re-detection and restarts never create a second one. An
update's kind carries the newest report's detection id (``update-41``), so each growth of the
event is announced at most once per channel.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerts.message import AlertMessage, SourceRef
from monitor.store.models import Alert, Article, Detection, Event


def idempotency_key(event_id: int, channel: str, kind: str) -> str:
    return f"newsmon:event-{event_id}:{channel}:{kind}"


def update_kind_key(newest_detection: int) -> str:
    """The key part of an update: the newest report's detection id, so each growth of the event
    is one update. Not the report count, which falls when a report leaves the event and would
    then come back to a number already used."""
    return f"update-{newest_detection}"


def enqueue(
    session: Session,
    event: Event,
    channels: Iterable[str],
    *,
    kind: str,
    now: datetime,
    route: str | None = None,
    due: datetime | None = None,
) -> list[Alert]:
    """Add one pending alert per channel for `event` unless it is already queued or sent."""
    created: list[Alert] = []
    for channel in channels:
        alert = enqueue_one(
            session, event, channel, kind=kind, key=kind, now=now, route=route, due=due
        )
        if alert is not None:
            created.append(alert)
    session.flush()
    return created


def enqueue_one(
    session: Session,
    event: Event,
    channel: str,
    *,
    kind: str,
    key: str,
    now: datetime,
    route: str | None,
    due: datetime | None = None,
) -> Alert | None:
    """Add the alert `key` names for `event` and `channel`; ``None`` if it exists already."""
    alert_key = idempotency_key(event.id, channel, key)
    if session.scalar(select(Alert.id).where(Alert.idempotency_key == alert_key)) is not None:
        return None
    seen = delivered_urls(session, event.id, channel) if kind == "update" else None
    message = build_message(session, event, alert_id=alert_key, kind=kind, now=now, seen=seen)
    alert = Alert(
        event_id=event.id,
        channel=channel,
        kind=kind,
        route=route,
        idempotency_key=alert_key,
        payload=message.to_payload(),
        status="pending",
        attempts=0,
        next_attempt_at=due or now,
        created_at=now,
    )
    session.add(alert)
    return alert


def refresh_pending(session: Session, event: Event, *, now: datetime) -> int:
    """Rebuild the payload of the event's alerts not tried yet, after another report joined.

    Reports of one meeting often arrive in the same cycle; the first alert then names them all.
    An alert already tried keeps its payload: the receiver may hold it although the
    confirmation was lost, and would drop a changed retry under the same Idempotency-Key, so
    the new report goes out in an update instead.
    """
    unsent = list(
        session.scalars(
            select(Alert).where(
                Alert.event_id == event.id, Alert.status == "pending", Alert.attempts == 0
            )
        )
    )
    for alert in unsent:
        seen = delivered_urls(session, event.id, alert.channel) if alert.kind == "update" else None
        message = build_message(
            session, event, alert_id=alert.idempotency_key, kind=alert.kind, now=now, seen=seen
        )
        alert.payload = message.to_payload()
    return len(unsent)


def delivered_urls(session: Session, event_id: int, channel: str) -> set[str]:
    """The source URLs that the channel's alerts about the event named, sent or tried: a tried
    alert may have arrived although its confirmation did not."""
    payloads = session.scalars(
        select(Alert.payload).where(
            Alert.event_id == event_id,
            Alert.channel == channel,
            (Alert.status == "sent") | (Alert.attempts > 0),
        )
    )
    return {str(s.get("url")) for p in payloads for s in p.get("sources", ())}


def report_urls(session: Session, event_id: int) -> set[str]:
    """The URLs of the articles that reported the event."""
    return set(
        session.scalars(
            select(Article.url)
            .join(Detection, Detection.article_id == Article.id)
            .where(Detection.event_id == event_id)
        )
    )


def build_message(
    session: Session,
    event: Event,
    *,
    alert_id: str,
    kind: str,
    now: datetime,
    seen: set[str] | None = None,
) -> AlertMessage:
    """The message about `event` as the store knows it now.

    ``seen``: source URLs the receiver already heard about; the others are named in
    ``also_reported_by`` (used by updates).
    """
    rows = session.execute(
        select(Detection, Article)
        .join(Article, Detection.article_id == Article.id)
        .where(Detection.event_id == event.id)
        .order_by(Article.published.is_(None), Article.published, Article.id)
    ).all()
    if not rows:
        raise ValueError(f"event {event.id} has no detections")
    lead, lead_article = max(rows, key=lambda pair: pair[0].score)
    sources = tuple(
        SourceRef(
            source=a.source,
            url=a.url,
            title=a.title,
            published=a.published.isoformat() if a.published else None,
        )
        for _, a in rows
    )
    parties = _union(d.parties for d, _ in rows)
    people = _union(d.people for d, _ in rows)
    return AlertMessage(
        alert_id=alert_id,
        kind=kind,
        event_id=f"evt-{event.id}",
        title=lead_article.title,
        summary=summary_line(event, parties),
        parties=parties,
        people=people,
        meeting=event.meeting,
        election_prep=event.election_prep,
        score=round(max(d.score for d, _ in rows), 3),
        details=event.details,
        evidence=tuple(
            (str(e.get("sentence", "")), tuple(str(t) for t in e.get("terms", ())))
            for e in (lead.evidence or [])[:3]
        ),
        sources=sources,
        lang=lead_article.lang,
        created_at=iso_utc(now),
        also_reported_by=() if seen is None else tuple(s for s in sources if s.url not in seen),
    )


def iso_utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def summary_line(event: Event, parties: tuple[str, ...]) -> str:
    what = "meeting" if event.meeting else "election preparation"
    if event.meeting and event.election_prep:
        what = "meeting, election preparation"
    parts = [" / ".join(parties) or "party", what]
    when = " ".join(x for x in (event.date, event.time) if x)
    if when:
        parts.append(when)
    where = event.place or ""
    if event.mode == "online":
        where = f"{where} (online)" if where else "online"
    if where:
        parts.append(where)
    if event.status:
        parts.append(event.status)
    if event.election:
        parts.append(event.election)
    return " · ".join(parts)


def _union(lists: Iterable[list[str] | None]) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for items in lists:
        for item in items or []:
            seen.setdefault(str(item), None)
    return tuple(seen)
