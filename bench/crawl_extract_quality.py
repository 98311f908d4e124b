"""Extraction quality on the real Indian pages in ../shared/corpus/html, through `newsmon extract`.

For every page with a known answer it prints: title exact, date exact (where the answer has
a date), body token F1 and the language found. Run from the repository root:

    .venv/bin/python bench/crawl_extract_quality.py [--json]

Exits 1 when a page's body F1 is below 0.9.
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from monitor.commands.evaluate import token_f1

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus" / "html"
MIN_F1 = 0.9


@dataclass
class Case:
    name: str
    path: Path
    url: str
    title: str | None
    date: str | None  # ISO, as precise as the answer gives it
    body: str
    must_not: tuple[str, ...] = ()


@dataclass
class Row:
    page: str
    title_ok: bool | None
    date_ok: bool | None
    f1: float
    lang: str | None
    leaked: int
    got_title: str
    got_date: str | None


def fundus_cases() -> list[Case]:
    folder = CORPUS / "fundus"
    cases = []
    for expected_file in sorted(folder.glob("*.json")):
        publisher, _, revision = expected_file.stem.partition("_at_")
        meta_file = folder / (f"meta_at_{revision}.info" if revision else "meta.info")
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        pages = sorted(name for name in meta if name.startswith(publisher + "_"))
        versions = sorted(json.loads(expected_file.read_text(encoding="utf-8")).items())
        for (_, expected), page in zip(versions, pages, strict=True):
            body = expected["body"]
            parts = list(body["summary"])
            for section in body["sections"]:
                parts += section["headline"] + section["paragraphs"]
            date = str(expected["publishing_date"]).replace(" ", "T")
            cases.append(
                Case(
                    page,
                    folder / page,
                    meta[page]["url"],
                    expected["title"],
                    date,
                    "\n".join(parts),
                )
            )
    return cases


def aeb_cases() -> list[Case]:
    folder = CORPUS / "aeb"
    truth = json.loads((folder / "ground-truth.india.json").read_text(encoding="utf-8"))
    return [
        Case(
            f"aeb/{digest[:8]}",
            folder / f"{digest}.html.gz",
            entry["url"],
            None,
            None,
            entry["articleBody"],
        )
        for digest, entry in sorted(truth.items())
    ]


def trafilatura_cases() -> list[Case]:
    folder = CORPUS / "trafilatura"
    truth = json.loads((folder / "economictimes.evaldata.json").read_text(encoding="utf-8"))
    cases = []
    for url, entry in truth.items():
        # This answer lists snippets, not a whole body: F1 is over the must-contain snippets.
        cases.append(
            Case(
                "economictimes.slideshow",
                folder / (entry["file"] + ".gz"),
                url,
                entry["title"],
                entry["date"],
                " ".join(entry["with"]),
                tuple(entry["without"]),
            )
        )
    return cases


def run_extract(case: Case) -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "extract", str(case.path), "--url", case.url],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if done.returncode != 0:
        return {"title": "", "text": "", "published": None, "lang": None}
    result: dict[str, Any] = json.loads(done.stdout)
    return result


def evaluate(case: Case) -> Row:
    got = run_extract(case)
    text = str(got.get("text") or "")
    published = got.get("published")
    if case.must_not:
        # Snippet answers: recall of the snippets' tokens is what they can measure.
        ref = Counter(re.findall(r"\w+", case.body.casefold()))
        have = Counter(re.findall(r"\w+", text.casefold()))
        f1 = sum((ref & have).values()) / max(1, sum(ref.values()))
    else:
        f1 = token_f1(text, case.body)
    date_ok = None
    if case.date:
        date_ok = published is not None and str(published)[: len(case.date)] == case.date
    return Row(
        page=case.name,
        title_ok=None if case.title is None else got.get("title") == case.title,
        date_ok=date_ok,
        f1=round(f1, 3),
        lang=got.get("lang"),
        leaked=sum(1 for snippet in case.must_not if snippet in text),
        got_title=str(got.get("title") or ""),
        got_date=None if published is None else str(published),
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = [evaluate(case) for case in fundus_cases() + aeb_cases() + trafilatura_cases()]
    if args.json:
        print(json.dumps([asdict(row) for row in rows], ensure_ascii=False, indent=1))
    else:
        print("| page | title exact | date exact | body F1 | lang |")
        print("|---|---|---|---|---|")
        for row in rows:

            def mark(value: bool | None) -> str:
                return "n/a" if value is None else ("yes" if value else "NO")

            print(
                f"| {row.page} | {mark(row.title_ok)} | {mark(row.date_ok)} | {row.f1:.3f} "
                f"| {row.lang} |"
            )
    return 0 if all(row.f1 >= MIN_F1 for row in rows) else 1


if __name__ == "__main__":
    sys.exit(main())
