from django.apps import AppConfig


class DetectionConfig(AppConfig):
    name = "detection"

    def ready(self) -> None:
        from accounts import data_rights

        from . import retention, selectors, services

        data_rights.register(
            "detection",
            export=lambda user: selectors.check_in_export(user=user),
            delete_files=services.user_files_delete,
            files=retention.user_image_files,
            forget_images=retention.user_images_forget,
        )
