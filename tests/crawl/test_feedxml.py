"""The fast feed reader agrees with feedparser on well-formed feeds and leaves it the rest."""

from __future__ import annotations

import calendar
from datetime import UTC, datetime

import feedparser
import pytest

from crawler.discovery import parse_feed
from crawler.feedxml import read_feed

BASE = "http://x.in/news/feed.xml"

RSS2 = """<?xml version="1.0" encoding="UTF-8"?>
<rss version="2.0" xmlns:atom="http://www.w3.org/2005/Atom"
     xmlns:dc="http://purl.org/dc/elements/1.1/">
<channel><title>समाचार</title><link>http://x.in/</link>
  <atom:link href="http://x.in/news/feed.xml" rel="self" type="application/rss+xml"/>
  <item><title>भाजपा की बैठक</title>
    <link>
      http://x.in/news/bjp-baithak.html
    </link>
    <pubDate>Tue, 21 Nov 2023 10:00:00 +0530</pubDate></item>
  <item><title><![CDATA[<b>JMM</b> meeting]]></title><link>/news/jmm.html</link>
    <dc:date>2023-11-20T18:30:00Z</dc:date></item>
  <item><guid>http://x.in/news/guid-only.html</guid>
    <pubDate>Mon, 20 Nov 2023 09:15:00 GMT</pubDate></item>
  <item><guid isPermaLink="false">tag:x.in,2023:77</guid><title>no link</title></item>
  <!-- a comment between items -->
  <item><link>http://x.in/news/%E0%A4%AC%E0%A5%88%E0%A4%A0%E0%A4%95.html</link>
    <pubDate>not a date</pubDate></item>
</channel></rss>"""

ATOM = """<?xml version="1.0" encoding="utf-8"?>
<feed xmlns="http://www.w3.org/2005/Atom" xml:base="http://x.in/hi/">
  <title>t</title><id>urn:x</id><updated>2023-11-21T10:00:00+05:30</updated>
  <entry><title type="html">कांग्रेस की बैठक</title><id>urn:1</id>
    <link rel="self" href="http://x.in/api/1"/>
    <link rel="alternate" type="text/html" href="articles/1.html"/>
    <published>2023-11-21T08:00:00+05:30</published>
    <updated>2023-11-21T09:00:00+05:30</updated></entry>
  <entry><title>Only updated</title><id>urn:2</id>
    <link href="http://x.in/hi/articles/2.html"/>
    <updated>2023-11-19T00:00:00Z</updated></entry>
</feed>"""

RDF = """<?xml version="1.0"?>
<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#" xmlns="http://purl.org/rss/1.0/"
         xmlns:dc="http://purl.org/dc/elements/1.1/">
  <channel rdf:about="http://x.in/"><title>t</title><link>http://x.in/</link></channel>
  <item rdf:about="http://x.in/rdf/1.html"><title>one</title><link>http://x.in/rdf/1.html</link>
    <dc:date>2023-11-18T12:00:00+05:30</dc:date></item>
</rdf:RDF>"""


def _feedparser_view(body: bytes) -> list[tuple[str, datetime | None]]:
    headers = {"content-location": BASE, "content-type": "application/xml"}
    parsed = feedparser.parse(body, response_headers=headers)
    assert not parsed.bozo, parsed.bozo_exception
    view = []
    for entry in parsed.entries:
        link = entry.get("link")
        if not link:
            continue
        # Plain dict lookups: feedparser's own mapping answers a missing updated_parsed
        # with published_parsed and a DeprecationWarning.
        stamp = dict.get(entry, "published_parsed") or dict.get(entry, "updated_parsed")
        published = datetime.fromtimestamp(calendar.timegm(stamp), UTC) if stamp else None
        view.append((link, published))
    return view


@pytest.mark.parametrize("feed", [RSS2, ATOM, RDF], ids=["rss2", "atom", "rss1"])
def test_agrees_with_feedparser_on_well_formed_feeds(feed: str) -> None:
    body = feed.encode()
    entries = read_feed(body, BASE)
    assert entries is not None
    ours = [(e.link, e.published) for e in entries]
    assert ours == _feedparser_view(body)
    assert [(c.url, c.published) for c in parse_feed(body, BASE)] == ours


def test_fields_read_from_the_tree() -> None:
    entries = read_feed(RSS2.encode(), BASE)
    assert entries is not None
    first, second, third, fourth = entries
    assert first.link == "http://x.in/news/bjp-baithak.html"
    assert first.published == datetime(2023, 11, 21, 4, 30, tzinfo=UTC)
    assert first.title == "भाजपा की बैठक"
    # Relative links resolve against the feed's URL; a permalink guid stands in for a link.
    assert second.link == "http://x.in/news/jmm.html"
    assert third.link == "http://x.in/news/guid-only.html"
    # An unreadable date is no date, not a failure of the entry.
    assert fourth.published is None
    atom = read_feed(ATOM.encode(), BASE)
    assert atom is not None
    # xml:base applies, rel="self" is not the page, published wins over updated.
    assert atom[0].link == "http://x.in/hi/articles/1.html"
    assert atom[0].published == datetime(2023, 11, 21, 2, 30, tzinfo=UTC)


def test_indian_standard_time_is_india() -> None:
    body = b"""<rss version="2.0"><channel><item><link>http://x.in/a.html</link>
      <pubDate>Tue, 21 Nov 2023 10:00:00 IST</pubDate></item></channel></rss>"""
    entries = read_feed(body, BASE)
    assert entries is not None
    assert entries[0].published == datetime(2023, 11, 21, 4, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "body",
    [
        # Not well-formed: an unescaped ampersand, as small CMSs write them.
        b"<rss version='2.0'><channel><item><link>http://x.in/a?x=1&y=2</link></item>"
        b"</channel></rss>",
        # Entity declarations: feedparser refuses and reports them.
        b'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY a "aaaa">]>'
        b"<rss version='2.0'><channel><item><link>http://x.in/&a;</link></item></channel></rss>",
        # Not a feed at all.
        b"<html><body>Service unavailable</body></html>",
        # Declared UTF-8, is not.
        b'<?xml version="1.0" encoding="utf-8"?><rss><channel><item><title>\xe0\xa4</title>'
        b"<link>http://x.in/a</link></item></channel></rss>",
    ],
    ids=["bad-markup", "internal-dtd", "html", "bad-encoding"],
)
def test_declines_what_needs_repair(body: bytes) -> None:
    assert read_feed(body, BASE) is None


def test_a_feed_needing_repair_is_still_read() -> None:
    body = (
        b"<rss version='2.0'><channel><item><link>http://x.in/a.html?x=1&y=2</link>"
        b"<pubDate>Tue, 21 Nov 2023 10:00:00 +0530</pubDate></item></channel></rss>"
    )
    (candidate,) = parse_feed(body, BASE)
    assert candidate.url.startswith("http://x.in/a.html?x=1")
    assert candidate.published == datetime(2023, 11, 21, 4, 30, tzinfo=UTC)
