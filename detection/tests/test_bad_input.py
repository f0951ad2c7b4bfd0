"""Every kind of bad upload, through the API and through the page: a 4xx or a failed
check-in with a clear message; never a 500, never a half-written record."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import ImageFile

from detection import store
from detection.models import CheckIn, CheckInFrame, FaceResult
from detection.tests import images
from ml.labels import EMOTIONS
from tests.errors import message

pytestmark = pytest.mark.django_db
LIST = "/api/v1/checkins/"

# (case id, bytes maker, file name, claimed content type, HTTP statuses allowed, words the message must contain)
REJECTED = [
    ("zero-bytes", lambda: b"", "empty.jpg", "image/jpeg", {400}, "empty"),
    ("truncated-jpeg", lambda: images.truncated(images.face_jpeg()), "cut.jpg", "image/jpeg", {400}, "damaged"),
    ("truncated-png", lambda: images.truncated(images.face_png()), "cut.png", "image/png", {400}, "damaged"),
    ("text-renamed-jpg", lambda: images.TEXT, "photo.jpg", "image/jpeg", {400}, "not an image"),
    ("svg", lambda: images.SVG, "face.svg", "image/svg+xml", {400}, "not an image"),
    ("html", lambda: images.HTML, "face.html", "text/html", {400}, "not an image"),
    ("pdf", lambda: images.PDF, "face.pdf", "application/pdf", {400}, "not an image"),
    ("html-spoofed-as-jpeg", lambda: images.HTML, "selfie.jpg", "image/jpeg", {400}, "not an image"),
    ("decompression-bomb", images.png_bomb, "bomb.png", "image/png", {413}, "pixels"),
    ("animated-gif", images.animated_gif, "moving.gif", "image/gif", {400}, "not supported"),
]
# Odd but valid images: accepted, converted, and analysed like any photo.
ACCEPTED = [
    ("cmyk-jpeg", images.cmyk_jpeg, "cmyk.jpg", "image/jpeg"),
    ("16-bit-png", images.png_16bit, "deep.png", "image/png"),
    ("alpha-png", images.rgba_png, "alpha.png", "image/png"),
    ("png-claimed-as-pdf", images.face_png, "face.pdf", "application/pdf"),
]

# Valid uploads whose outcome only the analysis knows.
ANALYSED = [
    ("no-face", images.no_face_jpeg, "failed", "couldn't find a face"),
    ("five-faces", images.five_faces_jpeg, "done", ""),
    ("cmyk", images.cmyk_jpeg, "done", ""),
    ("16-bit", images.png_16bit, "done", ""),
    ("alpha", images.rgba_png, "done", ""),
    *[(f"orientation-{n}", lambda n=n: images.oriented_face_jpeg(n), "done", "") for n in range(1, 9)],
]


def as_upload(data: bytes, name: str, content_type: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def assert_nothing_written():
    assert not CheckIn.objects.exists()
    assert not CheckInFrame.objects.exists()
    assert not FaceResult.objects.exists()
    assert images.stored_files() == []


class TestApi:
    @pytest.mark.parametrize("case, make, name, content_type, codes, words", REJECTED, ids=[c[0] for c in REJECTED])
    def test_bad_uploads_are_refused_with_a_message(self, api, case, make, name, content_type, codes, words):
        response = api.post(LIST, {"image": as_upload(make(), name, content_type)}, format="multipart")

        assert response.status_code in codes, response.content
        detail = message(response)
        assert detail and words in detail
        assert_nothing_written()

    @pytest.mark.parametrize("case, make, name, content_type, codes, words", REJECTED, ids=[c[0] for c in REJECTED])
    def test_a_bad_frame_in_a_burst_is_refused(self, api, case, make, name, content_type, codes, words):
        frames = [as_upload(images.face_jpeg(), "f0.jpg", "image/jpeg"), as_upload(make(), name, content_type)]
        response = api.post(LIST, {"frames": frames}, format="multipart")

        assert response.status_code in codes, response.content
        assert "Frame 2" in message(response)
        assert_nothing_written()

    def test_a_file_over_the_size_limit_is_a_413(self, api, settings):
        settings.MAX_UPLOAD_BYTES = 100_000
        response = api.post(LIST, {"image": as_upload(images.face_png(), "big.png", "image/png")}, format="multipart")

        assert response.status_code == 413
        assert "limit" in message(response)
        assert_nothing_written()

    def test_too_many_frames_is_a_400(self, api, settings):
        frames = [
            as_upload(images.face_jpeg(), f"f{i}.jpg", "image/jpeg") for i in range(settings.MAX_BURST_FRAMES + 1)
        ]
        response = api.post(LIST, {"frames": frames}, format="multipart")

        assert response.status_code == 400
        assert "Too many frames" in message(response)
        assert_nothing_written()

    def test_more_files_than_the_parser_accepts_is_a_400_not_a_crash(self, api, settings):
        count = settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1
        frames = [as_upload(images.TEXT, f"f{i}.jpg", "image/jpeg") for i in range(count)]
        response = api.post(LIST, {"frames": frames}, format="multipart")

        assert response.status_code == 400
        assert "Too many" in message(response)
        assert_nothing_written()

    def test_a_malformed_content_length_is_not_a_server_error(self, api):
        response = api.post(LIST, {"emotion": "sadness"}, format="json", CONTENT_LENGTH="lots")

        assert response.status_code < 500

    def test_a_body_larger_than_a_full_burst_is_a_413_before_parsing(self, api, settings):
        settings.MAX_UPLOAD_BYTES = 1000
        settings.MAX_BURST_FRAMES = 2
        response = api.post(LIST, {"image": as_upload(b"x" * 100_000, "big.jpg", "image/jpeg")}, format="multipart")

        assert response.status_code == 413
        assert_nothing_written()

    def test_an_animated_gif_is_refused(self, api):
        response = api.post(LIST, {"image": as_upload(images.animated_gif(), "a.gif", "image/gif")}, format="multipart")

        assert response.status_code == 400
        assert "not supported" in message(response)
        assert_nothing_written()

    @pytest.mark.parametrize("case, make, name, content_type", ACCEPTED, ids=[c[0] for c in ACCEPTED])
    def test_unusual_but_valid_images_are_accepted_and_handed_to_the_worker_as_sent(
        self, api, on_commit, monkeypatch, case, make, name, content_type
    ):
        monkeypatch.setattr("detection.tasks.check_in_analyze_task.delay", lambda _id: None)
        data = make()
        with on_commit():
            response = api.post(LIST, {"image": as_upload(data, name, content_type)}, format="multipart")

        assert response.status_code == 202, response.content
        # The web process decoded nothing: the worker gets the bytes, and writes a file only for a keeper.
        assert store.images_get(CheckIn.objects.get().image_keys) == [data]
        assert images.stored_files() == []

    @pytest.mark.parametrize(
        "make", [images.face_jpeg, lambda: images.oriented_face_jpeg(6), *[c[1] for c in ACCEPTED]]
    )
    def test_the_web_process_accepts_an_upload_without_decoding_a_pixel(self, api, monkeypatch, make):
        data = make()

        decoded = []  # recorded, not raised: a caller that swallows errors must not hide a decode
        monkeypatch.setattr("detection.tasks.check_in_analyze_task.delay", lambda _id: None)
        monkeypatch.setattr(ImageFile.ImageFile, "load", lambda image, *args: decoded.append(image.format))
        response = api.post(LIST, {"image": as_upload(data, "x.jpg", "image/jpeg")}, format="multipart")

        assert response.status_code == 202, response.content
        assert decoded == [], "the web process decoded pixels"

    @pytest.mark.usefixtures("model_required")
    @pytest.mark.parametrize("case, make, name, content_type", ACCEPTED, ids=[c[0] for c in ACCEPTED])
    def test_a_keepers_unusual_image_is_kept_as_a_clean_jpeg(
        self, api, user, on_commit, case, make, name, content_type
    ):
        user.keep_images = True
        user.save()
        with on_commit():
            response = api.post(LIST, {"image": as_upload(make(), name, content_type)}, format="multipart")

        assert response.status_code == 202, response.content
        assert CheckIn.objects.get().status == "done"
        [stored] = images.stored_files()
        assert stored.read_bytes()[:3] == b"\xff\xd8\xff"

    @pytest.mark.usefixtures("model_required")
    @pytest.mark.parametrize("case, make, status, words", ANALYSED, ids=[c[0] for c in ANALYSED])
    def test_analysis_outcome(self, api, on_commit, case, make, status, words):
        with on_commit():
            created = api.post(LIST, {"image": as_upload(make(), "x.jpg", "image/jpeg")}, format="multipart")
        assert created.status_code == 202

        body = api.get(created.json()["url"]).json()

        assert body["status"] == status, body["error"]
        if status == "failed":
            assert words in body["error"]
            assert body["faces"] == []
        else:
            assert body["top_emotion"] in EMOTIONS
            assert len(body["faces"]) == (5 if case == "five-faces" else 1)


class TestPage:
    @pytest.mark.parametrize("case, make, name, content_type, codes, words", REJECTED, ids=[c[0] for c in REJECTED])
    def test_bad_uploads_show_the_message_on_the_page(self, logged_in, case, make, name, content_type, codes, words):
        response = logged_in.post("/feel/", {"image": as_upload(make(), name, content_type)})

        assert response.status_code in codes
        assert b'role="alert"' in response.content
        assert words.encode() in response.content
        assert_nothing_written()

    def test_a_file_over_the_size_limit_is_refused_on_the_page(self, logged_in, settings):
        settings.MAX_UPLOAD_BYTES = 100_000
        response = logged_in.post("/feel/", {"image": as_upload(images.face_png(), "big.png", "image/png")})

        assert response.status_code == 413
        assert b"limit" in response.content
        assert_nothing_written()

    def test_more_files_than_the_parser_accepts_is_a_400_on_the_page(self, logged_in, settings):
        files = [
            as_upload(images.TEXT, f"f{i}.jpg", "image/jpeg") for i in range(settings.DATA_UPLOAD_MAX_NUMBER_FILES + 1)
        ]
        response = logged_in.post("/feel/", {"image": files})

        assert response.status_code == 400
        assert_nothing_written()

    def test_several_photos_at_once_are_refused_on_the_page(self, logged_in):
        photos = [as_upload(images.face_jpeg(), f"p{i}.jpg", "image/jpeg") for i in range(2)]
        response = logged_in.post("/feel/", {"image": photos})

        assert response.status_code == 400
        assert b"one photo at a time" in response.content
        assert_nothing_written()

    def test_no_file_at_all_asks_for_a_photo(self, logged_in):
        response = logged_in.post("/feel/", {})
        assert response.status_code == 400
        assert b"Choose a photo" in response.content
        assert_nothing_written()

    @pytest.mark.parametrize("case, make, name, content_type", ACCEPTED, ids=[c[0] for c in ACCEPTED])
    def test_unusual_but_valid_images_lead_to_the_result_page(
        self, logged_in, on_commit, monkeypatch, case, make, name, content_type
    ):
        monkeypatch.setattr("detection.tasks.check_in_analyze_task.delay", lambda _id: None)
        with on_commit():
            response = logged_in.post("/feel/", {"image": as_upload(make(), name, content_type)})

        check_in = CheckIn.objects.get()
        assert response.status_code == 302
        assert response["Location"] == f"/checkins/{check_in.pk}/"

    @pytest.mark.usefixtures("model_required")
    def test_no_face_shows_the_message_and_offers_upload_and_manual(self, logged_in, on_commit):
        with on_commit():
            response = logged_in.post("/feel/", {"image": as_upload(images.no_face_jpeg(), "x.jpg", "image/jpeg")})

        result = logged_in.get(response["Location"])

        assert b"find a face" in result.content
        assert b"#upload" in result.content and b"#manual" in result.content

    @pytest.mark.usefixtures("model_required")
    @pytest.mark.parametrize("orientation", range(1, 9))
    def test_every_exif_orientation_gives_a_result(self, logged_in, on_commit, orientation):
        data = images.oriented_face_jpeg(orientation)
        with on_commit():
            response = logged_in.post("/feel/", {"image": as_upload(data, "x.jpg", "image/jpeg")})

        check_in = CheckIn.objects.get()
        assert check_in.status == "done", check_in.error
        assert logged_in.get(response["Location"]).status_code == 200

    @pytest.mark.usefixtures("model_required")
    def test_five_faces_are_all_offered_to_pick_from(self, logged_in, on_commit):
        with on_commit():
            response = logged_in.post("/feel/", {"image": as_upload(images.five_faces_jpeg(), "x.jpg", "image/jpeg")})

        result = logged_in.get(response["Location"])
        assert b"5 faces found" in result.content
        assert result.content.count(b'name="face"') == 5
