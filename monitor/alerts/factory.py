"""Building channel objects and the renderer from the validated config."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from monitor.alerts.channels.base import Channel
from monitor.alerts.render import Renderer
from monitor.config.alerts import (
    AlertsConfig,
    AppriseChannelConfig,
    ChannelConfig,
    EmailChannelConfig,
    FileChannelConfig,
    WebhookChannelConfig,
)


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


def build_channel(cfg: ChannelConfig, base_dir: Path, renderer: Renderer | None = None) -> Channel:
    if isinstance(cfg, WebhookChannelConfig):
        from monitor.alerts.channels.webhook import WebhookChannel

        return WebhookChannel(
            cfg.name, cfg.url, cfg.secret, timeout=cfg.timeout, headers=cfg.headers
        )
    if isinstance(cfg, EmailChannelConfig):
        from monitor.alerts.channels.email import EmailChannel

        return EmailChannel(
            cfg.name,
            cfg.host,
            cfg.port,
            cfg.sender,
            cfg.recipients,
            username=cfg.username,
            password=cfg.password,
            security=cfg.security,
            timeout=cfg.timeout,
            renderer=(renderer or Renderer()).in_language(cfg.language),
        )
    if isinstance(cfg, FileChannelConfig):
        from monitor.alerts.channels.file import FileChannel

        path = Path(cfg.path)
        return FileChannel(cfg.name, path if path.is_absolute() else base_dir / path)
    if isinstance(cfg, AppriseChannelConfig):
        from monitor.alerts.channels.apprise_channel import AppriseChannel

        return AppriseChannel(
            cfg.name, cfg.urls, renderer=(renderer or Renderer()).in_language(cfg.language)
        )
    raise TypeError(f"unknown channel config {type(cfg).__name__}")


def build_channels(
    configs: Sequence[ChannelConfig], base_dir: Path, *, renderer: Renderer | None = None
) -> dict[str, Channel]:
    return {cfg.name: build_channel(cfg, base_dir, renderer) for cfg in configs}
