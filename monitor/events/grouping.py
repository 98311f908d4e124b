"""Grouping detections into events: the reports of one real-world meeting become one event.

Reports of one meeting come from several outlets, in Hindi and English, in their own words, so
text similarity alone cannot join them. What they share is language-independent: the party,
the meeting's date (or publication dates close together), the place, the mode, the people, and
the numbers they quote. A detection joins the best-matching recent event of its party when
nothing contradicts and enough agrees; otherwise it starts a new event.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.store.models import Article, Detection, Event

# Reports of one meeting without a resolvable date appear within a couple of days.
PUBLISHED_WINDOW = dt.timedelta(days=2)
# How far back to look for an event to join.
LOOKBACK = timedelta(days=30)
# Evidence needed to join: e.g. the same date, or the same place and a shared person.
JOIN_SCORE = 3.0
# When only one side can be placed in time, a match must rest on more than place and people:
# a party meets in its state capital often, with the same leaders.
JOIN_SCORE_ONE_SIDED = 5.0

_MONTHS = {
    1: ("january", "jan", "जनवरी"),
    2: ("february", "feb", "फरवरी", "फ़रवरी"),
    3: ("march", "mar", "मार्च"),
    4: ("april", "apr", "अप्रैल", "अप्रेल"),
    5: ("may", "मई"),
    6: ("june", "jun", "जून"),
    7: ("july", "jul", "जुलाई"),
    8: ("august", "aug", "अगस्त"),
    9: ("september", "sept", "sep", "सितंबर", "सितम्बर"),
    10: ("october", "oct", "अक्टूबर", "अक्तूबर"),
    11: ("november", "nov", "नवंबर", "नवम्बर"),
    12: ("december", "dec", "दिसंबर", "दिसम्बर"),
}
_MONTH_OF = {name: number for number, names in _MONTHS.items() for name in names}
_MONTH = "|".join(sorted(map(re.escape, _MONTH_OF), key=len, reverse=True))
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})(?![a-z])")
_MONTH_DAY = re.compile(rf"(?<![a-z])({_MONTH})\.?\s+(\d{{1,2}})\b")

_NUMBER = re.compile(r"\d{2,}")
_DEVANAGARI_DIGITS = str.maketrans("०१२३४५६७८९", "0123456789")


@dataclass(frozen=True)
class Report:
    """What one detection says about its event, reduced to comparable facts."""

    parties: frozenset[str]
    date: dt.date | None
    published: dt.date | None
    place: str | None
    mode: str | None
    people: frozenset[str]
    numbers: frozenset[str]
    # (month, day) pairs the text mentions: "24 नवंबर" and "Nov 24" are the same day.
    days: frozenset[tuple[int, int]]

    @property
    def placed_in_time(self) -> bool:
        return self.date is not None or self.published is not None or bool(self.days)


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value[:10])
    except ValueError:
        return None


def _place(value: object) -> str | None:
    if not isinstance(value, str) or not value.strip():
        return None
    return unicodedata.normalize("NFC", value).casefold().strip()


def numbers(text: str) -> frozenset[str]:
    """Numbers of two or more digits (seats, counts, dates) in either script."""
    return frozenset(_NUMBER.findall(text.translate(_DEVANAGARI_DIGITS)))


def day_months(text: str) -> frozenset[tuple[int, int]]:
    """Day-and-month mentions in Hindi or English, without needing the year."""
    text = text.translate(_DEVANAGARI_DIGITS).casefold()
    found = {(_MONTH_OF[m], int(d)) for d, m in _DAY_MONTH.findall(text)}
    found |= {(_MONTH_OF[m], int(d)) for m, d in _MONTH_DAY.findall(text)}
    return frozenset((m, d) for m, d in found if 1 <= d <= 31)


def report_of(detection: Detection, article: Article) -> Report:
    fields = detection.fields or {}
    return Report(
        parties=frozenset(detection.parties or ()),
        date=_date(fields.get("date")),
        published=article.published.date() if article.published else None,
        place=_place(fields.get("place")),
        mode=fields.get("mode"),
        people=frozenset(detection.people or ()),
        numbers=numbers(f"{article.title} {article.text}"),
        days=day_months(f"{article.title} {article.text}"),
    )


def _same_place(a: str, b: str) -> bool:
    return a == b or a in b or b in a


def match_score(new: Report, old: list[Report]) -> float | None:
    """How strongly `new` belongs with the reports `old` of one event; None when it cannot."""
    if not old or not (new.parties & frozenset().union(*(r.parties for r in old))):
        return None
    score = 0.0
    compared = False
    for other in old:
        if new.mode and other.mode and new.mode != other.mode:
            return None
        if new.date and other.date:
            gap = abs((new.date - other.date).days)
            if gap > 1:
                return None
            # A two-day meeting, or a report dated by its second day, is still one event.
            score, compared = max(score, 3.0 if gap == 0 else 1.5), True
        elif new.published and other.published:
            if abs(new.published - other.published) > PUBLISHED_WINDOW:
                return None
            score, compared = max(score, 1.0), True
        if new.days & other.days:
            score, compared = max(score, 2.0), True
    places = [r.place for r in old if r.place]
    if new.place and places:
        score += 2.0 if any(_same_place(new.place, p) for p in places) else -2.0
    people = frozenset().union(*(r.people for r in old))
    if new.people & people:
        score += 2.0
    quoted = frozenset().union(*(r.numbers for r in old))
    if new.numbers and quoted:
        overlap = len(new.numbers & quoted) / len(new.numbers | quoted)
        score += 1.0 if overlap >= 0.3 else 0.0
    one_sided = not compared and (new.placed_in_time or any(r.placed_in_time for r in old))
    needed = JOIN_SCORE_ONE_SIDED if one_sided else JOIN_SCORE
    # Scaled so that callers compare every candidate against one threshold.
    return score * JOIN_SCORE / needed


def assign_event(
    session: Session,
    detection: Detection,
    article: Article,
    *,
    now: datetime,
    previous: int | None = None,
) -> tuple[Event, bool]:
    """Attach `detection` to the best matching event or a new one; returns (event, created).

    `previous` is the event of the article's earlier detection, when an edited article is
    detected again: an outlet revising its report does not make a new meeting, and had the
    article been the event's only report, no other report would be left to match it.
    """
    if previous is not None and (earlier := session.get(Event, previous)) is not None:
        detection.event = earlier
        _merge(earlier, detection, now)
        return earlier, False
    new = report_of(detection, article)
    best: tuple[float, Event] | None = None
    party = (detection.parties or [None])[0]
    if new.parties:
        for event in _candidates(session, new.parties, now):
            score = match_score(new, _reports(session, event, exclude=detection.id))
            if score is not None and score >= JOIN_SCORE and (best is None or score > best[0]):
                best = (score, event)
    if best is not None:
        event = best[1]
        detection.event = event
        _merge(event, detection, now)
        return event, False
    fields = detection.fields or {}
    event = Event(
        party=party,
        date=fields.get("date"),
        time=fields.get("time"),
        place=fields.get("place"),
        mode=fields.get("mode"),
        status=fields.get("status"),
        level=fields.get("level"),
        election=fields.get("election"),
        meeting=detection.meeting,
        election_prep=detection.election_prep,
        title=article.title,
        first_seen_at=now,
        updated_at=now,
    )
    session.add(event)
    detection.event = event
    session.flush()
    return event, True


def _candidates(session: Session, parties: frozenset[str], now: datetime) -> list[Event]:
    """Recent events any of whose reports names one of `parties`.

    Not only by `Event.party`, the first party of the first report: a joint meeting first
    reported as INC's is JMM's too.
    """
    rows = session.execute(
        select(Detection.event_id, Detection.parties)
        .join(Event, Detection.event_id == Event.id)
        .where(Event.updated_at >= now - LOOKBACK)
    ).all()
    ids = sorted({int(eid) for eid, named in rows if parties & frozenset(named or ())})
    if not ids:
        return []
    return list(session.scalars(select(Event).where(Event.id.in_(ids)).order_by(Event.id)))


def _reports(session: Session, event: Event, *, exclude: int | None) -> list[Report]:
    rows = session.execute(
        select(Detection, Article)
        .join(Article, Detection.article_id == Article.id)
        .where(Detection.event_id == event.id)
        .order_by(Detection.id)
    )
    return [report_of(d, a) for d, a in rows if exclude is None or d.id != exclude]


def _merge(event: Event, detection: Detection, now: datetime) -> None:
    """Fill what the event did not know yet from a later report."""
    fields = detection.fields or {}
    for name in ("date", "time", "place", "mode", "status", "level", "election"):
        if getattr(event, name) is None and fields.get(name) is not None:
            setattr(event, name, fields[name])
    event.meeting = event.meeting or detection.meeting
    event.election_prep = event.election_prep or detection.election_prep
    event.updated_at = now
