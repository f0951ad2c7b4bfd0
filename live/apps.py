from django.apps import AppConfig


class LiveConfig(AppConfig):
    """Live mode: while a list plays, the mood is read again every few minutes and the queue adapts.

    Above detection (its readings are check-ins) and music (its queue is the recommender's lists),
    below history, which draws its sessions."""

    name = "live"

    def ready(self) -> None:
        from accounts import data_rights

        from . import selectors

        # Live keeps no files: its rows go with the user through on_delete=CASCADE.
        data_rights.register("live", export=lambda user: selectors.sessions_export(user=user))
