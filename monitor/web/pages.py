"""The HTML pages: login, events, this week, event, articles, sources, activity, review."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace
from datetime import date, timedelta
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, HTTPException, Request
from sqlalchemy.orm import Session
from starlette.datastructures import FormData
from starlette.responses import RedirectResponse, Response

from monitor.commands.status import collect
from monitor.store.models import Source
from monitor.web import charts, review
from monitor.web.auth import User, csrf_ok, verify_login
from monitor.web.context import lang_of, page_user, render, session_user, web_state
from monitor.web.detail import event_detail
from monitor.web.i18n import IST, LANGUAGES, translate
from monitor.web.queries import (
    LABELS,
    REVIEWS,
    STATUSES,
    EventQuery,
    NotFound,
    facets_and_total,
    list_events,
)
from monitor.web.search import newest_articles, search

log = logging.getLogger(__name__)
router = APIRouter(include_in_schema=False)
PageUser = Annotated[User, Depends(page_user)]


async def checked_form(request: Request) -> FormData:
    """The posted form, refused (403) without the session's CSRF token."""
    form = await request.form()
    if not csrf_ok(request.session, form.get("csrf")):
        raise HTTPException(status_code=403, detail="missing or invalid CSRF token")
    return form


Form = Annotated[FormData, Depends(checked_form)]


def _reviewer(user: User) -> None:
    if not user.can_review:
        raise HTTPException(status_code=403, detail=f"{user.name} is a viewer and cannot review")


def _safe_next(value: object) -> str:
    text = value if isinstance(value, str) else ""
    # Only paths on this site: "//host" and "/\host" would leave it.
    if not text.startswith("/") or text.startswith("//") or text.startswith("/\\"):
        return "/events"
    return text


def _see(url: str) -> RedirectResponse:
    return RedirectResponse(url, status_code=303)


def _today() -> Callable[[Request], date]:
    def today(request: Request) -> date:
        return web_state(request).clock().astimezone(IST).date()

    return today


@router.get("/login")
def login_page(request: Request, next: str = "/events") -> Response:
    return render(request, "login.html", {"next": _safe_next(next), "error": None}, user=None)


@router.post("/login")
async def login(request: Request, form: Form) -> Response:
    state = web_state(request)
    name = str(form.get("username", "")).strip()
    password = str(form.get("password", ""))
    address = request.client.host if request.client else "?"
    target = _safe_next(form.get("next"))
    lang = lang_of(request)
    if state.limiter.blocked(address, name):
        log.warning("login refused for %r from %s: too many failed attempts", name, address)
        message = translate(lang, "Too many attempts; try again later.")
        return render(
            request,
            "login.html",
            {"next": target, "error": message},
            user=None,
            status_code=429,
        )
    user = verify_login(state.users(), name, password)
    if user is None:
        state.limiter.failed(address, name)
        log.info("failed login for %r from %s", name, address)
        message = translate(lang, "Wrong user name or password.")
        return render(
            request, "login.html", {"next": target, "error": message}, user=None, status_code=401
        )
    state.limiter.succeeded(address, name)
    request.session.clear()
    request.session.update({"user": user.name, "lang": lang})
    return _see(target)


@router.post("/logout")
def logout(request: Request, form: Form) -> Response:
    request.session.clear()
    return _see("/login")


@router.post("/lang")
def set_language(request: Request, form: Form) -> Response:
    lang = str(form.get("lang", ""))
    if lang in LANGUAGES:
        request.session["lang"] = lang
    return _see(_safe_next(form.get("next")))


@router.get("/")
def home(user: PageUser) -> Response:
    return _see("/events")


def _query(request: Request) -> EventQuery:
    return EventQuery.from_params(request.query_params)


