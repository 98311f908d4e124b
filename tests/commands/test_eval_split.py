"""The blind split of the labelled sets, and `detect`/`eval` reading the user's lexicon."""

from __future__ import annotations

import json
from collections import defaultdict
from pathlib import Path
from typing import Any

import pytest

from monitor.commands.blind_split import is_blind, split_rows
from tests.cli_helpers import newsmon

CORPUS_SETS = (
    "dev.jsonl",
    "dev_regional.jsonl",
    "dev_regional_2_hindi_belt.jsonl",
    "dev_regional_2_other_states.jsonl",
)


def read(path: Path) -> list[dict[str, Any]]:
    with path.open(encoding="utf-8") as fh:
        return [json.loads(line) for line in fh if line.strip()]


def test_an_event_falls_wholly_on_one_side() -> None:
    rows = [{"id": f"x-{i}", "event_id": "ev-7"} for i in range(20)]
    assert len({is_blind("some_set", r) for r in rows}) == 1
    singles = [{"id": f"x-{i}", "event_id": None} for i in range(300)]
    blind = sum(is_blind("some_set", r) for r in singles)
    assert 70 < blind < 130  # about a third of independent items
    # The file's name is part of the key: one id is not blind in every file.
    files = {is_blind(f"set_{n}", {"id": "x-1"}) for n in range(30)}
    assert files == {True, False}


@pytest.mark.shared
@pytest.mark.parametrize("name", CORPUS_SETS)
def test_train_and_blind_partition_each_labelled_set(shared_dir: Path, name: str) -> None:
    path = shared_dir / "corpus" / name
    rows = read(path)
    train, blind = split_rows(path, rows, "train"), split_rows(path, rows, "blind")
    assert sorted(r["id"] for r in train + blind) == sorted(r["id"] for r in rows)
    assert len(rows) / 5 < len(blind) < len(rows) / 2
    sides: dict[str, set[bool]] = defaultdict(set)
    for r in rows:
        if r.get("event_id"):
            sides[r["event_id"]].add(r in blind)
    assert all(len(s) == 1 for s in sides.values())
    # Both languages are on the blind side (counted from the metadata, not the texts).
    assert {r["lang"] for r in blind} == {"hi", "en"}


@pytest.mark.shared
def test_eval_scores_one_side_and_hides_blind_items(shared_dir: Path) -> None:
    path = shared_dir / "corpus" / "dev_regional.jsonl"
    rows = read(path)
    train = newsmon("eval", str(path), "--split", "train", "--json")
    assert train.returncode == 0, train.stderr
    out = json.loads(train.stdout)
    assert out["split"] == "train"
    assert {i["id"] for i in out["items"]} == {r["id"] for r in split_rows(path, rows, "train")}
    blind = newsmon("eval", str(path), "--split", "blind", "--json")
    assert blind.returncode == 0, blind.stderr
    out = json.loads(blind.stdout)
    assert "items" not in out and "errors" not in out
    labelled = sum(1 for r in split_rows(path, rows, "blind") if r["meeting"])
    m = out["metrics"]["meeting"]
    assert m["tp"] + m["fn"] == labelled
    text = newsmon("eval", str(path), "--split", "blind")
    assert "(blind split)" in text.stdout and "false negatives" not in text.stdout


ARTICLE = {
    "id": "jnm-1",
    "lang": "en",
    "title": "Jan Nyay Morcha holds district meeting in Ranchi",
    "text": "Ranchi: The Jan Nyay Morcha held a meeting of its district office-bearers "
    "on Sunday to prepare for the coming assembly election.",
    "published": "2025-07-14",
}


def user_config(tmp_path: Path) -> Path:
    (tmp_path / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
    (tmp_path / "mine.yaml").write_text(
        "parties:\n  JNM:\n    name: Jan Nyay Morcha\n    aliases: [Jan Nyay Morcha]\n",
        encoding="utf-8",
    )
    config = tmp_path / "newsmon.yaml"
    config.write_text("detect:\n  lexicon_files: [mine.yaml]\n", encoding="utf-8")
    return config


def test_detect_and_eval_use_the_configs_lexicon_files(tmp_path: Path) -> None:
    items = tmp_path / "items.jsonl"
    labelled = {**ARTICLE, "meeting": True, "election_prep": True, "event": {"party": "JNM"}}
    items.write_text(json.dumps(labelled) + "\n", encoding="utf-8")
    config = user_config(tmp_path)

    plain = newsmon("detect", "--jsonl", str(items))
    assert plain.returncode == 0, plain.stderr
    assert json.loads(plain.stdout)["meeting"] is False  # no party the shipped lexicon knows
    mine = newsmon("detect", "--jsonl", str(items), "-c", str(config))
    assert mine.returncode == 0, mine.stderr
    found = json.loads(mine.stdout)
    assert found["meeting"] is True and found["parties"][0] == "JNM"

    scored = newsmon("eval", str(items), "--json", "--config", str(config))
    assert scored.returncode == 0, scored.stderr
    metrics = json.loads(scored.stdout)["metrics"]
    assert metrics["meeting"]["tp"] == 1 and metrics["fields"]["party"]["correct"] == 1


def test_detect_with_a_broken_lexicon_file_is_a_one_line_error(tmp_path: Path) -> None:
    config = user_config(tmp_path)
    (tmp_path / "mine.yaml").write_text("parties: [not, a, mapping]\n", encoding="utf-8")
    items = tmp_path / "items.jsonl"
    items.write_text(json.dumps(ARTICLE) + "\n", encoding="utf-8")
    result = newsmon("detect", "--jsonl", str(items), "-c", str(config))
    assert result.returncode == 2
    assert "detect.lexicon_files" in result.stderr and "Traceback" not in result.stderr
