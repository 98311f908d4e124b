"""Draining the outbox: send due alerts, record every attempt, back off and retry, give up loudly.

Guarantee: an alert row is marked sent only after its channel confirmed delivery. If the
process dies between the two, the row is still pending and is sent again with the same
idempotency key, so a receiver can drop the repeat. A confirmed alert is never sent again.

Each attempt is written down before the send ("sending") and completed after it, so an attempt
cut short by a crash stays visible ("interrupted") and counts towards the attempt limit: an
alert that kills the process every time cannot keep it in a crash loop forever.

A claim is a lease: the conditional UPDATE that takes it (pending, due, and no live lease of
another process) is the first statement of the transaction that records the attempt, so on
PostgreSQL the row lock and on SQLite the write lock make two processes' claims of one alert
exclusive, and only the winner sends. A process killed mid-send leaves its lease behind; once it
expires another process retries with the same idempotency key. The lease must outlast the
longest single send (a channel's timeout), which is why it is minutes, not seconds.

Channels are drained side by side, one thread each, so a slow or unreachable channel delays
only its own alerts; after a retryable failure the rest of that channel's alerts wait for the
next run instead of each waiting out the same timeout.
"""

from __future__ import annotations

import dataclasses
import logging
import os
import random
import socket
import uuid
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
# How long a claim keeps other processes off an alert; longer than any one send may take.
LEASE_SECONDS = 300.0


