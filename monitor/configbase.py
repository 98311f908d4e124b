"""The base of every config model."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict


class StrictModel(BaseModel):
    # Unknown keys are typos until proven otherwise: reject them with their path.
    model_config = ConfigDict(extra="forbid", frozen=True)
