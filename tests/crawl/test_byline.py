"""Authors come out as the page wrote them: Hindi names whole, no place or date in them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from crawler.byline import normalise_byline
from crawler.extract import extract_article, read_html_file

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
FUNDUS = SHARED / "corpus" / "html" / "fundus"
PAGES = Path(__file__).resolve().parents[1] / "sites" / "crawl"
_JSON_LD = re.compile(r'<script type="application/ld\+json">.*?</script>', re.S)


@pytest.mark.parametrize(
    ("raw", "names"),
    [
        ("संवाददाता, रांची", ("संवाददाता",)),
        ("दैनिक भास्कर", ("दैनिक भास्कर",)),
        ("रवि प्रकाश और सुनीता देवी | रांची", ("रवि प्रकाश", "सुनीता देवी")),
        ("By Rajesh Kumar, Ranchi, Nov 20, 2023", ("Rajesh Kumar",)),
        ("By Rajesh Kumar - Ranchi", ("Rajesh Kumar",)),
        ("Written by A. Sharma and B. Singh", ("A. Sharma", "B. Singh")),
        ("TNN | Updated: Aug 28, 2024, 10:02 IST", ("TNN",)),
        ("प्रकाशित: गुरुवार 26 अक्टूबर 2023", ()),
        ("Updated Nov 20, 2023", ()),
        ("https://example.com/author/x", ()),
    ],
)
def test_bylines_are_names_without_their_dateline(raw: str, names: tuple[str, ...]) -> None:
    assert normalise_byline(raw) == names


def _bhaskar_pages() -> list[tuple[str, str]]:
    if not FUNDUS.is_dir():
        return []
    expected = json.loads((FUNDUS / "Bhaskar.json").read_text(encoding="utf-8"))
    older = json.loads((FUNDUS / "Bhaskar_at_7ca7c2d.json").read_text(encoding="utf-8"))
    return [
        ("Bhaskar_2024_09_04.html.gz", "; ".join(expected["V1"]["authors"])),
        ("Bhaskar_2024_09_03.html.gz", "; ".join(older["V1"]["authors"])),
    ]


BHASKAR = _bhaskar_pages()


@pytest.mark.shared
@pytest.mark.parametrize(("page", "author"), BHASKAR or [("-", "-")])
def test_a_hindi_meta_author_on_a_corpus_page_comes_out_whole(page: str, author: str) -> None:
    if not BHASKAR:
        pytest.skip(f"../shared not found: {FUNDUS}")
    markup = read_html_file(FUNDUS / page).decode("utf-8")
    with_ld = extract_article(markup)
    assert with_ld is not None and with_ld.author == author  # from JSON-LD
    # Without JSON-LD the <meta name="author"> is read, vowel signs and all.
    bare = _JSON_LD.sub("", markup)
    for stated, expected in ((author, author), ("संवाददाता, रांची", "संवाददाता")):
        page_html = bare.replace("<head>", f'<head><meta name="author" content="{stated}">', 1)
        article = extract_article(page_html)
        assert article is not None
        assert article.author == expected


@pytest.mark.shared
def test_an_english_byline_keeps_its_place_and_date_out_of_the_author() -> None:
    if not FUNDUS.is_dir():
        pytest.skip(f"../shared not found: {FUNDUS}")
    markup = read_html_file(FUNDUS / "TimesOfIndia_2024_09_02.html.gz").decode("utf-8")
    bare = _JSON_LD.sub("", markup)
    bare = re.sub(r'<meta[^>]+name="(?:author|byl)"[^>]*>', "", bare)
    byline = '<div class="byline">By Aashish Saxena, Bhopal, Sep 2, 2024, 10:02 IST</div>'
    article = extract_article(re.sub(r"(<h1[^>]*>)", byline + r"\1", bare, count=1))
    assert article is not None
    assert article.author == "Aashish Saxena"


def test_a_dateline_in_the_byline_block_is_no_author() -> None:
    article = extract_article((PAGES / "hindi_meeting.html").read_bytes(), "http://x.in/a.html")
    assert article is not None
    assert article.author is None  # the block says "प्रकाशित: गुरुवार …", a date
