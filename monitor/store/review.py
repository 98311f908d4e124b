"""What the desk said about events: review actions, each event's review state, API tokens.

Review state lives in the store because the pipeline obeys it: an event marked a false
positive, or merged into another, gets no more alerts or updates.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from monitor.store.models import Alert, Base, Event

CONFIRMED = "confirmed"
FALSE_POSITIVE = "false_positive"
MERGED = "merged"
# Review states whose events leave the lists and send nothing more.
WITHDRAWN = (FALSE_POSITIVE, MERGED)
# The outbox status of an alert the desk withdrew before it was sent.
ALERT_WITHDRAWN = "withdrawn"

# The events page lists newest first over every event; this keeps it an index scan.
Index("ix_events_newest", Event.first_seen_at, Event.id)


class ReviewAction(Base):
    """One thing a reviewer did, kept for the record: who, when, what, and the values."""

    __tablename__ = "review_actions"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime]
    user: Mapped[str] = mapped_column(String(100))
    # confirm | false_positive | correct | merge | move_out
    action: Mapped[str] = mapped_column(String(20))
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), index=True)
    detection_id: Mapped[int | None] = mapped_column(ForeignKey("detections.id"))
    # merge: the event merged into `event_id`; move_out: the event the report went to.
    other_event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    field: Mapped[str | None] = mapped_column(String(20))
    old_value: Mapped[str | None] = mapped_column(Text)
    new_value: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)


class EventReview(Base):
    """An event's current review state: confirmed, false_positive, or merged (into another)."""

    __tablename__ = "event_reviews"

    event_id: Mapped[int] = mapped_column(ForeignKey("events.id"), primary_key=True)
    state: Mapped[str] = mapped_column(String(20), index=True)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"))
    reason: Mapped[str | None] = mapped_column(Text)
    user: Mapped[str] = mapped_column(String(100))
    at: Mapped[datetime]


class ApiToken(Base):
    """A bearer token for the JSON API and feeds; only its SHA-256 is kept."""

    __tablename__ = "web_api_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime]
    last_used_at: Mapped[datetime | None]
    revoked_at: Mapped[datetime | None]


class WebSecret(Base):
    """A generated secret (the session signing key) that must survive restarts."""

    __tablename__ = "web_secrets"

    name: Mapped[str] = mapped_column(String(50), primary_key=True)
    value: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime]


def withdrawn(session: Session, event_id: int) -> bool:
    """True when the desk marked the event a false positive or merged it away."""
    state = session.scalar(select(EventReview.state).where(EventReview.event_id == event_id))
    return state in WITHDRAWN


def withdraw_alerts(session: Session, event_id: int, reason: str) -> int:
    """Stop the event's alerts that were not sent yet; returns how many."""
    result = session.execute(
        update(Alert)
        .where(Alert.event_id == event_id, Alert.status == "pending")
        .values(status=ALERT_WITHDRAWN, last_error=reason)
    )
    return int(getattr(result, "rowcount", 0) or 0)
