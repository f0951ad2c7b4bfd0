from django.apps import AppConfig


class MusicConfig(AppConfig):
    name = "music"

    def ready(self) -> None:
        from accounts import data_rights
        from music.catalog.building import SOURCE_NOTE
        from music.library.services import user_data_export

        # Music keeps no files: its rows go with the user through on_delete=CASCADE.
        data_rights.register("music", export=user_data_export)
        data_rights.register_source(**SOURCE_NOTE)
