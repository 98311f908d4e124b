"""Full-text search over stored articles, Hindi and English, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import text, update

from monitor.store import Store
from monitor.store.articles import content_hash
from monitor.store.models import Article
from monitor.web.search import search

NOW = datetime(2026, 12, 3, tzinfo=UTC)
TEXTS = {
    "hi-meeting": ("झामुमो की बैठक", "रांची में झामुमो कार्यकर्ताओं की बैठक हुई और तैयारी पर चर्चा हुई।"),
    "hi-rain": ("बारिश", "रांची में तेज बारिश हुई, कार्यकर्ताओं ने मदद की।"),
    "en-meeting": ("BJP meeting", "The BJP held a meeting of its workers in Patna."),
    "en-other": ("Weather", "Heavy rain in Patna; meetings were put off."),
}


def _store(url: str) -> Store:
    store = Store(url, clock=lambda: NOW)
    with store.session() as session:
        for key, (title, text) in TEXTS.items():
            session.add(
                Article(
                    source="s",
                    url=f"https://s.example/{key}",
                    canonical_url=f"https://s.example/{key}",
                    title=title,
                    text=text,
                    lang=key[:2],
                    content_hash=content_hash(title, text),
                    fetched_at=NOW,
                )
            )
    return store


def _found(store: Store, query: str) -> set[str]:
    with store.session() as session:
        hits, total = search(session, query)
        assert total == len(hits)
        return {h.article.url.rsplit("/", 1)[1] for h in hits}


def test_hindi_and_english_words_are_found_whole(store_url: str) -> None:
    store = _store(store_url)
    assert _found(store, "बैठक") == {"hi-meeting"}
    assert _found(store, "कार्यकर्ताओं") == {"hi-meeting", "hi-rain"}
    assert _found(store, "रांची बारिश") == {"hi-rain"}  # every word must occur
    # A vowel sign does not split a word: "बै" is no word of "बैठक".
    assert _found(store, "बै") == set()
    assert _found(store, "meeting") == {"en-meeting"}
    assert _found(store, "Patna") == {"en-meeting", "en-other"}
    # Query syntax is not passed to the engine.
    assert _found(store, 'meeting" OR "rain') == set()
    assert _found(store, "") == set()
    store.dispose()


def test_the_index_follows_edited_articles(store_url: str) -> None:
    store = _store(store_url)
    with store.session() as session:
        session.execute(
            update(Article)
            .where(Article.url == "https://s.example/en-other")
            .values(text="The Congress met in Patna.")
        )
    assert _found(store, "Congress") == {"en-other"}
    assert _found(store, "rain") == set()
    store.dispose()


@pytest.mark.postgres
def test_common_and_rare_words_both_list_the_newest_first(pg_url: str) -> None:
    from monitor.web.search import COUNT_CAP

    store = Store(pg_url, clock=lambda: NOW)
    with store.engine.begin() as conn:
        # Every article says "meeting"; one in a hundred also "sammelan".
        conn.execute(
            text(
                "INSERT INTO articles (source, url, canonical_url, title, text, lang, "
                "content_hash, fetched_at) SELECT 's', 'https://s.example/' || i, "
                "'https://s.example/' || i, 'meeting ' || i, "
                "CASE WHEN i % 100 = 0 THEN 'party meeting sammelan' ELSE 'party meeting' END, "
                "'en', md5(i::text), :at FROM generate_series(1, 3000) AS i"
            ),
            {"at": NOW.replace(tzinfo=None)},
        )
        conn.execute(text("ANALYZE articles"))
    with store.session() as session:
        common, total = search(session, "meeting", limit=5)
        assert [h.article.title for h in common] == [f"meeting {i}" for i in range(3000, 2995, -1)]
        assert total == COUNT_CAP  # shown as "1000+"
        rare, total = search(session, "sammelan", limit=5, offset=2)
        assert [h.article.title for h in rare] == [
            f"meeting {i}" for i in (2800, 2700, 2600, 2500, 2400)
        ]
        assert total == 30
        assert search(session, "sammelan", offset=40) == ([], 30)
    store.dispose()
