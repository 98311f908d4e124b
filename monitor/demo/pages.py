"""Article pages of the demo site, one house style per imitated kind of outlet.

The outlets are invented. Each style carries the boilerplate the seeds show real regional sites
wrap around a story — menus, breadcrumbs, a byline, "Published :" stamps, an "इसे भी पढ़ें"
link inside the body, share bars, an author box, a comment form, a related-stories rail with an
unrelated crime story — because that is what extraction must strip and detection must ignore.
A page depends only on its own article, so adding stories never changes existing pages.
"""

from __future__ import annotations

import json
import zlib
from dataclasses import dataclass
from html import escape
from typing import TYPE_CHECKING

from monitor.demo import chrome

if TYPE_CHECKING:
    from monitor.demo.site import DemoArticle

LEDGER = "Ranchi Ledger"
SAMVAD = "Samvad Jharkhand"
PRAHARI = "Khabar Prahari"
TAWI = "Tawi Samachar"

Link = tuple[str, str]


@dataclass(frozen=True)
class Outlet:
    """One house style: its name, labels and the fixed boilerplate around every story."""

    name: str
    css: str
    lang: str
    tagline: str
    nav: tuple[Link, ...]
    crumbs: tuple[Link, ...]
    read_also_label: str
    # Unrelated stories linked from inside the body; one is picked per article.
    read_also: tuple[Link, ...]
    # Index of the paragraph the "read also" link follows; -1 puts it at the end.
    read_also_at: int
    related_title: str
    related: tuple[Link, ...]
    author_about: str
    sidebar_first: bool = False


