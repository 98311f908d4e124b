"""URL canonicalisation: one key per article, however a site or a feed spells its link."""

from __future__ import annotations

import re
from collections.abc import Callable
from urllib.parse import (
    SplitResult,
    parse_qsl,
    quote,
    urlencode,
    urljoin,
    urlsplit,
    urlunsplit,
)

# Query keys that only say where a click came from; they never select different content.
_TRACKING_KEYS = frozenset(
    {
        "fbclid",
        "gclid",
        "dclid",
        "gbraid",
        "wbraid",
        "msclkid",
        "yclid",
        "twclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "_ga",
        "_gl",
        "ref",
        "ref_src",
        "ref_url",
        "referrer",
        "cmpid",
        "ito",
        "icid",
        "ncid",
        "ocid",
        "spm",
        "share",
        "s_cid",
        "trk",
        "trkid",
    }
)
_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_AMP_PATH = re.compile(r"(?:/amp/?|\.amp)$", re.IGNORECASE)
# "/amp/news/x.html" (a leading AMP segment) and Times-group "/amp_articleshow/123.cms".
_AMP_PREFIX = re.compile(r"^/amp(?=/.)", re.IGNORECASE)
_AMP_ARTICLESHOW = re.compile(r"/amp_(?=articleshow/)", re.IGNORECASE)
# Mobile and AMP hosts serve the same article as the main host.
_ESCAPE = re.compile(r"%[0-9a-fA-F]{2}")
# Characters a path may carry as they are (RFC 3986 pchar and "/"), and "%" of the escapes
# already there, which stay escaped: "%2F" is not "/".
_PATH_SAFE = "/%:@!$&'()*+,;=-._~"
_ENTITY_PREFIX = re.compile(r"^(?:amp;)+", re.IGNORECASE)
_VARIANT_HOST = re.compile(r"^(?:m|mobile|amp)\.(?=[^.]+\.[^.]+)", re.IGNORECASE)


def _is_tracking(key: str) -> bool:
    lowered = key.lower()
    return lowered in _TRACKING_KEYS or lowered.startswith(_TRACKING_PREFIXES)


def _strip_amp(parts: SplitResult) -> SplitResult:
    # ".../story-123/amp" is the AMP rendering of ".../story-123"; both must share one key.
    path = _AMP_ARTICLESHOW.sub("/", _AMP_PREFIX.sub("", _AMP_PATH.sub("", parts.path))) or "/"
    query = [
        (key, value)
        for key, value in parse_qsl(parts.query, keep_blank_values=True)
        if key.lower() != "amp" and not (key.lower() == "outputtype" and value.lower() == "amp")
    ]
    return parts._replace(path=path, query=urlencode(query))


def _main_host(parts: SplitResult) -> SplitResult:
    # "m.example.in/x" is keyed as "www.example.in/x". Only a key, never fetched: a site on the
    # bare domain keeps its m. pages apart here, and their rel=canonical joins them instead.
    if not _VARIANT_HOST.match(parts.netloc):
        return parts
    return parts._replace(netloc=_VARIANT_HOST.sub("www.", parts.netloc, count=1))


# Each rule maps one URL variant onto its canonical form.
VARIANT_RULES: tuple[Callable[[SplitResult], SplitResult], ...] = (_strip_amp, _main_host)


def canonicalize_url(url: str) -> str:
    """Return the canonical form of an absolute http(s) URL; other strings come back trimmed."""
    parts = urlsplit(url.strip())
    scheme = parts.scheme.lower()
    if scheme not in _DEFAULT_PORTS or not parts.hostname:
        return url.strip()
    host = parts.hostname.lower().rstrip(".")
    try:
        port = parts.port
    except ValueError:
        port = None
    # Credentials in a link (user:pass@) are dropped: they are never part of an article's identity.
    netloc = host if port in (None, _DEFAULT_PORTS[scheme]) else f"{host}:{port}"
    query = sorted(
        (key, value)
        for key, value in _query_pairs(parts.query)
        if not _is_tracking(key)
    )
    result = SplitResult(scheme, netloc, _path_key(parts.path or "/"), urlencode(query), "")
    for rule in VARIANT_RULES:
        result = rule(result)
    return urlunsplit(result)


def _query_pairs(query: str) -> list[tuple[str, str]]:
    # A link copied out of HTML with its "&amp;" left escaped ("?id=5&amp;page=2") is split
    # on "&" into a key "amp;page": the same link as "?id=5&page=2", so the same key.
    return [
        (_ENTITY_PREFIX.sub("", key), value)
        for key, value in parse_qsl(query, keep_blank_values=True)
    ]


def _path_key(path: str) -> str:
    """One spelling per path: Hindi sites link the same article with a raw Devanagari path in
    one place and its UTF-8 escapes (in either case) in another."""
    path = _ESCAPE.sub(lambda m: m.group(0).upper(), path)
    return quote(path, safe=_PATH_SAFE)


def canonical_link(href: str | None, page_url: str) -> str | None:
    """A page's rel=canonical as a canonical key, when it plausibly names an article.

    Some templates point every page's canonical at the home page; such links are ignored.
    """
    if not href or not href.strip():
        return None
    try:
        url = urljoin(page_url, href.strip())
        if urlsplit(url).path in ("", "/"):
            return None
        return canonicalize_url(url)
    except ValueError:
        # A malformed rel=canonical ("Invalid IPv6 URL") names nothing; the page still counts.
        return None
