import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from detection import services, tasks
from detection.models import FaceResult, Submission, SubmissionFrame
from detection.tests import images
from detection.tests.factories import FaceResultFactory, SubmissionFactory
from ml.labels import EMOTIONS

pytestmark = pytest.mark.django_db


def upload(data: bytes, name: str = "selfie.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_manual_submission_is_done_at_once_with_the_picked_emotion_on_top(user):
    submission = services.submission_create_manual(user=user, emotion="sadness")

    assert submission.kind == Submission.Kind.MANUAL
    assert submission.status == Submission.Status.DONE
    assert submission.top_emotion == "sadness"
    assert set(submission.emotions) == set(EMOTIONS)
    assert max(submission.emotions, key=submission.emotions.get) == "sadness"
    assert sum(submission.emotions.values()) == pytest.approx(1.0)


def test_manual_submission_rejects_an_unknown_emotion(user):
    with pytest.raises(ValidationError, match="Unknown emotion"):
        services.submission_create_manual(user=user, emotion="hangry")
    assert not Submission.objects.exists()


def test_correction_is_stored_and_wins_over_the_detected_emotion():
    submission = SubmissionFactory(done=True, confidence=0.3)
    assert submission.is_low_confidence

    services.submission_correct(submission=submission, emotion="neutral")

    submission.refresh_from_db()
    assert submission.corrected_emotion == "neutral"
    assert submission.effective_emotion == "neutral"
    assert submission.top_emotion == "happiness"
    assert not submission.is_low_confidence


def test_an_unfinished_submission_cannot_be_corrected():
    submission = SubmissionFactory()
    with pytest.raises(ValidationError, match="finished"):
        services.submission_correct(submission=submission, emotion="neutral")


def test_picking_another_face_makes_its_emotions_the_result():
    big = FaceResultFactory(width=200, height=200)
    submission = big.submission
    other = FaceResultFactory(
        submission=submission,
        width=90,
        height=90,
        probabilities=services.manual_distribution("anger"),
        top_emotion="anger",
    )
    submission.selected_face = big
    submission.save()

    services.submission_face_select(submission=submission, face_id=other.pk)

    submission.refresh_from_db()
    assert submission.selected_face == other
    assert submission.top_emotion == "anger"


def test_a_face_of_another_submission_cannot_be_picked():
    submission = FaceResultFactory().submission
    foreign = FaceResultFactory()
    with pytest.raises(ValidationError):
        services.submission_face_select(submission=submission, face_id=foreign.pk)


def test_create_stores_a_sanitised_jpeg_without_exif_or_gps_and_queues_analysis(user, on_commit, monkeypatch):
    queued = []
    monkeypatch.setattr("detection.tasks.submission_analyze_task.delay", queued.append)
    with on_commit():
        submission = services.submission_create(
            user=user, files=[upload(images.oriented_face_jpeg(6), "x.png", "image/png")], kind="upload"
        )

    assert queued == [submission.pk]
    frame = submission.frames.get()
    with frame.image.open("rb") as handle:
        stored = Image.open(io.BytesIO(handle.read()))
        assert stored.format == "JPEG"
        assert not stored.getexif()
        assert stored.size == images.UPRIGHT_SIZE == (frame.width, frame.height)
    assert submission.status == Submission.Status.QUEUED


def test_create_writes_nothing_when_one_frame_of_a_burst_is_bad(user):
    frames = [upload(images.face_jpeg()), upload(images.face_jpeg()), upload(images.HTML, "f.jpg")]
    with pytest.raises(ValidationError, match="Frame 3"):
        services.submission_create(user=user, files=frames, kind="webcam")
    assert not Submission.objects.exists()
    assert images.stored_files() == []


def test_create_refuses_more_frames_than_allowed(user, settings):
    frames = [upload(images.face_jpeg()) for _ in range(settings.MAX_BURST_FRAMES + 1)]
    with pytest.raises(ValidationError, match="Too many frames"):
        services.submission_create(user=user, files=frames, kind="webcam")
    assert not Submission.objects.exists()


def test_broker_outage_at_enqueue_fails_the_submission_with_a_message(user, on_commit, monkeypatch):
    def broker_down(submission_id):
        raise ConnectionError("redis is down")

    monkeypatch.setattr("detection.tasks.submission_analyze_task.delay", broker_down)
    with on_commit():
        submission = services.submission_create(user=user, files=[upload(images.face_jpeg())], kind="upload")

    submission.refresh_from_db()
    assert submission.status == Submission.Status.FAILED
    assert "try again" in submission.error
    assert images.stored_files() == []


def test_delete_removes_the_rows_and_the_stored_files(user, on_commit, monkeypatch):
    monkeypatch.setattr("detection.tasks.submission_analyze_task.delay", lambda _id: None)
    with on_commit():
        submission = services.submission_create(user=user, files=[upload(images.face_jpeg())], kind="upload")
    assert len(images.stored_files()) == 1

    with on_commit():
        services.submission_delete(submission=submission)

    assert not Submission.objects.exists()
    assert not SubmissionFrame.objects.exists()
    assert images.stored_files() == []


def test_purge_removes_only_expired_kept_images(user, on_commit, monkeypatch):
    monkeypatch.setattr("detection.tasks.submission_analyze_task.delay", lambda _id: None)
    with on_commit():
        old = services.submission_create(user=user, files=[upload(images.face_jpeg())], kind="upload")
        fresh = services.submission_create(user=user, files=[upload(images.face_jpeg())], kind="upload")
    now = timezone.now()
    Submission.objects.filter(pk=old.pk).update(image_expires_at=now - timedelta(minutes=1))
    Submission.objects.filter(pk=fresh.pk).update(image_expires_at=now + timedelta(days=3))

    with on_commit():
        removed = services.purge_expired_images(now=now)

    assert removed == 1
    assert not old.frames.exists() and fresh.frames.exists()
    assert len(images.stored_files()) == 1
    old.refresh_from_db()
    assert old.image_expires_at is None


@pytest.mark.usefixtures("model_required")
class TestAnalysis:
    def submit(self, user, data, on_commit, kind="upload", count=1):
        with on_commit():
            return services.submission_create(user=user, files=[upload(data) for _ in range(count)], kind=kind)

    def test_a_smiling_face_is_read_as_happiness_and_the_photo_is_deleted(self, user, on_commit):
        submission = self.submit(user, images.face_jpeg(), on_commit)

        submission.refresh_from_db()
        assert submission.status == Submission.Status.DONE, submission.error
        assert submission.top_emotion == "happiness"
        assert submission.faces.count() == 1
        assert submission.selected_face == submission.faces.get()
        assert not submission.frames.exists()
        assert images.stored_files() == []
        assert submission.finished_at >= submission.created_at

    def test_kept_images_stay_until_their_expiry(self, user, on_commit, settings):
        user.keep_images = True
        user.save()
        submission = self.submit(user, images.face_jpeg(), on_commit)

        submission.refresh_from_db()
        assert submission.status == Submission.Status.DONE
        assert len(images.stored_files()) == 1
        expected = timezone.now() + timedelta(days=settings.KEEP_IMAGES_DAYS)
        assert abs((submission.image_expires_at - expected).total_seconds()) < 60

    def test_re_running_a_finished_analysis_changes_nothing(self, user, on_commit):
        submission = self.submit(user, images.face_jpeg(), on_commit)
        faces_before = list(FaceResult.objects.values_list("pk", flat=True))

        services.submission_analyze(submission.pk)

        assert list(FaceResult.objects.values_list("pk", flat=True)) == faces_before
        submission.refresh_from_db()
        assert submission.attempts == 1

    def test_a_redelivered_unfinished_analysis_replaces_its_partial_results(self, user, on_commit, monkeypatch):
        monkeypatch.setattr("detection.tasks.submission_analyze_task.delay", lambda _id: None)
        with on_commit():
            submission = services.submission_create(user=user, files=[upload(images.face_jpeg())], kind="upload")
        # A worker died after writing faces but before finishing: status is still running.
        Submission.objects.filter(pk=submission.pk).update(status=Submission.Status.RUNNING, attempts=1)
        FaceResultFactory(submission=submission)

        services.submission_analyze(submission.pk)

        submission.refresh_from_db()
        assert submission.status == Submission.Status.DONE
        assert submission.attempts == 2
        assert submission.faces.count() == 1

    def test_no_face_fails_with_a_message_and_keeps_nothing(self, user, on_commit):
        submission = self.submit(user, images.no_face_jpeg(), on_commit)

        submission.refresh_from_db()
        assert submission.status == Submission.Status.FAILED
        assert "couldn't find a face" in submission.error
        assert not submission.faces.exists()
        assert images.stored_files() == []

    def test_a_dark_webcam_burst_fails_saying_it_may_be_too_dark(self, user, on_commit):
        submission = self.submit(user, images.dark_jpeg(), on_commit, kind="webcam", count=5)

        submission.refresh_from_db()
        assert submission.status == Submission.Status.FAILED
        assert "too dark" in submission.error

    def test_a_webcam_burst_aggregates_its_frames(self, user, on_commit):
        submission = self.submit(user, images.face_jpeg(), on_commit, kind="webcam", count=5)

        submission.refresh_from_db()
        assert submission.status == Submission.Status.DONE, submission.error
        assert submission.top_emotion == max(submission.emotions, key=submission.emotions.get)
        assert submission.faces.count() == 5
        assert sum(submission.emotions.values()) == pytest.approx(1.0, abs=1e-3)

    def test_a_burst_as_long_as_the_setting_allows_is_analysed(self, user, on_commit, settings):
        # The limit lives in settings only: raising it must not make the worker refuse the burst.
        settings.MAX_BURST_FRAMES = 10
        submission = self.submit(user, images.face_jpeg(), on_commit, kind="webcam", count=10)

        submission.refresh_from_db()
        assert submission.status == Submission.Status.DONE, submission.error
        assert submission.faces.count() == 10

    def test_five_faces_are_all_kept_and_the_largest_is_you(self, user, on_commit):
        submission = self.submit(user, images.five_faces_jpeg(), on_commit)

        submission.refresh_from_db()
        assert submission.status == Submission.Status.DONE, submission.error
        faces = list(submission.faces.all())
        assert len(faces) == 5
        assert submission.selected_face == max(faces, key=lambda f: f.area)

    @pytest.mark.parametrize("orientation", range(1, 9))
    def test_every_exif_orientation_is_turned_upright_before_analysis(self, user, on_commit, orientation):
        submission = self.submit(user, images.oriented_face_jpeg(orientation), on_commit)

        submission.refresh_from_db()
        assert submission.status == Submission.Status.DONE, submission.error
        # Upright size, and a face found: Haar finds only upright faces.
        assert (submission.image_width, submission.image_height) == images.UPRIGHT_SIZE
        assert submission.faces.count() == 1

    def test_a_stored_image_that_became_unreadable_fails_fast_with_a_message(self, user, on_commit, monkeypatch):
        monkeypatch.setattr("detection.tasks.submission_analyze_task.delay", lambda _id: None)
        with on_commit():
            submission = services.submission_create(user=user, files=[upload(images.face_jpeg())], kind="upload")
        [path] = images.stored_files()
        path.write_bytes(images.truncated(path.read_bytes()))

        with on_commit():
            tasks.submission_analyze_task.apply(args=[submission.pk])

        submission.refresh_from_db()
        assert submission.status == Submission.Status.FAILED
        assert "damaged" in submission.error
        assert submission.attempts == 1
        assert images.stored_files() == []

    def test_missing_photo_file_fails_cleanly(self, user, on_commit, monkeypatch):
        monkeypatch.setattr("detection.tasks.submission_analyze_task.delay", lambda _id: None)
        with on_commit():
            submission = services.submission_create(user=user, files=[upload(images.face_jpeg())], kind="upload")
        for path in images.stored_files():
            path.unlink()

        services.submission_analyze(submission.pk)

        submission.refresh_from_db()
        assert submission.status == Submission.Status.FAILED
        assert submission.error == services.IMAGE_GONE
