"""On-device analysis (POST /api/v1/checkins/on-device/): a browser's results are stored as a server
analysis would store them, and every malformed body is a 400 with a message that writes nothing."""

import json

import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from accounts.tokens import api_token_create
from detection import fusion
from detection.messages import NO_FACE_PHOTO, NO_FACE_WEBCAM
from detection.models import CheckIn, CheckInFrame, FaceResult
from detection.ondevice import known_model_version
from ml.labels import EMOTIONS
from music.models import Recommendation
from music.tests.factories import load_starter_catalog
from tests.errors import errors, message

pytestmark = pytest.mark.django_db
URL = "/api/v1/checkins/on-device/"
SCARED = "I'm really scared and nervous about tomorrow"


def probabilities(top: str, share: float = 0.65) -> dict[str, float]:
    rest = (1 - share) / (len(EMOTIONS) - 1)
    return {name: share if name == top else rest for name in EMOTIONS}


def face(box=(100, 80, 120, 120), top="happiness", share=0.65, quality=0.8) -> dict:
    return {"box": list(box), "probabilities": probabilities(top, share), "quality": quality}


def frame(*faces, width=640, height=480) -> dict:
    return {"width": width, "height": height, "faces": list(faces)}


def results(kind="upload", frames=None, **extra) -> dict:
    frames = [frame(face())] if frames is None else frames
    return {"kind": kind, "model_version": known_model_version(), "frames": frames, **extra}


def rows() -> tuple[int, ...]:
    return (
        CheckIn.objects.count(),
        FaceResult.objects.count(),
        CheckInFrame.objects.count(),
        Recommendation.objects.count(),
    )


@pytest.fixture
def catalog(db):
    load_starter_catalog()


def test_the_owner_gets_a_done_check_in_analysed_on_the_device(api, user, catalog):
    response = api.post(URL, results(), format="json")

    assert response.status_code == 201, response.content
    body = response.json()
    assert response["Location"] == body["url"] == f"/api/v1/checkins/{body['id']}/"
    assert (body["kind"], body["status"], body["analysed_on"]) == ("upload", "done", "device")
    assert body["top_emotion"] == "happiness" and body["confidence"] == pytest.approx(0.65)
    assert body["image_size"] == [640, 480] and not body["has_image"]
    [stored] = body["faces"]
    assert stored["box"] == [100, 80, 120, 120] and stored["selected"]
    assert len(body["recommendation"]["items"]) == 10
    check_in = CheckIn.objects.get(pk=body["id"])
    assert check_in.owner == user and check_in.image_keys == [] and not check_in.frames.exists()
    assert check_in.started_at == check_in.created_at <= check_in.finished_at
    assert check_in.recommendations.exists()


def test_a_token_works_as_for_the_other_check_in_routes(user):
    token, _ = api_token_create(user)
    response = APIClient().post(URL, results(), format="json", HTTP_AUTHORIZATION=f"Token {token}")
    assert response.status_code == 201, response.content


def test_an_outsider_cannot_read_it(api, outsider):
    created = api.post(URL, results(), format="json").json()
    client = APIClient()
    client.force_authenticate(outsider)
    assert client.get(created["url"]).status_code == 404


def test_anonymous_callers_are_refused(api_client):
    assert api_client.post(URL, results(), format="json").status_code == 401
    assert rows() == (0, 0, 0, 0)


def test_without_consent_it_is_a_403(api_client):
    api_client.force_authenticate(UserFactory())
    response = api_client.post(URL, results(), format="json")
    assert response.status_code == 403
    assert response.json()["errors"][0]["code"] == "consent_required"
    assert rows() == (0, 0, 0, 0)


def test_in_a_photo_of_two_faces_you_are_the_larger(api):
    small, large = face((10, 10, 60, 60), top="anger"), face((300, 100, 200, 220), top="sadness", share=0.7)
    body = api.post(URL, results(frames=[frame(small, large)]), format="json").json()

    assert body["top_emotion"] == "sadness" and body["confidence"] == pytest.approx(0.7)
    assert [f["selected"] for f in body["faces"]] == [False, True]
    assert body["faces"][1]["box"] == [300, 100, 200, 220]


def test_a_burst_is_the_quality_weighted_mix_with_you_in_the_best_frame(api):
    sent = [
        face(top="happiness", share=0.9, quality=0.9),
        face(top="sadness", share=0.6, quality=0.3),
        face(top="neutral", share=0.5, quality=0.0),  # too blurry: left out of the mix
    ]
    body = api.post(URL, results("webcam", [frame(f) for f in sent]), format="json").json()

    assert body["status"] == "done" and body["kind"] == "webcam"
    # ml.inference.aggregate_faces: each main face weighs its quality x confidence.
    weights = [f["quality"] * max(f["probabilities"].values()) for f in sent]
    expected = {n: sum(w * f["probabilities"][n] for w, f in zip(weights, sent, strict=True)) for n in EMOTIONS}
    expected = {n: v / sum(weights) for n, v in expected.items()}
    assert body["emotions"] == pytest.approx(expected, abs=1e-5)
    assert body["top_emotion"] == "happiness"
    assert [f["frame"] for f in body["faces"] if f["selected"]] == [0]
    assert len(body["faces"]) == 3


