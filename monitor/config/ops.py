"""Config sections for running the daemon: the health endpoint and source-health notices.

`health:` and `operations:` in `config/newsmon.yaml`:

    health:
      listen: 127.0.0.1:9464     # off unless set; a bare port binds 127.0.0.1
    operations:
      stale_after_hours: 48      # no new article for this long: the source is "stale"
      fail_after_cycles: 3       # this many failed crawls in a row: the source is "failing"
      channels: [ops-webhook]    # where operator notices go (default: every channel)
      crawl_limit_seconds: 3600  # time limits of the steps: a step past its limit is
      detect_limit_seconds: 60   #   abandoned and reported (detection: one article, with
      dispatch_limit_seconds: 900  #  its grouping and alerts; dispatch: one run)
      alert_lease_seconds: 300   # a claimed alert is another process's only after this
      detect_during_crawl_seconds: 5  # detect and alert what a running crawl has stored,
                                      #   this often (0: only once the crawl has ended)
"""

from __future__ import annotations

from pydantic import Field, field_validator

from monitor.config.base import StrictModel


class HealthConfig(StrictModel):
    listen: str | None = None

    @field_validator("listen", mode="before")
    @classmethod
    def _address(cls, value: object) -> str | None:
        if value is None:
            return None
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)  # `listen: 9464` is a YAML integer
        if not isinstance(value, str):
            raise ValueError("must be host:port or a port number")
        host, port = split_listen(value)
        if not 0 <= port <= 65535:
            raise ValueError(f"port {port} is out of range")
        return f"{host}:{port}"

    @property
    def address(self) -> tuple[str, int] | None:
        return split_listen(self.listen) if self.listen else None


class OperationsConfig(StrictModel):
    stale_after_hours: float = Field(48.0, gt=0)
    fail_after_cycles: int = Field(3, ge=1)
    channels: tuple[str, ...] = ()
    crawl_limit_seconds: float = Field(3600.0, gt=0)
    detect_limit_seconds: float = Field(60.0, gt=0)
    dispatch_limit_seconds: float = Field(900.0, gt=0)
    # Longer than any one send may take (channel timeouts, apprise's own retries).
    alert_lease_seconds: float = Field(300.0, gt=0)
    # Short, so a healthy source's news goes out while a slow source holds the crawl; each pass
    # costs one query when nothing new was stored.
    detect_during_crawl_seconds: float = Field(5.0, ge=0)


def split_listen(value: str) -> tuple[str, int]:
    """`"127.0.0.1:9464"`, `":9464"` or `"9464"` → (host, port); the host defaults to loopback
    because /metrics names every source and should not be public by accident."""
    host, sep, port = value.strip().rpartition(":")
    if not sep:
        host, port = "", value.strip()
    try:
        number = int(port)
    except ValueError:
        raise ValueError(f"{value!r} is not host:port") from None
    return (host.strip("[]") or "127.0.0.1"), number
