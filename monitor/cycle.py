"""One monitoring cycle, in the order of the flow:

    crawl (Scrapy → trafilatura → store pipeline) → detect → events → outbox
        → digests → source-health notices → send

`Monitor` wires the parts from the config once; each step reads what the step before wrote to
the store, so any step can be re-run on its own. `newsmon run` and `newsmon crawl --once` run
the same `run_cycle`, so a cycle from cron sends digests and notices as the daemon does.

Detection does not wait for the crawl to end: while it runs, every
`operations.detect_during_crawl_seconds` the cycle detects what has been stored so far and
sends the alerts that queued, so a healthy source's news is not held back by the slowest
source's budget. Passes never overlap (each takes only articles not yet detected), and after the
crawl one more pass takes what the last batches stored.

Detect, events and outbox run per article in one transaction (`monitor.events.intake`): an
event and the alerts announcing it commit together, and an article that raises is recorded as
failed without stopping the others.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import TypeVar

from sqlalchemy import update
from sqlalchemy.exc import SQLAlchemyError

from monitor.alerts.channels.base import Channel
from monitor.alerts.digest import due_digests
from monitor.alerts.dispatch import Dispatcher, DispatchReport
from monitor.alerts.factory import build_channels, build_renderer
from monitor.alerts.policy import AlertPolicy
from monitor.alerts.render import Renderer
from monitor.alerts.source_health import Notice, queue_health_notices
from monitor.config.model import Config, SourceConfig, project_dir
from monitor.config.names import check_route_names
from monitor.crawl.due import due_sources, mark_started, record_crawl
from monitor.crawl.runner import CrawlBackend, CrawlStats, InProcessCrawl, scrapy_settings
from monitor.crawl.watchdog import StepAbandoned, Watchdog
from monitor.detect import Detector, LexiconError, load_lexicon
from monitor.errors import ConfigError
from monitor.events.intake import (
    DetectOutcome,
    detect_article,
    detect_pending,
    pending_articles,
    record_failure,
)
from monitor.store import Store
from monitor.store.models import CrawlRun

log = logging.getLogger(__name__)

_T = TypeVar("_T")
# A crawl past its time limit is asked to close its spiders; this long it may take to do so.
CRAWL_CLOSE_SECONDS = 60.0
# Articles detected per cycle at most, the passes during the crawl included; the rest wait for
# the next cycle.
DETECT_PER_CYCLE = 1000


@dataclass
class CycleReport:
    run_id: int
    sources: list[str]
    crawl: CrawlStats | None
    detected: list[DetectOutcome] = field(default_factory=list)
    # Articles whose detection or grouping raised in this cycle; recorded, not retried.
    failed: list[DetectOutcome] = field(default_factory=list)
    digests: int = 0
    notices: list[Notice] = field(default_factory=list)
    dispatch: DispatchReport = field(default_factory=DispatchReport)
    error: str | None = None

    @property
    def new_events(self) -> int:
        return sum(1 for d in self.detected if d.new_event)

    def add_outcomes(self, outcomes: Sequence[DetectOutcome]) -> None:
        self.detected += [o for o in outcomes if not o.failed]
        self.failed += [o for o in outcomes if o.failed]

    @property
    def attempted(self) -> int:
        """Articles this cycle has tried to detect so far, failures included."""
        return len(self.detected) + len(self.failed)


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
        lexicon = load_lexicon([base_dir / p for p in config.settings.detect.lexicon_files])
    except LexiconError as exc:
        raise ConfigError(str(config.path), "detect.lexicon_files", str(exc)) from None
    # A route can only match what the detector can name: its parties, and the states and
    # places it knows or a source covers.
    source_regions = {
        part.strip() for s in config.sources if s.region for part in s.region.split(",")
    }
    check_route_names(
        str(config.path),
        config.settings.alerts.routes,
        parties=[*lexicon.parties, *lexicon.alliances],
        regions=[*lexicon.places, *source_regions],
    )
    return Detector(lexicon)


class Monitor:
    def __init__(
        self,
        config: Config,
        *,
        store: Store | None = None,
        crawler: CrawlBackend | None = None,
        channels: dict[str, Channel] | None = None,
        detector: Detector | None = None,
        watchdog: Watchdog | None = None,
    ) -> None:
        settings = config.settings
        self.config = config
        self.watchdog = watchdog or Watchdog()
        # Articles whose detection failed or hung in this process: not tried again until a
        # restart, so one bad article costs one time limit, not one per cycle.
        self.failed_articles: set[int] = set()
        self._dispatching = asyncio.Lock()
        self.store = store or Store(settings.store.url)
        self.detector = detector or load_detector(config)
        self.channels = (
            channels
            if channels is not None
            else build_channels(
                settings.alerts.channels, project_dir(config.path), renderer=load_renderer(config)
            )
        )
        self.alert_policy = AlertPolicy.from_config(settings.alerts)
        self.dispatcher = Dispatcher(
            self.store,
            self.channels,
            settings.alerts.retry,
            routes=settings.alerts.routes,
            lease_seconds=settings.operations.alert_lease_seconds,
        )
        self.crawler = crawler or InProcessCrawl(
            scrapy_settings(settings.crawl, self.store.url), store=self.store
        )

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
            stats = await self._bounded_crawl(sources, run_id)
        except Exception as exc:
            self._finish_run(run_id, sources, None, error=f"{type(exc).__name__}: {exc}")
            raise
        self._finish_run(run_id, sources, stats)
        return run_id, stats

    async def _bounded_crawl(self, sources: Sequence[SourceConfig], run_id: int) -> CrawlStats:
        """The crawl under its time limit: past it the spiders are closed, and the crawl ends
        with what it stored (reason 'shutdown': the run counts as interrupted)."""
        limit = self.config.settings.operations.crawl_limit_seconds
        task = asyncio.ensure_future(
            self.crawler.crawl([s.spec() for s in sources], crawl_run_id=run_id)
        )
        try:
            # Shielded: on time-out the crawl is closed properly rather than cancelled.
            return await self.watchdog.run(
                "crawl", limit, asyncio.shield(task), subject=f"run {run_id}"
            )
        except StepAbandoned:
            try:
                await asyncio.wait_for(self.crawler.stop(), CRAWL_CLOSE_SECONDS)
                return await asyncio.wait_for(task, CRAWL_CLOSE_SECONDS)
            except TimeoutError:
                task.cancel()
                raise RuntimeError(
                    f"crawl run {run_id} ran past its {limit:g} s limit and did not close"
                ) from None

    def detect(self) -> list[DetectOutcome]:
        """Every pending article at once, in the calling thread (no time limits)."""
        return detect_pending(
            self.store,
            self.detector,
            self.alert_policy,
            min_score=self.config.settings.detect.min_score,
        )

    def queue_digests(self) -> int:
        """Queue each digest whose time has come; safe to call often (once per route and day)."""
        queued = due_digests(self.store, self.config.settings.alerts)
        if queued:
            log.info("%d digest(s) queued", queued)
        return queued

    def queue_health_notices(self) -> list[Notice]:
        """Judge every enabled source and queue a notice for each change of its health."""
        settings = self.config.settings
        return queue_health_notices(
            self.store,
            settings.operations,
            self.config.enabled_sources(),
            tuple(c.name for c in settings.alerts.channels),
        )

    async def detect_stored(self, most: int = DETECT_PER_CYCLE) -> list[DetectOutcome]:
        """Detect at most `most` pending articles one by one, each in a thread under the time
        limit; an article that raises or hangs is recorded as failed and the others go on."""
        limit = self.config.settings.operations.detect_limit_seconds
        min_score = self.config.settings.detect.min_score
        outcomes: list[DetectOutcome] = []
        for article_id in self.pending_articles(most):
            try:
                outcome = await self.watchdog.run_thread(
                    "detect",
                    limit,
                    detect_article,
                    self.store,
                    self.detector,
                    article_id,
                    self.alert_policy,
                    min_score,
                    subject=f"article {article_id}",
                )
            except SQLAlchemyError:
                raise  # the store's trouble, not the article's: the cycle fails
            except Exception as exc:  # the boundary, hangs included: one article stays alone
                outcome = self.article_failed(article_id, exc)
            outcomes.append(outcome)
        return outcomes

    def pending_articles(self, most: int = DETECT_PER_CYCLE) -> list[int]:
        if most <= 0:
            return []
        with self.store.session() as session:
            ids = pending_articles(session, most + len(self.failed_articles))
        return [i for i in ids if i not in self.failed_articles][:most]

    def article_failed(self, article_id: int, exc: Exception) -> DetectOutcome:
        """Record that an article's detection failed or hung; later cycles skip it. It is also
        kept aside in memory: a hung one's abandoned thread may still be running."""
        hung = isinstance(exc, StepAbandoned)
        log.error(
            "article %d: detection failed; skipped until retried: %s: %s",
            article_id,
            type(exc).__name__,
            exc,
            exc_info=None if hung else exc,
        )
        self.failed_articles.add(article_id)
        return record_failure(self.store, article_id, exc)

    async def dispatch(self) -> DispatchReport:
        """Send due alerts, in a thread under the dispatch time limit; one run at a time (a
        second caller waits for the running one, then sends what is due after it)."""
        limit = self.config.settings.operations.dispatch_limit_seconds
        async with self._dispatching:
            return await self.watchdog.run_thread("dispatch", limit, self.dispatcher.dispatch_due)

    @property
    def dispatching(self) -> bool:
        return self._dispatching.locked()

    async def dispatch_finished(self) -> None:
        """Return once no dispatch run is going on."""
        async with self._dispatching:
            pass

    async def run_cycle(self, sources: Sequence[SourceConfig] | None = None) -> CycleReport:
        sources = list(self.due_sources() if sources is None else sources)
        report = CycleReport(run_id=0, sources=[s.name for s in sources], crawl=None)
        sending: asyncio.Future[None] | None = None
        try:
            # crawl → store: the Scrapy pipeline stores each article as it is extracted, and
            # what is stored is detected and alerted while the crawl goes on.
            if sources:
                report.run_id, report.crawl, sending = await self.crawl_and_detect(sources, report)
            # detect → events → outbox, one article at a time off the loop, so the scheduler
            # and any health endpoint stay responsive meanwhile: what the crawl stored since
            # the last pass (or everything pending, when nothing was crawled).
            report.add_outcomes(await self.detect_stored(DETECT_PER_CYCLE - report.attempted))
        finally:
            if sending is not None:
                await sending
        # digests, then source-health notices; neither may keep the alerts from being sent.
        report.digests = _guarded("digests", self.queue_digests, 0)
        # A crawl cut short by a stop says nothing of its sources.
        if not (report.crawl is not None and report.crawl.cut_short):
            report.notices = _guarded("source-health check", self.queue_health_notices, [])
        # send
        try:
            report.dispatch.merge(await self.dispatch())
        except StepAbandoned as exc:
            # Leases keep the abandoned run's alerts from being sent twice meanwhile.
            report.error = str(exc)
        log.info(
            "cycle %d: %d sources, %d new articles, %d detections, %d failed, %d new events,"
            " %d alerts sent",
            report.run_id,
            len(sources),
            report.crawl.new_articles if report.crawl else 0,
            len(report.detected),
            len(report.failed),
            report.new_events,
            report.dispatch.sent,
        )
        return report

    async def crawl_and_detect(
        self, sources: Sequence[SourceConfig], report: CycleReport
    ) -> tuple[int, CrawlStats, asyncio.Future[None] | None]:
        """The crawl, and every `operations.detect_during_crawl_seconds` while it runs a pass
        of `detect_stored` over what it has stored so far; alerts a pass queued are sent at
        once, beside the crawl. Returns the run, its stats and the send still going on, if
        any (the caller awaits it; its figures go into `report.dispatch`).

        A pass that fails on the store ends the passes; the crawl is awaited all the same, so
        its run is recorded, and then the error is raised as it would have been after it."""
        every = self.config.settings.operations.detect_during_crawl_seconds
        crawl = asyncio.ensure_future(self.crawl(sources))
        sending: asyncio.Future[None] | None = None
        queued = False
        failure: Exception | None = None
        try:
            while every > 0 and not crawl.done():
                await asyncio.wait({crawl}, timeout=every)
                if crawl.done():
                    break
                outcomes = await self.detect_stored(DETECT_PER_CYCLE - report.attempted)
                report.add_outcomes(outcomes)
                queued = queued or any(o.alerts for o in outcomes)
                # One send at a time; what queued meanwhile goes with the next one.
                if queued and (sending is None or sending.done()):
                    sending, queued = asyncio.ensure_future(self._send_now(report)), False
        except Exception as exc:
            log.error(
                "detection during the crawl stopped, the crawl goes on: %s: %s",
                type(exc).__name__,
                exc,
            )
            failure = exc
        except BaseException:
            for task in (crawl, sending):
                if task is not None:
                    task.cancel()
            raise
        try:
            run_id, stats = await crawl
            if failure is not None:
                raise failure
        except Exception:
            if sending is not None:
                await sending
            raise
        return run_id, stats, sending

    async def _send_now(self, report: CycleReport) -> None:
        """Send what is due now, counted in the cycle's report; a failure is logged and left
        to the cycle's own send (or the next dispatch run) to retry."""
        try:
            report.dispatch.merge(await self.dispatch())
        except StepAbandoned:
            pass  # logged and counted by the watchdog; leases keep its alerts from doubling
        except Exception:
            log.exception("alert dispatch during the crawl failed")

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


def _guarded(step: str, run: Callable[[], _T], fallback: _T) -> _T:
    """Run one side step of the cycle; its failure is logged and the cycle goes on."""
    try:
        return run()
    except Exception:
        log.exception("%s failed; the cycle goes on", step)
        return fallback
