"""`newsmon run` as a real child process: it crawls on schedule and stops cleanly on SIGTERM."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

from sqlalchemy import select

from monitor.demo.server import LocalSite
from monitor.demo.site import load_seed_articles, publish
from monitor.store import Store
from monitor.store.models import Article, CrawlRun
from tests.e2e.test_cycle import write_config

ROOT = Path(__file__).resolve().parents[2]


def read_until(proc: subprocess.Popen[str], needle: str, limit: int = 2000) -> list[str]:
    """Read the daemon's log lines until one contains `needle` (blocking reads, no sleeping)."""
    assert proc.stderr is not None
    seen: list[str] = []
    for _ in range(limit):
        line = proc.stderr.readline()
        if not line:
            break
        seen.append(line)
        if needle in line:
            return seen
    raise AssertionError(f"{needle!r} not logged; got:\n{''.join(seen[-40:])}")


def test_daemon_runs_a_cycle_and_stops_cleanly_on_sigterm(tmp_path: Path, sqlite_url: str) -> None:
    with LocalSite() as site:
        publish(site, load_seed_articles(ROOT / "seeds"))
        config = write_config(
            tmp_path, sqlite_url, site.base_url, "http://127.0.0.1:9/hook", ("127.0.0.1", 9)
        )
        proc = subprocess.Popen(
            [sys.executable, "-m", "monitor", "-v", "run", "--config", str(config)],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            env={**os.environ, "HOOK_SECRET": "x"},
        )
        try:
            read_until(proc, "cycle 1:")
            proc.send_signal(signal.SIGTERM)
            tail = read_until(proc, "stopped cleanly")
            assert proc.wait(timeout=30) == 0, "".join(tail)
        finally:
            if proc.poll() is None:
                proc.kill()
                proc.wait()
    store = Store(sqlite_url)
    with store.session() as s:
        runs = list(s.scalars(select(CrawlRun)))
        assert [r.status for r in runs] == ["finished"]
        assert len(list(s.scalars(select(Article)))) == 5
    store.dispose()
