"""Names the user wrote that must exist somewhere else: config keys and route filters.

A mistyped key or a route naming a party no detector knows would otherwise pass silently (a
route for `JMMM` never fires); these say what was meant instead.
"""

from __future__ import annotations

import difflib
from collections.abc import Collection, Iterable, Sequence
from typing import Any, get_args

from pydantic import BaseModel

from monitor.config.alerts import RouteConfig
from monitor.config.channels import variants
from monitor.errors import ConfigError


def nearest(name: str, known: Collection[str], n: int = 3) -> list[str]:
    """The known names closest to `name`, compared without case."""
    by_folded: dict[str, str] = {}
    for k in known:
        by_folded.setdefault(k.casefold(), k)
    matches = difflib.get_close_matches(name.casefold(), list(by_folded), n=n, cutoff=0.5)
    return [by_folded[m] for m in matches]


def unknown_key_reason(root: type[BaseModel], loc: Sequence[int | str]) -> str:
    """ "unknown key" with the nearest keys allowed at `loc` (pydantic says "Extra inputs")."""
    known = sorted({key for model in _models_at(root, loc[:-1]) for key in _keys(model)})
    guesses = nearest(str(loc[-1]), known)
    if guesses:
        return f"unknown key; did you mean {' or '.join(repr(g) for g in guesses)}?"
    return f"unknown key (known here: {', '.join(known)})" if known else "unknown key"


def _keys(model: type[BaseModel]) -> Iterable[str]:
    for name, field in model.model_fields.items():
        yield field.alias or name


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return variants(annotation)
    return [model for arg in get_args(annotation) for model in _models_in(arg)]


def _models_at(root: type[BaseModel], loc: Sequence[int | str]) -> list[type[BaseModel]]:
    """The models that may hold the keys at `loc`; list indexes and union tags pass through."""
    models = [root]
    for part in loc:
        if isinstance(part, int):
            continue
        inner = [
            sub
            for model in models
            if (field := _field(model, part)) is not None
            for sub in _models_in(field.annotation)
        ]
        if inner:
            models = inner
            continue
        # pydantic names the member of a tagged union it tried ("webhook"): keep that one.
        tagged = [m for m in models if part in get_args(_annotation(m, "type"))]
        models = tagged or models
    return models


def _annotation(model: type[BaseModel], key: str) -> Any:
    field = _field(model, key)
    return field.annotation if field is not None else None


def _field(model: type[BaseModel], key: str) -> Any:
    for name, field in model.model_fields.items():
        if key in (name, field.alias):
            return field
    return None


def check_route_names(
    config_file: str,
    routes: Sequence[RouteConfig],
    *,
    parties: Collection[str],
    regions: Collection[str],
) -> None:
    """Stop on a route party or region that nothing could ever match, naming the nearest."""
    known_parties = {p.casefold() for p in parties}
    known_regions = {r.casefold() for r in regions}
    for index, route in enumerate(routes):
        for key, values, known, names, what in (
            ("parties", route.parties, known_parties, parties, "party"),
            ("regions", route.regions, known_regions, regions, "state or place"),
        ):
            for position, value in enumerate(values):
                if value.casefold() in known:
                    continue
                guesses = nearest(value, names)
                hint = f"; nearest known: {', '.join(guesses)}" if guesses else ""
                raise ConfigError(
                    config_file,
                    f"alerts.routes[{index}].{key}[{position}]",
                    f"unknown {what} {value!r}{hint}",
                )
