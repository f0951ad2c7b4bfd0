import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from PIL import Image, ImageFile

from detection import files, messages, services, store, tasks
from detection.models import CheckIn, CheckInFrame, FaceResult, manual_distribution
from detection.tests import images
from detection.tests.factories import CheckInFactory, FaceResultFactory, kept_frame
from ml import imageio
from ml.labels import EMOTIONS

pytestmark = pytest.mark.django_db


def upload(data: bytes, name: str = "selfie.jpg", content_type: str = "image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def test_manual_check_in_is_done_at_once_with_the_picked_emotion_on_top(user):
    check_in = services.check_in_create_manual(user=user, emotion="sadness")

    assert check_in.kind == CheckIn.Kind.MANUAL
    assert check_in.status == CheckIn.Status.DONE
    assert check_in.top_emotion == "sadness"
    # What the user said, and nothing made up: the one emotion at 1.0, no confidence figure.
    assert check_in.emotions == {name: (1.0 if name == "sadness" else 0.0) for name in EMOTIONS}
    check_in.refresh_from_db()
    assert check_in.confidence is None and not check_in.is_low_confidence
    assert check_in.created_at <= check_in.started_at <= check_in.finished_at


def test_the_database_refuses_a_check_in_that_finishes_before_it_was_created(user):
    check_in = services.check_in_create_manual(user=user, emotion="sadness")
    with pytest.raises(IntegrityError), transaction.atomic():
        CheckIn.objects.filter(pk=check_in.pk).update(finished_at=check_in.created_at - timedelta(microseconds=1))


def test_manual_check_in_rejects_an_unknown_emotion(user):
    with pytest.raises(ValidationError, match="Unknown emotion"):
        services.check_in_create_manual(user=user, emotion="hangry")
    assert not CheckIn.objects.exists()


def test_correction_is_stored_and_wins_over_the_detected_emotion():
    check_in = CheckInFactory(done=True, confidence=0.3)
    assert check_in.is_low_confidence

    services.check_in_correct(check_in=check_in, emotion="neutral")

    check_in.refresh_from_db()
    assert check_in.corrected_emotion == "neutral"
    assert check_in.effective_emotion == "neutral"
    assert check_in.top_emotion == "happiness"
    assert not check_in.is_low_confidence


def test_an_unfinished_check_in_cannot_be_corrected():
    check_in = CheckInFactory()
    with pytest.raises(ValidationError, match="finished"):
        services.check_in_correct(check_in=check_in, emotion="neutral")


def test_picking_another_face_makes_its_emotions_the_result():
    big = FaceResultFactory(width=200, height=200)
    check_in = big.check_in
    other = FaceResultFactory(
        check_in=check_in,
        width=90,
        height=90,
        probabilities=manual_distribution("anger"),
        top_emotion="anger",
    )
    check_in.selected_face = big
    check_in.save()

    services.check_in_face_select(check_in=check_in, face_id=other.pk)

    check_in.refresh_from_db()
    assert check_in.selected_face == other
    assert check_in.top_emotion == "anger"


def test_a_face_of_another_check_in_cannot_be_picked():
    check_in = FaceResultFactory().check_in
    foreign = FaceResultFactory()
    with pytest.raises(ValidationError):
        services.check_in_face_select(check_in=check_in, face_id=foreign.pk)


def test_create_puts_the_upload_in_the_image_store_as_sent_and_queues_analysis(user, on_commit, monkeypatch):
    queued = []
    monkeypatch.setattr("detection.tasks.check_in_analyze_task.delay", queued.append)
    data = images.oriented_face_jpeg(6)
    with on_commit():
        check_in = services.check_in_create(user=user, files=[upload(data, "x.png", "image/png")], kind="upload")

    assert queued == [check_in.pk]
    # Checked from its header only: decoding (and re-encoding for a keeper) is the worker's.
    assert store.images_get(check_in.image_keys) == [data]
    assert images.stored_files() == [] and not check_in.frames.exists()
    assert check_in.status == CheckIn.Status.QUEUED


def test_create_writes_nothing_when_one_frame_of_a_burst_is_bad(user):
    frames = [upload(images.face_jpeg()), upload(images.face_jpeg()), upload(images.HTML, "f.jpg")]
    with pytest.raises(ValidationError, match="Frame 3"):
        services.check_in_create(user=user, files=frames, kind="webcam")
    assert not CheckIn.objects.exists()
    assert images.stored_files() == []


def test_create_refuses_more_frames_than_allowed(user, settings):
    frames = [upload(images.face_jpeg()) for _ in range(settings.MAX_BURST_FRAMES + 1)]
    with pytest.raises(ValidationError, match="Too many frames"):
        services.check_in_create(user=user, files=frames, kind="webcam")
    assert not CheckIn.objects.exists()


def test_broker_outage_at_enqueue_fails_the_check_in_with_a_message(user, on_commit, monkeypatch):
    def broker_down(check_in_id):
        raise ConnectionError("redis is down")

    monkeypatch.setattr("detection.tasks.check_in_analyze_task.delay", broker_down)
    with on_commit():
        check_in = services.check_in_create(user=user, files=[upload(images.face_jpeg())], kind="upload")

    check_in.refresh_from_db()
    assert check_in.status == CheckIn.Status.FAILED
    assert "try again" in check_in.error
    assert images.stored_files() == []


def test_delete_removes_the_rows_the_kept_files_and_the_pending_images(user, on_commit, monkeypatch):
    monkeypatch.setattr("detection.tasks.check_in_analyze_task.delay", lambda _id: None)
    with on_commit():
        pending = services.check_in_create(user=user, files=[upload(images.face_jpeg())], kind="upload")
    kept = CheckInFactory(owner=user, done=True)
    kept_frame(kept)
    assert len(images.stored_files()) == 1

    with on_commit():
        services.check_in_delete(check_in=pending)
        services.check_in_delete(check_in=kept)

    assert not CheckIn.objects.exists()
    assert not CheckInFrame.objects.exists()
    assert images.stored_files() == []
    assert store.images_get(pending.image_keys) is None


def test_purge_removes_only_expired_kept_images(user, on_commit):
    old, fresh = CheckInFactory(owner=user, done=True), CheckInFactory(owner=user, done=True)
    kept_frame(old), kept_frame(fresh)
    now = timezone.now()
    CheckIn.objects.filter(pk=old.pk).update(image_expires_at=now - timedelta(minutes=1))
    CheckIn.objects.filter(pk=fresh.pk).update(image_expires_at=now + timedelta(days=3))

    with on_commit():
        removed = files.purge_expired_images(now=now)

    assert removed == 1
    assert not old.frames.exists() and fresh.frames.exists()
    assert len(images.stored_files()) == 1
    old.refresh_from_db()
    assert old.image_expires_at is None


@pytest.mark.usefixtures("model_required")
class TestAnalysis:
    def submit(self, user, data, on_commit, kind="upload", count=1):
        with on_commit():
            return services.check_in_create(user=user, files=[upload(data) for _ in range(count)], kind=kind)

    def test_a_smiling_face_is_read_as_happiness_and_the_photo_is_deleted(self, user, on_commit):
        check_in = self.submit(user, images.face_jpeg(), on_commit)

        check_in.refresh_from_db()
        assert check_in.status == CheckIn.Status.DONE, check_in.error
        assert check_in.top_emotion == "happiness"
        assert check_in.faces.count() == 1
        assert check_in.selected_face == check_in.faces.get()
        assert not check_in.frames.exists()
        assert images.stored_files() == []
        assert check_in.finished_at >= check_in.created_at

    def test_kept_images_stay_until_their_expiry_as_clean_jpegs(self, user, on_commit, settings):
        user.keep_images = True
        user.save()
        check_in = self.submit(user, images.oriented_face_jpeg(6), on_commit)

        check_in.refresh_from_db()
        assert check_in.status == CheckIn.Status.DONE
        [path] = images.stored_files()
        # Re-encoded by the worker: upright, without EXIF/GPS.
        stored = Image.open(io.BytesIO(path.read_bytes()))
        assert stored.format == "JPEG" and not stored.getexif()
        frame = check_in.frames.get()
        assert stored.size == images.UPRIGHT_SIZE == (frame.width, frame.height)
        assert check_in.image_keys == []
        expected = timezone.now() + timedelta(days=settings.KEEP_IMAGES_DAYS)
        assert abs((check_in.image_expires_at - expected).total_seconds()) < 60

    def test_a_keepers_png_is_decoded_once_for_the_analysis_and_the_kept_jpeg(self, user, on_commit, monkeypatch):
        user.keep_images = True
        user.save()
        data = images.face_png()
        decodes, load = [], ImageFile.ImageFile.load

        def counted(image):
            if image.tile:  # pixels still to decode (later calls return those decoded)
                decodes.append(image.format)
            return load(image)

        monkeypatch.setattr(ImageFile.ImageFile, "load", counted)
        check_in = self.submit(user, data, on_commit)

        check_in.refresh_from_db()
        assert check_in.status == CheckIn.Status.DONE, check_in.error
        assert check_in.top_emotion == "happiness"
        [path] = images.stored_files()
        # The pixels were decoded once; the kept JPEG is the one a decode of its own would give.
        assert decodes == ["PNG"]
        assert path.read_bytes() == imageio.sanitize_image(data)

    def test_re_running_a_finished_analysis_changes_nothing(self, user, on_commit):
        check_in = self.submit(user, images.face_jpeg(), on_commit)
        faces_before = list(FaceResult.objects.values_list("pk", flat=True))

        services.check_in_analyze(check_in.pk)

        assert list(FaceResult.objects.values_list("pk", flat=True)) == faces_before
        check_in.refresh_from_db()
        assert check_in.attempts == 1

    def test_a_result_that_fails_to_commit_leaves_nothing_and_the_redelivery_writes_it_once(
        self, user, on_commit, monkeypatch
    ):
        monkeypatch.setattr("detection.tasks.check_in_analyze_task.delay", lambda _id: None)
        with on_commit():
            check_in = services.check_in_create(user=user, files=[upload(images.face_jpeg())], kind="upload")

        # The database goes away between writing the faces and moving the row to done.
        def down(*args, **kwargs):
            raise OperationalError("server closed the connection")

        with monkeypatch.context() as patched:
            patched.setattr("detection.services.notify.finished_announce", down)
            patched.setattr("detection.services._recommend", down)
            with pytest.raises(OperationalError):
                services.check_in_analyze(check_in.pk)
        assert not check_in.faces.exists(), "faces are written with the result, never before it"
        assert store.images_get(check_in.image_keys), "the images wait for the re-delivered message"

        services.check_in_analyze(check_in.pk)

        check_in.refresh_from_db()
        assert check_in.status == CheckIn.Status.DONE
        assert check_in.attempts == 2
        assert check_in.faces.count() == 1

    def test_no_face_fails_with_a_message_and_keeps_nothing(self, user, on_commit):
        check_in = self.submit(user, images.no_face_jpeg(), on_commit)

        check_in.refresh_from_db()
        assert check_in.status == CheckIn.Status.FAILED
        assert "couldn't find a face" in check_in.error
        assert not check_in.faces.exists()
        assert images.stored_files() == []

    def test_a_dark_webcam_burst_fails_saying_it_may_be_too_dark(self, user, on_commit):
        check_in = self.submit(user, images.dark_jpeg(), on_commit, kind="webcam", count=5)

        check_in.refresh_from_db()
        assert check_in.status == CheckIn.Status.FAILED
        assert "too dark" in check_in.error

    def test_a_webcam_burst_aggregates_its_frames(self, user, on_commit):
        check_in = self.submit(user, images.face_jpeg(), on_commit, kind="webcam", count=5)

        check_in.refresh_from_db()
        assert check_in.status == CheckIn.Status.DONE, check_in.error
        assert check_in.top_emotion == max(check_in.emotions, key=check_in.emotions.get)
        assert check_in.faces.count() == 5
        assert sum(check_in.emotions.values()) == pytest.approx(1.0, abs=1e-3)

    def test_a_burst_as_long_as_the_setting_allows_is_analysed(self, user, on_commit, settings):
        # The limit lives in settings only: raising it must not make the worker refuse the burst.
        settings.MAX_BURST_FRAMES = 10
        check_in = self.submit(user, images.face_jpeg(), on_commit, kind="webcam", count=10)

        check_in.refresh_from_db()
        assert check_in.status == CheckIn.Status.DONE, check_in.error
        assert check_in.faces.count() == 10

    def test_five_faces_are_all_kept_and_the_largest_is_you(self, user, on_commit):
        check_in = self.submit(user, images.five_faces_jpeg(), on_commit)

        check_in.refresh_from_db()
        assert check_in.status == CheckIn.Status.DONE, check_in.error
        faces = list(check_in.faces.all())
        assert len(faces) == 5
        assert check_in.selected_face == max(faces, key=lambda f: f.area)

    @pytest.mark.parametrize("orientation", range(1, 9))
    def test_every_exif_orientation_is_turned_upright_before_analysis(self, user, on_commit, orientation):
        check_in = self.submit(user, images.oriented_face_jpeg(orientation), on_commit)

        check_in.refresh_from_db()
        assert check_in.status == CheckIn.Status.DONE, check_in.error
        # Upright size, and the face where it is in the upright photo (BlazeFace also finds
        # upside-down faces, so finding one proves nothing about the orientation).
        assert (check_in.image_width, check_in.image_height) == images.UPRIGHT_SIZE
        (face,) = check_in.faces.all()
        centre = (face.x + face.width / 2, face.y + face.height / 2)
        assert (
            abs(centre[0] - images.UPRIGHT_FACE_CENTRE[0]) < 25 and abs(centre[1] - images.UPRIGHT_FACE_CENTRE[1]) < 25
        )

    # A keeper's image is decoded for the analysis and the kept JPEG at once (analysis.faces_read).
    @pytest.mark.parametrize("keeps", [False, True], ids=["not kept", "kept"])
    def test_a_stored_image_that_became_unreadable_fails_fast_with_a_message(self, user, on_commit, monkeypatch, keeps):
        user.keep_images = keeps
        user.save()
        monkeypatch.setattr("detection.tasks.check_in_analyze_task.delay", lambda _id: None)
        with on_commit():
            check_in = services.check_in_create(user=user, files=[upload(images.face_jpeg())], kind="upload")
        # Damage the header cannot show: the worker's decode is the first to find it.
        [key] = check_in.image_keys
        store._backend().put({key: images.truncated(images.face_jpeg())}, 60)

        with on_commit():
            tasks.check_in_analyze_task.apply(args=[check_in.pk])

        check_in.refresh_from_db()
        assert check_in.status == CheckIn.Status.FAILED
        assert "damaged" in check_in.error
        assert check_in.attempts == 1
        assert images.stored_files() == [] and store.images_get([key]) is None

    def test_missing_photo_file_fails_cleanly(self, user, on_commit, monkeypatch):
        monkeypatch.setattr("detection.tasks.check_in_analyze_task.delay", lambda _id: None)
        with on_commit():
            check_in = services.check_in_create(user=user, files=[upload(images.face_jpeg())], kind="upload")
        store.images_delete(check_in.image_keys)

        services.check_in_analyze(check_in.pk)

        check_in.refresh_from_db()
        assert check_in.status == CheckIn.Status.FAILED
        assert check_in.error == messages.IMAGE_GONE
