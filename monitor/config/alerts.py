"""Configuration of alert delivery: channels, retries, routes and templates.

Part of `config/newsmon.yaml` under `alerts:`. Routes say which events go where and how: at
once or in a daily digest, outside quiet hours, and what happens when more outlets report an
event that was already announced.
"""

from __future__ import annotations

from datetime import time
from typing import Literal
from zoneinfo import ZoneInfo

from pydantic import Field, field_validator, model_validator

from monitor.config.base import StrictModel as _Model
from monitor.config.base import known_zone
from monitor.config.channels import Channel, ChannelSettings, Language

DEFAULT_TIMEZONE = "Asia/Kolkata"
_CLOCK_TIME = r"^([01]\d|2[0-3]):[0-5]\d$"


def clock_time(value: str) -> time:
    """``"08:00"`` as a :class:`datetime.time` (the config validated the format already)."""
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes))


class RetryConfig(_Model):
    max_attempts: int = Field(8, ge=1)
    base_delay_seconds: float = Field(30.0, gt=0)
    max_delay_seconds: float = Field(3600.0, gt=0)


class QuietHoursConfig(_Model):
    """A daily period (in the route's time zone) in which immediate alerts wait.

    ``start`` later than ``end`` spans midnight (22:00–07:00); equal times mean no quiet hours.
    """

    start: str = Field(pattern=_CLOCK_TIME)
    end: str = Field(pattern=_CLOCK_TIME)


class RouteConfig(_Model):
    """Which events go to which channels, and how.

    Every filter left empty matches everything; filters given together must all match (one of
    the listed values each). An event matches when any of its reports does.
    """

    name: str = Field(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]*$", max_length=60)
    channels: tuple[str, ...] = Field(min_length=1)
    labels: tuple[Literal["meeting", "election_prep"], ...] = ()
    parties: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()
    sources: tuple[str, ...] = ()
    languages: tuple[str, ...] = ()
    min_score: float = Field(0.0, ge=0, le=1)
    mode: Literal["immediate", "digest"] = "immediate"
    digest_at: str = Field("08:00", pattern=_CLOCK_TIME)
    quiet_hours: QuietHoursConfig | None = None
    timezone: str = DEFAULT_TIMEZONE
    updates: Literal["send", "digest", "silent"] = "send"
    # Overrides the channel's language for what this route sends.
    language: Language | None = None

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        return known_zone(value)

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def has_digest(self) -> bool:
        """Whether this route sends a scheduled digest (of everything, or of updates only)."""
        return self.mode == "digest" or self.updates == "digest"


class AlertsConfig(_Model):
    retry: RetryConfig = RetryConfig()
    # Each kind of channel brings its own settings (monitor/alerts/channels/).
    channels: tuple[Channel, ...] = ()
    routes: tuple[RouteConfig, ...] = ()
    # A folder (relative to the config file) whose templates replace the built-in ones.
    templates: str | None = None

    @field_validator("channels")
    @classmethod
    def _unique_names(cls, value: tuple[ChannelSettings, ...]) -> tuple[ChannelSettings, ...]:
        names = [c.name for c in value]
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise ValueError(f"channel names must be unique, repeated: {', '.join(dupes)}")
        return value

    @model_validator(mode="after")
    def _routes_name_channels(self) -> AlertsConfig:
        # pydantic cannot point at a list item from here, so the message carries the path.
        known = {c.name for c in self.channels}
        seen: set[str] = set()
        for index, route in enumerate(self.routes):
            if route.name in seen:
                raise ValueError(f"routes[{index}].name: {route.name!r} is used twice")
            seen.add(route.name)
            for unknown in (c for c in route.channels if c not in known):
                listed = ", ".join(sorted(known)) or "none configured"
                raise ValueError(
                    f"routes[{index}].channels: no channel named {unknown!r} (channels: {listed})"
                )
        return self

    def effective_routes(self) -> tuple[RouteConfig, ...]:
        """The configured routes, or one that sends every event to every channel at once."""
        if self.routes or not self.channels:
            return self.routes
        return (RouteConfig(name="all", channels=tuple(c.name for c in self.channels)),)
