"""Detection throughput beside the cost of extracting the same articles, measured in one run.

Two sets of pages: the real Indian news pages of ../shared/corpus/html (Bhaskar, Times of India,
Deccan Herald, …) and the 90 dev_regional articles rendered into regional-portal page templates
(navigation, related-story links, author box, comment form). For each page: trafilatura
extraction as the crawler runs it (`extract_article`), then detection on the extracted text.

    .venv/bin/python bench/detect_speed.py [--passes 5]
"""

from __future__ import annotations

import argparse
import gzip
import json
import statistics
import time
from datetime import datetime
from datetime import time as dtime
from pathlib import Path
from zoneinfo import ZoneInfo

from crawler.extract import extract_article
from monitor.demo import pages
from monitor.demo.site import DemoArticle
from monitor.detect import Detector

SHARED = Path(__file__).resolve().parents[2] / "shared"
IST = ZoneInfo("Asia/Kolkata")
OUTLETS = (pages.SAMVAD, pages.LEDGER, pages.PRAHARI, pages.TAWI)


def real_pages() -> list[bytes]:
    html_dir = SHARED / "corpus" / "html"
    return [gzip.decompress(p.read_bytes()) for p in sorted(html_dir.glob("*/*.html.gz"))]


def regional_pages() -> list[bytes]:
    out = []
    path = SHARED / "corpus" / "dev_regional.jsonl"
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()):
        row = json.loads(line)
        day = datetime.fromisoformat(row["published"]).date() if row["published"] else None
        article = DemoArticle(
            slug=row["id"],
            seed=row["id"],
            outlet=OUTLETS[n % len(OUTLETS)],
            lang=row["lang"],
            title=row["title"],
            published=datetime.combine(day or datetime(2024, 1, 1).date(), dtime(12), IST),
            author=None,
            paragraphs=tuple(p for p in row["text"].split("\n\n") if p.strip()),
        )
        out.append(pages.article_page(article, "http://127.0.0.1:8000").encode("utf-8"))
    return out


def grown_pages(times: int) -> list[bytes]:
    """Ten dev_regional articles, each rendered with its body repeated `times` times: how the
    cost of both steps grows with the length of an article."""
    path = SHARED / "corpus" / "dev_regional.jsonl"
    out = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines()[:10]):
        row = json.loads(line)
        paragraphs = tuple(p for p in row["text"].split("\n\n") if p.strip()) * times
        article = DemoArticle(
            slug=row["id"],
            seed=row["id"],
            outlet=OUTLETS[n % len(OUTLETS)],
            lang=row["lang"],
            title=row["title"],
            published=datetime(2024, 1, 1, 12, tzinfo=IST),
            author=None,
            paragraphs=paragraphs,
        )
        out.append(pages.article_page(article, "http://127.0.0.1:8000").encode("utf-8"))
    return out


def measure(html_pages: list[bytes], passes: int, detector: Detector) -> tuple[float, float, int]:
    extract_s: list[float] = []
    detect_s: list[float] = []
    texts = []
    for html in html_pages:
        page = extract_article(html)
        if page is not None:
            texts.append((page.title or "", page.text))
    for _ in range(passes):
        start = time.perf_counter()
        for html in html_pages:
            extract_article(html)
        extract_s.append(time.perf_counter() - start)
        start = time.perf_counter()
        for title, text in texts:
            detector.detect(title, text)
        detect_s.append(time.perf_counter() - start)
    return statistics.median(extract_s), statistics.median(detect_s), len(texts)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--passes", type=int, default=5)
    args = parser.parse_args()
    detector = Detector()
    detector.detect("warm-up", "झामुमो की बैठक रांची में हुई.")  # lexicon load, dateparser data
    print(f"{'pages':<28}{'n':>4}{'extract/s':>11}{'detect/s':>10}{'detect cost':>13}")
    for name, html_pages in (
        ("real Indian news pages", real_pages()),
        ("dev_regional as portal pages", regional_pages()),
    ):
        extract, detect, n = measure(html_pages, args.passes, detector)
        print(
            f"{name:<28}{n:>4}{len(html_pages) / extract:>11.1f}{n / detect:>10.1f}"
            f"{detect / extract:>12.1%}"
        )
    print(f"\n{'article length':<28}{'n':>4}{'extract ms':>11}{'detect ms':>10}{'detect cost':>13}")
    for times in (1, 10, 100):
        extract, detect, n = measure(grown_pages(times), max(1, args.passes // 2), detector)
        print(
            f"{f'{times}x dev_regional body':<28}{n:>4}{extract / n * 1000:>11.1f}"
            f"{detect / n * 1000:>10.1f}{detect / extract:>12.1%}"
        )


if __name__ == "__main__":
    main()
