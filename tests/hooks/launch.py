"""Start `newsmon` with test hooks installed: the tests' way into a real daemon or cycle.

usage: python -m tests.hooks.launch [--pause-at POINTS] [--fail-on TITLE] -- NEWSMON ARGS...

`--pause-at` stops the daemon at named points of its cycle (`tests.hooks.pause`); `--fail-on`
makes the detector raise on articles whose title contains TITLE (`tests.hooks.failing`). The
hooks are put in place of `monitor.cycle.Monitor` and `monitor.cycle.load_detector` before the
command line runs, so every monitor and detector the command builds has them; the package
itself has no test switches.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import Any

import monitor.cycle
from monitor.cli import main as newsmon
from monitor.config.model import Config
from monitor.detect import Detector
from tests.hooks.failing import FailingDetector
from tests.hooks.pause import install_pause_points


def pausing_monitor(pause_at: str) -> type[monitor.cycle.Monitor]:
    class PausingMonitor(monitor.cycle.Monitor):
        def __init__(self, config: Config, **parts: Any) -> None:
            super().__init__(config, **parts)
            install_pause_points(self, pause_at)

    return PausingMonitor


def failing_detector(fail_on: str) -> Callable[[Config], Detector]:
    load = monitor.cycle.load_detector

    def load_failing(config: Config) -> Detector:
        return FailingDetector(load(config), fail_on)

    return load_failing


def main(argv: list[str]) -> None:
    parser = argparse.ArgumentParser(prog="python -m tests.hooks.launch")
    parser.add_argument("--pause-at", default="", help="after-crawl,after-detect,...")
    parser.add_argument("--fail-on", default=None, help="raise on titles containing this")
    parser.add_argument("args", nargs=argparse.REMAINDER, help="-- then newsmon's arguments")
    options = parser.parse_args(argv)
    args = options.args[1:] if options.args[:1] == ["--"] else options.args
    if options.pause_at:
        monitor.cycle.Monitor = pausing_monitor(options.pause_at)  # type: ignore[misc]
    if options.fail_on is not None:
        monitor.cycle.load_detector = failing_detector(options.fail_on)
    newsmon.main(args, prog_name="newsmon")


if __name__ == "__main__":
    main(sys.argv[1:])
