"""Cost per article and per detection as the store grows: 1,000 / 10,000 / 100,000 stored.

For each size, a fresh store (SQLite file, and a fresh PostgreSQL database) is bulk-loaded with
that many articles (each with a MinHash signature and its 25 LSH band rows) and as many events
(one detection each, with its stored report and index keys), 100 events a day going back in
time from now, as a store fills over the years. Then, timed:

- store+dedup: `save_articles` on batches of 64 new articles as the crawl's pipeline writes
  them (signatures computed beside extraction, as the crawl does), half of them near
  duplicates of stored articles; one transaction per batch, commit included;
- dedup alone: the lookups of the same batches (URLs, exact hashes, bands and verification);
- grouping: `assign_event` for new meeting detections dated today, one transaction each, as
  the detection step runs it.

The first size is the baseline of each column: cost flat in store size shows as ratios near 1.

    .venv/bin/python bench/scale_bench.py [--sizes 1000,10000,100000] [--dedup-only 1000000]
"""

from __future__ import annotations

import argparse
import random
import statistics
import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import numpy as np
from sqlalchemy import create_engine, insert, text

from crawler.items import ArticleItem
from monitor.events.grouping import assign_event
from monitor.store import Store, neardup
from monitor.store.articles import _exact_originals, save_articles, stored_among
from monitor.store.models import (
    Article,
    ArticleBand,
    ArticleSignature,
    Detection,
    Event,
    ReportKey,
)

NOW = datetime(2026, 12, 3, 12, tzinfo=UTC)
PARTIES = ["BJP", "INC", "JMM", "RJD", "JDU", "SP", "BSP", "AAP", "TMC", "CPIM"]
PLACES = ["Ranchi", "Patna", "Lucknow", "Jaipur", "Bhopal", "Kolkata", "Dhanbad", "Gaya"]
WORDS = [f"w{i}" for i in range(5000)] + ["बैठक", "चुनाव", "तैयारी", "जिला", "पार्टी", "meeting"]
PER_DAY = 100
REAL = 200  # stored articles with real texts: the originals the near-duplicate probes copy
CHUNK = 5000


def body(rng: random.Random, words: int = 160) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(words))


