"""`newsmon detect`: JSON lines in, one detection per input out, in order; and, with
`--retry-failed`, stored articles whose detection failed detected again."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, TextIO

from monitor.commands.fetch import fetch_page
from monitor.commands.inputs import published_date, read_jsonl
from monitor.detect import Detector
from monitor.errors import NewsmonError

DEFAULT_CONFIG = Path("config/newsmon.yaml")


def configured_detector(config_path: Path | None) -> Detector:
    """The detector the daemon would run: the config's `detect.lexicon_files` merged over the
    shipped lexicon. Without `-c`, `config/newsmon.yaml` is used when it exists, and the
    shipped lexicon alone otherwise, so that `detect` and `eval` work outside a project."""
    if config_path is None:
        if not DEFAULT_CONFIG.is_file():
            return Detector()
        config_path = DEFAULT_CONFIG
    from monitor.config.model import load_config
    from monitor.cycle import load_detector

    return load_detector(load_config(config_path))


def _from_file(path: Path) -> dict[str, Any]:
    """A plain-text file (first line the headline) or an HTML page (.html, .htm, .html.gz);
    `-` is plain text on standard input."""
    if str(path) == "-":
        return _from_text(sys.stdin.read(), "stdin", "-")
    name = path.name.lower()
    if name.endswith((".html", ".htm", ".html.gz", ".htm.gz")):
        from crawler.extract import extract_article, read_html_file

        try:
            page = extract_article(read_html_file(path))
        except FileNotFoundError:
            raise NewsmonError(f"{path}: not found") from None
        except OSError as exc:
            raise NewsmonError(f"{path}: cannot be read: {exc.strerror or exc}") from None
        if page is None:
            raise NewsmonError(f"{path}: no article text found in the page")
        return {
            "id": path.name,
            "title": page.title or "",
            "text": page.text,
            "lang": page.lang,
            "published": page.published,
        }
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise NewsmonError(f"{path}: not found") from None
    except IsADirectoryError:
        raise NewsmonError(f"{path}: is a folder, not a file") from None
    except UnicodeDecodeError:
        raise NewsmonError(f"{path}: not UTF-8 text") from None
    except OSError as exc:
        raise NewsmonError(f"{path}: cannot be read: {exc.strerror or exc}") from None
    return _from_text(text, path.stem, str(path))


def _from_text(text: str, item_id: str, where: str) -> dict[str, Any]:
    if not text.strip():
        raise NewsmonError(f"{where}: the input is empty")
    title, _, body = text.strip().partition("\n")
    return {"id": item_id, "title": title.strip(), "text": body.strip()}


def _from_url(url: str) -> dict[str, Any]:
    from crawler.extract import extract_article

    body, final_url, charset = fetch_page(url)
    page = extract_article(body, final_url, encoding=charset)
    if page is None:
        raise NewsmonError(f"{url}: no article text found in the page")
    return {
        "id": url,
        "title": page.title or "",
        "text": page.text,
        "lang": page.lang,
        "published": page.published,
    }


def inputs(files: Sequence[Path], jsonl: Path | None, url: str | None) -> Iterator[dict[str, Any]]:
    if not files and jsonl is None and url is None:
        raise NewsmonError("nothing to detect: give FILES, --jsonl FILE or --url URL")
    for path in files:
        yield _from_file(path)
    if jsonl is not None:
        rows = 0
        for row in read_jsonl(jsonl):
            rows += 1
            yield row
        if not rows:
            raise NewsmonError(f"{jsonl}: no items")
    if url is not None:
        yield _from_url(url)


def run_detect(
    files: Sequence[Path],
    jsonl: Path | None,
    url: str | None,
    out: TextIO,
    detector: Detector | None = None,
) -> None:
    detector = detector or Detector()
    for row in inputs(files, jsonl, url):
        found = detector.detect(
            str(row.get("title") or ""),
            str(row["text"]),
            lang=row.get("lang"),
            published=published_date(row.get("published")),
        )
        out.write(json.dumps(found.to_json(str(row["id"])), ensure_ascii=False) + "\n")
        out.flush()


def retry_failed_articles(config_path: Path, out: TextIO) -> bool:
    """Detect the failed articles of the store again, now; their alerts go out at the next
    dispatch. False when some still fail."""
    from monitor.alerts.policy import AlertPolicy
    from monitor.config.model import load_config
    from monitor.cycle import load_detector
    from monitor.events.intake import retry_failed
    from monitor.store import Store

    config = load_config(config_path)
    store = Store(config.settings.store.url)
    try:
        outcomes = retry_failed(
            store,
            load_detector(config),
            AlertPolicy.from_config(config.settings.alerts),
            min_score=config.settings.detect.min_score,
        )
    finally:
        store.dispose()
    failed = [o for o in outcomes if o.failed]
    for outcome in failed:
        out.write(f"article {outcome.article_id} failed again: {outcome.error}\n")
    out.write(
        f"{len(outcomes)} failed article(s) retried: {len(outcomes) - len(failed)} detected"
        f" ({sum(1 for o in outcomes if o.positive)} flagged), {len(failed)} failed again\n"
    )
    return not failed
