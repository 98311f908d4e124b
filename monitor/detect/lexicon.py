"""The curated bilingual lexicon: parties, alliances, leaders, places, cue words, boilerplate.

The lexicon is data (`config/lexicon/*.yaml`); users extend it with their own YAML files of the
same layout, merged on top of the shipped ones, to add parties, aliases, leaders or cues without
touching code.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from monitor.detect.matcher import Entry, Hit, Matcher, parse_alias
from monitor.detect.normalise import fold

log = logging.getLogger(__name__)


class LexiconError(ValueError):
    """A lexicon file is missing or malformed; the message names the file and the key."""


def default_lexicon_dir() -> Path:
    """Where the shipped lexicon lives: `config/lexicon/` at the repository root (the package
    is installed editable, so the repository is two levels above this package)."""
    return Path(__file__).resolve().parents[2] / "config" / "lexicon"


@dataclass(frozen=True)
class Boilerplate:
    skip_prefixes: tuple[str, ...]
    stop_prefixes: tuple[str, ...]
    published_labels: tuple[str, ...]


class Lexicon:
    """Everything the detector knows by name, plus the automaton that finds it in text."""

    def __init__(self, data: Mapping[str, Any]) -> None:
        self.parties: dict[str, str] = {}
        self.alliances: dict[str, str] = {}
        self.leaders: dict[str, str] = {}
        self.places: dict[str, str] = {}
        self.states: frozenset[str] = frozenset()
        self.cue_groups: dict[str, tuple[str, ...]] = {}
        entries = list(self._read(data))
        self.boilerplate = Boilerplate(
            skip_prefixes=_folded_list(data, "skip_line_prefixes"),
            stop_prefixes=_folded_list(data, "stop_line_prefixes"),
            published_labels=_folded_list(data, "published_labels"),
        )
        self.matcher = Matcher(entries)
        log.debug(
            "lexicon: %d parties, %d alliances, %d leaders, %d places, %d cue groups",
            len(self.parties),
            len(self.alliances),
            len(self.leaders),
            len(self.places),
            len(self.cue_groups),
        )

    def find(self, folded: str, cased: str | None = None) -> list[Hit]:
        return self.matcher.find(folded, cased)

    def party_of(self, leader: str) -> str | None:
        return self.leaders.get(leader)

    # --- reading ------------------------------------------------------------------------

    def _read(self, data: Mapping[str, Any]) -> Iterator[Entry]:
        for section, group, target in (
            ("parties", "party", self.parties),
            ("alliances", "alliance", self.alliances),
        ):
            for pid, spec in _mapping(data, section).items():
                spec = _mapping_value(spec, f"{section}.{pid}")
                target[str(pid)] = str(spec.get("name", pid))
                aliases = list(_strings(spec.get("aliases", []), f"{section}.{pid}.aliases"))
                yield from _entries(group, str(pid), aliases)
        for name, spec in _mapping(data, "leaders").items():
            spec = _mapping_value(spec, f"leaders.{name}")
            party = spec.get("party")
            if not isinstance(party, str):
                raise LexiconError(f"leaders.{name}.party: a party id is required")
            self.leaders[str(name)] = party
            aliases = [str(name), *_strings(spec.get("aliases", []), f"leaders.{name}.aliases")]
            yield from _entries("leader", str(name), aliases)
        not_parties = _mapping(data, "not_parties")
        yield from _entries(
            "not_party",
            "not_party",
            list(_strings(not_parties.get("aliases", []), "not_parties.aliases")),
        )
        states: set[str] = set()
        for name, aliases in _mapping(data, "states").items():
            states.add(str(name))
            self.places[str(name)] = str(name)
            names = [str(name), *_strings(aliases, f"states.{name}")]
            yield from _entries("place", str(name), names)
        self.states = frozenset(states)
        for section, group in (("cities", "place"), ("dateline_only", "place_dateline")):
            for state, cities in _mapping(data, section).items():
                for name, aliases in _mapping_value(cities, f"{section}.{state}").items():
                    self.places[str(name)] = str(state)
                    where = f"{section}.{state}.{name}"
                    yield from _entries(group, str(name), [str(name), *_strings(aliases, where)])
        for group, words in _mapping(data, "cues").items():
            items = tuple(_strings(words, f"cues.{group}"))
            self.cue_groups[str(group)] = items
            yield from _entries(str(group), str(group), items)


def _entries(group: str, key: str, aliases: Sequence[str]) -> Iterator[Entry]:
    for raw in aliases:
        alias, case_sensitive, prefix = parse_alias(raw)
        if alias:
            yield Entry(group, key, alias, case_sensitive, prefix)


def _mapping(data: Mapping[str, Any], key: str) -> Mapping[str, Any]:
    return _mapping_value(data.get(key) or {}, key)


def _mapping_value(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise LexiconError(f"{where}: expected a mapping, got {type(value).__name__}")
    return value


def _strings(value: Any, where: str) -> Iterator[str]:
    if not isinstance(value, list):
        raise LexiconError(f"{where}: expected a list of strings")
    for item in value:
        if not isinstance(item, str | int):
            raise LexiconError(f"{where}: {item!r} is not a string")
        yield str(item)


def _folded_list(data: Mapping[str, Any], key: str) -> tuple[str, ...]:
    return tuple(fold(s) for s in _strings(data.get(key) or [], key))


# --- loading and merging -------------------------------------------------------------------

# Files whose top level is a bare mapping of cue groups are nested under "cues" so that user
# files can add cue words with the same layout as the shipped cues.yaml.
_TOP_LEVEL = frozenset(
    {
        "parties",
        "alliances",
        "not_parties",
        "leaders",
        "states",
        "cities",
        "dateline_only",
        "cues",
        "skip_line_prefixes",
        "stop_line_prefixes",
        "published_labels",
    }
)


def load_lexicon(paths: Sequence[Path] = ()) -> Lexicon:
    """The shipped lexicon with the YAML files in `paths` merged on top, in order.

    Mappings merge key by key and lists are extended, so a user file can add a party, an alias
    of an existing party, a leader or cue words. Raises `LexiconError` naming the file and key
    when a file is unreadable or malformed.
    """
    base = default_lexicon_dir()
    shipped = sorted(base.glob("*.yaml"))
    if not shipped:
        raise LexiconError(f"{base}: no lexicon files found")
    merged: dict[str, Any] = {}
    for path in [*shipped, *paths]:
        merged = merge(merged, _load_file(Path(path)))
    try:
        return Lexicon(merged)
    except LexiconError as exc:
        raise LexiconError(f"lexicon ({', '.join(str(p) for p in paths) or base}): {exc}") from exc


def _load_file(path: Path) -> dict[str, Any]:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError) as exc:
        raise LexiconError(f"{path}: {exc}") from exc
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise LexiconError(f"{path}: the top level must be a mapping")
    nested: dict[str, Any] = {}
    cues: dict[str, Any] = {}
    for key, value in raw.items():
        if key in _TOP_LEVEL:
            nested[key] = value
        else:
            cues[key] = value
    if cues:
        nested["cues"] = merge(nested.get("cues") or {}, cues)
    return nested


def merge(base: Any, extra: Any) -> Any:
    """Deep merge: mappings key by key, lists extended without duplicates, scalars replaced."""
    if isinstance(base, dict) and isinstance(extra, dict):
        out = dict(base)
        for key, value in extra.items():
            out[key] = merge(out[key], value) if key in out else value
        return out
    if isinstance(base, list) and isinstance(extra, list):
        return base + [item for item in extra if item not in base]
    return extra
