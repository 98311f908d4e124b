"""`newsmon worker`: a Celery worker whose tasks each crawl one source in a child process.

The worker's pool is threads: a task only waits on its child, which does the work. Children are
forked from a fork server that has imported Scrapy and trafilatura once, so a crawl costs a fork
instead of seconds of imports; each child watches its worker's pidfd and dies with it, so a
killed worker leaves nothing crawling behind it.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
from dataclasses import dataclass
from datetime import UTC, datetime
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

from sqlalchemy import update

from monitor.config.distributed import DistributedConfig
from monitor.config.model import Config, SourceConfig, load_config
from monitor.distributed import child
from monitor.errors import NewsmonError
from monitor.store import Store
from monitor.store.models import CrawlRun, CrawlTask

log = logging.getLogger(__name__)

# After SIGTERM, how long a crawl past its time limit may take to close its spiders.
STOP_GRACE_SECONDS = 15


@dataclass
class _Worker:
    config: Config
    mp: BaseContext
    store: Store

    @property
    def dist(self) -> DistributedConfig:
        return self.config.settings.distributed


_WORKER: _Worker | None = None


def run_task(task_id: int, source: dict[str, Any], hostname: str) -> tuple[str, float | None]:
    """Crawl in a child; ("done" | "failed" | "retry", seconds to wait before the retry)."""
    worker = _WORKER
    if worker is None:
        raise RuntimeError("run_task outside `newsmon worker`")
    name = str(source.get("name"))
    proc: Any = worker.mp.Process(  # type: ignore[attr-defined]
        target=child.crawl_one,
        args=(worker.config.settings, task_id, source, hostname, os.getpid()),
        name=f"crawl-{name}",
    )
    proc.start()
    proc.join(worker.dist.crawl_time_limit_seconds)
    if proc.is_alive():
        log.warning("crawl of %s passed its time limit; stopping it", name)
        proc.terminate()  # Scrapy closes its spiders; what is stored stays stored
        proc.join(STOP_GRACE_SECONDS)
        if proc.is_alive():
            proc.kill()
            proc.join()
        return _failed(worker, task_id, source, "crawl passed distributed.crawl_time_limit_seconds")
    code = proc.exitcode
    if code == child.EXIT_DONE:
        return "done", None
    if code == child.EXIT_BUSY:
        return "retry", worker.dist.retry_seconds
    if code == child.EXIT_STORE_DOWN:
        _note(worker, task_id, "retrying", "the store could not be reached; retrying")
        return "retry", worker.dist.retry_seconds
    return _failed(worker, task_id, source, f"crawl process ended with status {code}")


def _now() -> datetime:
    return datetime.now(UTC)


def _note(worker: _Worker, task_id: int, status: str, error: str) -> bool:
    try:
        with worker.store.session() as session:
            session.execute(
                update(CrawlTask)
                .where(CrawlTask.id == task_id)
                .where(CrawlTask.status.not_in(("done", "failed")))
                .values(status=status, error=error, updated_at=_now())
            )
        return True
    except Exception as exc:
        log.warning("task %d: could not record %r (%s)", task_id, status, exc)
        return False


def _failed(
    worker: _Worker, task_id: int, source: dict[str, Any], error: str
) -> tuple[str, float | None]:
    """Record a failed crawl against its source (so it backs off) and end the task; if the store
    cannot take that, retry instead: a failure nobody recorded would leave the source stuck."""
    from monitor.crawl.due import record_crawl  # the crawl's modules stay out of the worker

    log.error("task %d (%s) failed: %s", task_id, source.get("name"), error)
    now = _now()
    try:
        with worker.store.session() as session:
            record_crawl(session, [SourceConfig.model_validate(source)], None, now=now, error=error)
            row = session.get(CrawlTask, task_id)
            if row is not None:
                row.status, row.error, row.finished_at, row.updated_at = "failed", error, now, now
                run = session.get(CrawlRun, row.crawl_run_id) if row.crawl_run_id else None
                if run is not None and run.status == "running":
                    run.status, run.finished_at, run.finish_reason = "failed", now, error[:100]
    except Exception as exc:
        log.warning("task %d: the failure could not be recorded (%s); retrying", task_id, exc)
        return "retry", worker.dist.retry_seconds
    return "failed", None


def start_worker(
    config_path: Path,
    *,
    concurrency: int | None,
    queue: str | None,
    hostname: str | None,
    loglevel: str,
) -> None:
    """Run a Celery worker until it is stopped (SIGTERM: finish running crawls, then exit)."""
    global _WORKER
    config = load_config(config_path)
    dist = config.settings.distributed
    if not dist.celery:
        raise NewsmonError(
            f"{config.path}: distributed.executor is {dist.executor!r}; "
            "set it to celery to run workers"
        )
    from multiprocessing import forkserver

    from monitor.distributed.app import make_app

    mp = multiprocessing.get_context("forkserver")
    mp.set_forkserver_preload(child.PRELOAD)
    forkserver.ensure_running()  # before Celery starts its threads
    # The fork server imports Scrapy and trafilatura when first asked for a child: ask now, so
    # the first task does not pay for it.
    warm = mp.Process(target=child.ready)
    warm.start()
    warm.join()
    _WORKER = _Worker(config, mp, Store(config.settings.store.url, migrate=False))
    app = make_app(dist, run_task)
    argv = [
        "worker",
        "--pool=threads",
        f"--concurrency={concurrency or dist.worker_concurrency}",
        f"--queues={queue or dist.queue}",
        f"--loglevel={loglevel}",
        "--without-mingle",
        "--without-gossip",
    ]
    if hostname:
        argv.append(f"--hostname={hostname}")
    log.info("newsmon worker: queue %s, broker %s", queue or dist.queue, _redacted(dist.broker_url))
    app.worker_main(argv)


def _redacted(url: str) -> str:
    from kombu.utils.url import maybe_sanitize_url

    return str(maybe_sanitize_url(url))
