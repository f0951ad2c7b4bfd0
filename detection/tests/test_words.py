"""Say it in words (issue 28): a check-in of kind `words`, a selfie with words (fused readings),
"do not keep the text", bad input, data rights and the text never logged."""

import html
import json
import logging

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from rest_framework.test import APIClient

from accounts import selectors as account_selectors
from accounts import services as account_services
from detection import fusion, services
from detection.models import CheckIn
from detection.tests import images
from detection.tests.factories import CheckInFactory, FaceResultFactory
from ml.labels import EMOTIONS
from ml.text import TEXT_MAX_CHARS
from music.tests.factories import load_starter_catalog

LIST = "/api/v1/checkins/"
ANGRY = "I am so angry I can't even think straight, this is infuriating"
SCARED = "I'm terrified and so nervous about tomorrow, I can't stop worrying"


def dist(**shares) -> dict[str, float]:
    return {name: shares.get(name, 0.0) for name in EMOTIONS}


# --- fusion: plain logic ------------------------------------------------------------------------


def test_the_surer_reading_weighs_more_in_the_fusion():
    face = fusion.reading(dist(neutral=0.9, happiness=0.1), 0.9)
    words = fusion.reading(dist(fear=0.4, neutral=0.3, sadness=0.3), 0.4)
    together = fusion.fuse(face, words)
    assert together["top"] == "neutral"
    assert together["emotions"]["fear"] == pytest.approx(0.4 * 0.4 / 1.3, abs=1e-6)
    assert sum(together["emotions"].values()) == pytest.approx(1.0, abs=1e-5)


def test_two_agreeing_readings_are_surer_together_than_the_weaker_alone():
    face = fusion.reading(dist(sadness=0.6, neutral=0.4), 0.6)
    words = fusion.reading(dist(sadness=0.9, fear=0.1), 0.9)
    assert fusion.fuse(face, words)["confidence"] > face["confidence"]


def test_the_words_leave_the_faces_contempt_weighted_like_the_rest_of_it():
    face = fusion.reading(dist(contempt=0.6, neutral=0.4), 0.6)
    words = fusion.reading(dist(neutral=1.0), 0.6)
    assert fusion.fuse(face, words)["emotions"]["contempt"] == pytest.approx(0.3)


def test_disagreement_is_said_only_when_both_readings_are_sure_and_differ():
    calm = fusion.reading(dist(neutral=0.8, happiness=0.2), 0.8)
    anxious = fusion.reading(dist(fear=0.7, sadness=0.3), 0.7)
    unsure = fusion.reading(dist(fear=0.3, neutral=0.25, sadness=0.25, anger=0.2), 0.3)
    assert fusion.disagreement(calm, anxious) == "Your face looks calm; your words sound anxious."
    assert fusion.disagreement(calm, unsure) == ""
    assert fusion.disagreement(anxious, anxious) == ""


# --- services and API ---------------------------------------------------------------------------


