"""A store that cannot be used stops `newsmon run` and `crawl --once` in one line, no
traceback, with the exit status the README documents: 1 for a database server that does not
answer (the unit retries), 73 for a store that cannot be written, 74 for a full disk."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from monitor.store import Store
from tests.cli_helpers import newsmon
from tests.commands.test_cli_errors import closed_port, one_line_error, write_config
from tests.conftest import IN_CI

COMMANDS = (["run"], ["crawl", "--once"])


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A 2 MiB tmpfs, unmounted afterwards."""
    if os.geteuid() != 0:
        reason = "mounting a small tmpfs needs root"
        if IN_CI:
            pytest.fail(f"{reason}; CI runs as root and must run this test")
        pytest.skip(reason)
    disk = tmp_path / "disk"
    disk.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=2m", "tmpfs", str(disk)], check=True)
    try:
        yield disk
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=True)


def fill(disk: Path) -> None:
    """Write until the file system has no byte left."""
    with (disk / "filler").open("wb") as out:
        try:
            while True:
                out.write(b"\0" * 65536)
                out.flush()
        except OSError:
            pass


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_postgresql_down_at_start_is_one_line_and_status_1(
    tmp_path: Path, command: list[str]
) -> None:
    url = f"postgresql://newsmon:s3cret@127.0.0.1:{closed_port()}/x"
    config = str(write_config(tmp_path, url))
    line = one_line_error(newsmon(*command, "--config", config), 1, "cannot take the store")
    assert "s3cret" not in line and "connection" in line.lower()


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_read_only_store_folder_is_one_line_and_status_73(
    tmp_path: Path, small_disk: Path, command: list[str]
) -> None:
    folder = small_disk / "store"
    folder.mkdir()
    url = f"sqlite:///{folder / 'newsmon.sqlite'}"
    Store(url).dispose()  # a store that worked, on a file system that then turned read-only
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    config = str(write_config(tmp_path, url))
    one_line_error(newsmon(*command, "--config", config), 73, "cannot write", "Read-only")


def test_a_store_folder_without_write_permission_is_status_73(tmp_path: Path) -> None:
    if os.geteuid() == 0:
        pytest.skip("root writes into any folder; the read-only file system case covers it")
    folder = tmp_path / "store"
    folder.mkdir()
    folder.chmod(0o555)
    config = str(write_config(tmp_path, f"sqlite:///{folder / 'newsmon.sqlite'}"))
    one_line_error(newsmon("run", "--config", config), 73, "cannot write")


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_full_disk_is_one_line_and_status_74(
    tmp_path: Path, small_disk: Path, command: list[str]
) -> None:
    url = f"sqlite:///{small_disk / 'newsmon.sqlite'}"
    fill(small_disk)
    config = str(write_config(tmp_path, url))
    one_line_error(newsmon(*command, "--config", config), 74, "the disk is full")


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_a_disk_that_fills_up_under_a_working_store_is_status_74(
    tmp_path: Path, small_disk: Path, command: list[str]
) -> None:
    url = f"sqlite:///{small_disk / 'newsmon.sqlite'}"
    config = str(write_config(tmp_path, url))
    first = newsmon("crawl", "--once", "--config", config)
    assert first.returncode == 0, first.stderr
    fill(small_disk)
    one_line_error(newsmon(*command, "--config", config), 74, "the disk is full")


def test_the_unit_does_not_restart_on_permanent_statuses() -> None:
    unit = (Path(__file__).resolve().parents[2] / "deploy" / "newsmon.service").read_text()
    prevent = [line for line in unit.splitlines() if line.startswith("RestartPreventExitStatus=")]
    assert prevent == ["RestartPreventExitStatus=2 73 74"]
    assert "Restart=on-failure" in unit.splitlines()
