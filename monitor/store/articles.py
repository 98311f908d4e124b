"""Storing extracted articles: canonical URL first, then the exact hash of the normalised text."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from crawler.items import ArticleItem
from monitor.store import neardup
from monitor.store.models import Article, ArticleAlias, Source

log = logging.getLogger(__name__)

_SPACE = re.compile(r"\s+")
_JOINERS = dict.fromkeys(map(ord, "\u200c\u200d\u00ad\ufeff"))


def content_hash(title: str, text: str) -> str:
    """sha256 of the text as a reader sees it: NFC, no joiners, case and spacing folded.

    The title is left out on purpose: syndicated copies often carry their own headline.
    """
    norm = unicodedata.normalize("NFC", text).translate(_JOINERS).casefold()
    norm = _SPACE.sub(" ", norm).strip()
    return hashlib.sha256(norm.encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class SaveResult:
    article_id: int
    created: bool
    duplicate_of: int | None
    # The URL was stored with another text: the article was updated and will be detected again.
    updated: bool = False
    near_duplicate: bool = False


def is_stored(session: Session, canonical_url: str) -> bool:
    found = session.scalar(select(Article.id).where(Article.canonical_url == canonical_url))
    if found is None:
        found = session.scalar(
            select(ArticleAlias.article_id).where(ArticleAlias.url == canonical_url)
        )
    return found is not None


def _remember_aliases(session: Session, article_id: int, item: ArticleItem) -> None:
    for url in item.get("aliases") or ():
        if url != item["canonical_url"] and session.get(ArticleAlias, url) is None:
            session.add(ArticleAlias(url=url, article_id=article_id))


def save_article(
    session: Session, item: ArticleItem, *, now: datetime, crawl_run_id: int | None = None
) -> SaveResult:
    """Store the article once per canonical URL, linking exact and near duplicates.

    Layers, cheapest first: canonical URL, sha256 of the normalised text, MinHash/LSH.
    A duplicate is stored (so its URL is never fetched again) but not detected or alerted.
    """
    existing = session.scalar(select(Article).where(Article.canonical_url == item["canonical_url"]))
    digest = content_hash(item["title"], item["text"])
    if existing is not None:
        _remember_aliases(session, existing.id, item)
        if existing.content_hash == digest or not item["text"].strip():
            return SaveResult(existing.id, False, existing.duplicate_of_id)
        return _update(session, existing, item, digest, now)
    original = _exact_original(session, digest)
    sig = neardup.signature(item["text"]) if original is None else None
    near = neardup.find_original(session, sig) if sig is not None else None
    if near is not None:
        original = near[0]
    article = Article(
        source=item["source"],
        url=item["url"],
        canonical_url=item["canonical_url"],
        title=item["title"],
        text=item["text"],
        published=_parse_time(item["published"]),
        author=item["author"],
        lang=item["lang"],
        content_hash=digest,
        discovered_via=item["discovered_via"],
        fetched_at=_parse_time(item["fetched_at"]) or now,
        crawl_run_id=crawl_run_id,
        duplicate_of_id=original,
        detected_at=now if original is not None else None,
    )
    session.add(article)
    session.flush()
    _remember_aliases(session, article.id, item)
    if sig is not None and near is None:
        # Only originals are indexed: a copy of a copy still finds the first report.
        neardup.index(session, article.id, sig)
    touch_source(session, item["source"], now=now, new_article=original is None)
    if original is not None:
        log.info(
            "%s is a %s duplicate of article %d",
            item["canonical_url"],
            "near" if near else "exact",
            original,
        )
    return SaveResult(article.id, True, original, near_duplicate=near is not None)


def _exact_original(session: Session, digest: str) -> int | None:
    return session.scalar(
        select(Article.id)
        .where(Article.content_hash == digest, Article.duplicate_of_id.is_(None))
        .order_by(Article.id)
        .limit(1)
    )


def _update(
    session: Session, article: Article, item: ArticleItem, digest: str, now: datetime
) -> SaveResult:
    """A refetch found new text under a stored URL: keep the row, detect it again."""
    article.title, article.text, article.content_hash = item["title"], item["text"], digest
    article.updated_at, article.fetched_at = now, _parse_time(item["fetched_at"]) or now
    if article.duplicate_of_id is None:
        article.detected_at = None
        neardup.forget(session, [article.id])
        session.flush()
        sig = neardup.signature(item["text"])
        if sig is not None:
            neardup.index(session, article.id, sig)
    log.info("article %d (%s) changed; it will be detected again", article.id, article.url)
    return SaveResult(article.id, False, article.duplicate_of_id, updated=True)


def touch_source(
    session: Session, name: str, *, now: datetime, new_article: bool = False
) -> Source:
    source = session.scalar(select(Source).where(Source.name == name))
    if source is None:
        source = Source(name=name, created_at=now, consecutive_failures=0)
        session.add(source)
    if new_article:
        source.last_new_article_at = now
    return source


def _parse_time(value: str | None) -> datetime | None:
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        log.warning("unparseable timestamp %r on an article item; stored without it", value)
        return None
    if parsed.tzinfo is None:
        # The crawler emits aware times; a naive one is taken as India time, where our
        # sources publish, rather than guessed as UTC.
        from zoneinfo import ZoneInfo

        parsed = parsed.replace(tzinfo=ZoneInfo("Asia/Kolkata"))
    return parsed