@pytest.mark.django_db
class TestWordsCheckIn:
    @pytest.fixture(autouse=True)
    def catalogue(self):
        load_starter_catalog()

    def test_words_on_their_own_are_a_finished_check_in_with_songs_explained_by_the_words(self, user):
        check_in = services.check_in_create_words(user=user, text=f"  {ANGRY}  ")
        assert check_in.kind == CheckIn.Kind.WORDS and check_in.status == CheckIn.Status.DONE
        assert check_in.text == ANGRY
        assert check_in.top_emotion == "anger" == check_in.readings["words"]["top"]
        assert check_in.emotions["contempt"] == 0.0
        assert check_in.recommendations.get().items.first().explanation.startswith("your words sound angry")

    def test_words_that_name_music_shape_the_list(self, user):
        check_in = services.check_in_create_words(user=user, text="so tired today, some 80s rock please")
        assert check_in.readings["words"]["asks"] == {"genres": ["rock"], "decades": [1980], "energy": 0}
        explanations = [item.explanation for item in check_in.recommendations.get().items.all()]
        assert any("you asked for rock" in e for e in explanations)

    @pytest.mark.parametrize(
        ("text", "message"),
        [
            ("", "Write a few words first."),
            (" \n\t ", "Write a few words first."),
            ("x" * (TEXT_MAX_CHARS + 1), f"At most {TEXT_MAX_CHARS} characters"),
        ],
    )
    def test_empty_blank_or_too_long_words_are_refused_and_nothing_is_written(self, user, text, message):
        with pytest.raises(ValidationError) as raised:
            services.check_in_create_words(user=user, text=text)
        assert message in " ".join(raised.value.messages)
        assert not CheckIn.objects.exists()

    def test_exactly_the_longest_allowed_text_is_read(self, user):
        assert services.check_in_create_words(user=user, text="sad " * (TEXT_MAX_CHARS // 4)).status == "done"

    @pytest.mark.parametrize("text", ["😂😂😂", "🙂", "Je suis très fatigué aujourd'hui mais bon"])
    def test_words_the_model_cannot_really_read_give_a_low_confidence_result(self, user, text):
        check_in = services.check_in_create_words(user=user, text=text)
        assert check_in.status == "done" and check_in.is_low_confidence

    def test_not_keeping_the_text_leaves_no_trace_of_it_in_the_database(self, user, capsys):
        secret = "Nervous about the interview with Zorblatt tomorrow, some slow songs"
        check_in = services.check_in_create_words(user=user, text=secret, keep_text=False)
        assert check_in.text == "" and check_in.readings["words"]["top"]
        call_command("dumpdata", "--natural-foreign", stdout=(out := _Buffer()))
        assert "Zorblatt" not in out.text and "interview" not in out.text

    def test_the_text_is_never_logged(self, user, caplog):
        client = APIClient()
        client.force_authenticate(user)
        with caplog.at_level(logging.DEBUG):
            client.post(LIST, {"text": "Zorblatt makes me furious"}, format="json")
            client.post(LIST, {"text": "Zorblatt " * 60}, format="json")  # too long: a 400
        logged = " ".join(f"{r.getMessage()} {r.args}" for r in caplog.records)
        assert "Zorblatt" not in logged

    def test_correcting_a_words_check_in_works_like_a_face(self, user):
        check_in = services.check_in_create_words(user=user, text=ANGRY)
        services.check_in_correct(check_in=check_in, emotion="sadness")
        assert check_in.effective_emotion == "sadness"
        assert check_in.recommendations.latest("created_at").items.first().explanation.startswith("you said")

    def test_export_has_the_text_and_readings_and_delete_all_removes_them(self, user):
        services.check_in_create_words(user=user, text=ANGRY)
        exported = account_selectors.user_data_export(user)["detection"]
        assert exported[0]["text"] == ANGRY and exported[0]["readings"]["words"]["top"] == "anger"
        account_services.user_delete(user)
        assert not CheckIn.objects.filter(text=ANGRY).exists()


class _Buffer:
    def __init__(self):
        self.text = ""

    def write(self, chunk):
        self.text += chunk

    def flush(self):
        pass


@pytest.mark.django_db
class TestWordsApi:
    def test_the_owner_posts_words_and_reads_them_back(self, api):
        response = api.post(LIST, {"text": SCARED}, format="json")
        assert response.status_code == 201, response.content
        body = response.json()
        assert body["kind"] == "words" and body["status"] == "done"
        assert body["text"] == SCARED and body["read_from"] == "words"
        assert body["top_emotion"] == "fear" == body["readings"]["words"]["top"]
        assert api.get(body["url"]).json()["text"] == SCARED

    def test_an_outsider_sees_nothing_and_anonymous_cannot_post(self, api, outsider):
        body = api.post(LIST, {"text": SCARED}, format="json").json()
        other = APIClient()
        other.force_authenticate(outsider)
        assert other.get(body["url"]).status_code == 404
        assert SCARED not in json.dumps(other.get(LIST).json())
        assert APIClient().post(LIST, {"text": SCARED}, format="json").status_code in (401, 403)
        assert CheckIn.objects.count() == 1

    def test_keep_text_false_stores_only_the_emotions(self, api):
        body = api.post(LIST, {"text": SCARED, "keep_text": False}, format="json").json()
        assert body["text"] is None and body["readings"]["words"]["top"] == "fear"
        assert not CheckIn.objects.exclude(text="").exists()

    @pytest.mark.parametrize(
        "payload",
        [
            {"text": ""},
            {"text": "   "},
            {"text": "x" * (TEXT_MAX_CHARS + 1)},
            {"text": 5},
            {"text": SCARED, "emotion": "fear"},
        ],
    )
    def test_bad_words_are_a_clear_400_and_nothing_is_written(self, api, payload):
        response = api.post(LIST, payload, format="json")
        assert response.status_code == 400, response.content
        assert response.json()["errors"][0]["detail"]
        assert not CheckIn.objects.exists()

    def test_words_go_with_a_photo_in_a_multipart_post(self, api, on_commit, monkeypatch):
        monkeypatch.setattr("detection.tasks.check_in_analyze_task.delay", lambda _id: None)
        photo = SimpleUploadedFile("me.jpg", images.face_jpeg(), content_type="image/jpeg")
        with on_commit():
            response = api.post(LIST, {"image": photo, "text": SCARED, "keep_text": "false"}, format="multipart")
        assert response.status_code == 202, response.content
        check_in = CheckIn.objects.get()
        assert check_in.kind == "upload" and check_in.text == ""
        assert check_in.readings["words"]["top"] == "fear"

    def test_words_go_with_a_webcam_burst(self, api, on_commit, monkeypatch):
        monkeypatch.setattr("detection.tasks.check_in_analyze_task.delay", lambda _id: None)
        frames = [SimpleUploadedFile(f"f{i}.jpg", images.face_jpeg(), content_type="image/jpeg") for i in range(3)]
        with on_commit():
            response = api.post(LIST, {"frames": frames, "text": ANGRY}, format="multipart")
        assert response.status_code == 202, response.content
        check_in = CheckIn.objects.get()
        assert check_in.kind == "webcam" and check_in.text == ANGRY and check_in.readings["words"]["top"] == "anger"

    def test_words_cannot_go_with_a_mood_picked_by_hand(self, api):
        response = api.post(LIST, {"emotion": "fear", "text": SCARED}, format="multipart")
        assert response.status_code == 400


@pytest.mark.django_db
def test_picking_another_face_fuses_that_face_with_the_words():
    words = fusion.reading(dist(fear=0.8, sadness=0.2), 0.8)
    check_in = CheckInFactory(done=True, readings={"words": words})
    FaceResultFactory(check_in=check_in)
    calm = FaceResultFactory(check_in=check_in, probabilities=dist(neutral=0.9, happiness=0.1), top_emotion="neutral",
                             confidence=0.9)  # fmt: skip
    services.check_in_face_select(check_in=check_in, face_id=calm.pk)
    check_in.refresh_from_db()
    assert check_in.readings["face"]["top"] == "neutral"
    assert check_in.emotions == fusion.fuse(check_in.readings["face"], words)["emotions"]
    assert check_in.disagreement == "Your face looks calm; your words sound anxious."


@pytest.mark.django_db
@pytest.mark.usefixtures("model_required")
def test_a_selfie_with_words_shows_both_readings_and_their_fusion(api, on_commit):
    load_starter_catalog()
    photo = SimpleUploadedFile("me.jpg", images.face_jpeg(), content_type="image/jpeg")
    with on_commit():
        body = api.post(LIST, {"image": photo, "text": SCARED}, format="multipart").json()
    body = api.get(body["url"]).json()
    assert body["status"] == "done", body["error"]
    face, words = body["readings"]["face"], body["readings"]["words"]
    assert face["top"] == "happiness" and words["top"] == "fear"  # the test photo smiles
    assert body["read_from"] == "face and words"
    assert body["emotions"] == pytest.approx(fusion.fuse(face, words)["emotions"], abs=1e-5)
    assert body["disagreement"] == "Your face looks happy; your words sound anxious."
    explanation = body["recommendation"]["items"][0]["explanation"]
    assert explanation.startswith("you seem")


@pytest.mark.django_db
def test_words_check_ins_are_in_the_history_like_any_other(logged_in, user, api):
    load_starter_catalog()
    said = services.check_in_create_words(user=user, text=ANGRY)
    services.check_in_create_words(user=user, text=SCARED, keep_text=False)
    page = logged_in.get("/history/").content.decode()
    assert html.escape(ANGRY) in page and html.escape(SCARED) not in page
    assert "Said in words" in page
    listed = api.get("/api/v1/history/checkins/").json()["results"]
    assert [c["text"] for c in listed] == ["", ANGRY]
    assert listed[1]["id"] == said.pk and listed[1]["songs"]
    summary = api.get("/api/v1/history/summary/").json()
    assert summary["total"] == 2 and summary["counts"]["anger"] == 1
    csv = api.get("/api/v1/history/checkins/export/?format=csv").content.decode()
    assert ANGRY in csv


@pytest.mark.django_db
class TestFeelPageWithoutScript:
    """The feel page's one form posts words alone, or words with the photo, with no JavaScript."""

    def test_words_alone_redirect_to_their_result(self, logged_in):
        response = logged_in.post("/feel/", {"way": "words", "text": ANGRY})
        check_in = CheckIn.objects.get()
        assert response.status_code == 302 and response["Location"] == f"/checkins/{check_in.pk}/"
        assert check_in.kind == "words"
        result = logged_in.get(response["Location"]).content.decode()
        assert html.escape(ANGRY) in result and 'id="correction-form"' in result

    def test_words_go_with_the_photo_and_can_be_left_unkept(self, logged_in, monkeypatch):
        monkeypatch.setattr("detection.tasks.check_in_analyze_task.delay", lambda _id: None)
        photo = SimpleUploadedFile("me.jpg", images.face_jpeg(), content_type="image/jpeg")
        logged_in.post("/feel/", {"way": "photo", "image": photo, "text": SCARED, "forget_text": "on"})
        check_in = CheckIn.objects.get()
        assert check_in.kind == "upload" and check_in.text == "" and check_in.readings["words"]["top"] == "fear"

    def test_blank_words_are_a_400_that_keeps_what_was_typed(self, logged_in):
        response = logged_in.post("/feel/", {"way": "words", "text": "  "})
        assert response.status_code == 400
        assert "Write a few words first." in response.content.decode()
        too_long = "é" * (TEXT_MAX_CHARS + 1)
        response = logged_in.post("/feel/", {"way": "words", "text": too_long})
        assert response.status_code == 400 and too_long in response.content.decode()
        assert not CheckIn.objects.exists()


@pytest.mark.django_db
@pytest.mark.usefixtures("model_required")
def test_a_webcam_burst_with_words_is_fused_like_a_photo(user, on_commit):
    frames = [SimpleUploadedFile(f"f{i}.jpg", images.face_jpeg(), content_type="image/jpeg") for i in range(3)]
    with on_commit():
        check_in = services.check_in_create(user=user, files=frames, kind="webcam", text=ANGRY)
    check_in.refresh_from_db()
    assert check_in.status == "done", check_in.error
    assert check_in.readings["face"]["top"] == "happiness" and check_in.readings["words"]["top"] == "anger"
    assert check_in.emotions == fusion.fuse(check_in.readings["face"], check_in.readings["words"])["emotions"]
    assert check_in.read_from == "face and words"
