"""Which outlets and languages reported an event, kept on the event as it gains or loses reports.

Lists filter and count events by them; reading them off the event is one column, where
asking every event's reports is a join over all detections and articles.
"""

from __future__ import annotations

from collections.abc import Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from monitor.store.models import Article, Detection, Event


def packed(values: Iterable[str | None]) -> str:
    """A set of values as stored: sorted, written "|a|b|" ("" for none), so that
    `LIKE '%|a|%'` finds exactly the value a."""
    items = sorted({v for v in values if v})
    return "|" + "|".join(items) + "|" if items else ""


def unpacked(value: str | None) -> list[str]:
    return [v for v in (value or "").split("|") if v]


def add_report(event: Event, article: Article) -> None:
    """`article` now reports `event`."""
    event.report_sources = packed([*unpacked(event.report_sources), article.source])
    event.report_langs = packed([*unpacked(event.report_langs), article.lang])


def refresh(session: Session, event_ids: Iterable[int | None]) -> None:
    """Read the outlets and languages of these events again from their reports, after a
    report left one of them."""
    ids = sorted({i for i in event_ids if i is not None})
    if not ids:
        return
    session.flush()
    found: dict[int, tuple[list[str], list[str | None]]] = {i: ([], []) for i in ids}
    for event_id, source, lang in session.execute(
        select(Detection.event_id, Article.source, Article.lang)
        .join(Article, Article.id == Detection.article_id)
        .where(Detection.event_id.in_(ids))
    ):
        if event_id is None:
            continue
        sources, langs = found[event_id]
        sources.append(source)
        langs.append(lang)
    for event in session.scalars(select(Event).where(Event.id.in_(ids))):
        sources, langs = found[event.id]
        event.report_sources, event.report_langs = packed(sources), packed(langs)
