"""URL canonicalisation: one key per article, whatever variant of its address a page links."""

from __future__ import annotations

import pytest

from crawler.urls import canonical_link, canonicalize_url


@pytest.mark.parametrize(
    ("url", "canonical"),
    [
        (
            "HTTPS://WWW.Example.IN:443/a/b?utm_source=x&z=1&a=2#top",
            "https://www.example.in/a/b?a=2&z=1",
        ),
        ("http://example.in:80/x?fbclid=1&gclid=2&ref=home", "http://example.in/x"),
        ("http://127.0.0.1:8080/news/1.html", "http://127.0.0.1:8080/news/1.html"),
        ("https://example.in/story-1/amp", "https://example.in/story-1"),
        ("https://example.in/story?id=3&amp=1&outputType=amp", "https://example.in/story?id=3"),
        ("https://example.in", "https://example.in/"),
        # An "&amp;" left escaped in a link is the "&" it stands for.
        ("https://example.in/s?id=5&amp;page=2", "https://example.in/s?id=5&page=2"),
        ("https://example.in/s?id=5&amp;amp;utm_source=x&amp;p=1", "https://example.in/s?id=5&p=1"),
        ("mailto:desk@example.in", "mailto:desk@example.in"),
    ],
)
def test_canonicalize_url(url: str, canonical: str) -> None:
    assert canonicalize_url(url) == canonical
    assert canonicalize_url(canonical) == canonical


@pytest.mark.parametrize(
    ("variant", "canonical"),
    [
        (
            "https://m.prabhatkhabar.com/state/jharkhand/x-1",
            "https://www.prabhatkhabar.com/state/jharkhand/x-1",
        ),
        ("https://amp.example.co.in/news/x-1", "https://www.example.co.in/news/x-1"),
        ("https://www.example.in/amp/news/x-1.html", "https://www.example.in/news/x-1.html"),
        ("https://www.example.in/news/x-1.amp", "https://www.example.in/news/x-1"),
        (
            "https://navbharattimes.indiatimes.com/state/x/amp_articleshow/123.cms",
            "https://navbharattimes.indiatimes.com/state/x/articleshow/123.cms",
        ),
        (
            "https://lagatar.in/ajsu-meeting/?amp=1&utm_source=fb#comments",
            "https://lagatar.in/ajsu-meeting/",
        ),
    ],
)
def test_amp_and_mobile_variants_share_a_key(variant: str, canonical: str) -> None:
    assert canonicalize_url(variant) == canonical
    # Two-label hosts such as "m.in" are a domain, not a mobile variant.
    assert canonicalize_url("https://m.in/x") == "https://m.in/x"


def test_a_hindi_path_raw_or_escaped_in_either_case_is_one_key() -> None:
    raw = "https://www.bhaskar.com/local/jharkhand/ranchi/news/झामुमो-की-बैठक-123.html"
    escaped = canonicalize_url(raw)
    assert escaped.isascii() and "%E0%A4" in escaped
    assert canonicalize_url(escaped) == escaped
    assert canonicalize_url(escaped.replace("%E0%A4", "%e0%a4")) == escaped
    # An escaped slash is a different path from a slash.
    assert (
        canonicalize_url("https://x.in/a%2fb")
        == "https://x.in/a%2Fb"
        != canonicalize_url("https://x.in/a/b")
    )


def test_rel_canonical_link() -> None:
    page = "https://www.example.in/state/x-1?ref=home"
    assert canonical_link("/jharkhand/x-1?utm_medium=web", page) == (
        "https://www.example.in/jharkhand/x-1"
    )
    # Templates that point every page at the home page are ignored.
    assert canonical_link("https://www.example.in/", page) is None
    assert canonical_link("  ", page) is None
