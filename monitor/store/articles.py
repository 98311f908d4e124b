"""Storing extracted articles: canonical URL first, then the exact hash of the normalised text."""

from __future__ import annotations

import hashlib
import logging
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crawler.calendar_text import IST
from crawler.items import ArticleItem
from monitor.store import neardup
from monitor.store.models import Article, ArticleAlias, Source

log = logging.getLogger(__name__)

_SPACE = re.compile(r"\s+")
_JOINERS = dict.fromkeys(map(ord, "\u200c\u200d\u00ad\ufeff"))
# Values per IN (...) list: well under SQLite's and PostgreSQL's parameter limits.
_CHUNK = 500


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


def stored_among(session: Session, canonical_urls: list[str]) -> set[str]:
    """The URLs of `canonical_urls` stored as an article's canonical URL or alias."""
    found: set[str] = set()
    for start in range(0, len(canonical_urls), _CHUNK):
        chunk = canonical_urls[start : start + _CHUNK]
        found.update(
            session.scalars(select(Article.canonical_url).where(Article.canonical_url.in_(chunk)))
        )
        rest = [url for url in chunk if url not in found]
        if rest:
            found.update(
                session.scalars(select(ArticleAlias.url).where(ArticleAlias.url.in_(rest)))
            )
    return found


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
    sig = neardup.signature_of(item["text"], item.get("analysis")) if original is None else None
    near = neardup.find_original(session, sig) if sig is not None else None
    if near is not None:
        original = near[0]
    article = _new_article(item, digest, now, crawl_run_id, original)
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


def save_articles(
    session: Session,
    items: Sequence[ArticleItem],
    *,
    now: datetime,
    crawl_run_id: int | None = None,
) -> list[SaveResult]:
    """`save_article` for many items in one transaction, with one round of lookups.

    The same layers and the same answers as saving them one by one in this order: an item
    whose canonical URL, text or near-identical text came earlier in the batch is treated as
    if that earlier one were already stored.
    """
    urls = list(dict.fromkeys(item["canonical_url"] for item in items))
    stored_urls = set(
        session.scalars(select(Article.canonical_url).where(Article.canonical_url.in_(urls)))
    )
    digests = [content_hash(item["title"], item["text"]) for item in items]
    originals = _exact_originals(session, list(dict.fromkeys(digests)))
    # Signatures of the items that are neither stored nor exact copies, looked up together.
    fresh = [
        i
        for i, item in enumerate(items)
        if item["canonical_url"] not in stored_urls and digests[i] not in originals
    ]
    sigs = {i: neardup.signature_of(items[i]["text"], items[i].get("analysis")) for i in fresh}
    nears = neardup.find_originals(session, [s for s in sigs.values() if s is not None])
    near_of = dict(zip([i for i, s in sigs.items() if s is not None], nears, strict=True))
    results: list[SaveResult | None] = []
    added: list[tuple[int, Article, neardup.Signature | None, bool]] = []
    batch_urls: set[str] = set()
    batch_sigs: list[tuple[Article, neardup.Signature]] = []
    new_in: dict[str, bool] = {}
    for i, item in enumerate(items):
        url, digest = item["canonical_url"], digests[i]
        if url in stored_urls or url in batch_urls:
            # Stored before, or earlier in this batch: the one-by-one path handles it.
            session.flush()
            results.append(save_article(session, item, now=now, crawl_run_id=crawl_run_id))
            continue
        original = originals.get(digest)
        sig = sigs.get(i)
        near = near_of.get(i) if original is None else None
        if original is None and sig is not None and batch_sigs:
            session.flush()
            near = _best(near, neardup.best_match(sig, [(a.id, s) for a, s in batch_sigs]))
        if near is not None:
            original = near[0]
        article = _new_article(item, digest, now, crawl_run_id, original)
        session.add(article)
        batch_urls.add(url)
        new_in[item["source"]] = new_in.get(item["source"], False) or original is None
        if original is None:
            session.flush()
            originals[digest] = article.id
            if sig is not None:
                batch_sigs.append((article, sig))
        else:
            log.info(
                "%s is a %s duplicate of article %d",
                url,
                "near" if near is not None else "exact",
                original,
            )
        results.append(None)
        added.append((i, article, sig if original is None else None, near is not None))
    session.flush()
    # Only originals are indexed: a copy of a copy still finds the first report.
    neardup.index_many(session, [(a.id, sig) for _, a, sig, _ in added if sig is not None])
    for i, article, _sig, is_near in added:
        _remember_aliases(session, article.id, items[i])
        results[i] = SaveResult(
            article.id,
            True,
            article.duplicate_of_id,
            near_duplicate=is_near,
        )
    for source, new_article in new_in.items():
        touch_source(session, source, now=now, new_article=new_article)
    return [r for r in results if r is not None]


def _best(a: tuple[int, float] | None, b: tuple[int, float] | None) -> tuple[int, float] | None:
    """The more similar of two matches; the older article on a tie."""
    if a is None or b is None:
        return a or b
    return a if (a[1], -a[0]) >= (b[1], -b[0]) else b


def _new_article(
    item: ArticleItem, digest: str, now: datetime, crawl_run_id: int | None, original: int | None
) -> Article:
    return Article(
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


def _exact_originals(session: Session, digests: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for start in range(0, len(digests), _CHUNK):
        rows = session.execute(
            select(Article.content_hash, func.min(Article.id))
            .where(
                Article.content_hash.in_(digests[start : start + _CHUNK]),
                Article.duplicate_of_id.is_(None),
            )
            .group_by(Article.content_hash)
        )
        found.update((digest, int(article_id)) for digest, article_id in rows)
    return found


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
        parsed = parsed.replace(tzinfo=IST)
    return parsed
