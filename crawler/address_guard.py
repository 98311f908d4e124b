"""The address policy enforced at the downloader: resolve, check, and pin before connecting.

`AddressGuardMiddleware` resolves every request's host with the reactor's own name resolver
(getaddrinfo in a thread, or the crawl's TWISTED_DNS_RESOLVER) and checks the addresses with
`crawler.addresses`. Redirects and meta refreshes are new requests and come through here again.
The addresses it checked are then pinned: for the rest of the crawl the reactor's resolver
answers that host with exactly them, so a DNS answer that changes between the check and the
connection (rebinding) cannot send the connection elsewhere.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from scrapy import Request, Spider, signals
from scrapy.crawler import Crawler
from scrapy.utils.defer import maybe_deferred_to_future
from scrapy.utils.httpobj import urlparse_cached
from twisted.internet.address import IPv4Address as TwistedIPv4
from twisted.internet.address import IPv6Address as TwistedIPv6
from twisted.internet.defer import Deferred
from twisted.internet.error import DNSLookupError

from crawler import bookkeeping as bk
from crawler import protocol as proto
from crawler.addresses import DEFAULT_PORTS, AddressPolicy, IPAddress, literal_address
from crawler.exceptions import AddressRefused
from crawler.sources import SourceSpec

logger = logging.getLogger(__name__)

REFUSED = "address_refused"
_DEFAULT_POLICY = AddressPolicy(own_ports=frozenset(DEFAULT_PORTS.values()))


class _Resolution:
    def __init__(self, name: str) -> None:
        self.name = name

    def cancel(self) -> None:
        pass  # answered at once; nothing to cancel


class PinnedResolver:
    """The reactor's name resolver for the crawl: checked hosts get their checked addresses.

    It has the shape of Twisted's IHostnameResolver (the reactor only calls it); the receivers
    and the original resolver are duck-typed the same way.
    """

    def __init__(self, original: Any) -> None:
        self.original = original
        self.pins: dict[str, tuple[IPAddress, ...]] = {}

    def resolveHostName(
        self,
        resolutionReceiver: Any,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[Any]] | None = None,
        transportSemantics: str = "TCP",
    ) -> Any:
        # Keyed as the guard keys them; the URL may spell the host in capitals or with a dot.
        pinned = self.pins.get(hostName.lower().rstrip("."))
        if pinned is None:
            return self.original.resolveHostName(
                resolutionReceiver, hostName, portNumber, addressTypes, transportSemantics
            )
        resolution = _Resolution(hostName)
        resolutionReceiver.resolutionBegan(resolution)
        for address in pinned:
            kind = TwistedIPv6 if address.version == 6 else TwistedIPv4
            resolutionReceiver.addressResolved(kind("TCP", str(address), portNumber))
        resolutionReceiver.resolutionComplete()
        return resolution


class _Receiver:
    """Collects one resolution's addresses and fires `done` with them."""

    def __init__(self) -> None:
        self.found: list[IPAddress] = []
        self.done: Deferred[Sequence[IPAddress]] = Deferred()

    def resolutionBegan(self, resolution: Any) -> None:
        pass

    def addressResolved(self, address: Any) -> None:
        # An IPv6 link-local answer carries its zone ("fe80::1%eth0").
        parsed = literal_address(str(address.host).split("%", 1)[0])
        if parsed is not None and parsed not in self.found:
            self.found.append(parsed)

    def resolutionComplete(self) -> None:
        self.done.callback(self.found)


def resolve(resolver: Any, host: str) -> Deferred[Sequence[IPAddress]]:
    """All addresses `host` resolves to (none when it does not resolve)."""
    receiver = _Receiver()
    resolver.resolveHostName(receiver, host, 0)
    return receiver.done


