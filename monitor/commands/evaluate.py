"""`newsmon eval`: detection and event grouping scored against labelled JSON lines.

The items run through the same path as crawled articles — stored in a temporary SQLite store,
detected, grouped into events — so the figures measure what the daemon would do.
"""

from __future__ import annotations

import json
import re
import tempfile
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time
from itertools import combinations
from pathlib import Path
from typing import Any, TextIO

from sqlalchemy import select

from crawler.calendar_text import IST
from monitor.alerts.policy import AlertPolicy
from monitor.commands.blind_split import Split, split_rows
from monitor.commands.inputs import numbered_jsonl, published_date
from monitor.commands.terminal import progress
from monitor.detect import Detector
from monitor.errors import NewsmonError
from monitor.events.intake import detect_pending
from monitor.store import Store
from monitor.store.articles import content_hash
from monitor.store.models import Article, Detection

LABELS = ("meeting", "election_prep")
FIELDS = ("party", "date", "place", "mode", "status")


@dataclass(frozen=True)
class Prediction:
    id: str
    meeting: bool
    election_prep: bool
    group: str | None
    parties: tuple[str, ...] = ()
    event: dict[str, Any] | None = None


def label_metrics(gold: Sequence[bool], predicted: Sequence[bool]) -> dict[str, Any]:
    tp = sum(1 for g, p in zip(gold, predicted, strict=True) if g and p)
    fp = sum(1 for g, p in zip(gold, predicted, strict=True) if p and not g)
    fn = sum(1 for g, p in zip(gold, predicted, strict=True) if g and not p)
    precision = tp / (tp + fp) if tp + fp else 1.0
    recall = tp / (tp + fn) if tp + fn else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": round(precision, 4),
        "recall": round(recall, 4),
        "f1": round(f1, 4),
        "tp": tp,
        "fp": fp,
        "fn": fn,
    }


def token_f1(predicted: str, reference: str) -> float:
    """Bag-of-words F1 of an extracted text against the expected one, case folded."""
    # \w splits Hindi words at some vowel signs, but identically on both sides, so the
    # comparison stays fair.
    pred = Counter(re.findall(r"\w+", predicted.casefold()))
    ref = Counter(re.findall(r"\w+", reference.casefold()))
    common = sum((pred & ref).values())
    if not common:
        return 0.0
    precision, recall = common / sum(pred.values()), common / sum(ref.values())
    return 2 * precision * recall / (precision + recall)


def pair_metrics(gold: dict[str, str], predicted: dict[str, str | None]) -> dict[str, Any]:
    """Pairwise precision/recall of grouping over the items that carry a gold `event_id`."""
    ids = sorted(gold)
    gold_pairs = {(a, b) for a, b in combinations(ids, 2) if gold[a] == gold[b]}
    pred_pairs = {
        (a, b)
        for a, b in combinations(ids, 2)
        if predicted.get(a) is not None and predicted.get(a) == predicted.get(b)
    }
    hit = len(gold_pairs & pred_pairs)
    return {
        "pair_precision": round(hit / len(pred_pairs), 4) if pred_pairs else 1.0,
        "pair_recall": round(hit / len(gold_pairs), 4) if gold_pairs else 1.0,
        "gold_pairs": len(gold_pairs),
        "predicted_pairs": len(pred_pairs),
    }


def field_metrics(
    rows: Sequence[dict[str, Any]], predictions: Sequence[Prediction]
) -> dict[str, dict[str, Any]]:
    """Accuracy of each event field over the gold meeting positives whose `event` gives it.

    Party is right when the meeting's holder (or our first party) is one the label names
    ("INDIA bloc (JMM, INC)" names two); place when one town name contains the other, the
    label's venue details aside ("Pauri (circuit house)" / "Pauri Garhwal").
    """
    counts = {key: [0, 0] for key in FIELDS}
    for row, pred in zip(rows, predictions, strict=True):
        gold = row.get("event")
        if not (row.get("meeting") and isinstance(gold, dict)):
            continue
        for key in FIELDS:
            if gold.get(key) is None:
                continue
            counts[key][1] += 1
            counts[key][0] += _field_ok(key, gold[key], pred)
    return {
        key: {
            "correct": correct,
            "total": total,
            "accuracy": round(correct / total, 4) if total else None,
        }
        for key, (correct, total) in counts.items()
    }


