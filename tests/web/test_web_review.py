"""Review actions: stored with who and when; a false positive stops the event's alerts and
updates; merges and moves regroup reports; `labels export` output scores with `newsmon eval`."""

from __future__ import annotations

import json
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from monitor.alerts.channels.file import FileSettings
from monitor.alerts.policy import AlertPolicy
from monitor.config.alerts import AlertsConfig
from monitor.detect import Detector
from monitor.events.intake import detect_pending
from monitor.store import Store
from monitor.store.articles import content_hash
from monitor.store.models import Alert, Article, Detection, Event
from monitor.store.review import EventReview, ReviewAction
from monitor.web import review
from tests.cli_helpers import newsmon
from tests.web.helpers import NOW, build_store, csrf_of, event_of, log_in, make_app

FIRST = (
    "BJP district committee meeting held in Gaya",
    "The BJP held a meeting of its district committee in Gaya on Monday, 30 November. Block "
    "presidents attended and the party began preparing for the Vidhan Sabha election.",
)
SECOND = (
    "BJP district committee met in Gaya",
    "The district committee of the BJP met in Gaya on Monday, 30 November, and block "
    "presidents were told to prepare booth committees for the Vidhan Sabha election.",
)
OTHER = (
    "Congress block committee meeting held in Ajmer",
    "The Congress held a meeting of its block committee in Ajmer on Tuesday, 1 December, to "
    "prepare for the municipal elections.",
)


def _add(store: Store, n: int, title: str, text: str, at: datetime) -> None:
    with store.session() as session:
        session.add(
            Article(
                source=f"outlet-{n}",
                url=f"https://outlet-{n}.example/{n}",
                canonical_url=f"https://outlet-{n}.example/{n}",
                title=title,
                text=text,
                published=at,
                lang="en",
                content_hash=content_hash(title, text),
                fetched_at=at,
            )
        )


def _alerts(store: Store, event_id: int) -> list[tuple[str, str]]:
    with store.session() as session:
        return [
            (a.kind, a.status)
            for a in session.scalars(select(Alert).where(Alert.event_id == event_id))
        ]


def _run(tmp_path: Path, mark_false_positive: bool) -> tuple[Store, int, list[tuple[str, str]]]:
    now = NOW - timedelta(days=2)
    store = Store(f"sqlite:///{tmp_path / 'alerts.sqlite'}", clock=lambda: now)
    alerts = AlertsConfig(channels=(FileSettings(type="file", name="log", path="x.jsonl"),))
    policy = AlertPolicy.from_config(alerts)
    _add(store, 1, *FIRST, now)
    (first,) = detect_pending(store, Detector(), policy)
    assert first.event_id is not None and _alerts(store, first.event_id) == [("new", "pending")]
    with store.session() as session:
        # The first alert went out.
        for alert in session.scalars(select(Alert)):
            alert.status, alert.attempts, alert.sent_at = "sent", 1, now
        if mark_false_positive:
            review.false_positive(session, first.event_id, "rita", "a government meeting", now)
    _add(store, 2, *SECOND, now + timedelta(hours=1))
    (second,) = detect_pending(store, Detector(), policy)
    assert second.event_id == first.event_id  # the second outlet's report joins the event
    return store, first.event_id, _alerts(store, first.event_id)


def test_a_false_positive_stops_the_events_updates(tmp_path: Path) -> None:
    control, _, alerts = _run(tmp_path / "control", mark_false_positive=False)
    assert sorted(alerts) == [("new", "sent"), ("update", "pending")]
    control.dispose()
    store, event_id, alerts = _run(tmp_path / "reviewed", mark_false_positive=True)
    assert alerts == [("new", "sent")]
    with store.session() as session:
        row = session.get(EventReview, event_id)
        assert row is not None and row.state == "false_positive" and row.user == "rita"
    store.dispose()


def test_a_false_positive_withdraws_alerts_not_yet_sent(tmp_path: Path) -> None:
    store = Store(f"sqlite:///{tmp_path / 'a.sqlite'}", clock=lambda: NOW)
    alerts = AlertsConfig(channels=(FileSettings(type="file", name="log", path="x.jsonl"),))
    _add(store, 1, *OTHER, NOW)
    (found,) = detect_pending(store, Detector(), AlertPolicy.from_config(alerts))
    assert found.event_id is not None
    with store.session() as session:
        assert review.false_positive(session, found.event_id, "rita", "not a party", NOW) == 1
    assert _alerts(store, found.event_id) == [("new", "withdrawn")]
    with pytest.raises(review.ReviewError, match="needs a reason"), store.session() as session:
        review.false_positive(session, found.event_id, "rita", "  ", NOW)
    store.dispose()


@pytest.fixture
def reviewer(tmp_path: Path) -> Any:
    built = build_store(tmp_path)
    app, store = make_app(built)
    client = TestClient(app)
    log_in(client, "rita")
    yield built, client, store
    store.dispose()


