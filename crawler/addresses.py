"""The address policy: which hosts, addresses and ports a source's requests may connect to.

A news source is a public web site. A link, a redirect or a host name that leads to the
crawler's own machine, its network or a cloud metadata service (169.254.169.254) must not be
fetched, however it is spelt: the check is made on the resolved addresses, so `localhost`,
`[::1]`, `2130706433`, `0x7f.1` and a DNS name pointing inwards are all the same case.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import urlsplit

from crawler.sources import SourceSpec

IPAddress = ipaddress.IPv4Address | ipaddress.IPv6Address
DEFAULT_PORTS = {"http": 80, "https": 443}
# Kinds a source may reach with `allow_private: true`; the rest (link-local, multicast, ...)
# are never a news site and need an explicit `allowed_addresses` entry.
PRIVATE_KINDS = frozenset({"loopback", "private"})


def address_kind(address: IPAddress) -> str | None:
    """Why `address` is not a public internet address, or None when it is one."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        # "::ffff:127.0.0.1" reaches 127.0.0.1.
        address = address.ipv4_mapped
    if address.is_unspecified:
        return "unspecified"
    if address.is_loopback:
        return "loopback"
    if address.is_link_local:
        return "link-local"
    if address.is_multicast:
        return "multicast"
    if address.is_reserved:
        return "reserved"
    if address.is_private:
        return "private"
    if not address.is_global:
        # Shared address space (100.64/10) and other special-purpose ranges.
        return "non-public"
    return None


def parse_host_port(value: str) -> tuple[str, int]:
    """"host:port" or "[v6]:port" as (lower-case host, port); ValueError when malformed."""
    parts = urlsplit("//" + value.strip())
    try:
        port = parts.port
    except ValueError:
        port = None
    host = (parts.hostname or "").rstrip(".")
    if not host or port is None or parts.path or parts.query or parts.username:
        raise ValueError(f"{value!r} is not host:port")
    return host, port


@dataclass(frozen=True)
class AddressPolicy:
    """What one source may connect to."""

    own_ports: frozenset[int]
    allow_private: bool = False
    allowed: frozenset[tuple[str, int]] = frozenset()

    @classmethod
    def for_source(cls, spec: SourceSpec) -> AddressPolicy:
        return cls(
            own_ports=own_ports(spec.urls()),
            allow_private=spec.allow_private,
            allowed=frozenset(parse_host_port(entry) for entry in spec.allowed_addresses),
        )

    def refusal(self, host: str, port: int, addresses: Sequence[IPAddress]) -> str | None:
        """Why connecting to `host`:`port` at `addresses` is refused; None when it is allowed."""
        host = host.lower().rstrip(".")
        # Matched on the host as written: a name that resolves to a listed address is another
        # host (that is how a name pointing inwards would get in).
        if (host, port) in self.allowed:
            return None
        if port not in self.own_ports:
            ports = ", ".join(str(p) for p in sorted(self.own_ports))
            return f"port {port} is not the source's own ({ports})"
        if not addresses:
            return f"{host} resolves to no address"
        for address in addresses:
            kind = address_kind(address)
            if kind is None or (self.allow_private and kind in PRIVATE_KINDS):
                continue
            shown = host if host == str(address) else f"{host} ({address})"
            return f"{shown} is a {kind} address"
        return None


def own_ports(urls: Iterable[str]) -> frozenset[int]:
    """The ports of a source's configured addresses. A site on a standard web port may use
    both (feeds on https, article links on http are common)."""
    ports: set[int] = set()
    for url in urls:
        parts = urlsplit(url)
        try:
            port = parts.port
        except ValueError:
            continue
        default = DEFAULT_PORTS.get(parts.scheme.lower())
        if port is None or port == default:
            ports.update(DEFAULT_PORTS.values())
        else:
            ports.add(port)
    return frozenset(ports or DEFAULT_PORTS.values())


def literal_address(host: str) -> IPAddress | None:
    """`host` as an IP address when it is written as one in the usual form."""
    try:
        return ipaddress.ip_address(host)
    except ValueError:
        return None
