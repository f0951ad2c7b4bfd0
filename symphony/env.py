"""Reading settings from the environment (symphony/settings.py uses these; every name is in .env.example)."""

import os


def env(name: str, default: str = "") -> str:
    # An empty value counts as unset, so `NAME=` lines in a .env file keep the default.
    return os.environ.get(name) or default


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if not value:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value else default


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in env(name, default).split(",") if item.strip()]
