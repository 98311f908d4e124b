"""extract_article on the other real Indian pages of ../shared/corpus/html (fundus pages are
covered in test_extract.py): article-extraction-benchmark bodies and trafilatura's Economic
Times slideshow, where fast mode alone picks a promo block."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from crawler.extract import extract_article, read_html_file
from monitor.commands.evaluate import token_f1

CORPUS = Path(__file__).resolve().parents[2].parent / "shared" / "corpus" / "html"
AEB = CORPUS / "aeb" / "ground-truth.india.json"
ET = CORPUS / "trafilatura" / "economictimes.evaldata.json"


def _aeb_cases() -> list[tuple[str, str, str]]:
    if not AEB.is_file():
        return []
    truth = json.loads(AEB.read_text(encoding="utf-8"))
    return [(digest, entry["url"], entry["articleBody"]) for digest, entry in sorted(truth.items())]


AEB_CASES = _aeb_cases()


@pytest.mark.shared
@pytest.mark.parametrize(
    ("digest", "url", "body"),
    AEB_CASES or [("-", "-", "")],
    ids=[case[0][:8] for case in AEB_CASES] or ["missing"],
)
def test_benchmark_page_body(digest: str, url: str, body: str) -> None:
    if not AEB_CASES:
        pytest.skip(f"../shared not found: {AEB}")
    article = extract_article(read_html_file(CORPUS / "aeb" / f"{digest}.html.gz"), url)
    assert article is not None and article.lang == "en"
    assert token_f1(article.text, body) >= 0.9


@pytest.mark.shared
def test_slideshow_falls_back_to_full_extraction() -> None:
    if not ET.is_file():
        pytest.skip(f"../shared not found: {ET}")
    ((url, expected),) = json.loads(ET.read_text(encoding="utf-8")).items()
    article = extract_article(read_html_file(ET.parent / (expected["file"] + ".gz")), url)
    assert article is not None
    assert article.title == expected["title"]
    assert article.published is not None and article.published.startswith(expected["date"])
    for snippet in expected["with"]:
        assert snippet in article.text
    for snippet in expected["without"]:
        assert snippet not in article.text
