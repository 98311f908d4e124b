"""Who may open the web page: users and password hashes, login rate limiting, CSRF tokens,
API tokens.

Passwords are hashed with argon2 (argon2-cffi). API tokens are random and long, so a SHA-256
of each is enough to store: nothing short enough to guess is ever hashed fast.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import yaml
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from pydantic import ValidationError
from sqlalchemy import select

from monitor.config.model import Config
from monitor.config.web import USER_NAME, Role, WebUser
from monitor.errors import ConfigError, NewsmonError
from monitor.store import Store
from monitor.store.review import ApiToken, WebSecret

_hasher = PasswordHasher()
ROLES: tuple[Role, ...] = ("viewer", "reviewer", "admin")
TOKEN_PREFIX = "nm_"


@dataclass(frozen=True)
class User:
    name: str
    role: Role

    @property
    def can_review(self) -> bool:
        return self.role in ("reviewer", "admin")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def users_path(config: Config) -> Path:
    return (config.path.parent / config.settings.web.users_file).resolve()


def load_users(config: Config) -> dict[str, WebUser]:
    """Users from `web.users` and the users file; the file's entry wins on a shared name."""
    users = {u.name: u for u in config.settings.web.users}
    path = users_path(config)
    for user in _read_users_file(path):
        users[user.name] = user
    return users


def _read_users_file(path: Path) -> list[WebUser]:
    if not path.exists():
        return []
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (OSError, yaml.YAMLError) as exc:
        raise ConfigError(str(path), "", f"cannot be read: {exc}") from None
    rows = data.get("users", []) if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise ConfigError(str(path), "users", "must be a list of users")
    users = []
    for index, row in enumerate(rows):
        try:
            users.append(WebUser.model_validate(row))
        except ValidationError as exc:
            first = exc.errors()[0]
            key = ".".join(str(p) for p in first["loc"])
            message = str(first["msg"]).removeprefix("Value error, ")
            raise ConfigError(str(path), f"users[{index}].{key}", message) from None
    return users


def add_user(config: Config, name: str, role: Role, password: str) -> Path:
    """Add or replace a user in the users file (its own file, so no comments are lost)."""
    import re

    if not re.match(USER_NAME, name):
        raise NewsmonError(f"user name {name!r}: use letters, digits and . _ @ - (at most 100)")
    if len(password) < 8:
        raise NewsmonError("the password must have at least 8 characters")
    path = users_path(config)
    users = {u.name: u for u in _read_users_file(path)}
    users[name] = WebUser(name=name, role=role, password_hash=hash_password(password))
    rows = [u.model_dump() for u in sorted(users.values(), key=lambda u: u.name)]
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(path.suffix + ".tmp")
    tmp.write_text(
        "# Written by `newsmon web add-user`: argon2 password hashes, never passwords.\n"
        + yaml.safe_dump({"users": rows}, allow_unicode=True, sort_keys=False),
        encoding="utf-8",
    )
    tmp.chmod(0o600)
    tmp.replace(path)
    return path


@functools.cache
def _dummy_hash() -> str:
    # Verified against when the user does not exist, so a wrong name costs as long as a
    # wrong password and the timing does not tell which names exist.
    return _hasher.hash(secrets.token_hex(16))


def verify_login(users: dict[str, WebUser], name: str, password: str) -> User | None:
    user = users.get(name)
    try:
        _hasher.verify(user.password_hash if user else _dummy_hash(), password)
    except (VerificationError, InvalidHashError):
        return None
    return User(user.name, user.role) if user else None


class LoginLimiter:
    """At most `attempts` failed logins per client address and per user name in `window`."""

    def __init__(self, attempts: int, window: float, clock: Callable[[], float]) -> None:
        self.attempts = attempts
        self.window = window
        self.clock = clock
        self._failures: dict[str, deque[float]] = {}

    def _recent(self, key: str) -> deque[float]:
        times = self._failures.setdefault(key, deque())
        cutoff = self.clock() - self.window
        while times and times[0] <= cutoff:
            times.popleft()
        return times

    def blocked(self, address: str, name: str) -> bool:
        return any(
            len(self._recent(key)) >= self.attempts for key in (f"ip:{address}", f"user:{name}")
        )

    def failed(self, address: str, name: str) -> None:
        now = self.clock()
        for key in (f"ip:{address}", f"user:{name}"):
            self._recent(key).append(now)

    def succeeded(self, address: str, name: str) -> None:
        self._failures.pop(f"ip:{address}", None)
        self._failures.pop(f"user:{name}", None)


def csrf_token(session: dict[str, Any]) -> str:
    token = session.get("csrf")
    if not isinstance(token, str):
        token = secrets.token_urlsafe(32)
        session["csrf"] = token
    return token


def csrf_ok(session: dict[str, Any], given: object) -> bool:
    expected = session.get("csrf")
    return (
        isinstance(expected, str)
        and isinstance(given, str)
        and hmac.compare_digest(expected.encode(), given.encode())
    )


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def create_token(store: Store, name: str) -> str:
    """A new API token named `name`; the token is shown once and only its hash is kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with store.session() as session:
        if session.scalar(select(ApiToken.id).where(ApiToken.name == name)) is not None:
            raise NewsmonError(f"an API token named {name!r} exists already")
        session.add(ApiToken(name=name, token_hash=_token_hash(token), created_at=store.clock()))
    return token


def token_user(store: Store, token: str, now: datetime) -> User | None:
    """The read-only user an API token stands for, or None."""
    with store.session() as session:
        row = session.scalar(
            select(ApiToken).where(
                ApiToken.token_hash == _token_hash(token), ApiToken.revoked_at.is_(None)
            )
        )
        if row is None:
            return None
        row.last_used_at = now
        return User(f"token:{row.name}", "viewer")


def session_secret(config: Config, store: Store) -> str:
    """`web.secret_key`, else a random key kept in the store so sessions survive restarts."""
    configured = config.settings.web.secret_key
    if configured:
        return configured
    with store.session() as session:
        row = session.get(WebSecret, "session_key")
        if row is None:
            row = WebSecret(
                name="session_key", value=secrets.token_urlsafe(48), created_at=store.clock()
            )
            session.add(row)
        return row.value
