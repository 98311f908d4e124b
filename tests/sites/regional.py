"""An authored local site imitating how regional Indian outlets announce their articles.

- "prabhat": an RSS feed whose links carry tracking parameters (as Prabhat Khabar's do), with an
  old entry and an entry under a path robots.txt disallows;
- "bhaskar": a sitemap index whose children are a Google-News sitemap (news:title,
  news:publication_date) and an old archive, the news sitemap listing AMP copies beside articles;
- "lagatar": a WordPress category listing with /page/2/ pagination, ?amp=1 copies and an
  off-site link;
- "etv": a state listing whose links carry ?ref= and whose pages name another path as
  rel=canonical;
- "down": a feed that answers 500.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

from monitor.demo.server import LocalSite

HI_PARAGRAPHS = (
    "रांची: झारखंड मुक्ति मोर्चा ने लोकसभा चुनाव की तैयारियां तेज कर दी हैं. पार्टी ने सभी जिला "
    "अध्यक्षों और प्रखंड अध्यक्षों की बैठक बुलाई है, जिसमें संगठन विस्तार पर चर्चा होगी.",
    "पार्टी सूत्रों के अनुसार बैठक में बूथ स्तर की समितियों के गठन और जिलों को दिए गए कार्यों की "
    "समीक्षा की जाएगी. सभी जिलों के पदाधिकारियों को शामिल होने का निर्देश दिया गया है.",
)
EN_PARAGRAPHS = (
    "Ranchi: The state Congress held an online meeting of its Lok Sabha coordinators on "
    "Thursday to review booth committees and the party's preparation for the coming polls.",
    "Leaders said control rooms would be set up for every seat and that district presidents "
    "must report on the formation of booth-level committees within two weeks.",
)

# (source, path, language); every path is an article page.
ARTICLES = (
    ("prabhat", "/prabhat/state/jharkhand/jmm-baithak-101.html", "hi"),
    ("prabhat", "/prabhat/state/jharkhand/congress-samiti-102.html", "hi"),
    ("bhaskar", "/bhaskar/local/bihar/rjd-meeting-201.html", "hi"),
    ("bhaskar", "/bhaskar/local/bihar/jdu-workers-202.html", "hi"),
    ("lagatar", "/lagatar/ajsu-meeting-301/", "hi"),
    ("lagatar", "/lagatar/bjp-review-302/", "hi"),
    ("lagatar", "/lagatar/congress-coordinators-303/", "en"),
    ("etv", "/etv/jharkhand/state/jmm-online-meeting-401", "en"),
)
NEVER_FETCHED = ("/private/", "old-story", "archive-2001", "offsite")


def _title(path: str, lang: str) -> str:
    slug = path.strip("/").rsplit("/", 1)[-1].replace(".html", "")
    if lang == "hi":
        return f"बैठक में चुनाव की तैयारी पर चर्चा ({slug})"
    return f"Party meeting reviews poll preparation ({slug})"


def article_html(path: str, lang: str, published: datetime, canonical: str | None) -> str:
    title = _title(path, lang)
    paragraphs = HI_PARAGRAPHS if lang == "hi" else EN_PARAGRAPHS
    related = (
        "इसे भी पढ़ें- रांची में बाइक सवार बदमाशों ने लूटे तीन लाख"
        if lang == "hi"
        else ("Also Read: Yellow alert issued for heavy rain")
    )
    ld = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "headline": title,
        "datePublished": published.isoformat(timespec="seconds"),
    }
    body = "".join(f"<p>{text} ({path})</p>" for text in paragraphs)
    link = f'<link rel="canonical" href="{canonical}">' if canonical else ""
    return (
        f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8">'
        f"<title>{title} - Samachar</title>{link}"
        f'<script type="application/ld+json">{json.dumps(ld, ensure_ascii=False)}</script>'
        f'</head><body><nav><a href="/">Home</a></nav><article><h1>{title}</h1>{body}'
        f"<p>{related}</p>{body.replace('<p>', '<p>2: ', 1)}</article>"
        "<footer>Leave a Reply</footer></body></html>"
    )


def _rss(base: str, entries: list[tuple[str, datetime]]) -> str:
    items = "".join(
        f"<item><title>t</title><link>{base}{path}</link>"
        f"<pubDate>{format_datetime(when)}</pubDate></item>"
        for path, when in entries
    )
    channel = f"<channel><title>c</title>{items}</channel>"
    return f'<?xml version="1.0"?><rss version="2.0">{channel}</rss>'


def _urlset(base: str, entries: list[tuple[str, datetime]]) -> str:
    urls = "".join(
        f"<url><loc>{base}{path}</loc><news:news><news:publication><news:name>Bhaskar</news:name>"
        f"<news:language>hi</news:language></news:publication>"
        f"<news:publication_date>{when.isoformat(timespec='seconds')}</news:publication_date>"
        f"<news:title>{_title(path, 'hi')}</news:title></news:news></url>"
        for path, when in entries
    )
    return (
        '<?xml version="1.0"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9" '
        'xmlns:news="http://www.google.com/schemas/sitemap-news/0.9">' + urls + "</urlset>"
    )


def _listing(links: list[str], next_href: str | None) -> str:
    anchors = "".join(f'<li><a href="{href}">story</a></li>' for href in links)
    nav = f'<a class="next" href="{next_href}">Next</a>' if next_href else ""
    return (
        f'<html><body><a href="/about/">About</a><ul>{anchors}</ul>'
        f'<a href="/lagatar/category/jharkhand/">1</a>{nav}</body></html>'
    )


def publish(site: LocalSite) -> None:
    base = site.base_url
    now = datetime.now(UTC).replace(microsecond=0)
    recent = now - timedelta(hours=3)
    site.put("/robots.txt", "User-agent: *\nDisallow: /private/\n", "text/plain")
    for source, path, lang in ARTICLES:
        canonical = None
        if source == "etv":
            canonical = f"{base}/etv/jharkhand/jmm-online-meeting-401"
        elif source != "lagatar":
            canonical = base + path
        site.put(path, article_html(path, lang, recent, canonical))
        site.put("/amp" + path, article_html(path, lang, recent, base + path))
    site.put("/private/secret-meeting.html", article_html("/private/x", "hi", recent, None))

    # Prabhat Khabar style RSS: tracking parameters on links, one old entry, one disallowed.
    site.put(
        "/prabhat/rss.xml",
        _rss(
            base,
            [
                (
                    "/prabhat/state/jharkhand/jmm-baithak-101.html?utm_source=rss&utm_medium=feed",
                    recent,
                ),
                ("/prabhat/state/jharkhand/congress-samiti-102.html?utm_source=rss", recent),
                ("/prabhat/state/jharkhand/old-story-100.html", now - timedelta(days=40)),
                ("/private/secret-meeting.html", recent),
            ],
        ),
        "application/rss+xml; charset=utf-8",
    )

    # Bhaskar style: a Google-News sitemap index; AMP copies listed beside the articles.
    site.put(
        "/bhaskar/sitemap-google-news-index.xml",
        '<?xml version="1.0"?><sitemapindex xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">'
        f"<sitemap><loc>{base}/bhaskar/sitemaps/news-today.xml</loc>"
        f"<lastmod>{recent.isoformat()}</lastmod></sitemap>"
        f"<sitemap><loc>{base}/bhaskar/sitemaps/archive-2001.xml</loc>"
        "<lastmod>2001-01-31T00:00:00+00:00</lastmod></sitemap></sitemapindex>",
        "application/xml",
    )
    site.put(
        "/bhaskar/sitemaps/news-today.xml",
        _urlset(
            base,
            [
                ("/bhaskar/local/bihar/rjd-meeting-201.html", recent),
                ("/amp/bhaskar/local/bihar/rjd-meeting-201.html", recent),
                ("/bhaskar/local/bihar/jdu-workers-202.html", recent - timedelta(minutes=5)),
            ],
        ),
        "application/xml",
    )

    # Lagatar style WordPress category listing with /page/2/ and ?amp=1 copies.
    lagatar = "/lagatar/category/jharkhand/"
    offsite = base.replace("127.0.0.1", "localhost") + "/lagatar/offsite-399/"
    site.put(
        lagatar,
        _listing(
            [
                "/lagatar/ajsu-meeting-301/",
                "/lagatar/ajsu-meeting-301/?amp=1",
                "/lagatar/bjp-review-302/",
                offsite,
            ],
            lagatar + "page/2/",
        ),
    )
    site.put(lagatar + "page/2/", _listing(["/lagatar/congress-coordinators-303/"], None))

    # ETV Bharat style: listing links with ?ref=, the page's canonical path differs.
    site.put(
        "/etv/jharkhand/state/",
        _listing(["/etv/jharkhand/state/jmm-online-meeting-401?ref=listing"], None),
    )

    site.put("/down/rss.xml", "server error", "text/plain", status=500)


SOURCES = {
    "prabhat": {
        "lang": "hi",
        "region": "Jharkhand",
        "feeds": ["/prabhat/rss.xml"],
        "max_age_days": 2,
    },
    "bhaskar": {
        "lang": "hi",
        "region": "Bihar",
        "sitemaps": ["/bhaskar/sitemap-google-news-index.xml"],
        "max_age_days": 2,
    },
    "lagatar": {
        "lang": "hi",
        "region": "Jharkhand",
        "listings": [
            {
                "url": "/lagatar/category/jharkhand/",
                "article_pattern": r"/lagatar/[a-z-]+-\d+/",
                "next_pattern": r"/page/\d+/$",
                "max_pages": 3,
            }
        ],
    },
    "etv": {
        "lang": "en",
        "region": "Jharkhand",
        "listings": [
            {"url": "/etv/jharkhand/state/", "article_pattern": r"/etv/jharkhand/state/[a-z-]+-\d+"}
        ],
    },
    "down": {"lang": "hi", "region": "Bihar", "feeds": ["/down/rss.xml"]},
}


def sources_config(base: str) -> list[dict[str, object]]:
    """The sources above with absolute URLs, as config/sources.yaml entries."""
    entries = []
    for name, spec in SOURCES.items():
        # The fixture site is on loopback, which a source must be allowed to reach.
        entry: dict[str, object] = {"name": name, "allow_private": True, **spec}
        for key in ("feeds", "sitemaps"):
            if key in entry:
                entry[key] = [base + str(path) for path in spec[key]]  # type: ignore[attr-defined]
        if "listings" in entry:
            entry["listings"] = [
                {**listing, "url": base + listing["url"]} for listing in spec["listings"]
            ]  # type: ignore[attr-defined]
        entries.append(entry)
    return entries