def lease_owner() -> str:
    """A name for this dispatcher that no other process, here or on another host, shares."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def _dead_here(owner: str) -> bool:
    """Whether `owner` names a process of this host that no longer runs. A process of
    another host, or a pid that runs (perhaps reused), keeps its lease until it expires."""
    parts = owner.split(":")
    if len(parts) != 3 or parts[0] != socket.gethostname():
        return False
    try:
        os.kill(int(parts[1]), 0)
    except ProcessLookupError:
        return True
    except (ValueError, PermissionError):
        return False
    return False


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
    route: str | None = None


class Dispatcher:
    def __init__(
        self,
        store: Store,
        channels: Mapping[str, Channel],
        retry: RetryConfig,
        *,
        jitter: Callable[[], float] = random.random,
        routes: Sequence[RouteConfig] = (),
        lease_seconds: float = LEASE_SECONDS,
        owner: str | None = None,
    ) -> None:
        self.store = store
        self.channels = dict(channels)
        self.retry = retry
        self._jitter = jitter
        self.lease = timedelta(seconds=lease_seconds)
        self.owner = owner or lease_owner()
        # Retries of a route with quiet hours wait for the quiet hours to end, like first tries.
        self._quiet = {r.name: r for r in routes if r.quiet_hours is not None}
        self._language = {r.name: r.language for r in routes if r.language is not None}

    def due(self, per_channel: int = PER_CHANNEL) -> list[int]:
        return [i for ids in self._due_by_channel(per_channel).values() for i in ids]

    def _due_by_channel(self, per_channel: int) -> dict[str, list[int]]:
        """Each channel's due alerts, oldest first, at most `per_channel` each.

        Counted per channel so that a channel that is down, with a backlog of overdue alerts,
        cannot fill every slot of a run and hold back the channels that work.
        """
        now = self.store.clock()
        with self.store.session() as session:
            channels = sorted(session.scalars(select(Alert.channel).where(*_due(now)).distinct()))
        return {channel: self._due_ids(channel, per_channel) for channel in channels}

    def _due_ids(self, channel: str, limit: int) -> list[int]:
        now = self.store.clock()
        with self.store.session() as session:
            return [
                int(i)
                for i in session.scalars(
                    select(Alert.id)
                    .where(*_due(now), Alert.channel == channel)
                    .order_by(Alert.next_attempt_at, Alert.id)
                    .limit(limit)
                )
            ]

    def release_dead_leases(self) -> int:
        """Free the leases of this host's processes that died mid-send (a restart after a
        crash), so their alerts are retried now rather than when the leases expire."""
        now = self.store.clock()
        with self.store.session() as session:
            owners = session.scalars(
                select(Alert.lease_owner)
                .where(Alert.lease_owner.is_not(None), Alert.lease_expires_at > now)
                .distinct()
            )
            dead = [o for o in owners if o is not None and _dead_here(o)]
        if not dead:
            return 0
        with self.store.write_session() as session:
            freed = session.execute(
                update(Alert)
                .where(Alert.lease_owner.in_(dead))
                .values(lease_owner=None, lease_expires_at=None)
                .execution_options(synchronize_session=False)
            )
        count = _rowcount(freed)
        log.warning("%d alert lease(s) of stopped processes released: %s", count, ", ".join(dead))
        return count

    def dispatch_due(self) -> DispatchReport:
        self.release_dead_leases()
        queues = self._due_by_channel(PER_CHANNEL)
        report = DispatchReport()
        if len(queues) <= 1:
            for channel, ids in queues.items():
                report.merge(self._drain(channel, ids))
            return report
        workers = min(len(queues), MAX_PARALLEL_CHANNELS)
        with ThreadPoolExecutor(workers, thread_name_prefix="newsmon-dispatch") as pool:
            for part in pool.map(self._drain, queues.keys(), queues.values()):
                report.merge(part)
        return report

    def _drain(self, channel: str, alert_ids: list[int]) -> DispatchReport:
        """Send one channel's due alerts in order; stop at the first sign it is unavailable.

        The first delivery of the run makes the channel's alerts that were backing off after
        failures due now, and they are sent in this run too: a channel that works again gets
        its backlog at once, not each alert after its own backoff (up to an hour)."""
        report = DispatchReport()
        queue, tried, released = list(alert_ids), set(alert_ids), False
        while queue:
            alert_id = queue.pop(0)
            part, result = self._dispatch(alert_id)
            report.merge(part)
            if result is None:
                continue
            if result.ok and not released:
                released = True
                if self._release_backlog(channel):
                    more = [i for i in self._due_ids(channel, PER_CHANNEL) if i not in tried]
                    queue.extend(more)
                    tried.update(more)
            elif not result.ok and result.retryable:
                report.deferred += len(queue)
                break
        return report

    def _release_backlog(self, channel: str) -> int:
        """Make the channel's alerts that wait out a backoff due now (not those of a route in
        quiet hours, nor those another process holds)."""
        now = self.store.clock()
        backing_off = [
            Alert.channel == channel,
            Alert.status == "pending",
            Alert.attempts > 0,
            Alert.last_error.is_not(None),
            Alert.next_attempt_at > now,
            _unleased(now),
        ]
        if self._quiet:
            backing_off.append(Alert.route.is_(None) | Alert.route.not_in(list(self._quiet)))
        with self.store.write_session() as session:
            freed = _rowcount(
                session.execute(
                    update(Alert)
                    .where(*backing_off)
                    .values(next_attempt_at=now)
                    .execution_options(synchronize_session=False)
                )
            )
        if freed:
            log.info("channel %s delivers again: %d alert(s) waiting to retry are due now",
                     channel, freed)  # fmt: skip
        return freed

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
            language = self._language.get(claim.route or "")
            result = self._send(channel, claim.payload, language)
        return self._record(alert_id, claim.attempt_id, result), result

    def _claim(self, alert_id: int) -> _Claim | None:
        """Take the alert's lease and write the attempt down before sending, in one
        transaction, so a crash mid-send leaves a trace and no other process sends meanwhile."""
        now = self.store.clock()
        with self.store.write_session() as session:
            # On PostgreSQL the UPDATE locks the row and re-checks its condition once a
            # concurrent claim has committed; on SQLite the transaction holds the write lock.
            taken = session.execute(
                update(Alert)
                .where(
                    Alert.id == alert_id,
                    Alert.status == "pending",
                    Alert.next_attempt_at <= now,
                    _unleased(now),
                )
                .values(lease_owner=self.owner, lease_expires_at=now + self.lease)
                .execution_options(synchronize_session=False)
            )
            if _rowcount(taken) != 1:
                return None  # sent, failed, not due, or another process is on it
            alert = session.get(Alert, alert_id)
            if alert is None:
                return None
            interrupted = session.execute(
                update(AlertAttempt)
                .where(AlertAttempt.alert_id == alert_id, AlertAttempt.status == "sending")
                .values(status="interrupted", error="stopped before the outcome was recorded")
            )
            if alert.attempts >= self.retry.max_attempts and _rowcount(interrupted):
                alert.status = "failed"
                alert.last_error = "interrupted: the process stopped during every attempt"
                alert.lease_owner = alert.lease_expires_at = None
                log.error(
                    "alert %s via %s failed for good: %s",
                    alert.idempotency_key,
                    alert.channel,
                    alert.last_error,
                )
                return None
            alert.attempts += 1
            attempt = AlertAttempt(
                alert_id=alert_id, at=now, ok=False, status="sending", error=None
            )
            session.add(attempt)
            session.flush()
            return _Claim(attempt.id, alert.channel, dict(alert.payload), alert.route)

    def _send(
        self, channel: Channel, payload: dict[str, Any], language: str | None = None
    ) -> DeliveryResult:
        try:
            message = parse_payload(payload)
        except ValueError as exc:
            return DeliveryResult.failed("bad payload", str(exc), retryable=False)
        if language is not None:
            message = dataclasses.replace(message, language=language)
        try:
            return channel.send(message)
        except Exception as exc:  # a channel must not raise; if one does, keep the daemon up
            log.exception("channel %s raised while sending", channel.name)
            return DeliveryResult.failed("channel error", type(exc).__name__, retryable=True)

    def _record(self, alert_id: int, attempt_id: int, result: DeliveryResult) -> DispatchReport:
        now = self.store.clock()
        with self.store.write_session() as session:
            alert = session.get(Alert, alert_id)
            attempt = session.get(AlertAttempt, attempt_id)
            if alert is None or attempt is None:
                return DispatchReport()
            attempt.ok, attempt.status, attempt.error = result.ok, result.status, result.error
            ours = alert.lease_owner == self.owner
            if ours:
                alert.lease_owner = alert.lease_expires_at = None
            if result.ok:
                # A confirmed delivery is a fact whoever holds the lease now.
                alert.status, alert.sent_at, alert.last_error = "sent", now, None
                log.info("alert %s sent via %s", alert.idempotency_key, alert.channel)
                return DispatchReport(sent=1)
            if not ours:
                # The send outlasted the lease and another process took the alert over; what
                # happens next is that process's to decide.
                log.warning(
                    "alert %s via %s: the lease ran out during a failed send (%s)",
                    alert.idempotency_key,
                    alert.channel,
                    result.status,
                )
                return DispatchReport()
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


def _due(now: datetime) -> tuple[Any, ...]:
    return (Alert.status == "pending", Alert.next_attempt_at <= now, _unleased(now))


def _unleased(now: datetime) -> Any:
    """No process holds the alert: never leased, released, or its holder's lease ran out."""
    return Alert.lease_expires_at.is_(None) | (Alert.lease_expires_at <= now)


def _rowcount(result: Any) -> int:
    return int(getattr(result, "rowcount", 0) or 0)


def reset_failed(store: Store, alert_ids: list[int] | None = None) -> list[int]:
    """Put failed alerts (all, or the given ids) back in the queue, due now; their ids.

    The attempt count restarts at 1, not 0: a failed alert was tried, the receiver may hold
    it, and an alert counted as never tried would have its payload rewritten when another
    report joins the event (a changed message under the same idempotency key). Every earlier
    attempt stays in `alert_attempts`."""
    now: datetime = store.clock()
    with store.session() as session:
        query = select(Alert).where(Alert.status == "failed")
        if alert_ids:
            query = query.where(Alert.id.in_(alert_ids))
        alerts = list(session.scalars(query))
        for alert in alerts:
            alert.status, alert.next_attempt_at, alert.attempts = "pending", now, 1
            alert.lease_owner = alert.lease_expires_at = None
        return [alert.id for alert in alerts]
