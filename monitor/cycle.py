"""One monitoring cycle, in the order of the flow:

    crawl (Scrapy → trafilatura → store pipeline) → detect → events → outbox → send

`Monitor` wires the parts from the config once; each step reads what the step before wrote to
the store, so any step can be re-run on its own.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import update

from monitor.alerts.channels.base import Channel
from monitor.alerts.dispatch import Dispatcher, DispatchReport
from monitor.alerts.factory import build_channels, build_renderer
from monitor.alerts.policy import AlertPolicy
from monitor.alerts.render import Renderer
from monitor.config.model import Config, SourceConfig
from monitor.crawl.due import due_sources, mark_started, record_crawl
from monitor.crawl.runner import CrawlBackend, CrawlStats, InProcessCrawl, scrapy_settings
from monitor.detect import Detector, LexiconError, load_lexicon
from monitor.errors import ConfigError
from monitor.events.intake import DetectOutcome, detect_pending
from monitor.store import Store
from monitor.store.models import CrawlRun

log = logging.getLogger(__name__)


@dataclass
class CycleReport:
    run_id: int
    sources: list[str]
    crawl: CrawlStats | None
    detected: list[DetectOutcome] = field(default_factory=list)
    dispatch: DispatchReport = field(default_factory=DispatchReport)
    error: str | None = None

    @property
    def new_events(self) -> int:
        return sum(1 for d in self.detected if d.new_event)


def load_renderer(config: Config) -> Renderer:
    """The alert templates, the user's over the built-in ones; a broken one is a config error."""
    try:
        return build_renderer(config.settings.alerts, config.path.resolve().parent)
    except ValueError as exc:
        raise ConfigError(str(config.path), "alerts.templates", str(exc)) from None


def load_detector(config: Config) -> Detector:
    """The detector with the user's lexicon files merged in; a broken one is a config error."""
    base_dir = config.path.resolve().parent
    try:
        return Detector(load_lexicon([base_dir / p for p in config.settings.detect.lexicon_files]))
    except LexiconError as exc:
        raise ConfigError(str(config.path), "detect.lexicon_files", str(exc)) from None


class Monitor:
    def __init__(
        self,
        config: Config,
        *,
        store: Store | None = None,
        crawler: CrawlBackend | None = None,
        channels: dict[str, Channel] | None = None,
    ) -> None:
        settings = config.settings
        self.config = config
        self.store = store or Store(settings.store.url)
        base_dir = config.path.resolve().parent
        self.detector = load_detector(config)
        project_dir = base_dir.parent if base_dir.name == "config" else base_dir
        self.channels = (
            channels
            if channels is not None
            else build_channels(
                settings.alerts.channels, project_dir, renderer=load_renderer(config)
            )
        )
        self.alert_policy = AlertPolicy.from_config(settings.alerts)
        self.dispatcher = Dispatcher(
            self.store, self.channels, settings.alerts.retry, routes=settings.alerts.routes
        )
        self.crawler = crawler or InProcessCrawl(scrapy_settings(settings.crawl, self.store.url))

    # -- the steps -------------------------------------------------------------------------

    def due_sources(self, now: datetime | None = None) -> list[SourceConfig]:
        now = now or self.store.clock()
        with self.store.session() as session:
            return due_sources(
                session,
                self.config.enabled_sources(),
                default_minutes=self.config.settings.schedule.crawl_every_minutes,
                now=now,
            )

    async def crawl(self, sources: Sequence[SourceConfig]) -> tuple[int, CrawlStats]:
        run_id = self._start_run(sources)
        try:
            stats = await self.crawler.crawl([s.spec() for s in sources], crawl_run_id=run_id)
        except Exception as exc:
            self._finish_run(run_id, sources, None, error=f"{type(exc).__name__}: {exc}")
            raise
        self._finish_run(run_id, sources, stats)
        return run_id, stats

    def detect(self) -> list[DetectOutcome]:
        return detect_pending(
            self.store,
            self.detector,
            self.alert_policy,
            min_score=self.config.settings.detect.min_score,
        )

    async def dispatch(self) -> DispatchReport:
        # Channels block on network I/O; keep the reactor free while they do.
        return await asyncio.to_thread(self.dispatcher.dispatch_due)

    async def run_cycle(self, sources: Sequence[SourceConfig] | None = None) -> CycleReport:
        sources = list(self.due_sources() if sources is None else sources)
        report = CycleReport(run_id=0, sources=[s.name for s in sources], crawl=None)
        if sources:
            report.run_id, report.crawl = await self.crawl(sources)
        # Detection is CPU work over the store; off the loop, the scheduler and any health
        # endpoint stay responsive meanwhile.
        report.detected = await asyncio.to_thread(self.detect)
        report.dispatch = await self.dispatch()
        log.info(
            "cycle %d: %d sources, %d new articles, %d detections, %d new events, %d alerts sent",
            report.run_id,
            len(sources),
            report.crawl.new_articles if report.crawl else 0,
            len(report.detected),
            report.new_events,
            report.dispatch.sent,
        )
        return report

    # -- bookkeeping -----------------------------------------------------------------------

    def recover(self) -> int:
        """Mark crawl runs left 'running' by a killed process as interrupted."""
        now = self.store.clock()
        with self.store.session() as session:
            result = session.execute(
                update(CrawlRun)
                .where(CrawlRun.status == "running")
                .values(status="interrupted", finished_at=now)
            )
            return int(getattr(result, "rowcount", 0) or 0)

    def _start_run(self, sources: Sequence[SourceConfig]) -> int:
        now = self.store.clock()
        with self.store.session() as session:
            mark_started(session, sources, now=now)
            run = CrawlRun(
                started_at=now,
                status="running",
                sources=[s.name for s in sources],
                requests=0,
                bytes_received=0,
                articles_new=0,
                articles_seen=0,
                errors=0,
                stats={},
            )
            session.add(run)
            session.flush()
            return run.id

    def _finish_run(
        self,
        run_id: int,
        sources: Sequence[SourceConfig],
        stats: CrawlStats | None,
        *,
        error: str | None = None,
    ) -> None:
        now = self.store.clock()
        cut_short = stats is not None and stats.cut_short
        with self.store.session() as session:
            run = session.get(CrawlRun, run_id)
            if run is not None:
                run.finished_at = now
                run.status = "failed" if error else "interrupted" if cut_short else "finished"
                if stats is not None:
                    run.requests, run.bytes_received = stats.requests, stats.bytes_received
                    run.articles_new, run.articles_seen = stats.new_articles, stats.skipped_seen
                    run.errors, run.finish_reason = stats.errors, stats.finish_reason
                    run.stats = stats.raw
                else:
                    run.finish_reason = error
            record_crawl(session, sources, stats, now=now, error=error)
