"""Draining the outbox: send due alerts, record every attempt, back off and retry, give up loudly.

Guarantee: an alert row is marked sent only after its channel confirmed delivery. If the
process dies between the two, the row is still pending and is sent again with the same
idempotency key, so a receiver can drop the repeat. A confirmed alert is never sent again.

Each attempt is written down before the send ("sending") and completed after it, so an attempt
cut short by a crash stays visible ("interrupted") and counts towards the attempt limit: an
alert that kills the process every time cannot keep it in a crash loop forever.

Channels are drained side by side, one thread each, so a slow or unreachable channel delays
only its own alerts; after a retryable failure the rest of that channel's alerts wait for the
next run instead of each waiting out the same timeout.
"""

from __future__ import annotations

import logging
import random
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from monitor.alerts.channels.base import Channel, DeliveryResult
from monitor.alerts.payload import parse_payload
from monitor.alerts.routing import release_time
from monitor.config.alerts import RetryConfig, RouteConfig
from monitor.store import Store
from monitor.store.models import Alert, AlertAttempt

log = logging.getLogger(__name__)

MAX_PARALLEL_CHANNELS = 8
# Alerts one dispatch run tries per channel; the rest wait for the next run.
PER_CHANNEL = 200


@dataclass
class DispatchReport:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    # Not tried this run: the channel asked to wait (rate limit) or had just failed.
    deferred: int = 0

    def merge(self, other: DispatchReport) -> None:
        self.sent += other.sent
        self.retrying += other.retrying
        self.failed += other.failed
        self.deferred += other.deferred


@dataclass(frozen=True)
class _Claim:
    attempt_id: int
    channel: str
    payload: dict[str, Any]


