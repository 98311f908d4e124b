"""Alert channels: one module per kind of destination, all following :class:`Channel`.

The apprise channel is imported from its own module so that apprise loads only when used.
"""

from __future__ import annotations

from monitor.alerts.channels.base import Channel, DeliveryResult
from monitor.alerts.channels.email import EmailChannel
from monitor.alerts.channels.file import FileChannel
from monitor.alerts.channels.webhook import WebhookChannel

__all__ = ["Channel", "DeliveryResult", "EmailChannel", "FileChannel", "WebhookChannel"]
