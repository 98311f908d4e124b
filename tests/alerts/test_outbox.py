"""The outbox's identity rules: one "new" alert per event and channel, updates when an event
grows after its alert went out, and alert rows that commit or roll back with their event."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, select

from monitor.alerts.dispatch import Dispatcher
from monitor.alerts.factory import build_channels
from monitor.alerts.policy import AlertPolicy
from monitor.config.alerts import AlertsConfig
from monitor.demo.receivers import WebhookReceiver
from monitor.store import Store
from monitor.store.models import Alert, Article, Detection, Event
from tests.alerts_helpers import Clock, store_report

pytestmark = pytest.mark.timeout(30)


def config_for(url: str, updates: str = "send") -> AlertsConfig:
    return AlertsConfig.model_validate(
        {
            "channels": [{"type": "webhook", "name": "hook", "url": url}],
            "routes": [{"name": "all", "channels": ["hook"], "updates": updates}],
        }
    )


def alerts(store: Store) -> list[tuple[str, str, str]]:
    with store.session() as s:
        rows = s.scalars(select(Alert).order_by(Alert.id))
        return [(a.kind, a.idempotency_key, a.status) for a in rows]


def test_reports_joining_before_the_send_make_one_alert_naming_all(sqlite_url: str) -> None:
    store = Store(sqlite_url, clock=Clock())
    with WebhookReceiver() as hook:
        config = config_for(hook.url)
        policy = AlertPolicy.from_config(config)
        store_report(store, policy, url="https://a.example/1")
        joined = store_report(store, policy, url="https://b.example/1", source="bhaskar")
        assert not joined.created and joined.alerts == 0
        Dispatcher(store, build_channels(config.channels, Path(".")), config.retry).dispatch_due()
        [got] = hook.received
    assert [s["url"] for s in got.payload["sources"]] == [
        "https://a.example/1",
        "https://b.example/1",
    ]
    assert alerts(store) == [("new", "newsmon:event-1:hook:new", "sent")]
    store.dispose()


def test_a_report_joining_after_the_send_is_announced_once_as_an_update(
    store_url: str,
) -> None:
    store = Store(store_url, clock=Clock())
    with WebhookReceiver() as hook:
        config = config_for(hook.url)
        policy = AlertPolicy.from_config(config)
        channels = build_channels(config.channels, Path("."))
        dispatcher = Dispatcher(store, channels, config.retry)
        store_report(store, policy, url="https://a.example/1")
        dispatcher.dispatch_due()

        joined = store_report(store, policy, url="https://b.example/1", source="bhaskar")
        assert joined.alerts == 1
        # Restarted (a new policy) and the same event handed over again: nothing new to say.
        again = AlertPolicy.from_config(config)
        with store.session() as s:
            event = s.get(Event, joined.event_id)
            detection = s.scalars(select(Detection).order_by(Detection.id.desc())).first()
            article = s.get(Article, joined.article_id)
            assert event and detection and article
            assert (
                again.on_event(
                    s, event, created=False, detection=detection, article=article, now=Clock()()
                )
                == 0
            )
        assert dispatcher.dispatch_due().sent == 1
        assert dispatcher.dispatch_due().sent == 0
        new, update = hook.received
    assert update.headers["Idempotency-Key"] == "newsmon:event-1:hook:update-2"
    assert update.headers["X-Newsmon-Event"] == "update"
    assert update.payload["kind"] == "update"
    assert [s["source"] for s in update.payload["also_reported_by"]] == ["bhaskar"]
    assert len(update.payload["sources"]) == 2
    assert new.payload["also_reported_by"] == []
    store.dispose()


def test_an_update_still_waiting_absorbs_the_next_report(sqlite_url: str) -> None:
    store = Store(sqlite_url, clock=Clock())
    with WebhookReceiver() as hook:
        config = config_for(hook.url)
        policy = AlertPolicy.from_config(config)
        dispatcher = Dispatcher(store, build_channels(config.channels, Path(".")), config.retry)
        store_report(store, policy, url="https://a.example/1")
        dispatcher.dispatch_due()
        assert store_report(store, policy, url="https://b.example/1", source="b").alerts == 1
        assert store_report(store, policy, url="https://c.example/1", source="c").alerts == 0
        dispatcher.dispatch_due()
        _, update = hook.received
    assert [s["source"] for s in update.payload["also_reported_by"]] == ["b", "c"]
    assert [k for k, _, _ in alerts(store)] == ["new", "update"]
    store.dispose()


def test_after_a_report_leaves_the_event_the_next_one_is_still_announced(sqlite_url: str) -> None:
    store = Store(sqlite_url, clock=Clock())
    with WebhookReceiver() as hook:
        config = config_for(hook.url)
        policy = AlertPolicy.from_config(config)
        dispatcher = Dispatcher(store, build_channels(config.channels, Path(".")), config.retry)
        store_report(store, policy, url="https://a.example/1")
        dispatcher.dispatch_due()
        left = store_report(store, policy, url="https://b.example/1", source="b")
        dispatcher.dispatch_due()
        with store.session() as s:  # b's article was edited and is no meeting any more
            detection = s.scalars(select(Detection).where(Detection.article_id == left.article_id))
            detection.one().event_id = None
        # Two reports again, as when b's joined: the count alone would repeat that update's key.
        assert store_report(store, policy, url="https://c.example/1", source="c").alerts == 1
        dispatcher.dispatch_due()
        _, first, second = hook.received
    assert [x["source"] for x in first.payload["also_reported_by"]] == ["b"]
    assert [x["source"] for x in second.payload["also_reported_by"]] == ["c"]
    assert first.headers["Idempotency-Key"] != second.headers["Idempotency-Key"]
    store.dispose()


def test_a_report_joining_an_alert_already_tried_comes_as_an_update(sqlite_url: str) -> None:
    # The first try may have arrived although its answer did not: the retry must carry the
    # same payload under its key, and the new report must come in an update of its own.
    clock = Clock()
    store = Store(sqlite_url, clock=clock)
    with WebhookReceiver() as hook:
        hook.fail_next(1, status=500)
        config = config_for(hook.url)
        policy = AlertPolicy.from_config(config)
        dispatcher = Dispatcher(store, build_channels(config.channels, Path(".")), config.retry)
        store_report(store, policy, url="https://a.example/1")
        assert dispatcher.dispatch_due().sent == 0
        joined = store_report(store, policy, url="https://b.example/1", source="bhaskar")
        assert joined.alerts == 1
        with store.session() as s:
            new, update = s.scalars(select(Alert).order_by(Alert.id)).all()
            assert update.next_attempt_at >= new.next_attempt_at > clock.now
        clock.now += timedelta(hours=1)
        assert dispatcher.dispatch_due().sent == 2
        tried, retried, sent_update = hook.received
    assert tried.payload == retried.payload
    assert [x["url"] for x in retried.payload["sources"]] == ["https://a.example/1"]
    assert [x["source"] for x in sent_update.payload["also_reported_by"]] == ["bhaskar"]
    store.dispose()


@pytest.mark.parametrize("updates", ["silent", "digest"])
def test_updates_silent_or_digest_queue_no_update_alert(sqlite_url: str, updates: str) -> None:
    store = Store(sqlite_url, clock=Clock())
    with WebhookReceiver() as hook:
        config = config_for(hook.url, updates)
        policy = AlertPolicy.from_config(config)
        dispatcher = Dispatcher(store, build_channels(config.channels, Path(".")), config.retry)
        store_report(store, policy, url="https://a.example/1")
        dispatcher.dispatch_due()
        assert store_report(store, policy, url="https://b.example/1", source="b").alerts == 0
        assert dispatcher.dispatch_due().sent == 0
        assert len(hook.received) == 1
    store.dispose()


def test_alert_rows_roll_back_with_their_event(sqlite_url: str) -> None:
    store = Store(sqlite_url, clock=Clock())
    policy = AlertPolicy.from_config(config_for("http://127.0.0.1:9/hook"))

    class Crash(Exception):
        pass

    original = policy.on_event

    def on_event_then_crash(*args: object, **kwargs: object) -> int:
        original(*args, **kwargs)  # type: ignore[arg-type]
        raise Crash

    object.__setattr__(policy, "on_event", on_event_then_crash)
    with pytest.raises(Crash):
        store_report(store, policy, url="https://a.example/1")
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Event)) == 0
        assert s.scalar(select(func.count()).select_from(Alert)) == 0
    store.dispose()
