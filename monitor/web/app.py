"""`newsmon web`: the FastAPI app over the store, and the server that runs it.

Server-rendered pages with every asset served from here (desks work on closed networks),
a Content-Security-Policy that allows no inline script and nothing from elsewhere, signed
session cookies and CSRF tokens on every form.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any

from fastapi import FastAPI, HTTPException, Request
from fastapi.exceptions import RequestValidationError
from fastapi.staticfiles import StaticFiles
from sqlalchemy import Engine
from sqlalchemy import event as sa_event
from starlette.middleware.sessions import SessionMiddleware
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response

from monitor.config.model import Config
from monitor.store import Store, utcnow
from monitor.web import api, pages
from monitor.web.auth import session_secret
from monitor.web.context import HERE, NeedLogin, build_state, render, session_user
from monitor.web.queries import BadFilter, NotFound

log = logging.getLogger(__name__)

CSP = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "font-src 'self'; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
SECURITY_HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    # Opening an original article must not tell the outlet which desk page linked it.
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def create_app(
    config: Config,
    store: Store,
    *,
    clock: Callable[[], datetime] = utcnow,
    monotonic: Callable[[], float] = time.monotonic,
) -> FastAPI:
    app = FastAPI(
        title="newsmon",
        version="1",
        description="Read-only API over the events, articles and sources newsmon stored.",
        docs_url=None,  # the bundled docs pages load scripts from a CDN
        redoc_url=None,
        openapi_url=None,  # served behind authentication by monitor.web.api
    )
    app.state.web = build_state(config, store, clock=clock, monotonic=monotonic)
    if store.engine.dialect.name == "postgresql":
        _without_jit(store.engine)
    web = config.settings.web

    @app.middleware("http")
    async def security_headers(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        start = time.perf_counter()
        response = await call_next(request)
        # How long the server took (routing, queries, rendering): the figure the speed
        # benchmark reads, and browsers' developer tools show.
        elapsed = (time.perf_counter() - start) * 1000
        response.headers["Server-Timing"] = f"app;dur={elapsed:.1f}"
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if request.url.path.startswith(("/api/", "/feeds/")) or response.status_code >= 300:
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    app.add_middleware(
        SessionMiddleware,
        secret_key=session_secret(config, store),
        session_cookie="newsmon_session",
        max_age=web.session_hours * 3600,
        same_site="strict",
        https_only=web.secure_cookies,
    )
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    app.include_router(pages.router)
    app.include_router(api.router)
    app.include_router(api.feeds_router)

    def wants_page(request: Request) -> bool:
        return not request.url.path.startswith(("/api/", "/feeds/"))

    @app.exception_handler(NeedLogin)
    async def need_login(request: Request, exc: NeedLogin) -> Response:
        target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
        from urllib.parse import urlencode

        return RedirectResponse("/login?" + urlencode({"next": target}), status_code=303)

    def problem(request: Request, status: int, message: str) -> Response:
        if wants_page(request):
            user = session_user(request)
            return render(
                request,
                "error.html",
                {"status": status, "message": message},
                user=user,
                status_code=status,
            )
        return JSONResponse({"detail": message}, status_code=status)

    @app.exception_handler(BadFilter)
    async def bad_filter(request: Request, exc: BadFilter) -> Response:
        return problem(request, 400, str(exc))

    @app.exception_handler(NotFound)
    async def not_found(request: Request, exc: NotFound) -> Response:
        return problem(request, 404, str(exc.args[0]) if exc.args else "not found")

    @app.exception_handler(HTTPException)
    async def http_error(request: Request, exc: HTTPException) -> Response:
        if exc.status_code == 401:
            return JSONResponse(
                {"detail": exc.detail}, status_code=401, headers=exc.headers or None
            )
        if exc.status_code == 403 and wants_page(request):
            return PlainTextResponse(f"403 Forbidden: {exc.detail}", status_code=403)
        return problem(request, exc.status_code, str(exc.detail))

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> Response:
        first = exc.errors()[0] if exc.errors() else {}
        where = ".".join(str(p) for p in first.get("loc", ()))
        return problem(request, 400, f"{where}: {first.get('msg', 'invalid')}")

    return app


def _without_jit(engine: Engine) -> None:
    """Turn off PostgreSQL's compiling of queries to machine code on the page's connections.

    It starts once a plan's estimated cost passes `jit_above_cost`, which the counts and the
    text filter pass at 100,000 events, and compiling took longer (about 45 ms) than it saved
    on queries that run for a few hundred milliseconds at most.
    """

    @sa_event.listens_for(engine, "connect")
    def no_jit(connection: Any, _record: Any) -> None:
        with connection.cursor() as cursor:
            cursor.execute("SET jit = off")
        connection.commit()  # a SET in a transaction rolled back later would be undone

    engine.dispose()  # the connections opened before (migration) do not have it


def serve(config: Config, host: str | None = None, port: int | None = None) -> None:
    """Run the app with uvicorn until interrupted."""
    import uvicorn

    from monitor.config.web import host_port

    store = Store(config.settings.store.url)
    app = create_app(config, store)
    default_host, default_port = host_port(config.settings.web.listen)
    host, port = host or default_host, port or default_port
    log.info("serving the web page on http://%s:%d/ from %s", host, port, store.redacted_url())
    try:
        # log_config=None: logging is the command line's to configure.
        uvicorn.run(app, host=host, port=port, log_config=None, access_log=False)
    finally:
        store.dispose()
