"""The store's tables: one record flows article → detection → event → alert.

Every timestamp is UTC. SQLite has no time-zone type, so `UTCDateTime` stores naive UTC and
hands back aware datetimes on both back ends.
"""

from __future__ import annotations

import datetime as dt
from datetime import UTC, datetime
from typing import Any, ClassVar

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    DateTime,
    Dialect,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from monitor.detect.model import EventFields


class UTCDateTime(TypeDecorator[datetime]):
    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to the store; pass an aware UTC time")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    type_annotation_map: ClassVar[dict[Any, Any]] = {
        datetime: UTCDateTime,
        dict[str, Any]: JSON,
        list[Any]: JSON,
    }


class Source(Base):
    __tablename__ = "sources"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    lang: Mapped[str | None] = mapped_column(String(16))
    region: Mapped[str | None] = mapped_column(String(100))
    created_at: Mapped[datetime]
    last_crawl_at: Mapped[datetime | None]
    last_success_at: Mapped[datetime | None]
    last_new_article_at: Mapped[datetime | None]
    consecutive_failures: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    # A failing source is retried later and later instead of every cycle.
    next_crawl_at: Mapped[datetime | None]
    # ok | stale | failing, and when it last changed: operator notices fire on changes.
    health: Mapped[str] = mapped_column(String(20), default="ok")
    health_changed_at: Mapped[datetime | None]


class CrawlRun(Base):
    __tablename__ = "crawl_runs"

    id: Mapped[int] = mapped_column(primary_key=True)
    started_at: Mapped[datetime]
    finished_at: Mapped[datetime | None]
    # running → finished | failed; a run still "running" at start-up was interrupted.
    status: Mapped[str] = mapped_column(String(20), default="running")
    sources: Mapped[list[Any]] = mapped_column(JSON, default=list)
    requests: Mapped[int] = mapped_column(Integer, default=0)
    bytes_received: Mapped[int] = mapped_column(Integer, default=0)
    articles_new: Mapped[int] = mapped_column(Integer, default=0)
    articles_seen: Mapped[int] = mapped_column(Integer, default=0)
    errors: Mapped[int] = mapped_column(Integer, default=0)
    finish_reason: Mapped[str | None] = mapped_column(String(100))
    stats: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class Article(Base):
    __tablename__ = "articles"
    __table_args__ = (Index("ix_articles_detect_pending", "detected_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(200), index=True)
    url: Mapped[str] = mapped_column(Text)
    canonical_url: Mapped[str] = mapped_column(String(2000), unique=True)
    title: Mapped[str] = mapped_column(Text, default="")
    text: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[datetime | None]
    author: Mapped[str | None] = mapped_column(Text)
    lang: Mapped[str | None] = mapped_column(String(16))
    content_hash: Mapped[str] = mapped_column(String(64), index=True)
    discovered_via: Mapped[str | None] = mapped_column(String(20))
    fetched_at: Mapped[datetime]
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    # Set when the same normalised text is already stored under another URL.
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("articles.id"))
    # NULL means "waiting for detection"; re-detection clears it.
    detected_at: Mapped[datetime | None]
    # Set when a refetch found the text changed (the article is then detected again).
    updated_at: Mapped[datetime | None]


class Event(Base):
    """One real-world meeting or preparation step, however many outlets report it."""

    __tablename__ = "events"

    id: Mapped[int] = mapped_column(primary_key=True)
    party: Mapped[str | None] = mapped_column(String(50), index=True)
    date: Mapped[str | None] = mapped_column(String(10))
    time: Mapped[str | None] = mapped_column(String(5))
    place: Mapped[str | None] = mapped_column(String(200))
    mode: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str | None] = mapped_column(String(20))
    level: Mapped[str | None] = mapped_column(String(20))
    election: Mapped[str | None] = mapped_column(String(100))
    venue: Mapped[str | None] = mapped_column(String(200))
    meeting: Mapped[bool] = mapped_column(Boolean, default=False)
    election_prep: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(Text, default="")
    first_seen_at: Mapped[datetime]
    updated_at: Mapped[datetime]
    # The outlets and languages of the event's reports, each set sorted and written "|a|b|",
    # so lists filter and count by them without joining every report
    # (`monitor.events.summary` keeps them).
    report_sources: Mapped[str] = mapped_column(Text, default="", server_default="")
    report_langs: Mapped[str] = mapped_column(String(100), default="", server_default="")

    detections: Mapped[list[Detection]] = relationship(back_populates="event")

    @property
    def details(self) -> EventFields:
        """When, where and how, as the one event record (the columns above, by name)."""
        values = {name: getattr(self, name) for name in EVENT_COLUMNS}
        return EventFields.from_json({**values, "party": self.party})

    @details.setter
    def details(self, record: EventFields) -> None:
        # `party` stays the event's own: the first party of its first report.
        for name in EVENT_COLUMNS:
            setattr(self, name, getattr(record, name))


