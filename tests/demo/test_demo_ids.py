"""The demo's event ids are the same on every run, whatever order the crawl stored pages in."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import select

from crawler.items import ArticleItem
from crawler.urls import canonicalize_url
from monitor.alerts.policy import AlertPolicy
from monitor.demo.site import DemoArticle, load_seed_articles
from monitor.detect import Detector
from monitor.events.intake import detect_pending
from monitor.store import Store
from monitor.store.articles import save_article
from monitor.store.models import Article, Detection

ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2024, 7, 1, 6, 0, tzinfo=UTC)


def _item(article: DemoArticle) -> ArticleItem:
    url = f"http://127.0.0.1:8000{article.path}"
    return {
        "url": url,
        "canonical_url": canonicalize_url(url),
        "source": "demo-jharkhand",
        "title": article.title,
        "text": "\n\n".join(article.paragraphs),
        "published": article.published.isoformat(),
        "author": article.author,
        "lang": article.lang,
        "discovered_via": "feed",
        "fetched_at": NOW.isoformat(),
        "http_status": 200,
    }


def _events_by_url(url: str, articles: list[DemoArticle], detector: Detector) -> dict[str, int]:
    store = Store(url, clock=lambda: NOW)
    with store.session() as session:
        for article in articles:
            save_article(session, _item(article), now=NOW)
    detect_pending(store, detector, AlertPolicy.silent())
    with store.session() as session:
        rows = session.execute(
            select(Article.url, Detection.event_id).join(
                Detection, Detection.article_id == Article.id
            )
        ).all()
    store.dispose()
    return {article_url: event_id for article_url, event_id in rows}


def test_event_ids_do_not_depend_on_the_order_pages_were_stored(tmp_path: Path) -> None:
    articles = load_seed_articles(ROOT / "seeds")
    detector = Detector()
    in_order = _events_by_url(f"sqlite:///{tmp_path / 'a.sqlite'}", articles, detector)
    reversed_ = _events_by_url(f"sqlite:///{tmp_path / 'b.sqlite'}", articles[::-1], detector)
    assert in_order == reversed_
    # The oldest report makes the first event.
    oldest = min(articles, key=lambda a: a.published)
    assert in_order[f"http://127.0.0.1:8000{oldest.path}"] == 1
