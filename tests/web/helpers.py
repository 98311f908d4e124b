"""A small store for the web tests: articles written for these tests, run through the real
detector and event grouping, plus the sources they came from."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml
from sqlalchemy import select

from monitor.alerts.policy import AlertPolicy
from monitor.detect import Detector
from monitor.events.intake import detect_pending
from monitor.store import Store
from monitor.store.articles import content_hash
from monitor.store.models import Article, Detection, Source

NOW = datetime(2026, 12, 3, 6, 30, tzinfo=UTC)  # noon in India, a Thursday
XSS_TITLE = (
    'BJP workers meeting in Lucknow <script>window.__xss = "title"</script>'
    "<img src=x onerror=\"window.__xss = 'img'\">"
)

# (source, lang, published, title, text, url)
ARTICLES: list[tuple[str, str, str, str, str, str]] = [
    (
        "patna-daily",
        "en",
        "2026-12-01T10:00:00+05:30",
        "BJP holds district working committee meeting in Patna",
        "The Bharatiya Janata Party held a meeting of its district working committee in Patna "
        "on Monday. Office-bearers from every block attended the meeting and the party asked "
        "workers to start preparing for the coming Vidhan Sabha election. Booth committees "
        "will be formed in every ward, the district president said after the meeting.",
        "https://patna-daily.example/bjp-committee-meeting",
    ),
    (
        "ranchi-samachar",
        "hi",
        "2026-12-02T09:00:00+05:30",
        "झामुमो की जिला समिति की बैठक शनिवार को रांची में होगी",
        "झारखंड मुक्ति मोर्चा की जिला समिति की बैठक पांच दिसंबर को रांची में होगी। बैठक में "
        "सभी प्रखंड अध्यक्ष और सचिव शामिल होंगे। पार्टी ने कार्यकर्ताओं से चुनाव की तैयारी में "
        "जुटने को कहा है। बैठक में बूथ समितियों के गठन पर चर्चा होगी।",
        "https://ranchi-samachar.example/jmm-baithak",
    ),
    (
        "jaipur-times",
        "en",
        "2026-12-01T18:00:00+05:30",
        "Congress holds online meeting of booth coordinators in Jaipur",
        "The Congress held an online meeting of its booth coordinators in Jaipur on Monday to "
        "prepare for the municipal elections. The state president told party workers that "
        "booth committees must be ready within a month.",
        "https://jaipur-times.example/congress-online-meeting",
    ),
    (
        "jodhpur-khabar",
        "hi",
        "2026-11-26T12:00:00+05:30",
        "कांग्रेस कार्यकर्ताओं की बैठक जोधपुर में हुई",
        "कांग्रेस ने बुधवार को जोधपुर में कार्यकर्ताओं की बैठक की। बैठक में नगर निकाय चुनाव की "
        "तैयारी पर चर्चा हुई और बूथ स्तर पर समितियां बनाने का निर्णय लिया गया।",
        "https://jodhpur-khabar.example/congress-baithak",
    ),
    (
        "lucknow-news",
        "en",
        "2026-12-02T11:00:00+05:30",
        XSS_TITLE,
        "The BJP held a meeting of its workers in Lucknow on Tuesday. <script>window.__xss = "
        '"text"</script> Party office-bearers <img src=x onerror="window.__xss=\'text-img\'"> '
        'discussed preparations for the coming election. <a href="javascript:window.__xss='
        "'link'\">read more</a>",
        "javascript:window.__xss='url'",
    ),
    (
        "ranchi-samachar",
        "hi",
        "2026-12-02T15:00:00+05:30",
        "रांची में तेज बारिश से जलभराव",
        "रांची में मंगलवार को तेज बारिश हुई जिससे कई इलाकों में जलभराव हो गया। नगर निगम ने "
        "पंप लगाकर पानी निकाला।",
        "https://ranchi-samachar.example/barish",
    ),
]

SOURCES = [
    ("patna-daily", "en", "Bihar"),
    ("ranchi-samachar", "hi", "Jharkhand"),
    ("jaipur-times", "en", "Rajasthan"),
    ("jodhpur-khabar", "hi", "Rajasthan"),
    ("lucknow-news", "en", "Uttar Pradesh"),
]


@dataclass(frozen=True)
class Built:
    url: str
    config_path: Path
    events: dict[str, int]  # article url → event id


def write_config(folder: Path, store_url: str, extra: str = "") -> Path:
    config = folder / "config"
    config.mkdir(parents=True, exist_ok=True)
    sources = "\n".join(
        f'  - name: {name}\n    feeds: ["https://{name}.example/feed.xml"]\n'
        f"    lang: {lang}\n    region: {region}"
        for name, lang, region in SOURCES
    )
    (config / "sources.yaml").write_text(f"sources:\n{sources}\n", encoding="utf-8")
    path = config / "newsmon.yaml"
    path.write_text(f"store:\n  url: {store_url}\n{extra}", encoding="utf-8")
    return path


def build_store(folder: Path, store_url: str | None = None, extra_config: str = "") -> Built:
    url = store_url or f"sqlite:///{folder / 'store.sqlite'}"
    store = Store(url, clock=lambda: NOW)
    with store.session() as session:
        for name, lang, region in SOURCES:
            session.add(Source(name=name, lang=lang, region=region, created_at=NOW))
        for i, (source, lang, published, title, text, link) in enumerate(ARTICLES):
            session.add(
                Article(
                    source=source,
                    url=link,
                    canonical_url=f"https://canonical.example/{i}",
                    title=title,
                    text=text,
                    published=datetime.fromisoformat(published),
                    lang=lang,
                    content_hash=content_hash(title, text),
                    fetched_at=NOW,
                )
            )
    detect_pending(store, Detector(), AlertPolicy.silent())
    with store.session() as session:
        events = {
            a.url: d.event_id
            for d, a in session.execute(
                select(Detection, Article).join(Article, Article.id == Detection.article_id)
            )
            if d.event_id is not None
        }
    store.dispose()
    return Built(url, write_config(folder, url, extra_config), events)


def event_of(built: Built, index: int) -> int:
    return built.events[ARTICLES[index][5]]


def describe(built: Built) -> dict[str, Any]:
    return {"events": built.events}


CSRF = re.compile(r'name="csrf" value="([^"]+)"')
PASSWORD = "correct horse battery"


def csrf_of(html: str) -> str:
    found = CSRF.search(html)
    assert found, "no CSRF field on the page"
    return found.group(1)


def make_app(built: Built, *, clock: Any = None, monotonic: Any = None) -> tuple[Any, Store]:
    from monitor.config.model import load_config
    from monitor.web.app import create_app

    config = load_config(built.config_path)
    write_users(built.config_path.parent / "web-users.yaml")
    store = Store(built.url, clock=lambda: NOW)
    kwargs: dict[str, Any] = {"clock": clock or (lambda: NOW)}
    if monotonic is not None:
        kwargs["monotonic"] = monotonic
    return create_app(config, store, **kwargs), store


@functools.cache
def _test_hash() -> str:
    # Cheap argon2 parameters: the hash carries them, so logins verify as fast; the
    # production hasher (`newsmon web add-user`) uses argon2-cffi's defaults.
    from argon2 import PasswordHasher

    return PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1).hash(PASSWORD)


def write_users(path: Path) -> None:
    rows = [
        {"name": name, "role": role, "password_hash": _test_hash()}
        for name, role in (("vera", "viewer"), ("rita", "reviewer"), ("adam", "admin"))
    ]
    path.write_text(yaml.safe_dump({"users": rows}), encoding="utf-8")


def log_in(client: Any, name: str, password: str = PASSWORD) -> Any:
    token = csrf_of(client.get("/login").text)
    return client.post(
        "/login",
        data={"username": name, "password": password, "csrf": token, "next": "/events"},
        follow_redirects=False,
    )


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


class LiveServer:
    """The app served by uvicorn on a free local port, in a thread, for a real browser."""

    def __init__(self, app: Any) -> None:
        import socket
        import threading

        import uvicorn

        ready = threading.Event()

        class Server(uvicorn.Server):
            async def startup(self, sockets: list[socket.socket] | None = None) -> None:
                await super().startup(sockets)
                ready.set()

        self._socket = socket.socket()
        self._socket.bind(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}"
        config = uvicorn.Config(app, log_config=None, access_log=False, lifespan="off")
        self._server = Server(config)
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [self._socket]}, daemon=True
        )
        self._thread.start()
        if not ready.wait(30):
            raise RuntimeError("the web server did not start within 30 s")

    def stop(self) -> None:
        self._server.should_exit = True
        self._thread.join(10)
        self._socket.close()
