"""On-device analysis in Chromium: the browser finds and reads the faces itself and sends only the
result. Checked against the server's own analysis of the same files, and by reading every request
body the page sends: none carries image bytes."""

import re
from pathlib import Path

import pytest
from django.conf import settings

from accounts.tests.factories import UserFactory
from detection.models import CheckIn
from detection.templatetags.ondevice import device_assets
from detection.tests import images
from music.tests.factories import load_starter_catalog
from tests.browser.conftest import camera_page  # noqa: F401  (a fixture)
from tests.browser.harness import DESKTOP, PHONE
from tests.browser.test_detection_browser import write_y4m

pytestmark = [pytest.mark.browser, pytest.mark.embedded, pytest.mark.usefixtures("model_required", "runtime_required")]
PHOTOS = Path(settings.BASE_DIR).parent / "shared" / "data" / "photos"
MAX_L1 = 0.05  # per face, between the two sides' probabilities
# What image bytes look like in a request body: raw JPEG, PNG and WebP, a data URL, base64 JPEG or PNG.
IMAGE_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG", b"WEBP", b"data:image", b"/9j/", b"iVBORw0KGgo")


@pytest.fixture
def runtime_required():
    skip_without_runtime()


def skip_without_runtime():
    static = Path(settings.BASE_DIR) / "static"
    assets = device_assets()
    missing = [
        url
        for url in (assets["pipeline"], assets["runtime"])
        if not (static / url.removeprefix(settings.STATIC_URL)).is_file()
    ]
    if missing:
        pytest.skip(f"the on-device runtime or models are not installed ({', '.join(missing)}): run bin/setup")


@pytest.fixture
def user(db):
    load_starter_catalog()
    return UserFactory(consented=True)


def record_bodies(page) -> list[bytes]:
    bodies = []
    page.on("request", lambda request: bodies.append(request.post_data_buffer or b""))
    return bodies


def assert_no_image_bytes(bodies: list[bytes]) -> None:
    for body in bodies:
        for signature in IMAGE_SIGNATURES:
            assert signature not in body, f"a request carried image bytes ({signature!r})"


def choose_on_device(page) -> None:
    switch = page.get_by_role("checkbox", name=re.compile("on this device"))
    switch.wait_for()
    switch.check()


def iou(a, b) -> float:
    ix = max(0, min(a[0] + a[2], b[0] + b[2]) - max(a[0], b[0]))
    iy = max(0, min(a[1] + a[3], b[1] + b[3]) - max(a[1], b[1]))
    return ix * iy / max(a[2] * a[3] + b[2] * b[3] - ix * iy, 1e-9)


def analyse_on_device(page, path: Path) -> CheckIn:
    page.goto("/feel/")
    choose_on_device(page)
    page.set_input_files("#image-input", str(path))
    page.click("#upload-submit")
    page.wait_for_url(re.compile(r"/checkins/\d+/$"), timeout=60_000)
    return CheckIn.objects.filter(owner=page.user).latest("id")


def test_on_device_analysis_of_the_shared_photos_agrees_with_the_server(new_page, user):
    from ml.inference import get_recognizer

    photos = sorted(PHOTOS.glob("*.jpg"))
    if not photos:
        pytest.skip(f"no photos at {PHOTOS} (../shared/data is absent on this machine)")
    page = new_page(user=user)
    page.user = user
    bodies = record_bodies(page)
    recognizer = get_recognizer(str(settings.EMOTION_MODEL_PATH))
    for path in photos:
        check_in = analyse_on_device(page, path)
        assert check_in.analysed_on == "device" and check_in.status == "done", path.name
        stored = list(check_in.faces.all())
        server = recognizer.analyze(path.read_bytes())
        assert len(stored) >= len(server.faces), path.name
        for face in server.faces:
            match = max(stored, key=lambda f: iou(f.box, face.box))
            assert iou(match.box, face.box) > 0.8, (path.name, face.box, match.box)
            assert match.top_emotion == face.top_emotion, path.name
            distance = sum(abs(match.probabilities[k] - face.probabilities[k]) for k in face.probabilities)
            assert distance <= MAX_L1, (path.name, distance)
    assert_no_image_bytes(bodies)
    assert page.external_requests == []


