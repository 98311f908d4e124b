"""One daemon per store: the lock on SQLite and PostgreSQL, and `newsmon run` refusing a second."""

from __future__ import annotations

import os
import signal
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import text

from monitor.demo.server import LocalSite
from monitor.ops.lock import AlreadyRunning, Holder, LockUnavailable, StoreLock, holder
from tests.cli_helpers import newsmon
from tests.faults.config import demo_source, write_config
from tests.faults.proc import DaemonProcess


def test_a_second_lock_on_sqlite_is_refused_and_names_the_holder(sqlite_url: str) -> None:
    first = StoreLock(sqlite_url)
    first.acquire()
    with pytest.raises(AlreadyRunning, match=rf"pid {os.getpid()}\b.*is locked"):
        StoreLock(sqlite_url).acquire()
    assert holder(sqlite_url) == Holder(running=True, pid=os.getpid())
    first.release()
    assert holder(sqlite_url).running is False
    again = StoreLock(sqlite_url)
    again.acquire()
    again.release()


@pytest.mark.postgres
def test_a_second_lock_on_postgresql_is_refused(pg_url: str) -> None:
    first = StoreLock(pg_url)
    first.acquire()
    assert first.verify()
    with pytest.raises(AlreadyRunning, match="advisory lock is held"):
        StoreLock(pg_url).acquire()
    assert holder(pg_url).running is True
    first.release()
    assert holder(pg_url).running is False
    again = StoreLock(pg_url)
    again.acquire()
    again.release()


def _drop_lock_session(pg_admin: Any, database: str) -> None:
    """What a server restart does to the daemon: the session holding the lock is gone."""
    with pg_admin.connect() as conn:
        dropped = conn.execute(
            text(
                "SELECT pg_terminate_backend(l.pid) FROM pg_locks l JOIN pg_database d"
                " ON d.oid = l.database WHERE l.locktype = 'advisory' AND d.datname = :db"
            ),
            {"db": database},
        ).all()
    assert dropped == [(True,)]


@pytest.mark.postgres
def test_a_postgresql_lock_lost_with_its_session_is_taken_again_or_given_up(
    pg_url: str, pg_admin: Any
) -> None:
    database = pg_url.rsplit("/", 1)[1]
    lock = StoreLock(pg_url)
    lock.acquire()
    _drop_lock_session(pg_admin, database)
    assert holder(pg_url).running is False
    assert lock.verify(), "the lock should be taken again on a new session"
    assert holder(pg_url).running is True

    # Lost again, and this time another daemon took it first: ours is gone for good.
    _drop_lock_session(pg_admin, database)
    other = StoreLock(pg_url)
    other.acquire()
    assert lock.verify() is False
    other.release()
    lock.release()


def test_a_lock_whose_server_is_down_is_never_taken_for_held() -> None:
    # Port 1 on loopback refuses connections, as a PostgreSQL being restarted does.
    lock = StoreLock("postgresql://newsmon@127.0.0.1:1/newsmon")
    for _ in range(2):  # the second ask must not find "no connection" and answer yes
        with pytest.raises(LockUnavailable, match="cannot take the store lock"):
            lock.verify()
    lock.release()


def test_newsmon_run_refuses_a_second_daemon_on_the_same_store(
    tmp_path: Path, store_url: str
) -> None:
    with LocalSite() as site:
        config = write_config(
            tmp_path, store_url, [demo_source(site.base_url)], alert_log=tmp_path / "a.jsonl"
        )
        with DaemonProcess(config) as first:
            first.read_until("newsmon running")
            second = newsmon("run", "--config", str(config), timeout=60)
            assert second.returncode == 2
            assert "already running on this store" in second.stderr
            assert len(second.stderr.strip().splitlines()) == 1, second.stderr
            first.signal(signal.SIGTERM)
            first.read_until("stopped cleanly")
            assert first.wait() == 0


def test_crawl_once_beside_a_running_daemon_refuses_in_one_line(
    tmp_path: Path, store_url: str
) -> None:
    from tests.cli_helpers import newsmon
    from tests.commands.test_cli_errors import one_line_error
    from tests.commands.test_cli_errors import write_config as bare_config

    config = str(bare_config(tmp_path, store_url))
    daemon = StoreLock(store_url)  # what `newsmon run` holds for its life
    daemon.acquire()
    try:
        one_line_error(newsmon("crawl", "--once", "--config", config), 2, "already running")
    finally:
        daemon.release()
    done = newsmon("crawl", "--once", "--config", config)
    assert done.returncode == 0, done.stderr
