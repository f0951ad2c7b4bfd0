import threading
import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory
from detection import services, store
from detection.models import CheckIn
from detection.tests import images
from detection.tests.factories import CheckInFactory, FaceResultFactory, kept_frame
from ml.labels import EMOTIONS
from music.tests.factories import load_starter_catalog

pytestmark = pytest.mark.django_db
LIST = "/api/v1/checkins/"
DETAIL_KEYS = {
    "id", "kind", "status", "error", "created_at", "finished_at", "top_emotion", "confidence", "emotions", "faces",
    "recommendation",
}  # fmt: skip


def photo(data=None, name="selfie.jpg"):
    return SimpleUploadedFile(name, data if data is not None else images.face_jpeg(), content_type="image/jpeg")


@pytest.fixture
def no_worker(monkeypatch):
    """Queue without analysing, to look at the queued state."""
    queued = []
    monkeypatch.setattr("detection.tasks.check_in_analyze_task.delay", queued.append)
    return queued


def test_posting_a_photo_answers_202_with_id_status_and_url(api, on_commit, no_worker):
    with on_commit():
        response = api.post(LIST, {"image": photo()}, format="multipart")

    assert response.status_code == 202, response.content
    body = response.json()
    assert body["status"] == "queued"
    assert body["url"] == f"/api/v1/checkins/{body['id']}/"
    assert no_worker == [body["id"]]


def test_with_prefer_wait_a_photo_analysed_meanwhile_answers_201_with_the_result(api, monkeypatch, model_required):
    """`Prefer: wait=S`: the answer waits for the analysis (here a worker finishes it at once, while
    the request is still open: queued, the task runs on the spot)."""
    monkeypatch.setattr("detection.services.transaction.on_commit", lambda callback, **kwargs: callback())
    monkeypatch.setattr("detection.tasks.check_in_analyze_task.delay", services.check_in_analyze)
    response = api.post(LIST, {"image": photo()}, format="multipart", HTTP_PREFER="wait=5")

    assert response.status_code == 201, response.content
    assert response["Preference-Applied"] == "wait=5"
    body = response.json()
    assert body["status"] == "done" and body["top_emotion"] == "happiness" and len(body["faces"]) == 1


def test_without_prefer_wait_nothing_is_held_or_applied(api, on_commit, no_worker):
    with on_commit():
        response = api.post(LIST, {"image": photo()}, format="multipart", HTTP_PREFER="respond-async")

    assert response.status_code == 202 and "Preference-Applied" not in response


def test_posting_a_burst_creates_a_webcam_check_in(api, on_commit, no_worker):
    with on_commit():
        response = api.post(LIST, {"frames": [photo() for _ in range(5)]}, format="multipart")

    assert response.status_code == 202, response.content
    check_in = CheckIn.objects.get(pk=response.json()["id"])
    assert check_in.kind == "webcam"
    # On their way to a worker through the image store, nothing on this process's disk.
    assert len(store.images_get(check_in.image_keys)) == 5
    assert not check_in.frames.exists() and images.stored_files() == []


def test_posting_an_emotion_records_a_manual_mood(api):
    response = api.post(LIST, {"emotion": "calm"}, format="json")
    assert response.status_code == 400

    response = api.post(LIST, {"emotion": "fear"}, format="json")
    assert response.status_code == 201
    assert response.json()["top_emotion"] == "fear"
    assert response.json()["status"] == "done"


def test_a_manual_check_in_is_its_one_emotion_with_no_confidence(api):
    body = api.post(LIST, {"emotion": "sadness"}, format="json").json()

    assert body["emotions"] == {name: (1.0 if name == "sadness" else 0.0) for name in EMOTIONS}
    assert body["confidence"] is None and body["low_confidence"] is False
    assert body["finished_at"] >= body["created_at"]
    stored = api.get(body["url"]).json()
    assert stored["confidence"] is None and stored["finished_at"] >= stored["created_at"]


def test_sending_both_image_and_frames_or_nothing_is_a_400(api):
    assert api.post(LIST, {}, format="multipart").status_code == 400
    both = api.post(LIST, {"image": photo(), "frames": [photo()]}, format="multipart")
    assert both.status_code == 400
    assert "exactly one" in str(both.json())
    assert not CheckIn.objects.exists()


@pytest.mark.parametrize("body", [[1, 2], "fear", None, {"emotion": ["fear"]}, {"emotion": 7}])
def test_malformed_json_bodies_are_a_400(api, body):
    response = api.post(LIST, body, format="json")
    assert response.status_code == 400
    assert not CheckIn.objects.exists()


