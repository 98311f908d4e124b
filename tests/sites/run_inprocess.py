"""Run NewsSpider in-process with SourceSpec objects, as monitor does; used by the tests.

usage: python run_inprocess.py BASE_URL OUT.jsonl [SETTING=VALUE ...]
"""

from __future__ import annotations

import sys

from scrapy.crawler import AsyncCrawlerProcess
from scrapy.settings import Settings

from crawler import settings as crawler_settings
from crawler.sources import ListingSpec, SourceSpec
from crawler.spiders.news import NewsSpider


def main(base: str, out: str, overrides: list[str]) -> None:
    settings = Settings()
    settings.setmodule(crawler_settings, priority="project")
    settings.set("DOWNLOAD_DELAY", 0)
    settings.set("AUTOTHROTTLE_ENABLED", False)
    settings.set("FEEDS", {out: {"format": "jsonlines", "overwrite": True}})
    for pair in overrides:
        name, _, value = pair.partition("=")
        settings.set(name, value)
    sources = [
        # The fixture site is on loopback, which a source must be allowed to reach.
        SourceSpec(name="atom", feeds=(f"{base}/feeds/atom.xml",), allow_private=True),
        SourceSpec(
            name="listing",
            allow_private=True,
            listings=(
                ListingSpec(
                    url=f"{base}/section/politics/",
                    article_pattern=r"/politics/story-[a-z-]+\.html",
                ),
            ),
        ),
    ]
    process = AsyncCrawlerProcess(settings)
    process.crawl(NewsSpider, sources=sources)
    process.start()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2], sys.argv[3:])
