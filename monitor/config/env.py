"""`${VAR}` and `${VAR:-default}` references in configuration values.

Secrets stay out of the config files: a file names the variable, the environment holds the
value. A reference to an unset variable without a default is an error that names the key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

_REF = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}")


class MissingVariable(Exception):
    def __init__(self, key_path: str, variable: str) -> None:
        self.key_path = key_path
        self.variable = variable
        super().__init__(f"environment variable {variable} is not set")


def expand(value: Any, env: Mapping[str, str], path: str = "") -> Any:
    """Return `value` with every `${VAR}` inside its strings replaced from `env`."""
    if isinstance(value, str):
        return _expand_str(value, env, path)
    if isinstance(value, dict):
        return {k: expand(v, env, f"{path}.{k}" if path else str(k)) for k, v in value.items()}
    if isinstance(value, list):
        return [expand(v, env, f"{path}[{i}]") for i, v in enumerate(value)]
    return value


def _expand_str(text: str, env: Mapping[str, str], path: str) -> str:
    def replace(match: re.Match[str]) -> str:
        name, default = match.group(1), match.group(2)
        if name in env:
            return env[name]
        if default is not None:
            return default
        raise MissingVariable(path, name)

    return _REF.sub(replace, text)
