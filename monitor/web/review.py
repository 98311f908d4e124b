"""The desk's review actions on events, each stored with who and when.

A false positive or a merge withdraws the event: its unsent alerts are withdrawn and later
reports of it announce nothing (see `monitor.store.review.withdrawn`).
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.events.summary import add_report, packed, refresh, unpacked
from monitor.store.models import Detection, Event
from monitor.store.review import (
    CONFIRMED,
    FALSE_POSITIVE,
    MERGED,
    WITHDRAWN,
    EventReview,
    ReviewAction,
    withdraw_alerts,
)
from monitor.web.queries import MODES, STATUSES, NotFound

CORRECTABLE = ("party", "date", "time", "place", "status", "mode")


class ReviewError(ValueError):
    """An action that cannot be done; the message says why."""


def _event(session: Session, event_id: int) -> Event:
    event = session.get(Event, event_id)
    if event is None:
        raise NotFound(f"no event {event_id}")
    return event


def _set_state(
    session: Session,
    event_id: int,
    state: str,
    user: str,
    now: datetime,
    *,
    reason: str | None = None,
    merged_into: int | None = None,
) -> None:
    row = session.get(EventReview, event_id)
    if row is None:
        row = EventReview(event_id=event_id, state=state, user=user, at=now)
        session.add(row)
    row.state, row.user, row.at, row.reason, row.merged_into_id = (
        state,
        user,
        now,
        reason,
        merged_into,
    )


def _record(
    session: Session, action: str, event_id: int, user: str, now: datetime, **extra: object
) -> None:
    session.add(ReviewAction(at=now, user=user, action=action, event_id=event_id, **extra))


def _open(session: Session, event: Event) -> None:
    row = session.get(EventReview, event.id)
    if row is not None and row.state == MERGED:
        raise ReviewError(f"event {event.id} was merged into event {row.merged_into_id}")


def confirm(session: Session, event_id: int, user: str, now: datetime) -> None:
    event = _event(session, event_id)
    _open(session, event)
    _set_state(session, event.id, CONFIRMED, user, now)
    _record(session, "confirm", event.id, user, now)


def false_positive(session: Session, event_id: int, user: str, reason: str, now: datetime) -> int:
    """Mark the event a false positive; returns how many unsent alerts were withdrawn."""
    reason = reason.strip()
    if not reason:
        raise ReviewError("a false positive needs a reason")
    event = _event(session, event_id)
    _open(session, event)
    _set_state(session, event.id, FALSE_POSITIVE, user, now, reason=reason)
    _record(session, "false_positive", event.id, user, now, reason=reason)
    return withdraw_alerts(session, event.id, f"withdrawn: marked a false positive by {user}")


def correct(
    session: Session, event_id: int, field: str, value: str, user: str, now: datetime
) -> None:
    if field not in CORRECTABLE:
        raise ReviewError(f"field {field!r} cannot be corrected (one of {', '.join(CORRECTABLE)})")
    value = value.strip()
    if field == "date" and value:
        try:
            date.fromisoformat(value)
        except ValueError:
            raise ReviewError(f"date: {value!r} is not a date (YYYY-MM-DD)") from None
    if field == "time" and value:
        try:
            datetime.strptime(value, "%H:%M")
        except ValueError:
            raise ReviewError(f"time: {value!r} is not a time (HH:MM)") from None
    if field == "status" and value and value not in STATUSES:
        raise ReviewError(f"status: {value!r} is not one of {', '.join(STATUSES)}")
    if field == "mode" and value and value not in MODES:
        raise ReviewError(f"mode: {value!r} is not one of {', '.join(MODES)}")
    if field == "party":
        value = value.upper()
    event = _event(session, event_id)
    _open(session, event)
    old = getattr(event, field)
    setattr(event, field, value or None)
    event.updated_at = now
    _record(
        session, "correct", event.id, user, now, field=field, old_value=old, new_value=value or None
    )


def merge(session: Session, target_id: int, other_id: int, user: str, now: datetime) -> int:
    """Merge event `other_id` into `target_id`: its reports move over; returns how many."""
    if target_id == other_id:
        raise ReviewError("an event cannot be merged into itself")
    target, other = _event(session, target_id), _event(session, other_id)
    _open(session, target)
    _open(session, other)
    moved = list(session.scalars(select(Detection).where(Detection.event_id == other.id)))
    for detection in moved:
        detection.event_id = target.id
    target.report_sources = packed(
        [*unpacked(target.report_sources), *unpacked(other.report_sources)]
    )
    target.report_langs = packed([*unpacked(target.report_langs), *unpacked(other.report_langs)])
    other.report_sources, other.report_langs = "", ""
    for name in ("party", "date", "time", "place", "mode", "status", "level", "election"):
        if getattr(target, name) is None and getattr(other, name) is not None:
            setattr(target, name, getattr(other, name))
    target.meeting = target.meeting or other.meeting
    target.election_prep = target.election_prep or other.election_prep
    target.updated_at = now
    _set_state(session, other.id, MERGED, user, now, merged_into=target.id)
    _record(session, "merge", target.id, user, now, other_event_id=other.id)
    withdraw_alerts(session, other.id, f"withdrawn: merged into event {target.id} by {user}")
    return len(moved)


def move_out(session: Session, event_id: int, detection_id: int, user: str, now: datetime) -> int:
    """Move one report out of its event into a new event of its own; returns the new id."""
    from monitor.store.models import Article

    event = _event(session, event_id)
    _open(session, event)
    detection = session.get(Detection, detection_id)
    if detection is None or detection.event_id != event.id:
        raise ReviewError(f"report {detection_id} is not in event {event_id}")
    fields = detection.fields or {}
    article = session.get(Article, detection.article_id)
    new = Event(
        party=(detection.parties or [None])[0],
        date=fields.get("date"),
        time=fields.get("time"),
        place=fields.get("place"),
        mode=fields.get("mode"),
        status=fields.get("status"),
        level=fields.get("level"),
        election=fields.get("election"),
        meeting=detection.meeting,
        election_prep=detection.election_prep,
        title=article.title if article else "",
        first_seen_at=detection.created_at,
        updated_at=now,
    )
    if article is not None:
        add_report(new, article)
    session.add(new)
    session.flush()
    detection.event_id = new.id
    refresh(session, [event.id])
    _record(
        session, "move_out", event.id, user, now, detection_id=detection.id, other_event_id=new.id
    )
    return new.id


def history(session: Session, event_id: int) -> list[ReviewAction]:
    return list(
        session.scalars(
            select(ReviewAction)
            .where((ReviewAction.event_id == event_id) | (ReviewAction.other_event_id == event_id))
            .order_by(ReviewAction.id)
        )
    )


def review_state(session: Session, event_id: int) -> EventReview | None:
    return session.get(EventReview, event_id)


__all__ = ["CORRECTABLE", "WITHDRAWN", "ReviewError"]
