"""One crawl of one source, in a process of its own (Twisted's reactor cannot be restarted).

`crawl_one` is the child's whole life: take the source's lock, claim the task row, crawl with
the same in-process crawl and store pipeline `newsmon run` uses, record the crawl and the task's
end in one transaction, exit. Its exit status tells the worker what happened.
"""

from __future__ import annotations

import logging
import os
import select
import signal
import sys
import threading
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy.exc import SQLAlchemyError

from monitor.config.model import Settings, SourceConfig
from monitor.distributed.source_lock import SourceLock
from monitor.errors import NewsmonError, first_line
from monitor.store import Store
from monitor.store.models import CrawlRun, CrawlTask

if TYPE_CHECKING:
    from monitor.crawl.runner import CrawlStats

log = logging.getLogger(__name__)

EXIT_DONE = 0
EXIT_FAILED = 1
# sysexits.h: the store cannot be reached / try again later (the source is being crawled, or
# this crawl was stopped before it ended).
EXIT_STORE_DOWN = 69
EXIT_BUSY = 75
# Scrapy, its components and trafilatura are imported once by the fork server, so a crawl is a
# cheap fork (measured: importing them costs seconds of CPU per process). None of these installs
# a Twisted reactor: each child installs its own, after the fork. This module imports the crawl
# only inside its functions, so the worker itself, which only starts children, never loads it.
PRELOAD = [
    "monitor.distributed.child",
    "monitor.crawl.reactor",
    "monitor.crawl.due",
    "monitor.crawl.runner",
    "crawler.spiders.news",
    "crawler.middlewares",
    "monitor.crawl.scrapy_store",
    "monitor.crawl.conditional_get",
    "trafilatura",
    "aiohttp",
    "tldextract",
    "protego",
    "twisted.web.client",
    *(
        f"scrapy.{name}"
        for name in (
            "crawler", "core.engine", "core.scraper", "core.downloader",
            "core.downloader.handlers.http11", "dupefilters", "pqueues", "squeues", "robotstxt",
            "resolver", "logformatter", "utils.request", "spidermiddlewares.depth",
            "spidermiddlewares.referer", "spidermiddlewares.urllength", "spidermiddlewares.start",
            "downloadermiddlewares.cookies", "downloadermiddlewares.defaultheaders",
            "downloadermiddlewares.downloadtimeout", "downloadermiddlewares.httpauth",
            "downloadermiddlewares.httpcache", "downloadermiddlewares.httpcompression",
            "downloadermiddlewares.httpproxy", "downloadermiddlewares.offsite",
            "downloadermiddlewares.redirect", "downloadermiddlewares.retry",
            "downloadermiddlewares.robotstxt", "downloadermiddlewares.stats",
            "downloadermiddlewares.useragent", "extensions.closespider", "extensions.corestats",
            "extensions.feedexport", "extensions.logstats", "extensions.memusage",
            "extensions.telnet", "extensions.throttle", "extensions.spiderstate",
            "extensions.remote_control",
        )
    ),
]  # fmt: skip
TASK_HEADER = "X-Newsmon-Task"


def die_with(pid: int) -> None:
    """End this process the moment process `pid` (its worker) ends, even by SIGKILL.

    The child is forked by the fork server, not by the worker, so the kernel's parent-death
    signal would wait for the fork server; a pidfd on the worker is exact. A killed worker thus
    leaves no crawl running on behind its back.
    """
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        os._exit(EXIT_FAILED)  # the worker is already gone

    def watch() -> None:
        select.select([fd], [], [])
        os.kill(os.getpid(), signal.SIGKILL)

    threading.Thread(target=watch, name="worker-watch", daemon=True).start()


def ready() -> None:
    """A no-op child: forking it makes the fork server finish its imports before any task."""


