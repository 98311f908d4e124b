from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from monitor.config.model import load_config
from monitor.errors import ConfigError
from tests.cli_helpers import newsmon

ROOT = Path(__file__).resolve().parents[2]


def write(tmp_path: Path, main: str, sources: str = "sources: []\n") -> Path:
    (tmp_path / "sources.yaml").write_text(sources, encoding="utf-8")
    path = tmp_path / "newsmon.yaml"
    path.write_text(main, encoding="utf-8")
    return path


def test_shipped_config_is_valid() -> None:
    config = load_config(ROOT / "config" / "newsmon.yaml", env={})
    assert config.settings.store.url == f"sqlite:///{ROOT / 'var' / 'newsmon.sqlite'}"
    assert len(config.sources) >= 2
    assert {c.name for c in config.settings.alerts.channels} == {"audit-log"}


def test_env_references_are_expanded(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        """
alerts:
  channels:
    - {name: hook, type: webhook, url: "${HOOK_URL}", secret: "${HOOK_SECRET}"}
store: {url: "${DB:-sqlite:///x.sqlite}"}
""",
    )
    config = load_config(path, env={"HOOK_URL": "https://example.org/h", "HOOK_SECRET": "s3"})
    hook = config.settings.alerts.channels[0]
    assert hook.type == "webhook" and hook.url == "https://example.org/h" and hook.secret == "s3"
    assert config.settings.store.url == f"sqlite:///{tmp_path.resolve() / 'x.sqlite'}"


def test_missing_env_names_the_key(tmp_path: Path) -> None:
    path = write(tmp_path, "alerts:\n  channels:\n    - {name: h, type: webhook, url: '${NOPE}'}\n")
    with pytest.raises(ConfigError) as err:
        load_config(path, env={})
    assert err.value.key_path == "alerts.channels[0].url"
    assert "NOPE" in str(err.value)


@pytest.mark.parametrize(
    ("main", "key", "words"),
    [
        ("schedule:\n  crawl_every_minutes: -1\n", "schedule.crawl_every_minutes", "greater than"),
        ("crawl:\n  dowload_delay: 1\n", "crawl.dowload_delay", "did you mean 'download_delay'"),
        (
            "alerts:\n  channels:\n    - {name: m, type: email, host: h, sender: a@b}\n",
            "alerts.channels[0].recipients",
            "required",
        ),
        ("alerts:\n  channels:\n    - {name: x, type: pigeon}\n", "alerts.channels[0]", "pigeon"),
        (
            "alerts:\n  channels:\n    - {name: w, type: webhook, url: ftp://x}\n",
            "alerts.channels[0].url",
            "http",
        ),
        ("schedule:\n  timezone: Mars/Olympus\n", "schedule.timezone", "unknown time zone"),
        ("store:\n  url: 'foo://bar'\n", "store.url", "unknown database kind 'foo'"),
        ("store:\n  url: 'p4ss:word'\n", "store.url", "not a database URL"),
        ("health:\n  listen: [9464]\n", "health.listen", "host:port"),
    ],
)
def test_invalid_values_name_the_key_path(tmp_path: Path, main: str, key: str, words: str) -> None:
    path = write(tmp_path, main)
    with pytest.raises(ConfigError) as err:
        load_config(path, env={})
    assert err.value.key_path == key
    assert words in str(err.value)
    assert str(path) in str(err.value)


def test_invalid_source_names_the_sources_file(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "{}\n",
        "sources:\n  - name: a\n    feeds: [http://x/f]\n  - name: a\n    feeds: [http://x/g]\n",
    )
    with pytest.raises(ConfigError) as err:
        load_config(path, env={})
    assert "sources.yaml" in err.value.file and "used twice" in err.value.reason


def test_broken_yaml_gives_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "store:\n  url: [unclosed\n")
    with pytest.raises(ConfigError) as err:
        load_config(path, env={})
    assert err.value.key_path.startswith("line ")


def test_cli_config_check_exits_2_with_key_path(tmp_path: Path) -> None:
    path = write(tmp_path, "crawl:\n  concurrency_per_domain: 0\n")
    result = newsmon("config", "check", "--config", str(path), timeout=60)
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1
    assert "crawl.concurrency_per_domain" in lines[0] and str(path) in lines[0]


