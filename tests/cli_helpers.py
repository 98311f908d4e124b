"""Running the `newsmon` command line from tests, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def newsmon(
    *args: str,
    env: Mapping[str, str] | None = None,
    hooks: Sequence[str] = (),
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """`python -m monitor ARGS` from the project folder, output captured as text.

    `env` is added to the test's environment; `hooks` are options of `tests.hooks.launch`
    (e.g. ``["--fail-on", "title"]``), which then runs the command with those hooks installed.
    """
    start = ["-m", "tests.hooks.launch", *hooks, "--"] if hooks else ["-m", "monitor"]
    return subprocess.run(
        [sys.executable, *start, *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=timeout,
        env={**os.environ, **(env or {})},
    )
