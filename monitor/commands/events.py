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
        # Party ids are matched without case, as routes match them.
        if self.party and (event.party or "").casefold() != self.party.casefold():
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


def event_records(
    store: Store, where: EventFilter | None = None, limit: int | None = None
) -> list[dict[str, Any]]:
    """Matching events, oldest first; with `limit`, only the newest `limit` of them."""
    where = where or EventFilter()
    with store.session() as session:
        regions = dict(session.execute(select(Source.name, Source.region)).all())
        records = []
        for event in session.scalars(select(Event).order_by(Event.id)):
            reports = session.execute(
                select(Article, Detection.score)
                .join(Detection, Detection.article_id == Article.id)
                .where(Detection.event_id == event.id)
                .order_by(Article.id)
            ).all()
            articles = [article for article, _ in reports]
            scores = {article.id: score for article, score in reports}
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
                    "score": max(scores.values(), default=None),
                    "sources": sorted(sources),
                    "articles": [
                        {
                            "id": a.id,
                            "source": a.source,
                            "url": a.url,
                            "title": a.title,
                            "score": scores[a.id],
                        }
                        for a in articles
                    ],
                }
            )
        return records[-limit:] if limit else records


def list_events(
    config_path: Path, where: EventFilter, as_json: bool, out: TextIO, limit: int | None = None
) -> None:
    store = Store(load_config(config_path).settings.store.url)
    try:
        records = event_records(store, where, limit)
    finally:
        store.dispose()
    if as_json:
        for record in records:
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
        return
    if not records:
        out.write("no events" + (" match these filters" if where != EventFilter() else "") + "\n")
        return
    for record in records:
        when = " ".join(x for x in (record["date"], record["time"]) if x) or "date unknown"
        score = f"score {record['score']:.2f}" if record["score"] is not None else ""
        out.write(
            f"{record['id']}  {record['party'] or '?'}  {when}  {record['place'] or ''}  "
            f"{record['status'] or ''}  {score}  [{', '.join(record['sources'])}]\n"
            f"    {record['title']}\n"
        )
        for article in record["articles"]:
            out.write(f"    - {article['score']:.2f}  {article['source']}  {article['url']}\n")
