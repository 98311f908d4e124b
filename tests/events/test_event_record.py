"""One event record from the detector to the alert: what the detector found about the meeting
(venue included) is what the event row holds and what the alert payload carries."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from monitor.alerts.message import AlertMessage
from monitor.alerts.policy import AlertPolicy
from monitor.config.alerts import AlertsConfig
from monitor.detect import Detector, EventFields
from monitor.events.intake import detect_pending
from monitor.store import Store
from monitor.store.articles import content_hash
from monitor.store.models import Alert, Article, Detection, Event

ROOT = Path(__file__).resolve().parents[2]


def test_the_detectors_record_reaches_the_event_and_the_alert(store_url: str) -> None:
    seed = next((ROOT / "seeds").glob("000_*.txt"))  # JMM at Sohrai Bhawan, Ranchi
    title, _, text = seed.read_text(encoding="utf-8").strip().partition("\n")
    detector = Detector()
    found = detector.detect(title, text)
    assert found.event is not None and found.event.venue is not None

    store = Store(store_url)
    now = store.clock()
    with store.session() as s:
        s.add(
            Article(
                source="demo",
                url="https://example.in/jmm",
                canonical_url="https://example.in/jmm",
                title=title,
                text=text,
                content_hash=content_hash(title, text),
                fetched_at=now,
            )
        )
    channels = [{"name": "log", "type": "file", "path": "alerts.jsonl"}]
    policy = AlertPolicy.from_config(AlertsConfig.model_validate({"channels": channels}))
    [outcome] = detect_pending(store, detector, policy)
    assert outcome.positive and outcome.new_event

    with store.session() as s:
        stored = s.scalars(select(Detection)).one()
        event = s.scalars(select(Event)).one()
        alert = s.scalars(select(Alert)).one()
        assert EventFields.from_json(stored.fields) == found.event
        assert event.details == found.event
        assert event.venue == found.event.venue
        assert alert.payload["event"]["venue"] == found.event.venue
        assert AlertMessage.from_payload(alert.payload).details == found.event
    store.dispose()


def test_a_later_report_fills_only_what_the_record_did_not_know() -> None:
    known = EventFields(date="2023-10-26", place="Ranchi")
    later = EventFields(date="2023-10-27", place=None, venue="Sohrai Bhawan", mode="in_person")
    assert known.filled_from(later) == EventFields(
        date="2023-10-26", place="Ranchi", venue="Sohrai Bhawan", mode="in_person"
    )
    assert EventFields.from_json({"date": "2023-10-26", "unknown": 1}) == EventFields(
        date="2023-10-26"
    )
