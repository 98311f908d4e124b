"""`newsmon extract`: one article page (file or URL) to one JSON object."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from monitor.errors import NewsmonError


def run_extract(file_or_url: str, url: str | None, out: TextIO) -> None:
    from crawler.extract import extract_article, read_html_file

    page_url: str | None = url
    if file_or_url.startswith(("http://", "https://")):
        import httpx

        try:
            response = httpx.get(file_or_url, follow_redirects=True, timeout=30)
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise NewsmonError(f"{file_or_url}: fetch failed: {exc}") from None
        html = response.content
        page_url = url or str(response.url)
    else:
        path = Path(file_or_url)
        try:
            html = read_html_file(path)
        except OSError as exc:
            raise NewsmonError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    page = extract_article(html, page_url)
    if page is None:
        raise NewsmonError(f"{file_or_url}: no article text found in the page")
    out.write(json.dumps(page.to_json(), ensure_ascii=False) + "\n")
