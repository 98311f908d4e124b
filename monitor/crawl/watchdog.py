"""Time limits for the daemon's steps, and thread work whose errors always come back.

Every step (a crawl, the detection of one article, a dispatch run) runs under a
:class:`Watchdog`, which knows what is running since when, with which limit. A step past its
limit is abandoned: the await gives up, the step is recorded (log, metrics, `/healthz`), and the
cycle goes on. A thread cannot be killed, so an abandoned thread may run on; it is reported as
stuck until it returns.

:func:`in_thread` runs blocking work in a thread of its own. Not `asyncio.to_thread`: an
exception such as StopIteration cannot be set on a Future ("StopIteration interacts badly with
generators and cannot be raised into a Future"), so the await of such a call never returns;
and an abandoned call would keep a worker of the loop's shared pool for ever, until a few of
them starve every later call.
"""

from __future__ import annotations

import asyncio
import itertools
import logging
import threading
import time
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

log = logging.getLogger(__name__)

T = TypeVar("T")

# Abandoned steps kept for /healthz and `status`; older ones are in the log.
KEEP_ABANDONED = 20
_names = itertools.count(1)


class StepAbandoned(Exception):
    """A step ran past its time limit and was given up."""

    def __init__(self, step: Step) -> None:
        self.step = step
        super().__init__(f"{step.describe()} ran past its {step.limit:g} s limit and was abandoned")


@dataclass
class Step:
    name: str
    subject: str | None
    started: float
    limit: float
    # Set when the work itself has returned (for thread work, when the thread is done).
    finished: float | None = None
    abandoned: bool = False
    id: int = field(default_factory=lambda: next(_names))

    def describe(self) -> str:
        return f"{self.name} ({self.subject})" if self.subject else self.name

    def facts(self, now: float) -> dict[str, Any]:
        return {
            "step": self.name,
            "subject": self.subject,
            "running_seconds": round(now - self.started, 1),
            "limit_seconds": self.limit,
            "abandoned": self.abandoned,
        }


class Watchdog:
    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self.clock = clock
        self._lock = threading.Lock()
        self._running: dict[int, Step] = {}
        self._abandoned: deque[Step] = deque(maxlen=KEEP_ABANDONED)
        self.abandoned_total: dict[str, int] = {}
        self.started = clock()
        # When each kind of step last returned in time: the progress /healthz looks for.
        self.last_finished: dict[str, float] = {}
        # Called with each abandoned step (the daemon counts them in its metrics).
        self.on_abandon: Callable[[Step], None] | None = None

    # -- what /healthz reads ---------------------------------------------------------------

    def overdue(self) -> list[Step]:
        """Steps still awaited past their limit: the watchdog itself is not getting through."""
        now = self.clock()
        with self._lock:
            return [s for s in self._running.values() if now - s.started > s.limit]

    def running(self) -> list[Step]:
        with self._lock:
            return list(self._running.values())

    def since_progress(self, name: str) -> float:
        """Seconds since a step called `name` last returned in time (or since start-up)."""
        return self.clock() - self.last_finished.get(name, self.started)

    def stuck(self) -> list[Step]:
        """Abandoned steps whose work has not returned yet (a thread still running)."""
        with self._lock:
            return [s for s in self._abandoned if s.finished is None]

    def recent_abandoned(self) -> list[Step]:
        with self._lock:
            return list(self._abandoned)

    # -- running steps ---------------------------------------------------------------------

    async def run(
        self, name: str, limit: float, work: Awaitable[T], subject: str | None = None
    ) -> T:
        """Await `work` for at most `limit` seconds; past it, cancel it and raise
        :class:`StepAbandoned`."""
        step = self._begin(name, subject, limit)
        try:
            async with asyncio.timeout(limit) as deadline:
                result = await work
        except TimeoutError:
            if deadline.expired():
                raise self._abandon(step) from None
            raise
        finally:
            self._end(step)
        step.finished = self.clock()
        return result

    async def run_thread(
        self,
        name: str,
        limit: float,
        func: Callable[..., T],
        *args: Any,
        subject: str | None = None,
    ) -> T:
        """Run `func(*args)` in a thread of its own for at most `limit` seconds."""
        step = self._begin(name, subject, limit)

        def finished() -> None:
            step.finished = self.clock()

        try:
            async with asyncio.timeout(limit) as deadline:
                return await in_thread(func, *args, name=name, on_exit=finished)
        except TimeoutError:
            if deadline.expired():
                raise self._abandon(step) from None
            raise
        finally:
            self._end(step)

    def _begin(self, name: str, subject: str | None, limit: float) -> Step:
        step = Step(name, subject, self.clock(), limit)
        with self._lock:
            self._running[step.id] = step
        return step

    def _end(self, step: Step) -> None:
        with self._lock:
            self._running.pop(step.id, None)
            if not step.abandoned:
                self.last_finished[step.name] = self.clock()

    def _abandon(self, step: Step) -> StepAbandoned:
        step.abandoned = True
        with self._lock:
            self._abandoned.append(step)
            self.abandoned_total[step.name] = self.abandoned_total.get(step.name, 0) + 1
        log.error("%s ran past its %g s limit: abandoned", step.describe(), step.limit)
        if self.on_abandon is not None:
            self.on_abandon(step)
        return StepAbandoned(step)


async def in_thread(
    func: Callable[..., T],
    *args: Any,
    name: str = "work",
    on_exit: Callable[[], None] | None = None,
) -> T:
    """`func(*args)` in a new daemon thread; whatever it raises comes back as an error.

    StopIteration, StopAsyncIteration and exceptions outside `Exception` (SystemExit,
    KeyboardInterrupt, GeneratorExit) come back as RuntimeError naming them: a Future refuses
    the first two, and the others would stop the loop rather than the step."""
    loop = asyncio.get_running_loop()
    future: asyncio.Future[T] = loop.create_future()

    def settle(value: Any, error: BaseException | None) -> None:
        if future.done():  # abandoned: nobody waits any more
            return
        if error is not None:
            future.set_exception(error)
        else:
            future.set_result(value)

    def work() -> None:
        value: Any = None
        error: BaseException | None = None
        try:
            value = func(*args)
        except (StopIteration, StopAsyncIteration) as exc:
            error = _crossing(exc, name)
        except Exception as exc:
            error = exc
        except BaseException as exc:  # turned into an error the await can carry
            error = _crossing(exc, name)
        finally:
            if on_exit is not None:
                on_exit()
        try:
            loop.call_soon_threadsafe(settle, value, error)
        except RuntimeError:  # the loop has closed: the daemon stopped meanwhile
            log.debug("%s finished after the event loop closed", name)

    threading.Thread(target=work, name=f"newsmon-{name}", daemon=True).start()
    return await future


def _crossing(exc: BaseException, name: str) -> RuntimeError:
    error = RuntimeError(f"{name} raised {type(exc).__name__}: {exc}".rstrip(": "))
    error.__cause__ = exc
    return error
