"""Full-text search over stored articles: SQLite FTS5 or PostgreSQL full-text ('simple').

Both treat the query as plain words that must all occur (no query syntax reaches the
engine), and both keep Devanagari words whole; see migration 0009.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import Integer, Select, func, literal_column, select, text
from sqlalchemy.orm import Session

from monitor.store.models import Article, Detection

# Counting every match of a common word over a million articles costs more than it tells.
COUNT_CAP = 1000
_WORD = re.compile(r"\w+", re.UNICODE)
_PG_DOCUMENT = "to_tsvector('simple', coalesce(title, '') || ' ' || coalesce(text, ''))"


@dataclass(frozen=True)
class Hit:
    article: Article
    snippet: str
    detection: Detection | None


def words(query: str) -> list[str]:
    # \w stops at Devanagari vowel signs; a word is whatever lies between spaces and
    # punctuation, keeping its marks.
    return [w for w in re.split(r"[\s\"'()*:^,.;!?|।]+", query) if w and _WORD.search(w)][:12]


def fulltext_ids(query: str, dialect: str) -> Select[int]:
    """The ids of articles holding every word of `query`, as a subquery for other queries."""
    terms = words(query) or [query]
    if dialect == "postgresql":
        tsquery = " & ".join("'" + t.replace("'", "''").replace("\\", "") + "'" for t in terms)
        return select(Article.id).where(
            text(f"{_PG_DOCUMENT} @@ to_tsquery('simple', :fts_q)").bindparams(fts_q=tsquery)
        )
    match = " ".join('"' + t.replace('"', '""') + '"' for t in terms)
    return (
        select(literal_column("rowid", Integer))
        .select_from(text("articles_fts"))
        .where(text("articles_fts MATCH :fts_q").bindparams(fts_q=match))
    )


def _ids(session: Session, query: str, limit: int, offset: int) -> tuple[list[int], int]:
    terms = words(query)
    if not terms:
        return [], 0
    if session.get_bind().dialect.name == "postgresql":
        tsquery = " & ".join("'" + t.replace("'", "''").replace("\\", "") + "'" for t in terms)
        where = f"{_PG_DOCUMENT} @@ to_tsquery('simple', :q)"
        ids = session.execute(
            text(
                f"SELECT id FROM articles WHERE {where} "
                # Newest stored first: with LIMIT, PostgreSQL walks the primary key backwards
                # for a common word and stops at the page, and reads the index for a rare one;
                # ordering by date would sort every match.
                "ORDER BY id DESC LIMIT :limit OFFSET :offset"
            ),
            {"q": tsquery, "limit": limit, "offset": offset},
        ).scalars()
        found = list(ids)
        total = session.execute(
            text(f"SELECT count(*) FROM (SELECT 1 FROM articles WHERE {where} LIMIT :cap) AS m"),
            {"q": tsquery, "cap": COUNT_CAP},
        ).scalar_one()
        return [int(i) for i in found], int(total)
    match = " ".join('"' + t.replace('"', '""') + '"' for t in terms)
    found = list(
        session.execute(
            text(
                "SELECT rowid FROM articles_fts WHERE articles_fts MATCH :q "
                "ORDER BY rank LIMIT :limit OFFSET :offset"
            ),
            {"q": match, "limit": limit, "offset": offset},
        ).scalars()
    )
    total = session.execute(
        text(
            "SELECT count(*) FROM (SELECT 1 FROM articles_fts WHERE articles_fts MATCH :q "
            "LIMIT :cap)"
        ),
        {"q": match, "cap": COUNT_CAP},
    ).scalar_one()
    return [int(i) for i in found], int(total)


def search(
    session: Session, query: str, *, limit: int = 20, offset: int = 0
) -> tuple[list[Hit], int]:
    """Articles with every word of `query`, best or newest first, and how many (capped)."""
    ids, total = _ids(session, query, limit, offset)
    if not ids:
        return [], total
    articles = {a.id: a for a in session.scalars(select(Article).where(Article.id.in_(ids)))}
    detections = {
        d.article_id: d
        for d in session.scalars(select(Detection).where(Detection.article_id.in_(ids)))
    }
    terms = words(query)
    hits = [
        Hit(articles[i], snippet(articles[i].text, terms), detections.get(i))
        for i in ids
        if i in articles
    ]
    return hits, total


def snippet(body: str, terms: list[str], width: int = 240) -> str:
    """The stretch of `body` around the first query word found, as plain text."""
    folded = body.casefold()
    starts = [p for t in terms if (p := folded.find(t.casefold())) >= 0]
    start = max(0, min(starts) - width // 3) if starts else 0
    piece = body[start : start + width]
    return ("…" if start else "") + piece + ("…" if start + width < len(body) else "")


def newest_articles(session: Session, source: str, limit: int = 20) -> list[Article]:
    return list(
        session.scalars(
            select(Article)
            .where(Article.source == source)
            .order_by(
                func.coalesce(Article.published, Article.fetched_at).desc(), Article.id.desc()
            )
            .limit(limit)
        )
    )


def latest(moments: list[datetime | None]) -> datetime | None:
    return max((m for m in moments if m), default=None)
