"""Fetching one page for `newsmon detect --url` and `newsmon extract URL`."""

from __future__ import annotations

import re

from monitor.errors import NewsmonError

USER_AGENT = "newsmon/0.1 (+https://github.com/newsmon/newsmon)"


_SCHEME = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]+)://")


def looks_like_url(value: str) -> bool:
    """ "http://…", "HTTP://…", "ftp://…": a scheme and "//", as opposed to a file path."""
    return _SCHEME.match(value) is not None


def fetch_page(url: str, timeout: float = 30.0) -> tuple[bytes, str, str | None]:
    """The body, final URL and declared charset of an http(s) page; any failure is a
    one-line `NewsmonError` naming the URL."""
    import httpx

    scheme = _SCHEME.match(url)
    if scheme is None or scheme[1].lower() not in ("http", "https"):
        raise NewsmonError(f"{url}: only http:// and https:// URLs can be fetched")
    try:
        response = httpx.get(
            url, follow_redirects=True, timeout=timeout, headers={"User-Agent": USER_AGENT}
        )
    except httpx.InvalidURL as exc:
        raise NewsmonError(f"{url}: not a valid URL: {exc}") from None
    except httpx.HTTPError as exc:
        reason = str(exc).splitlines()[0] if str(exc) else exc.__class__.__name__
        raise NewsmonError(f"{url}: fetch failed: {reason}") from None
    if response.is_error:
        raise NewsmonError(
            f"{url}: fetch failed: HTTP {response.status_code} {response.reason_phrase}"
        )
    return response.content, str(response.url), response.charset_encoding