def test_a_photo_without_a_face_fails_with_the_servers_message(api):
    response = api.post(URL, results(frames=[frame()]), format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["status"], body["error"], body["analysed_on"]) == ("failed", NO_FACE_PHOTO, "device")
    assert rows() == (1, 0, 0, 0)


def test_a_burst_without_a_usable_face_fails_with_the_servers_message(api):
    blurry = frame(face(quality=0.0))
    body = api.post(URL, results("webcam", [frame(), blurry]), format="json").json()
    assert (body["status"], body["error"]) == ("failed", NO_FACE_WEBCAM)
    assert FaceResult.objects.count() == 0


def test_words_fuse_with_the_face_as_for_a_photo(api):
    body = api.post(URL, results(text=SCARED), format="json").json()

    assert body["status"] == "done" and body["read_from"] == "face and words"
    face_reading, words_reading = body["readings"]["face"], body["readings"]["words"]
    assert face_reading["top"] == "happiness" and words_reading["top"] == "fear"
    assert body["emotions"] == pytest.approx(fusion.fuse(face_reading, words_reading)["emotions"], abs=1e-5)
    assert body["text"] == SCARED


def test_words_can_be_left_unkept(api):
    body = api.post(URL, results(text=SCARED, keep_text=False), format="json").json()
    assert body["text"] is None and body["readings"]["words"]["top"] == "fear"


def test_the_result_page_says_no_image_was_sent(api, logged_in):
    created = api.post(URL, results(), format="json").json()
    page = logged_in.get(f"/checkins/{created['id']}/").content.decode()
    assert "Analysed on this device — no image was sent." in page
    assert "Your photo is deleted" not in page


def test_the_feel_page_knows_whether_to_analyse_on_the_device(logged_in, user):
    assert logged_in.get("/feel/").context["analyse_on_device"] is False
    user.analyse_on_device = True
    user.save(update_fields=["analyse_on_device"])
    assert logged_in.get("/feel/").context["analyse_on_device"] is True


def test_the_export_says_where_it_was_analysed(api):
    api.post(URL, results(), format="json")
    export = api.get("/api/v1/me/export/").json()
    assert [c["analysed_on"] for c in export["detection"]] == ["device"]
    assert export["user"]["analyse_on_device"] is False


def test_a_page_out_of_date_is_told_to_reload(api):
    response = api.post(URL, {**results(), "model_version": "emotion-000000000000"}, format="json")
    assert response.status_code == 400
    assert "reload" in errors(response)["model_version"][0]
    assert rows() == (0, 0, 0, 0)


def test_it_shares_the_check_in_throttle_with_uploads(api, settings):
    from django.core.cache import cache
    from rest_framework.throttling import ScopedRateThrottle

    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "check_ins": "2/min"}
    original = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = rates
    cache.clear()
    try:
        codes = [
            api.post("/api/v1/checkins/", {"emotion": "neutral"}, format="json").status_code,
            api.post(URL, results(), format="json").status_code,
            api.post(URL, results(), format="json").status_code,
        ]
    finally:
        ScopedRateThrottle.THROTTLE_RATES = original
        cache.clear()
    assert codes == [201, 201, 429]


def test_a_body_over_its_limit_is_refused_before_it_is_read(api, settings):
    padding = "x" * settings.REQUEST_BODY_LIMITS["on_device"]
    response = api.post(URL, results(text=padding), format="json")
    assert response.status_code == 413
    assert response.json()["errors"][0]["code"] == "request_too_large"
    assert rows() == (0, 0, 0, 0)


def _set(path: str, value):
    """A change to the good body: `value` at `path` (dots; list indexes as numbers); DELETE removes it."""

    def change(body):
        *parents, last = path.split(".")
        target = body
        for part in parents:
            target = target[int(part)] if isinstance(target, list) else target[part]
        key = int(last) if isinstance(target, list) else last
        if value is DELETE:
            del target[key]
        else:
            target[key] = value
        return body

    return change


