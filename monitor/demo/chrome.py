"""Page furniture shared by the demo site's house styles: header, menus, footer, widgets."""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import datetime
from html import escape
from urllib.parse import quote

_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
# A short line without closing punctuation inside a body is a subheading ("बैठक में ये हुए शामिल").
_SENTENCE_END = re.compile(r"[.।:?!)…\"'”]$")
_DEMO_NOTICE = {
    "en": "Demo site served by newsmon from local files. Not a real news outlet.",
    "hi": "डेमो साइट: यह पेज newsmon ने स्थानीय फाइलों से बनाया है, यह असली समाचार पोर्टल नहीं है.",
}


def stamp(when: datetime) -> str:
    """The visible date format of the pages, e.g. "Nov 20, 2023, 10:02 PM IST"."""
    hour = when.hour % 12 or 12
    half = "PM" if when.hour >= 12 else "AM"
    return f"{_MONTHS[when.month - 1]} {when.day}, {when.year}, {hour}:{when.minute:02d} {half} IST"


def header(name: str, tagline: str, nav: Sequence[tuple[str, str]], css: str, lang: str) -> str:
    items = "".join(f'<li><a href="{path}">{escape(label)}</a></li>' for label, path in nav)
    return "\n".join(
        (
            f'<div class="demo-notice">{escape(_DEMO_NOTICE.get(lang, _DEMO_NOTICE["en"]))}</div>',
            f'<header class="{css}-header site-header">',
            f'<div class="logo"><a href="/jharkhand/">{escape(name)}</a>'
            f'<span class="tagline">{escape(tagline)}</span></div>',
            f'<nav class="{css}-menu main-menu"><ul>{items}</ul></nav>',
            '<form class="search" action="/search/" method="get">'
            '<input type="search" name="q"><button type="submit">Search</button></form>',
            "</header>",
        )
    )


def breadcrumbs(crumbs: Sequence[tuple[str, str]], title: str) -> str:
    links = " / ".join(f'<a href="{path}">{escape(label)}</a>' for label, path in crumbs)
    return f'<nav class="breadcrumbs">{links} / <span>{escape(title)}</span></nav>'


def dateline(published: datetime, updated: datetime | None) -> str:
    parts = [f'<span class="published">Published : {stamp(published)}</span>']
    if updated is not None:
        parts.append(f'<span class="updated">Updated : {stamp(updated)}</span>')
    return f'<div class="dateline">{" ".join(parts)}</div>'


def body_blocks(paragraphs: Sequence[str]) -> list[str]:
    """Paragraphs as HTML blocks: runs of "- " lines become a list, short lines subheadings."""
    blocks: list[str] = []
    items: list[str] = []
    for text in paragraphs:
        if text.startswith("- "):
            items.append(f"<li>{escape(text[2:].strip())}</li>")
            continue
        if items:
            blocks.append(f"<ul>{''.join(items)}</ul>")
            items = []
        if len(text) < 80 and not _SENTENCE_END.search(text):
            blocks.append(f"<h3>{escape(text)}</h3>")
        else:
            blocks.append(f"<p>{escape(text)}</p>")
    if items:
        blocks.append(f"<ul>{''.join(items)}</ul>")
    return blocks


def share_bar(url: str, title: str) -> str:
    target, text = quote(url, safe=""), quote(title, safe="")
    links = (
        ("Facebook", f"https://www.facebook.com/sharer/sharer.php?u={target}"),
        ("X", f"https://twitter.com/intent/tweet?url={target}&amp;text={text}"),
        ("WhatsApp", f"https://api.whatsapp.com/send?text={text}%20{target}"),
    )
    items = "".join(
        f'<a class="share-{label.lower()}" href="{href}" rel="nofollow">{label}</a>'
        for label, href in links
    )
    return f'<div class="share-bar"><span>Share:</span>{items}<button>Copy link</button></div>'


def author_box(name: str, about: str) -> str:
    return "\n".join(
        (
            '<section class="author-box">',
            "<h4>ABOUT THE AUTHOR</h4>",
            f'<p class="author-name">{escape(name)}</p>',
            f"<p>{escape(about)}</p>",
            '<a class="author-more" href="/about-us/">...view details</a>',
            "</section>",
        )
    )


def comment_form() -> str:
    return "\n".join(
        (
            '<section id="respond" class="comment-respond">',
            '<h3 class="comment-reply-title">Leave a Reply</h3>',
            '<form action="/comments/post" method="post" class="comment-form">',
            '<p class="comment-notes">Your email address will not be published. '
            "Required fields are marked *</p>",
            '<p><label for="comment">Comment *</label>'
            '<textarea id="comment" name="comment" rows="6"></textarea></p>',
            '<p><label for="author">Name *</label><input id="author" name="author"></p>',
            '<p><label for="email">Email *</label><input id="email" name="email" type="email"></p>',
            '<p><button type="submit">Post Comment</button></p>',
            "</form>",
            "</section>",
        )
    )


def sidebar(title: str, links: Sequence[tuple[str, str]]) -> str:
    items = "".join(f'<li><a href="{path}">{escape(label)}</a></li>' for label, path in links)
    return f'<aside class="sidebar related"><h3>{escape(title)}</h3><ul>{items}</ul></aside>'


def footer(name: str, lang: str) -> str:
    links = (
        ("About us", "/about-us/"),
        ("Contact", "/contact/"),
        ("Privacy Policy", "/privacy-policy/"),
        ("Terms of Use", "/terms/"),
    )
    if lang == "hi":
        links = (
            ("हमारे बारे में", "/about-us/"),
            ("संपर्क करें", "/contact/"),
            ("गोपनीयता नीति", "/privacy-policy/"),
            ("उपयोग की शर्तें", "/terms/"),
        )
    items = " | ".join(f'<a href="{path}">{escape(label)}</a>' for label, path in links)
    return "\n".join(
        (
            '<footer class="site-footer">',
            f'<div class="footer-links">{items}</div>',
            f"<p>© {escape(name)}. All rights reserved.</p>",
            "</footer>",
        )
    )
