"""Exceptions that reach the command line as exit status 2 with a one-line reason."""

from __future__ import annotations


class NewsmonError(Exception):
    """Bad input or configuration: the CLI prints the message and exits with status 2."""

    exit_status = 2


class StoreUnavailable(NewsmonError):
    """The database server cannot be reached. It may be restarting, so the exit status is 1,
    which the systemd unit retries (2 means a bad config and is not retried)."""

    exit_status = 1


def first_line(exc: BaseException) -> str:
    """The first line of a driver's message ("connection refused"), without the hints and
    links that follow it; the DB-API error inside a SQLAlchemy one when there is one."""
    inner = getattr(exc, "orig", None) or exc
    text = str(inner).strip() or inner.__class__.__name__
    return text.splitlines()[0].strip()


class ConfigError(NewsmonError):
    """An invalid configuration file, named with the key path and the reason."""

    def __init__(self, file: str, key_path: str, reason: str) -> None:
        self.file = file
        self.key_path = key_path
        self.reason = reason
        where = f"{file}: {key_path}" if key_path else file
        super().__init__(f"{where}: {reason}")
