"""A crawl of the shared benchmark site stores, detects and groups what the plain path gives.

The fast path (extraction and detection in worker processes, batched writes, grouping on stored
reports found through an index) must not change a result. Each part is checked here against
its plain counterpart over the same stored articles: every page of the site stored exactly
once; each detection equal to the detector run on the stored text; each stored report equal
to the one read from the article's text; and the events equal to grouping by reading every
earlier event's texts and comparing with all of them, in the same order.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from monitor.demo.server import LocalSite
from monitor.detect import Detector
from monitor.events.grouping import (
    JOIN_SCORE,
    Report,
    match_score,
    report_from_json,
    report_of,
)
from monitor.events.intake import local_date
from monitor.store import Store
from monitor.store.models import Article, Detection

ROOT = Path(__file__).resolve().parents[2]
PERF_SITE = ROOT.parent / "shared" / "bench" / "perf_site.py"
PAGES = 80


def crawl_once(config: Path) -> dict[str, Any]:
    result = subprocess.run(
        [sys.executable, "-m", "monitor", "crawl", "--once", "--config", str(config)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        # A bound, not a speed check: the shared machine can be slow.
        timeout=900,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    stats: dict[str, Any] = json.loads(result.stdout.strip().splitlines()[-1])
    return stats


def serve_perf_site(site: LocalSite, folder: Path) -> list[str]:
    """Generate the benchmark site for `site`'s address and serve it; returns article URLs."""
    if not PERF_SITE.is_file():
        pytest.skip(f"{PERF_SITE} not found: the benchmark site lives in ../shared/bench")
    subprocess.run(
        [
            sys.executable,
            str(PERF_SITE),
            "generate",
            str(folder),
            "--n",
            str(PAGES),
            "--base-url",
            site.base_url,
        ],
        check=True,
        capture_output=True,
    )
    for path in folder.rglob("*"):
        if path.is_file():
            kind = "application/xml" if path.suffix == ".xml" else "text/html; charset=utf-8"
            if path.suffix == ".txt":
                kind = "text/plain"
            modified = datetime.fromtimestamp(path.stat().st_mtime, UTC)
            site.put(
                "/" + path.relative_to(folder).as_posix(),
                path.read_bytes(),
                kind,
                last_modified=modified,
            )
    return (folder / "urls.txt").read_text(encoding="utf-8").split()


def write_config(tmp: Path, store_url: str, site: str) -> Path:
    (tmp / "sources.yaml").write_text(
        "sources:\n  - name: perfsite\n    lang: en\n"
        f"    sitemaps: [{site}/sitemap.xml]\n    max_articles: 5000\n    allow_private: true\n",
        encoding="utf-8",
    )
    config = tmp / "newsmon.yaml"
    config.write_text(
        f"store: {{url: '{store_url}'}}\n"
        "crawl: {download_delay: 0, autothrottle: false, concurrency_per_domain: 16}\n"
        "alerts:\n  channels: [{name: log, type: file, path: alerts.jsonl}]\n",
        encoding="utf-8",
    )
    return config


def reference_events(reports: list[tuple[int, Report]]) -> set[frozenset[int]]:
    """Group as the text-reading code did: every earlier event naming a party is compared."""
    events: list[list[tuple[int, Report]]] = []
    for det_id, new in reports:
        best: tuple[float, int] | None = None
        for index, members in enumerate(events):
            old = [r for _, r in members]
            if not new.parties & frozenset().union(*(r.parties for r in old)):
                continue
            score = match_score(new, old)
            if score is not None and score >= JOIN_SCORE and (best is None or score > best[0]):
                best = (score, index)
        if best is None:
            events.append([(det_id, new)])
        else:
            events[best[1]].append((det_id, new))
    return {frozenset(d for d, _ in members) for members in events}


def test_perf_site_results_match_the_plain_path(tmp_path: Path, store_url: str) -> None:
    with LocalSite() as site:
        urls = serve_perf_site(site, tmp_path / "site")
        config = write_config(tmp_path, store_url, site.base_url)
        first = crawl_once(config)
        assert first["new_articles"] == PAGES

        site.clear_log()
        second = crawl_once(config)
        article_paths = {"/" + u.split("/", 3)[3] for u in urls}
        assert [r.path for r in site.requests if r.path in article_paths] == []
        assert second["new_articles"] == 0 and second["detections"] == 0

    store = Store(store_url)
    detector = Detector()
    with store.session() as s:
        articles = {a.id: a for a in s.scalars(select(Article))}
        assert sorted(a.canonical_url for a in articles.values()) == sorted(urls)
        detections = list(s.scalars(select(Detection).order_by(Detection.id)))
        assert sorted(d.article_id for d in detections) == sorted(articles)
        grouped: list[tuple[int, Report]] = []
        stored_events: dict[int, set[int]] = {}
        for det in detections:
            article = articles[det.article_id]
            found = detector.detect(
                article.title,
                article.text,
                lang=article.lang,
                published=local_date(article.published),
            )
            assert (det.meeting, det.election_prep) == (found.meeting, found.election_prep)
            assert det.parties == list(found.parties) and det.people == list(found.people)
            if det.event_id is None:
                assert not (found.meeting or found.election_prep)
                continue
            assert det.report is not None
            assert report_from_json(det.report) == report_of(det, article)
            grouped.append((det.id, report_of(det, article)))
            stored_events.setdefault(det.event_id, set()).add(det.id)
    store.dispose()
    # The site is built so that detection and grouping do real work.
    assert len(grouped) > PAGES // 3 and len(stored_events) < len(grouped)
    assert {frozenset(ids) for ids in stored_events.values()} == reference_events(grouped)
