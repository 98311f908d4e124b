"""The five seed articles against the expectations of DESIGN.md's seed table.

Each `tests/golden/seed_NNN.json` holds the seed file, the publication date the test passes (or
null when the seed prints its own) and the expected fields. They transcribe the DESIGN.md table;
change them only when that table changes.
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from monitor.detect import Detector, Finding

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = sorted((ROOT / "tests" / "golden").glob("seed_*.json"))


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


def load_seed(name: str) -> tuple[str, str]:
    """A seed file as title (its first line) and text (the rest)."""
    lines = (ROOT / "seeds" / name).read_text(encoding="utf-8").split("\n")
    return lines[0], "\n".join(lines[1:])


def detect_seed(detector: Detector, golden: dict[str, Any]) -> Finding:
    title, text = load_seed(golden["seed"])
    published = date.fromisoformat(golden["published"]) if golden["published"] else None
    return detector.detect(title, text, published=published)


def test_every_seed_has_a_golden_file() -> None:
    seeds = sorted(p.name for p in (ROOT / "seeds").glob("*.txt"))
    covered = sorted(json.loads(p.read_text(encoding="utf-8"))["seed"] for p in GOLDEN)
    assert seeds == covered


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_seed_matches_golden(detector: Detector, path: Path) -> None:
    golden = json.loads(path.read_text(encoding="utf-8"))
    expected = golden["expected"]
    found = detect_seed(detector, golden)
    where = f"{path.name} (expectations from DESIGN.md's seed table)"

    assert found.meeting is expected["meeting"], where
    assert found.election_prep is expected["election_prep"], where
    assert list(found.parties) == expected["parties"], where
    for person in expected["people_include"]:
        assert person in found.people, f"{where}: {person} not in {found.people}"
    if "published" in expected:
        assert found.published == expected["published"], where
    assert found.event is not None, where
    event = found.event.to_json()
    for key, value in expected["event"].items():
        if key == "place_contains":
            assert value in (event["place"] or ""), f"{where}: place {event['place']}"
        elif key == "election_prefix":
            assert (event["election"] or "").startswith(value), f"{where}: {event['election']}"
        else:
            assert event[key] == value, f"{where}: {key} is {event[key]!r}, expected {value!r}"


@pytest.mark.parametrize("path", GOLDEN, ids=lambda p: p.stem)
def test_seed_evidence_is_original_text(detector: Detector, path: Path) -> None:
    golden = json.loads(path.read_text(encoding="utf-8"))
    title, text = load_seed(golden["seed"])
    found = detect_seed(detector, golden)
    assert found.evidence
    for evidence in found.evidence:
        assert evidence.sentence in title or evidence.sentence in text
        assert evidence.terms


def test_seed_001_contract_json(detector: Detector) -> None:
    """The documented JSON shape of `newsmon detect`, on the example DESIGN.md gives."""
    golden = json.loads((ROOT / "tests" / "golden" / "seed_001.json").read_text("utf-8"))
    out = detect_seed(detector, golden).to_json("001")
    for key in (
        "id",
        "meeting",
        "election_prep",
        "score",
        "parties",
        "people",
        "event",
        "evidence",
    ):
        assert key in out
    assert set(out["event"]) >= {"date", "time", "status", "mode", "place", "level", "election"}
    assert 0.0 <= out["score"] <= 1.0
    assert all(set(e) == {"sentence", "terms"} for e in out["evidence"])
    json.dumps(out)  # serialisable as is


def test_background_meeting_is_not_the_event(detector: Detector) -> None:
    """Seed 001 recalls seed 000's 26 October meeting; the event is the 21 November one."""
    golden = json.loads((ROOT / "tests" / "golden" / "seed_001.json").read_text("utf-8"))
    found = detect_seed(detector, golden)
    assert found.event is not None and found.event.date == "2023-11-21"
    assert all("26 अक्टूबर" not in e.sentence for e in found.evidence)