OUTLETS: dict[str, Outlet] = {
    LEDGER: Outlet(
        LEDGER,
        "ledger",
        "en",
        "Jharkhand's news, first",
        (
            ("Home", "/"),
            ("Jharkhand", "/jharkhand/"),
            ("Ranchi", "/ranchi/"),
            ("Politics", "/politics/"),
            ("Crime", "/crime/"),
            ("Sports", "/sports/"),
            ("Business", "/business/"),
            ("Opinion", "/opinion/"),
            ("E-Paper", "/epaper/"),
        ),
        (("Home", "/"), ("Jharkhand", "/jharkhand/"), ("Politics", "/politics/")),
        "Also Read:",
        (
            (
                "Ranchi: Two held for snatching gold chain near Kanke Road",
                "/crime/kanke-road-chain-snatching.html",
            ),
            (
                "Met office issues yellow alert for 12 districts",
                "/weather/yellow-alert-12-districts.html",
            ),
        ),
        2,
        "Related News",
        (
            (
                "Bike-borne miscreants loot Rs 2 lakh from trader in Hatia",
                "/crime/hatia-trader-loot.html",
            ),
            (
                "JSSC releases exam calendar for the coming year",
                "/education/jssc-exam-calendar.html",
            ),
            ("Ranchi Municipal Corporation to widen Main Road", "/ranchi/main-road-widening.html"),
            ("Jharkhand beat Assam by six wickets in Ranji opener", "/sports/ranji-opener.html"),
        ),
        "The Ranchi Ledger desk covers politics, governance and public affairs in Jharkhand.",
    ),
    SAMVAD: Outlet(
        SAMVAD,
        "samvad",
        "hi",
        "झारखंड की हर खबर",
        (
            ("होम", "/"),
            ("झारखंड", "/jharkhand/"),
            ("राजनीति", "/politics/"),
            ("क्राइम", "/crime/"),
            ("खेल", "/sports/"),
            ("मनोरंजन", "/entertainment/"),
            ("वीडियो", "/videos/"),
        ),
        (("samvad", "/"), ("state", "/state/"), ("jharkhand", "/jharkhand/")),
        "इसे भी पढ़ें-",
        (
            (
                "धनबाद में कोयला लदे ट्रक से टकराई बाइक, दो युवकों की मौत",
                "/crime/dhanbad-truck-bike-accident.html",
            ),
            ("रिम्स में नई एमआरआई मशीन शुरू, मरीजों को मिलेगी राहत", "/health/rims-mri-machine.html"),
            ("जमशेदपुर में नकली नोट के साथ तीन गिरफ्तार", "/crime/jamshedpur-fake-notes.html"),
        ),
        1,
        "टॉप स्टोरी",
        (
            ("रांची में घर का ताला तोड़कर लाखों के जेवर की चोरी", "/crime/ranchi-house-theft.html"),
            ("मौसम: अगले तीन दिन राज्य में बारिश के आसार", "/weather/rain-three-days.html"),
            ("जेएसएससी परीक्षा का नया कैलेंडर जारी", "/education/jssc-calendar.html"),
            ("संतोष ट्रॉफी के लिए झारखंड टीम घोषित", "/sports/santosh-trophy-team.html"),
        ),
        "संवाद झारखंड की टीम राज्य की राजनीति, प्रशासन और जनसरोकार की खबरें आप तक पहुंचाती है.",
    ),
    PRAHARI: Outlet(
        PRAHARI,
        "prahari",
        "hi",
        "सच के साथ, हर पल",
        (
            ("होम", "/"),
            ("रांची", "/ranchi/"),
            ("झारखंड", "/jharkhand/"),
            ("देश", "/nation/"),
            ("क्राइम", "/crime/"),
            ("ओपिनियन", "/opinion/"),
            ("ई-पेपर", "/epaper/"),
        ),
        (("होम", "/"), ("झारखंड", "/jharkhand/")),
        "इसे भी पढ़ें –",
        (
            (
                "रांची : पुलिस गश्त के बीच बाइक सवार बदमाशों ने व्यवसायी से छीने 3 लाख रुपये",
                "/crime/ranchi-businessman-loot.html",
            ),
            (
                "हजारीबाग : जंगल में मिला युवक का शव, जांच में जुटी पुलिस",
                "/crime/hazaribagh-body-found.html",
            ),
        ),
        -1,
        "ताजा खबरें",
        (
            ("बोकारो : अवैध बालू लदे चार ट्रैक्टर जब्त", "/crime/bokaro-sand-tractors.html"),
            ("रांची नगर निगम ने शुरू किया सफाई अभियान", "/ranchi/safai-abhiyan.html"),
            ("सदर अस्पताल में डॉक्टरों की कमी से मरीज परेशान", "/health/sadar-doctors.html"),
        ),
        "खबर प्रहरी डेस्क रांची से झारखंड की खबरें लिखता है.",
        sidebar_first=True,
    ),
    TAWI: Outlet(
        TAWI,
        "tawi",
        "hi",
        "जम्मू-कश्मीर की आवाज़",
        (
            ("मुख्य पृष्ठ", "/"),
            ("जम्मू", "/jammu/"),
            ("कश्मीर", "/kashmir/"),
            ("लद्दाख", "/ladakh/"),
            ("राजनीति", "/politics/"),
            ("देश-विदेश", "/world/"),
        ),
        (("मुख्य पृष्ठ", "/"), ("राजनीति", "/politics/")),
        "इसे भी पढ़ें:",
        (
            ("कठुआ में नशा तस्कर गिरफ्तार, 200 ग्राम चरस बरामद", "/crime/kathua-charas.html"),
            (
                "श्री माता वैष्णो देवी यात्रा के लिए नई हेलीकॉप्टर सेवा",
                "/jammu/vaishno-devi-helicopter.html",
            ),
        ),
        3,
        "संबंधित खबरें",
        (
            (
                "गांधीनगर में दुकान से नकदी चोरी, सीसीटीवी में कैद आरोपी",
                "/crime/gandhinagar-shop-theft.html",
            ),
            ("जम्मू-श्रीनगर राजमार्ग पर यातायात बहाल", "/jammu/highway-traffic.html"),
            ("तवी रिवरफ्रंट का काम अंतिम चरण में", "/jammu/tawi-riverfront.html"),
        ),
        "तवी समाचार जम्मू से प्रकाशित होने वाला हिंदी समाचार पोर्टल है.",
    ),
}


def article_page(article: DemoArticle, base: str) -> str:
    """The full HTML page of one article in its outlet's style."""
    outlet = OUTLETS[article.outlet]
    url = base + article.path
    main = "\n".join(
        (
            chrome.breadcrumbs(outlet.crumbs, article.title),
            f'<article class="{outlet.css}-story">',
            _story_head(article, outlet),
            f'<div class="{outlet.css}-body story-body">\n{_story_body(article, outlet)}\n</div>',
            chrome.share_bar(url, article.title),
            "</article>",
            chrome.author_box(article.author or outlet.name, outlet.author_about),
            chrome.comment_form(),
        )
    )
    sidebar = chrome.sidebar(outlet.related_title, outlet.related)
    columns = (
        (sidebar, f"<main>\n{main}\n</main>")
        if outlet.sidebar_first
        else (f"<main>\n{main}\n</main>", sidebar)
    )
    return "\n".join(
        (
            "<!DOCTYPE html>",
            f'<html lang="{article.lang}">',
            _head(article, outlet, url, base),
            f'<body class="{outlet.css} single-post">',
            chrome.header(outlet.name, outlet.tagline, outlet.nav, outlet.css, article.lang),
            *columns,
            chrome.footer(outlet.name, outlet.lang),
            "</body>",
            "</html>",
            "",
        )
    )


