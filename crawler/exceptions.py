"""Why the crawler chose not to fetch a request; the spider's errback tells them apart."""

from __future__ import annotations

from scrapy.exceptions import IgnoreRequest


class AddressRefused(IgnoreRequest):
    """The request's host resolves to an address, or names a port, its source may not reach."""


class SourceCutOff(IgnoreRequest):
    """The request's source has spent its time budget for this crawl; it waits for the next."""
