"""LocalSite: a real HTTP server with validators, conditional GET and a request log."""

from __future__ import annotations

import http.client
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import pytest

from monitor.demo.server import LocalSite


def _get(
    site: LocalSite, path: str, method: str = "GET", headers: dict[str, str] | None = None
) -> tuple[int, dict[str, str], bytes]:
    host, port = site.base_url.removeprefix("http://").split(":")
    connection = http.client.HTTPConnection(host, int(port), timeout=5)
    try:
        connection.request(method, path, headers=headers or {})
        response = connection.getresponse()
        return response.status, dict(response.getheaders()), response.read()
    finally:
        connection.close()


@pytest.fixture
def site() -> LocalSite:
    with LocalSite() as running:
        yield running


def test_serves_put_pages_with_validators(site: LocalSite) -> None:
    site.put("/a.html", "नमस्ते")
    status, headers, body = _get(site, "/a.html")
    assert (status, body.decode()) == (200, "नमस्ते")
    assert headers["Content-Type"] == "text/html; charset=utf-8"
    assert headers["ETag"].startswith('"') and headers["Last-Modified"].endswith("GMT")


def test_if_none_match_answers_304_and_changes_invalidate(site: LocalSite) -> None:
    site.put("/feed.xml", "<rss/>", "application/rss+xml")
    etag = _get(site, "/feed.xml")[1]["ETag"]
    status, headers, body = _get(site, "/feed.xml", headers={"If-None-Match": etag})
    assert (status, body) == (304, b"") and headers["ETag"] == etag
    site.put("/feed.xml", "<rss><channel/></rss>", "application/rss+xml")
    assert _get(site, "/feed.xml", headers={"If-None-Match": etag})[0] == 200


def test_if_modified_since(site: LocalSite) -> None:
    changed = datetime(2024, 1, 2, 3, 4, 5, tzinfo=UTC)
    site.put("/page", "x", last_modified=changed)
    assert _get(site, "/page")[1]["Last-Modified"] == "Tue, 02 Jan 2024 03:04:05 GMT"
    later = format_datetime(changed + timedelta(hours=1), usegmt=True)
    earlier = format_datetime(changed - timedelta(hours=1), usegmt=True)
    assert _get(site, "/page", headers={"If-Modified-Since": later})[0] == 304
    assert _get(site, "/page", headers={"If-Modified-Since": earlier})[0] == 200


def test_unknown_path_head_query_and_remove(site: LocalSite) -> None:
    site.put("/list", "all pages")
    site.put("/list?page=2", "page two")
    assert _get(site, "/missing")[0] == 404
    assert _get(site, "/list?page=2")[2] == b"page two"
    assert _get(site, "/list?page=9")[2] == b"all pages"  # falls back to the path alone
    status, headers, body = _get(site, "/list", method="HEAD")
    assert (status, body, headers["Content-Length"]) == (200, b"", "9")
    site.remove("/list")
    assert _get(site, "/list")[0] == 404


def test_status_and_extra_headers(site: LocalSite) -> None:
    site.put("/old", "", status=301, headers={"Location": "/new"})
    status, headers, _ = _get(site, "/old")
    assert status == 301 and headers["Location"] == "/new"


def test_request_log(site: LocalSite) -> None:
    site.put("/a", "abc")
    _get(site, "/a", headers={"User-Agent": "tester/1"})
    _get(site, "/nope")
    log = site.requests
    assert [(r.method, r.path, r.status, r.bytes_sent) for r in log] == [
        ("GET", "/a", 200, 3),
        ("GET", "/nope", 404, len(b"not found\n")),
    ]
    assert log[0].headers["User-Agent"] == "tester/1"
    assert log[0].time <= log[1].time
    site.clear_log()
    assert site.requests == []


def test_base_url_requires_start() -> None:
    site = LocalSite()
    with pytest.raises(RuntimeError):
        _ = site.base_url
    assert site.start().startswith("http://127.0.0.1:")
    site.stop()
    site.stop()  # idempotent
