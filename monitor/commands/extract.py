"""`newsmon extract`: one article page (file or URL) to one JSON object."""

from __future__ import annotations

import json
from pathlib import Path
from typing import TextIO

from monitor.commands.fetch import fetch_page, looks_like_url
from monitor.errors import NewsmonError


def run_extract(file_or_url: str, url: str | None, out: TextIO) -> None:
    from crawler.extract import extract_article, read_html_file

    page_url: str | None = url
    charset: str | None = None
    if looks_like_url(file_or_url):
        html, final_url, charset = fetch_page(file_or_url)
        page_url = url or final_url
    else:
        path = Path(file_or_url)
        try:
            html = read_html_file(path)
        except OSError as exc:
            raise NewsmonError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    page = extract_article(html, page_url, encoding=charset)
    if page is None:
        raise NewsmonError(f"{file_or_url}: no article text found in the page")
    out.write(json.dumps(page.to_json(), ensure_ascii=False) + "\n")