@router.get("/events")
def events_page(request: Request, user: PageUser) -> Response:
    state = web_state(request)
    query = _query(request)
    size = state.config.settings.web.page_size
    with state.store.session() as session:
        counted = facets_and_total(session, query, state.places)
        rows = list_events(session, query, state.places, limit=size, offset=(query.page - 1) * size)
        sources = sorted(session.scalars(_source_names()))
    pages = max(1, -(-counted.total // size))
    return render(
        request,
        "events.html",
        {
            "query": query,
            "rows": rows,
            "total": counted.total,
            "capped": counted.capped,
            "pages": pages,
            "facets": counted.facets,
            "states": state.places.states(),
            "sources": sources,
            "labels": LABELS,
            "statuses": STATUSES,
            "reviews": REVIEWS,
            "feed_query": urlencode(query.params(page=1)),
        },
        user=user,
    )


def _source_names() -> Any:
    from sqlalchemy import select

    return select(Source.name).order_by(Source.name)


@router.get("/week")
def week_page(request: Request, user: PageUser) -> Response:
    state = web_state(request)
    today = _today()(request)
    days = [today + timedelta(days=i) for i in range(7)]
    query = replace(
        _query(request),
        status="scheduled",
        date_from=days[0].isoformat(),
        date_to=days[-1].isoformat(),
        page=1,
    )
    with state.store.session() as session:
        rows = list_events(session, query, state.places, limit=1000)
    by_day = {d.isoformat(): [r for r in rows if r.event.date == d.isoformat()] for d in days}
    for day_rows in by_day.values():
        day_rows.sort(key=lambda r: (r.event.time or "99:99", r.event.id))
    return render(
        request,
        "week.html",
        {"days": days, "by_day": by_day, "feed_query": urlencode(query.params())},
        user=user,
    )


@router.get("/events/{event_id}")
def event_page(request: Request, event_id: int, user: PageUser) -> Response:
    state = web_state(request)
    with state.store.session() as session:
        detail = event_detail(session, event_id, state.places)
        merged_into = detail.review.merged_into_id if detail.review else None
    return render(
        request,
        "event.html",
        {
            "d": detail,
            "e": detail.row.event,
            "merged_into": merged_into,
            "correctable": review.CORRECTABLE,
        },
        user=user,
    )


def _review(
    request: Request, user: User, action: Callable[[Session], None], target: str
) -> Response:
    _reviewer(user)
    state = web_state(request)
    try:
        with state.store.session() as session:
            action(session)
    except review.ReviewError as exc:
        raise HTTPException(status_code=400, detail=str(exc)) from None
    return _see(target)


@router.post("/events/{event_id}/confirm")
def confirm(request: Request, event_id: int, user: PageUser, form: Form) -> Response:
    now = web_state(request).clock()
    return _review(
        request,
        user,
        lambda s: review.confirm(s, event_id, user.name, now),
        f"/events/{event_id}",
    )


@router.post("/events/{event_id}/false-positive")
def mark_false_positive(request: Request, event_id: int, user: PageUser, form: Form) -> Response:
    now = web_state(request).clock()
    reason = str(form.get("reason", ""))

    def act(session: Session) -> None:
        withdrawn = review.false_positive(session, event_id, user.name, reason, now)
        log.info(
            "event %d marked a false positive by %s; %d alerts withdrawn",
            event_id,
            user.name,
            withdrawn,
        )

    return _review(request, user, act, _safe_next(form.get("next")))


@router.post("/events/{event_id}/correct")
def correct(request: Request, event_id: int, user: PageUser, form: Form) -> Response:
    now = web_state(request).clock()
    field, value = str(form.get("field", "")), str(form.get("value", ""))
    return _review(
        request,
        user,
        lambda s: review.correct(s, event_id, field, value, user.name, now),
        f"/events/{event_id}",
    )


@router.post("/events/{event_id}/merge")
def merge(request: Request, event_id: int, user: PageUser, form: Form) -> Response:
    now = web_state(request).clock()
    raw = str(form.get("other", "")).strip().removeprefix("evt-")
    if not raw.isdigit():
        raise HTTPException(status_code=400, detail=f"other: {raw!r} is not an event number")
    other = int(raw)

    def act(session: Session) -> None:
        review.merge(session, event_id, other, user.name, now)

    return _review(request, user, act, f"/events/{event_id}")


@router.post("/events/{event_id}/move-out")
def move_out(request: Request, event_id: int, user: PageUser, form: Form) -> Response:
    now = web_state(request).clock()
    raw = str(form.get("detection", ""))
    if not raw.isdigit():
        raise HTTPException(status_code=400, detail=f"detection: {raw!r} is not a number")
    created: list[int] = []

    def act(session: Session) -> None:
        created.append(review.move_out(session, event_id, int(raw), user.name, now))

    response = _review(request, user, act, f"/events/{event_id}")
    return _see(f"/events/{created[0]}") if created else response


@router.get("/articles")
def articles_page(request: Request, user: PageUser, q: str = "", page: int = 1) -> Response:
    state = web_state(request)
    page = max(1, page)
    size = 20
    with state.store.session() as session:
        hits, total = search(session, q, limit=size, offset=(page - 1) * size) if q else ([], 0)
    return render(
        request,
        "articles.html",
        {"q": q, "hits": hits, "total": total, "page": page, "size": size},
        user=user,
    )


@router.get("/sources")
def sources_page(request: Request, user: PageUser) -> Response:
    state = web_state(request)
    configured = {s.name: s.enabled for s in state.config.sources}
    status = collect(state.store, configured)
    return render(request, "sources.html", {"status": status}, user=user)


@router.get("/sources/{name}")
def source_page(request: Request, name: str, user: PageUser) -> Response:
    state = web_state(request)
    configured = {s.name: s.enabled for s in state.config.sources}
    status = collect(state.store, configured)
    row = next((s for s in status["sources"] if s["name"] == name), None)
    if row is None:
        raise NotFound(f"no source {name!r}")
    with state.store.session() as session:
        articles = newest_articles(session, name)
    return render(request, "source.html", {"s": row, "articles": articles}, user=user)


@router.get("/activity")
def activity_page(request: Request, user: PageUser) -> Response:
    state = web_state(request)
    today = _today()(request)
    with state.store.session() as session:
        meetings = charts.weekly_by_party(session, state.places, "meeting", today)
        prep = charts.weekly_by_party(session, state.places, "election_prep", today)
        states = charts.by_state(session, state.places)
    return render(
        request,
        "activity.html",
        {"meetings": meetings, "prep": prep, "states": states},
        user=user,
    )


def current_or_none(request: Request) -> User | None:
    return session_user(request)
