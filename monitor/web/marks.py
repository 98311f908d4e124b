"""Stored text made safe to show: matched terms marked, links only to http(s) pages.

Everything stored came from the web and is untrusted; the pieces are escaped one by one and
only our own `<mark>` elements are added around them.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from urllib.parse import urlsplit

from markupsafe import Markup, escape


def _fold(text: str) -> str:
    return unicodedata.normalize("NFC", text).casefold()


def mark_terms(sentence: str, terms: Iterable[str]) -> Markup:
    """`sentence`, escaped, with each occurrence of a term wrapped in <mark>."""
    folded = _fold(sentence)
    # casefold can change length (ß → ss); then positions would not line up, so only mark
    # when they do.
    if len(folded) != len(sentence):
        return Markup(escape(sentence))
    spans: list[tuple[int, int]] = []
    for term in sorted({_fold(t) for t in terms if t.strip()}, key=len, reverse=True):
        start = folded.find(term)
        while start >= 0:
            end = start + len(term)
            if not any(s < end and start < e for s, e in spans):
                spans.append((start, end))
            start = folded.find(term, end)
    out = Markup()
    position = 0
    for start, end in sorted(spans):
        out += escape(sentence[position:start])
        out += Markup("<mark>") + escape(sentence[start:end]) + Markup("</mark>")
        position = end
    return out + escape(sentence[position:])


def safe_href(url: str | None) -> str | None:
    """The URL when it is an http(s) address, else None: no javascript: or data: links."""
    if not url:
        return None
    cleaned = "".join(ch for ch in url.strip() if ch.isprintable() and not ch.isspace())
    try:
        parts = urlsplit(cleaned)
    except ValueError:
        return None
    if parts.scheme.lower() not in ("http", "https") or not parts.netloc:
        return None
    return cleaned