def _head(article: DemoArticle, outlet: Outlet, url: str, base: str) -> str:
    title = escape(article.title)
    description = escape(teaser(article))
    lines = [
        "<head>",
        '<meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{title} | {escape(outlet.name)}</title>",
        f'<meta name="description" content="{description}">',
        f'<link rel="canonical" href="{escape(url)}">',
        '<meta property="og:type" content="article">',
        f'<meta property="og:site_name" content="{escape(outlet.name)}">',
        f'<meta property="og:title" content="{title}">',
        f'<meta property="og:description" content="{description}">',
        f'<meta property="og:url" content="{escape(url)}">',
        f'<meta property="article:published_time" content="{article.published.isoformat()}">',
    ]
    if article.updated is not None:
        lines.append(
            f'<meta property="article:modified_time" content="{article.updated.isoformat()}">'
        )
    if article.author:
        lines.append(f'<meta name="author" content="{escape(article.author)}">')
    lines += [
        f'<link rel="alternate" type="application/rss+xml" href="{base}/rss/jharkhand.xml">',
        f'<script type="application/ld+json">{_json_ld(article, outlet, url)}</script>',
        f"<style>body{{font-family:sans-serif}} .{outlet.css}-story{{max-width:46em}}</style>",
        "</head>",
    ]
    return "\n".join(lines)


def _json_ld(article: DemoArticle, outlet: Outlet, url: str) -> str:
    author: dict[str, str] = (
        {"@type": "Person", "name": article.author}
        if article.author
        else {"@type": "Organization", "name": outlet.name}
    )
    data: dict[str, object] = {
        "@context": "https://schema.org",
        "@type": "NewsArticle",
        "mainEntityOfPage": {"@type": "WebPage", "@id": url},
        "headline": article.title,
        "description": teaser(article),
        "inLanguage": article.lang,
        "datePublished": article.published.isoformat(),
        "dateModified": (article.updated or article.published).isoformat(),
        "author": author,
        "publisher": {"@type": "Organization", "name": outlet.name},
    }
    # "</" inside a script element would end it early.
    return json.dumps(data, ensure_ascii=False).replace("</", "<\\/")


def _story_head(article: DemoArticle, outlet: Outlet) -> str:
    parts = ['<header class="story-head">', f'<h1 class="headline">{escape(article.title)}</h1>']
    if article.summary:
        parts.append(f'<p class="summary">{escape(article.summary)}</p>')
    if article.highlights:
        items = "".join(f"<li>{escape(item)}</li>" for item in article.highlights)
        parts.append(f'<ul class="highlights">{items}</ul>')
    if article.author:
        parts.append(
            f'<div class="byline">By <a href="/author/{outlet.css}-team/">'
            f"{escape(article.author)}</a></div>"
        )
    parts.append(chrome.dateline(article.published, article.updated))
    parts.append("</header>")
    return "\n".join(parts)


def _story_body(article: DemoArticle, outlet: Outlet) -> str:
    blocks = chrome.body_blocks(article.paragraphs)
    headline, path = outlet.read_also[zlib.crc32(article.slug.encode()) % len(outlet.read_also)]
    read_also = (
        f'<p class="read-also">{escape(outlet.read_also_label)} '
        f'<a href="{path}">{escape(headline)}</a></p>'
    )
    at = len(blocks) if outlet.read_also_at < 0 else min(outlet.read_also_at, len(blocks))
    blocks.insert(at, read_also)
    return "\n".join(blocks)


def teaser(article: DemoArticle, limit: int = 180) -> str:
    """A one-line description: the summary, else the opening of the first paragraph."""
    text = article.summary or (article.paragraphs[0] if article.paragraphs else article.title)
    if len(text) <= limit:
        return text
    return text[:limit].rsplit(" ", 1)[0] + " …"
