"""The daemon's HTTP endpoint: `/healthz` for liveness checks, `/metrics` for Prometheus.

It runs in its own thread rather than in the reactor, so that a reactor stuck in a long
callback is *reported* (the loop does not answer the ping) instead of making the endpoint hang
with it.
"""

from __future__ import annotations

import asyncio
import json
import logging
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from prometheus_client.exposition import CONTENT_TYPE_LATEST
from sqlalchemy import text

from monitor.crawl.watchdog import Watchdog
from monitor.errors import NewsmonError
from monitor.ops.metrics import Metrics
from monitor.store import Store

log = logging.getLogger(__name__)

# How long the event loop may take to run a callback posted from here before it counts as stuck.
LOOP_TIMEOUT = 5.0


@dataclass
class DaemonState:
    """What the daemon tells the endpoint; written in the reactor thread, read here."""

    started_at: float = field(default_factory=time.time)
    cycle_every_seconds: float = 900.0
    last_cycle_end: float | None = None
    last_cycle_ok: bool | None = None
    cycles: int = 0
    cycle_running: bool = False
    scheduler_running: Callable[[], bool] = lambda: False
    # A cycle or a dispatch run that has not ended within its bound is overdue (/healthz 503);
    # the daemon sets both from the schedule and the steps' time limits.
    cycle_bound_seconds: float | None = None
    dispatch_bound_seconds: float | None = None
    watchdog: Watchdog | None = None
    clock: Callable[[], float] = time.time


class EndpointServer:
    def __init__(
        self,
        address: tuple[str, int],
        state: DaemonState,
        metrics: Metrics,
        store: Store,
        loop: asyncio.AbstractEventLoop | None,
    ) -> None:
        self.state, self.metrics, self.store, self.loop = state, metrics, store, loop
        server_class = _Server6 if ":" in address[0] else _Server
        try:
            self._server = server_class(address, _Handler)
        except OSError as exc:  # taken, not allowed, or not an address of this machine
            raise NewsmonError(
                f"health.listen {_url_host(address[0])}:{address[1]}: cannot listen there: {exc}"
            ) from None
        self._server.endpoint = self
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="newsmon-health", daemon=True
        )

    @property
    def address(self) -> tuple[str, int]:
        host, port = self._server.server_address[:2]
        return str(host), int(port)

    def start(self) -> None:
        self._thread.start()
        host, port = self.address
        log.info("health endpoint on http://%s:%d/healthz and /metrics", _url_host(host), port)

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def check(self) -> tuple[bool, dict[str, Any]]:
        """Whether the daemon is healthy, and the facts that say so."""
        state = self.state
        now = state.clock()
        scheduler = state.scheduler_running()
        loop_ok = self._loop_answers()
        store_ok, store_error = self._store_answers()
        # Overdue: no cycle has ended within its bound (counted from start-up until the first
        # cycle ends); by default two intervals plus ten minutes of slack for slow crawls.
        since = state.last_cycle_end or state.started_at
        bound = state.cycle_bound_seconds or 2 * state.cycle_every_seconds + 600
        overdue = now - since > bound
        watchdog = state.watchdog
        late_steps = watchdog.overdue() if watchdog else []
        dispatch_overdue = bool(
            watchdog
            and state.dispatch_bound_seconds is not None
            and watchdog.since_progress("dispatch") > state.dispatch_bound_seconds
        )
        stuck = _stuck_step(watchdog, late_steps, overdue, dispatch_overdue)
        healthy = scheduler and loop_ok and store_ok and stuck is None
        step_now = watchdog.clock() if watchdog else 0.0
        return healthy, {
            "status": "ok" if healthy else "unhealthy",
            "scheduler_running": scheduler,
            "loop_responsive": loop_ok,
            "store_reachable": store_ok,
            "store_error": store_error,
            "cycles": state.cycles,
            "cycle_running": state.cycle_running,
            "last_cycle_end": _iso(state.last_cycle_end),
            "last_cycle_ok": state.last_cycle_ok,
            "cycle_overdue": overdue,
            "dispatch_overdue": dispatch_overdue,
            "stuck_step": stuck,
            "steps_running": [s.facts(step_now) for s in watchdog.running()] if watchdog else [],
            # Abandoned past their limit, their threads not returned yet.
            "stuck_steps": [s.facts(step_now) for s in watchdog.stuck()] if watchdog else [],
            "started_at": _iso(state.started_at),
        }

    def _loop_answers(self) -> bool:
        if self.loop is None or self.loop.is_closed():
            return False
        answered = threading.Event()
        try:
            self.loop.call_soon_threadsafe(answered.set)
        except RuntimeError:
            return False
        return answered.wait(LOOP_TIMEOUT)

    def _store_answers(self) -> tuple[bool, str | None]:
        try:
            with self.store.engine.connect() as conn:
                conn.execute(text("SELECT 1"))
        except Exception as exc:
            return False, type(exc).__name__
        return True, None


def _stuck_step(
    watchdog: Watchdog | None, late: list[Any], cycle_overdue: bool, dispatch_overdue: bool
) -> str | None:
    """The step that keeps the daemon from progress, named for the operator; None if none."""
    if late:
        return str(late[0].describe())
    if cycle_overdue:
        running = [s for s in watchdog.running() if s.name != "dispatch"] if watchdog else []
        return f"cycle: {running[0].describe()}" if running else "cycle"
    if dispatch_overdue:
        return "dispatch"
    return None


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    endpoint: EndpointServer


class _Server6(_Server):
    address_family = socket.AF_INET6


def _url_host(host: str) -> str:
    return f"[{host}]" if ":" in host else host


class _Handler(BaseHTTPRequestHandler):
    server: _Server
    # A client that connects and sends nothing must not hold a thread and a socket for ever.
    timeout = 10

    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        if path == "/healthz":
            healthy, facts = self.server.endpoint.check()
            body = json.dumps(facts).encode()
            self._send(200 if healthy else 503, "application/json", body)
        elif path == "/metrics":
            self._send(200, CONTENT_TYPE_LATEST, self.server.endpoint.metrics.render())
        else:
            self._send(404, "text/plain; charset=utf-8", b"not found: try /healthz or /metrics\n")

    def _send(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        log.debug("%s %s", self.address_string(), format % args)


def _iso(moment: float | None) -> str | None:
    if moment is None:
        return None
    return datetime.fromtimestamp(moment, UTC).isoformat(timespec="seconds")
