"""extract_article on real saved news pages (fundus corpus) and on authored regional pages."""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path
from typing import Any

import pytest

from crawler.encoding import decode_html
from crawler.extract import detect_language, extract_article, read_html_file
from crawler.textclean import clean_text
from monitor.commands.evaluate import token_f1

SHARED = Path(__file__).resolve().parents[2].parent / "shared"
FUNDUS = SHARED / "corpus" / "html" / "fundus"
PAGES = Path(__file__).resolve().parents[1] / "sites" / "crawl"


def _fundus_cases() -> list[tuple[str, str, dict[str, Any]]]:
    """(html file, URL, expected) for every saved page; each <Publisher>[_at_<rev>].json
    pairs, version by version, with the pages its meta[_at_<rev>].info lists."""
    if not FUNDUS.is_dir():
        return []
    cases = []
    for expected_file in sorted(FUNDUS.glob("*.json")):
        publisher, _, revision = expected_file.stem.partition("_at_")
        meta_file = FUNDUS / (f"meta_at_{revision}.info" if revision else "meta.info")
        meta = json.loads(meta_file.read_text(encoding="utf-8"))
        pages = sorted(name for name in meta if name.startswith(publisher + "_"))
        versions = sorted(json.loads(expected_file.read_text(encoding="utf-8")).items())
        for (_, expected), page in zip(versions, pages, strict=True):
            cases.append((page, meta[page]["url"], expected))
    return cases


def _body(expected: dict[str, Any]) -> str:
    body = expected["body"]
    parts = list(body["summary"])
    for section in body["sections"]:
        parts += section["headline"] + section["paragraphs"]
    return "\n".join(parts)


FUNDUS_CASES = _fundus_cases()


@pytest.mark.shared
@pytest.mark.parametrize(
    ("page", "url", "expected"),
    FUNDUS_CASES or [("-", "-", {})],
    ids=[case[0] for case in FUNDUS_CASES] or ["missing"],
)
def test_fundus_page(page: str, url: str, expected: dict[str, Any]) -> None:
    if not FUNDUS_CASES:
        pytest.skip(f"../shared not found: {FUNDUS}")
    article = extract_article(read_html_file(FUNDUS / page), url)
    assert article is not None
    assert article.title == expected["title"]
    # fundus writes "2024-09-04 16:20:35+05:30"; we emit ISO 8601 with the same instant.
    assert article.published == expected["publishing_date"].replace(" ", "T")
    assert token_f1(article.text, _body(expected)) >= 0.9
    assert article.author == "; ".join(expected["authors"])
    assert article.lang == ("hi" if page.startswith("Bhaskar") else "en")
    assert set(article.to_json()) == {"url", "title", "text", "published", "author", "lang"}


def test_read_html_file_reads_gzip(tmp_path: Path) -> None:
    page = tmp_path / "page.html.gz"
    page.write_bytes(gzip.compress("<p>नमस्ते</p>".encode()))
    assert read_html_file(page).decode() == "<p>नमस्ते</p>"


def test_hindi_page_boilerplate_dropped() -> None:
    article = extract_article((PAGES / "hindi_meeting.html").read_bytes(), "http://x.in/a.html")
    assert article is not None
    assert article.title == "झामुमो की राज्य स्तरीय बैठक आज, लोकसभा चुनाव की तैयारी पर चर्चा"
    assert article.lang == "hi"
    assert "सोहराई भवन" in article.text and "गठबंधन" in article.text
    for noise in ("इसे भी पढ़ें", "यह भी पढ़ें", "लूटे", "Leave a Reply", "email address"):
        assert noise not in article.text
    assert article.text.count("झामुमो की राज्य स्तरीय बैठक आज") == 0


def test_hindi_date_fallback_when_metadata_lacks_it() -> None:
    html = (PAGES / "hindi_meeting.html").read_text(encoding="utf-8")
    html = re.sub(r'<meta property="article:published_time"[^>]*>', "", html)
    article = extract_article(html)
    assert article is not None and article.published == "2023-10-26"


