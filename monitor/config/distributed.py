"""The `distributed:` config section: crawl in this process, or on Celery workers.

    distributed:
      executor: inprocess        # inprocess (the default: one process, no broker) | celery
      broker_url: ${NEWSMON_BROKER_URL:-redis://127.0.0.1:6379/0}
      queue: newsmon-crawl
      key_prefix: "newsmon:"     # every broker key of this deployment starts with it
      visibility_timeout_seconds: 3600
      crawl_time_limit_seconds: 1800
      poll_seconds: 5            # how often the coordinator enqueues due sources and collects
      requeue_after_seconds: null  # a queued task untouched this long is sent again (2x visibility)
      lost_after_seconds: 30     # a running task whose crawl died is sent again after this long
      worker_concurrency: 2

The unit of work is "crawl source S now"; the coordinator (`newsmon run`) enqueues it and
`newsmon worker` runs it.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from monitor.config.base import StrictModel


class DistributedConfig(StrictModel):
    executor: Literal["inprocess", "celery"] = "inprocess"
    broker_url: str = "redis://127.0.0.1:6379/0"
    queue: str = Field("newsmon-crawl", pattern=r"^[A-Za-z0-9_.:-]+$")
    key_prefix: str = "newsmon:"
    # Redis hands an unacknowledged task to another worker after this long; a crawl must end
    # sooner or it would be delivered twice (the per-source lock then keeps the copy waiting).
    visibility_timeout_seconds: float = Field(3600.0, gt=0)
    crawl_time_limit_seconds: float = Field(1800.0, gt=0)
    # How often Redis looks for unacknowledged tasks past their visibility timeout.
    restore_interval_seconds: float = Field(10.0, gt=0)
    poll_seconds: float = Field(5.0, gt=0)
    requeue_after_seconds: float | None = Field(None, gt=0)
    # A task marked running whose source lock nobody holds has lost its crawl (a worker died);
    # the coordinator sends it again after this long, without waiting for the broker.
    lost_after_seconds: float = Field(30.0, gt=0)
    # Seconds a task waits before trying again when its store is down or its source is busy.
    retry_seconds: float = Field(10.0, gt=0)
    worker_concurrency: int = Field(2, ge=1, le=64)

    @model_validator(mode="after")
    def _timeouts(self) -> DistributedConfig:
        if self.visibility_timeout_seconds <= self.crawl_time_limit_seconds:
            raise ValueError(
                "visibility_timeout_seconds must be above crawl_time_limit_seconds, or a crawl "
                "still running would be handed to a second worker"
            )
        return self

    @property
    def celery(self) -> bool:
        return self.executor == "celery"

    @property
    def requeue_after(self) -> float:
        return self.requeue_after_seconds or 2 * self.visibility_timeout_seconds
