"""`newsmon alerts test|list|retry` and user templates, run through the command line."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from sqlalchemy import select

from monitor.alerts.dispatch import Dispatcher
from monitor.alerts.factory import build_channels, build_renderer
from monitor.alerts.policy import AlertPolicy
from monitor.alerts.render import TEMPLATE_NAMES, Renderer
from monitor.cli import main
from monitor.config.alerts import AlertsConfig
from monitor.config.model import load_config
from monitor.demo.receivers import SmtpReceiver, WebhookReceiver
from monitor.store import Store
from monitor.store.models import Alert
from tests.alerts_helpers import Clock, store_report

pytestmark = pytest.mark.timeout(30)


def write_config(tmp_path: Path, channels: str, extra: str = "") -> Path:
    (tmp_path / "sources.yaml").write_text("sources: []\n", encoding="utf-8")
    path = tmp_path / "newsmon.yaml"
    path.write_text(
        f'store: {{url: "sqlite:///{tmp_path / "store.sqlite"}"}}\n'
        f"alerts:\n{extra}  retry: {{max_attempts: 1}}\n  channels:\n{channels}",
        encoding="utf-8",
    )
    return path


def run(*args: str) -> tuple[int, str, str]:
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.stdout, result.stderr


def test_alerts_test_sends_a_sample_and_reports_the_result(tmp_path: Path) -> None:
    with WebhookReceiver() as hook:
        path = write_config(tmp_path, f"    - {{type: webhook, name: hook, url: '{hook.url}'}}\n")
        code, out, _ = run("alerts", "test", "hook", "-c", str(path))
        assert code == 0, out
        assert out.startswith("webhook http://127.0.0.1:") and ": ok (sent)" in out
        [got] = hook.received
        assert got.payload["kind"] == "test"

    code, out, _ = run("alerts", "test", "hook", "-c", str(path))  # the receiver is gone
    assert code == 1 and "FAILED (connection refused)" in out
    code, _, err = run("alerts", "test", "pager", "-c", str(path))
    assert code == 2 and "no channel named 'pager' (channels: hook)" in err


def test_alerts_list_failed_and_retry(tmp_path: Path) -> None:
    path = write_config(
        tmp_path, "    - {type: webhook, name: hook, url: 'http://127.0.0.1:9/h'}\n"
    )
    config = load_config(path, env={})
    alerts = config.settings.alerts
    store = Store(config.settings.store.url, clock=Clock())
    store_report(store, AlertPolicy.from_config(alerts), url="https://news.example/1")
    Dispatcher(store, build_channels(alerts.channels, tmp_path), alerts.retry).dispatch_due()

    code, out, _ = run("alerts", "list", "--failed", "-c", str(path))
    assert code == 0
    header, _rule, row = out.splitlines()
    assert header.split()[:7] == ["id", "event", "channel", "kind", "route", "status", "tries"]
    assert row.split()[:7] == ["1", "evt-1", "hook", "new", "all", "failed", "1"]
    assert "connection refused" in row

    code, out, _ = run("alerts", "retry", "--failed", "-c", str(path))
    assert code == 0 and out.startswith("1 alert(s) queued again")
    with store.session() as s:
        assert s.scalars(select(Alert.status)).one() == "pending"
    code, out, _ = run("alerts", "list", "--failed", "-c", str(path))
    assert out == "no failed alerts\n"
    store.dispose()


def test_user_templates_replace_the_built_in_ones(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "alert_subject.txt").write_text(
        "[war room] {{ m.parties | join('/') }} — {{ short_title }}\n", encoding="utf-8"
    )
    with SmtpReceiver() as smtp:
        channel = (
            f"    - {{type: email, name: mail, host: {smtp.address[0]}, port: {smtp.address[1]},"
            " sender: newsmon@localhost, recipients: [desk@localhost]}\n"
        )
        path = write_config(tmp_path, channel, extra="  templates: templates\n")
        code, out, _ = run("alerts", "test", "mail", "-c", str(path))
        assert code == 0, out
        [mail] = smtp.wait_for(1)
    assert str(mail["Subject"]) == "[war room] — newsmon test alert / परीक्षण सूचना"
    body = mail.get_body(("plain",))
    assert body is not None and "Test alert" in body.get_content()  # not overridden: built-in


def test_a_broken_user_template_stops_with_its_name_and_line(tmp_path: Path) -> None:
    templates = tmp_path / "templates"
    templates.mkdir()
    (templates / "alert.html").write_text("<p>\n{{ m.title }\n</p>\n", encoding="utf-8")
    path = write_config(
        tmp_path, "    - {type: file, name: log, path: a.jsonl}\n", extra="  templates: templates\n"
    )
    code, _, err = run("alerts", "test", "log", "-c", str(path))
    assert code == 2
    assert "alerts.templates: template " in err
    assert "templates/alert.html, line 2: unexpected '}'" in err
    with pytest.raises(ValueError, match="does not exist"):
        build_renderer(AlertsConfig(templates="nowhere"), tmp_path)


def test_every_built_in_template_compiles() -> None:
    Renderer().check()
    assert len(TEMPLATE_NAMES) == 12
