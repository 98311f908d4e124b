"""What every channel promises: send one message, report the outcome, never raise for it.

The dispatcher decides about retries from :class:`DeliveryResult` alone, so a channel's job is
to say clearly whether trying again could help.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from monitor.alerts.payload import Message
from monitor.config.channels import ChannelSettings

if TYPE_CHECKING:
    from monitor.alerts.render import Renderer


@dataclass(frozen=True)
class DeliveryResult:
    """The outcome of one delivery attempt.

    ``status`` is short and stable enough to group by ("sent", "http 500", "smtp 451",
    "connection refused", "timeout"); ``error`` is the detail for a person, already redacted.
    ``retry_after`` is the delay in seconds a receiver asked for (HTTP ``Retry-After``), if any.
    ``deferred`` means the channel chose not to try yet (its own rate limit): the dispatcher
    waits ``retry_after`` and does not count it as a failed attempt.
    """

    ok: bool
    status: str
    error: str | None = None
    retryable: bool = False
    retry_after: float | None = None
    deferred: bool = False

    @classmethod
    def sent(cls, status: str = "sent") -> DeliveryResult:
        return cls(ok=True, status=status)

    @classmethod
    def failed(
        cls, status: str, error: str | None, *, retryable: bool, retry_after: float | None = None
    ) -> DeliveryResult:
        return cls(
            ok=False, status=status, error=error, retryable=retryable, retry_after=retry_after
        )

    @classmethod
    def later(cls, status: str, retry_after: float) -> DeliveryResult:
        return cls(ok=False, status=status, retryable=True, retry_after=retry_after, deferred=True)


@runtime_checkable
class Channel(Protocol):
    """A destination for alerts. ``send`` may block; the dispatcher calls it from a thread."""

    name: str

    def send(self, message: Message) -> DeliveryResult:
        """Deliver ``message``; problems with delivery come back as a failed result."""
        ...

    def describe(self) -> str:
        """Say where alerts go, for logs and ``newsmon`` output, without any secret."""
        ...


@dataclass(frozen=True)
class BuildContext:
    """What a channel may need from outside its own settings to build itself."""

    # Relative paths in the settings are relative to this folder (the config file's).
    base_dir: Path
    # The renderer with the user's templates, for channels that write text for people.
    renderer: Renderer


class ChannelKind(ChannelSettings):
    """The settings of one kind of channel, which build that channel.

    A kind subclasses this with ``type: Literal["<kind>"]`` and its own fields, and is named
    in ``pyproject.toml`` under ``[project.entry-points."newsmon.channels"]``.
    """

    def build(self, context: BuildContext) -> Channel:
        raise NotImplementedError(f"channel kind {self.type!r} does not build a channel")