def crawl_one(
    settings: Settings, task_id: int, source: dict[str, Any], worker: str, worker_pid: int
) -> None:
    """`settings` are the worker's, sent along with the task: reading the config here instead
    would parse the whole sources file for every task (0.3 s at 200 sources, in each child)."""
    die_with(worker_pid)
    logging.basicConfig(
        level=logging.INFO,
        stream=sys.stderr,
        format=f"%(asctime)s %(levelname)s [{worker} crawl {task_id}] %(name)s: %(message)s",
    )
    for name in ("scrapy", "trafilatura", "htmldate"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    try:
        code = _crawl(settings, task_id, SourceConfig.model_validate(source), worker)
    except NewsmonError as exc:
        log.error("crawl task %d cannot start: %s", task_id, exc)
        code = EXIT_FAILED
    except KeyboardInterrupt:  # SIGTERM from the worker (time limit, shutdown) before the end
        log.warning("crawl task %d was stopped", task_id)
        code = EXIT_FAILED
    sys.stdout.flush()
    os._exit(code)  # no atexit of the fork server's imports, no second flush of its buffers


def _crawl(settings: Settings, task_id: int, source: SourceConfig, worker: str) -> int:
    from monitor.crawl import reactor
    from monitor.crawl.runner import InProcessCrawl, scrapy_settings

    url = settings.store.url
    lock = SourceLock(url, source.name)
    try:
        if not lock.acquire():
            log.info("source %s is being crawled elsewhere; task %d waits", source.name, task_id)
            return EXIT_BUSY
    except (SQLAlchemyError, OSError) as exc:
        log.warning("store unreachable, task %d will retry: %s", task_id, first_line(exc))
        lock.release()
        return EXIT_STORE_DOWN
    store = Store(url, migrate=False)
    try:
        run_id = _claim(store, task_id, source, worker)
        if run_id is None:
            log.info("task %d was finished by an earlier delivery; nothing to do", task_id)
            return EXIT_DONE
        crawl = settings.crawl.model_copy(update={"extract_processes": 0})
        scrapy = scrapy_settings(crawl, url)
        scrapy["DEFAULT_REQUEST_HEADERS"] = {
            **_default_headers(),
            TASK_HEADER: f"{task_id}.{os.getpid()}",
        }

        async def one() -> CrawlStats:
            return await InProcessCrawl(scrapy).crawl([source.spec()], crawl_run_id=run_id)

        stats = reactor.run(one)
        _finish(store, task_id, run_id, source, stats)
        if stats.cut_short:
            log.warning(
                "crawl of %s was stopped before it ended; task %d will retry", source.name, task_id
            )
            return EXIT_BUSY
        log.info(
            "source %s crawled: %d requests, %d new articles",
            source.name,
            stats.requests,
            stats.new_articles,
        )
        return EXIT_DONE
    except (SQLAlchemyError, OSError) as exc:
        # Each article is its own transaction and the crawl's end is one more: what is stored
        # is whole, the rest is fetched again by the retry.
        log.warning("store lost during task %d, it will retry: %s", task_id, first_line(exc))
        return EXIT_STORE_DOWN
    finally:
        store.dispose()
        lock.release()


def _default_headers() -> dict[str, str]:
    from scrapy.settings import Settings

    base = Settings()
    base.setmodule("crawler.settings", priority="project")
    return dict(base.getdict("DEFAULT_REQUEST_HEADERS"))


def _now() -> datetime:
    return datetime.now(UTC)


def _claim(store: Store, task_id: int, source: SourceConfig, worker: str) -> int | None:
    """Mark the task running on this worker and open its crawl run; None if already finished."""
    from monitor.crawl.due import mark_started

    now = _now()
    with store.session() as session:
        row = session.get(CrawlTask, task_id, with_for_update=True)
        if row is None or row.status in ("done", "failed"):
            return None
        if row.crawl_run_id is not None:
            # An earlier delivery died mid-crawl (its lock is free, or we would not be here).
            earlier = session.get(CrawlRun, row.crawl_run_id)
            if earlier is not None and earlier.status == "running":
                earlier.status, earlier.finished_at = "interrupted", now
        mark_started(session, [source], now=now)
        run = CrawlRun(
            started_at=now,
            status="running",
            sources=[source.name],
            requests=0,
            bytes_received=0,
            articles_new=0,
            articles_seen=0,
            errors=0,
            stats={"worker": worker},
        )
        session.add(run)
        session.flush()
        row.status, row.worker, row.started_at, row.updated_at = "running", worker, now, now
        row.attempts += 1
        row.crawl_run_id, row.error = run.id, None
        return run.id


def _finish(
    store: Store, task_id: int, run_id: int, source: SourceConfig, stats: CrawlStats
) -> None:
    """The crawl run, the source's bookkeeping and the task's end: one transaction."""
    from monitor.crawl.due import record_crawl

    now = _now()
    with store.session() as session:
        run = session.get(CrawlRun, run_id)
        if run is not None:
            run.finished_at = now
            run.status = "interrupted" if stats.cut_short else "finished"
            run.requests, run.bytes_received = stats.requests, stats.bytes_received
            run.articles_new, run.articles_seen = stats.new_articles, stats.skipped_seen
            run.errors, run.finish_reason = stats.errors, stats.finish_reason
            run.stats = {**stats.raw, **(run.stats or {})}
        record_crawl(session, [source], stats, now=now)
        row = session.get(CrawlTask, task_id)
        if row is not None:
            row.status = "retrying" if stats.cut_short else "done"
            row.finished_at = None if stats.cut_short else now
            row.updated_at, row.articles_new = now, stats.new_articles