def _field_ok(key: str, gold: Any, pred: Prediction) -> bool:
    if key == "party":
        # The meeting's holder (an alliance for an alliance's meeting), else the first party.
        holder = (pred.event or {}).get("party") or (pred.parties[0] if pred.parties else None)
        return holder is not None and holder in _party_ids(str(gold))
    value = (pred.event or {}).get(key)
    if value is None:
        return False
    if key == "place":
        ours = _town(str(value))
        parts = [_town(p) for p in [str(gold), *re.split(r"[(),]", str(gold))]]
        return bool(ours) and any(p and (ours in p or p in ours) for p in parts)
    return bool(value == gold)


def _town(place: str) -> str:
    """A place compared without case, spaces, dots or hyphens, so that the label's
    "Ambedkarnagar" is our "Ambedkar Nagar"; each part of the label ("Pauri (circuit house)",
    "Camac Street office, Kolkata") is compared on its own."""
    return re.sub(r"[\s\-.]", "", place.casefold())


def _party_ids(gold: str) -> set[str]:
    """Party ids a label names: "JMM", "JMM-RJD (INDIA bloc)", "INDIA bloc (JMM, CPI(ML))"."""
    ids = set(re.split(r"[\s,()\-]+", gold.replace("CPI(ML)", "CPIML")))
    return {i for i in ids if i}


BATCH = 50


def predict(rows: Sequence[dict[str, Any]], detector: Detector | None = None) -> list[Prediction]:
    """Run rows through store → detect → events in a throwaway SQLite store."""
    detector = detector or Detector()
    with tempfile.TemporaryDirectory(prefix="newsmon-eval-") as tmp:
        store = Store(f"sqlite:///{Path(tmp) / 'eval.sqlite'}")
        now = datetime.now(UTC)
        with store.session() as session:
            for row in rows:
                day = published_date(row.get("published"))
                session.add(
                    Article(
                        source=str(row.get("source") or row.get("origin") or "eval"),
                        url=str(row.get("url") or row.get("basis_url") or f"eval:{row['id']}"),
                        canonical_url=f"eval:{row['id']}",
                        title=str(row.get("title") or ""),
                        text=str(row["text"]),
                        # Only the day is labelled; noon India time keeps it on that day.
                        published=datetime.combine(day, time(12), IST) if day else None,
                        lang=row.get("lang"),
                        content_hash=content_hash(str(row.get("title") or ""), str(row["text"])),
                        fetched_at=now,
                    )
                )
        # In batches, so that a terminal can show how far detection has got.
        with progress(len(rows), "detecting") as advance:
            while done := detect_pending(store, detector, AlertPolicy.silent(), limit=BATCH):
                advance(len(done))
        with store.session() as session:
            found = {
                article.canonical_url[5:]: det
                for det, article in session.execute(
                    select(Detection, Article).join(Article, Detection.article_id == Article.id)
                )
            }
            predictions = [_prediction(str(row["id"]), found[str(row["id"])]) for row in rows]
        store.dispose()
    return predictions


def _prediction(item_id: str, det: Detection) -> Prediction:
    return Prediction(
        id=item_id,
        meeting=det.meeting,
        election_prep=det.election_prep,
        group=_group(det),
        parties=tuple(str(p) for p in det.parties or ()),
        event=dict(det.fields) if det.fields else None,
    )


def _group(detection: Detection) -> str | None:
    return f"evt-{detection.event_id}" if detection.event_id is not None else None


