"""Channel kinds come from the `newsmon.channels` entry points: a new kind is one module and one
registry line, and is then configured, checked and built like the built-in ones."""

from __future__ import annotations

import inspect
import textwrap
from collections.abc import Iterator
from importlib.metadata import entry_points
from pathlib import Path

import pytest
from pydantic import ValidationError

from monitor.alerts.channels.base import ChannelKind
from monitor.alerts.factory import build_channels
from monitor.alerts.operator_message import OperatorMessage
from monitor.config import channels as registry
from monitor.config.alerts import AlertsConfig
from monitor.config.model import Settings
from monitor.config.names import unknown_key_reason

BUILT_IN = {"apprise", "email", "file", "webhook"}

# The whole of a new channel kind: its settings, how it builds itself, how it sends.
TALLY_MODULE = """
from __future__ import annotations

from pathlib import Path
from typing import Literal

from monitor.alerts.channels.base import BuildContext, ChannelKind, DeliveryResult
from monitor.alerts.payload import Message


class TallySettings(ChannelKind):
    type: Literal["tally"]
    path: str

    def build(self, context: BuildContext) -> TallyChannel:
        return TallyChannel(self.name, context.base_dir / self.path)


class TallyChannel:
    def __init__(self, name: str, path: Path) -> None:
        self.name, self.path = name, path

    def describe(self) -> str:
        return f"tally {self.path}"

    def send(self, message: Message) -> DeliveryResult:
        with self.path.open("a", encoding="utf-8") as fh:
            fh.write(message.alert_id + "\\n")
        return DeliveryResult.sent()
"""


@pytest.fixture
def tally_kind(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Installs a channel kind the way a package does: a module and an entry point line."""
    site = tmp_path / "site"
    site.mkdir()
    (site / "tally_channel.py").write_text(textwrap.dedent(TALLY_MODULE), encoding="utf-8")
    info = site / "newsmon_tally-1.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: newsmon-tally\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(
        "[newsmon.channels]\ntally = tally_channel:TallySettings\n", encoding="utf-8"
    )
    monkeypatch.syspath_prepend(str(site))
    registry.channel_kinds.cache_clear()
    registry._tagged_union.cache_clear()
    yield
    registry.channel_kinds.cache_clear()
    registry._tagged_union.cache_clear()


def test_every_built_in_kind_is_registered_under_its_own_type() -> None:
    kinds = registry.channel_kinds()
    assert set(kinds) >= BUILT_IN
    for name in BUILT_IN:
        assert issubclass(kinds[name], ChannelKind)
        # The kind overrides build(); the base only says it does not build.
        assert kinds[name].build is not ChannelKind.build, name
    # One registry line per kind, each naming a settings class in monitor/alerts/channels/.
    points = {p.name: p.value for p in entry_points(group=registry.ENTRY_POINT_GROUP)}
    for name in BUILT_IN:
        assert points[name].startswith("monitor.alerts.channels."), points[name]
        module = inspect.getmodule(kinds[name])
        assert module is not None
        declared = [
            cls
            for cls in vars(module).values()
            if inspect.isclass(cls) and issubclass(cls, ChannelKind) and cls is not ChannelKind
        ]
        assert declared == [kinds[name]], f"{module.__name__} holds more than one kind"


def test_a_new_kind_is_configured_and_sends(tally_kind: None, tmp_path: Path) -> None:
    config = AlertsConfig.model_validate(
        {
            "channels": [
                {"type": "tally", "name": "count", "path": "tally.txt"},
                {"type": "file", "name": "log", "path": "alerts.jsonl"},
            ],
            "routes": [{"name": "all", "channels": ["count", "log"]}],
        }
    )
    channels = build_channels(config.channels, tmp_path)
    assert channels["count"].describe() == f"tally {tmp_path / 'tally.txt'}"
    message = OperatorMessage(
        alert_id="newsmon:operator:one",
        source="one",
        state="failing",
        title="t",
        summary="s",
        last_error=None,
        created_at="2026-12-01T00:00:00Z",
    )
    assert channels["count"].send(message).ok
    assert (tmp_path / "tally.txt").read_text(encoding="utf-8") == "newsmon:operator:one\n"


def test_a_new_kind_gets_the_same_checks(tally_kind: None) -> None:
    with pytest.raises(ValidationError) as err:
        Settings.model_validate(
            {"alerts": {"channels": [{"type": "tally", "name": "count", "pth": "x"}]}}
        )
    errors = {e["type"]: e["loc"] for e in err.value.errors()}
    assert errors["missing"][-1] == "path"
    extra = errors["extra_forbidden"]
    assert "did you mean 'path'" in unknown_key_reason(Settings, extra)


def test_an_unknown_type_names_the_installed_kinds() -> None:
    with pytest.raises(ValidationError) as err:
        AlertsConfig.model_validate({"channels": [{"type": "pager", "name": "p"}]})
    message = str(err.value)
    assert "'pager'" in message
    for name in BUILT_IN:
        assert f"'{name}'" in message
