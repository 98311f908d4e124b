"""Dedup cost per article with 100,000 articles already stored, on SQLite and PostgreSQL.

Loads N synthetic articles (Hindi and English words, ~150 words each) with their MinHash
signatures and LSH bands, then times `save_article` — canonical URL check, exact hash, MinHash,
band lookup, verification, insert — for new articles, half of them near-duplicates of stored
ones. The baseline beside it is trafilatura extracting one real page, measured in the same run.

    .venv/bin/python bench/dedup_bench.py [--stored 100000] [--probe 1000] [--pg URL]
"""

from __future__ import annotations

import argparse
import gzip
import random
import resource
import statistics
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import create_engine, insert, text

from crawler.items import ArticleItem
from monitor.store import Store, neardup
from monitor.store.articles import content_hash, save_article
from monitor.store.models import Article, ArticleBand, ArticleSignature

NOW = datetime(2026, 11, 22, tzinfo=UTC)
SHARED = Path(__file__).resolve().parents[2] / "shared"
HI = [
    "झामुमो", "भाजपा", "कांग्रेस", "बैठक", "चुनाव", "तैयारी", "जिला", "प्रखंड", "कार्यकर्ता", "रांची",
    "पटना", "समिति", "बूथ",
]  # fmt: skip
EN = [
    "party", "meeting", "election", "district", "block", "workers", "booth", "committee",
    "leaders", "state", "office", "campaign", "president", "secretary", "review",
]  # fmt: skip


def article_text(rng: random.Random, words: int = 150) -> str:
    vocab = HI + EN + [f"w{rng.randrange(50_000)}" for _ in range(40)]
    return " ".join(rng.choice(vocab) for _ in range(words))


def edited(rng: random.Random, text_: str, share: float = 0.05) -> str:
    words = text_.split()
    for i in rng.sample(range(len(words)), int(len(words) * share)):
        words[i] = f"x{rng.randrange(10**6)}"
    return " ".join(words[: int(len(words) * 0.9)])  # and the last tenth trimmed


def bulk_load(store: Store, count: int, rng: random.Random) -> list[str]:
    texts: list[str] = []
    batch_a: list[dict[str, object]] = []
    batch_s: list[dict[str, object]] = []
    batch_b: list[dict[str, object]] = []
    with store.engine.begin() as conn:
        for i in range(1, count + 1):
            body = article_text(rng)
            texts.append(body)
            sig = neardup.signature(body)
            assert sig is not None
            batch_a.append(
                {
                    "id": i,
                    "source": "bench",
                    "url": f"https://b.example/{i}",
                    "canonical_url": f"https://b.example/{i}",
                    "title": "t",
                    "text": body,
                    "content_hash": content_hash("t", body),
                    "fetched_at": NOW,
                    "detected_at": NOW,
                }
            )
            batch_s.append(
                {
                    "article_id": i,
                    "scheme": neardup.SCHEME,
                    "num_perm": neardup.NUM_PERM,
                    "signature": sig.to_bytes(),
                }
            )
            batch_b.extend({"article_id": i, "band": b, "hash": h} for b, h in sig.bands())
            if len(batch_a) == 2000 or i == count:
                conn.execute(insert(Article), batch_a)
                conn.execute(insert(ArticleSignature), batch_s)
                conn.execute(insert(ArticleBand), batch_b)
                batch_a, batch_s, batch_b = [], [], []
        if store.engine.dialect.name == "postgresql":
            conn.execute(text("SELECT setval('articles_id_seq', :n)"), {"n": count})
            conn.execute(text("ANALYZE"))
    return texts


def probe(
    store: Store, texts: list[str], count: int, rng: random.Random
) -> tuple[list[float], int]:
    times: list[float] = []
    found = 0
    for i in range(count):
        body = edited(rng, rng.choice(texts)) if i % 2 else article_text(rng)
        item: ArticleItem = {
            "url": f"https://new.example/{i}",
            "canonical_url": f"https://new.example/{i}",
            "source": "bench",
            "title": "t",
            "text": body,
            "published": None,
            "author": None,
            "lang": "hi",
            "discovered_via": "feed",
            "fetched_at": NOW.isoformat(),
            "http_status": 200,
        }
        start = time.perf_counter()
        with store.session() as session:
            result = save_article(session, item, now=NOW)
        times.append(time.perf_counter() - start)
        found += result.near_duplicate
    return times, found


def extraction_baseline() -> float:
    import trafilatura

    pages = sorted((SHARED / "corpus" / "html" / "fundus").glob("*.html.gz"))
    if not pages:
        return float("nan")
    times = []
    for page in pages:
        html = gzip.decompress(page.read_bytes()).decode("utf-8", "replace")
        for _ in range(3):
            start = time.perf_counter()
            trafilatura.extract(html, fast=True)
            times.append(time.perf_counter() - start)
    return statistics.median(times)


def run(url: str, stored: int, probes: int) -> tuple[str, float, float, int, float]:
    rng = random.Random(7)
    store = Store(url, clock=lambda: NOW)
    start = time.perf_counter()
    texts = bulk_load(store, stored, rng)
    load_s = time.perf_counter() - start
    times, found = probe(store, texts, probes, rng)
    store.dispose()
    rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    del load_s  # loading is set-up, not the measured cost
    return (
        store.engine.dialect.name,
        statistics.median(times) * 1e3,
        sorted(times)[int(len(times) * 0.95)] * 1e3,
        found,
        rss_mb,
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--stored", type=int, default=100_000)
    parser.add_argument("--probe", type=int, default=1000)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    args = parser.parse_args()
    tmp = Path("/tmp") / f"newsmon-dedup-{uuid.uuid4().hex[:8]}"
    tmp.mkdir()
    results = [run(f"sqlite:///{tmp / 'bench.sqlite'}", args.stored, args.probe)]
    admin = create_engine(
        args.pg.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    name = f"newsmon_bench_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        results.append(run(args.pg.rsplit("/", 1)[0] + f"/{name}", args.stored, args.probe))
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    extract_ms = extraction_baseline() * 1e3
    print(f"stored articles: {args.stored:,}; probes: {args.probe:,} (half near-duplicates)")
    print(
        f"{'store':<12}{'dedup ms/article (median)':>27}{'p95':>8}{'near-dups found':>17}"
        f"{'peak RSS MB':>13}{'extract ms':>12}{'dedup/extract':>15}"
    )
    for name_, median, p95, found, rss in results:
        print(
            f"{name_:<12}{median:>27.2f}{p95:>8.2f}{found:>17}{rss:>13.0f}{extract_ms:>12.2f}"
            f"{median / extract_ms:>15.2f}"
        )


if __name__ == "__main__":
    main()
