"""`newsmon sources check` against the authored regional site on 127.0.0.1."""

from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import yaml

from monitor.commands.sources import check_sources
from monitor.demo.server import LocalSite
from tests.sites import regional

ROOT = Path(__file__).resolve().parents[2]


def _config(tmp: Path, base: str, extra: list[dict[str, object]] | None = None) -> Path:
    sources = regional.sources_config(base) + (extra or [])
    (tmp / "sources.yaml").write_text(yaml.safe_dump({"sources": sources}), encoding="utf-8")
    path = tmp / "newsmon.yaml"
    path.write_text(
        yaml.safe_dump({"store": {"url": f"sqlite:///{tmp / 's.sqlite'}"}}), encoding="utf-8"
    )
    return path


def _line(report: str, name: str) -> str:
    return next(line for line in report.splitlines() if f" {name}  " in line)


def test_each_source_reported_with_counts_and_newest_date(tmp_path: Path) -> None:
    blocked = {"name": "blocked", "feeds": ["$base/private/feed.xml"]}
    with LocalSite() as site:
        regional.publish(site)
        blocked["feeds"] = [site.base_url + "/private/feed.xml"]
        out = io.StringIO()
        ok = check_sources(_config(tmp_path, site.base_url, [blocked]), [], out)
        fetched = [r.path for r in site.requests]
    report = out.getvalue()
    assert not ok
    prabhat = _line(report, "prabhat")
    # Four feed entries; the date is the newest of them.
    assert prabhat.startswith("OK ") and "4 article URLs" in prabhat and "UTC (3 h ago)" in prabhat
    bhaskar = _line(report, "bhaskar")
    assert bhaskar.startswith("OK ") and "3 article URLs" in bhaskar
    # The listing's first page: links matching the article pattern (an AMP copy among them).
    lagatar = _line(report, "lagatar")
    assert lagatar.startswith("OK ") and "4 article URLs" in lagatar and "no dates" in lagatar
    assert _line(report, "down").startswith("FAIL ")
    assert "/down/rss.xml  FAILED: HTTP 500" in report
    assert _line(report, "blocked").startswith("FAIL ")
    assert "FAILED: disallowed by robots.txt" in report
    assert report.splitlines()[-1] == "6 sources checked, 2 with failures"
    # No article page is fetched, and robots.txt once for the host.
    assert not [p for p in fetched if p.endswith(".html") or p.endswith("-301/")]
    assert fetched.count("/robots.txt") == 1


def test_cli_exit_status(tmp_path: Path) -> None:
    with LocalSite() as site:
        regional.publish(site)
        config = _config(tmp_path, site.base_url)

        def run(*names: str) -> subprocess.CompletedProcess[str]:
            args = [arg for name in names for arg in ("--source", name)]
            return subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "monitor",
                    "sources",
                    "check",
                    "--config",
                    str(config),
                    *args,
                ],
                capture_output=True,
                text=True,
                cwd=ROOT,
                timeout=60,
                check=False,
            )

        good, bad = run("prabhat", "etv"), run("down")
    assert good.returncode == 0, good.stderr
    assert good.stdout.splitlines()[-1] == "2 sources checked, 0 with failures"
    assert bad.returncode == 1 and bad.stdout.startswith("FAIL  down")
