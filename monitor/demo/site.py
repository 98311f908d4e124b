"""The demo news site: the seed articles (plus one extra) as pages, a listing, a feed, sitemaps.

`newsmon demo` serves this on 127.0.0.1 and crawls it with the real crawler. The seeds in
`seeds/` are plain text with some page junk left in (navigation words, bylines, "Published :"
lines, "इसे भी पढ़ें" links); `load_seed_articles` keeps only the story, and `build_site` wraps
it in fresh, realistic boilerplate so that extraction has something to strip.

Every page depends only on its own article and the base URL, never on the other articles, so
publishing one more article leaves the existing article pages byte-identical: conditional GETs
answer 304 and the seen-URL check skips them, which is what the demo's second cycle shows.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from crawler.calendar_text import IST
from monitor.demo import discovery, pages

if TYPE_CHECKING:
    from monitor.demo.server import LocalSite

logger = logging.getLogger(__name__)

HTML = "text/html; charset=utf-8"


@dataclass(frozen=True)
class DemoArticle:
    """One story of the demo site; `outlet` names the page style it is served in."""

    slug: str
    seed: str
    outlet: str
    lang: str
    title: str
    published: datetime
    author: str | None
    paragraphs: tuple[str, ...]
    summary: str | None = None
    highlights: tuple[str, ...] = ()
    updated: datetime | None = None

    @property
    def path(self) -> str:
        return article_path(self)


def article_path(article: DemoArticle) -> str:
    return f"/jharkhand/{article.slug}.html"


@dataclass(frozen=True)
class _SeedSpec:
    """What the seed text cannot tell: its page style, slug, and which line is what."""

    prefix: str
    outlet: str
    lang: str
    slug: str
    # Index of the headline among the non-empty lines, or the headline itself when the seed
    # text has none (003 starts with its highlight bullets).
    headline: int | str
    summary: int | None
    # Used when the seed has no "Published :" line; dates follow DESIGN.md's seed table.
    published: datetime
    author: str | None


_SEEDS: tuple[_SeedSpec, ...] = (
    _SeedSpec(
        "000",
        pages.LEDGER,
        "en",
        "jmm-workers-should-start-preparing-for-elections-hemant-soren",
        0,
        None,
        datetime(2023, 10, 26, 19, 40, tzinfo=IST),
        "Ranchi Ledger Team",
    ),
    _SeedSpec(
        "001",
        pages.SAMVAD,
        "hi",
        "jmm-lok-sabha-2024-hemant-soren-online-meeting-office-bearers",
        1,
        2,
        datetime(2023, 11, 20, 22, 2, tzinfo=IST),
        "Samvad Jharkhand Team",
    ),
    _SeedSpec(
        "002",
        pages.SAMVAD,
        "hi",
        "congress-avinash-pandey-online-meeting-lok-sabha-coordinators",
        3,
        4,
        datetime(2023, 10, 20, 8, 35, tzinfo=IST),
        "Samvad Jharkhand Team",
    ),
    _SeedSpec(
        "003",
        pages.PRAHARI,
        "hi",
        "avinash-pandey-class-lok-sabha-incharges-coordinators",
        "लोकसभा चुनाव: अविनाश पांडेय ने ली प्रभारियों और संयोजकों की क्लास, कमजोर काम पर लगाई फटकार",
        None,
        datetime(2023, 10, 20, 9, 10, tzinfo=IST),
        "Khabar Prahari Team",
    ),
    _SeedSpec(
        "004",
        pages.TAWI,
        "hi",
        "bjp-jammu-kashmir-meetings-before-2024-elections",
        0,
        None,
        datetime(2024, 2, 3, 18, 20, tzinfo=IST),
        None,
    ),
)

_STAMP = re.compile(r"^(?P<kind>Published|Updated|Last Updated)\s*:\s*(?P<when>.+?)\s*IST$")
_JUNK = re.compile(
    r"^(By .+ Team|ABOUT THE AUTHOR|\.*\s*view details|Leave a Reply"
    r"|Your email address will not be published\.?|इसे भी पढ़ें.*)$"
)
_DEVANAGARI = re.compile(r"[\u0900-\u097F]")
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
_STAMP_TIME = re.compile(r"^(\w{3}) (\d{1,2}), (\d{4}), (\d{1,2}):(\d{2}) ([AP]M)$")


def parse_stamp(text: str) -> datetime:
    """Parse "Nov 20, 2023, 10:02 PM" (IST), the seeds' and the pages' date format."""
    match = _STAMP_TIME.match(text.strip())
    if match is None or match.group(1) not in _MONTHS:
        raise ValueError(f"not a date stamp: {text!r}")
    month_name, day, year, hour, minute, half = match.groups()
    hour24 = int(hour) % 12 + (12 if half == "PM" else 0)
    return datetime(
        int(year), _MONTHS.index(month_name) + 1, int(day), hour24, int(minute), tzinfo=IST
    )


def load_seed_articles(seeds_dir: Path) -> list[DemoArticle]:
    """Parse the five seed files into articles, in seed order."""
    articles = []
    for spec in _SEEDS:
        found = sorted(Path(seeds_dir).glob(f"{spec.prefix}_*.txt"))
        if not found:
            raise FileNotFoundError(f"{seeds_dir}: no seed file {spec.prefix}_*.txt")
        articles.append(_parse_seed(spec, found[0]))
    return articles


def _parse_seed(spec: _SeedSpec, path: Path) -> DemoArticle:
    lines = [line.strip() for line in path.read_text(encoding="utf-8").splitlines()]
    lines = [line for line in lines if line]
    stamps: dict[str, datetime] = {}
    if isinstance(spec.headline, int):
        headline_at: int | None = spec.headline
        title = lines[spec.headline].split(" - ")[0].strip()
    else:
        headline_at, title = None, spec.headline
    skip = {index for index in (headline_at, spec.summary) if index is not None}
    highlights: list[str] = []
    body: list[str] = []
    for index, line in enumerate(lines):
        stamp = _STAMP.match(line)
        if stamp is not None:
            stamps.setdefault(stamp["kind"], parse_stamp(stamp["when"]))
        elif index in skip or _is_junk(line, index, lines, spec, title, headline_at):
            continue
        elif line.startswith("- ") and not body:
            # Bullets before the first paragraph are the story's highlights, not its body.
            highlights.append(line[2:].strip())
        else:
            body.append(line)
    published = stamps.get("Published", spec.published)
    updated = stamps.get("Updated") or stamps.get("Last Updated")
    logger.debug("seed %s: %d paragraphs, published %s", path.name, len(body), published)
    return DemoArticle(
        slug=spec.slug,
        seed=path.name,
        outlet=spec.outlet,
        lang=spec.lang,
        title=title,
        published=published,
        author=spec.author,
        paragraphs=tuple(body),
        summary=None if spec.summary is None else lines[spec.summary],
        highlights=tuple(highlights),
        updated=updated,
    )


def _is_junk(
    line: str, index: int, lines: list[str], spec: _SeedSpec, title: str, headline_at: int | None
) -> bool:
    """Is this line page furniture the seed text kept by accident?"""
    if _JUNK.match(line) or line == title:
        return True
    if headline_at is not None and index < headline_at and len(line.split()) < 5:
        return True  # section and navigation words above the headline
    if lines.count(line) > 1:
        return True  # an image caption, printed above and below the picture
    if spec.lang != "en" and not _DEVANAGARI.search(line):
        return True  # the English alt text of the lead picture
    teaser = line.removesuffix("…").strip()
    # A listing teaser cut off with an ellipsis, repeating the opening of the next paragraph.
    return teaser != line and any(other != line and other.startswith(teaser) for other in lines)


# Written for the demo: a district working-committee meeting that plans booth committees for
# the coming Vidhan Sabha election, so a `meeting` and `election_prep` positive (LABELS.md).
# The office-bearers are invented; the pages say in their header that the site is a demo.
_EXTRA_TITLE = (
    "विधानसभा चुनाव की तैयारी में आजसू: रामगढ़ जिला कार्यसमिति की बैठक में हर बूथ पर कमेटी बनाने का फैसला"
)
_EXTRA_SUMMARY = (
    "आजसू पार्टी की रामगढ़ जिला कार्यसमिति की बैठक रविवार को पार्टी के जिला "
    "कार्यालय में हुई. आगामी विधानसभा चुनाव को देखते हुए 30 जून तक सभी बूथों "
    "पर बूथ कमेटी गठित करने का लक्ष्य तय किया गया."
)
_EXTRA_PARAGRAPHS = (
    "रामगढ़: आजसू पार्टी ने आगामी विधानसभा चुनाव की तैयारी तेज कर दी है. रविवार 16 जून को "
    "गोला रोड स्थित पार्टी के जिला कार्यालय में रामगढ़ जिला कार्यसमिति की बैठक हुई, जिसकी "
    "अध्यक्षता जिलाध्यक्ष सुरेंद्र कुमार महतो ने की. बैठक में जिला पदाधिकारी, सभी छह "
    "प्रखंडों के अध्यक्ष-सचिव और केंद्रीय समिति के सदस्य शामिल हुए.",
    "बैठक में तय किया गया कि जिले के सभी बूथों पर 30 जून तक 11 सदस्यीय बूथ कमेटी का गठन पूरा "
    "कर लिया जाएगा. हर बूथ पर एक बूथ प्रभारी और दो सहायक नियुक्त होंगे, जो नए मतदाताओं के "
    "नाम जुड़वाने में लोगों की मदद करेंगे. प्रखंड अध्यक्षों को 25 जून तक अपने प्रखंड की "
    "बूथवार सूची जिला कार्यालय में जमा करने का निर्देश दिया गया.",
    "जिलाध्यक्ष सुरेंद्र कुमार महतो ने कहा कि विधानसभा चुनाव में अब कुछ ही महीने बचे हैं और "
    "पार्टी रामगढ़ व मांडू सीट पर पूरी ताकत से उतरेगी. उन्होंने कहा कि चुनाव बूथ पर जीता जाता "
    "है, इसलिए हर कार्यकर्ता को अपने बूथ की जिम्मेदारी खुद लेनी होगी.",
    "केंद्रीय सचिव रश्मि कुमारी ने बताया कि जुलाई के पहले सप्ताह में जिला कार्यकर्ता सम्मेलन "
    "होगा. सम्मेलन से पहले सभी पंचायतों में घर-घर जनसंपर्क अभियान चलाया जाएगा, जिसमें "
    "कार्यकर्ता पार्टी के संकल्प पत्र के लिए लोगों के सुझाव भी जुटाएंगे.",
    "संगठन विस्तार पर भी चर्चा हुई. तय हुआ कि युवा और महिला मोर्चा की प्रखंड इकाइयों का "
    "पुनर्गठन होगा और हर प्रखंड में एक चुनाव प्रभारी नियुक्त किया जाएगा. पतरातू और चितरपुर "
    "प्रखंड के प्रभारियों के नामों की घोषणा बैठक में ही कर दी गई.",
    "बैठक में जिला उपाध्यक्ष मनोज साव, जिला सचिव प्रदीप बेदिया, महिला मोर्चा की जिलाध्यक्ष "
    "सुनीता कुमारी और युवा मोर्चा के अजय करमाली समेत बड़ी संख्या में कार्यकर्ता मौजूद थे. "
    "धन्यवाद ज्ञापन जिला सचिव प्रदीप बेदिया ने किया.",
)
_EXTRA_PUBLISHED = datetime(2024, 6, 16, 19, 5, tzinfo=IST)


def extra_article(*, published: datetime = _EXTRA_PUBLISHED) -> DemoArticle:
    """The story published between the demo's two cycles."""
    return DemoArticle(
        slug="ajsu-ramgarh-district-working-committee-booth-committees",
        seed="(demo)",
        outlet=pages.SAMVAD,
        lang="hi",
        title=_EXTRA_TITLE,
        published=published,
        author="Samvad Jharkhand Team",
        paragraphs=_EXTRA_PARAGRAPHS,
        summary=_EXTRA_SUMMARY,
    )