def test_without_consent_creating_is_forbidden():
    client = APIClient()
    client.force_authenticate(UserFactory())
    response = client.post(LIST, {"image": photo()}, format="multipart")
    assert response.status_code == 403
    assert not CheckIn.objects.exists()


def test_list_shows_only_my_check_ins_newest_first(api, user, outsider):
    older = CheckInFactory(owner=user, done=True)
    newer = CheckInFactory(owner=user)
    CheckInFactory(owner=outsider)

    body = api.get(LIST).json()

    assert body["count"] == 2
    assert [item["id"] for item in body["results"]] == [newer.pk, older.pk]


def test_detail_has_the_documented_shape(api, user):
    face = FaceResultFactory(check_in=CheckInFactory(owner=user, done=True))
    face.check_in.selected_face = face
    face.check_in.save()

    body = api.get(f"{LIST}{face.check_in.pk}/").json()

    assert DETAIL_KEYS <= set(body)
    assert set(body["emotions"]) == set(EMOTIONS)
    assert body["faces"] == [
        {
            "id": face.pk,
            "frame": 0,
            "box": [100, 80, 120, 120],
            "emotions": face.probabilities,
            "top_emotion": "happiness",
            "confidence": 0.86,
            "selected": True,
        }
    ]
    assert body["recommendation"] is None
    assert body["error"] is None


def test_correction_is_stored_and_returned(api, user):
    check_in = CheckInFactory(owner=user, done=True, confidence=0.2)

    response = api.post(f"{LIST}{check_in.pk}/correction/", {"emotion": "surprise"}, format="json")

    assert response.status_code == 200
    assert response.json()["corrected_emotion"] == "surprise"
    assert response.json()["effective_emotion"] == "surprise"
    check_in.refresh_from_db()
    assert check_in.corrected_emotion == "surprise"


def test_correction_with_an_unknown_emotion_is_a_400(api, user):
    check_in = CheckInFactory(owner=user, done=True)
    response = api.post(f"{LIST}{check_in.pk}/correction/", {"emotion": "bored"}, format="json")
    assert response.status_code == 400
    check_in.refresh_from_db()
    assert check_in.corrected_emotion == ""


def test_face_selection_via_the_api(api, user):
    check_in = CheckInFactory(owner=user, done=True)
    FaceResultFactory(check_in=check_in)
    other = FaceResultFactory(check_in=check_in, top_emotion="anger")

    response = api.post(f"{LIST}{check_in.pk}/face/", {"face": other.pk}, format="json")

    assert response.status_code == 200
    assert response.json()["top_emotion"] == "anger"


def test_delete_answers_204_and_removes_everything(api, user, on_commit, no_worker):
    with on_commit():
        created = api.post(LIST, {"image": photo()}, format="multipart").json()
    with on_commit():
        response = api.delete(f"{LIST}{created['id']}/")

    assert response.status_code == 204
    assert not CheckIn.objects.exists()
    assert images.stored_files() == []


def test_the_image_route_streams_the_stored_jpeg_privately(api, user):
    check_in = CheckInFactory(owner=user, done=True)
    kept_frame(check_in)

    response = api.get(f"{LIST}{check_in.pk}/image/")

    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"


def test_the_image_route_is_a_404_once_the_image_is_gone(api, user):
    check_in = CheckInFactory(owner=user, done=True)
    assert api.get(f"{LIST}{check_in.pk}/image/").status_code == 404
    assert api.get(f"{LIST}{check_in.pk}/image/?frame=x").status_code == 404


@pytest.mark.parametrize("frame", ["²", "-1", "99999999999999999999999"])
def test_an_odd_frame_number_is_a_404(api, on_commit, no_worker, frame):
    with on_commit():
        created = api.post(LIST, {"image": photo()}, format="multipart").json()
    assert api.get(f"{LIST}{created['id']}/image/", {"frame": frame}).status_code == 404


def test_a_face_id_beyond_any_row_is_a_400(api, user):
    check_in = CheckInFactory(owner=user, done=True)
    assert api.post(f"{LIST}{check_in.pk}/face/", {"face": 2**70}, format="json").status_code == 400


def test_creating_is_throttled_by_the_check_ins_scope(api, settings, on_commit, no_worker):
    from django.core.cache import cache

    cache.clear()
    rates = {**settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "check_ins": "2/min"}
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": rates}
    from rest_framework.throttling import ScopedRateThrottle

    original = ScopedRateThrottle.THROTTLE_RATES
    ScopedRateThrottle.THROTTLE_RATES = rates
    try:
        codes = [api.post(LIST, {"emotion": "neutral"}, format="json").status_code for _ in range(3)]
    finally:
        ScopedRateThrottle.THROTTLE_RATES = original
        cache.clear()
    assert codes == [201, 201, 429]


