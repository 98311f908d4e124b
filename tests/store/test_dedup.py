"""One alert per real-world meeting: article dedup layers and grouping of reports into events."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import func, select

from crawler.items import ArticleItem
from crawler.urls import canonicalize_url
from monitor.alerts.policy import AlertPolicy
from monitor.commands.evaluate import predict
from monitor.config.alerts import AlertsConfig
from monitor.detect import Detector
from monitor.events.intake import detect_pending
from monitor.store import Store
from monitor.store.articles import save_article
from monitor.store.models import Alert, Article, ArticleBand, Detection, Event, Source
from tests.cli_helpers import newsmon

NOW = datetime(2024, 9, 2, 6, 0, tzinfo=UTC)
ROOT = Path(__file__).resolve().parents[2]

ORIGINAL = [
    "Ranchi: The Jharkhand Mukti Morcha held a meeting of its district committee office-bearers "
    "at the party office in Ranchi on Sunday to prepare for the coming Assembly election.",
    "Party general secretary Vinod Pandey asked workers to form booth committees in every "
    "panchayat before the end of the month and to reach every household with the party's "
    "message about the schemes of the state government.",
    "District president Mushtaq Alam said that the party would hold block-level workers' "
    "conventions across the district over the next three weeks, starting from Kanke and "
    "Ormanjhi, and that every block committee must send its report to the district office.",
    "Several office-bearers raised the shortage of booth agents in urban wards, and the meeting "
    "decided to set up a small team to train new agents in the city before the election.",
    "The meeting ended with a resolution thanking the workers for their effort in the last "
    "campaign and a call to stay united until the results are declared next year.",
]


def item(
    url: str,
    title: str,
    text: str,
    published: str = "2024-09-01T18:00:00+05:30",
    source: str = "outlet-a",
) -> ArticleItem:
    return {
        "url": url,
        "canonical_url": canonicalize_url(url),
        "source": source,
        "title": title,
        "text": text,
        "published": published,
        "author": None,
        "lang": "en",
        "discovered_via": "feed",
        "fetched_at": NOW.isoformat(),
        "http_status": 200,
    }


def test_syndicated_copy_with_new_headline_and_trimmed_ending_is_a_near_duplicate(
    store_url: str,
) -> None:
    store = Store(store_url, clock=lambda: NOW)
    with store.session() as s:
        first = save_article(
            s,
            item("https://a.example/jmm-meeting", "JMM meets in Ranchi", "\n\n".join(ORIGINAL)),
            now=NOW,
        )
        copy = save_article(
            s,
            item(
                "https://b.example/news/123",
                "JMM readies booth teams",
                "\n\n".join(ORIGINAL[:-1]),
                source="outlet-b",
            ),
            now=NOW,
        )
        other = save_article(
            s,
            item(
                "https://b.example/news/124",
                "Unrelated",
                "\n\n".join(reversed(ORIGINAL[1:3]))
                + " "
                + " ".join(f"word{i}" for i in range(80)),
                source="outlet-b",
            ),
            now=NOW,
        )
    assert copy.created and copy.near_duplicate and copy.duplicate_of == first.article_id
    assert other.duplicate_of is None
    with store.session() as s:
        dup = s.get(Article, copy.article_id)
        assert dup is not None and dup.detected_at is not None  # never detected or alerted
        bands = s.scalar(select(func.count()).select_from(ArticleBand))
        assert bands == 2 * 25  # originals only: a copy of a copy still finds the first
    store.dispose()


def test_tracking_parameters_and_fragments_are_one_article(sqlite_url: str) -> None:
    store = Store(sqlite_url, clock=lambda: NOW)
    text = "\n\n".join(ORIGINAL)
    urls = [
        "https://a.example/jmm-meeting",
        "https://A.example/jmm-meeting?utm_source=twitter&utm_medium=social#comments",
        "https://a.example/jmm-meeting?fbclid=abc123",
    ]
    with store.session() as s:
        results = [save_article(s, item(u, "JMM meets", text), now=NOW) for u in urls]
    assert [r.created for r in results] == [True, False, False]
    assert len({r.article_id for r in results}) == 1
    store.dispose()


def test_updated_article_is_detected_again(sqlite_url: str) -> None:
    store = Store(sqlite_url, clock=lambda: NOW)
    detector = Detector()
    url = "https://a.example/jmm-meeting"
    with store.session() as s:
        save_article(
            s, item(url, "Heavy rain in Ranchi", "It rained all day in Ranchi. " * 12), now=NOW
        )
    [first] = detect_pending(store, detector, AlertPolicy.silent())
    assert not first.positive
    with store.session() as s:
        result = save_article(s, item(url, "JMM meets in Ranchi", "\n\n".join(ORIGINAL)), now=NOW)
    assert result.updated and not result.created
    [second] = detect_pending(store, detector, AlertPolicy.silent())
    assert second.article_id == first.article_id and second.positive
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Detection)) == 1
    store.dispose()


def test_an_edited_report_stays_in_its_event_and_is_not_alerted_again(sqlite_url: str) -> None:
    store = Store(sqlite_url, clock=lambda: NOW)
    detector = Detector()
    policy = AlertPolicy.from_config(
        AlertsConfig.model_validate({"channels": [{"type": "file", "name": "log", "path": "x"}]})
    )
    url = "https://a.example/jmm-meeting"
    with store.session() as s:
        save_article(s, item(url, "JMM meets in Ranchi", "\n\n".join(ORIGINAL)), now=NOW)
    [first] = detect_pending(store, detector, policy)
    edited = [*ORIGINAL[:-1], "The meeting ended with a vote of thanks by the district secretary."]
    with store.session() as s:
        result = save_article(s, item(url, "JMM meets in Ranchi", "\n\n".join(edited)), now=NOW)
    assert result.updated
    [second] = detect_pending(store, detector, policy)
    assert first.positive and second.positive
    assert second.event_id == first.event_id and not second.new_event
    with store.session() as s:
        assert s.scalar(select(func.count()).select_from(Event)) == 1
        assert list(s.scalars(select(Alert.kind))) == ["new"]
    store.dispose()


def _rows(*items: tuple[str, str, str, str | None]) -> list[dict[str, object]]:
    return [{"id": i, "title": t, "text": x, "published": p} for i, t, x, p in items]


def test_reworded_report_in_hindi_joins_and_a_later_meeting_does_not() -> None:
    english = (
        "JMM district committee meets in Ranchi, plans booth committees",
        "Ranchi: The Jharkhand Mukti Morcha held a meeting of its district committee in "
        "Ranchi on Sunday. Party general secretary Vinod Pandey asked workers to form "
        "booth committees for the Assembly election in all 24 blocks.",
    )
    hindi = (
        "रांची में झामुमो जिला समिति की बैठक, 24 प्रखंडों में बूथ कमेटी बनाने का निर्देश",
        "रांची : विधानसभा चुनाव की तैयारी को लेकर झारखंड मुक्ति मोर्चा की जिला समिति की बैठक "
        "रविवार को रांची में हुई. केंद्रीय महासचिव विनोद पांडेय ने कार्यकर्ताओं से सभी 24 प्रखंडों "
        "में बूथ कमेटी बनाने को कहा.",
    )
    later = (
        "JMM district committee meets again in Ranchi",
        "Ranchi: The Jharkhand Mukti Morcha held another meeting of its district committee in "
        "Ranchi on Wednesday. Vinod Pandey reviewed the booth committees formed for the "
        "Assembly election.",
    )
    rows = _rows(
        ("en", *english, "2024-09-01"),
        ("hi", *hindi, "2024-09-02"),
        ("later", *later, "2024-09-04"),
    )
    groups = {p.id: p.group for p in predict(rows)}
    assert groups["en"] is not None and groups["en"] == groups["hi"]
    assert groups["later"] is not None and groups["later"] != groups["en"]


def test_seeds_give_four_events() -> None:
    published = {
        "000": "2023-10-26",
        "001": "2023-11-20",
        "002": "2023-10-20",
        "003": "2023-10-20",
        "004": "2024-02-03",
    }
    rows = []
    for path in sorted((ROOT / "seeds").glob("*.txt")):
        title, _, text = path.read_text(encoding="utf-8").strip().partition("\n")
        rows.append(
            {
                "id": path.name[:3],
                "title": title,
                "text": text,
                "published": published[path.name[:3]],
            }
        )
    groups = {p.id: p.group for p in predict(rows)}
    assert None not in groups.values()
    assert groups["002"] == groups["003"]
    assert len(set(groups.values())) == 4
    assert groups["000"] != groups["001"]


def test_events_command_lists_and_filters(tmp_path: Path) -> None:

    from monitor.events.grouping import assign_event

    db = tmp_path / "store.sqlite"
    (tmp_path / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
    config = tmp_path / "newsmon.yaml"
    config.write_text(f"store: {{url: 'sqlite:///{db}'}}\n", encoding="utf-8")
    store = Store(f"sqlite:///{db}", clock=lambda: NOW)
    with store.session() as s:
        s.add(
            Source(
                name="outlet-a",
                region="West Bengal, Jharkhand",
                created_at=NOW,
                consecutive_failures=0,
            )
        )
        for n, (party, day) in enumerate([("JMM", "2024-09-01"), ("BJP", "2024-08-01")]):
            art_id = save_article(
                s, item(f"https://a.example/{n}", f"{party} meets", f"text {n} " * 40), now=NOW
            ).article_id
            det = Detection(
                article_id=art_id,
                meeting=True,
                election_prep=False,
                score=0.9,
                parties=[party],
                people=[],
                evidence=[],
                created_at=NOW,
                fields={"date": day, "place": "Ranchi", "status": "held"},
            )
            s.add(det)
            article = s.get(Article, art_id)
            assert article is not None
            assign_event(s, det, article, now=NOW)
    store.dispose()

    def run(*args: str) -> list[dict[str, object]]:
        done = newsmon("events", "--json", "--config", str(config), *args, timeout=60)
        assert done.returncode == 0, done.stderr
        return [json.loads(line) for line in done.stdout.splitlines()]

    assert [e["party"] for e in run()] == ["JMM", "BJP"]
    assert [e["party"] for e in run("--party", "BJP")] == ["BJP"]
    assert [e["party"] for e in run("--since", "2024-08-15")] == ["JMM"]
    assert [e["party"] for e in run("--state", "ranchi", "--status", "held")] == ["JMM", "BJP"]
    # A source covering two states is found under either.
    assert [e["party"] for e in run("--state", "jharkhand")] == ["JMM", "BJP"]
    assert run("--state", "bihar") == []
    [jmm] = run("--party", "JMM")
    assert jmm["sources"] == ["outlet-a"] and len(jmm["articles"]) == 1  # type: ignore[arg-type]


def test_an_alias_url_counts_as_stored(store_url: str) -> None:
    from monitor.store.articles import is_stored

    store = Store(store_url, clock=lambda: NOW)
    listed = "https://a.example/story?id=9"
    page = item("https://a.example/2024/09/01/jmm-meets", "JMM meets", "\n\n".join(ORIGINAL))
    page["aliases"] = [listed]
    with store.session() as s:
        assert not is_stored(s, listed)
        save_article(s, page, now=NOW)
        save_article(s, page, now=NOW)  # seen again through the same alias: no second row
    with store.session() as s:
        assert is_stored(s, listed) and is_stored(s, page["canonical_url"])
        assert s.scalar(select(func.count()).select_from(Article)) == 1
    store.dispose()
