"""`newsmon events`: events with the articles and sources that reported them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select

from monitor.config.model import load_config
from monitor.store import Store
from monitor.store.models import Article, Detection, Event, Source


@dataclass(frozen=True)
class EventFilter:
    party: str | None = None
    state: str | None = None
    since: date | None = None
    status: str | None = None

    def keeps(self, event: Event, regions: set[str]) -> bool:
        if self.party and event.party != self.party:
            return False
        if self.status and event.status != self.status:
            return False
        if self.state:
            wanted = self.state.casefold()
            # A state matches the region of a reporting source or the event's place.
            places = {r.casefold() for r in regions} | {(event.place or "").casefold()}
            if not any(wanted in place for place in places if place):
                return False
        if self.since:
            day = _date(event.date) or event.first_seen_at.date()
            if day < self.since:
                return False
        return True


def _date(value: str | None) -> date | None:
    try:
        return date.fromisoformat(value) if value else None
    except ValueError:
        return None


def event_records(store: Store, where: EventFilter | None = None) -> list[dict[str, Any]]:
    where = where or EventFilter()
    with store.session() as session:
        regions = dict(session.execute(select(Source.name, Source.region)).all())
        records = []
        for event in session.scalars(select(Event).order_by(Event.id)):
            articles = (
                session.execute(
                    select(Article)
                    .join(Detection, Detection.article_id == Article.id)
                    .where(Detection.event_id == event.id)
                    .order_by(Article.id)
                )
                .scalars()
                .all()
            )
            sources = {a.source for a in articles}
            covered = {region for s in sources if (region := regions.get(s))}
            if not where.keeps(event, covered):
                continue
            records.append(
                {
                    "id": f"evt-{event.id}",
                    "party": event.party,
                    "title": event.title,
                    "meeting": event.meeting,
                    "election_prep": event.election_prep,
                    "date": event.date,
                    "time": event.time,
                    "place": event.place,
                    "mode": event.mode,
                    "status": event.status,
                    "level": event.level,
                    "election": event.election,
                    "first_seen_at": event.first_seen_at.isoformat(),
                    "sources": sorted(sources),
                    "articles": [
                        {"id": a.id, "source": a.source, "url": a.url, "title": a.title}
                        for a in articles
                    ],
                }
            )
        return records


def list_events(config_path: Path, where: EventFilter, as_json: bool, out: TextIO) -> None:
    store = Store(load_config(config_path).settings.store.url)
    for record in event_records(store, where):
        if as_json:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
            continue
        when = " ".join(x for x in (record["date"], record["time"]) if x) or "date unknown"
        out.write(
            f"{record['id']}  {record['party'] or '?'}  {when}  {record['place'] or ''}  "
            f"{record['status'] or ''}  [{', '.join(record['sources'])}]\n"
            f"    {record['title']}\n"
        )
    store.dispose()
