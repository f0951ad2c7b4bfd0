from django.apps import AppConfig


class HistoryConfig(AppConfig):
    """Mood history: a user's finished check-ins, their aggregates and the music that went with them.

    It reads other apps only through their selectors and services (pyproject.toml's import contracts)."""

    name = "history"