DELETE = object()
FACE = "frames.0.faces.0"
BAD = {
    "a label missing": (_set(f"{FACE}.probabilities.contempt", DELETE), f"{FACE}.probabilities.contempt"),
    "an unknown label": (_set(f"{FACE}.probabilities.joy", 0.0), f"{FACE}.probabilities.joy"),
    "a negative probability": (_set(f"{FACE}.probabilities.neutral", -0.01), f"{FACE}.probabilities.neutral"),
    "a probability above 1": (_set(f"{FACE}.probabilities.neutral", 1.5), f"{FACE}.probabilities.neutral"),
    "probabilities not summing to 1": (
        _set(f"{FACE}.probabilities", dict.fromkeys(EMOTIONS, 0.1)),
        f"{FACE}.probabilities",
    ),
    "a probability as text": (_set(f"{FACE}.probabilities.neutral", "0.05"), f"{FACE}.probabilities.neutral"),
    "a probability as true": (_set(f"{FACE}.probabilities.neutral", True), f"{FACE}.probabilities.neutral"),
    "a quality above 1": (_set(f"{FACE}.quality", 2), f"{FACE}.quality"),
    "a quality missing": (_set(f"{FACE}.quality", DELETE), f"{FACE}.quality"),
    "too many faces": (_set("frames.0.faces", [face()] * 21), "frames.0.faces"),
    "no frame": (_set("frames", []), "frames"),
    "a photo of two frames": (_set("frames", [frame(face()), frame(face())]), "frames"),
    "a burst of too many frames": (
        lambda body: {**body, "kind": "webcam", "frames": [frame(face())] * 9},
        "frames",
    ),
    "a box outside the image": (_set(f"{FACE}.box", [600, 80, 120, 120]), f"{FACE}.box"),
    "a box below the image": (_set(f"{FACE}.box", [100, 400, 120, 120]), f"{FACE}.box"),
    "a negative box": (_set(f"{FACE}.box", [-5, 80, 120, 120]), f"{FACE}.box.0"),
    "a zero-size box": (_set(f"{FACE}.box", [100, 80, 0, 120]), f"{FACE}.box"),
    "a box of three numbers": (_set(f"{FACE}.box", [100, 80, 120]), f"{FACE}.box"),
    "a box number as text": (_set(f"{FACE}.box", ["100", 80, 120, 120]), f"{FACE}.box.0"),
    "a width as text": (_set("frames.0.width", "640"), "frames.0.width"),
    "a width that is not whole": (_set("frames.0.width", 640.5), "frames.0.width"),
    "a zero height": (_set("frames.0.height", 0), "frames.0.height"),
    "a photo over the pixel cap": (_set("frames.0", frame(width=5000, height=5000)), "frames.0"),
    "a burst frame over its pixel cap": (
        lambda body: {**body, "kind": "webcam", "frames": [frame(width=2000, height=1200)]},
        "frames.0",
    ),
    "a frame without its width": (_set("frames.0.width", DELETE), "frames.0.width"),
    "faces as an object": (_set("frames.0.faces", {"0": face()}), "frames.0.faces"),
    "frames as text": (_set("frames", "[]"), "frames"),
    "an unknown kind": (_set("kind", "manual"), "kind"),
    "a kind as a number": (_set("kind", 1), "kind"),
    "no model version": (_set("model_version", DELETE), "model_version"),
    "an unknown top-level field": (_set("image", "data:image/jpeg;base64,AAAA"), "image"),
    "an unknown field of a frame": (_set("frames.0.pixels", [0, 0, 0]), "frames.0.pixels"),
    "an unknown field of a face": (_set(f"{FACE}.label", "me"), f"{FACE}.label"),
    "blank words": (_set("text", "   "), "text"),
}


@pytest.mark.parametrize("change", BAD.values(), ids=BAD.keys())
def test_a_malformed_body_is_a_400_with_a_message_and_writes_nothing(api, change):
    mutate, attr = change
    response = api.post(URL, mutate(results()), format="json")

    assert response.status_code == 400, response.content
    assert errors(response).get(attr), (attr, errors(response))
    assert rows() == (0, 0, 0, 0)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_numbers_json_cannot_hold_are_a_400(api, constant):
    raw = json.dumps(results()).replace('"quality": 0.8', f'"quality": {constant}')
    assert constant in raw
    response = api.post(URL, raw, content_type="application/json")
    assert response.status_code == 400 and message(response)
    assert rows() == (0, 0, 0, 0)


def test_a_number_too_large_for_a_float_is_a_400(api):
    raw = json.dumps(results()).replace('"quality": 0.8', '"quality": 1e400')
    response = api.post(URL, raw, content_type="application/json")
    assert response.status_code == 400 and errors(response)[f"{FACE}.quality"]


def test_a_body_that_is_not_an_object_is_a_400(api):
    for raw in ("[]", '"upload"', "{", ""):
        response = api.post(URL, raw, content_type="application/json")
        assert response.status_code == 400 and message(response), raw
    assert rows() == (0, 0, 0, 0)
