"""The demo's store opens in the web page with the config and user the demo writes."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient

from monitor.config.model import load_config
from monitor.store import Store
from monitor.web.app import create_app
from monitor.web.demo import DEMO_USER, write_web_config
from tests.web.helpers import NOW, build_store, csrf_of


def test_the_demo_web_config_serves_the_demo_store_to_the_demo_user(tmp_path: Path) -> None:
    built = build_store(tmp_path)
    demo = load_config(built.config_path)
    path, password = write_web_config(tmp_path, demo)
    config = load_config(path)
    assert config.settings.store.url == built.url
    assert [s.name for s in config.sources] == [s.name for s in demo.sources]
    store = Store(config.settings.store.url)
    client = TestClient(create_app(config, store, clock=lambda: NOW))
    token = csrf_of(client.get("/login").text)
    response = client.post(
        "/login", data={"username": DEMO_USER, "password": password, "csrf": token}
    )
    assert response.status_code == 200 and "demo (admin)" in response.text
    assert 'data-event="' in response.text
    store.dispose()
