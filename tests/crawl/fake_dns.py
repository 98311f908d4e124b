"""A TWISTED_DNS_RESOLVER for crawl tests: test names answer fixed addresses, offline.

`intranet.newsmon-test.example` resolves to 127.0.0.1 and `metadata.newsmon-test.example` to
169.254.169.254, as a public name pointing inwards would. `rebind.newsmon-test.example` answers
127.0.0.1 the first time and 169.254.169.254 after that, as a rebinding attacker's DNS does.
Every answer is logged ("fake dns: NAME -> ADDRESS"), so a test can count the lookups. Other
names go to the reactor's usual resolver.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from scrapy.crawler import Crawler
from twisted.internet.address import IPv4Address

logger = logging.getLogger(__name__)

FIXED = {
    "intranet.newsmon-test.example": "127.0.0.1",
    "metadata.newsmon-test.example": "169.254.169.254",
}
REBIND = "rebind.newsmon-test.example"


class _Resolution:
    def __init__(self, name: str) -> None:
        self.name = name

    def cancel(self) -> None:
        pass


class FixedNamesResolver:
    def __init__(self, reactor: Any) -> None:
        self.reactor = reactor
        self.original = reactor.nameResolver
        self.rebind_answers = 0

    @classmethod
    def from_crawler(cls, crawler: Crawler, reactor: Any) -> FixedNamesResolver:
        return cls(reactor)

    def install_on_reactor(self) -> None:
        self.reactor.installNameResolver(self)

    def resolveHostName(
        self,
        receiver: Any,
        hostName: str,
        portNumber: int = 0,
        addressTypes: Sequence[type[Any]] | None = None,
        transportSemantics: str = "TCP",
    ) -> Any:
        if hostName == REBIND:
            address = "127.0.0.1" if self.rebind_answers == 0 else "169.254.169.254"
            self.rebind_answers += 1
        elif hostName in FIXED:
            address = FIXED[hostName]
        else:
            return self.original.resolveHostName(
                receiver, hostName, portNumber, addressTypes, transportSemantics
            )
        logger.warning("fake dns: %s -> %s", hostName, address)
        resolution = _Resolution(hostName)
        receiver.resolutionBegan(resolution)
        receiver.addressResolved(IPv4Address("TCP", address, portNumber))
        receiver.resolutionComplete()
        return resolution
