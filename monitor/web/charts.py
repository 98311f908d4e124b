"""Activity charts: events per party per week and per state, drawn as SVG on the server."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.store.models import Event
from monitor.web.queries import EventQuery, Places, conditions, describe

# A fixed palette, one colour per party in order of activity; the rest share grey.
PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b", "#e377c2")
OTHER = "#999999"
WEEKS = 12


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    colour: str
    title: str


@dataclass(frozen=True)
class Chart:
    width: int
    height: int
    bars: list[Bar]
    labels: list[tuple[float, float, str]]
    legend: list[tuple[str, str]]


def _week(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _day(event: Event) -> date:
    try:
        return date.fromisoformat(event.date) if event.date else event.first_seen_at.date()
    except ValueError:
        return event.first_seen_at.date()


def weekly_by_party(session: Session, places: Places, label: str, today: date) -> Chart:
    """Stacked bars: one per week (Monday), split by party, for the last WEEKS weeks."""
    first = _week(today) - timedelta(weeks=WEEKS - 1)
    since = datetime.combine(first - timedelta(days=60), datetime.min.time()).astimezone()
    query = EventQuery(label=label)
    events = session.scalars(
        select(Event).where(*conditions(query, places), Event.first_seen_at >= since)
    )
    counts: Counter[tuple[date, str]] = Counter()
    for event in events:
        week = _week(_day(event))
        if first <= week <= _week(today):
            counts[(week, event.party or "?")] += 1
    totals = Counter[str]()
    for (_, party), n in counts.items():
        totals[party] += n
    parties = [p for p, _ in totals.most_common()]
    colours = {p: PALETTE[i] if i < len(PALETTE) else OTHER for i, p in enumerate(parties)}
    weeks = [first + timedelta(weeks=i) for i in range(WEEKS)]
    tallest = max((sum(counts[(w, p)] for p in parties) for w in weeks), default=0) or 1
    width, height, left, bottom = 720, 260, 30, 30
    slot = (width - left) / WEEKS
    scale = (height - bottom - 10) / tallest
    bars: list[Bar] = []
    labels: list[tuple[float, float, str]] = []
    for i, week in enumerate(weeks):
        y: float = height - bottom
        for party in parties:
            n = counts[(week, party)]
            if not n:
                continue
            h = n * scale
            y -= h
            bars.append(
                Bar(left + i * slot + 4, y, slot - 8, h, colours[party], f"{party} {week}: {n}")
            )
        labels.append((left + i * slot + slot / 2, height - bottom + 16, week.strftime("%d/%m")))
    labels.append((left - 6, 20, str(tallest)))
    return Chart(width, height, bars, labels, [(p, colours[p]) for p in parties])


def by_state(session: Session, places: Places) -> Chart:
    """Horizontal bars: open events per state (the place's state, else the outlet's region)."""
    events = list(session.scalars(select(Event).where(*conditions(EventQuery(), places))))
    counts: Counter[str] = Counter()
    for chunk in range(0, len(events), 500):
        for row in describe(session, events[chunk : chunk + 500], places):
            counts[row.state or "?"] += 1
    ranked = counts.most_common(15)
    width, row_height, left = 720, 22, 170
    height = max(40, row_height * len(ranked) + 10)
    most = ranked[0][1] if ranked else 1
    bars: list[Bar] = []
    labels: list[tuple[float, float, str]] = []
    for i, (state, n) in enumerate(ranked):
        w = (width - left - 40) * n / most
        bars.append(Bar(left, 5 + i * row_height, w, row_height - 6, PALETTE[0], f"{state}: {n}"))
        labels.append((left - 6, 5 + i * row_height + 12, state))
        labels.append((left + w + 18, 5 + i * row_height + 12, str(n)))
    return Chart(width, height, bars, labels, [])
