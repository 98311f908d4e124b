"""The fixed blind split of the labelled development sets.

A third of each labelled file is kept blind: rules are tuned on the TRAIN part only, and the
BLIND part is scored as a check of what the rules do on articles nobody tuned them to. Reports
of one event share their `event_id`, and the split is keyed on it, so a cluster falls wholly on
one side and grouping can be scored on the blind part too. The seed and the formula are fixed:
changing them would leak tuned-on items into the blind part.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

Split = Literal["train", "blind", "all"]
SPLITS: tuple[Split, ...] = ("train", "blind", "all")
SEED = "newsmon-blind-1"


def item_key(row: dict[str, Any]) -> str:
    """What the split is keyed on: the item's event if it has one, else the item itself."""
    event = row.get("event_id")
    return str(event) if event else str(row["id"])


def is_blind(stem: str, row: dict[str, Any]) -> bool:
    """Whether an item of the labelled file `stem` (its name without `.jsonl`) is blind."""
    digest = hashlib.sha256(f"{SEED}:{stem}:{item_key(row)}".encode()).hexdigest()
    return int(digest, 16) % 3 == 0


def split_rows(path: Path, rows: Sequence[dict[str, Any]], split: Split) -> list[dict[str, Any]]:
    """The rows of `path` on the chosen side of the split (all of them for "all")."""
    if split == "all":
        return list(rows)
    stem = path.name.removesuffix(".jsonl")
    want = split == "blind"
    return [r for r in rows if is_blind(stem, r) == want]