def edited(rng: random.Random, text_: str) -> str:
    words = text_.split()
    for i in rng.sample(range(len(words)), len(words) // 20):
        words[i] = f"x{rng.randrange(10**6)}"
    return " ".join(words[: int(len(words) * 0.9)])


def _copy_or_insert(store: Store, conn: Any, model: Any, rows: list[dict[str, Any]]) -> None:
    if not rows:
        return
    if store.engine.dialect.name != "postgresql":
        conn.execute(insert(model), rows)
        return
    columns = list(rows[0])
    raw = conn.connection.driver_connection
    sql = f"COPY {model.__tablename__} ({', '.join(columns)}) FROM STDIN"
    with raw.cursor() as cursor, cursor.copy(sql) as copy:
        for row in rows:
            copy.write_row([row[c] for c in columns])


def bulk_load(store: Store, count: int, events: int, rng: random.Random) -> list[str]:
    """`count` articles (the first REAL with real texts) and `events` events; returns texts."""
    real: list[str] = []
    nprng = np.random.default_rng(7)
    with store.engine.begin() as conn:
        for start in range(1, count + 1, CHUNK):
            ids = range(start, min(count, start + CHUNK - 1) + 1)
            arts, sigs, bands = [], [], []
            dets, evs, keys = [], [], []
            for i in ids:
                if i <= REAL:
                    txt = body(rng)
                    real.append(txt)
                    sig = neardup.signature(txt)
                    assert sig is not None
                else:
                    txt = f"stored article {i}"
                    sig = neardup.Signature(nprng.integers(0, 2**63, 128, dtype=np.uint64))
                day = NOW - timedelta(days=(i - 1) // PER_DAY)
                arts.append(
                    {"id": i, "source": "bench", "url": f"https://b.example/{i}",
                     "canonical_url": f"https://b.example/{i}", "title": "t", "text": txt,
                     "published": day, "lang": "hi",
                     "content_hash": uuid.uuid4().hex * 2, "fetched_at": day,
                     "detected_at": day}
                )  # fmt: skip
                sigs.append(
                    {"article_id": i, "scheme": neardup.SCHEME, "num_perm": neardup.NUM_PERM,
                     "signature": sig.to_bytes()}
                )  # fmt: skip
                bands.extend({"article_id": i, "band": b, "hash": h} for b, h in sig.bands())
                if i <= events:
                    party = PARTIES[i % len(PARTIES)]
                    date = day.date()
                    place = PLACES[i % len(PLACES)].casefold()
                    evs.append(
                        {"id": i, "party": party, "date": date.isoformat(), "place": place,
                         "meeting": True, "election_prep": False, "title": "t",
                         "first_seen_at": day,
                         "updated_at": day}
                    )  # fmt: skip
                    report = {"parties": [party], "date": date.isoformat(),
                              "published": date.isoformat(), "place": place, "mode": "in_person",
                              "people": [f"leader {i % 50}"], "numbers": [str(i % 97 + 10)],
                              "days": [[date.month, date.day]]}  # fmt: skip
                    dets.append(
                        {"id": i, "article_id": i, "meeting": True, "election_prep": False,
                         "score": 0.9, "parties": [party], "people": report["people"],
                         "fields": {"date": date.isoformat(), "place": place, "mode": "in_person"},
                         "evidence": [], "event_id": i, "created_at": day,
                         "report": report}
                    )  # fmt: skip
                    keys.append(
                        {"detection_id": i, "party": party, "date": date, "published": date}
                    )
            conn.execute(insert(Article), arts)
            _copy_or_insert(store, conn, ArticleSignature, sigs)
            _copy_or_insert(store, conn, ArticleBand, bands)
            if evs:
                conn.execute(insert(Event), evs)
                conn.execute(insert(Detection), dets)
                _copy_or_insert(store, conn, ReportKey, keys)
        if store.engine.dialect.name == "postgresql":
            for table, n in (("articles", count), ("events", events), ("detections", events)):
                conn.execute(text(f"SELECT setval('{table}_id_seq', :n)"), {"n": max(n, 1)})
            conn.execute(text("ANALYZE"))
    return real


def new_items(rng: random.Random, real: list[str], count: int, tag: str) -> list[ArticleItem]:
    items: list[ArticleItem] = []
    for i in range(count):
        txt = edited(rng, rng.choice(real)) if i % 2 else body(rng)
        item: ArticleItem = {
            "url": f"https://new.example/{tag}/{i}", "canonical_url": f"https://new.example/{tag}/{i}",
            "source": "bench", "title": "t", "text": txt, "published": NOW.isoformat(),
            "author": None, "lang": "hi", "discovered_via": "sitemap",
            "fetched_at": NOW.isoformat(), "http_status": 200,
        }  # fmt: skip
        item["analysis"] = neardup.analysis_of(txt)  # computed beside extraction in the crawl
        items.append(item)
    return items


def time_dedup(store: Store, items: list[ArticleItem], batch: int = 64) -> tuple[float, float, int]:
    """(store+dedup ms per article, dedup-lookups-only ms per article, near duplicates found)."""
    lookup = 0.0
    for start in range(0, len(items), batch):
        chunk = items[start : start + batch]
        t0 = time.perf_counter()
        with store.session() as session:
            stored_among(session, [i["canonical_url"] for i in chunk])
            from monitor.store.articles import content_hash

            _exact_originals(session, [content_hash(i["title"], i["text"]) for i in chunk])
            sigs = [neardup.signature_of(i["text"], i.get("analysis")) for i in chunk]
            neardup.find_originals(session, [s for s in sigs if s is not None])
        lookup += time.perf_counter() - t0
    total, near = 0.0, 0
    for start in range(0, len(items), batch):
        chunk = items[start : start + batch]
        t0 = time.perf_counter()
        with store.session() as session:
            results = save_articles(session, chunk, now=NOW)
        total += time.perf_counter() - t0
        near += sum(r.near_duplicate for r in results)
    return total / len(items) * 1e3, lookup / len(items) * 1e3, near


def time_grouping(store: Store, rng: random.Random, count: int) -> tuple[float, int]:
    """ms per new detection's `assign_event`, and how many joined an existing event."""
    times: list[float] = []
    joined = 0
    for _ in range(count):
        party = rng.choice(PARTIES)
        with store.session() as session:
            article = Article(
                source="bench", url=f"https://g.example/{uuid.uuid4().hex}",
                canonical_url=f"https://g.example/{uuid.uuid4().hex}", title="t",
                text=body(rng, 120), published=NOW, lang="hi", content_hash=uuid.uuid4().hex,
                fetched_at=NOW, detected_at=NOW,
            )  # fmt: skip
            session.add(article)
            session.flush()
            det = Detection(
                article_id=article.id, meeting=True, election_prep=False, score=0.9,
                parties=[party], people=[f"leader {rng.randrange(50)}"], evidence=[],
                fields={"date": NOW.date().isoformat(), "place": rng.choice(PLACES),
                        "mode": "in_person"},
                created_at=NOW,
            )  # fmt: skip
            session.add(det)
            session.flush()
        t0 = time.perf_counter()
        with store.session() as session:
            det = session.merge(det)
            _, created = assign_event(session, det, session.merge(article), now=NOW)
        times.append(time.perf_counter() - t0)
        joined += not created
    return statistics.median(times) * 1e3, joined


def fresh_url(kind: str, pg: str, folder: str) -> tuple[str, Any]:
    if kind == "sqlite":
        return f"sqlite:///{folder}/scale-{uuid.uuid4().hex[:8]}.sqlite", None
    admin = create_engine(
        pg.replace("postgresql://", "postgresql+psycopg://"), isolation_level="AUTOCOMMIT"
    )
    name = f"newsmon_scale_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    return pg.rsplit("/", 1)[0] + f"/{name}", (admin, name)


def drop(handle: Any) -> None:
    if handle is not None:
        admin, name = handle
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--dedup-only", type=int, default=0, help="also dedup at this many stored")
    parser.add_argument("--backends", default="sqlite,postgres")
    parser.add_argument("--probe", type=int, default=256)
    parser.add_argument("--pg", default="postgresql://postgres@127.0.0.1:5432/test")
    parser.add_argument("--folder", default="/tmp")
    args = parser.parse_args()
    sizes = [int(s) for s in args.sizes.split(",")]
    rows = []
    for kind in args.backends.split(","):
        plan = [(n, n) for n in sizes] + ([(args.dedup_only, 0)] if args.dedup_only else [])
        for stored, events in plan:
            rng = random.Random(11)
            url, handle = fresh_url(kind, args.pg, args.folder)
            try:
                store = Store(url, clock=lambda: NOW)
                t0 = time.perf_counter()
                real = bulk_load(store, stored, events, rng)
                load_s = time.perf_counter() - t0
                save_ms, lookup_ms, near = time_dedup(store, new_items(rng, real, args.probe, "a"))
                group_ms, joined = time_grouping(store, rng, 100) if events else (float("nan"), 0)
                store.dispose()
            finally:
                drop(handle)
            rows.append((kind, stored, events, load_s, save_ms, lookup_ms, near, group_ms, joined))
            print(rows[-1], flush=True)
    print()
    print(
        "| store | stored articles / events | store+dedup ms/article | ratio "
        "| dedup lookups ms/article | ratio | grouping ms/detection | ratio "
        "| near-dups found | joined | load s |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|---|")
    base: dict[str, tuple[float, float, float]] = {}
    for kind, stored, events, load_s, save_ms, lookup_ms, near, group_ms, joined in rows:
        b = base.setdefault(kind, (save_ms, lookup_ms, group_ms))
        g = f"{group_ms:.2f} | {group_ms / b[2]:.2f}" if events else "– | –"
        print(
            f"| {kind} | {stored:,} / {events:,} | {save_ms:.2f} | {save_ms / b[0]:.2f} | "
            f"{lookup_ms:.3f} | {lookup_ms / b[1]:.2f} | {g} | {near}/{args.probe // 2} | "
            f"{joined}/100 | {load_s:.0f} |"
        )


if __name__ == "__main__":
    main()
