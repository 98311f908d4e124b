"""The interfaces scripts outside the project rely on (DESIGN.md, Contracts)."""

from __future__ import annotations

import json
import re
from pathlib import Path

from monitor.demo.site import build_site, load_seed_articles
from tests.cli_helpers import newsmon

ROOT = Path(__file__).resolve().parents[2]
DETECTION_KEYS = {
    "id",
    "meeting",
    "election_prep",
    "score",
    "parties",
    "people",
    "event",
    "evidence",
}
EVENT_KEYS = {"date", "time", "status", "mode", "place", "level", "election"}


def test_detect_jsonl_writes_one_line_per_input_in_order(tmp_path: Path) -> None:
    seed = (ROOT / "seeds" / "001_06d027bd9ccc752b.txt").read_text(encoding="utf-8")
    rows = [
        {"id": "b", "title": "Heavy rain in Ranchi", "text": "It rained all day.", "lang": "en"},
        {"id": "a", "title": seed.splitlines()[0], "text": seed, "published": "2023-11-20"},
        {"id": "c", "title": "", "text": "नगर निगम की बैठक में सफाई पर चर्चा हुई."},
    ]
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    result = newsmon("detect", "--jsonl", str(path))
    assert result.returncode == 0, result.stderr
    out = [json.loads(line) for line in result.stdout.splitlines()]
    assert [o["id"] for o in out] == ["b", "a", "c"]
    for o in out:
        assert set(o) >= DETECTION_KEYS
        assert (o["event"] is None) == (not o["meeting"])
    hit = out[1]
    assert hit["meeting"] and hit["election_prep"] and hit["parties"] == ["JMM"]
    assert set(hit["event"]) >= EVENT_KEYS
    assert (hit["event"]["date"], hit["event"]["time"]) == ("2023-11-21", "14:00")
    assert (hit["event"]["status"], hit["event"]["mode"]) == ("scheduled", "online")
    assert all({"sentence", "terms"} == set(e) for e in hit["evidence"])
    assert not out[0]["meeting"] and not out[2]["meeting"]


def test_detect_bad_input_exits_2_with_one_line(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_text('{"id": "x"}\n', encoding="utf-8")
    result = newsmon("detect", "--jsonl", str(path))
    assert result.returncode == 2
    assert result.stderr.strip().count("\n") == 0 and "missing field 'text'" in result.stderr


def test_extract_prints_the_contract_fields(tmp_path: Path) -> None:
    [article, *_] = load_seed_articles(ROOT / "seeds")
    body, _ = build_site([article], "http://127.0.0.1:8000")[article.path]
    page = tmp_path / "page.html"
    page.write_bytes(body)
    result = newsmon("extract", str(page), "--url", "http://127.0.0.1:8000" + article.path)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert set(data) == {"url", "title", "text", "published", "author", "lang"}
    assert data["title"] == article.title
    assert data["published"].startswith(article.published.date().isoformat())
    assert "Leave a Reply" not in data["text"] and "इसे भी पढ़ें" not in data["text"]


def test_readme_quick_start_has_the_two_commands_and_ci_runs_the_second() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1]
    block = re.search(r"```(?:sh|bash|console)?\n(.*?)```", section, re.S)
    assert block is not None
    commands = [line for line in block.group(1).splitlines() if line.strip()]
    assert len(commands) == 2
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    assert commands[1].strip() in [line.strip() for line in ci.splitlines()]


def test_every_command_has_help() -> None:
    result = newsmon("--help")
    assert result.returncode == 0
    listed = re.findall(r"^  (\S+)", result.stdout.split("Commands:")[1], re.M)
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for name in listed:
        assert newsmon(name, "--help").returncode == 0, name
        assert f"newsmon {name}" in readme, f"newsmon {name} is not documented in README.md"
