"""`newsmon run` as a real child process: it crawls on schedule and stops cleanly on SIGTERM."""

from __future__ import annotations

import signal
from pathlib import Path

from sqlalchemy import select

from monitor.demo.server import LocalSite
from monitor.demo.site import load_seed_articles, publish
from monitor.store import Store
from monitor.store.models import Article, CrawlRun
from tests.e2e.test_cycle import write_config
from tests.faults.proc import ROOT, DaemonProcess


def test_daemon_runs_a_cycle_and_stops_cleanly_on_sigterm(tmp_path: Path, sqlite_url: str) -> None:
    with LocalSite() as site:
        publish(site, load_seed_articles(ROOT / "seeds"))
        config = write_config(
            tmp_path, sqlite_url, site.base_url, "http://127.0.0.1:9/hook", ("127.0.0.1", 9)
        )
        with DaemonProcess(config, env={"HOOK_SECRET": "x"}) as daemon:
            started = daemon.read_until("cycle 1:")
            # -v shows newsmon's progress, not alembic listing its plugins on every start.
            assert not [line for line in started if "alembic.runtime.plugins" in line], started
            daemon.signal(signal.SIGTERM)
            tail = daemon.read_until("stopped cleanly")
            assert daemon.wait(timeout=30) == 0, "".join(tail)
    store = Store(sqlite_url)
    with store.session() as s:
        runs = list(s.scalars(select(CrawlRun)))
        assert [r.status for r in runs] == ["finished"]
        assert len(list(s.scalars(select(Article)))) == 5
    store.dispose()
