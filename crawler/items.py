"""The item the news spider yields for each article page."""

from __future__ import annotations

from typing import Literal, NotRequired, TypedDict

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
