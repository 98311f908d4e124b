"""Grouping pair precision and recall on the development sets' TRAIN and BLIND parts.

The split is fixed: for a file stem S, an item's key is its `event_id` if any, else its `id`;
the item is BLIND when sha256("newsmon-blind-1:S:key") mod 3 is 0, so all reports of one
event fall on the same side. Each part runs on its own through `newsmon eval`'s path (a
temporary store, detection, grouping); pairs are counted over the items with a gold event.

    .venv/bin/python bench/grouping_eval.py [--part train|blind|both]
"""

from __future__ import annotations

import argparse
import hashlib
from pathlib import Path
from typing import Any

from monitor.commands.evaluate import pair_metrics, predict, read_labelled

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"


def is_blind(stem: str, row: dict[str, Any]) -> bool:
    key = row.get("event_id") or row["id"]
    digest = hashlib.sha256(f"newsmon-blind-1:{stem}:{key}".encode()).hexdigest()
    return int(digest, 16) % 3 == 0


def score(rows: list[dict[str, Any]]) -> dict[str, Any]:
    gold = {str(r["id"]): str(r["event_id"]) for r in rows if r.get("event_id")}
    predicted = {p.id: p.group for p in predict(rows)}
    return pair_metrics(gold, predicted)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--part", choices=["train", "blind", "both"], default="both")
    args = parser.parse_args()
    parts = ["train", "blind"] if args.part == "both" else [args.part]
    print("| set | part | gold pairs | predicted pairs | pair precision | pair recall |")
    print("|---|---|---|---|---|---|")
    totals = {p: [0, 0, 0] for p in parts}
    for path in sorted(CORPUS.glob("*.jsonl")):
        rows = read_labelled(path)
        if not any(r.get("event_id") for r in rows):
            continue
        for part in parts:
            chosen = [r for r in rows if is_blind(path.stem, r) == (part == "blind")]
            m = score(chosen)
            hit = round(m["pair_precision"] * m["predicted_pairs"])
            totals[part][0] += m["gold_pairs"]
            totals[part][1] += m["predicted_pairs"]
            totals[part][2] += hit
            print(
                f"| {path.stem} | {part} | {m['gold_pairs']} | {m['predicted_pairs']} | "
                f"{m['pair_precision']:.3f} | {m['pair_recall']:.3f} |"
            )
    for part, (gold, pred, hit) in totals.items():
        p = hit / pred if pred else 1.0
        r = hit / gold if gold else 1.0
        print(f"| all | {part} | {gold} | {pred} | {p:.3f} | {r:.3f} |")


if __name__ == "__main__":
    main()
