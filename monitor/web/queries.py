"""The events the page, the feeds and the API list: one filter, read from query parameters.

Every filter is a query parameter, so a view can be bookmarked, shared, and asked for again as
an Atom feed or an iCalendar file with the same parameters.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Select, and_, exists, func, or_, select
from sqlalchemy.orm import Session

from monitor.detect.lexicon import Lexicon
from monitor.store.models import Article, Detection, Event, Source
from monitor.store.review import CONFIRMED, WITHDRAWN, EventReview

LABELS = ("meeting", "election_prep")
STATUSES = ("held", "scheduled")
MODES = ("online", "in_person")
REVIEWS = ("open", "all", "unreviewed", "confirmed", "false_positive", "merged")


class BadFilter(ValueError):
    """A query parameter that cannot be used; the message names it."""


class NotFound(LookupError):
    """No such event, report or source; the message names it."""


@dataclass(frozen=True)
class EventQuery:
    party: str = ""
    state: str = ""
    district: str = ""
    label: str = ""
    status: str = ""
    date_from: str = ""
    date_to: str = ""
    reported_from: str = ""
    reported_to: str = ""
    source: str = ""
    lang: str = ""
    q: str = ""
    # open: everything not marked a false positive nor merged away.
    review: str = "open"
    page: int = 1

    @classmethod
    def from_params(cls, params: Mapping[str, str]) -> EventQuery:
        values: dict[str, Any] = {}
        for f in fields(cls):
            raw = params.get(f.name)
            if raw is None or raw.strip() == "":
                continue
            values[f.name] = raw.strip()[:200]
        query = cls(**{k: v for k, v in values.items() if k != "page"})
        if "page" in values:
            try:
                page = int(values["page"])
            except ValueError:
                raise BadFilter(f"page: not a number: {values['page']!r}") from None
            if page < 1:
                raise BadFilter("page: must be 1 or more")
            query = replace(query, page=page)
        query.check()
        return query

    def check(self) -> None:
        for name, allowed in (
            ("label", LABELS),
            ("status", STATUSES),
            ("review", REVIEWS),
        ):
            value = getattr(self, name)
            if value and value not in allowed:
                raise BadFilter(f"{name}: {value!r} is not one of {', '.join(allowed)}")
        for name in ("date_from", "date_to", "reported_from", "reported_to"):
            value = getattr(self, name)
            if value:
                try:
                    date.fromisoformat(value)
                except ValueError:
                    raise BadFilter(f"{name}: {value!r} is not a date (YYYY-MM-DD)") from None

    def params(self, **changes: Any) -> dict[str, str]:
        """The non-default parameters of this query (with `changes`), for links."""
        query = replace(self, **changes)
        default = EventQuery()
        return {
            f.name: str(getattr(query, f.name))
            for f in fields(query)
            if getattr(query, f.name) != getattr(default, f.name)
        }

    def url(self, path: str, **changes: Any) -> str:
        params = self.params(**changes)
        return path + ("?" + urlencode(params) if params else "")


@dataclass(frozen=True)
class Places:
    """Which place names lie in which state, from the detector's gazetteer."""

    by_state: dict[str, tuple[str, ...]]
    state_of: dict[str, str]

    @classmethod
    def from_lexicon(cls, lexicon: Lexicon) -> Places:
        by_state: dict[str, list[str]] = {}
        for place, state in lexicon.places.items():
            by_state.setdefault(state.casefold(), []).append(place)
        return cls({k: tuple(v) for k, v in by_state.items()}, dict(lexicon.places))

    def states(self) -> list[str]:
        return sorted(set(self.state_of.values()))


def _like(value: str) -> str:
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def _reports(*conditions: ColumnElement[bool]) -> ColumnElement[bool]:
    """Some report of the event meets `conditions`."""
    return exists(
        select(Detection.id)
        .join(Article, Article.id == Detection.article_id)
        .where(Detection.event_id == Event.id, *conditions)
    )


def _day_start(value: str) -> datetime:
    from monitor.web.i18n import IST

    return datetime.combine(date.fromisoformat(value), datetime.min.time(), IST)


