"""`newsmon sources check`: does each source's discovery answer, and with what.

One line per source, then one per feed, sitemap or listing page:

    OK    prabhatkhabar  hi  Jharkhand  2/2 answered, 143 article URLs, newest 2024-02-08 10:15
          feed     https://…/rss.xml  HTTP 200, 50 URLs, newest 2024-02-08 10:15
    FAIL  lagatar ...

A source is OK when every URL answered and lists articles, WARN when some did, FAIL when none
did. Any URL that fails makes the command exit 1, so a broken config entry is noticed.
"""

from __future__ import annotations

from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from pathlib import Path
from typing import TextIO

from crawler import settings as crawler_defaults
from monitor.commands.terminal import progress
from monitor.config.model import SourceConfig, load_config
from monitor.crawl.probe import Probe, Prober
from monitor.errors import NewsmonError

# Sources are checked side by side; each source's URLs one after another, to stay polite.
PARALLEL_SOURCES = 8
MAX_TIMEOUT = 20.0


def check_sources(config_path: Path, names: Sequence[str], out: TextIO) -> bool:
    config = load_config(config_path)
    sources = list(config.sources)
    if names:
        known = {source.name for source in sources}
        unknown = [name for name in names if name not in known]
        if unknown:
            raise NewsmonError(f"unknown source(s): {', '.join(unknown)}")
        sources = [source for source in sources if source.name in names]
    crawl = config.settings.crawl
    prober = Prober(
        crawl.user_agent or crawler_defaults.USER_AGENT,
        timeout=min(crawl.download_timeout, MAX_TIMEOUT),
        max_bytes=crawl.max_page_bytes,
    )
    try:
        with (
            ThreadPoolExecutor(max_workers=PARALLEL_SOURCES) as pool,
            progress(len(sources), "checking sources") as advance,
        ):
            results = []
            for probes in pool.map(lambda s: prober.probe_source(s.spec()), sources):
                results.append(probes)
                advance()
    finally:
        prober.close()
    all_ok = True
    for source, probes in zip(sources, results, strict=True):
        out.write(_source_line(source, probes) + "\n")
        for probe in probes:
            out.write(_probe_line(probe) + "\n")
        all_ok = all_ok and all(probe.ok for probe in probes)
    failed = sum(1 for probes in results if not all(p.ok for p in probes))
    out.write(f"{len(sources)} sources checked, {failed} with failures\n")
    return all_ok


def _source_line(source: SourceConfig, probes: list[Probe]) -> str:
    answered = sum(1 for p in probes if p.ok)
    verdict = "OK" if answered == len(probes) else ("WARN" if answered else "FAIL")
    if not source.enabled:
        verdict += " (disabled)"
    articles = sum(p.articles for p in probes)
    dates = [p.newest for p in probes if p.newest is not None]
    newest = _when(max(dates)) if dates else "no dates"
    return (
        f"{verdict:<5} {source.name}  {source.lang or '-'}  {source.region or '-'}  "
        f"{answered}/{len(probes)} answered, {articles} article URLs, newest {newest}"
    )


def _probe_line(probe: Probe) -> str:
    if not probe.ok:
        return f"      {probe.kind:<8} {probe.url}  FAILED: {probe.detail}"
    newest = _when(probe.newest) if probe.newest else "no dates"
    counts = f"{probe.detail}, {probe.articles} URLs, newest {newest}"
    return f"      {probe.kind:<8} {probe.url}  {counts}"


def _when(moment: datetime) -> str:
    age = datetime.now(UTC) - moment
    hours = age.total_seconds() / 3600
    ago = f"{hours:.0f} h ago" if hours < 72 else f"{hours / 24:.0f} days ago"
    return f"{moment.astimezone(UTC).strftime('%Y-%m-%d %H:%M')} UTC ({ago})"
