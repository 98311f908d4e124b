"""The address policy in a real crawl: inward links, redirects and refreshes are never fetched.

A source on a loopback fixture site, allowed that site's host and port only, links (directly,
through a 302 and through a meta refresh) to another loopback port and to names that resolve to
127.0.0.1 and 169.254.169.254 (a test DNS resolver answers those names, offline). Each must be
refused at the downloader and counted, with no connection made: the second server's request
log stays empty. The source's own article is still fetched and extracted. Downloads are bound
to 127.0.0.1, so even a policy failure could not reach a non-loopback address.
"""

from __future__ import annotations

import re
import socket
from datetime import UTC, datetime

import pytest

from crawler.addresses import AddressPolicy, address_kind, literal_address
from tests.crawl.test_crawler import run_crawl
from tests.sites.regional import article_html
from tests.sites.scripted import Answer, ScriptedSite

RESOLVER = "tests.crawl.fake_dns.FixedNamesResolver"
RSS = "application/rss+xml"


def _feed(links: list[str]) -> Answer:
    items = "".join(f"<item><title>t</title><link>{link}</link></item>" for link in links)
    body = f'<?xml version="1.0"?><rss version="2.0"><channel>{items}</channel></rss>'
    return Answer(body.encode(), content_type=RSS)


def _stat(log: str, key: str) -> int:
    match = re.search(rf"'{re.escape(key)}': (\d+)", log)
    return int(match.group(1)) if match else 0


@pytest.fixture(scope="module")
def crawl(tmp_path_factory: pytest.TempPathFactory) -> dict[str, object]:
    tmp = tmp_path_factory.mktemp("addresses")
    with ScriptedSite() as site, ScriptedSite() as internal:
        base, port = site.base_url, site.base_url.rsplit(":", 1)[1]
        other = internal.base_url
        intranet = f"http://intranet.newsmon-test.example:{port}"
        metadata = f"http://metadata.newsmon-test.example:{port}"
        page = article_html("/news/ok.html", "en", datetime.now(UTC), None)
        site.script("/robots.txt", Answer(b"User-agent: *\nAllow: /\n", content_type="text/plain"))
        site.script("/news/ok.html", Answer(page.encode()))
        site.script("/news/rebind.html", Answer(page.replace("Congress", "Rebind").encode()))
        site.script("/go/port", Answer(status=302, headers={"Location": f"{other}/internal/r"}))
        site.script("/go/name", Answer(status=302, headers={"Location": f"{intranet}/news/n"}))
        refresh = f'<html><head><meta http-equiv="refresh" content="0;url={other}/internal/m">'
        site.script("/news/refresh.html", Answer(refresh.encode() + b"</head></html>"))
        site.script(
            "/feed.xml",
            _feed(
                [
                    f"{base}/news/ok.html",
                    f"{other}/internal/link.html",
                    f"{intranet}/news/intranet.html",
                    f"{metadata}/latest/meta-data/",
                    f"{base}/go/port",
                    f"{base}/go/name",
                    f"{base}/news/refresh.html",
                ]
            ),
        )
        site.script(
            "/rebind.xml", _feed([f"http://rebind.newsmon-test.example:{port}/news/rebind.html"])
        )
        internal.script("/robots.txt", Answer(b"", content_type="text/plain"))
        sources = f"""
sources:
  - name: guarded
    feeds: ["{base}/feed.xml"]
    allowed_domains: ["127.0.0.1", "newsmon-test.example"]
    allowed_addresses: ["127.0.0.1:{port}"]
  - name: rebinding
    feeds: ["{base}/rebind.xml"]
    allowed_domains: ["127.0.0.1", "newsmon-test.example"]
    allow_private: true
"""
        items, log, code = run_crawl(
            tmp, sources, TWISTED_DNS_RESOLVER=RESOLVER, DOWNLOAD_BIND_ADDRESS="127.0.0.1"
        )
        return {
            "items": items,
            "log": log,
            "code": code,
            "site": [hit.path for hit in site.hits],
            "internal": [hit.path for hit in internal.hits],
        }


