"""Routing rules: which events go to which channels, and when (quiet hours)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from monitor.alerts.dispatch import Dispatcher
from monitor.alerts.factory import build_channels
from monitor.alerts.policy import AlertPolicy
from monitor.alerts.routing import Report, last_digest_time, passes, release_time
from monitor.config.alerts import AlertsConfig, RouteConfig
from monitor.config.model import load_config
from monitor.demo.receivers import WebhookReceiver
from monitor.errors import ConfigError
from monitor.store import Store
from monitor.store.models import Alert
from tests.alerts_helpers import Clock, store_report

pytestmark = pytest.mark.timeout(30)

IST = "Asia/Kolkata"


def ist(day: int, hour: int, minute: int = 0) -> datetime:
    """A moment in November 2023 given in India time (UTC+5:30), as UTC."""
    return datetime(2023, 11, day, hour, minute, tzinfo=UTC) - timedelta(hours=5, minutes=30)


def test_routes_send_a_jmm_meeting_to_one_channel_and_a_bjp_one_to_another(
    sqlite_url: str,
) -> None:
    store = Store(sqlite_url, clock=Clock())
    with WebhookReceiver() as ranchi, WebhookReceiver() as jammu:
        config = AlertsConfig.model_validate(
            {
                "channels": [
                    {"type": "webhook", "name": "ranchi-desk", "url": ranchi.url},
                    {"type": "webhook", "name": "jammu-desk", "url": jammu.url},
                ],
                "routes": [
                    {"name": "jmm", "channels": ["ranchi-desk"], "parties": ["JMM"]},
                    {"name": "bjp", "channels": ["jammu-desk"], "parties": ["bjp"]},
                ],
            }
        )
        policy = AlertPolicy.from_config(config)
        jmm = store_report(store, policy, url="https://news.example/jmm", party="JMM")
        bjp = store_report(
            store,
            policy,
            url="https://news.example/bjp",
            party="BJP",
            region="Jammu and Kashmir",
            title="भाजपा की चुनाव प्रबंधन समिति की बैठक",
            date="2024-01-20",
            place="Jammu",
        )
        channels = build_channels(config.channels, Path("."))
        report = Dispatcher(store, channels, config.retry, routes=config.routes).dispatch_due()

        assert report.sent == 2
        [to_ranchi] = ranchi.received
        [to_jammu] = jammu.received
    assert to_ranchi.payload["event"]["id"] == f"evt-{jmm.event_id}"
    assert to_ranchi.payload["event"]["parties"] == ["JMM"]
    assert to_jammu.payload["event"]["id"] == f"evt-{bjp.event_id}"
    with store.session() as s:
        assert {(a.channel, a.route) for a in s.scalars(select(Alert))} == {
            ("ranchi-desk", "jmm"),
            ("jammu-desk", "bjp"),
        }
    store.dispose()


def test_without_routes_every_channel_gets_every_event(sqlite_url: str) -> None:
    store = Store(sqlite_url, clock=Clock())
    config = AlertsConfig.model_validate(
        {
            "channels": [
                {"type": "file", "name": "a", "path": "a.jsonl"},
                {"type": "file", "name": "b", "path": "b.jsonl"},
            ]
        }
    )
    policy = AlertPolicy.from_config(config)
    assert store_report(store, policy, url="https://x.example/1").alerts == 2
    assert store_report(store, policy, url="https://x.example/2", party="INC").alerts == 2
    assert AlertPolicy.silent().channels == ()
    store.dispose()


def report(**changes: Any) -> Report:
    base: dict[str, Any] = {
        "detection_id": 1,
        "labels": frozenset({"meeting"}),
        "parties": frozenset({"jmm"}),
        "regions": frozenset({"jharkhand", "ranchi"}),
        "source": "prabhatkhabar",
        "lang": "hi",
        "score": 0.7,
        "created_at": datetime(2023, 11, 20, tzinfo=UTC),
    }
    return Report(**{**base, **changes})


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({}, True),
        ({"labels": ["meeting"]}, True),
        ({"labels": ["election_prep"]}, False),
        ({"labels": ["election_prep", "meeting"]}, True),
        ({"parties": ["jmm", "INC"]}, True),
        ({"parties": ["BJP"]}, False),
        ({"regions": ["Jharkhand"]}, True),
        ({"regions": ["RANCHI"]}, True),  # the event's place counts as where it happened
        ({"regions": ["Bihar"]}, False),
        ({"sources": ["prabhatkhabar"]}, True),
        ({"sources": ["bhaskar"]}, False),
        ({"languages": ["hi"]}, True),
        ({"languages": ["en"]}, False),
        ({"min_score": 0.7}, True),
        ({"min_score": 0.71}, False),
        ({"parties": ["JMM"], "languages": ["en"]}, False),  # every filter must pass
    ],
)
def test_route_filters(filters: dict[str, Any], expected: bool) -> None:
    route = RouteConfig.model_validate({"name": "r", "channels": ["c"], **filters})
    assert passes(route, report()) is expected


def test_a_later_report_can_bring_an_event_into_a_route(sqlite_url: str) -> None:
    store = Store(sqlite_url, clock=Clock())
    config = AlertsConfig.model_validate(
        {
            "channels": [{"type": "file", "name": "english", "path": "en.jsonl"}],
            "routes": [{"name": "en", "channels": ["english"], "languages": ["en"]}],
        }
    )
    policy = AlertPolicy.from_config(config)
    first = store_report(store, policy, url="https://hi.example/1", lang="hi")
    second = store_report(
        store, policy, url="https://en.example/1", lang="en", source="telegraph", title="JMM meet"
    )
    assert (first.alerts, second.created, second.event_id, second.alerts) == (
        0,
        False,
        first.event_id,
        1,
    )
    store.dispose()


@pytest.mark.parametrize(
    ("region", "alerts"),
    [("West Bengal, Jharkhand", 1), ("Jharkhand", 1), ("West Bengal", 0)],
)
def test_a_source_region_may_name_several_states(sqlite_url: str, region: str, alerts: int) -> None:
    store = Store(sqlite_url, clock=Clock())
    config = AlertsConfig.model_validate(
        {
            "channels": [{"type": "file", "name": "jh", "path": "jh.jsonl"}],
            "routes": [{"name": "jh", "channels": ["jh"], "regions": ["Jharkhand"]}],
        }
    )
    stored = store_report(
        store,
        AlertPolicy.from_config(config),
        url="https://bn.example/1",
        source="anm",
        region=region,
        place="Kolkata",
    )
    assert stored.alerts == alerts
    store.dispose()


@pytest.mark.parametrize(
    ("local", "expected"),
    [
        (ist(20, 23, 30), ist(21, 7)),  # late evening: held until the morning
        (ist(21, 3, 0), ist(21, 7)),  # after midnight: the same morning
        (ist(21, 7, 0), ist(21, 7)),  # the quiet hours are over
        (ist(21, 12, 0), ist(21, 12)),
        (ist(20, 21, 59), ist(20, 21, 59)),
    ],
)
def test_quiet_hours_across_midnight(local: datetime, expected: datetime) -> None:
    route = RouteConfig.model_validate(
        {"name": "r", "channels": ["c"], "quiet_hours": {"start": "22:00", "end": "07:00"}}
    )
    assert release_time(route, local) == expected


def test_quiet_hours_within_a_day_and_in_another_zone() -> None:
    route = RouteConfig.model_validate(
        {
            "name": "r",
            "channels": ["c"],
            "timezone": "Europe/London",
            "quiet_hours": {"start": "13:00", "end": "14:30"},
        }
    )
    lunch = datetime(2023, 11, 20, 13, 10, tzinfo=UTC)  # London is on UTC in November
    assert release_time(route, lunch) == datetime(2023, 11, 20, 14, 30, tzinfo=UTC)
    assert release_time(route, lunch + timedelta(hours=2)) == lunch + timedelta(hours=2)


def test_alerts_made_in_quiet_hours_wait_for_the_morning(sqlite_url: str, tmp_path: Path) -> None:
    clock = Clock(ist(20, 23, 30))
    store = Store(sqlite_url, clock=clock)
    config = AlertsConfig.model_validate(
        {
            "channels": [{"type": "file", "name": "desk", "path": str(tmp_path / "a.jsonl")}],
            "routes": [
                {
                    "name": "night",
                    "channels": ["desk"],
                    "quiet_hours": {"start": "22:00", "end": "07:00"},
                    "timezone": IST,
                }
            ],
        }
    )
    store_report(store, AlertPolicy.from_config(config), url="https://x.example/1")
    dispatcher = Dispatcher(store, build_channels(config.channels, tmp_path), config.retry)
    assert dispatcher.dispatch_due().sent == 0
    clock.now = ist(21, 6, 59)
    assert dispatcher.dispatch_due().sent == 0
    clock.now = ist(21, 7, 0)
    assert dispatcher.dispatch_due().sent == 1
    store.dispose()


def test_retries_do_not_fall_into_quiet_hours(sqlite_url: str) -> None:
    clock = Clock(ist(20, 21, 59) + timedelta(seconds=50))
    store = Store(sqlite_url, clock=clock)
    route = RouteConfig.model_validate(
        {"name": "night", "channels": ["hook"], "quiet_hours": {"start": "22:00", "end": "07:00"}}
    )
    store_report(store, AlertPolicy((route,)), url="https://x.example/1")
    hook = WebhookReceiver()
    url = hook.start()
    hook.stop()  # down: the first try fails, and its retry would fall after 22:00
    config = AlertsConfig.model_validate(
        {"channels": [{"type": "webhook", "name": "hook", "url": url}], "routes": [route]}
    )
    channels = build_channels(config.channels, Path("."))
    dispatcher = Dispatcher(store, channels, config.retry, routes=config.routes, jitter=lambda: 1)
    assert dispatcher.dispatch_due().retrying == 1
    with store.session() as s:
        assert s.scalars(select(Alert)).one().next_attempt_at == ist(21, 7)
    store.dispose()


def test_last_digest_time_is_today_or_yesterday_in_the_route_zone() -> None:
    route = RouteConfig.model_validate({"name": "r", "channels": ["c"], "digest_at": "08:00"})
    assert last_digest_time(route, ist(21, 8, 0)) == ist(21, 8)
    assert last_digest_time(route, ist(21, 7, 59)) == ist(20, 8)
    assert last_digest_time(route, ist(21, 23, 0)) == ist(21, 8)


# --- configuration --------------------------------------------------------------------------


def write_config(tmp_path: Path, alerts: str) -> Path:
    (tmp_path / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
    path = tmp_path / "newsmon.yaml"
    path.write_text(
        "alerts:\n  channels:\n    - {type: file, name: desk, path: a.jsonl}\n" + alerts,
        encoding="utf-8",
    )
    return path


def test_routes_load_from_yaml_with_defaults(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        "  routes:\n"
        "    - name: jharkhand\n"
        "      channels: [desk]\n"
        "      parties: [JMM, INC]\n"
        "      mode: digest\n"
        "      digest_at: '07:30'\n",
    )
    [route] = load_config(path, env={}).settings.alerts.routes
    assert route.parties == ("JMM", "INC") and route.mode == "digest"
    assert (route.timezone, route.updates, route.min_score) == (IST, "send", 0.0)
    assert route.has_digest


@pytest.mark.parametrize(
    ("route", "where", "reason"),
    [
        ("{name: r, channels: [nope]}", "alerts", "routes[0].channels: no channel named 'nope'"),
        ("{name: r, channels: [desk], colour: red}", "alerts.routes[0].colour", "unknown key"),
        ("{name: r, channels: [desk], timezone: Mars/Base}", "alerts.routes[0].timezone", "zone"),
        ("{name: r, channels: [desk], digest_at: '25:00'}", "alerts.routes[0].digest_at", ""),
        ("{name: r, channels: [desk], mode: hourly}", "alerts.routes[0].mode", ""),
        ("{name: r, channels: [desk], updates: loud}", "alerts.routes[0].updates", ""),
        ("{name: r, channels: [desk], labels: [rally]}", "alerts.routes[0].labels[0]", ""),
        ("{name: r, channels: []}", "alerts.routes[0].channels", ""),
    ],
)
def test_bad_routes_stop_with_the_key_path(
    tmp_path: Path, route: str, where: str, reason: str
) -> None:
    path = write_config(tmp_path, f"  routes:\n    - {route}\n")
    with pytest.raises(ConfigError) as caught:
        load_config(path, env={})
    assert caught.value.key_path == where
    assert reason in caught.value.reason


def test_route_names_are_unique(tmp_path: Path) -> None:
    path = write_config(
        tmp_path,
        "  routes:\n    - {name: r, channels: [desk]}\n    - {name: r, channels: [desk]}\n",
    )
    with pytest.raises(ConfigError, match=r"routes\[1\].name: 'r' is used twice"):
        load_config(path, env={})
