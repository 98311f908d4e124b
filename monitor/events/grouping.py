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
from typing import Any

from sqlalchemy import ColumnElement, and_, select, true, union
from sqlalchemy.orm import Session

from crawler.calendar_text import DEVANAGARI_DIGITS, MONTHS, month_alternation
from monitor.detect.model import EventFields
from monitor.events.summary import add_report
from monitor.store.models import EVENT_COLUMNS, Article, Detection, Event, ReportKey

# Reports of one meeting without a resolvable date appear within a couple of days.
PUBLISHED_WINDOW = dt.timedelta(days=2)
# A two-day meeting, or a report dated by its second day, is still one event.
DATE_GAP = dt.timedelta(days=1)
# Reports of a meeting of several days that both name its days may date it up to this far apart.
SPAN_GAP = dt.timedelta(days=3)
# How far back to look for an event to join.
LOOKBACK = timedelta(days=30)
# Evidence needed to join: e.g. the same date, or the same place and a shared person.
JOIN_SCORE = 3.0
# When only one side can be placed in time, a match must rest on more than place and people:
# a party meets in its state capital often, with the same leaders.
JOIN_SCORE_ONE_SIDED = 5.0

_MONTH_OF = MONTHS
_MONTH = month_alternation()
_DAY_MONTH = re.compile(rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({_MONTH})(?![a-z])")
_MONTH_DAY = re.compile(rf"(?<![a-z])({_MONTH})\.?\s+(\d{{1,2}})\b")

_NUMBER = re.compile(r"\d{2,}")


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
    return frozenset(_NUMBER.findall(text.translate(DEVANAGARI_DIGITS)))


def day_months(text: str) -> frozenset[tuple[int, int]]:
    """Day-and-month mentions in Hindi or English, without needing the year."""
    text = text.translate(DEVANAGARI_DIGITS).casefold()
    found = {(_MONTH_OF[m], int(d)) for d, m in _DAY_MONTH.findall(text)}
    found |= {(_MONTH_OF[m], int(d)) for m, d in _MONTH_DAY.findall(text)}
    return frozenset((m, d) for m, d in found if 1 <= d <= 31)


def report_of(detection: Detection, article: Article) -> Report:
    """The comparable facts of `detection`, read from its article: done once, when it is made."""
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


def report_json(report: Report) -> dict[str, Any]:
    """`report` as stored in `detections.report` (sorted, so equal reports store equal)."""
    return {
        "parties": sorted(report.parties),
        "date": report.date.isoformat() if report.date else None,
        "published": report.published.isoformat() if report.published else None,
        "place": report.place,
        "mode": report.mode,
        "people": sorted(report.people),
        "numbers": sorted(report.numbers),
        "days": sorted([m, d] for m, d in report.days),
    }


def report_from_json(data: dict[str, Any]) -> Report:
    return Report(
        parties=frozenset(data.get("parties") or ()),
        date=_date(data.get("date")),
        published=_date(data.get("published")),
        place=data.get("place"),
        mode=data.get("mode"),
        people=frozenset(data.get("people") or ()),
        numbers=frozenset(data.get("numbers") or ()),
        days=frozenset((int(m), int(d)) for m, d in data.get("days") or ()),
    )


def remember_report(detection: Detection, report: Report) -> None:
    """Store `report` on the detection with the index rows that find it later."""
    detection.report = report_json(report)
    detection.report_keys = [
        ReportKey(party=party, date=report.date, published=report.published)
        for party in sorted(report.parties)
    ]


def _same_place(a: str, b: str) -> bool:
    return a == b or a in b or b in a


def _names_day(a: Report, b: Report) -> bool:
    """Whether either report's text names the day the other dates the meeting."""
    return any(
        x.date is not None and (x.date.month, x.date.day) in y.days for x, y in ((a, b), (b, a))
    )


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
            # Reports of a meeting of several days date it by different days of it; one of
            # them then names the other's day ("13 से 15 मई", "opens on May 13").
            if gap > DATE_GAP.days and not (gap <= SPAN_GAP.days and _names_day(new, other)):
                return None
            score, compared = max(score, 3.0 if gap <= DATE_GAP.days else 1.5), True
        elif (dated := new if new.date else other if other.date else None) is not None and (
            undated := other if dated is new else new
        ).published:
            # One report dates the meeting, the other only its own publication: a report of
            # the meeting appears within a couple of days of it, whenever the other (a preview
            # perhaps) was published.
            assert dated.date is not None and undated.published is not None
            if abs(undated.published - dated.date) > PUBLISHED_WINDOW:
                return None
            score, compared = max(score, 1.0), True
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
    new = report_of(detection, article)
    remember_report(detection, new)
    if previous is not None and (earlier := session.get(Event, previous)) is not None:
        detection.event = earlier
        _merge(earlier, detection, now)
        add_report(earlier, article)
        return earlier, False
    best: tuple[float, Event] | None = None
    party = (detection.parties or [None])[0]
    if new.parties:
        candidates = _candidates(session, new, now)
        reports = _stored_reports(session, candidates, exclude=detection.id)
        for event in _events(session, candidates):
            score = match_score(new, reports.get(event.id, []))
            if score is not None and score >= JOIN_SCORE and (best is None or score > best[0]):
                best = (score, event)
    if best is not None:
        event = best[1]
        detection.event = event
        _merge(event, detection, now)
        add_report(event, article)
        return event, False
    details = EventFields.from_json(detection.fields)
    event = Event(
        party=party,
        **{k: getattr(details, k) for k in EVENT_COLUMNS},
        meeting=detection.meeting,
        election_prep=detection.election_prep,
        title=article.title,
        first_seen_at=now,
        updated_at=now,
    )
    add_report(event, article)
    session.add(event)
    detection.event = event
    session.flush()
    return event, True


def _candidates(session: Session, new: Report, now: datetime) -> list[int]:
    """Recent events one of whose reports names a party of `new` and could agree in time.

    Not only by `Event.party`, the first party of the first report: a joint meeting first
    reported as INC's is JMM's too. In time, `match_score` rejects a report whose meeting date
    is more than a day from the new one's, or, when one of the two has no meeting date, whose
    publication date is more than `PUBLISHED_WINDOW` away; a report that cannot be compared
    either way (no date on one side, no publication date on one side) is always asked. Each
    of these is one range of an index, so the cost follows the events near in time, not the
    size of the store.
    """
    key = ReportKey
    parties = sorted(new.parties)
    near: list[ColumnElement[bool]] = []
    if new.date is not None:
        near.append(key.date.between(new.date - DATE_GAP, new.date + DATE_GAP))
    if new.published is not None:
        near.append(
            key.published.between(
                new.published - PUBLISHED_WINDOW, new.published + PUBLISHED_WINDOW
            )
        )
    if new.date is not None:
        # Reports without a meeting date, published about the meeting's day.
        near.append(key.published.between(new.date - PUBLISHED_WINDOW, new.date + PUBLISHED_WINDOW))
        # Other days of a meeting of several days.
        near.append(key.date.between(new.date - SPAN_GAP, new.date + SPAN_GAP))
    elif new.published is not None:
        # Reports dating the meeting about the day this one was published.
        near.append(
            key.date.between(new.published - PUBLISHED_WINDOW, new.published + PUBLISHED_WINDOW)
        )
    untimed: list[ColumnElement[bool]] = []
    if new.date is not None:
        untimed.append(key.date.is_(None))
    if new.published is not None:
        untimed.append(key.published.is_(None))
    ranges = [*near, and_(*untimed)] if untimed else [true()]
    found = union(
        *(select(key.detection_id).where(key.party.in_(parties), cond) for cond in ranges)
    ).subquery()
    rows = session.scalars(
        select(Detection.event_id)
        .join(Event, Detection.event_id == Event.id)
        .where(Detection.id.in_(select(found.c.detection_id)), Event.updated_at >= now - LOOKBACK)
        .distinct()
    )
    return sorted({int(event_id) for event_id in rows if event_id is not None})


def _events(session: Session, ids: list[int]) -> list[Event]:
    if not ids:
        return []
    return list(session.scalars(select(Event).where(Event.id.in_(ids)).order_by(Event.id)))


def _stored_reports(
    session: Session, event_ids: list[int], *, exclude: int | None
) -> dict[int, list[Report]]:
    """The stored reports of each event's detections, in detection order."""
    if not event_ids:
        return {}
    rows = session.execute(
        select(Detection.id, Detection.event_id, Detection.report)
        .where(Detection.event_id.in_(event_ids))
        .order_by(Detection.id)
    ).all()
    out: dict[int, list[Report]] = {}
    for det_id, event_id, stored in rows:
        if exclude is not None and det_id == exclude:
            continue
        report = report_from_json(stored) if stored is not None else _backfill(session, det_id)
        out.setdefault(int(event_id), []).append(report)
    return out


def _backfill(session: Session, detection_id: int) -> Report:
    """A detection stored before reports were kept: reduce its article once, and keep that."""
    detection = session.get(Detection, detection_id)
    assert detection is not None
    report = report_of(detection, detection.article)
    detection.report = report_json(report)
    return report


def _merge(event: Event, detection: Detection, now: datetime) -> None:
    """Fill what the event did not know yet from a later report."""
    event.details = event.details.filled_from(EventFields.from_json(detection.fields))
    event.meeting = event.meeting or detection.meeting
    event.election_prep = event.election_prep or detection.election_prep
    event.updated_at = now