class AddressGuardMiddleware:
    def __init__(self, crawler: Crawler) -> None:
        self.crawler = crawler
        self.dns_timeout = crawler.settings.getfloat("DNS_TIMEOUT", 60)
        self._policies: dict[str, AddressPolicy] = {}
        self._sources: dict[str, SourceSpec] = {}
        self._resolver: PinnedResolver | None = None
        self._previous: tuple[Any, Any] | None = None
        self._logged: set[str] = set()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> AddressGuardMiddleware:
        guard = cls(crawler)
        crawler.signals.connect(guard.spider_opened, signal=signals.spider_opened)
        crawler.signals.connect(guard.spider_closed, signal=signals.spider_closed)
        return guard

    def spider_opened(self, spider: Spider) -> None:
        self._sources = dict(getattr(spider, "sources", None) or {})
        self._policies = {
            name: AddressPolicy.for_source(spec) for name, spec in self._sources.items()
        }
        self._install()

    def spider_closed(self, spider: Spider) -> None:
        self._uninstall()

    def _install(self) -> None:
        from twisted.internet import reactor

        target: Any = reactor
        self._resolver = PinnedResolver(target.nameResolver)
        simple = target.resolver
        self._previous = (target.installNameResolver(self._resolver), simple)

    def _uninstall(self) -> None:
        from twisted.internet import reactor

        target: Any = reactor
        if self._previous is not None and target.nameResolver is self._resolver:
            name_resolver, simple = self._previous
            target.installNameResolver(name_resolver)
            # installNameResolver wraps the simple resolver anew; put back the one Scrapy set.
            target.resolver = simple
        self._previous = None

    async def process_request(self, request: Request) -> None:
        parts = urlparse_cached(request)
        if parts.scheme not in DEFAULT_PORTS:
            return  # data: and file: requests connect nowhere
        host = (parts.hostname or "").lower().rstrip(".")
        port = parts.port or DEFAULT_PORTS[parts.scheme]
        source = request.meta.get(proto.META_SOURCE)
        addresses = await self._addresses(host)
        reason = self._refusal(source, host, port, addresses)
        if reason is None:
            return
        self._count(source, reason, host, request.url)
        raise AddressRefused(f"address policy: {reason}")

    def _refusal(
        self, source: str | None, host: str, port: int, addresses: Sequence[IPAddress]
    ) -> str | None:
        if source is not None:
            return self._policies.get(source, _DEFAULT_POLICY).refusal(host, port, addresses)
        # robots.txt and other requests the spider did not make itself: allowed when a source
        # whose site this is may reach it.
        owners = [
            self._policies[name]
            for name, spec in self._sources.items()
            if any(host == d or host.endswith("." + d) for d in spec.domains())
        ]
        reasons = [p.refusal(host, port, addresses) for p in owners or [_DEFAULT_POLICY]]
        return None if None in reasons else reasons[0]

    async def _addresses(self, host: str) -> tuple[IPAddress, ...]:
        literal = literal_address(host)
        if literal is not None:
            return (literal,)
        assert self._resolver is not None, "spider_opened installs the resolver"
        pinned = self._resolver.pins.get(host)
        if pinned is not None:
            return pinned
        from twisted.internet import reactor

        lookup = resolve(self._resolver.original, host)
        lookup.addTimeout(self.dns_timeout, reactor)
        try:
            answer: Sequence[IPAddress] = await maybe_deferred_to_future(lookup)
            found = tuple(answer)
        except Exception as exc:
            # Reported as the connection would report it: the site may resolve next time.
            raise DNSLookupError(f"{host}: {exc}") from exc
        if not found:
            raise DNSLookupError(f"{host} resolves to no address")
        self._resolver.pins[host] = found
        return found

    def _count(self, source: str | None, reason: str, host: str, url: str) -> None:
        stats = self.crawler.stats
        if stats is not None:
            stats.inc_value("newsmon/address/refused")
            if source is not None:
                stats.inc_value(bk.source_key(source, REFUSED))
        if host not in self._logged:
            self._logged.add(host)
            logger.warning(
                "source %s: %s not fetched, %s (further requests to %s refused silently)",
                source or "-",
                url,
                reason,
                host,
            )
