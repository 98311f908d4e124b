"""Running extraction off the crawl's event loop, in worker processes.

trafilatura costs ~10-30 ms of CPU per page (TECH-NOTES §2); in the callback it stalls every
download. In a process pool it runs beside the crawl and a second core does useful work.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
from concurrent.futures import Executor, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial

from crawler.extract import ExtractedArticle, extract_article

logger = logging.getLogger(__name__)


class Extraction:
    """Extract in `executor`, or in a pool of `workers` processes made on first use.

    With neither (workers <= 0), extraction runs inline: simplest for a one-off crawl.
    """

    def __init__(self, executor: Executor | None, workers: int) -> None:
        self._pool = executor
        self._owns_pool = False
        self._workers = workers

    async def __call__(
        self, body: bytes, url: str, encoding: str | None
    ) -> ExtractedArticle | None:
        if self._pool is None and self._workers <= 0:
            return extract_article(body, url, encoding=encoding)
        loop = asyncio.get_running_loop()
        call = partial(extract_article, body, url, encoding=encoding)
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
        # forkserver: workers fork from a clean helper process, not from this one with its
        # reactor threads (forking a threaded process can deadlock the child).
        context = multiprocessing.get_context("forkserver")
        self._pool = ProcessPoolExecutor(max_workers=max(self._workers, 1), mp_context=context)
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
