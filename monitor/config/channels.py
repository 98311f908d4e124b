"""The settings of an alert channel, whatever its kind.

Each kind of channel is one module under `monitor/alerts/channels/` that holds its settings,
its construction and its delivery, and one line in `pyproject.toml`'s `newsmon.channels` entry
points naming its settings class. The config finds the kinds through those entry points (the
standard plugin mechanism of Python packaging), so it never imports the alert stage, and a
channel packaged outside newsmon is configured the same way as the built-in ones.
"""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points
from typing import Annotated, Any, Literal, Union, get_args

from pydantic import BaseModel, Field, TypeAdapter, ValidatorFunctionWrapHandler, WrapValidator
from pydantic_core import PydanticCustomError

from monitor.config.base import StrictModel

ENTRY_POINT_GROUP = "newsmon.channels"

# The language of a channel's labels ("Party:", "When:"); headlines stay as the outlet wrote them.
Language = Literal["hi", "en"]


class ChannelSettings(StrictModel):
    """What every channel has: its kind (`type`) and a name that routes refer to."""

    type: str
    name: str


@cache
def channel_kinds() -> dict[str, type[ChannelSettings]]:
    """The installed channel kinds by `type`, from the `newsmon.channels` entry points."""
    kinds: dict[str, type[ChannelSettings]] = {}
    for point in entry_points(group=ENTRY_POINT_GROUP):
        settings = point.load()
        if not (isinstance(settings, type) and issubclass(settings, ChannelSettings)):
            raise TypeError(f"entry point {point.value} is not a ChannelSettings class")
        declared = get_args(settings.model_fields["type"].annotation)
        if declared != (point.name,):
            raise TypeError(
                f"{point.value} declares type {declared!r}, its entry point is {point.name!r}"
            )
        kinds[point.name] = settings
    return dict(sorted(kinds.items()))


@cache
def _tagged_union() -> TypeAdapter[Any]:
    kinds = tuple(channel_kinds().values())
    if len(kinds) == 1:
        return TypeAdapter(kinds[0])
    # A union tagged by `type`: pydantic then reports errors under the kind it tried
    # ("webhook"), which is what the did-you-mean of a mistyped key narrows on. The members
    # are known only at run time, hence the union built from a tuple.
    union: Any = Union.__getitem__(kinds)
    return TypeAdapter(Annotated[union, Field(discriminator="type")])


def _validate(value: Any, handler: ValidatorFunctionWrapHandler) -> ChannelSettings:
    if isinstance(value, ChannelSettings):
        return value
    kinds = channel_kinds()
    if not kinds:
        raise PydanticCustomError(
            "no_channel_kinds", "no channel kinds are installed (reinstall newsmon)"
        )
    result = _tagged_union().validate_python(value)
    assert isinstance(result, ChannelSettings)
    return result


Channel = Annotated[ChannelSettings, WrapValidator(_validate)]


def variants(model: type[BaseModel]) -> list[type[BaseModel]]:
    """The models a value declared as `model` may be: each channel kind for a channel."""
    if model is ChannelSettings:
        return list(channel_kinds().values())
    return [model]