def _text_reports(q: str, dialect: str) -> Select[int | None]:
    """Events with a report whose full text has every word of `q` (the full-text index)."""
    from monitor.web.search import fulltext_ids

    return select(Detection.event_id).where(
        Detection.event_id.is_not(None), Detection.article_id.in_(fulltext_ids(q, dialect))
    )


def conditions(
    query: EventQuery, places: Places, *, skip: str = "", dialect: str = "sqlite"
) -> list[ColumnElement[bool]]:
    """The SQL conditions of `query`, without the one named `skip` (for its facet counts)."""
    out: list[ColumnElement[bool]] = []
    if query.party and skip != "party":
        out.append(func.upper(Event.party) == query.party.upper())
    if query.status and skip != "status":
        out.append(Event.status == query.status)
    if query.label and skip != "label":
        out.append(getattr(Event, query.label).is_(True))
    if query.date_from:
        out.append(Event.date >= query.date_from)
    if query.date_to:
        out.append(Event.date <= query.date_to)
    if query.district:
        out.append(Event.place.ilike(_like(query.district), escape="\\"))
    if query.state:
        named = places.by_state.get(query.state.casefold(), ())
        # An uncorrelated IN: computed once per query, not once per event as an EXISTS
        # under OR would be.
        regions = Event.id.in_(
            select(Detection.event_id)
            .join(Article, Article.id == Detection.article_id)
            .join(Source, Source.name == Article.source)
            .where(
                Detection.event_id.is_not(None),
                Source.region.ilike(_like(query.state), escape="\\"),
            )
        )
        out.append(
            or_(
                Event.place.in_(named) if named else Event.place.ilike(_like(query.state)),
                regions,
            )
        )
    reported = func.coalesce(Article.published, Article.fetched_at)
    report_conditions: list[ColumnElement[bool]] = []
    if query.reported_from:
        report_conditions.append(reported >= _day_start(query.reported_from))
    if query.reported_to:
        end = date.fromordinal(date.fromisoformat(query.reported_to).toordinal() + 1)
        report_conditions.append(reported < _day_start(end.isoformat()))
    if query.source and skip != "source":
        report_conditions.append(Article.source == query.source)
    if query.lang and skip != "lang":
        report_conditions.append(Article.lang == query.lang)
    if report_conditions:
        out.append(_reports(*report_conditions))
    if query.q:
        pattern = _like(query.q)
        out.append(
            or_(
                Event.title.ilike(pattern, escape="\\"),
                Event.place.ilike(pattern, escape="\\"),
                Event.id.in_(_text_reports(query.q, dialect)),
            )
        )
    if skip != "review":
        out.append(_review_condition(query.review))
    return out


def _review_condition(review: str) -> ColumnElement[bool]:
    def state_is(*states: str) -> ColumnElement[bool]:
        return exists(
            select(EventReview.event_id).where(
                EventReview.event_id == Event.id, EventReview.state.in_(states)
            )
        )

    if review == "all":
        return and_(True)
    if review == "unreviewed":
        return ~exists(select(EventReview.event_id).where(EventReview.event_id == Event.id))
    if review in ("confirmed", "false_positive", "merged"):
        return state_is(review)
    return ~state_is(*WITHDRAWN)


@dataclass(frozen=True)
class EventRow:
    event: Event
    review: str | None
    reports: int
    sources: tuple[str, ...]
    languages: tuple[str, ...]
    state: str | None
    newest_report: datetime | None


FACET_CAP = 5000


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def count_where(session: Session, where: list[ColumnElement[bool]], *, cap: int) -> int:
    """How many events meet `where`, counting no further than `cap`."""
    capped = select(Event.id).where(*where).limit(cap).subquery()
    return int(session.scalar(select(func.count()).select_from(capped)) or 0)


def count_events(session: Session, query: EventQuery, places: Places) -> int:
    return int(
        session.scalar(
            select(func.count(Event.id)).where(
                *conditions(query, places, dialect=_dialect(session))
            )
        )
        or 0
    )


