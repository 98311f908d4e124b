"""The quality gate: `newsmon eval` on the labelled sets must stay above the pinned floors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli_helpers import newsmon

ROOT = Path(__file__).resolve().parents[2]
FLOORS = json.loads((ROOT / "tests" / "eval_floors.json").read_text(encoding="utf-8"))


def evaluate(path: Path, split: str = "all") -> dict[str, dict[str, Any]]:
    result = newsmon("eval", str(path), "--split", split, "--json", timeout=300)
    assert result.returncode == 0, result.stderr
    out = json.loads(result.stdout)
    assert out["split"] == split
    if split != "blind":  # the blind part reports figures only
        ids = [item["id"] for item in out["items"]]
        assert len(ids) == len(set(ids)) > 0
    metrics: dict[str, dict[str, Any]] = out["metrics"]
    return metrics


def measured(metrics: dict[str, dict[str, Any]], label: str, key: str) -> float:
    """A pinned figure: a label's precision or recall, or an event field's accuracy."""
    value = metrics[label][key]
    return float(value["accuracy"] if isinstance(value, dict) else value)


@pytest.mark.shared
@pytest.mark.parametrize("name", sorted(k for k in FLOORS if not k.startswith("_")))
def test_eval_stays_above_the_floors(shared_dir: Path, name: str) -> None:
    """Floors are keyed by file, or by file and split ("set.jsonl#blind")."""
    file, _, split = name.partition("#")
    metrics = evaluate(shared_dir / "corpus" / file, split or "all")
    failures = [
        f"{label}.{key} = {measured(metrics, label, key):.3f} < {floor}"
        for label, floors in FLOORS[name].items()
        for key, floor in floors.items()
        if measured(metrics, label, key) < floor
    ]
    assert not failures, f"{name}: " + "; ".join(failures)


def test_eval_rejects_a_bad_line_with_exit_2(tmp_path: Path) -> None:
    bad = tmp_path / "bad.jsonl"
    bad.write_text(
        '{"id": "a", "title": "t", "text": "x", "meeting": true, '
        '"election_prep": false}\n{not json}\n',
        encoding="utf-8",
    )
    result = newsmon("eval", str(bad), timeout=60)
    assert result.returncode == 2
    assert f"{bad}:2: invalid JSON" in result.stderr