# The columns of `Event` that hold an `EventFields` record, one per field (`party` aside).
EVENT_COLUMNS = tuple(k for k in EventFields().to_json() if k != "party")


class Detection(Base):
    __tablename__ = "detections"

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), unique=True)
    meeting: Mapped[bool] = mapped_column(Boolean)
    election_prep: Mapped[bool] = mapped_column(Boolean)
    score: Mapped[float] = mapped_column(Float)
    parties: Mapped[list[Any]] = mapped_column(JSON, default=list)
    people: Mapped[list[Any]] = mapped_column(JSON, default=list)
    fields: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    evidence: Mapped[list[Any]] = mapped_column(JSON, default=list)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    created_at: Mapped[datetime]
    # What grouping compares, reduced from the article once when the detection joins an
    # event (`monitor.events.grouping.Report`), so grouping never reads article texts again.
    report: Mapped[dict[str, Any] | None] = mapped_column(JSON)

    article: Mapped[Article] = relationship()
    event: Mapped[Event | None] = relationship(back_populates="detections")
    report_keys: Mapped[list[ReportKey]] = relationship(
        back_populates="detection", cascade="all, delete-orphan", passive_deletes=True
    )


class ReportKey(Base):
    """How grouping finds a detection's event: one row per party it names, with its dates.

    A new report can only join an event one of whose reports names its party and is close in
    time (the meeting dates within a day, or the publication dates within two) or cannot be
    placed in time; the two indexes answer exactly those questions.
    """

    __tablename__ = "report_keys"
    __table_args__ = (
        Index("ix_report_keys_party_date", "party", "date"),
        Index("ix_report_keys_party_published", "party", "published"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    detection_id: Mapped[int] = mapped_column(
        ForeignKey("detections.id", ondelete="CASCADE"), index=True
    )
    party: Mapped[str] = mapped_column(String(50))
    # The meeting's date the detection resolved, and the article's publication date (UTC).
    date: Mapped[dt.date | None] = mapped_column(Date)
    published: Mapped[dt.date | None] = mapped_column(Date)

    detection: Mapped[Detection] = relationship(back_populates="report_keys")


class DetectFailure(Base):
    """An article whose detection or grouping raised: skipped by later cycles until retried.

    One row per article, for the latest failure; `newsmon detect --retry-failed` removes it.
    An article whose text changed after the failure (`Article.updated_at`) is tried again.
    """

    __tablename__ = "detect_failures"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), primary_key=True)
    # "TypeError: ..." — the exception's type and message, for a person.
    error: Mapped[str] = mapped_column(Text)
    # A short hash of the traceback's frames: failures with the same cause share it.
    traceback_digest: Mapped[str] = mapped_column(String(16))
    # Where it was raised ("monitor/detect/fields.py:120 in venue"), the innermost frame.
    raised_at: Mapped[str | None] = mapped_column(Text)
    failed_at: Mapped[datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=1)

    article: Mapped[Article] = relationship()


