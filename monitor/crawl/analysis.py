"""Work on an article's text done in the extraction worker, beside extraction.

The crawl's own process runs Scrapy and writes the store; the MinHash signature of each text
(about 1 ms, more than the rest of storing it) is computed here instead, on another core.
"""

from __future__ import annotations

from typing import Any

from monitor.store import neardup

ANALYSE = "monitor.crawl.analysis.analyse"


def analyse(text: str) -> dict[str, Any]:
    return neardup.analysis_of(text)
