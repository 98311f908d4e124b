"""Quality gate on the labelled development sets in ../shared/corpus (see LABELS.md).

The floors sit a little below the figures measured when they were set, so a regression fails
while the rules can still be tuned. `bench/detect_eval.py --errors` lists the items behind a
failure.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from monitor.detect import Detector, Finding

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
CORPUS = SHARED / "corpus"

pytestmark = pytest.mark.shared

# label -> (precision floor, recall floor)
REGIONAL_FLOORS = {"meeting": (0.95, 0.95), "election_prep": (0.95, 0.95)}
DEV_PRECISION_FLOOR = 0.9
FIELD_FLOOR = 0.85


def rows(name: str) -> list[dict[str, Any]]:
    path = CORPUS / name
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared corpus is needed for the quality gate")
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def run(detector: Detector, items: Sequence[dict[str, Any]]) -> list[Finding]:
    return [
        detector.detect(
            r["title"],
            r["text"],
            lang=r.get("lang"),
            published=date.fromisoformat(r["published"]) if r.get("published") else None,
        )
        for r in items
    ]


def precision_recall(gold: Sequence[bool], pred: Sequence[bool]) -> tuple[float, float]:
    tp = sum(g and p for g, p in zip(gold, pred, strict=True))
    precision = tp / sum(pred) if sum(pred) else 1.0
    recall = tp / sum(gold) if sum(gold) else 1.0
    return precision, recall


@pytest.fixture(scope="module")
def detector() -> Detector:
    return Detector()


@pytest.fixture(scope="module")
def regional(detector: Detector) -> tuple[list[dict[str, Any]], list[Finding]]:
    items = rows("dev_regional.jsonl")
    return items, run(detector, items)


@pytest.mark.parametrize("label", sorted(REGIONAL_FLOORS))
def test_regional_precision_and_recall(
    regional: tuple[list[dict[str, Any]], list[Finding]], label: str
) -> None:
    items, found = regional
    precision, recall = precision_recall(
        [bool(r[label]) for r in items], [getattr(d, label) for d in found]
    )
    floor_p, floor_r = REGIONAL_FLOORS[label]
    assert precision >= floor_p, f"{label} precision {precision:.3f} < {floor_p}"
    assert recall >= floor_r, f"{label} recall {recall:.3f} < {floor_r}"


@pytest.mark.parametrize("label", ["meeting", "election_prep"])
def test_dev_precision(detector: Detector, label: str) -> None:
    items = rows("dev.jsonl")
    found = run(detector, items)
    precision, _ = precision_recall(
        [bool(r[label]) for r in items], [getattr(d, label) for d in found]
    )
    assert precision >= DEV_PRECISION_FLOOR, f"{label} precision {precision:.3f}"


@pytest.mark.parametrize("key", ["party", "date", "place", "mode", "status"])
def test_regional_event_fields(
    regional: tuple[list[dict[str, Any]], list[Finding]], key: str
) -> None:
    """Accuracy over labelled meetings whose text gives the field."""
    items, found = regional
    correct = total = 0
    for row, det in zip(items, found, strict=True):
        gold = row.get("event")
        if not (row["meeting"] and gold and gold.get(key)):
            continue
        total += 1
        if key == "party":
            correct += bool(det.parties) and det.parties[0] in gold["party"]
        elif det.event is not None and key == "place":
            ours = (det.event.place or "").casefold()
            correct += bool(ours) and ours in gold["place"].casefold()
        elif det.event is not None:
            correct += getattr(det.event, key) == gold[key]
    floor = FIELD_FLOOR if key != "date" else 0.5  # many gold dates need facts from elsewhere
    assert total and correct / total >= floor, f"{key}: {correct}/{total}"
