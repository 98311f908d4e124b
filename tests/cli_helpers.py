"""Running the `newsmon` command line from tests, as a user would."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def newsmon(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -m monitor ARGS` from the project folder, output captured as text."""
    return subprocess.run(
        [sys.executable, "-m", "monitor", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=120,
    )
