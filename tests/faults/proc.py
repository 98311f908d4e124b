"""The daemon as a child process whose log lines the test reads as they come."""

from __future__ import annotations

import os
import queue
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Bounds a wait for a log line; a healthy run logs it in a few seconds.
LINE_TIMEOUT = 120.0


class DaemonProcess:
    """`newsmon -v run` (`newsmon run` with verbose=False) with its stderr in a queue.

    `hooks` are options of `tests.hooks.launch` (e.g. ``["--pause-at", "after-crawl"]``), which
    then starts it."""

    def __init__(
        self,
        config: Path,
        *,
        env: dict[str, str] | None = None,
        hooks: Sequence[str] = (),
        verbose: bool = True,
    ) -> None:
        newsmon = [*(["-v"] if verbose else []), "run", "--config", str(config)]
        if hooks:
            args = ["-m", "tests.hooks.launch", *hooks, "--", *newsmon]
        else:
            args = ["-m", "monitor", *newsmon]
        self.proc = subprocess.Popen(
            [sys.executable, *args],
            cwd=ROOT,
            stderr=subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            text=True,
            env={**os.environ, **(env or {})},
        )
        self.lines: list[str] = []
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        return self.proc.pid

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self._queue.put(line)
        self._queue.put(None)

    def read_until(self, needle: str, timeout: float = LINE_TIMEOUT) -> list[str]:
        """Log lines up to the first that contains `needle`; fails if the process ends first."""
        seen: list[str] = []
        while True:
            try:
                line = self._queue.get(timeout=timeout)
            except queue.Empty:
                raise AssertionError(
                    f"{needle!r} not logged within {timeout}s:\n{''.join(self.lines[-40:])}"
                ) from None
            if line is None:
                self._queue.put(None)  # later readers see the end too
                raise AssertionError(
                    f"daemon ended before logging {needle!r}:\n{''.join(self.lines[-40:])}"
                )
            self.lines.append(line)
            seen.append(line)
            if needle in line:
                return seen

    def signal(self, signo: signal.Signals) -> None:
        self.proc.send_signal(signo)

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is flushed."""
        self.proc.kill()
        self.proc.wait(timeout=30)

    def wait(self, timeout: float = 60) -> int:
        code = self.proc.wait(timeout=timeout)
        self._reader.join(timeout=10)
        while True:
            try:
                line = self._queue.get_nowait()
            except queue.Empty:
                break
            if line is not None:
                self.lines.append(line)
        return code

    def peak_rss_mb(self) -> float:
        """The process's peak resident memory so far (VmHWM), in MiB."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
        raise AssertionError("no VmHWM in /proc status")

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait()

    def __enter__(self) -> DaemonProcess:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
