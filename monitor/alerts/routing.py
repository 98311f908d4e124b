"""Routing: which events a route takes, and when its alerts may go out.

A route looks at the reports of an event (each detection with its article and source); the
event matches when any one report passes every filter the route sets. Matching on reports, not
on the event alone, lets a later report in another language or from another state bring an
event into a route that the first report did not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.config.alerts import RouteConfig, clock_time
from monitor.store.models import Article, Detection, Event, Source


@dataclass(frozen=True)
class Report:
    """One detection of an event, reduced to what routes filter on."""

    detection_id: int
    labels: frozenset[str]
    parties: frozenset[str]  # case-folded
    regions: frozenset[str]  # case-folded: the source's state and the event's place
    source: str
    lang: str | None
    score: float
    created_at: datetime


def reports_of(session: Session, event: Event) -> list[Report]:
    rows = session.execute(
        select(Detection, Article, Source.region)
        .join(Article, Detection.article_id == Article.id)
        .outerjoin(Source, Source.name == Article.source)
        .where(Detection.event_id == event.id)
        .order_by(Detection.id)
    ).all()
    place = _fold(event.place)
    reports = []
    for detection, article, region in rows:
        labels = {
            label
            for flag, label in (
                (detection.meeting, "meeting"),
                (detection.election_prep, "election_prep"),
            )
            if flag
        }
        parties = {_fold(p) for p in detection.parties or []}
        if event.party:
            parties.add(_fold(event.party))
        reports.append(
            Report(
                detection_id=detection.id,
                labels=frozenset(labels),
                parties=frozenset(p for p in parties if p),
                regions=frozenset(r for r in (*map(_fold, region_states(region)), place) if r),
                source=article.source,
                lang=article.lang,
                score=detection.score,
                created_at=detection.created_at,
            )
        )
    return reports


def passes(route: RouteConfig, report: Report) -> bool:
    """Whether one report passes every filter of the route."""
    return (
        (not route.labels or bool(report.labels & set(route.labels)))
        and (not route.parties or bool(report.parties & _folded(route.parties)))
        and (not route.regions or bool(report.regions & _folded(route.regions)))
        and (not route.sources or report.source in route.sources)
        and (not route.languages or _fold(report.lang) in _folded(route.languages))
        and report.score >= route.min_score
    )


def matches(route: RouteConfig, reports: Iterable[Report]) -> bool:
    return any(passes(route, r) for r in reports)


def release_time(route: RouteConfig, now: datetime) -> datetime:
    """When an alert made at ``now`` may go out: ``now``, or the end of the route's quiet hours."""
    quiet = route.quiet_hours
    if quiet is None or quiet.start == quiet.end:
        return now
    local = now.astimezone(route.zone)
    start, end = clock_time(quiet.start), clock_time(quiet.end)
    moment = local.time().replace(tzinfo=None)
    if start < end:
        inside = start <= moment < end
        end_day = local.date()
    else:  # spans midnight: 22:00–07:00
        inside = moment >= start or moment < end
        end_day = local.date() + timedelta(days=1) if moment >= start else local.date()
    if not inside:
        return now
    # Built from the calendar day so a DST change in the route's zone lands on the wall clock.
    return datetime.combine(end_day, end, tzinfo=route.zone).astimezone(now.tzinfo)


def last_digest_time(route: RouteConfig, now: datetime) -> datetime:
    """The latest scheduled digest time (``digest_at`` in the route's zone) not after now."""
    local = now.astimezone(route.zone)
    at = clock_time(route.digest_at)
    today = datetime.combine(local.date(), at, tzinfo=route.zone)
    scheduled = (
        today
        if today <= local
        else datetime.combine(local.date() - timedelta(days=1), at, tzinfo=route.zone)
    )
    return scheduled.astimezone(now.tzinfo)


def _fold(value: str | None) -> str:
    return " ".join(value.split()).casefold() if value else ""


def region_states(region: str | None) -> list[str]:
    """A source's `region`: one state, or several separated by commas ("West Bengal, Jharkhand")."""
    return [part.strip() for part in (region or "").split(",") if part.strip()]


def _folded(values: Sequence[str]) -> set[str]:
    return {_fold(v) for v in values}
