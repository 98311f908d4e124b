"""Running extraction off the crawl's event loop, in worker processes.

trafilatura costs ~10-30 ms of CPU per page (TECH-NOTES §2); in the callback it stalls every
download. In a process pool it runs beside the crawl and a second core does useful work.
"""

from __future__ import annotations

import asyncio
import functools
import importlib
import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import Any

from crawler.extract import ExtractedArticle, extract_article

logger = logging.getLogger(__name__)


class Extraction:
    """Extract in `executor`, or in a pool of `workers` processes made on first use.

    With neither (workers <= 0), extraction runs inline: simplest for a one-off crawl.
    """

    def __init__(self, executor: Executor | None, workers: int, analyse: str | None = None) -> None:
        self._pool = executor
        self._owns_pool = False
        self._workers = workers
        self._analyse = analyse

    async def __call__(
        self, body: bytes, url: str, encoding: str | None
    ) -> ExtractedArticle | None:
        article, _ = await self.analysed(body, url, encoding)
        return article

    async def analysed(
        self, body: bytes, url: str, encoding: str | None
    ) -> tuple[ExtractedArticle | None, dict[str, Any] | None]:
        """The article and what `analyse` (a dotted path, run in the same worker) made of it."""
        if self._pool is None and self._workers <= 0:
            return extract_and_analyse(self._analyse, body, url, encoding)
        loop = asyncio.get_running_loop()
        call = partial(extract_and_analyse, self._analyse, body, url, encoding)
        pool = self._pool or self._new_pool()
        try:
            return await loop.run_in_executor(pool, call)
        except BrokenProcessPool:
            # A worker died (killed for memory, a crash in lxml): the pool refuses all work
            # from then on, so every later page of the crawl would fail without a new one.
            logger.warning("extraction worker died (at %s or a page beside it); new pool", url)
            return await loop.run_in_executor(self._replace(pool), call)

    def close(self) -> None:
        """Shut down a pool this object made; a pool given to it belongs to the caller."""
        if self._pool is not None and self._owns_pool:
            self._pool.shutdown(wait=True, cancel_futures=True)
        self._pool = None

    def _new_pool(self) -> Executor:
        self._pool = extraction_pool(self._workers)
        self._owns_pool = True
        return self._pool

    def _replace(self, broken: Executor) -> Executor:
        # Pages in flight when the worker died all land here; only the first replaces the pool.
        if self._pool is not broken and self._pool is not None:
            return self._pool
        if self._owns_pool:
            broken.shutdown(wait=False, cancel_futures=True)
        # A broken pool given by the caller is left to the caller; this crawl uses its own.
        return self._new_pool()


def extract_and_analyse(
    analyse: str | None, body: bytes, url: str, encoding: str | None
) -> tuple[ExtractedArticle | None, dict[str, Any] | None]:
    """In a worker: extract the page, then hand its text to the `analyse` function.

    Whoever stores the articles names that function (the crawler does not know it): work on
    the text done here, beside extraction, is work the crawl's own process does not do.

    A StopIteration (or StopAsyncIteration) from deep inside a parser comes back as
    RuntimeError, because an asyncio Future refuses to carry it and the crawl's await of the
    page would then never return.
    """
    try:
        article = extract_article(body, url, encoding=encoding)
        if article is None or not analyse:
            return article, None
        return article, _function(analyse)(article.text)
    except (StopIteration, StopAsyncIteration) as exc:
        raise RuntimeError(f"extraction of {url} raised {type(exc).__name__}") from None


@functools.cache
def _function(dotted: str) -> Callable[[str], dict[str, Any]]:
    module, _, name = dotted.rpartition(".")
    function: Callable[[str], dict[str, Any]] = getattr(importlib.import_module(module), name)
    return function


def extraction_pool(workers: int) -> ProcessPoolExecutor:
    """A pool of `workers` (at least one) processes that end when this process does."""
    # forkserver: workers fork from a clean helper process, not from this one with its
    # reactor threads (forking a threaded process can deadlock the child).
    return ProcessPoolExecutor(
        max_workers=max(workers, 1),
        mp_context=multiprocessing.get_context("forkserver"),
        initializer=exit_with,
        initargs=(os.getpid(),),
    )


# How often a worker looks whether the crawl that made it still exists.
PARENT_CHECK_SECONDS = 2.0


def exit_with(parent_pid: int, every: float = PARENT_CHECK_SECONDS) -> None:
    """In a worker: end this process soon after process `parent_pid` has gone.

    Workers are children of the forkserver, not of the crawl, and each holds both ends of its
    own task pipe, so a crawl killed outright (SIGKILL, the OOM killer) would leave them, and
    the forkserver with them, waiting for work for ever.
    """

    def watch() -> None:
        while not _gone(parent_pid):
            time.sleep(every)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def _gone(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return True
    except PermissionError:
        return False
    return False
