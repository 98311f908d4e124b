"""A config for opening the demo's store in the web page, with a demo user."""

from __future__ import annotations

import secrets
from pathlib import Path

import yaml

from monitor.config.model import Config
from monitor.web.auth import add_user, users_path

DEMO_USER = "demo"


def write_web_config(workdir: Path, demo: Config) -> tuple[Path, str]:
    """`web.yaml` (the demo's store and sources) and a users file with an admin `demo`
    whose fresh password is returned; the demo's alert channels are left out."""
    config_path = workdir / "web.yaml"
    sources_path = workdir / "web-sources.yaml"
    sources = [
        s.model_dump(mode="json", exclude_defaults=True, exclude_none=True) for s in demo.sources
    ]
    sources_path.write_text(
        yaml.safe_dump({"sources": sources}, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    config_path.write_text(
        yaml.safe_dump(
            {
                "store": {"url": demo.settings.store.url},
                "sources_file": sources_path.name,
                "web": {"users_file": "web-users.yaml"},
            },
            sort_keys=False,
        ),
        encoding="utf-8",
    )
    from monitor.config.model import load_config

    config = load_config(config_path)
    password = secrets.token_urlsafe(12)
    users_path(config).unlink(missing_ok=True)
    add_user(config, DEMO_USER, "admin", password)
    return config_path, password
