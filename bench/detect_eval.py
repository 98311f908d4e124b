"""Measure the detector on the labelled development sets.

Prints precision, recall and F1 of `meeting` and `election_prep` for the detector and for a naive
keyword baseline (any party name and any meeting/election word), the accuracy of the event fields
on labelled meeting positives, and the detection speed.

    .venv/bin/python bench/detect_eval.py [--corpus ../shared/corpus] [--split train|blind|all]
        [--errors] [--fields]

Each labelled set is scored on its TRAIN and BLIND parts (`monitor.commands.blind_split`) side by
side. `--errors` and `--fields` list items of the train part only: the blind part is a check,
and its failing items are never shown.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import Any

from monitor.commands.blind_split import SPLITS, Split, split_rows
from monitor.commands.evaluate import Prediction, field_metrics, label_metrics
from monitor.detect import Detector, Finding
from monitor.detect.normalise import fold

# 40 short articles written and labelled for this project without looking at the detector's
# rules, in the outlets' style (see bench/README.md, Detection).
AUTHORED = Path(__file__).resolve().parent / "data" / "authored_40.jsonl"

Row = dict[str, Any]
Predict = Callable[[Row], tuple[bool, bool]]

_BASE_MEETING = ("बैठक", "मीटिंग", "सम्मेलन", "meeting", "meet", "convention", "conference")
_BASE_PREP = ("चुनाव", "election", "polls", "तैयारी", "booth", "बूथ")


def load(path: Path) -> list[Row]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def published(row: Row) -> date | None:
    value = row.get("published")
    return date.fromisoformat(value) if value else None


def baseline(detector: Detector) -> Predict:
    """Naive keyword matching: a party name and a meeting (or election) word anywhere."""

    def predict(row: Row) -> tuple[bool, bool]:
        text = fold(f"{row.get('title', '')}\n{row.get('text', '')}")
        hits = detector.lexicon.find(
            text, fold(f"{row.get('title', '')}\n{row.get('text', '')}", casefold=False)
        )
        party = any(h.group in ("party", "alliance") for h in hits)
        return (
            party and any(w in text for w in _BASE_MEETING),
            party and any(w in text for w in _BASE_PREP),
        )

    return predict


def as_prediction(row: Row, det: Finding) -> Prediction:
    return Prediction(
        id=str(row["id"]),
        meeting=det.meeting,
        election_prep=det.election_prep,
        group=None,
        parties=det.parties,
        event=det.event.to_json() if det.event else None,
    )


def run(path: Path, split: Split, detector: Detector, show_errors: bool, show_fields: bool) -> None:
    rows = split_rows(path, load(path), split)
    if split == "blind":
        show_errors = show_fields = False
    start = time.perf_counter()
    found = [
        detector.detect(
            r.get("title", ""), r.get("text", ""), lang=r.get("lang"), published=published(r)
        )
        for r in rows
    ]
    elapsed = time.perf_counter() - start
    base = [baseline(detector)(r) for r in rows]
    langs = {lang: sum(1 for r in rows if r.get("lang") == lang) for lang in ("hi", "en")}
    print(
        f"\n== {path.name} [{split}]: {len(rows)} items (hi {langs['hi']}, en {langs['en']}), "
        f"{len(rows) / elapsed:.0f} articles/s"
    )
    for i, label in enumerate(("meeting", "election_prep")):
        gold = [bool(r[label]) for r in rows]
        ours = label_metrics(gold, [getattr(d, label) for d in found])
        naive = label_metrics(gold, [b[i] for b in base])
        print(
            f"{label:14s} detector P={ours['precision']:.3f} R={ours['recall']:.3f} "
            f"F1={ours['f1']:.3f} (tp={ours['tp']} fp={ours['fp']} fn={ours['fn']})   "
            f"baseline P={naive['precision']:.3f} R={naive['recall']:.3f} F1={naive['f1']:.3f}"
        )
    scores = field_metrics(rows, [as_prediction(r, d) for r, d in zip(rows, found, strict=True)])
    scored = {k: v for k, v in scores.items() if v["total"]}
    if scored:
        print(
            "fields "
            + "  ".join(
                f"{k}={v['correct']}/{v['total']} ({v['accuracy']:.2f})" for k, v in scored.items()
            )
        )
    for row, det in zip(rows, found, strict=True):
        wrong = det.meeting != row["meeting"] or det.election_prep != row["election_prep"]
        if show_errors and wrong:
            print(
                f"  ERR {row['id']} gold m={row['meeting']} p={row['election_prep']} "
                f"got m={det.meeting} p={det.election_prep} s={det.score:.2f} "
                f"| {row.get('title', '')[:70]}"
            )
            for ev in det.evidence[:3]:
                print(f"        {ev.sentence[:110]} {list(ev.terms)[:6]}")
        if show_fields and row.get("meeting") and row.get("event") and det.event:
            g, e = row["event"], det.event
            print(
                f"  FLD {row['id']} party {g['party']}/{det.parties[:2]} date {g['date']}/"
                f"{e.date} place {g['place']}/{e.place} mode {g['mode']}/{e.mode} "
                f"status {g['status']}/{e.status}"
            )


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    default = Path(__file__).resolve().parents[1].parent / "shared" / "corpus"
    parser.add_argument("--corpus", type=Path, default=default)
    parser.add_argument("--errors", action="store_true", help="list misclassified items")
    parser.add_argument("--fields", action="store_true", help="list event fields vs gold")
    parser.add_argument(
        "--split",
        choices=SPLITS,
        default=None,
        help="score one part only (default: train and blind side by side, authored_40 whole)",
    )
    args = parser.parse_args(argv)
    detector = Detector()
    names = ("dev_regional_2_hindi_belt", "dev_regional_2_other_states", "dev_regional", "dev")
    paths = [args.corpus / f"{name}.jsonl" for name in names]
    for path in [*paths, AUTHORED]:
        if not path.exists():
            print(f"{path}: not found", file=sys.stderr)
            return 2
    for path in paths:
        splits: tuple[Split, ...] = (args.split,) if args.split else ("train", "blind")
        for split in splits:
            run(path, split, detector, args.errors, args.fields)
    run(AUTHORED, "all", detector, args.errors, args.fields)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