def test_published_line_with_ist_is_india_time() -> None:
    html = (PAGES / "english_meeting.html").read_text(encoding="utf-8")
    html = re.sub(r"<script.*?</script>", "", html, flags=re.S).replace(
        "<h1>", "<p>Published : Nov 20, 2023, 10:02 PM IST</p><h1>"
    )
    article = extract_article(html)
    assert article is not None and article.published == "2023-11-20T22:02:00+05:30"


@pytest.mark.parametrize(
    ("declared", "encoding"), [("utf-8", "cp1252"), ("windows-1252", "utf-8"), (None, "utf-8")]
)
def test_misdeclared_charset(declared: str | None, encoding: str) -> None:
    text = "<html><head><meta charset='{}'></head><body>Café “quoted” भाजपा</body></html>"
    sample = text.format(declared or "x").replace("भाजपा", "" if encoding == "cp1252" else "भाजपा")
    decoded = decode_html(sample.encode(encoding), declared)
    assert "Café “quoted”" in decoded


@pytest.mark.parametrize(
    ("declared", "meta"), [("utf-8", "utf-8"), (None, "utf-8"), ("windows-1252", "windows-1252")]
)
def test_utf8_hindi_page_with_one_bad_byte_stays_hindi(declared: str | None, meta: str) -> None:
    html = (PAGES / "hindi_meeting.html").read_text(encoding="utf-8")
    data = html.replace('<meta charset="utf-8">', f'<meta charset="{meta}">').encode("utf-8")
    # One stray cp1252 quote in the middle of the page, as a copy-paste leaves behind.
    middle = data.index("बैठक".encode(), len(data) // 2)
    data = data[:middle] + b"\x93" + data[middle:]
    decoded = decode_html(data, declared)
    assert decoded.count("\ufffd") == 1
    assert "à¤" not in decoded
    article = extract_article(data, encoding=declared)
    assert article is not None and "बैठक" in article.title + article.text


def test_seed_style_boilerplate_lines() -> None:
    text = "\n".join(
        [
            "- Hindi News",
            "- Local",
            "- Jharkhand",
            "लोकसभा चुनाव की तैयारी में कांग्रेस",
            "रांची: झारखंड कांग्रेस ने 14 लोकसभा सीटों पर संगठन सशक्तिकरण का कार्य तेज कर दिया है.",
            "इसे भी पढ़ें – रांची : अपराधियों ने महिला से लूट ली चेन",
            "ये भी पढ़ें: दूसरी खबर",
            "Also Read: another story",
            "Read also - yet another",
            "- कॉपी लिंक",
            "Share this:",
            "बैठक में कई निर्देश दिए गए.",
            "Last Updated : Oct 20, 2023, 1:26 PM IST",
            "ABOUT THE AUTHOR",
            "ETV Bharat Jharkhand Team",
            "...view details",
            "Leave a Reply",
            "Your email address will not be published.",
        ]
    )
    cleaned = clean_text(text, title="लोकसभा चुनाव की तैयारी में कांग्रेस")
    assert cleaned.splitlines() == [
        "रांची: झारखंड कांग्रेस ने 14 लोकसभा सीटों पर संगठन सशक्तिकरण का कार्य तेज कर दिया है.",
        "बैठक में कई निर्देश दिए गए.",
    ]


def test_language_rules() -> None:
    assert detect_language("भाजपा की बैठक आज होगी, BJP meeting") == "hi"
    assert detect_language("The BJP meeting is today in Ranchi") == "en"
    # A site-wide lang="hi" does not make an English page Hindi; lang="mr" refines Devanagari.
    assert detect_language("The BJP meeting is today", "hi") == "en"
    assert detect_language("भाजपाची बैठक आज आहे", "mr") == "mr"


def test_page_without_article_text() -> None:
    assert extract_article("<html><body><nav><a href='/'>Home</a></nav></body></html>") is None
