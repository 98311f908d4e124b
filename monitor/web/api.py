"""The read-only JSON API (`/api/v1`, OpenAPI at `/api/v1/openapi.json`) and the feeds.

Both take a session or an API token (`Authorization: Bearer …`); the feeds also take
`?token=…`, since calendar and feed readers cannot send headers.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel
from starlette.responses import Response

from monitor.commands.status import collect
from monitor.web import feeds
from monitor.web.auth import User
from monitor.web.context import reader, web_state
from monitor.web.detail import event_detail
from monitor.web.queries import TEXT_CAP, EventQuery, EventRow, count_events, list_events
from monitor.web.search import search

bearer = HTTPBearer(auto_error=False, description="An API token from `newsmon web add-token`")
Credentials = Annotated[HTTPAuthorizationCredentials | None, Depends(bearer)]


def api_user(request: Request, credentials: Credentials) -> User:
    return reader(request, credentials, query_token=False)


def feed_user(request: Request, credentials: Credentials) -> User:
    return reader(request, credentials, query_token=True)


ApiUser = Annotated[User, Depends(api_user)]
FeedUser = Annotated[User, Depends(feed_user)]
router = APIRouter(prefix="/api/v1", tags=["api"])
feeds_router = APIRouter(prefix="/feeds", include_in_schema=False)


class EventOut(BaseModel):
    id: int
    party: str | None
    title: str
    meeting: bool
    election_prep: bool
    date: str | None
    time: str | None
    place: str | None
    state: str | None
    mode: str | None
    status: str | None
    level: str | None
    election: str | None
    first_seen_at: datetime
    updated_at: datetime
    review: str | None
    reports: int
    sources: list[str]
    languages: list[str]


class EventsPage(BaseModel):
    total: int
    # With a text filter (q) counting stops past 1,000 matches: total is then 1,001.
    total_capped: bool = False
    page: int
    page_size: int
    events: list[EventOut]


class Evidence(BaseModel):
    sentence: str
    terms: list[str]


class ReportOut(BaseModel):
    detection_id: int
    article_id: int
    source: str
    lang: str | None
    title: str
    url: str
    published: datetime | None
    score: float
    meeting: bool
    election_prep: bool
    evidence: list[Evidence]


class AlertOut(BaseModel):
    id: int
    channel: str
    kind: str
    status: str
    attempts: int
    created_at: datetime
    sent_at: datetime | None
    last_error: str | None


class EventDetailOut(EventOut):
    people: list[str]
    merged_into: int | None
    reports_list: list[ReportOut]
    alerts: list[AlertOut]


class DetectionSummary(BaseModel):
    meeting: bool
    election_prep: bool
    score: float
    event_id: int | None


class ArticleOut(BaseModel):
    id: int
    source: str
    title: str
    url: str
    lang: str | None
    published: datetime | None
    snippet: str
    detection: DetectionSummary | None


class ArticlesPage(BaseModel):
    total: int
    total_capped: bool
    articles: list[ArticleOut]


class SourceOut(BaseModel):
    name: str
    enabled: bool
    configured: bool
    health: str
    consecutive_failures: int
    last_crawl_at: str | None
    last_success_at: str | None
    last_new_article_at: str | None
    next_crawl_at: str | None
    last_error: str | None


def event_out(row: EventRow) -> dict[str, Any]:
    e = row.event
    return {
        "id": e.id,
        "party": e.party,
        "title": e.title,
        "meeting": e.meeting,
        "election_prep": e.election_prep,
        "date": e.date,
        "time": e.time,
        "place": e.place,
        "state": row.state,
        "mode": e.mode,
        "status": e.status,
        "level": e.level,
        "election": e.election,
        "first_seen_at": e.first_seen_at,
        "updated_at": e.updated_at,
        "review": row.review,
        "reports": row.reports,
        "sources": list(row.sources),
        "languages": list(row.languages),
    }


@router.get("/events", response_model=EventsPage, summary="Events, filtered as on the page")
def api_events(
    request: Request,
    user: ApiUser,
    party: str = "",
    state: str = "",
    district: str = "",
    label: str = "",
    status: str = "",
    date_from: str = "",
    date_to: str = "",
    reported_from: str = "",
    reported_to: str = "",
    source: str = "",
    lang: str = "",
    q: str = "",
    review: str = "open",
    page: int = 1,
) -> dict[str, Any]:
    web = web_state(request)
    query = EventQuery.from_params(request.query_params)
    size = web.config.settings.web.page_size
    with web.store.session() as session:
        total = count_events(session, query, web.places)
        rows = list_events(session, query, web.places, limit=size, offset=(query.page - 1) * size)
        return {
            "total": total,
            "total_capped": total > TEXT_CAP,
            "page": query.page,
            "page_size": size,
            "events": [event_out(r) for r in rows],
        }


@router.get("/events/{event_id}", response_model=EventDetailOut, summary="One event")
def api_event(request: Request, event_id: int, user: ApiUser) -> dict[str, Any]:
    web = web_state(request)
    with web.store.session() as session:
        d = event_detail(session, event_id, web.places)
        return {
            **event_out(d.row),
            "people": d.people,
            "merged_into": d.review.merged_into_id if d.review else None,
            "reports_list": [
                {
                    "detection_id": r.detection.id,
                    "article_id": r.article.id,
                    "source": r.article.source,
                    "lang": r.article.lang,
                    "title": r.article.title,
                    "url": r.article.url,
                    "published": r.article.published,
                    "score": r.detection.score,
                    "meeting": r.detection.meeting,
                    "election_prep": r.detection.election_prep,
                    "evidence": r.detection.evidence or [],
                }
                for r in d.reports
            ],
            "alerts": [
                {
                    "id": a.alert.id,
                    "channel": a.alert.channel,
                    "kind": a.alert.kind,
                    "status": a.alert.status,
                    "attempts": a.alert.attempts,
                    "created_at": a.alert.created_at,
                    "sent_at": a.alert.sent_at,
                    "last_error": a.alert.last_error,
                }
                for a in d.alerts
            ],
        }


@router.get("/articles", response_model=ArticlesPage, summary="Full-text search of articles")
def api_articles(
    request: Request, user: ApiUser, q: str, limit: int = 20, offset: int = 0
) -> dict[str, Any]:
    from monitor.web.search import COUNT_CAP

    web = web_state(request)
    limit = max(1, min(limit, 100))
    with web.store.session() as session:
        hits, total = search(session, q, limit=limit, offset=max(0, offset))
        return {
            "total": total,
            "total_capped": total >= COUNT_CAP,
            "articles": [
                {
                    "id": h.article.id,
                    "source": h.article.source,
                    "title": h.article.title,
                    "url": h.article.url,
                    "lang": h.article.lang,
                    "published": h.article.published,
                    "snippet": h.snippet,
                    "detection": {
                        "meeting": h.detection.meeting,
                        "election_prep": h.detection.election_prep,
                        "score": h.detection.score,
                        "event_id": h.detection.event_id,
                    }
                    if h.detection
                    else None,
                }
                for h in hits
            ],
        }


@router.get("/sources", response_model=list[SourceOut], summary="Source health")
def api_sources(request: Request, user: ApiUser) -> list[dict[str, Any]]:
    web = web_state(request)
    configured = {s.name: s.enabled for s in web.config.sources}
    sources: list[dict[str, Any]] = collect(web.store, configured)["sources"]
    return sources


@router.get("/openapi.json", include_in_schema=False)
def openapi_schema(request: Request, user: ApiUser) -> dict[str, Any]:
    schema: dict[str, Any] = request.app.openapi()
    return schema


def _base(request: Request) -> str:
    configured = web_state(request).config.settings.web.base_url
    return (configured or str(request.base_url)).rstrip("/")


def _feed_rows(request: Request, query: EventQuery, limit: int) -> list[EventRow]:
    web = web_state(request)
    with web.store.session() as session:
        return list_events(session, query, web.places, limit=limit)


@feeds_router.get("/events.atom")
def atom_feed(request: Request, user: FeedUser) -> Response:
    query = EventQuery.from_params(request.query_params)
    size = web_state(request).config.settings.web.page_size
    rows = _feed_rows(request, query, size)
    base = _base(request)
    params = urlencode(query.params())
    body = feeds.atom(
        rows,
        feed_url=f"{base}/feeds/events.atom" + (f"?{params}" if params else ""),
        page_url=f"{base}/events" + (f"?{params}" if params else ""),
        base=base,
        now=web_state(request).clock(),
    )
    return Response(body, media_type="application/atom+xml; charset=utf-8")


@feeds_router.get("/meetings.ics")
def calendar_feed(request: Request, user: FeedUser) -> Response:
    query = replace(EventQuery.from_params(request.query_params), status="scheduled", page=1)
    rows = _feed_rows(request, query, 1000)
    body = feeds.icalendar(rows, base=_base(request), now=web_state(request).clock())
    return Response(body, media_type="text/calendar; charset=utf-8")
