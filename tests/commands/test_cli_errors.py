"""Bad input on the command line: one line on stderr naming what and where, the right exit
status, and no traceback."""

from __future__ import annotations

import gzip
import http.server
import json
import socket
import subprocess
import threading
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.cli_helpers import newsmon


def one_line_error(result: subprocess.CompletedProcess[str], status: int, *words: str) -> str:
    assert result.returncode == status, result.stderr
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    for word in words:
        assert word in lines[0], lines[0]
    return lines[0]


def jsonl(tmp_path: Path, *rows: object) -> Path:
    path = tmp_path / "in.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")
    return path


@pytest.mark.parametrize(
    ("row", "words"),
    [
        ({"id": "a", "text": 5}, ("in.jsonl:1", "'text' must be a string")),
        ({"id": None, "text": "x"}, ("in.jsonl:1", "'id'")),
        ({"id": "a", "text": "x", "published": "2024-02-30"}, ("in.jsonl:1", "published")),
        ({"id": "a", "text": "x", "title": ["t"]}, ("in.jsonl:1", "'title'")),
    ],
)
def test_detect_rejects_a_bad_field_with_its_line(
    tmp_path: Path, row: dict[str, object], words: tuple[str, ...]
) -> None:
    one_line_error(newsmon("detect", "--jsonl", str(jsonl(tmp_path, row))), 2, *words)


def test_detect_names_the_line_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "in.jsonl"
    path.write_bytes(b'{"id": "a", "text": "ok"}\n{"id": "b", "text": "caf\xe9"}\n')
    one_line_error(newsmon("detect", "--jsonl", str(path)), 2, "in.jsonl:2", "UTF-8")


def test_detect_with_nothing_to_read_is_an_error(tmp_path: Path) -> None:
    empty = tmp_path / "empty.jsonl"
    empty.write_text("\n", encoding="utf-8")
    one_line_error(newsmon("detect", "--jsonl", str(empty)), 2, "no items")
    blank = tmp_path / "blank.txt"
    blank.write_text("  \n", encoding="utf-8")
    one_line_error(newsmon("detect", str(blank)), 2, "blank.txt", "empty")


def test_a_truncated_gzip_page_is_named(tmp_path: Path) -> None:
    page = tmp_path / "page.html.gz"
    page.write_bytes(gzip.compress(b"<html><body><p>x</p></body></html>" * 50)[:40])
    for command in ("detect", "extract"):
        one_line_error(newsmon(command, str(page)), 2, "page.html.gz", "gzip")


@pytest.mark.parametrize(
    ("url", "words"),
    [
        ("ftp://127.0.0.1/page", ("only http:// and https://",)),
        ("http://[::1", ("not a valid URL",)),
    ],
)
def test_extract_rejects_urls_it_cannot_fetch(url: str, words: tuple[str, ...]) -> None:
    one_line_error(newsmon("extract", url), 2, url, *words)


class _NotFound(http.server.BaseHTTPRequestHandler):
    def do_GET(self) -> None:
        self.send_error(404)

    def log_message(self, format: str, *args: object) -> None:
        pass


@pytest.fixture
def not_found_url() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _NotFound)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/story.html"
    server.shutdown()
    server.server_close()


def test_a_missing_page_is_one_line_with_the_status(not_found_url: str) -> None:
    one_line_error(newsmon("detect", "--url", not_found_url), 2, not_found_url, "HTTP 404")
    one_line_error(newsmon("extract", not_found_url), 2, "HTTP 404")


def test_eval_checks_every_item_before_detecting(tmp_path: Path) -> None:
    good = {"id": "a", "text": "x", "meeting": False, "election_prep": False}
    duplicate = jsonl(tmp_path, good, {**good, "id": "b"}, {**good, "id": "a"})
    one_line_error(newsmon("eval", str(duplicate)), 2, "in.jsonl:3", "'a'", "line 1")
    label = jsonl(tmp_path, good, {**good, "id": "b", "meeting": "yes"})
    one_line_error(newsmon("eval", str(label)), 2, "in.jsonl:2", "'meeting'")


def write_config(tmp_path: Path, store_url: str) -> Path:
    (tmp_path / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
    config = tmp_path / "newsmon.yaml"
    config.write_text(f"store: {{url: '{store_url}'}}\n", encoding="utf-8")
    return config


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port


def test_an_unreachable_database_server_exits_1_for_a_retry(tmp_path: Path) -> None:
    # 1, not 2: the systemd unit restarts on 1 (PostgreSQL may still be starting).
    url = f"postgresql://newsmon:s3cret@127.0.0.1:{closed_port()}/x"
    config = str(write_config(tmp_path, url))
    for args in (["events"], ["alerts", "list"], ["status"]):
        line = one_line_error(newsmon(*args, "--config", config), 1, "cannot open the store")
        assert "s3cret" not in line


def test_a_sqlite_store_that_cannot_be_created_is_a_config_error(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")
    config = str(write_config(tmp_path, f"sqlite:///{blocker}/sub/newsmon.sqlite"))
    one_line_error(newsmon("events", "--config", config), 2, "store.url")


def test_retrying_an_alert_that_is_not_failed_says_so(tmp_path: Path) -> None:
    config = str(write_config(tmp_path, f"sqlite:///{tmp_path / 'store.sqlite'}"))
    one_line_error(newsmon("alerts", "retry", "999", "--config", config), 2, "999")
    too_big = newsmon("alerts", "retry", str(2**70), "--config", config)
    assert too_big.returncode == 2 and "Traceback" not in too_big.stderr
