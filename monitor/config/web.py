"""The `web:` config section: where `newsmon web` listens and who may open it."""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from monitor.config.base import StrictModel

Role = Literal["viewer", "reviewer", "admin"]
USER_NAME = r"^[A-Za-z0-9][A-Za-z0-9._@-]{0,99}$"


class WebUser(StrictModel):
    name: str = Field(pattern=USER_NAME)
    role: Role = "viewer"
    # An argon2 hash made by `newsmon web add-user`; the password itself is never stored.
    password_hash: str

    @field_validator("password_hash")
    @classmethod
    def _argon2(cls, value: str) -> str:
        if not value.startswith("$argon2"):
            raise ValueError("must be an argon2 hash made by `newsmon web add-user`")
        return value


class TrustedProxy(StrictModel):
    """A reverse proxy that has logged the user in and names them in a header."""

    header: str = "X-Forwarded-User"
    # Only requests from these peer addresses may set the header.
    addresses: tuple[str, ...] = ("127.0.0.1", "::1")
    # The role of a user the proxy names who is not in `users`.
    role: Role = "viewer"


class WebConfig(StrictModel):
    listen: str = "127.0.0.1:8080"
    # Signs session cookies; unset, a random key is kept in the store.
    secret_key: str | None = None
    users: tuple[WebUser, ...] = ()
    # Users added by `newsmon web add-user`, relative to the config file.
    users_file: str = "web-users.yaml"
    trusted_proxy: TrustedProxy | None = None
    # Set behind HTTPS: the session cookie is then only sent over HTTPS.
    secure_cookies: bool = False
    session_hours: int = Field(default=12, ge=1, le=24 * 30)
    login_attempts: int = Field(default=5, ge=1)
    login_window_seconds: int = Field(default=900, ge=1)
    page_size: int = Field(default=50, ge=1, le=500)
    # The address readers use, for links in feeds; default: the request's own.
    base_url: str | None = None

    @field_validator("listen")
    @classmethod
    def _listen(cls, value: str) -> str:
        host_port(value)
        return value


def host_port(listen: str) -> tuple[str, int]:
    """`host:port`, `[v6]:port` or a bare port (bound to 127.0.0.1)."""
    text = listen.strip()
    if text.isdigit():
        host, port_text = "127.0.0.1", text
    elif text.startswith("["):
        host, _, port_text = text[1:].partition("]:")
    else:
        host, _, port_text = text.rpartition(":")
    if not host or not port_text.isdigit() or not 0 < int(port_text) < 65536:
        raise ValueError(f"expected host:port or a port, not {listen!r}")
    return host, int(port_text)