def test_inward_links_redirects_and_refreshes_are_refused_without_connecting(
    crawl: dict[str, object],
) -> None:
    log = str(crawl["log"])
    assert crawl["code"] == 0, log[-3000:]
    # Nothing reached the other loopback port, not even a robots.txt request.
    assert crawl["internal"] == []
    # A link to another port, two names pointing inwards, a 302 to each, a meta refresh.
    assert _stat(log, "newsmon/address/refused") == 6
    assert _stat(log, "newsmon/source/guarded/address_refused") == 6
    assert re.search(r"intranet\.newsmon-test\.example \(127\.0\.0\.1\) is a loopback", log)
    assert re.search(r"metadata\.newsmon-test\.example \(169\.254\.169\.254\) is a link-local", log)
    assert re.search(r"port \d+ is not the source's own", log)
    # Logged once per host, not once per request.
    assert len(re.findall(r"not fetched, ", log)) == 3
    # The names were never connected to: the fixture site saw none of their paths.
    site = list(crawl["site"])  # type: ignore[call-overload]
    assert not [p for p in site if p.startswith(("/news/intranet", "/news/n", "/latest/"))]


def test_the_allowed_site_is_still_crawled(crawl: dict[str, object]) -> None:
    urls = sorted(str(item["url"]) for item in crawl["items"])  # type: ignore[attr-defined]
    assert [u.rsplit("/", 1)[1] for u in urls] == ["ok.html", "rebind.html"]


def test_a_checked_address_is_the_one_connected_to(crawl: dict[str, object]) -> None:
    log = str(crawl["log"])
    # The rebinding name was resolved once, for the check; its robots.txt and article
    # connections used that answer (127.0.0.1) and never asked again (169.254.169.254).
    assert len(re.findall(r"fake dns: rebind\.newsmon-test\.example", log)) == 1
    assert "/news/rebind.html" in list(crawl["site"])  # type: ignore[call-overload]


@pytest.mark.parametrize(
    "host", ["localhost", "127.0.0.1", "2130706433", "0x7f000001", "127.1", "::1", "0.0.0.0"]
)
def test_every_spelling_of_this_machine_is_refused(host: str) -> None:
    # Resolved as the downloader does (getaddrinfo), so the spelling does not matter.
    resolved = literal_address(host)
    found = (
        [resolved]
        if resolved is not None
        else [
            literal_address(str(info[4][0]))
            for info in socket.getaddrinfo(host, 80, type=socket.SOCK_STREAM)
        ]
    )
    addresses = [a for a in found if a is not None]
    policy = AddressPolicy(own_ports=frozenset({80, 443}))
    assert policy.refusal(host, 80, addresses) is not None
    assert AddressPolicy(own_ports=frozenset({80}), allow_private=True).refusal(
        host, 8080, addresses
    ) == "port 8080 is not the source's own (80)"


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("169.254.169.254", "link-local"),
        ("10.1.2.3", "private"),
        ("192.168.0.1", "private"),
        ("fd00::1", "private"),
        ("::ffff:127.0.0.1", "loopback"),
        ("224.0.0.1", "multicast"),
        ("240.0.0.1", "reserved"),
        ("100.64.0.1", "non-public"),
        ("8.8.8.8", None),
        ("2001:4860:4860::8888", None),
    ],
)
def test_address_kinds(address: str, kind: str | None) -> None:
    parsed = literal_address(address)
    assert parsed is not None
    assert address_kind(parsed) == kind


def test_allow_private_does_not_open_link_local_or_other_ports() -> None:
    policy = AddressPolicy(own_ports=frozenset({8000}), allow_private=True)
    loopback, metadata = literal_address("127.0.0.1"), literal_address("169.254.169.254")
    assert loopback is not None and metadata is not None
    assert policy.refusal("127.0.0.1", 8000, [loopback]) is None
    assert policy.refusal("127.0.0.1", 8001, [loopback]) is not None
    refused = policy.refusal("m.example", 8000, [metadata])
    assert refused == "m.example (169.254.169.254) is a link-local address"
    listed = AddressPolicy(own_ports=frozenset({80}), allowed=frozenset({("10.0.0.5", 8080)}))
    private = literal_address("10.0.0.5")
    assert private is not None
    assert listed.refusal("10.0.0.5", 8080, [private]) is None
    # A name that resolves to a listed address is not the listed host.
    assert listed.refusal("inside.example", 8080, [private]) is not None
