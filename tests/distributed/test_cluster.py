"""A coordinator, two Celery workers, Redis and PostgreSQL on localhost, 20 local sites.

One worker is killed with SIGKILL while it holds a crawl open in the middle (a gated page):
its source is crawled again by the other worker, every article is stored once, every alert is
sent once, and the sites' own request logs show no two crawls of one site at the same time.
"""

from __future__ import annotations

import io
import itertools
import signal
import urllib.request
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy import func, select

from monitor.commands.status import show_status
from monitor.store import Store
from monitor.store.models import Alert, Article, CrawlTask, Detection
from tests.distributed.helpers import (
    coordinator,
    distributed_config,
    free_port,
    wait_for,
    worker,
)
from tests.faults.config import read_alert_log
from tests.sites.many import ManySites

pytestmark = pytest.mark.postgres

SOURCES = 20
# One article a site is enough: the gate holds all of a site's article pages at once, so the
# killed crawl stores nothing either way, and "every article once" is counted over 20 sites.
ARTICLES = 1
GATED = "site007"


def _tasks(store: Store) -> list[CrawlTask]:
    with store.session() as s:
        return list(s.scalars(select(CrawlTask).order_by(CrawlTask.id)))


def test_two_workers_one_killed_mid_crawl(tmp_path: Path, pg_url: str) -> None:
    alert_log = tmp_path / "alerts.jsonl"
    port = free_port()
    with ManySites(SOURCES, articles=ARTICLES) as sites:
        sites.gated.add(GATED)
        config = distributed_config(
            tmp_path,
            pg_url,
            [sites.source(n) for n in sites.names],
            alert_log=alert_log,
            health={"listen": f"127.0.0.1:{port}"},
        )
        # The three processes start together: the workers' imports and fork servers take most
        # of the start-up, and the coordinator's first tasks wait in the broker meanwhile.
        with (
            worker(config, "w1@test") as w1,
            worker(config, "w2@test") as w2,
            coordinator(config) as coord,
        ):
            coord.read_until("crawling on Celery workers")
            store = Store(pg_url, migrate=False)
            procs = {"w1@test": w1, "w2@test": w2}
            assert sites.gate_reached.wait(90), "".join(coord.lines[-30:])
            gated = wait_for(
                "the gated source to be running",
                lambda: next(
                    (t for t in _tasks(store) if t.source == GATED and t.status == "running"),
                    None,
                ),
            )
            victim = gated.worker
            assert victim in procs
            procs[victim].kill()
            sites.gate_open.set()  # the killed crawl's request ends now, before any retry

            def finished() -> bool:
                tasks = _tasks(store)
                done = {t.source for t in tasks if t.status == "done"}
                with store.session() as s:
                    pending = s.scalar(select(func.count()).where(Alert.status == "pending"))
                    undetected = s.scalar(select(func.count()).where(Article.detected_at.is_(None)))
                return len(done) == SOURCES and pending == 0 and undetected == 0

            wait_for("every source crawled, detected and alerted", finished, timeout=120)
            status = io.StringIO()
            show_status(config, False, status)
            metrics = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics").read().decode()
            coord.signal(signal.SIGTERM)
            assert coord.wait() == 0

    survivor = next(n for n in procs if n != victim)
    tasks = _tasks(store)
    with store.session() as s:
        urls = list(s.scalars(select(Article.canonical_url)))
        detected = list(s.scalars(select(Detection.article_id)))
        undetected = s.scalar(select(func.count()).where(Article.detected_at.is_(None)))
        alerts = list(s.scalars(select(Alert).where(Alert.kind != "operator")))
    store.dispose()

    # Every article stored once, and detected once.
    expected = {sites.base_url(n) + p for n in sites.names for p in sites.article_paths(n)}
    assert len(urls) == len(set(urls)) and set(urls) == expected
    assert len(detected) == len(set(detected)) and undetected == 0
    # The killed worker's source was crawled again, by the other worker.
    redo = [t for t in tasks if t.source == GATED]
    assert [t.status for t in redo] == ["done"] and redo[0].worker == survivor, [
        (t.id, t.status, t.worker, t.attempts, t.sends, t.created_at, t.started_at, t.finished_at)
        for t in redo
    ]
    assert redo[0].attempts >= 2
    assert len(sites.crawls(GATED)) >= 2
    # Every alert sent once: delivered under its own key, none twice.
    assert alerts and {a.status for a in alerts} == {"sent"}
    delivered = Counter(line["alert_id"] for line in read_alert_log(alert_log))
    assert set(delivered) == {a.idempotency_key for a in alerts}
    assert set(delivered.values()) == {1}
    # No site was ever crawled by two processes at once (the sites' request logs).
    for name in sites.names:
        spans = sorted(sites.crawls(name).values())
        for (_, end), (start, _) in itertools.pairwise(spans):
            assert start >= end, f"two crawls of {name} overlapped: {spans}"
        assert all(v.task for v in sites.visits_of(name)), "a request came from outside a task"

    assert "broker up" in status.getvalue() and f"{survivor:<28} 0 running" in status.getvalue()
    assert 'newsmon_worker_tasks{status="done",worker="' + survivor + '"}' in metrics
    assert 'newsmon_crawl_tasks{status="running"} 0.0' in metrics
