"""The README documents every config key and every command: walked from the pydantic models
and the click group, so a key or command added without its line in the README fails here."""

from __future__ import annotations

import re
import types
import typing
from collections.abc import Iterator
from pathlib import Path

import click
from pydantic import BaseModel

from monitor.cli import main
from monitor.config.channels import variants
from monitor.config.model import Settings, SourcesFile

README = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")


def models_in(annotation: object) -> Iterator[type[BaseModel]]:
    """The pydantic models an annotation holds: itself, or inside unions, tuples, Annotated."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield from variants(annotation)  # a channel: every installed kind
        return
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        yield from models_in(typing.get_args(annotation)[0])
    elif origin is not None or isinstance(annotation, types.UnionType):
        for arg in typing.get_args(annotation):
            yield from models_in(arg)


def keys(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """Every key path of `model`, sections and leaves: `alerts`, `alerts.retry.max_attempts`."""
    for name, info in model.model_fields.items():
        path = f"{prefix}{info.alias or name}"
        yield path
        for inner in models_in(info.annotation):
            yield from keys(inner, f"{path}.")


def documented(path: str) -> bool:
    """The full path in backticks, or the key itself where a table or list names it inside
    its section (`max_delay_seconds` in the `alerts.retry` row, `secret` under webhooks)."""
    leaf = path.rsplit(".", 1)[-1]
    return any(re.search(rf"`{re.escape(key)}\b", README) for key in (path, leaf))


def commands(group: click.Group, prefix: str = "") -> Iterator[str]:
    for name, command in group.commands.items():
        path = f"{prefix}{name}"
        if isinstance(command, click.Group):
            yield from commands(command, f"{path} ")
        else:
            yield path


def test_every_config_key_is_in_the_readme() -> None:
    every = [*keys(Settings), *keys(SourcesFile)]
    assert "alerts.retry.max_attempts" in every and "sources.listings.article_pattern" in every
    assert [k for k in every if not documented(k)] == []


def test_every_command_is_in_the_readme() -> None:
    every = list(commands(main))
    assert {"crawl", "config check", "alerts retry"} <= set(every)
    missing = [c for c in every if f"newsmon {c}" not in README and f"`{c}" not in README]
    assert missing == []
