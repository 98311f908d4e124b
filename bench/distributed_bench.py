"""Cycle time of one crawl of N local sources: in-process executor vs. Celery workers.

One process (this one) serves N small news sites on N ports (`tests/sites/many.py`): robots.txt,
an RSS feed, a few article pages each. In the same run, on fresh PostgreSQL databases:

  1. in-process: `newsmon crawl --once` over all N sources (one Scrapy crawl, 2 extraction
     processes), timed by its crawl run;
  2. Celery, 1 worker (concurrency 2), then 2 workers (concurrency 2 each): the coordinator's
     tick enqueues all N; timed from the first task created to the last task finished;
  3. broker overhead per task: 40 tasks whose crawl is already done, so each costs the broker
     round trip, the fork of the crawl child, its lock and its look at the task row, no crawl.

    .venv/bin/python bench/distributed_bench.py [--sources 200] [--articles 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import create_engine, func, select, text

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from monitor.config.model import load_config  # noqa: E402
from monitor.cycle import Monitor  # noqa: E402
from monitor.distributed.coordinator import Coordinator  # noqa: E402
from monitor.store import Store  # noqa: E402
from monitor.store.models import CrawlRun, CrawlTask  # noqa: E402
from tests.sites.many import ManySites  # noqa: E402

PG = "postgresql://postgres@127.0.0.1:5432"
PY = str(ROOT / ".venv" / "bin" / "python")
# Tasks sent again for the overhead figure (a sample is enough: each costs the same).
OVERHEAD_TASKS = 40
# A stage that has not finished by then is reported as stuck rather than waited on forever.
STAGE_DEADLINE_S = 3600.0


def load() -> str:
    """The 1-, 5- and 15-minute load averages: the machine is shared, so every figure says it."""
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def check_articles(stage: str, stored: int, expected: int) -> None:
    # A crawl that stored nothing is fast; without this the bench would report it as a result.
    if stored != expected:
        raise SystemExit(f"{stage}: {stored} articles stored, expected {expected}")


def _admin(sql: str) -> None:
    engine = create_engine(PG.replace("postgresql:", "postgresql+psycopg:") + "/test",
                           isolation_level="AUTOCOMMIT")  # fmt: skip
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def fresh_db() -> str:
    name = f"newsmon_bench_{uuid.uuid4().hex[:8]}"
    _admin(f'CREATE DATABASE "{name}"')
    return f"{PG}/{name}"


def drop_db(url: str) -> None:
    _admin(f'DROP DATABASE IF EXISTS "{url.rsplit("/", 1)[1]}" WITH (FORCE)')


def write_config(tmp: Path, store: str, sites: ManySites, celery: bool) -> Path:
    tmp.mkdir(parents=True, exist_ok=True)
    run = uuid.uuid4().hex[:8]
    main: dict[str, Any] = {
        "store": {"url": store},
        "schedule": {"crawl_every_minutes": 600},
        "crawl": {"download_delay": 0, "autothrottle": False, "concurrency_per_domain": 2,
                  "concurrency": 32},
        "alerts": {"channels": [{"name": "log", "type": "file", "path": str(tmp / "a.jsonl")}]},
    }  # fmt: skip
    if celery:
        main["distributed"] = {
            "executor": "celery", "queue": f"bench-{run}", "key_prefix": f"bench-{run}:",
            "poll_seconds": 0.5, "retry_seconds": 1,
        }  # fmt: skip
    (tmp / "sources.yaml").write_text(
        # The sites are on loopback, which the address policy opens only on request.
        yaml.safe_dump(
            {"sources": [{**sites.source(n), "allow_private": True} for n in sites.names]}
        )
    )
    path = tmp / "newsmon.yaml"
    path.write_text(yaml.safe_dump(main))
    return path


def in_process(tmp: Path, sites: ManySites) -> dict[str, Any]:
    store = fresh_db()
    config = write_config(tmp, store, sites, celery=False)
    Store(store).dispose()  # migrate before timing
    load_before = load()
    started = time.monotonic()
    out = subprocess.run([PY, "-m", "monitor", "crawl", "--once", "--config", str(config)],
                         capture_output=True, text=True, check=True, cwd=ROOT)  # fmt: skip
    wall = time.monotonic() - started
    report = json.loads(out.stdout)
    s = Store(store, migrate=False)
    with s.session() as session:
        run = session.scalars(select(CrawlRun)).one()
        assert run.finished_at is not None, "the crawl run did not finish"
        crawl = (run.finished_at - run.started_at).total_seconds()
    s.dispose()
    drop_db(store)
    check_articles("in-process", report["new_articles"], len(sites.names) * sites.articles)
    return {
        "crawl_s": crawl,
        "wall_s": wall,
        "new_articles": report["new_articles"],
        "load_before": load_before,
        "load_after": load(),
    }


def _drain(proc: subprocess.Popen[str], ready: threading.Event) -> None:
    # Read the worker's log to its end: a pipe nobody reads fills up, and then the worker and
    # its crawls block on their next log line (the 200-source run stalled that way).
    assert proc.stderr is not None
    for line in proc.stderr:
        if " ready." in line:
            ready.set()


def start_workers(config: Path, n: int) -> list[subprocess.Popen[str]]:
    procs, ready = [], []
    for i in range(n):
        proc = subprocess.Popen(
            [PY, "-m", "monitor", "-v", "worker", "--config", str(config), "--name", f"b{i}@bench"],
            stderr=subprocess.PIPE, stdout=subprocess.DEVNULL, text=True, cwd=ROOT,
        )  # fmt: skip
        event = threading.Event()
        threading.Thread(target=_drain, args=(proc, event), daemon=True).start()
        procs.append(proc)
        ready.append(event)
    for proc, event in zip(procs, ready, strict=True):
        while not event.wait(1):
            if proc.poll() is not None:
                raise SystemExit(f"worker ended with status {proc.returncode} before it was ready")
    return procs


def stop(procs: list[subprocess.Popen[str]]) -> None:
    for proc in procs:
        proc.terminate()
    for proc in procs:
        proc.wait(timeout=120)


def celery_run(tmp: Path, sites: ManySites, workers: int) -> dict[str, Any]:
    store_url = fresh_db()
    config_path = write_config(tmp, store_url, sites, celery=True)
    config = load_config(config_path)
    store = Store(store_url)
    monitor = Monitor(config, store=store)
    coordinator = Coordinator(config.settings.distributed)
    procs = start_workers(config_path, workers)
    try:
        load_before = load()
        started = time.monotonic()
        sent_at = time.monotonic()
        asyncio.run(coordinator.tick(monitor))
        send_s = time.monotonic() - sent_at
        n = len(sites.names)
        while True:
            with store.session() as session:
                done = session.scalar(
                    select(func.count()).where(CrawlTask.status.in_(("done", "failed")))
                )
            if done == n:
                break
            if time.monotonic() - started > STAGE_DEADLINE_S:
                raise SystemExit(f"{workers} worker(s): {done} of {n} tasks done after an hour")
            time.sleep(0.2)
        cycle = time.monotonic() - started
        with store.session() as session:
            runs = list(session.scalars(select(CrawlRun)))
            articles = sum(r.articles_new for r in runs)
        per_source = statistics.median(
            (r.finished_at - r.started_at).total_seconds() for r in runs if r.finished_at
        )
        load_after = load()
        check_articles(f"{workers} worker(s)", articles, n * sites.articles)
        # Broker overhead: every task again, its row already done, so no crawl happens.
        with store.session() as session:
            ids = list(session.scalars(select(CrawlTask.id)))[:OVERHEAD_TASKS]
        overhead_started = time.monotonic()
        for task_id in ids:
            coordinator.sender.send(task_id, {"name": sites.names[0], "feeds": ["http://x/"]})
        from monitor.distributed.queue_stats import broker_queue_length

        while broker_queue_length(config.settings.distributed) > 0:
            time.sleep(0.1)
        # The last tasks taken are still running: wait for the workers to go idle.
        app = coordinator.sender.app  # type: ignore[attr-defined]
        while any((app.control.inspect(timeout=1).active() or {}).values()):
            time.sleep(0.1)
        overhead = (time.monotonic() - overhead_started) / len(ids)
    finally:
        stop(procs)
        store.dispose()
        drop_db(store_url)
    return {
        "cycle_s": cycle,
        "send_ms_per_task": send_s / n * 1000,
        "median_crawl_s_per_source": per_source,
        "overhead_s_per_task": overhead,
        "new_articles": articles,
        "load_before": load_before,
        "load_after": load_after,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--sources", type=int, default=200)
    parser.add_argument("--articles", type=int, default=3)
    parser.add_argument("--page-bytes", type=int, default=20000)
    args = parser.parse_args()
    results: dict[str, Any] = {"sources": args.sources, "articles_per_source": args.articles}
    with ManySites(args.sources, articles=args.articles, page_bytes=args.page_bytes) as sites, \
            tempfile.TemporaryDirectory() as tmp:  # fmt: skip
        base = Path(tmp)
        results["inprocess"] = in_process(base / "in", sites)
        print(json.dumps(results), flush=True)
        results["celery_1_worker"] = celery_run(base / "c1", sites, 1)
        print(json.dumps(results), flush=True)
        print(json.dumps(results), flush=True)
        results["celery_2_workers"] = celery_run(base / "c2", sites, 2)
    base_s = results["inprocess"]["crawl_s"]
    for key in ("celery_1_worker", "celery_2_workers"):
        results[key]["ratio_to_inprocess"] = results[key]["cycle_s"] / base_s
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main()
