"""The daemon's configuration: YAML files validated into typed, frozen models.

`config/newsmon.yaml` holds the store, schedule, crawl politeness, detection and alert
channels; `config/sources.yaml` holds the list of sources. Every problem is reported as a
`ConfigError` naming the file, the key path and the reason, so the daemon refuses to start
rather than run without alerts.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar
from urllib.parse import urlsplit

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError, NoSuchModuleError

from crawler import settings as crawler_defaults
from crawler.addresses import parse_host_port
from crawler.sources import ListingSpec, SourceSpec
from crawler.urls import canonicalize_url
from monitor.config.alerts import AlertsConfig, RetryConfig
from monitor.config.base import StrictModel as _Model
from monitor.config.base import known_zone
from monitor.config.channels import ChannelSettings
from monitor.config.distributed import DistributedConfig
from monitor.config.env import MissingVariable, expand
from monitor.config.names import unknown_key_reason
from monitor.config.ops import HealthConfig, OperationsConfig
from monitor.config.web import WebConfig
from monitor.errors import ConfigError

DEFAULT_CONFIG = Path("config/newsmon.yaml")

__all__ = [
    "AlertsConfig",
    "ChannelSettings",
    "Config",
    "RetryConfig",
    "load_config",
]
M = TypeVar("M", bound=BaseModel)


class StoreConfig(_Model):
    url: str = "sqlite:///var/newsmon.sqlite"

    @field_validator("url")
    @classmethod
    def _database_url(cls, value: str) -> str:
        # Checked here so that a typo stops `config check`, not the daemon's first cycle.
        # The messages leave the URL out: it may hold a password.
        hint = "use sqlite:///path or postgresql://user@host/db"
        try:
            url = make_url(value)
        except ArgumentError:
            raise ValueError(f"not a database URL; {hint}") from None
        try:
            url.get_dialect()
        except NoSuchModuleError:
            raise ValueError(f"unknown database kind {url.drivername!r}; {hint}") from None
        return value


class ScheduleConfig(_Model):
    crawl_every_minutes: float = Field(15.0, gt=0)
    dispatch_every_seconds: float = Field(60.0, gt=0)
    misfire_grace_seconds: int = Field(300, ge=1)
    timezone: str = "Asia/Kolkata"

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)


class CrawlConfig(_Model):
    """Crawl settings a user may change; their defaults are the crawler's (`crawler.settings`)."""

    user_agent: str | None = None
    obey_robots: bool = crawler_defaults.ROBOTSTXT_OBEY
    download_delay: float = Field(crawler_defaults.DOWNLOAD_DELAY, ge=0)
    concurrency_per_domain: int = Field(
        crawler_defaults.CONCURRENT_REQUESTS_PER_DOMAIN, ge=1, le=32
    )
    concurrency: int = Field(crawler_defaults.CONCURRENT_REQUESTS, ge=1, le=256)
    download_timeout: float = Field(float(crawler_defaults.DOWNLOAD_TIMEOUT), gt=0)
    max_page_bytes: int = Field(crawler_defaults.DOWNLOAD_MAXSIZE, gt=0)
    autothrottle: bool = crawler_defaults.AUTOTHROTTLE_ENABLED
    # Extraction off the crawl's event loop, in worker processes, uses both cores (1.78x measured).
    extract_processes: int = Field(2, ge=0, le=32)
    # Per source, per crawl: a source past its budget is cut off and the cycle goes on.
    budget_seconds: float = Field(300.0, gt=0)
    sitemap_max_depth: int = Field(3, ge=1, le=10)
    sitemap_max_fetches: int = Field(25, ge=1, le=1000)
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = "WARNING"


class DetectConfig(_Model):
    lexicon_files: tuple[str, ...] = ()
    min_score: float = Field(0.0, ge=0, le=1)


def _page_url(value: str) -> str:
    """A feed, sitemap or listing address: absolute http(s), with a host and no spaces."""
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        raise ValueError(f"{value!r} is not an http:// or https:// URL")
    if any(c.isspace() for c in value):
        raise ValueError(f"{value!r} contains a space (write it as %20)")
    return value