def test_every_check_in_route_is_in_the_openapi_schema_with_multipart_upload(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    paths = schema["paths"]
    for route in (
        "/api/v1/checkins/",
        "/api/v1/checkins/{check_in_id}/",
        "/api/v1/checkins/{check_in_id}/correction/",
        "/api/v1/checkins/{check_in_id}/face/",
        "/api/v1/checkins/{check_in_id}/image/",
    ):
        assert route in paths, route
    create = paths["/api/v1/checkins/"]["post"]
    multipart = create["requestBody"]["content"]["multipart/form-data"]["schema"]
    ref = multipart["$ref"].split("/")[-1]
    properties = schema["components"]["schemas"][ref]["properties"]
    assert properties["image"]["format"] == "binary"
    assert properties["frames"]["items"]["format"] == "binary"
    assert "202" in create["responses"]
    assert set(paths["/api/v1/checkins/{check_in_id}/"]) >= {"get", "delete"}


def test_long_polling_answers_at_once_when_finished_and_refuses_bad_waits(api, user):
    done = CheckInFactory(owner=user, done=True)
    started = time.monotonic()
    assert api.get(f"{LIST}{done.pk}/?wait=15").json()["status"] == "done"
    assert time.monotonic() - started < 2
    assert api.get(f"{LIST}{done.pk}/?wait=abc").status_code == 400
    assert api.get(f"{LIST}{done.pk}/?wait=3600").status_code == 400


def test_long_polling_someone_elses_check_in_is_a_404_at_once(api, client):
    """The wait reads only the owner's rows: another user's check-in is missing, not waited for."""
    theirs = CheckInFactory(owner=UserFactory(consented=True))
    started = time.monotonic()
    assert api.get(f"{LIST}{theirs.pk}/?wait=15").status_code == 404
    client.force_login(UserFactory(consented=True))
    assert client.get(f"/checkins/{theirs.pk}/?wait=15").status_code == 404
    assert time.monotonic() - started < 2


def test_long_polling_gives_up_after_the_wait_with_the_current_status(api, user):
    queued = CheckInFactory(owner=user)
    started = time.monotonic()
    assert api.get(f"{LIST}{queued.pk}/?wait=0.3").json()["status"] == "queued"
    assert 0.3 <= time.monotonic() - started < 2


@pytest.mark.django_db(transaction=True)
def test_long_polling_returns_as_soon_as_the_analysis_finishes():
    user = UserFactory(consented=True)
    client = APIClient()
    client.force_authenticate(user)
    check_in = CheckInFactory(owner=user)

    def finish_soon():
        time.sleep(0.3)
        CheckIn.objects.filter(pk=check_in.pk).update(status="failed", error="We couldn't find a face.")
        connection.close()

    worker = threading.Thread(target=finish_soon)
    worker.start()
    started = time.monotonic()
    body = client.get(f"{LIST}{check_in.pk}/?wait=15").json()
    worker.join()

    assert body["status"] == "failed"
    assert time.monotonic() - started < 5


def test_the_status_answer_is_small_and_says_when_to_read_the_check_in(api, user, outsider):
    queued, done = CheckInFactory(owner=user), CheckInFactory(owner=user, done=True)
    assert api.get(f"{LIST}{queued.pk}/status/").json() == {"id": queued.pk, "status": "queued", "finished": False}
    assert api.get(f"{LIST}{done.pk}/status/?wait=15").json() == {"id": done.pk, "status": "done", "finished": True}
    assert api.get(f"{LIST}{done.pk}/status/?wait=3600").status_code == 400
    assert api.get(f"{LIST}{CheckInFactory(owner=outsider).pk}/status/").status_code == 404


def test_polling_the_status_costs_one_query(api, user, django_assert_num_queries):
    check_in = CheckInFactory(owner=user)
    with django_assert_num_queries(1):
        assert api.get(f"{LIST}{check_in.pk}/status/").json()["status"] == "queued"


def test_the_list_costs_the_same_queries_for_two_check_ins_as_for_twenty(api, user, django_assert_num_queries):
    load_starter_catalog()

    def add(count):
        for _ in range(count):
            check_in = services.check_in_create_manual(user=user, emotion="sadness")
            FaceResultFactory(check_in=check_in)

    add(2)
    # count, page, faces, frames, the latest lists, their songs (forced authentication: no query)
    with django_assert_num_queries(6):
        body = api.get(LIST).json()
    assert len(body["results"]) == 2 and all(len(r["recommendation"]["items"]) == 10 for r in body["results"])
    add(18)
    with django_assert_num_queries(6):
        assert len(api.get(LIST).json()["results"]) == 20
