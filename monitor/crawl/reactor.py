"""Running newsmon's coroutines under Twisted's asyncio reactor.

Scrapy's `AsyncCrawlerRunner` needs the asyncio reactor, and a Twisted reactor cannot be
restarted, so each command runs exactly one `reactor.run()` that drives one top-level coroutine
(a demo, one crawl cycle, or the daemon until it is told to stop).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

T = TypeVar("T")

ASYNCIO_REACTOR = "twisted.internet.asyncioreactor.AsyncioSelectorReactor"


def install() -> None:
    """Install the asyncio reactor unless it already is (it must come before any other import
    of `twisted.internet.reactor`, which would install the default one)."""
    from scrapy.utils.reactor import (
        install_reactor,
        is_asyncio_reactor_installed,
        is_reactor_installed,
    )

    if is_reactor_installed():
        if not is_asyncio_reactor_installed():
            raise RuntimeError("a non-asyncio Twisted reactor was installed before newsmon's")
        return
    install_reactor(ASYNCIO_REACTOR)


def run(main: Callable[[], Awaitable[T]], *, install_signal_handlers: bool = True) -> T:
    """Run `main()` to completion in the reactor and return its result (or raise its error)."""
    install()
    from scrapy.utils.defer import deferred_from_coro
    from twisted.internet import reactor as twisted_reactor
    from twisted.python.failure import Failure

    # Twisted types the reactor as a set of interfaces; the asyncio one has them all.
    reactor: Any = twisted_reactor
    outcome: dict[str, Any] = {}

    async def wrapper() -> T:
        return await main()

    def start() -> None:
        deferred = deferred_from_coro(wrapper())

        def done(result: Any) -> None:
            if isinstance(result, Failure):
                outcome["error"] = result.value
            else:
                outcome["value"] = result
            if reactor.running:  # a signal may have stopped it already
                reactor.stop()

        deferred.addBoth(done)

    reactor.callWhenRunning(start)
    reactor.run(installSignalHandlers=install_signal_handlers)
    if "error" in outcome:
        raise outcome["error"]
    if "value" not in outcome:
        raise KeyboardInterrupt("stopped before the task finished")
    result: T = outcome["value"]
    return result