@pytest.mark.parametrize("decoder", [True, False], ids=["image-decoder", "full-size-decode"])
def test_a_large_sideways_phone_photo_agrees_with_the_server(new_page, user, tmp_path, decoder):
    """A phone photo: large, its pixels stored sideways with an EXIF orientation that turns them
    upright. Where WebCodecs' ImageDecoder exists the browser decodes the JPEG at the server's DCT
    scale; without it, at full size. Either way it reads the upright picture the server reads."""
    from PIL import Image

    from ml.inference import get_recognizer

    upright = Image.fromarray(images.astronaut()).resize((1600, 1200))
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # orientation 6 turns it back
    exif = Image.Exif()
    exif[0x0112] = 6
    path = tmp_path / "phone.jpg"
    stored.save(path, quality=92, exif=exif.tobytes())
    page = new_page(user=user)
    page.user = user
    if not decoder:
        page.add_init_script("delete window.ImageDecoder;")
    check_in = analyse_on_device(page, path)
    assert check_in.status == "done" and (check_in.image_width, check_in.image_height) == (1600, 1200)
    server = get_recognizer(str(settings.EMOTION_MODEL_PATH)).analyze(path.read_bytes())
    assert server.faces
    stored_faces = list(check_in.faces.all())
    for face in server.faces:
        match = max(stored_faces, key=lambda f: iou(f.box, face.box))
        assert iou(match.box, face.box) > 0.8, (face.box, match.box)
        assert match.top_emotion == face.top_emotion
        assert sum(abs(match.probabilities[k] - face.probabilities[k]) for k in face.probabilities) <= MAX_L1


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_the_choice_and_its_result_on_desktop_and_phone(new_page, user, screenshot, tmp_path, viewport):
    photo = tmp_path / "selfie.jpg"
    photo.write_bytes(images.face_jpeg())
    page = new_page(viewport=viewport, user=user)
    page.user = user
    bodies = record_bodies(page)
    page.goto("/feel/")
    choose_on_device(page)
    page.set_input_files("#image-input", str(photo))
    screenshot("on-device chosen", page=page)
    page.click("#upload-submit")
    page.wait_for_url(re.compile(r"/checkins/\d+/$"), timeout=60_000)
    assert page.text_content("#top-emotion") == "happiness"
    assert "on this device" in page.text_content("main")
    screenshot("on-device result", page=page)
    check_in = CheckIn.objects.get(owner=user)
    assert check_in.analysed_on == "device" and check_in.recommendations.exists()
    assert_no_image_bytes(bodies)
    # The choice is remembered for the next visit (the profile's setting).
    user.refresh_from_db()
    assert user.analyse_on_device


def test_a_webcam_burst_is_analysed_on_the_device(camera_page, user, tmp_path):  # noqa: F811
    video = write_y4m(tmp_path / "face.y4m", images.astronaut())
    page = camera_page(video, user)
    page.user = user
    bodies = record_bodies(page)
    page.goto("/feel/")
    choose_on_device(page)
    page.click("#webcam-start")
    page.wait_for_selector("#webcam-capture:not([hidden])")
    page.click("#webcam-capture")
    page.wait_for_url(re.compile(r"/checkins/\d+/$"), timeout=60_000)
    check_in = CheckIn.objects.get(owner=user)
    assert (check_in.kind, check_in.analysed_on, check_in.status) == ("webcam", "device", "done")
    assert check_in.faces.count() >= 1
    assert_no_image_bytes(bodies)


def test_without_webassembly_the_server_analyses_and_the_page_hides_the_choice(new_page, user, tmp_path):
    photo = tmp_path / "selfie.jpg"
    photo.write_bytes(images.face_jpeg())
    page = new_page(user=user)
    page.add_init_script("delete window.WebAssembly")
    page.goto("/feel/")
    page.wait_for_load_state("networkidle")
    assert page.locator("#on-device-choice").is_hidden()
    page.set_input_files("#image-input", str(photo))
    page.click("#upload-submit")
    page.wait_for_url(re.compile(r"/checkins/\d+/$"))
    page.wait_for_selector("#top-emotion")
    assert CheckIn.objects.get(owner=user).analysed_on == "server"


def test_when_the_models_fail_to_load_nothing_is_sent_and_the_page_says_so(new_page, user, tmp_path):
    photo = tmp_path / "selfie.jpg"
    photo.write_bytes(images.face_jpeg())
    page = new_page(user=user)
    page.route("**/*.tflite", lambda route: route.fulfill(status=404, body="gone"))
    page.goto("/feel/")
    choose_on_device(page)
    page.set_input_files("#image-input", str(photo))
    page.click("#upload-submit")
    page.wait_for_selector("#feel-error:not([hidden])", timeout=30_000)
    assert "couldn't analyse it on this device" in page.text_content("#on-device-status")
    assert not CheckIn.objects.exists()
    # The switch is off now: the same button takes the server path.
    assert not page.get_by_role("checkbox", name=re.compile("on this device")).is_checked()
    page.click("#upload-submit")
    page.wait_for_url(re.compile(r"/checkins/\d+/$"))
    page.wait_for_selector("#top-emotion")
    assert CheckIn.objects.get(owner=user).analysed_on == "server"
