"""`newsmon status`: last cycles, per-source health, the outbox, and whether a daemon runs."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

from monitor.commands.status import show_status
from monitor.ops.lock import StoreLock
from monitor.store import Store
from monitor.store.models import Alert, CrawlRun, Source
from tests.cli_helpers import newsmon
from tests.faults.config import write_config

T0 = datetime(2026, 1, 5, 6, 0, tzinfo=UTC)


def fill(store: Store) -> None:
    with store.session() as s:
        s.add(
            Source(
                name="alpha",
                created_at=T0,
                last_crawl_at=T0,
                last_success_at=T0,
                last_new_article_at=T0,
                consecutive_failures=0,
                health="ok",
            )
        )
        s.add(
            Source(
                name="beta",
                created_at=T0,
                last_crawl_at=T0,
                consecutive_failures=4,
                last_error="feed http://b/f: HTTP 503",
                health="failing",
            )
        )
        s.add(
            CrawlRun(
                started_at=T0,
                finished_at=T0 + timedelta(seconds=12),
                status="finished",
                sources=["alpha", "beta"],
                requests=9,
                bytes_received=1,
                articles_new=3,
                articles_seen=0,
                errors=1,
                stats={
                    "newsmon/source/beta/cut_off": 1,
                    "newsmon/source/beta/cut_off_reason": "time budget of 300 s spent",
                },
            )
        )
        for i, state in enumerate(("pending", "sent", "sent", "failed")):
            s.add(Alert(event_id=None, channel="hook", kind="operator", idempotency_key=f"k{i}",
                        payload={}, status=state, attempts=8 if state == "failed" else 1,
                        last_error="http 500" if state == "failed" else None,
                        next_attempt_at=T0, created_at=T0))  # fmt: skip


def test_status_shows_cycles_sources_and_outbox(tmp_path: Path, store_url: str) -> None:
    sources = [{"name": n, "feeds": [f"http://{n}/f"]} for n in ("alpha", "beta", "gamma")]
    config = write_config(tmp_path, store_url, sources, alert_log=tmp_path / "a.jsonl")
    store = Store(store_url)
    fill(store)
    store.dispose()

    out = io.StringIO()
    show_status(config, True, out)
    status = json.loads(out.getvalue())
    assert status["daemon"] == {"running": False, "pid": None}
    [cycle] = status["cycles"]
    assert (cycle["status"], cycle["seconds"], cycle["new_articles"]) == ("finished", 12.0, 3)
    by_name = {s["name"]: s for s in status["sources"]}
    assert by_name["alpha"]["health"] == "ok"
    assert by_name["beta"]["health"] == "failing"
    assert by_name["beta"]["consecutive_failures"] == 4
    assert by_name["gamma"]["health"] == "new"  # configured, never crawled
    assert by_name["beta"]["cut_off"] == "time budget of 300 s spent"
    assert by_name["alpha"]["cut_off"] is None
    alerts = status["alerts"]
    assert (alerts["pending"], alerts["sent"], alerts["failed"]) == (1, 2, 1)
    assert alerts["recent_failed"][0]["last_error"] == "http 500"

    out = io.StringIO()
    show_status(config, False, out)
    text = out.getvalue()
    assert "daemon: not running" in text
    assert "beta" in text and "failing" in text and "HTTP 503" in text
    assert "cut off in the last cycle: time budget of 300 s spent" in text
    assert "1 pending, 1 failed, 2 sent" in text


def test_status_command_names_the_running_daemon(tmp_path: Path, sqlite_url: str) -> None:
    config = write_config(tmp_path, sqlite_url, [], alert_log=tmp_path / "a.jsonl")
    lock = StoreLock(sqlite_url)
    lock.acquire()  # as a running daemon holds it
    try:
        result = newsmon("status", "--json", "--config", str(config), timeout=60)
    finally:
        lock.release()
    assert result.returncode == 0, result.stderr
    status = json.loads(result.stdout)
    assert status["daemon"]["running"] is True
    assert status["cycles"] == [] and status["sources"] == []
    # Status only reads: the store nobody has used yet is reported, not created.
    assert status["store"].endswith("(not created yet)")
    assert not Path(sqlite_url.removeprefix("sqlite:///")).exists()
