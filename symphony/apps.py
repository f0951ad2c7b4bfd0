from django.apps import AppConfig


class SymphonyConfig(AppConfig):
    """The project package as an app, so its system checks are registered on start-up."""

    name = "symphony"

    def ready(self) -> None:
        from symphony import checks  # noqa: F401  (registers the system checks)
