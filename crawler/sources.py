"""Source specs: what to crawl for one news site, declared as data."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar
from urllib.parse import urlsplit

import yaml

T = TypeVar("T")


@dataclass(frozen=True)
class ListingSpec:
    """A section page whose links lead to articles.

    `article_pattern` and `next_pattern` are regexes searched in absolute link URLs.
    """

    url: str
    article_pattern: str
    next_pattern: str | None = None
    max_pages: int = 1

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> ListingSpec:
        return cls(
            url=str(data["url"]),
            article_pattern=str(data["article_pattern"]),
            next_pattern=None if data.get("next_pattern") is None else str(data["next_pattern"]),
            max_pages=int(data.get("max_pages", 1)),
        )


@dataclass(frozen=True)
class SourceSpec:
    """One news site: where its article URLs are announced and how far to go."""

    name: str
    feeds: tuple[str, ...] = ()
    sitemaps: tuple[str, ...] = ()
    listings: tuple[ListingSpec, ...] = ()
    # Empty means: the hosts of the feed, sitemap and listing URLs.
    allowed_domains: tuple[str, ...] = ()
    lang: str | None = None
    region: str | None = None
    max_age_days: int | None = None
    max_articles: int = 200
    # Seconds this source may take per crawl; None: the crawl's NEWSMON_SOURCE_BUDGET.
    budget_seconds: float | None = None
    # Sitemap levels followed from a configured sitemap (itself level 1), and sitemaps fetched
    # per crawl; None: NEWSMON_SITEMAP_MAX_DEPTH / NEWSMON_SITEMAP_MAX_FETCHES.
    sitemap_max_depth: int | None = None
    sitemap_max_fetches: int | None = None
    # Loopback and private addresses, refused by default, may be fetched at the source's own
    # ports; `allowed_addresses` ("host:port") permits exactly those, whatever they resolve to.
    allow_private: bool = False
    allowed_addresses: tuple[str, ...] = ()

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> SourceSpec:
        """Build from a config mapping; keys this package does not use are ignored."""
        listings = tuple(
            item if isinstance(item, ListingSpec) else ListingSpec.from_dict(item)
            for item in data.get("listings") or ()
        )
        max_age = data.get("max_age_days")
        return cls(
            name=str(data["name"]),
            feeds=_strings(data.get("feeds")),
            sitemaps=_strings(data.get("sitemaps")),
            listings=listings,
            allowed_domains=_strings(data.get("allowed_domains")),
            lang=None if data.get("lang") is None else str(data["lang"]),
            region=None if data.get("region") is None else str(data["region"]),
            max_age_days=None if max_age is None else int(max_age),
            max_articles=int(data.get("max_articles", 200)),
            budget_seconds=_optional(data.get("budget_seconds"), float),
            sitemap_max_depth=_optional(data.get("sitemap_max_depth"), int),
            sitemap_max_fetches=_optional(data.get("sitemap_max_fetches"), int),
            allow_private=bool(data.get("allow_private", False)),
            allowed_addresses=_strings(data.get("allowed_addresses")),
        )

    def urls(self) -> tuple[str, ...]:
        """The configured feed, sitemap and listing addresses."""
        return (*self.feeds, *self.sitemaps, *(listing.url for listing in self.listings))

    def domains(self) -> tuple[str, ...]:
        """Hosts whose pages this source may fetch."""
        if self.allowed_domains:
            return self.allowed_domains
        urls = self.urls()
        # "www.example.in" -> "example.in": articles often live on the bare or another subdomain.
        hosts = {(urlsplit(url).hostname or "").removeprefix("www.") for url in urls}
        return tuple(sorted(host for host in hosts if host))


def _optional(value: Any, kind: Callable[[Any], T]) -> T | None:
    return None if value is None else kind(value)


def _strings(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        # A single URL written without a list is a common slip in hand-written YAML.
        return (value,)
    return tuple(str(item) for item in value)


def load_sources_file(path: str | Path) -> list[SourceSpec]:
    """Read `{"sources": [...]}` from a YAML file."""
    with Path(path).open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle) or {}
    if not isinstance(data, Mapping):
        raise ValueError(f"{path}: expected a mapping with a 'sources' list")
    entries = data.get("sources") or []
    if not isinstance(entries, list):
        raise ValueError(f"{path}: 'sources' must be a list")
    return [SourceSpec.from_dict(entry) for entry in entries]


def select_sources(path: str | Path, names: str | None) -> list[SourceSpec]:
    """The sources of a file, or only those named in `names` (comma-separated)."""
    specs = load_sources_file(path)
    if not names:
        return specs
    wanted = [name.strip() for name in names.split(",") if name.strip()]
    by_name = {spec.name: spec for spec in specs}
    missing = [name for name in wanted if name not in by_name]
    if missing:
        raise ValueError(f"{path}: no source named {', '.join(missing)}")
    return [by_name[name] for name in wanted]
