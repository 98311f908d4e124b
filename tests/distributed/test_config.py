"""The `distributed:` section: checked at load time, and the default never loads Celery."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from monitor.config.model import load_config
from monitor.errors import ConfigError
from tests.cli_helpers import ROOT


def _config(tmp: Path, store: str, distributed: dict[str, object]) -> Path:
    (tmp / "sources.yaml").write_text("sources: []\n")
    path = tmp / "newsmon.yaml"
    path.write_text(yaml.safe_dump({"store": {"url": store}, "distributed": distributed}))
    return path


def test_celery_needs_postgresql(tmp_path: Path) -> None:
    path = _config(tmp_path, "sqlite:///x.sqlite", {"executor": "celery"})
    with pytest.raises(ConfigError, match=r"celery needs a PostgreSQL store\.url"):
        load_config(path)


def test_visibility_timeout_must_exceed_the_crawl_limit(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        "postgresql://u@127.0.0.1/db",
        {"executor": "celery", "visibility_timeout_seconds": 60, "crawl_time_limit_seconds": 60},
    )
    with pytest.raises(ConfigError, match="distributed: visibility_timeout_seconds must be above"):
        load_config(path)


def test_broker_url_comes_from_the_environment(tmp_path: Path) -> None:
    path = _config(
        tmp_path,
        "postgresql://u@127.0.0.1/db",
        {"executor": "celery", "broker_url": "${BROKER}"},
    )
    config = load_config(path, env={"BROKER": "redis://10.0.0.5:6379/3"})
    assert config.settings.distributed.broker_url == "redis://10.0.0.5:6379/3"
    assert config.settings.distributed.celery


def test_the_default_is_one_process_without_celery(tmp_path: Path) -> None:
    path = _config(tmp_path, "sqlite:///x.sqlite", {})
    assert load_config(path).settings.distributed.executor == "inprocess"
    probe = (
        "import sys, monitor.cli, monitor.ops.daemon, monitor.cycle;"
        "assert 'celery' not in sys.modules and 'kombu' not in sys.modules"
    )
    subprocess.run([sys.executable, "-c", probe], check=True, cwd=ROOT, timeout=120)


def test_worker_refuses_an_inprocess_config(tmp_path: Path) -> None:
    path = _config(tmp_path, "sqlite:///x.sqlite", {})
    done = subprocess.run(
        [sys.executable, "-m", "monitor", "worker", "--config", str(path)],
        capture_output=True, text=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    assert done.returncode == 2
    assert "distributed.executor is 'inprocess'; set it to celery" in done.stderr
