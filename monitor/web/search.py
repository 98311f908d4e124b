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


# Walking the articles newest first and testing each one parses its text again, so it pays
# only while matches are dense; below this share of the table the index lists them instead.
DENSE = 0.02


def _pg_ids(session: Session, tsquery: str, limit: int, offset: int) -> tuple[list[int], int]:
    where = f"{_PG_DOCUMENT} @@ to_tsquery('simple', :q)"
    params = {"q": tsquery, "limit": limit, "offset": offset}
    plan = session.execute(
        text(f"EXPLAIN (FORMAT JSON) SELECT id FROM articles WHERE {where}"), params
    ).scalar_one()
    expected = float(plan[0]["Plan"]["Plan Rows"])
    stored = float(
        session.execute(
            text("SELECT greatest(reltuples, 1) FROM pg_class WHERE oid = 'articles'::regclass")
        ).scalar_one()
    )
    if expected >= COUNT_CAP and expected / stored >= DENSE:
        # A common word: walk the primary key backwards and stop at the page (with LIMIT,
        # PostgreSQL chooses that itself). Counting every match would read them all, so the
        # total is the planner's estimate, shown as "more than COUNT_CAP".
        found = list(
            session.execute(
                text(
                    f"SELECT id FROM articles WHERE {where} "
                    "ORDER BY id DESC LIMIT :limit OFFSET :offset"
                ),
                params,
            ).scalars()
        )
        total = offset + len(found) if len(found) < limit else max(COUNT_CAP, offset + limit)
        return [int(i) for i in found], total
    # A rare word: the full-text index lists its matches, then they are sorted. Left to
    # itself, PostgreSQL would walk the primary key here too, testing every article for a
    # word that few hold; the materialised list keeps it on the index.
    rows = session.execute(
        text(
            f"WITH hits AS MATERIALIZED (SELECT id FROM articles WHERE {where}) "
            "SELECT id, count(*) OVER () FROM hits ORDER BY id DESC LIMIT :limit OFFSET :offset"
        ),
        params,
    ).all()
    if rows:
        return [int(i) for i, _ in rows], min(int(rows[0][1]), COUNT_CAP)
    total = session.execute(
        text(f"SELECT count(*) FROM (SELECT 1 FROM articles WHERE {where} LIMIT :cap) AS m"),
        {"q": tsquery, "cap": COUNT_CAP},
    ).scalar_one()
    return [], int(total)


def _ids(session: Session, query: str, limit: int, offset: int) -> tuple[list[int], int]:
    terms = words(query)
    if not terms:
        return [], 0
    if session.get_bind().dialect.name == "postgresql":
        tsquery = " & ".join("'" + t.replace("'", "''").replace("\\", "") + "'" for t in terms)
        return _pg_ids(session, tsquery, limit, offset)
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