def _url_pattern(value: str) -> str:
    # The crawler compiles these with `re` (crawler/discovery.py); a typo is caught here.
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"not a valid regular expression: {exc}") from None
    return value


def _host_port(value: str) -> str:
    try:
        parse_host_port(value)
    except ValueError:
        raise ValueError(f"{value!r} is not host:port (e.g. 10.0.0.5:8080)") from None
    return value


PageUrl = Annotated[str, AfterValidator(_page_url)]
UrlPattern = Annotated[str, AfterValidator(_url_pattern)]
HostPort = Annotated[str, AfterValidator(_host_port)]


class ListingConfig(_Model):
    url: PageUrl
    article_pattern: UrlPattern
    next_pattern: UrlPattern | None = None
    max_pages: int = Field(1, ge=1, le=50)


class SourceConfig(_Model):
    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    feeds: tuple[PageUrl, ...] = ()
    sitemaps: tuple[PageUrl, ...] = ()
    listings: tuple[ListingConfig, ...] = ()
    allowed_domains: tuple[str, ...] = ()
    lang: str | None = None
    region: str | None = None
    max_age_days: int | None = Field(None, ge=1)
    max_articles: int = Field(200, ge=1)
    enabled: bool = True
    every_minutes: float | None = Field(None, gt=0)
    verified: str | None = None
    # None: the crawl section's value.
    budget_seconds: float | None = Field(None, gt=0)
    sitemap_max_depth: int | None = Field(None, ge=1, le=10)
    sitemap_max_fetches: int | None = Field(None, ge=1, le=1000)
    # The address policy: loopback and private addresses only with allow_private (and then
    # at the source's own ports); any other host:port only when listed here.
    allow_private: bool = False
    allowed_addresses: tuple[HostPort, ...] = ()

    def spec(self) -> SourceSpec:
        """The crawler's view of this source (the crawler does not know these models)."""
        return SourceSpec(
            name=self.name,
            feeds=self.feeds,
            sitemaps=self.sitemaps,
            listings=tuple(
                ListingSpec(
                    url=x.url,
                    article_pattern=x.article_pattern,
                    next_pattern=x.next_pattern,
                    max_pages=x.max_pages,
                )
                for x in self.listings
            ),
            allowed_domains=self.allowed_domains,
            lang=self.lang,
            region=self.region,
            max_age_days=self.max_age_days,
            max_articles=self.max_articles,
            budget_seconds=self.budget_seconds,
            sitemap_max_depth=self.sitemap_max_depth,
            sitemap_max_fetches=self.sitemap_max_fetches,
            allow_private=self.allow_private,
            allowed_addresses=self.allowed_addresses,
        )


class SourcesFile(_Model):
    sources: tuple[SourceConfig, ...] = ()

    @field_validator("sources")
    @classmethod
    def _unique(cls, value: tuple[SourceConfig, ...]) -> tuple[SourceConfig, ...]:
        seen: set[str] = set()
        for source in value:
            if source.name in seen:
                raise ValueError(f"source name {source.name!r} is used twice")
            seen.add(source.name)
        for source in value:
            if not (source.feeds or source.sitemaps or source.listings):
                raise ValueError(f"source {source.name!r} has no feeds, sitemaps or listings")
        return value


class Settings(_Model):
    store: StoreConfig = StoreConfig()
    sources_file: str = "sources.yaml"
    schedule: ScheduleConfig = ScheduleConfig()
    crawl: CrawlConfig = CrawlConfig()
    detect: DetectConfig = DetectConfig()
    alerts: AlertsConfig = AlertsConfig()
    health: HealthConfig = HealthConfig()
    operations: OperationsConfig = OperationsConfig()
    web: WebConfig = WebConfig()
    distributed: DistributedConfig = DistributedConfig()

    @model_validator(mode="after")
    def _celery_needs_a_server_store(self) -> Settings:
        # Workers on other machines write into the same store; a SQLite file cannot be shared.
        if self.distributed.celery and not make_url(self.store.url).drivername.startswith(
            "postgresql"
        ):
            raise ValueError("distributed.executor: celery needs a PostgreSQL store.url")
        return self

    @model_validator(mode="after")
    def _operator_channels_exist(self) -> Settings:
        known = {c.name for c in self.alerts.channels}
        for index, name in enumerate(self.operations.channels):
            if name not in known:
                listed = ", ".join(sorted(known)) or "none configured"
                raise ValueError(
                    f"operations.channels[{index}]: no channel named {name!r} (channels: {listed})"
                )
        return self