class Alert(Base):
    """The outbox: one row per event, channel and kind, written with the event it announces."""

    __tablename__ = "alerts"
    __table_args__ = (
        UniqueConstraint("idempotency_key", name="uq_alerts_idempotency_key"),
        Index("ix_alerts_due", "status", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    # NULL for alerts about no single event: digests and operator notices.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id"), index=True)
    channel: Mapped[str] = mapped_column(String(100))
    # new | update | digest | operator | test
    kind: Mapped[str] = mapped_column(String(20), default="new")
    # The routing rule that chose this channel, for `alerts list` and audits.
    route: Mapped[str | None] = mapped_column(String(100))
    idempotency_key: Mapped[str] = mapped_column(String(200))
    payload: Mapped[dict[str, Any]] = mapped_column(JSON)
    # pending → sent | failed (after the last retry)
    status: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime]
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime]
    sent_at: Mapped[datetime | None]
    # Who is sending it now, and until when: a claim is a lease, so two processes never send
    # the same alert at once, and one killed mid-send lets another retry after the expiry.
    lease_owner: Mapped[str | None] = mapped_column(String(200))
    lease_expires_at: Mapped[datetime | None]

    event: Mapped[Event | None] = relationship()


class AlertAttempt(Base):
    __tablename__ = "alert_attempts"

    id: Mapped[int] = mapped_column(primary_key=True)
    alert_id: Mapped[int] = mapped_column(ForeignKey("alerts.id"), index=True)
    at: Mapped[datetime]
    ok: Mapped[bool] = mapped_column(Boolean)
    status: Mapped[str] = mapped_column(String(100))
    error: Mapped[str | None] = mapped_column(Text)


class ArticleSignature(Base):
    """The MinHash signature of an article's text, kept to verify near-duplicate candidates."""

    __tablename__ = "article_signatures"

    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), primary_key=True)
    # datasketch changed its default permutation scheme in 2.0; signatures of two schemes
    # cannot be compared, so the scheme is stored beside each one.
    scheme: Mapped[str] = mapped_column(String(20))
    num_perm: Mapped[int] = mapped_column(Integer)
    signature: Mapped[bytes] = mapped_column(LargeBinary)


class ArticleBand(Base):
    """LSH bands of article signatures: articles sharing a band hash are candidate duplicates."""

    __tablename__ = "article_bands"
    # Hash first: a lookup asks for 25 hashes at once, each selective on its own.
    __table_args__ = (Index("ix_article_bands_lookup", "hash", "band"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)
    band: Mapped[int] = mapped_column(Integer)
    hash: Mapped[int] = mapped_column(BigInteger)


class HttpValidator(Base):
    """What a feed, sitemap or listing page last answered, for conditional GET next time."""

    __tablename__ = "http_validators"

    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    etag: Mapped[str | None] = mapped_column(Text)
    last_modified: Mapped[str | None] = mapped_column(Text)
    # sha256 of the body: a server that ignores validators still lets us skip unchanged pages.
    body_hash: Mapped[str | None] = mapped_column(String(64))
    status: Mapped[int | None] = mapped_column(Integer)
    checked_at: Mapped[datetime]
    changed_at: Mapped[datetime | None]


class ArticleAlias(Base):
    """Another URL of a stored article: the address we came by when the page's rel=canonical
    names a different one. Feeds keep listing that address; it must count as stored."""

    __tablename__ = "article_aliases"

    url: Mapped[str] = mapped_column(String(2000), primary_key=True)
    article_id: Mapped[int] = mapped_column(ForeignKey("articles.id"), index=True)


class CrawlTask(Base):
    """One "crawl source S now" handed to a Celery worker (distributed executor only).

    unsent (the broker did not take it yet) → queued → running → done | failed; a task whose
    store was down or whose source was busy waits as `retrying`. The coordinator reads this
    table to know which sources are in flight and when to detect; `newsmon status` shows it.
    """

    __tablename__ = "crawl_tasks"
    __table_args__ = (Index("ix_crawl_tasks_open", "status", "source"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    source: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="unsent")
    created_at: Mapped[datetime]
    # Last change of any kind: the coordinator sends a task again when it is untouched too long.
    updated_at: Mapped[datetime]
    enqueued_at: Mapped[datetime | None]
    started_at: Mapped[datetime | None]
    finished_at: Mapped[datetime | None]
    worker: Mapped[str | None] = mapped_column(String(200))
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    sends: Mapped[int] = mapped_column(Integer, default=0)
    crawl_run_id: Mapped[int | None] = mapped_column(ForeignKey("crawl_runs.id"))
    articles_new: Mapped[int] = mapped_column(Integer, default=0)
    # Set by the coordinator once it has run detection after this task finished.
    collected: Mapped[bool] = mapped_column(Boolean, default=False)
    error: Mapped[str | None] = mapped_column(Text)
