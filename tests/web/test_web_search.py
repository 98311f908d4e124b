"""Full-text search over stored articles, Hindi and English, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import update

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