def build_site(
    articles: Sequence[DemoArticle], base_url: str, *, page_size: int = discovery.PAGE_SIZE
) -> dict[str, tuple[bytes, str]]:
    """Every page of the site: path -> (body, content type)."""
    base = base_url.rstrip("/")
    newest_first = sorted(articles, key=lambda article: article.published, reverse=True)
    site: dict[str, tuple[bytes, str]] = {}
    for article in newest_first:
        site[article.path] = (pages.article_page(article, base).encode("utf-8"), HTML)
    for path, html in discovery.listing_pages(newest_first, page_size).items():
        site[path] = (html.encode("utf-8"), HTML)
    site[discovery.FEED_PATH] = (discovery.rss_feed(newest_first, base), discovery.RSS)
    site[discovery.SITEMAP_PATH] = (discovery.sitemap_index(newest_first, base), discovery.XML)
    site[discovery.NEWS_SITEMAP_PATH] = (discovery.news_sitemap(newest_first, base), discovery.XML)
    site[discovery.ROBOTS_PATH] = (discovery.robots_txt(base).encode("utf-8"), discovery.TEXT)
    return site


def publish(site: LocalSite, articles: Sequence[DemoArticle]) -> None:
    """Put every page of the site on `site`; call again with more articles to add them."""
    pages_by_path = build_site(articles, site.base_url)
    dates = {article.path: article.updated or article.published for article in articles}
    # Shared pages change whenever a story is added, so they carry the newest story's date.
    newest = max(dates.values(), default=None)
    for path, (body, content_type) in pages_by_path.items():
        site.put(path, body, content_type, last_modified=dates.get(path, newest))
    logger.info(
        "demo site: %d articles, %d pages at %s", len(articles), len(pages_by_path), site.base_url
    )