class Config(BaseModel):
    """Everything the daemon reads at start-up, with the files it came from."""

    model_config = ConfigDict(frozen=True)

    settings: Settings
    sources: tuple[SourceConfig, ...]
    path: Path
    sources_path: Path

    def enabled_sources(self) -> list[SourceConfig]:
        return [s for s in self.sources if s.enabled]

    def warnings(self) -> list[str]:
        """Problems that do not stop the daemon but that the operator should fix."""
        return [f"{self.sources_path}: warning: {w}" for w in shared_source_urls(self.sources)]


def shared_source_urls(sources: tuple[SourceConfig, ...]) -> list[str]:
    """A feed, sitemap or listing configured under two sources (however it is spelt)."""
    owner: dict[str, str] = {}
    found = []
    for source in sources:
        for url in dict.fromkeys(canonicalize_url(u) for u in source.spec().urls()):
            first = owner.setdefault(url, source.name)
            if first != source.name:
                # Valid, but each cycle fetches it twice and its articles go to the first.
                found.append(f"sources {first!r} and {source.name!r} both list {url}")
    return found


def load_config(path: Path | str = DEFAULT_CONFIG, env: Mapping[str, str] | None = None) -> Config:
    """Read and validate the main config file and the sources file it names."""
    env = os.environ if env is None else env
    path = Path(path)
    settings = _validate(Settings, _read_yaml(path, env), path)
    sources_path = (path.parent / settings.sources_file).resolve()
    sources = _validate(SourcesFile, _read_yaml(sources_path, env), sources_path)
    store_url = _resolve_sqlite_path(settings.store.url, path)
    settings = settings.model_copy(update={"store": StoreConfig(url=store_url)})
    return Config(settings=settings, sources=sources.sources, path=path, sources_path=sources_path)


def _read_yaml(path: Path, env: Mapping[str, str]) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise ConfigError(str(path), "", "file not found") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(str(path), "", f"cannot be read: {exc}") from None
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise ConfigError(str(path), where, f"invalid YAML: {problem}") from None
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ConfigError(str(path), "", "the top level must be a mapping of keys")
    try:
        expanded: dict[str, Any] = expand(data, env)
    except MissingVariable as exc:
        raise ConfigError(str(path), exc.key_path, str(exc)) from None
    return expanded


def _validate(model: type[M], data: dict[str, Any], path: Path) -> M:
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        message = str(first["msg"]).removeprefix("Value error, ")
        if first["type"] == "extra_forbidden":
            message = unknown_key_reason(model, first["loc"])
        raise ConfigError(str(path), _key_path(first["loc"]), message) from None


def _key_path(loc: tuple[int | str, ...]) -> str:
    parts: list[str] = []
    for item in loc:
        if isinstance(item, int):
            parts.append(f"[{item}]")
        elif item in {"webhook", "email", "file", "apprise"} and parts and parts[-1].endswith("]"):
            # pydantic names the union member it tried; the user only knows the list index.
            continue
        else:
            parts.append(("." if parts else "") + item)
    return "".join(parts)


def _resolve_sqlite_path(url: str, config_path: Path) -> str:
    """Make `sqlite:///relative.db` relative to the project root (the config dir's parent)."""
    prefix = "sqlite:///"
    if not url.startswith(prefix) or url.startswith(prefix + "/") or url == "sqlite://":
        return url
    rel = url[len(prefix) :]
    if rel.startswith(":memory:"):
        return url
    return prefix + str(project_dir(config_path) / rel)


def project_dir(config_path: Path) -> Path:
    """The project folder: the parent of the config file's folder when that is named `config/`
    (the layout of a checkout), else the config file's folder. Relative paths start here."""
    folder = config_path.resolve().parent
    return folder.parent if folder.name == "config" else folder