class Dispatcher:
    def __init__(
        self,
        store: Store,
        channels: Mapping[str, Channel],
        retry: RetryConfig,
        *,
        jitter: Callable[[], float] = random.random,
        routes: Sequence[RouteConfig] = (),
    ) -> None:
        self.store = store
        self.channels = dict(channels)
        self.retry = retry
        self._jitter = jitter
        # Retries of a route with quiet hours wait for the quiet hours to end, like first tries.
        self._quiet = {r.name: r for r in routes if r.quiet_hours is not None}

    def due(self, per_channel: int = PER_CHANNEL) -> list[int]:
        return [i for ids in self._due_by_channel(per_channel).values() for i in ids]

    def _due_by_channel(self, per_channel: int) -> dict[str, list[int]]:
        """Each channel's due alerts, oldest first, at most `per_channel` each.

        Counted per channel so that a channel that is down, with a backlog of overdue alerts,
        cannot fill every slot of a run and hold back the channels that work.
        """
        now = self.store.clock()
        due = (Alert.status == "pending", Alert.next_attempt_at <= now)
        with self.store.session() as session:
            channels = sorted(session.scalars(select(Alert.channel).where(*due).distinct()))
            return {
                channel: [
                    int(i)
                    for i in session.scalars(
                        select(Alert.id)
                        .where(*due, Alert.channel == channel)
                        .order_by(Alert.next_attempt_at, Alert.id)
                        .limit(per_channel)
                    )
                ]
                for channel in channels
            }

    def dispatch_due(self) -> DispatchReport:
        queues = self._due_by_channel(PER_CHANNEL)
        report = DispatchReport()
        if len(queues) <= 1:
            for ids in queues.values():
                report.merge(self._drain(ids))
            return report
        workers = min(len(queues), MAX_PARALLEL_CHANNELS)
        with ThreadPoolExecutor(workers, thread_name_prefix="newsmon-dispatch") as pool:
            for part in pool.map(self._drain, queues.values()):
                report.merge(part)
        return report

    def _drain(self, alert_ids: list[int]) -> DispatchReport:
        """Send one channel's due alerts in order; stop at the first sign it is unavailable."""
        report = DispatchReport()
        for index, alert_id in enumerate(alert_ids):
            part, result = self._dispatch(alert_id)
            report.merge(part)
            if result is not None and not result.ok and result.retryable:
                report.deferred += len(alert_ids) - index - 1
                break
        return report

    def dispatch_one(self, alert_id: int) -> DispatchReport:
        return self._dispatch(alert_id)[0]

    def _dispatch(self, alert_id: int) -> tuple[DispatchReport, DeliveryResult | None]:
        claim = self._claim(alert_id)
        if claim is None:
            return DispatchReport(), None
        channel = self.channels.get(claim.channel)
        if channel is None:
            result = DeliveryResult.failed(
                "no such channel", f"channel {claim.channel!r} is not configured", retryable=True
            )
        else:
            result = self._send(channel, claim.payload)
        return self._record(alert_id, claim.attempt_id, result), result

    def _claim(self, alert_id: int) -> _Claim | None:
        """Write the attempt down before sending, so a crash mid-send leaves a trace."""
        with self.store.session() as session:
            alert = session.get(Alert, alert_id)
            if alert is None or alert.status != "pending":
                return None
            interrupted = session.execute(
                update(AlertAttempt)
                .where(AlertAttempt.alert_id == alert_id, AlertAttempt.status == "sending")
                .values(status="interrupted", error="stopped before the outcome was recorded")
            )
            if alert.attempts >= self.retry.max_attempts and _rowcount(interrupted):
                alert.status = "failed"
                alert.last_error = "interrupted: the process stopped during every attempt"
                log.error(
                    "alert %s via %s failed for good: %s",
                    alert.idempotency_key,
                    alert.channel,
                    alert.last_error,
                )
                return None
            alert.attempts += 1
            attempt = AlertAttempt(
                alert_id=alert_id, at=self.store.clock(), ok=False, status="sending", error=None
            )
            session.add(attempt)
            session.flush()
            return _Claim(attempt.id, alert.channel, dict(alert.payload))

    def _send(self, channel: Channel, payload: dict[str, Any]) -> DeliveryResult:
        try:
            message = parse_payload(payload)
        except ValueError as exc:
            return DeliveryResult.failed("bad payload", str(exc), retryable=False)
        try:
            return channel.send(message)
        except Exception as exc:  # a channel must not raise; if one does, keep the daemon up
            log.exception("channel %s raised while sending", channel.name)
            return DeliveryResult.failed("channel error", type(exc).__name__, retryable=True)

    def _record(self, alert_id: int, attempt_id: int, result: DeliveryResult) -> DispatchReport:
        now = self.store.clock()
        with self.store.session() as session:
            alert = session.get(Alert, alert_id)
            attempt = session.get(AlertAttempt, attempt_id)
            if alert is None or attempt is None:
                return DispatchReport()
            attempt.ok, attempt.status, attempt.error = result.ok, result.status, result.error
            if result.ok:
                alert.status, alert.sent_at, alert.last_error = "sent", now, None
                log.info("alert %s sent via %s", alert.idempotency_key, alert.channel)
                return DispatchReport(sent=1)
            if result.deferred:
                alert.attempts -= 1  # the channel chose to wait; nothing failed
                alert.next_attempt_at = self._release(alert, now, result.retry_after or 1.0)
                return DispatchReport(deferred=1)
            alert.last_error = f"{result.status}: {result.error}" if result.error else result.status
            if result.retryable and alert.attempts < self.retry.max_attempts:
                delay = self.backoff(alert.attempts, result.retry_after).total_seconds()
                alert.next_attempt_at = self._release(alert, now, delay)
                log.warning(
                    "alert %s via %s failed (%s); attempt %d of %d, next at %s",
                    alert.idempotency_key,
                    alert.channel,
                    alert.last_error,
                    alert.attempts,
                    self.retry.max_attempts,
                    alert.next_attempt_at.isoformat(),
                )
                return DispatchReport(retrying=1)
            alert.status = "failed"
            log.error(
                "alert %s via %s failed for good after %d attempts: %s",
                alert.idempotency_key,
                alert.channel,
                alert.attempts,
                alert.last_error,
            )
            return DispatchReport(failed=1)

    def _release(self, alert: Alert, now: datetime, delay: float) -> datetime:
        moment = now + timedelta(seconds=delay)
        route = self._quiet.get(alert.route or "")
        return release_time(route, moment) if route is not None else moment

    def backoff(self, attempts: int, retry_after: float | None = None) -> timedelta:
        """Exponential backoff with full jitter on the upper half, capped; honours Retry-After."""
        ceiling = min(
            self.retry.max_delay_seconds, self.retry.base_delay_seconds * 2 ** (attempts - 1)
        )
        delay = ceiling / 2 + self._jitter() * ceiling / 2
        if retry_after is not None:
            delay = max(delay, min(retry_after, self.retry.max_delay_seconds))
        return timedelta(seconds=delay)


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def reset_failed(store: Store, alert_ids: list[int] | None = None) -> list[int]:
    """Put failed alerts (all, or the given ids) back in the queue, due now; their ids."""
    now: datetime = store.clock()
    with store.session() as session:
        query = select(Alert).where(Alert.status == "failed")
        if alert_ids:
            query = query.where(Alert.id.in_(alert_ids))
        alerts = list(session.scalars(query))
        for alert in alerts:
            alert.status, alert.next_attempt_at, alert.attempts = "pending", now, 0
        return [alert.id for alert in alerts]
