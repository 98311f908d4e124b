"""Names in the config that must mean something: keys, and the parties and states of routes."""

from __future__ import annotations

from pathlib import Path

import pytest

from monitor.config.model import load_config
from monitor.errors import ConfigError
from tests.cli_helpers import newsmon

ROUTES = """\
alerts:
  channels:
    - {type: file, name: desk, path: alerts.jsonl}
  routes:
    - {name: jh, channels: [desk], parties: [%s], regions: [%s]}
"""


def _write(tmp_path: Path, main: str) -> Path:
    (tmp_path / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
    path = tmp_path / "newsmon.yaml"
    path.write_text(main, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("main", "key", "meant"),
    [
        (
            "schedule:\n  crawl_every_minute: 5\n",
            "schedule.crawl_every_minute",
            "crawl_every_minutes",
        ),
        ("stor:\n  url: sqlite://\n", "stor", "store"),
        (
            "alerts:\n  channels:\n    - {type: webhook, name: w, url: 'http://h/', secre: s}\n",
            "alerts.channels[0].secre",
            "secret",
        ),
        (
            "alerts:\n  routes:\n    - {name: r, channels: [x], quiet_hour: {}}\n",
            "alerts.routes[0].quiet_hour",
            "quiet_hours",
        ),
    ],
)
def test_a_mistyped_key_gets_did_you_mean(tmp_path: Path, main: str, key: str, meant: str) -> None:
    with pytest.raises(ConfigError) as err:
        load_config(_write(tmp_path, main), env={})
    assert err.value.key_path == key
    assert f"did you mean '{meant}'" in err.value.reason
    assert "Extra inputs" not in str(err.value)


@pytest.mark.parametrize(
    ("parties", "regions", "key", "nearest"),
    [
        ("JMMM", "Jharkhand", "alerts.routes[0].parties[0]", "JMM"),
        ("jmm", "Jharkand", "alerts.routes[0].regions[0]", "Jharkhand"),
    ],
)
def test_a_route_naming_an_unknown_party_or_state_fails_config_check(
    tmp_path: Path, parties: str, regions: str, key: str, nearest: str
) -> None:
    path = _write(tmp_path, ROUTES % (parties, regions))
    result = newsmon("config", "check", "-c", str(path))
    assert result.returncode == 2, result.stdout
    [line] = result.stderr.splitlines()
    assert f"{path}: {key}: unknown" in line
    assert f"nearest known: {nearest}" in line


def test_route_names_are_matched_without_case_and_places_count(tmp_path: Path) -> None:
    path = _write(tmp_path, ROUTES % ("jmm, INC", "jharkhand, Ranchi"))
    result = newsmon("config", "check", "-c", str(path))
    assert result.returncode == 0, result.stderr
