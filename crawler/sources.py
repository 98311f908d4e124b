"""Source specs: what to crawl for one news site, declared as data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml


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
        )

    def domains(self) -> tuple[str, ...]:
        """Hosts whose pages this source may fetch."""
        if self.allowed_domains:
            return self.allowed_domains
        urls = [*self.feeds, *self.sitemaps, *(listing.url for listing in self.listings)]
        # "www.example.in" -> "example.in": articles often live on the bare or another subdomain.
        hosts = {(urlsplit(url).hostname or "").removeprefix("www.") for url in urls}
        return tuple(sorted(host for host in hosts if host))


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