def _post(client: TestClient, event_id: int, action: str, **form: str) -> Any:
    token = csrf_of(client.get(f"/events/{event_id}").text)
    return client.post(
        f"/events/{event_id}/{action}", data={"csrf": token, **form}, follow_redirects=False
    )


def test_review_actions_are_stored_with_who_and_when(reviewer: Any) -> None:
    built, client, store = reviewer
    jmm, jaipur, jodhpur = event_of(built, 1), event_of(built, 2), event_of(built, 3)
    assert _post(client, jmm, "confirm").status_code == 303
    assert _post(client, jmm, "correct", field="place", value="Ranchi, Harmu").status_code == 303
    bad = _post(client, jmm, "correct", field="date", value="next week")
    assert bad.status_code == 400 and "not a date" in bad.text
    assert _post(client, jaipur, "merge", other=str(jodhpur)).status_code == 303
    with store.session() as session:
        actions = [
            (a.user, a.action, a.event_id, a.field, a.old_value, a.new_value, a.other_event_id)
            for a in session.scalars(select(ReviewAction).order_by(ReviewAction.id))
        ]
        assert actions == [
            ("rita", "confirm", jmm, None, None, None, None),
            ("rita", "correct", jmm, "place", "Ranchi", "Ranchi, Harmu", None),
            ("rita", "merge", jaipur, None, None, None, jodhpur),
        ]
        assert all(a.at == NOW for a in session.scalars(select(ReviewAction)))
        moved = session.scalars(select(Detection).where(Detection.event_id == jaipur)).all()
        assert len(moved) == 2
        gone = session.get(EventReview, jodhpur)
        assert gone is not None and gone.state == "merged" and gone.merged_into_id == jaipur
    page = client.get(f"/events/{jmm}").text
    assert "Ranchi, Harmu" in page and 'id="history"' in page
    # The merged event leaves the list; its page points to the event it joined.
    listed = client.get("/events").text
    assert f'data-event="{jodhpur}"' not in listed and f'data-event="{jaipur}"' in listed
    assert f'href="/events/{jaipur}"' in client.get(f"/events/{jodhpur}").text
    again = _post(client, jodhpur, "confirm")
    assert again.status_code == 400 and "merged into" in again.text


def test_moving_a_report_out_makes_it_an_event_of_its_own(reviewer: Any) -> None:
    built, client, store = reviewer
    jaipur, jodhpur = event_of(built, 2), event_of(built, 3)
    _post(client, jaipur, "merge", other=str(jodhpur))
    with store.session() as session:
        detection = session.scalar(
            select(Detection).join(Article).where(Article.source == "jodhpur-khabar")
        )
        assert detection is not None
    response = _post(client, jaipur, "move-out", detection=str(detection.id))
    assert response.status_code == 303
    new_id = int(response.headers["location"].rsplit("/", 1)[1])
    assert new_id not in (jaipur, jodhpur)
    with store.session() as session:
        event = session.get(Event, new_id)
        assert event is not None and event.place == "Jodhpur" and event.party == "INC"
        assert session.get(Detection, detection.id).event_id == new_id  # type: ignore[union-attr]
    wrong = _post(client, jaipur, "move-out", detection=str(detection.id))
    assert wrong.status_code == 400


def test_reviewed_labels_round_trip_through_newsmon_eval(reviewer: Any) -> None:
    built, client, _ = reviewer
    bjp_patna, jmm, lucknow = event_of(built, 0), event_of(built, 1), event_of(built, 4)
    _post(client, bjp_patna, "confirm")
    _post(client, jmm, "confirm")
    _post(client, lucknow, "false-positive", reason="a rally, not a meeting", next="/events")
    out = built.config_path.parent / "labels.jsonl"
    exported = newsmon("labels", "export", "-c", str(built.config_path), "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    assert "3 labelled item(s) exported" in exported.stderr
    items = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    by_url = {i["url"]: i for i in items}
    assert by_url["https://ranchi-samachar.example/jmm-baithak"]["event"]["place"] == "Ranchi"
    negative = next(i for i in items if i["id"] == "article-5")
    assert negative["meeting"] is False and negative["election_prep"] is False
    scored = newsmon("eval", str(out), "--json")
    assert scored.returncode == 0, scored.stderr
    metrics = json.loads(scored.stdout)["metrics"]
    # The detector said yes to all three; the desk said one was not a meeting.
    assert metrics["meeting"]["tp"] == 2 and metrics["meeting"]["fp"] == 1
    assert metrics["fields"]["place"]["total"] == 2


def test_a_false_positive_leaves_the_list(reviewer: Any) -> None:
    built, client, _ = reviewer
    event = event_of(built, 0)
    response = _post(client, event, "false-positive", reason="not a party meeting", next="/events")
    assert response.status_code == 303 and response.headers["location"] == "/events"
    assert f'data-event="{event}"' not in client.get("/events").text
    shown = client.get("/events?review=false_positive").text
    assert f'data-event="{event}"' in shown
