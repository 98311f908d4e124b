"""Who may open the web page: sessions, roles, CSRF, login rate limiting, tokens, headers."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select

from monitor.store.review import ApiToken, ReviewAction
from monitor.web.auth import create_token
from tests.cli_helpers import newsmon
from tests.web.helpers import PASSWORD, Built, build_store, csrf_of, event_of, log_in, make_app


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Built:
    return build_store(tmp_path_factory.mktemp("web-access"))


@pytest.fixture
def app_store(built: Built) -> Iterator[tuple[Any, Any]]:
    app, store = make_app(built)
    yield app, store
    store.dispose()


def _page_paths(app: Any, event_id: int) -> list[str]:
    """Every GET route of the app, with its path parameters filled in."""
    from monitor.web import api, pages

    paths = []
    for route in [*pages.router.routes, *api.router.routes, *api.feeds_router.routes]:
        methods = getattr(route, "methods", None) or set()
        path = getattr(route, "path", "")
        if "GET" not in methods or path in ("/login",):
            continue
        paths.append(path.replace("{event_id}", str(event_id)).replace("{name}", "patna-daily"))
    return paths


def test_without_a_session_every_page_but_login_redirects_or_answers_401(
    app_store: tuple[Any, Any], built: Built
) -> None:
    app, _ = app_store
    client = TestClient(app)
    paths = _page_paths(app, event_of(built, 0))
    assert {"/events", "/week", "/articles", "/sources", "/activity", "/api/v1/events"} <= set(
        paths
    )
    for path in paths:
        response = client.get(path, follow_redirects=False)
        if path.startswith(("/api/", "/feeds/")):
            assert response.status_code == 401, path
            assert response.headers["www-authenticate"] == "Bearer"
        else:
            assert response.status_code == 303, path
            assert response.headers["location"].startswith("/login?next="), path
    assert client.get("/login").status_code == 200


def test_login_sets_a_signed_session_and_wrong_passwords_are_refused(
    app_store: tuple[Any, Any],
) -> None:
    app, _ = app_store
    client = TestClient(app)
    assert log_in(client, "rita", "not the password").status_code == 401
    assert log_in(client, "nobody").status_code == 401
    assert client.get("/events", follow_redirects=False).status_code == 303
    response = log_in(client, "rita")
    assert response.status_code == 303 and response.headers["location"] == "/events"
    cookie = response.headers["set-cookie"]
    assert "newsmon_session=" in cookie and "httponly" in cookie.lower()
    assert "samesite=strict" in cookie.lower()
    assert client.get("/events").status_code == 200
    # A cookie whose signature does not match is no session.
    tampered = TestClient(app)
    tampered.cookies.set("newsmon_session", client.cookies["newsmon_session"][:-4] + "AAAA")
    assert tampered.get("/events", follow_redirects=False).status_code == 303


def test_every_form_post_without_a_valid_csrf_token_is_refused(
    app_store: tuple[Any, Any], built: Built
) -> None:
    app, store = app_store
    client = TestClient(app)
    event = event_of(built, 0)
    # Even the login form needs the token of the session that showed it.
    refused = client.post("/login", data={"username": "rita", "password": PASSWORD})
    assert refused.status_code == 403
    log_in(client, "rita")
    posts = {
        f"/events/{event}/confirm": {},
        f"/events/{event}/false-positive": {"reason": "not a party meeting"},
        f"/events/{event}/correct": {"field": "place", "value": "Gaya"},
        f"/events/{event}/merge": {"other": str(event_of(built, 2))},
        f"/events/{event}/move-out": {"detection": "1"},
        "/lang": {"lang": "hi"},
        "/logout": {},
    }
    for path, form in posts.items():
        assert client.post(path, data=form).status_code == 403, path
        assert client.post(path, data={**form, "csrf": "forged"}).status_code == 403, path
    with store.session() as session:
        assert session.scalars(select(ReviewAction)).all() == []
    # The same form with the session's token goes through.
    token = csrf_of(client.get(f"/events/{event}").text)
    done = client.post(f"/events/{event}/confirm", data={"csrf": token}, follow_redirects=False)
    assert done.status_code == 303


def test_a_viewer_sees_no_review_forms_and_cannot_review(
    app_store: tuple[Any, Any], built: Built
) -> None:
    app, store = app_store
    client = TestClient(app)
    log_in(client, "vera")
    event = event_of(built, 1)
    page = client.get(f"/events/{event}").text
    assert 'id="false-positive"' not in page and 'id="merge"' not in page
    token = csrf_of(page)
    for action, form in (
        ("confirm", {}),
        ("false-positive", {"reason": "no"}),
        ("correct", {"field": "party", "value": "BJP"}),
        ("merge", {"other": str(event_of(built, 2))}),
    ):
        response = client.post(f"/events/{event}/{action}", data={"csrf": token, **form})
        assert response.status_code == 403, action
    with store.session() as session:
        assert session.scalars(select(ReviewAction).where(ReviewAction.user == "vera")).all() == []


def test_logins_are_rate_limited_per_address_and_user(built: Built) -> None:
    now = [1000.0]
    app, store = make_app(built, monotonic=lambda: now[0])
    client = TestClient(app)
    for _ in range(5):
        assert log_in(client, "rita", "guess").status_code == 401
    # Blocked now, even with the right password, until the window has passed.
    assert log_in(client, "rita").status_code == 429
    now[0] += 901
    assert log_in(client, "rita").status_code == 303
    store.dispose()


def test_api_tokens_are_stored_hashed_and_answer_the_api(app_store: tuple[Any, Any]) -> None:
    app, store = app_store
    token = create_token(store, "war-room")
    with store.session() as session:
        row = session.scalar(select(ApiToken).where(ApiToken.name == "war-room"))
        assert row is not None and token not in row.token_hash
        assert row.token_hash == hashlib.sha256(token.encode()).hexdigest()
    client = TestClient(app)
    assert client.get("/api/v1/events").status_code == 401
    bad = client.get("/api/v1/events", headers={"Authorization": "Bearer nm_wrong"})
    assert bad.status_code == 401
    ok = client.get("/api/v1/events", headers={"Authorization": f"Bearer {token}"})
    assert ok.status_code == 200 and ok.json()["total"] >= 4
    # Feeds take the token as a parameter, for calendar apps; pages never do.
    assert client.get(f"/feeds/meetings.ics?token={token}").status_code == 200
    page = client.get(f"/events?token={token}", follow_redirects=False)
    assert page.status_code == 303


def test_pages_carry_a_strict_content_security_policy(app_store: tuple[Any, Any]) -> None:
    app, _ = app_store
    client = TestClient(app)
    log_in(client, "vera")
    for path in ("/login", "/events", "/static/app.css", "/api/v1/events"):
        policy = client.get(path).headers["content-security-policy"]
        assert "script-src 'self'" in policy and "default-src 'none'" in policy
        assert "unsafe-inline" not in policy
    page = client.get("/events").text
    assert "<script" not in page and "http://" not in page.split("<body>")[0]


def test_a_trusted_proxy_header_signs_in_only_from_its_addresses(tmp_path: Path) -> None:
    extra = "web:\n  trusted_proxy:\n    header: X-Remote-User\n    addresses: [testclient]\n"
    built = build_store(tmp_path, extra_config=extra)
    app, store = make_app(built)
    client = TestClient(app)
    page = client.get("/events", headers={"X-Remote-User": "rita"}, follow_redirects=False)
    assert page.status_code == 200 and "rita (reviewer)" in page.text
    stranger = client.get("/events", headers={"X-Remote-User": "someone"})
    assert "someone (viewer)" in stranger.text
    store.dispose()
    other = build_store(tmp_path / "b", extra_config=extra.replace("testclient", "10.0.0.1"))
    app, store = make_app(other)
    denied = TestClient(app).get(
        "/events", headers={"X-Remote-User": "rita"}, follow_redirects=False
    )
    assert denied.status_code == 303
    store.dispose()


def test_add_user_stores_an_argon2_hash_and_never_the_password(built: Built) -> None:
    result = newsmon(
        "web",
        "add-user",
        "-c",
        str(built.config_path),
        "meera",
        "--role",
        "reviewer",
        "--password",
        "a long secret",
    )
    assert result.returncode == 0, result.stderr
    users = yaml.safe_load((built.config_path.parent / "web-users.yaml").read_text())["users"]
    meera = next(u for u in users if u["name"] == "meera")
    assert meera["role"] == "reviewer" and meera["password_hash"].startswith("$argon2id$")
    assert "a long secret" not in (built.config_path.parent / "web-users.yaml").read_text()
    short = newsmon("web", "add-user", "-c", str(built.config_path), "x", "--password", "short")
    assert short.returncode == 2 and "at least 8 characters" in short.stderr
