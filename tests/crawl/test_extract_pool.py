"""Extraction workers do not outlive the crawl that made them."""

from __future__ import annotations

import os
import select
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

# A crawl's process in miniature: makes the pool, starts a worker, names it, waits to be killed.
CRAWL = """
import os, sys
from crawler.extract_pool import extraction_pool
pool = extraction_pool(1)
print(pool.submit(os.getpid).result(), flush=True)
sys.stdin.read()
"""


def _parent_of(pid: int) -> int:
    stat = Path(f"/proc/{pid}/stat").read_text()
    return int(stat.rpartition(")")[2].split()[1])


def _ended_within(pid: int, seconds: float) -> bool:
    """Wait on the process's pidfd (readable once it has ended), not by polling."""
    try:
        fd = os.pidfd_open(pid)
    except ProcessLookupError:
        return True
    try:
        ready, _, _ = select.select([fd], [], [], seconds)
        return bool(ready)
    finally:
        os.close(fd)


def test_workers_and_forkserver_end_when_the_crawl_is_killed() -> None:
    crawl = subprocess.Popen(
        [sys.executable, "-c", CRAWL],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert crawl.stdout is not None
        worker = int(crawl.stdout.readline())
        forkserver = _parent_of(worker)
        assert forkserver != crawl.pid
        # Still at work while the crawl lives.
        assert not _ended_within(worker, 0.1)
    finally:
        crawl.kill()
        crawl.wait()
    assert _ended_within(worker, 30), "an extraction worker outlived its killed crawl"
    assert _ended_within(forkserver, 30), "the forkserver outlived its killed crawl"
