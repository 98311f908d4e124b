"""The item the news spider yields for each article page."""

from __future__ import annotations

from typing import Any, Literal, NotRequired, TypedDict

DiscoveredVia = Literal["feed", "sitemap", "listing"]


class ArticleItem(TypedDict):
    url: str  # final response URL, after redirects
    canonical_url: str
    source: str  # SourceSpec.name
    title: str
    text: str
    published: str | None  # ISO 8601
    author: str | None
    lang: str | None
    discovered_via: DiscoveredVia
    fetched_at: str  # ISO 8601, UTC
    http_status: int
    # Other canonical URLs the article was reached by (its page's rel=canonical differed).
    aliases: NotRequired[list[str]]
    # What the store's analysis function (NEWSMON_ANALYSE) computed from the text beside
    # extraction, in the worker process; the store checks it belongs to this text.
    analysis: NotRequired[dict[str, Any]]
