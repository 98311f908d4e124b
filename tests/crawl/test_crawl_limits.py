"""Per-source limits in one real crawl: time budgets, Retry-After past the budget, sitemap caps.

Four sources at once: one whose feed hangs (budget 3 s), one whose article asks to be retried in
30 s (budget 6 s), an endless chain of sitemap indexes, and an index of ten child sitemaps with a
fetch cap of 4. The crawl must end within the largest budget, each source's stats must say what
was cut and why, and the healthy article must be extracted all the same.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest

from tests.crawl.test_crawler import run_crawl
from tests.faults.hostile import HostileSite
from tests.sites.regional import article_html
from tests.sites.scripted import Answer, ScriptedSite

XML = "application/xml"
HUNG_BUDGET = 3
BUSY_BUDGET = 6
# Start-up and the end of the crawl (closing the extraction, the stats) after the last budget.
MARGIN = 4
DEPTH_CAP = 3


def _index(children: list[str]) -> Answer:
    entries = "".join(f"<sitemap><loc>{c}</loc></sitemap>" for c in children)
    body = f'<sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">{entries}'
    return Answer((body + "</sitemapindex>").encode(), content_type=XML)


def _stat(log: str, key: str) -> str | None:
    match = re.search(rf"'{re.escape(key)}': ('[^']*'|[\d.]+)", log)
    return match.group(1).strip("'") if match else None


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("limits")
    with ScriptedSite() as site, HostileSite() as hostile:
        base = site.base_url
        site.script("/robots.txt", Answer(b"User-agent: *\nAllow: /\n", content_type="text/plain"))
        feed = "".join(
            f"<item><title>t</title><link>{base}{p}</link></item>"
            for p in ("/news/ok.html", "/news/busy.html")
        )
        site.script(
            "/feed.xml",
            Answer(
                f'<rss version="2.0"><channel>{feed}</channel></rss>'.encode(), content_type=XML
            ),
        )
        page = article_html("/news/ok.html", "en", datetime.now(UTC), None)
        site.script("/news/ok.html", Answer(page.encode()))
        site.script("/news/busy.html", Answer(b"busy", 503, headers={"Retry-After": "30"}))
        for level in range(1, 20):
            site.script(f"/deep/{level}.xml", _index([f"{base}/deep/{level + 1}.xml"]))
        site.script("/wide.xml", _index([f"{base}/wide/{n}.xml" for n in range(10)]))
        for n in range(10):
            site.script(f"/wide/{n}.xml", _index([]))
        sources = f"""
sources:
  - name: hung
    feeds: ["{hostile.base_url}/hang/feed.xml"]
    budget_seconds: {HUNG_BUDGET}
    allow_private: true
  - name: busy
    feeds: ["{base}/feed.xml"]
    budget_seconds: {BUSY_BUDGET}
    allow_private: true
  - name: deep
    sitemaps: ["{base}/deep/1.xml"]
    allow_private: true
  - name: wide
    sitemaps: ["{base}/wide.xml"]
    sitemap_max_fetches: 4
    allow_private: true
"""
        items, log, code = run_crawl(
            tmp, sources, NEWSMON_SOURCE_BUDGET="30", NEWSMON_SITEMAP_MAX_DEPTH=str(DEPTH_CAP)
        )
        return {
            "items": items,
            "log": log,
            "code": code,
            "deep": [h.path for h in site.hits if h.path.startswith("/deep/")],
            "wide": [h.path for h in site.hits if h.path.startswith("/wide")],
            "busy": len(site.hits_for("/news/busy.html")),
            "hung": hostile.paths("/hang/"),
        }


def test_the_crawl_ends_within_the_largest_budget(crawl: dict[str, object]) -> None:
    log = str(crawl["log"])
    assert crawl["code"] == 0, log[-3000:]
    elapsed = float(_stat(log, "elapsed_time_seconds") or "inf")
    # The deep and wide sources have the 30 s default but finish at once; the hung feed would
    # hold the crawl for DOWNLOAD_TIMEOUT (30 s) three times over.
    assert elapsed <= BUSY_BUDGET + MARGIN, elapsed
    assert [str(item["url"]).rsplit("/", 1)[1] for item in crawl["items"]] == ["ok.html"]  # type: ignore[attr-defined]


def test_a_hung_source_is_cut_off_and_says_why(crawl: dict[str, object]) -> None:
    log = str(crawl["log"])
    assert _stat(log, "newsmon/source/hung/cut_off") == "1"
    assert (
        _stat(log, "newsmon/source/hung/cut_off_reason") == f"time budget of {HUNG_BUDGET} s spent"
    )
    assert re.search(r"source hung: cut off, time budget of 3 s spent; feed http://\S+/hang/", log)
    # Its feed failed within the budget: the first download was given only what was left.
    assert len(list(crawl["hung"])) == 1  # type: ignore[call-overload]
    assert _stat(log, "newsmon/source/busy/cut_off") is None


def test_retry_after_past_the_budget_is_deferred_not_waited(crawl: dict[str, object]) -> None:
    log = str(crawl["log"])
    assert _stat(log, "newsmon/retry_after/deferred") == "1"
    assert _stat(log, "newsmon/source/busy/retry_after_deferred") == "1"
    assert crawl["busy"] == 1
    assert "deferred to a later cycle" in log


def test_sitemap_chains_cost_at_most_the_caps(crawl: dict[str, object]) -> None:
    log = str(crawl["log"])
    assert crawl["deep"] == [f"/deep/{level}.xml" for level in range(1, DEPTH_CAP + 1)]
    assert len(list(crawl["wide"])) == 4  # type: ignore[call-overload]
    assert _stat(log, "newsmon/source/deep/sitemaps_capped") == "1"
    assert _stat(log, "newsmon/source/wide/sitemaps_capped") == "1"
    assert re.search(r"source deep: sitemap depth cap \(3 levels\) reached", log)
    assert re.search(r"source wide: sitemap fetch cap \(4 per crawl\) reached", log)
