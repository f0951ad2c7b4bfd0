from django.apps import AppConfig


class DetectionConfig(AppConfig):
    name = "detection"

    def ready(self) -> None:
        from accounts import data_rights

        from . import selectors, services

        data_rights.register(
            "detection",
            export=lambda user: selectors.check_in_export(user=user),
            delete_files=services.user_files_delete,
            files=services.user_image_files,
            forget_images=services.user_images_forget,
        )
