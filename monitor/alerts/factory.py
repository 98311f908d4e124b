"""Building channel objects and the renderer from the validated config."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from monitor.alerts.channels.base import BuildContext, Channel, ChannelKind
from monitor.alerts.render import Renderer
from monitor.config.alerts import AlertsConfig
from monitor.config.channels import ChannelSettings


def build_renderer(config: AlertsConfig, config_dir: Path) -> Renderer:
    """The renderer with the user's templates (``alerts.templates``, relative to the config file).

    Raises ``ValueError`` when the folder is missing or a template in it does not compile.
    """
    if config.templates is None:
        return Renderer()
    folder = Path(config.templates)
    folder = folder if folder.is_absolute() else config_dir / folder
    if not folder.is_dir():
        raise ValueError(f"templates folder {folder} does not exist")
    renderer = Renderer(folder)
    renderer.check()
    return renderer


def build_channel(
    cfg: ChannelSettings, base_dir: Path, renderer: Renderer | None = None
) -> Channel:
    """The channel `cfg` describes; its kind (monitor/alerts/channels/) builds it."""
    if not isinstance(cfg, ChannelKind):
        raise TypeError(f"channel {cfg.name!r}: {type(cfg).__name__} is not a channel kind")
    return cfg.build(BuildContext(base_dir=base_dir, renderer=renderer or Renderer()))


def build_channels(
    configs: Sequence[ChannelSettings], base_dir: Path, *, renderer: Renderer | None = None
) -> dict[str, Channel]:
    return {cfg.name: build_channel(cfg, base_dir, renderer) for cfg in configs}
