"""Reach the many services apprise knows (email, Telegram, Slack, ntfy...) from URL strings.

Each URL is its own target. When some targets of an alert succeed and others fail, a retry
only goes to those that failed, so nobody gets the same alert twice from one channel while the
process runs; the outbox above still guarantees delivery across restarts.

apprise paces each service (``request_rate_per_sec``: 5.5 s between emails or ntfy posts) by
sleeping in the sending thread. Here that pause is kept but never slept: a target sent to too
recently is skipped and the alert comes back as deferred, so the outbox tries it again when the
pause is over and no other alert or channel waits meanwhile.
"""

from __future__ import annotations

import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final, Literal

from pydantic import Field

from monitor.alerts.channels.base import BuildContext, ChannelKind, DeliveryResult
from monitor.alerts.payload import Message
from monitor.alerts.redact import Redactor, redact_url, url_secrets
from monitor.alerts.render import Renderer, default_renderer
from monitor.config.channels import Language

if TYPE_CHECKING:
    from apprise import Apprise, AppriseResult

logger = logging.getLogger(__name__)

_REMEMBERED_ALERTS: Final = 1024


class AppriseSettings(ChannelKind):
    """`type: apprise`: any service apprise reaches, one URL per target."""

    type: Literal["apprise"]
    urls: tuple[str, ...] = Field(min_length=1)
    language: Language | None = None

    def build(self, context: BuildContext) -> AppriseChannel:
        return AppriseChannel(
            self.name, self.urls, renderer=context.renderer.in_language(self.language)
        )


@dataclass(frozen=True)
class _Target:
    label: str  # apprise's own privacy-safe form of the URL
    app: Apprise
    pause: float  # the service's own minimum seconds between two sends


@dataclass(frozen=True)
class _Outcome:
    ok: bool
    status: str
    retryable: bool
    detail: str


class AppriseChannel:
    def __init__(
        self,
        name: str,
        urls: Sequence[str],
        *,
        timeout: float = 30.0,
        renderer: Renderer | None = None,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        if not urls:
            raise ValueError(f"channel {name}: needs at least one apprise URL")
        self.name = name
        self._timeout = timeout
        self._renderer = renderer or default_renderer()
        self._clock = clock
        self._last_sent: dict[int, float] = {}
        self._redact = Redactor(s for url in urls for s in url_secrets(url))
        self._targets = tuple(self._target(url) for url in urls)
        self._lock = threading.Lock()
        # alert_id -> indexes of targets that already accepted it
        self._delivered: OrderedDict[str, set[int]] = OrderedDict()

    def _target(self, url: str) -> _Target:
        # apprise loads its plugins on import (a sizeable share of a second): only a channel
        # that is built pays for it, not every command that reads the config.
        from apprise import Apprise

        plugin = Apprise.instantiate(url)
        if plugin is None:
            raise ValueError(f"channel {self.name}: not a usable apprise URL: {redact_url(url)}")
        # apprise would sleep out this pause in send(); the channel defers instead.
        pause = float(getattr(plugin, "request_rate_per_sec", 0) or 0)
        plugin.request_rate_per_sec = 0
        app = Apprise()
        app.add(plugin)
        # apprise's privacy form knows which parts of each service's URL are secret; its
        # query string only repeats defaults, so it is left out.
        label = str(plugin.url(privacy=True)).partition("?")[0]  # type: ignore[no-untyped-call]
        return _Target(label=label, app=app, pause=pause)

    def describe(self) -> str:
        return f"apprise {', '.join(t.label for t in self._targets)}"

    def send(self, message: Message) -> DeliveryResult:
        with self._lock:
            done = set(self._delivered.get(message.alert_id, ()))
        title, body = self._renderer.subject(message), self._renderer.chat(message)
        outcomes: list[_Outcome] = []
        wait = 0.0
        for index, target in enumerate(self._targets):
            if index in done:
                continue
            pause = self._pause_left(index, target)
            if pause > 0:
                wait = max(wait, pause)
                continue
            outcome = self._notify(target, title, body)
            outcomes.append(outcome)
            if outcome.ok:
                done.add(index)
        self._remember(message.alert_id, done)
        failures = [o for o in outcomes if not o.ok]
        if not failures:
            if wait > 0:
                return DeliveryResult.later("throttled", wait)
            return DeliveryResult.sent()
        status = (
            failures[0].status
            if len(self._targets) == 1
            else (f"{len(failures)} of {len(self._targets)} targets failed")
        )
        logger.warning(
            "channel %s: alert %s not delivered: %s", self.name, message.alert_id, status
        )
        return DeliveryResult.failed(
            status,
            self._redact("; ".join(o.detail for o in failures)),
            retryable=any(o.retryable for o in failures),
        )

    def _pause_left(self, index: int, target: _Target) -> float:
        """Seconds until the target may be sent to again; claims the slot when it is free."""
        with self._lock:
            now = self._clock()
            last = self._last_sent.get(index)
            if last is not None and now - last < target.pause:
                return target.pause - (now - last)
            self._last_sent[index] = now
            return 0.0

    def _notify(self, target: _Target, title: str, body: str) -> _Outcome:
        from apprise import NotifyFormat

        try:
            result = target.app.notify(
                body=body, title=title, body_format=NotifyFormat.TEXT, timeout=self._timeout
            )
        except Exception as exc:
            # A plugin bug must not escape a channel: the dispatcher relies on send() returning.
            return _Outcome(False, "apprise error", True, f"{target.label}: {type(exc).__name__}")
        return _outcome(target.label, result)

    def _remember(self, alert_id: str, done: set[int]) -> None:
        with self._lock:
            if len(done) == len(self._targets):
                self._delivered.pop(alert_id, None)
                return
            self._delivered[alert_id] = done
            self._delivered.move_to_end(alert_id)
            while len(self._delivered) > _REMEMBERED_ALERTS:
                self._delivered.popitem(last=False)


def _outcome(label: str, result: AppriseResult) -> _Outcome:
    from apprise import AppriseResultStatus

    status = result.status
    if status == AppriseResultStatus.SUCCESS:
        return _Outcome(True, "sent", False, "")
    messages = [
        entry.message
        for service in result
        for entry in service.logs()
        if entry.level in {"WARNING", "ERROR", "CRITICAL"}
    ]
    detail = f"{label}: {status.name.lower()}" + (f" ({' | '.join(messages)})" if messages else "")
    if status == AppriseResultStatus.TIMEOUT:
        return _Outcome(False, "timeout", True, detail)
    if status == AppriseResultStatus.NOMATCH:
        return _Outcome(False, "apprise no match", False, detail)
    # apprise does not say whether a failure is permanent; the outbox's attempt limit bounds it.
    return _Outcome(False, "apprise failure", True, detail)
