"""Which alerts an event gets: the decision the detection step hands to the alert side.

Called inside the transaction that stored the detection, so the alert rows it writes commit
(or roll back) with the event they announce.

For each route the event matches, each of the route's channels gets, once, a "new" alert.
When a later report joins an event whose alert the channel already received, the route's
``updates`` setting decides: ``send`` queues an update naming the outlets that are new to the
channel, ``digest`` leaves it to the route's digest, ``silent`` drops it. While a channel's
alert is still waiting, it is rewritten to name every report instead.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from monitor.alerts.outbox import (
    delivered_urls,
    enqueue_one,
    refresh_pending,
    report_urls,
    update_kind_key,
)
from monitor.alerts.routing import matches, release_time, reports_of
from monitor.config.alerts import AlertsConfig, RouteConfig
from monitor.store.models import Alert, Article, Detection, Event
from monitor.store.review import withdrawn


@dataclass(frozen=True)
class AlertPolicy:
    routes: tuple[RouteConfig, ...]

    @classmethod
    def from_config(cls, config: AlertsConfig) -> AlertPolicy:
        return cls(routes=config.effective_routes())

    @classmethod
    def silent(cls) -> AlertPolicy:
        return cls(routes=())

    @property
    def channels(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(c for r in self.routes for c in r.channels))

    def on_event(
        self,
        session: Session,
        event: Event,
        *,
        created: bool,
        detection: Detection,
        article: Article,
        now: datetime,
    ) -> int:
        """Queue the alerts `event` needs now; returns how many rows were added."""
        session.flush()
        if withdrawn(session, event.id):
            # The desk marked it a false positive (or merged it away): later reports of it
            # are stored and grouped, but announce nothing.
            return 0
        if not created:
            refresh_pending(session, event, now=now)
        immediate = [r for r in self.routes if r.mode == "immediate"]
        if not immediate:
            return 0
        reports = reports_of(session, event)
        added = 0
        for route in immediate:
            if not matches(route, reports):
                continue
            for channel in route.channels:
                added += self._alert(session, event, route, channel, now)
        session.flush()
        return added

    def _alert(
        self, session: Session, event: Event, route: RouteConfig, channel: str, now: datetime
    ) -> int:
        rows = list(
            session.scalars(
                select(Alert).where(
                    Alert.event_id == event.id,
                    Alert.channel == channel,
                    Alert.kind.in_(("new", "update")),
                )
            )
        )
        due = release_time(route, now)
        if not any(a.kind == "new" for a in rows):
            added = enqueue_one(
                session, event, channel, kind="new", key="new", now=now, route=route.name, due=due
            )
            return 1 if added is not None else 0
        waiting = [a for a in rows if a.status == "pending"]
        if any(a.attempts == 0 for a in waiting) or route.updates != "send":
            # An alert not tried yet was just rewritten to name the new report; or this route
            # reports growth in its digest, or not at all.
            return 0
        urls = report_urls(session, event.id)
        if urls <= delivered_urls(session, event.id, channel):
            return 0  # e.g. a known article detected again: nothing new to tell
        if waiting:
            # Not before the retry of what it updates.
            due = max(due or now, *(a.next_attempt_at for a in waiting))
        newest = session.scalar(
            select(func.max(Detection.id)).where(Detection.event_id == event.id)
        )
        key = update_kind_key(int(newest or 0))
        added = enqueue_one(
            session, event, channel, kind="update", key=key, now=now, route=route.name, due=due
        )
        return 1 if added is not None else 0
