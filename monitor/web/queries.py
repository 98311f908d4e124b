"""The events the page, the feeds and the API list: one filter, read from query parameters.

Every filter is a query parameter, so a view can be bookmarked, shared, and asked for again as
an Atom feed or an iCalendar file with the same parameters.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, fields, replace
from datetime import date, datetime
from typing import Any, cast
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, Select, and_, case, exists, func, literal, or_, select
from sqlalchemy.orm import Session

from monitor.detect.lexicon import Lexicon
from monitor.events.summary import unpacked
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


def _has(column: Any, value: str) -> ColumnElement[bool]:
    """`column` holds a packed set (`monitor.events.summary.packed`) with `value` in it."""
    escaped = value.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return cast(ColumnElement[bool], column.like(f"%|{escaped}|%", escape="\\"))


def state_sources(session: Session, state: str) -> tuple[str, ...]:
    """The outlets whose region is `state`: an event reported by one of them lies there."""
    if not state:
        return ()
    key = ("state_sources", state)
    if key not in session.info:  # once per request, however many statements use it
        session.info[key] = tuple(
            session.scalars(
                select(Source.name)
                .where(Source.region.ilike(_like(state), escape="\\"))
                .order_by(Source.name)
            )
        )
    found: tuple[str, ...] = session.info[key]
    return found


# The filters the events page counts each choice of (`facets`).
FACETED = frozenset({"party", "status", "label", "source", "lang", "review"})


def conditions(
    query: EventQuery,
    places: Places,
    *,
    skip: str | frozenset[str] = "",
    dialect: str = "sqlite",
    in_state: Sequence[str] = (),
) -> list[ColumnElement[bool]]:
    """The SQL conditions of `query`, without those named in `skip` (for facet counts).

    `in_state` are the outlets of the state filter's region (`state_sources`), looked up once
    per request rather than joined for every event.
    """
    skipped = {skip} if isinstance(skip, str) else skip
    out: list[ColumnElement[bool]] = []
    if query.party and "party" not in skipped:
        out.append(func.upper(Event.party) == query.party.upper())
    if query.status and "status" not in skipped:
        out.append(Event.status == query.status)
    if query.label and "label" not in skipped:
        out.append(getattr(Event, query.label).is_(True))
    if query.date_from:
        out.append(Event.date >= query.date_from)
    if query.date_to:
        out.append(Event.date <= query.date_to)
    if query.district:
        out.append(Event.place.ilike(_like(query.district), escape="\\"))
    if query.state:
        named = places.by_state.get(query.state.casefold(), ())
        out.append(
            or_(
                Event.place.in_(named) if named else Event.place.ilike(_like(query.state)),
                *(_has(Event.report_sources, name) for name in in_state),
            )
        )
    if query.source and "source" not in skipped:
        out.append(_has(Event.report_sources, query.source))
    if query.lang and "lang" not in skipped:
        out.append(_has(Event.report_langs, query.lang))
    reported = func.coalesce(Article.published, Article.fetched_at)
    report_conditions: list[ColumnElement[bool]] = []
    if query.reported_from:
        report_conditions.append(reported >= _day_start(query.reported_from))
    if query.reported_to:
        end = date.fromordinal(date.fromisoformat(query.reported_to).toordinal() + 1)
        report_conditions.append(reported < _day_start(end.isoformat()))
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
    if "review" not in skipped:
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


def where(
    session: Session, query: EventQuery, places: Places, *, skip: str | frozenset[str] = ""
) -> list[ColumnElement[bool]]:
    """`conditions` of `query`, with the store looked up for what they need."""
    return conditions(
        query,
        places,
        skip=skip,
        dialect=_dialect(session),
        in_state=state_sources(session, query.state),
    )


def count_where(session: Session, where: list[ColumnElement[bool]], *, cap: int) -> int:
    """How many events meet `where`, counting no further than `cap`."""
    capped = select(Event.id).where(*where).limit(cap).subquery()
    return int(session.scalar(select(func.count()).select_from(capped)) or 0)


def count_events(session: Session, query: EventQuery, places: Places) -> int:
    """How many events match `query`; with a text filter, no more than TEXT_CAP + 1."""
    if query.q:
        return count_where(session, where(session, query, places), cap=TEXT_CAP + 1)
    return int(
        session.scalar(select(func.count(Event.id)).where(*where(session, query, places))) or 0
    )


def list_events(
    session: Session, query: EventQuery, places: Places, *, limit: int, offset: int = 0
) -> list[EventRow]:
    events = list(
        session.scalars(
            select(Event)
            .where(*where(session, query, places))
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


@dataclass(frozen=True)
class _Group:
    """Events alike in every faceted column, and how many."""

    party: str | None
    status: str | None
    meeting: bool
    election_prep: bool
    langs: str
    review: str | None
    n: int
    # How many of them the outlet filter keeps (all without one). A count beside the group
    # keys, not a key: PostgreSQL cannot tell how few values a key expression takes and,
    # expecting one group per event, sorted them all on disk.
    n_in_source: int


def _review_ok(review: str, state: str | None) -> bool:
    if review == "all":
        return True
    if review == "unreviewed":
        return state is None
    if review in ("confirmed", "false_positive", "merged"):
        return state == review
    return state not in WITHDRAWN


def _meets(query: EventQuery, group: _Group, skip: str) -> int:
    """How many events of `group` meet the faceted filters of `query`, but the one `skip`."""
    meets = (
        (skip == "party" or not query.party or (group.party or "").upper() == query.party.upper())
        and (skip == "status" or not query.status or group.status == query.status)
        and (skip == "label" or not query.label or bool(getattr(group, query.label)))
        and (skip == "lang" or not query.lang or query.lang in unpacked(group.langs))
        and (skip == "review" or _review_ok(query.review, group.review))
    )
    if not meets:
        return 0
    return group.n if skip == "source" or not query.source else group.n_in_source


def _counted(pairs: Counter[str]) -> list[tuple[str, int]]:
    return sorted(((v, n) for v, n in pairs.items() if n > 0), key=lambda p: (-p[1], p[0]))


@dataclass(frozen=True)
class Counts:
    """How many events match (`total`), and how many each value of a filter would give with
    the other filters kept (`facets`). `capped`: the text filter matched more than
    TEXT_CAP events; `total` is then TEXT_CAP and the facets list choices without counts."""

    total: int
    facets: dict[str, list[tuple[str, int]]]
    capped: bool = False


# Matching free text costs a test of every event's title and reports; past this many matches
# the events page and the API stop counting.
TEXT_CAP = 1000


def facets_and_total(session: Session, query: EventQuery, places: Places) -> Counts:
    """The total and facet counts of `query`: one grouped query over the events for all but
    the outlets' counts."""
    common = where(session, query, places, skip=FACETED)
    in_source = (
        case((_has(Event.report_sources, query.source), 1), else_=0) if query.source else literal(1)
    )
    keys = (
        Event.party,
        Event.status,
        Event.meeting,
        Event.election_prep,
        Event.report_langs,
        EventReview.state,
    )
    inner = (
        select(*(k.label(f"k{i}") for i, k in enumerate(keys)), in_source.label("in_source"))
        .select_from(Event)
        .outerjoin(EventReview, EventReview.event_id == Event.id)
        .where(*common)
    )
    if query.q:
        inner = inner.limit(TEXT_CAP + 1)
    sample = inner.subquery()
    grouped = [c for c in sample.c if c.name != "in_source"]
    rows: list[Any] = list(
        session.execute(
            select(*grouped, func.count(), func.sum(sample.c.in_source)).group_by(*grouped)
        )
    )
    groups = [
        _Group(p, st, bool(m), bool(e), langs or "", r, int(n), int(n_in or 0))
        for p, st, m, e, langs, r, n, n_in in rows
    ]
    if query.q and sum(g.n for g in groups) > TEXT_CAP:
        total = count_where(session, where(session, query, places), cap=TEXT_CAP + 1)
        if total > TEXT_CAP:
            return Counts(TEXT_CAP, _choices(groups), capped=True)
    total = sum(_meets(query, g, "") for g in groups)
    tally: dict[str, Counter[str]] = {name: Counter() for name in FACETED}
    for g in groups:
        if g.party:
            tally["party"][g.party] += _meets(query, g, "party")
        if g.status in STATUSES:
            tally["status"][g.status or ""] += _meets(query, g, "status")
        for name in LABELS:
            if getattr(g, name):
                tally["label"][name] += _meets(query, g, "label")
        for lang in unpacked(g.langs):
            tally["lang"][lang] += _meets(query, g, "lang")
        if g.review:
            tally["review"][g.review] += _meets(query, g, "review")
    out = {name: _counted(tally[name]) for name in FACETED - {"label", "source"}}
    out["label"] = [(name, tally["label"][name]) for name in LABELS]
    # An event has one party and one status but several outlets, whose counts overlap; the
    # outlets of more than FACET_CAP events take a second query that costs more than the
    # counts tell, and the choices are shown without them.
    sources: Counter[str] = Counter()
    if sum(_meets(query, g, "source") for g in groups) < FACET_CAP:
        for packed_sources, n in session.execute(
            select(Event.report_sources, func.count())
            .where(*where(session, query, places, skip="source"))
            .group_by(Event.report_sources)
        ):
            for name in unpacked(packed_sources):
                sources[name] += int(n)
    out["source"] = _counted(sources)
    return Counts(total, out)


def _choices(groups: list[_Group]) -> dict[str, list[tuple[str, int]]]:
    """The values seen in `groups`, each with a count of 0 (not shown)."""
    seen: dict[str, set[str]] = {name: set() for name in FACETED}
    for g in groups:
        seen["party"].add(g.party or "")
        seen["status"].add(g.status or "")
        seen["lang"].update(unpacked(g.langs))
    out = {name: [(v, 0) for v in sorted(values) if v] for name, values in seen.items()}
    out["status"] = [(v, 0) for v, _ in out["status"] if v in STATUSES]
    out["label"] = [(name, 0) for name in LABELS]
    out["review"] = []
    return out


def facets(session: Session, query: EventQuery, places: Places) -> dict[str, list[tuple[str, int]]]:
    """How many events each value of a filter would give, the other filters kept."""
    return facets_and_total(session, query, places).facets


def is_confirmed(review: str | None) -> bool:
    return review == CONFIRMED
