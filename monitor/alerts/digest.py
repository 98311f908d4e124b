"""Scheduled digests: one message per route and channel, each day at the route's ``digest_at``.

:func:`due_digests` is safe to call as often as one likes (the daemon calls it before every
dispatch): a digest's idempotency key is its route, channel and local day, so each is queued
once, and the dispatcher then delivers it like any other alert. A digest covers the time since
the route's previous digest (at most a week after a long stop), so a daemon that was down at
08:00 sends the day's digest when it comes back and nothing is left out.
"""

from __future__ import annotations

import logging
from collections import Counter
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.alerts.digest_message import DigestItem, DigestMessage
from monitor.alerts.outbox import build_message, delivered_urls, iso_utc
from monitor.alerts.routing import last_digest_time, matches, reports_of
from monitor.config.alerts import AlertsConfig, RouteConfig
from monitor.store import Store
from monitor.store.models import Alert, Article, Detection, Event, Source
from monitor.store.review import withdrawn

log = logging.getLogger(__name__)

FIRST_PERIOD = timedelta(days=1)
LONGEST_PERIOD = timedelta(days=7)


def digest_key(route: str, channel: str, day: str) -> str:
    return f"newsmon:digest-{route}:{channel}:{day}"


def due_digests(store: Store, config: AlertsConfig, now: datetime | None = None) -> int:
    """Queue every digest whose time has come and that is not queued yet; returns how many."""
    now = now or store.clock()
    queued = 0
    for route in config.routes:
        if not route.has_digest:
            continue
        end = last_digest_time(route, now)
        with store.session() as session:
            for channel in route.channels:
                queued += queue_digest(session, route, channel, end=end, now=now)
    return queued


def queue_digest(
    session: Session, route: RouteConfig, channel: str, *, end: datetime, now: datetime
) -> int:
    day = end.astimezone(route.zone).date().isoformat()
    key = digest_key(route.name, channel, day)
    if session.scalar(select(Alert.id).where(Alert.idempotency_key == key)) is not None:
        return 0
    start = period_start(session, route, channel, end)
    items = digest_items(session, route, channel, start=start, end=end, now=now)
    if not items:
        return 0  # nobody wants an empty digest; the next period starts where this one did
    langs = Counter(i.lang for i in items if i.lang)
    message = DigestMessage(
        alert_id=key,
        route=route.name,
        period_start=iso_utc(start),
        period_end=iso_utc(end),
        timezone=route.timezone,
        lang=langs.most_common(1)[0][0] if langs else None,
        items=tuple(items),
        created_at=iso_utc(now),
    )
    session.add(
        Alert(
            event_id=None,
            channel=channel,
            kind="digest",
            route=route.name,
            idempotency_key=key,
            payload=message.to_payload(),
            status="pending",
            attempts=0,
            next_attempt_at=now,
            created_at=now,
        )
    )
    log.info("digest %s queued with %d events", key, len(items))
    return 1


def period_start(session: Session, route: RouteConfig, channel: str, end: datetime) -> datetime:
    """Where the previous digest of this route and channel ended (within reason)."""
    previous = session.scalar(
        select(Alert.payload)
        .where(Alert.kind == "digest", Alert.route == route.name, Alert.channel == channel)
        .order_by(Alert.id.desc())
        .limit(1)
    )
    if previous is None:
        return end - FIRST_PERIOD
    try:
        last_end = datetime.fromisoformat(str(previous["period"]["end"]).replace("Z", "+00:00"))
    except (KeyError, TypeError, ValueError):
        return end - FIRST_PERIOD
    if last_end >= end:
        return end - FIRST_PERIOD
    return max(last_end, end - LONGEST_PERIOD)


def digest_items(
    session: Session,
    route: RouteConfig,
    channel: str,
    *,
    start: datetime,
    end: datetime,
    now: datetime,
) -> list[DigestItem]:
    """The route's events with a report in [start, end), oldest event first.

    A digest route lists every such event. A route that sends at once and leaves updates to
    the digest lists only the events this channel was alerted about and has reports it has not
    been told about.
    """
    active = session.execute(
        select(Detection.event_id, Article.url)
        .join(Article, Detection.article_id == Article.id)
        .where(
            Detection.event_id.is_not(None),
            Detection.created_at >= start,
            Detection.created_at < end,
        )
    ).all()
    new_urls: dict[int, set[str]] = {}
    for event_id, url in active:
        if event_id is not None:
            new_urls.setdefault(event_id, set()).add(url)
    items = []
    for event_id in sorted(new_urls):
        event = session.get(Event, event_id)
        if event is None or not matches(route, reports_of(session, event)):
            continue
        if withdrawn(session, event_id):
            continue  # the desk marked it a false positive or merged it away
        if route.mode != "digest":
            told = delivered_urls(session, event_id, channel)
            # Not told at all: the alert still waiting will name every report when it goes.
            if not told or new_urls[event_id] <= told:
                continue
        items.append(_item(session, event, start=start, now=now))
    return items


def _item(session: Session, event: Event, *, start: datetime, now: datetime) -> DigestItem:
    message = build_message(session, event, alert_id=f"evt-{event.id}", kind="new", now=now)
    region = session.scalar(
        select(Source.region)
        .join(Article, Article.source == Source.name)
        .join(Detection, Detection.article_id == Article.id)
        .where(Detection.event_id == event.id, Source.region.is_not(None))
        .order_by(Detection.id)
        .limit(1)
    )
    return DigestItem(
        event_id=message.event_id,
        region=region,
        party=event.party or (message.parties[0] if message.parties else None),
        change="new" if event.first_seen_at >= start else "update",
        title=message.title,
        summary=message.summary,
        lang=message.lang,
        details=message.details,
        evidence=message.evidence[0][0] if message.evidence else None,
        sources=message.sources,
    )
