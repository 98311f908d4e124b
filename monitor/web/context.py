"""What every request handler shares: the app's state, the signed-in user, page rendering."""

from __future__ import annotations

import functools
import os
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from fastapi import HTTPException, Request
from fastapi.security import HTTPAuthorizationCredentials
from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.responses import Response
from starlette.templating import Jinja2Templates

from monitor.config.model import Config
from monitor.config.web import WebUser
from monitor.detect.lexicon import load_lexicon
from monitor.store import Store
from monitor.web import marks
from monitor.web.auth import LoginLimiter, User, csrf_token, load_users, token_user, users_path
from monitor.web.i18n import LANGUAGES, day_text, moment_text, translate
from monitor.web.queries import Places

HERE = Path(__file__).resolve().parent


class NeedLogin(Exception):
    """No signed-in user: pages redirect to the login page, the API answers 401."""


@dataclass
class WebState:
    config: Config
    store: Store
    places: Places
    limiter: LoginLimiter
    templates: Jinja2Templates
    clock: Callable[[], datetime]
    _users: dict[str, WebUser] = field(default_factory=dict)
    _users_stamp: tuple[float, ...] = ()

    def users(self) -> dict[str, WebUser]:
        """The configured users, read again when `newsmon web add-user` changed the file."""
        path = users_path(self.config)
        try:
            stamp: tuple[float, ...] = (os.stat(path).st_mtime,)
        except OSError:
            stamp = (0.0,)
        if stamp != self._users_stamp:
            self._users = load_users(self.config)
            self._users_stamp = stamp
        return self._users


def build_state(
    config: Config,
    store: Store,
    *,
    clock: Callable[[], datetime],
    monotonic: Callable[[], float] = time.monotonic,
) -> WebState:
    env = Environment(
        loader=FileSystemLoader(HERE / "templates"),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters["mark_terms"] = marks.mark_terms
    env.globals["safe_href"] = marks.safe_href
    web = config.settings.web
    lexicon = load_lexicon([config.path.parent / p for p in config.settings.detect.lexicon_files])
    state = WebState(
        config=config,
        store=store,
        places=Places.from_lexicon(lexicon),
        limiter=LoginLimiter(web.login_attempts, web.login_window_seconds, monotonic),
        templates=Jinja2Templates(env=env),
        clock=clock,
    )
    state.users()  # a broken users file stops `newsmon web` at start, with its path
    return state


@functools.cache
def _places(lexicon_files: tuple[Path, ...]) -> Places:
    # Building the detector's automaton takes a second or two; the web page only needs the
    # gazetteer, and one per set of lexicon files is enough.
    return Places.from_lexicon(load_lexicon(list(lexicon_files)))


def web_state(request: Request) -> WebState:
    state: WebState = request.app.state.web
    return state


def session_user(request: Request) -> User | None:
    state = web_state(request)
    proxy = state.config.settings.web.trusted_proxy
    users = state.users()
    if proxy is not None and request.client and request.client.host in proxy.addresses:
        named = request.headers.get(proxy.header, "").strip()
        if named:
            known = users.get(named)
            return User(named, known.role if known else proxy.role)
    name = request.session.get("user")
    if isinstance(name, str) and (known := users.get(name)) is not None:
        return User(known.name, known.role)
    return None


def page_user(request: Request) -> User:
    user = session_user(request)
    if user is None:
        raise NeedLogin()
    return user


def reader(
    request: Request, credentials: HTTPAuthorizationCredentials | None, *, query_token: bool
) -> User:
    """A user for the API and feeds: a session, a bearer token, or (feeds) `?token=`."""
    user = session_user(request)
    if user is not None:
        return user
    token = credentials.credentials if credentials is not None else None
    if token is None and query_token:
        token = request.query_params.get("token")
    if token:
        state = web_state(request)
        found = token_user(state.store, token, state.clock())
        if found is not None:
            return found
    raise HTTPException(
        status_code=401,
        detail="sign in or send an API token (Authorization: Bearer …)",
        headers={"WWW-Authenticate": "Bearer"},
    )


def lang_of(request: Request) -> str:
    lang = request.session.get("lang")
    return lang if lang in LANGUAGES else "en"


def render(
    request: Request,
    name: str,
    context: dict[str, Any],
    *,
    user: User | None,
    status_code: int = 200,
) -> Response:
    lang = lang_of(request)
    full = {
        "user": user,
        "lang": lang,
        "t": lambda text: translate(lang, text),
        "day": lambda value, weekday=False: day_text(lang, value, weekday=weekday),
        "moment": lambda value: moment_text(lang, value),
        "csrf": csrf_token(request.session),
        "path": request.url.path,
        "here": str(request.url.path) + (f"?{request.url.query}" if request.url.query else ""),
        **context,
    }
    return web_state(request).templates.TemplateResponse(
        request, name, full, status_code=status_code
    )