def test_cli_config_check_ok(tmp_path: Path) -> None:
    result = newsmon("config", "check", timeout=60)
    assert result.returncode == 0, result.stderr
    assert "ok" in result.stdout


def test_a_bad_database_url_is_not_echoed(tmp_path: Path) -> None:
    # It may carry a password.
    path = write(tmp_path, "store:\n  url: 'postgresql+nodriver://u:s3cret@db/x'\n")
    with pytest.raises(ConfigError) as err:
        load_config(path, env={})
    assert err.value.key_path == "store.url" and "s3cret" not in str(err.value)


def test_a_bare_health_port_binds_loopback(tmp_path: Path) -> None:
    config = load_config(write(tmp_path, "health:\n  listen: 9464\n"), env={})
    assert config.settings.health.address == ("127.0.0.1", 9464)


def check(path: Path) -> subprocess.CompletedProcess[str]:
    return newsmon("config", "check", "--config", str(path), timeout=60)


def test_cli_config_check_loads_the_lexicon_files(tmp_path: Path) -> None:
    result = check(write(tmp_path, "detect:\n  lexicon_files: [local-parties.yaml]\n"))
    assert result.returncode == 2
    assert "detect.lexicon_files" in result.stderr and "local-parties.yaml" in result.stderr
    (tmp_path / "local-parties.yaml").write_text("parties: [not, a, mapping]\n", encoding="utf-8")
    result = check(tmp_path / "newsmon.yaml")
    assert result.returncode == 2 and "detect.lexicon_files" in result.stderr


def test_cli_config_check_warns_when_nothing_would_be_sent(tmp_path: Path) -> None:
    result = check(write(tmp_path, "{}\n"))
    assert result.returncode == 0, result.stderr
    assert "alerts.channels is empty" in result.stderr
    with_channel = "alerts:\n  channels:\n    - {name: f, type: file, path: a.jsonl}\n"
    result = check(write(tmp_path, with_channel))
    assert result.returncode == 0 and "empty" not in result.stderr


@pytest.mark.parametrize(
    ("source", "key", "words"),
    [
        (
            "{name: a, listings: [{url: 'https://x.example/', article_pattern: '([a-z'}]}",
            "sources[0].listings[0].article_pattern",
            "regular expression",
        ),
        (
            "{name: a, listings: [{url: 'https://x.example/', article_pattern: '/n/',"
            " next_pattern: '*page'}]}",
            "sources[0].listings[0].next_pattern",
            "regular expression",
        ),
        (
            "{name: a, listings: [{url: 'ftp://x.example/', article_pattern: '/n/'}]}",
            "sources[0].listings[0].url",
            "http",
        ),
        ("{name: a, feeds: ['https://x.example/rss feed.xml']}", "sources[0].feeds[0]", "space"),
        ("{name: a, sitemaps: ['sitemap.xml']}", "sources[0].sitemaps[0]", "http"),
    ],
)
def test_a_source_that_cannot_be_crawled_is_a_config_error(
    tmp_path: Path, source: str, key: str, words: str
) -> None:
    path = write(tmp_path, "{}\n", f"sources:\n  - {source}\n")
    with pytest.raises(ConfigError) as err:
        load_config(path, env={})
    assert "sources.yaml" in err.value.file
    assert err.value.key_path == key
    assert words in err.value.reason


def test_config_check_warns_of_a_url_under_two_sources(tmp_path: Path) -> None:
    sources = (
        "sources:\n  - name: a\n    feeds: ['https://x.example/rss?utm_source=a']\n"
        "  - name: b\n    feeds: ['https://X.example/rss']\n"
        "  - name: c\n    feeds: ['https://x.example/other']\n"
    )
    done = check(
        write(tmp_path, "alerts: {channels: [{name: f, type: file, path: a.jsonl}]}\n", sources)
    )
    assert done.returncode == 0, done.stderr
    warnings = [line for line in done.stderr.splitlines() if "warning" in line]
    assert warnings == [
        f"{tmp_path / 'sources.yaml'}: warning: sources 'a' and 'b' both list https://x.example/rss"
    ]


def test_allowed_addresses_must_be_host_port(tmp_path: Path) -> None:
    sources = "sources:\n  - name: a\n    feeds: [http://x/f]\n    allowed_addresses: [x.example]\n"
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, "{}\n", sources), env={})
    assert err.value.key_path == "sources[0].allowed_addresses[0]"
    assert "host:port" in err.value.reason
