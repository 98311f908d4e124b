"""`newsmon labels export`: the desk's reviewed events as `newsmon eval` input lines.

Each report of a confirmed event becomes a positive with the event's (corrected) fields and
the event as its group; each report of an event marked a false positive becomes a negative.
Scoring the detector on these lines measures it against the desk's own judgments.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any, TextIO

from sqlalchemy import select

from monitor.store import Store
from monitor.store.models import Article, Detection, Event
from monitor.store.review import CONFIRMED, FALSE_POSITIVE, EventReview


def labelled_items(store: Store) -> Iterator[dict[str, Any]]:
    with store.session() as session:
        rows = session.execute(
            select(Detection, Article, Event, EventReview)
            .join(Article, Article.id == Detection.article_id)
            .join(Event, Event.id == Detection.event_id)
            .join(EventReview, EventReview.event_id == Event.id)
            .where(EventReview.state.in_((CONFIRMED, FALSE_POSITIVE)))
            .order_by(Event.id, Article.id)
        ).all()
        for detection, article, event, review in rows:
            item: dict[str, Any] = {
                "id": f"article-{article.id}",
                "title": article.title,
                "text": article.text,
                "lang": article.lang,
                "published": article.published.isoformat() if article.published else None,
                "url": article.url,
                "source": article.source,
            }
            if review.state == FALSE_POSITIVE:
                item.update(meeting=False, election_prep=False, review_reason=review.reason)
            else:
                item.update(
                    meeting=bool(detection.meeting),
                    election_prep=bool(detection.election_prep),
                    event_id=f"evt-{event.id}",
                    event={
                        "party": event.party,
                        "date": event.date,
                        "place": event.place,
                        "mode": event.mode,
                        "status": event.status,
                    },
                )
            item["reviewed_by"] = review.user
            item["reviewed_at"] = review.at.isoformat()
            yield item


def export_labels(store: Store, out: TextIO) -> int:
    count = 0
    for item in labelled_items(store):
        out.write(json.dumps(item, ensure_ascii=False) + "\n")
        count += 1
    return count