def list_events(
    session: Session, query: EventQuery, places: Places, *, limit: int, offset: int = 0
) -> list[EventRow]:
    events = list(
        session.scalars(
            select(Event)
            .where(*conditions(query, places, dialect=_dialect(session)))
            .order_by(Event.first_seen_at.desc(), Event.id.desc())
            .limit(limit)
            .offset(offset)
        )
    )
    return describe(session, events, places)


def describe(session: Session, events: Sequence[Event], places: Places) -> list[EventRow]:
    """Each event with its review state and a summary of its reports (three queries)."""
    ids = [e.id for e in events]
    if not ids:
        return []
    reviews = dict(
        session.execute(
            select(EventReview.event_id, EventReview.state).where(EventReview.event_id.in_(ids))
        ).all()
    )
    reports: dict[int, list[tuple[str, str | None, datetime | None, str | None]]] = {}
    for event_id, source, lang, published, region in session.execute(
        select(
            Detection.event_id,
            Article.source,
            Article.lang,
            func.coalesce(Article.published, Article.fetched_at),
            Source.region,
        )
        .join(Article, Article.id == Detection.article_id)
        .outerjoin(Source, Source.name == Article.source)
        .where(Detection.event_id.in_(ids))
    ):
        if event_id is not None:
            reports.setdefault(event_id, []).append((source, lang, published, region))
    rows = []
    for event in events:
        mine = reports.get(event.id, [])
        regions = sorted({r for *_, r in mine if r})
        state = places.state_of.get(event.place or "") or (regions[0] if regions else None)
        rows.append(
            EventRow(
                event=event,
                review=reviews.get(event.id),
                reports=len(mine),
                sources=tuple(sorted({s for s, *_ in mine})),
                languages=tuple(sorted({lang for _, lang, *_ in mine if lang})),
                state=state,
                newest_report=max((p for _, _, p, _ in mine if p), default=None),
            )
        )
    return rows


def facets(session: Session, query: EventQuery, places: Places) -> dict[str, list[tuple[str, int]]]:
    """How many events each value of a filter would give, the other filters kept."""
    out: dict[str, list[tuple[str, int]]] = {}
    party = session.execute(
        select(Event.party, func.count(Event.id))
        .where(*conditions(query, places, skip="party", dialect=_dialect(session)))
        .group_by(Event.party)
        .order_by(func.count(Event.id).desc())
    ).all()
    out["party"] = [(p or "", int(n)) for p, n in party if p]
    status = session.execute(
        select(Event.status, func.count(Event.id))
        .where(*conditions(query, places, skip="status", dialect=_dialect(session)))
        .group_by(Event.status)
    ).all()
    out["status"] = [(s, int(n)) for s, n in status if s in STATUSES]
    label_where = conditions(query, places, skip="label", dialect=_dialect(session))
    out["label"] = [
        (
            name,
            int(
                session.scalar(
                    select(func.count(Event.id)).where(*label_where, getattr(Event, name).is_(True))
                )
                or 0
            ),
        )
        for name in LABELS
    ]
    for name, column in (("source", Article.source), ("lang", Article.lang)):
        # These count across every report of every matching event; past FACET_CAP events
        # that costs more than the counts tell, and the choices are shown without them.
        where = conditions(query, places, skip=name, dialect=_dialect(session))
        if count_where(session, where, cap=FACET_CAP) >= FACET_CAP:
            out[name] = []
            continue
        matching = select(Event.id).where(*where).subquery()
        counted = session.execute(
            select(column, func.count(func.distinct(Detection.event_id)))
            .join(Article, Article.id == Detection.article_id)
            .where(Detection.event_id.in_(select(matching.c.id)))
            .group_by(column)
            .order_by(func.count(func.distinct(Detection.event_id)).desc())
        ).all()
        out[name] = [(v, int(n)) for v, n in counted if v]
    reviewed = session.execute(
        select(EventReview.state, func.count())
        .join(Event, Event.id == EventReview.event_id)
        .where(*conditions(query, places, skip="review", dialect=_dialect(session)))
        .group_by(EventReview.state)
    ).all()
    out["review"] = [(s, int(n)) for s, n in reviewed]
    return out


def is_confirmed(review: str | None) -> bool:
    return review == CONFIRMED
