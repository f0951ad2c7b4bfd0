import time

import pytest

from accounts.tests.factories import UserFactory
from detection.models import CheckIn
from detection.services import check_in_create_manual
from detection.tests.factories import CheckInFactory, FaceResultFactory
from ml.labels import EMOTIONS

pytestmark = pytest.mark.django_db


def test_the_feel_page_offers_camera_upload_webcam_and_manual_choice(logged_in):
    response = logged_in.get("/feel/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "How are you feeling?" in html
    assert 'type="file"' in html and 'accept="image/*"' in html and 'capture="user"' in html
    assert 'id="webcam-start"' in html
    for name in EMOTIONS:
        assert f'value="{name}"' in html
    assert "this is a check-in: it goes into your mood history" in html
    assert "detection-feel.js" in html


def test_without_consent_the_feel_page_asks_for_it_first(client):
    client.force_login(UserFactory())
    response = client.get("/feel/")
    assert response.status_code == 302
    assert "consent" in response["Location"]


def test_picking_an_emotion_on_the_page_leads_to_its_result(logged_in, user):
    response = logged_in.post("/feel/", {"emotion": "sadness"})

    check_in = CheckIn.objects.get(owner=user)
    assert response["Location"] == f"/checkins/{check_in.pk}/"
    assert check_in.top_emotion == "sadness"
    result = logged_in.get(response["Location"]).content.decode()
    assert "sadness" in result
    assert 'id="songs"' in result


def test_a_hand_picked_mood_shows_no_confidence_on_the_page_nor_in_history(logged_in, user):
    logged_in.post("/feel/", {"emotion": "sadness"})
    check_in = CheckIn.objects.get(owner=user)

    result = logged_in.get(f"/checkins/{check_in.pk}/").content.decode()
    assert 'id="confidence"' not in result and "% sure" not in result
    history = logged_in.get("/history/").content.decode()
    assert f'id="check-in-{check_in.pk}"' in history and "% confident" not in history
    assert "picked by hand" in history.lower()


def test_picking_an_unknown_emotion_is_a_clear_400(logged_in):
    response = logged_in.post("/feel/", {"emotion": "meh"})
    assert response.status_code == 400
    assert b"Unknown emotion" in response.content
    assert not CheckIn.objects.exists()


def test_a_queued_check_in_shows_progress_in_the_region_the_page_long_polls(logged_in, user):
    check_in = CheckInFactory(owner=user)
    html = logged_in.get(f"/checkins/{check_in.pk}/").content.decode()
    assert 'data-status="queued"' in html and "Waiting for a free analyser" in html
    assert (
        f'<div id="result" aria-live="polite" data-fragment="/checkins/{check_in.pk}/?fragment=result" data-wait="10">'
        in html
    )
    assert '<h1 id="result-heading" tabindex="-1">Your mood</h1>' in html
    # Without JavaScript: a link to the same long poll, for the whole page.
    assert f'<a href="/checkins/{check_in.pk}/?wait=10" id="result-refresh">Refresh</a>' in html
    assert "detection-result.js" in html


def test_the_result_fragment_is_the_result_without_the_page_nor_any_script(logged_in, user):
    check_in = check_in_create_manual(user=user, emotion="sadness")
    response = logged_in.get(f"/checkins/{check_in.pk}/?fragment=result")
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="result-state"')
    assert 'id="result-heading"' in html and 'id="songs"' in html and "<script src" not in html
    # The page loads each script once; the region swapped in brings none.
    page = logged_in.get(f"/checkins/{check_in.pk}/").content.decode()
    for script in ("camera.js", "live.js", "music.js", "player.js", "detection-result.js"):
        assert page.count(f"js/{script}") == 1, script


@pytest.mark.parametrize("fragment", ["?fragment=result&", "?"])
def test_a_wait_holds_the_answer_until_the_analysis_is_finished(logged_in, user, fragment):
    queued, done = CheckInFactory(owner=user), CheckInFactory(owner=user, done=True)
    started = time.monotonic()
    still = logged_in.get(f"/checkins/{queued.pk}/{fragment}wait=0.3")
    assert still.status_code == 200 and 'data-status="queued"' in still.content.decode()
    assert time.monotonic() - started >= 0.3
    started = time.monotonic()
    finished = logged_in.get(f"/checkins/{done.pk}/{fragment}wait=15")
    assert 'data-status="done"' in finished.content.decode() and time.monotonic() - started < 5
    # An unreadable wait is no wait.
    for wait in ("soon", "nan", "-1"):
        assert 'data-status="queued"' in logged_in.get(f"/checkins/{queued.pk}/{fragment}wait={wait}").content.decode()


def test_low_confidence_says_it_is_not_sure_and_offers_one_tap_correction(logged_in, user):
    check_in = CheckInFactory(owner=user, done=True, confidence=0.31)
    html = logged_in.get(f"/checkins/{check_in.pk}/").content.decode()
    assert "not sure — is this right?" in html
    assert html.count('name="emotion"') == len(EMOTIONS)

    response = logged_in.post(f"/checkins/{check_in.pk}/correct/", {"emotion": "neutral"})

    assert response.status_code == 302
    check_in.refresh_from_db()
    assert check_in.corrected_emotion == "neutral"
    assert "not sure" not in logged_in.get(f"/checkins/{check_in.pk}/").content.decode()


def test_a_confident_result_shows_the_top_emotion_and_its_confidence(logged_in, user):
    check_in = CheckInFactory(owner=user, done=True, confidence=0.86)
    html = logged_in.get(f"/checkins/{check_in.pk}/").content.decode()
    assert "86% sure" in html
    assert "not sure" not in html
    assert html.count('class="bar-label"') == len(EMOTIONS)


def test_several_faces_are_listed_and_another_can_be_picked(logged_in, user):
    check_in = CheckInFactory(owner=user, done=True)
    big = FaceResultFactory(check_in=check_in, width=200, height=200)
    small = FaceResultFactory(check_in=check_in, width=80, height=80, top_emotion="anger")
    check_in.selected_face = big
    check_in.save()

    html = logged_in.get(f"/checkins/{check_in.pk}/").content.decode()
    assert "2 faces found" in html and "— you" in html

    logged_in.post(f"/checkins/{check_in.pk}/face/", {"face": small.pk})

    check_in.refresh_from_db()
    assert check_in.selected_face == small
    assert check_in.top_emotion == "anger"


def test_a_failed_check_in_shows_its_message(logged_in, user):
    check_in = CheckInFactory(owner=user, failed=True)
    html = logged_in.get(f"/checkins/{check_in.pk}/").content.decode()
    assert "find a face" in html


def test_without_the_music_app_the_songs_section_is_a_clear_empty_state(logged_in, user):
    check_in = CheckInFactory(owner=user, done=True)
    html = logged_in.get(f"/checkins/{check_in.pk}/").content.decode()
    assert 'id="songs"' in html


def test_deleting_from_the_result_page_asks_first_then_says_what_was_deleted(logged_in, user):
    check_in = CheckInFactory(owner=user, done=True)
    page = logged_in.get(f"/checkins/{check_in.pk}/").content.decode()
    assert f'href="/checkins/{check_in.pk}/delete/" class="danger-link" id="delete-check-in"' in page

    # The link, or a POST without the confirmation, shows the question and deletes nothing.
    for response in (
        logged_in.get(f"/checkins/{check_in.pk}/delete/"),
        logged_in.post(f"/checkins/{check_in.pk}/delete/"),
    ):
        html = response.content.decode()
        assert response.status_code == 200 and "Delete this check-in?" in html and "Yes, delete this check-in" in html
        assert 'name="confirm" value="yes"' in html and check_in.label in html
    assert CheckIn.objects.exists()

    response = logged_in.post(f"/checkins/{check_in.pk}/delete/", {"confirm": "yes"}, follow=True)
    assert not CheckIn.objects.exists()
    assert f"Deleted your check-in of {check_in.label}." in response.content.decode()


def test_a_webcam_burst_offers_the_faces_of_the_frame_shown_not_one_per_frame(logged_in, user):
    check_in = CheckInFactory(owner=user, done=True, kind="webcam")
    faces = [FaceResultFactory(check_in=check_in, frame_index=i) for i in range(5)]
    check_in.selected_face = faces[2]
    check_in.save()

    html = logged_in.get(f"/checkins/{check_in.pk}/").content.decode()

    assert "faces found" not in html
    assert 'name="face"' not in html
