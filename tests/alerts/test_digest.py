"""Digests: a route's events of a day, grouped by state and party, sent once at digest time."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from monitor.alerts.digest import due_digests
from monitor.alerts.digest_message import DigestMessage
from monitor.alerts.dispatch import Dispatcher
from monitor.alerts.factory import build_channels
from monitor.alerts.payload import parse_payload
from monitor.alerts.policy import AlertPolicy
from monitor.alerts.render import render_text
from monitor.config.alerts import AlertsConfig
from monitor.demo.receivers import SmtpReceiver, WebhookReceiver
from monitor.store import Store
from monitor.store.models import Alert
from tests.alerts.test_routing import ist
from tests.alerts_helpers import Clock, store_report

pytestmark = pytest.mark.timeout(30)

JMM_TITLE = "झामुमो की ऑनलाइन बैठक 21 नवंबर को"
INC_TITLE = "कांग्रेस की वर्चुअल मीटिंग में लोकसभा चुनाव की तैयारी"
BJP_TITLE = "भाजपा की चुनाव प्रबंधन समिति की बैठक"


def digest_config(channels: list[dict[str, Any]], **route: Any) -> AlertsConfig:
    return AlertsConfig.model_validate(
        {
            "channels": channels,
            "routes": [
                {
                    "name": "morning",
                    "channels": [c["name"] for c in channels],
                    "mode": "digest",
                    "digest_at": "08:00",
                    **route,
                }
            ],
        }
    )


def the_day(store: Store, clock: Clock, policy: AlertPolicy) -> None:
    """Events before, during and after the period 20 Nov 08:00 – 21 Nov 08:00 (India time)."""
    clock.now = ist(20, 7, 0)
    store_report(store, policy, url="https://early.example/1", party="AJSU", title="आजसू बैठक")
    clock.now = ist(20, 10, 0)
    store_report(store, policy, url="https://pk.example/jmm", title=JMM_TITLE)
    clock.now = ist(20, 11, 0)
    store_report(
        store,
        policy,
        url="https://ht.example/inc",
        party="INC",
        title=INC_TITLE,
        place=None,
        date="2023-10-19",
    )
    clock.now = ist(20, 18, 0)
    store_report(
        store,
        policy,
        url="https://jk.example/bjp",
        party="BJP",
        source="jknews",
        region="Jammu and Kashmir",
        title=BJP_TITLE,
        date="2024-01-20",
        place="Jammu",
    )
    clock.now = ist(21, 7, 59)
    store_report(store, policy, url="https://bh.example/jmm", source="bhaskar", title=JMM_TITLE)


def test_a_digest_groups_the_days_events_by_state_and_party(store_url: str, tmp_path: Path) -> None:
    clock = Clock()
    store = Store(store_url, clock=clock)
    with SmtpReceiver() as smtp, WebhookReceiver() as hook:
        config = digest_config(
            [
                {
                    "type": "email",
                    "name": "mail",
                    "host": smtp.address[0],
                    "port": smtp.address[1],
                    "sender": "newsmon@localhost",
                    "recipients": ["desk@localhost"],
                },
                {"type": "webhook", "name": "hook", "url": hook.url},
            ]
        )
        policy = AlertPolicy.from_config(config)
        the_day(store, clock, policy)
        with store.session() as s:
            assert s.scalars(select(Alert)).all() == []  # a digest route sends nothing at once

        clock.now = ist(21, 7, 59)  # the 20 Nov digest (period ending 20 Nov 08:00) is due
        assert due_digests(store, config) == 2
        clock.now = ist(21, 8, 0)
        assert due_digests(store, config) == 2
        assert due_digests(store, config) == 0  # once per day, however often it is called
        dispatcher = Dispatcher(store, build_channels(config.channels, tmp_path), config.retry)
        assert dispatcher.dispatch_due().sent == 4

        mails = smtp.wait_for(2)
        webhook = [r.payload for r in hook.received if r.payload["route"] == "morning"]
    today = next(p for p in webhook if p["alert_id"].endswith("2023-11-21"))
    assert today["schema"] == "newsmon.digest/1"
    assert today["alert_id"] == "newsmon:digest-morning:hook:2023-11-21"
    assert today["period"] == {
        "start": "2023-11-20T02:30:00Z",
        "end": "2023-11-21T02:30:00Z",
        "timezone": "Asia/Kolkata",
    }
    digest = DigestMessage.from_payload(today)
    assert [(state, [p for p, _ in parties]) for state, parties in digest.groups()] == [
        ("Jammu and Kashmir", ["BJP"]),
        ("Jharkhand", ["INC", "JMM"]),
    ]
    jmm = next(e for e in today["events"] if e["party"] == "JMM")
    assert jmm["change"] == "new" and len(jmm["sources"]) == 2  # both outlets, one event
    assert "AJSU" not in {e["party"] for e in today["events"]}  # before the period

    mail = next(m for m in mails if "21 Nov 2023" in str(m["Subject"]))
    assert str(mail["Subject"]) == "[newsmon] सारांश morning: 3 घटनाएँ, 21 Nov 2023"
    plain = mail.get_body(("plain",))
    html = mail.get_body(("html",))
    assert plain is not None and html is not None
    text = plain.get_content()
    assert JMM_TITLE in text and INC_TITLE in text and BJP_TITLE in text
    assert text.index("== Jammu and Kashmir ==") < text.index("== Jharkhand ==")
    assert "https://pk.example/jmm" in text
    assert '<a href="https://jk.example/bjp">jknews</a>' in html.get_content()
    store.dispose()


def test_the_next_digest_starts_where_the_last_one_ended(sqlite_url: str) -> None:
    clock = Clock(ist(20, 10))
    store = Store(sqlite_url, clock=clock)
    config = digest_config([{"type": "file", "name": "log", "path": "d.jsonl"}])
    policy = AlertPolicy.from_config(config)
    store_report(store, policy, url="https://a.example/1", title=JMM_TITLE)
    clock.now = ist(21, 8, 0)
    assert due_digests(store, config) == 1
    clock.now = ist(21, 9, 0)
    store_report(
        store, policy, url="https://b.example/1", party="INC", lang="en", title="Congress meets"
    )
    assert due_digests(store, config) == 0  # not before tomorrow's digest time
    clock.now = ist(23, 8, 30)  # the daemon was down on the 22nd at 08:00
    assert due_digests(store, config) == 1
    with store.session() as s:
        last = s.scalars(select(Alert).order_by(Alert.id.desc())).first()
        assert last is not None
        message = parse_payload(last.payload)
    assert isinstance(message, DigestMessage)
    assert [i.title for i in message.items] == ["Congress meets"]
    assert message.period_start == "2023-11-21T02:30:00Z"
    assert message.lang == "en"
    assert render_text(message).startswith("newsmon Digest: morning\n1 event,")
    store.dispose()


def test_no_digest_for_an_empty_period(sqlite_url: str) -> None:
    clock = Clock(ist(21, 9))
    store = Store(sqlite_url, clock=clock)
    config = digest_config([{"type": "file", "name": "log", "path": "d.jsonl"}])
    assert due_digests(store, config) == 0
    assert due_digests(store, AlertsConfig()) == 0
    store.dispose()


def test_updates_to_digest_list_only_what_the_channel_was_not_told(
    sqlite_url: str, tmp_path: Path
) -> None:
    clock = Clock(ist(20, 10))
    store = Store(sqlite_url, clock=clock)
    config = AlertsConfig.model_validate(
        {
            "channels": [{"type": "file", "name": "desk", "path": str(tmp_path / "a.jsonl")}],
            "routes": [{"name": "desk", "channels": ["desk"], "updates": "digest"}],
        }
    )
    policy = AlertPolicy.from_config(config)
    dispatcher = Dispatcher(store, build_channels(config.channels, tmp_path), config.retry)
    store_report(store, policy, url="https://a.example/jmm", title=JMM_TITLE)
    store_report(store, policy, url="https://a.example/inc", party="INC", title=INC_TITLE)
    assert dispatcher.dispatch_due().sent == 2  # both announced at once
    clock.now += timedelta(hours=2)
    assert store_report(store, policy, url="https://b.example/jmm", source="bhaskar").alerts == 0
    clock.now = ist(21, 8)
    assert due_digests(store, config) == 1
    with store.session() as s:
        digest = s.scalars(select(Alert).where(Alert.kind == "digest")).one()
    [item] = digest.payload["events"]
    assert (item["party"], item["change"]) == ("JMM", "new")
    assert [s["source"] for s in item["sources"]] == ["prabhatkhabar", "bhaskar"]
    store.dispose()