def evaluate(rows: Sequence[dict[str, Any]], predictions: Sequence[Prediction]) -> dict[str, Any]:
    """Scores of `predictions` against rows checked by `read_labelled`."""
    metrics: dict[str, Any] = {
        label: label_metrics(
            [bool(r[label]) for r in rows], [getattr(p, label) for p in predictions]
        )
        for label in LABELS
    }
    gold_events = {str(r["id"]): str(r["event_id"]) for r in rows if r.get("event_id")}
    metrics["grouping"] = pair_metrics(gold_events, {p.id: p.group for p in predictions})
    metrics["fields"] = field_metrics(rows, predictions)
    items = [
        {"id": p.id, "meeting": p.meeting, "election_prep": p.election_prep, "group": p.group}
        for p in predictions
    ]
    errors = {
        label: {
            "false_positives": [
                p.id
                for r, p in zip(rows, predictions, strict=True)
                if getattr(p, label) and not r[label]
            ],
            "false_negatives": [
                p.id
                for r, p in zip(rows, predictions, strict=True)
                if r[label] and not getattr(p, label)
            ],
        }
        for label in LABELS
    }
    return {"metrics": metrics, "items": items, "errors": errors}


def run_eval(
    path: Path,
    as_json: bool,
    out: TextIO,
    *,
    split: Split = "all",
    detector: Detector | None = None,
) -> None:
    """Score the items of `path` on one side of the blind split (`blind_split`). The blind
    side is a check, so its report gives figures only, never which items failed."""
    rows = split_rows(path, read_labelled(path), split)
    if not rows:
        raise NewsmonError(f"{path}: no items in the {split} split")
    result = evaluate(rows, predict(rows, detector))
    result["split"] = split
    if split == "blind":
        result.pop("items")
        result.pop("errors")
    if as_json:
        out.write(json.dumps(result, ensure_ascii=False) + "\n")
        return
    out.write(format_report(path, len(rows), result))


def read_labelled(path: Path) -> list[dict[str, Any]]:
    """The labelled items, each checked before any is detected: labels true or false, ids
    unique (1 and "1" are the same item)."""
    rows: list[dict[str, Any]] = []
    seen: dict[str, int] = {}
    for number, row in numbered_jsonl(path):
        for label in LABELS:
            if not isinstance(row.get(label), bool):
                raise NewsmonError(f"{path}:{number}: label {label!r} must be true or false")
        item = str(row["id"])
        if item in seen:
            raise NewsmonError(f"{path}:{number}: id {item!r} already used on line {seen[item]}")
        seen[item] = number
        rows.append(row)
    if not rows:
        raise NewsmonError(f"{path}: no items")
    return rows


def format_report(path: Path, count: int, result: dict[str, Any]) -> str:
    metrics = result["metrics"]
    split = result.get("split", "all")
    lines = [
        f"{path} — {count} items" + ("" if split == "all" else f" ({split} split)"),
        "",
        f"{'label':<15}{'precision':>10}{'recall':>10}{'f1':>8}{'tp':>6}{'fp':>6}{'fn':>6}",
    ]
    for label in LABELS:
        m = metrics[label]
        lines.append(
            f"{label:<15}{m['precision']:>10.3f}{m['recall']:>10.3f}{m['f1']:>8.3f}"
            f"{m['tp']:>6}{m['fp']:>6}{m['fn']:>6}"
        )
    g = metrics["grouping"]
    lines += [
        "",
        f"grouping: pair precision {g['pair_precision']:.3f}, pair recall "
        f"{g['pair_recall']:.3f} ({g['gold_pairs']} labelled pairs, "
        f"{g['predicted_pairs']} predicted)",
        "",
    ]
    scored = {k: v for k, v in metrics["fields"].items() if v["total"]}
    if scored:
        lines.append(
            "event fields (meeting positives with a labelled event): "
            + ", ".join(
                f"{k} {v['accuracy']:.2f} ({v['correct']}/{v['total']})" for k, v in scored.items()
            )
        )
        lines.append("")
    for label in LABELS if "errors" in result else ():
        errs = result["errors"][label]
        lines.append(f"{label} false positives: {_ids(errs['false_positives'])}")
        lines.append(f"{label} false negatives: {_ids(errs['false_negatives'])}")
    return "\n".join(lines) + "\n"


def _ids(ids: Iterable[str]) -> str:
    listed = list(ids)
    return ", ".join(listed) if listed else "none"
