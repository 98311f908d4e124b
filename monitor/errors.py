"""Exceptions that reach the command line as exit status 2 with a one-line reason."""

from __future__ import annotations


class NewsmonError(Exception):
    """Bad input or configuration: the CLI prints the message and exits with status 2."""


class ConfigError(NewsmonError):
    """An invalid configuration file, named with the key path and the reason."""

    def __init__(self, file: str, key_path: str, reason: str) -> None:
        self.file = file
        self.key_path = key_path
        self.reason = reason
        where = f"{file}: {key_path}" if key_path else file
        super().__init__(f"{where}: {reason}")
