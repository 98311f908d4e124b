"""Atom feed of events and iCalendar file of scheduled meetings, for any events filter.

Titles and texts go in as plain text; feedgen and icalendar escape them for their formats,
so stored markup arrives as text in a feed reader or calendar, never as markup.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, time, timedelta

from feedgen.feed import FeedGenerator
from icalendar import Calendar
from icalendar import Event as CalendarEvent

from monitor.web.i18n import IST
from monitor.web.queries import EventRow


def _summary(row: EventRow) -> str:
    event = row.event
    parts = [
        f"party: {event.party or '?'}",
        f"when: {' '.join(x for x in (event.date, event.time) if x) or 'unknown'}",
        f"where: {event.place or 'unknown'}",
        f"status: {event.status or 'unknown'}",
        f"mode: {event.mode or 'unknown'}",
        f"reports: {row.reports} ({', '.join(row.sources)})",
    ]
    return "; ".join(parts)


def atom(
    rows: Sequence[EventRow], *, feed_url: str, page_url: str, base: str, now: datetime
) -> bytes:
    fg = FeedGenerator()
    fg.id(feed_url)
    fg.title("newsmon events")
    fg.link(href=feed_url, rel="self")
    fg.link(href=page_url, rel="alternate")
    fg.updated(max((r.event.updated_at for r in rows), default=now))
    fg.generator("newsmon")
    for row in reversed(rows):  # feedgen puts the last added first
        event = row.event
        link = f"{base}/events/{event.id}"
        entry = fg.add_entry()
        entry.id(link)
        entry.title(event.title or f"event {event.id}")
        entry.link(href=link)
        entry.updated(event.updated_at)
        entry.published(event.first_seen_at)
        entry.summary(_summary(row))
        if event.party:
            entry.category(term=event.party)
    data: bytes = fg.atom_str(pretty=True)
    return data


def icalendar(rows: Sequence[EventRow], *, base: str, now: datetime) -> bytes:
    cal = Calendar()
    cal.add("prodid", "-//newsmon//scheduled party meetings//EN")
    cal.add("version", "2.0")
    cal.add("x-wr-calname", "newsmon: scheduled meetings")
    for row in rows:
        event = row.event
        if not event.date:
            continue
        try:
            day = date.fromisoformat(event.date)
        except ValueError:
            continue
        item = CalendarEvent()
        item.add("uid", f"event-{event.id}@newsmon")
        item.add("dtstamp", now)
        item.add("summary", event.title or f"event {event.id}")
        if event.time:
            try:
                start = datetime.combine(day, time.fromisoformat(event.time), IST)
            except ValueError:
                start = None
        else:
            start = None
        if start is not None:
            item.add("dtstart", start)
            item.add("dtend", start + timedelta(hours=2))
        else:
            item.add("dtstart", day)
            item.add("dtend", day + timedelta(days=1))
        if event.place:
            item.add("location", event.place)
        item.add("description", _summary(row))
        item.add("url", f"{base}/events/{event.id}")
        if event.party:
            item.add("categories", [event.party])
        cal.add_component(item)
    data: bytes = cal.to_ical()
    return data
