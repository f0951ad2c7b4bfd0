"""Live sessions in the mood history: the page draws each one's path; "what lifted me" counts them."""

import pytest
from django.urls import reverse

from live.tests.factories import live_session, reading, webcam_check_in
from music.library.services import listening_event_create
from music.tests.factories import load_starter_catalog


@pytest.fixture
def session(user):
    load_starter_catalog()
    found = live_session(user, "sadness", "lift")
    sad = reading(found, webcam_check_in(user, "sadness"))
    song = sad.recommendation.items.first().song
    listening_event_create(user=user, song=song, kind="played", position=40, recommendation=sad.recommendation)
    reading(found, webcam_check_in(user, "happiness"))
    return found, song


def test_live_history_page_draws_the_session_path_with_its_readings_and_songs(logged_in, session):
    found, song = session
    page = logged_in.get(reverse("history:page") + "?range=all").content.decode()
    assert f'id="live-session-{found.pk}"' in page
    assert f'id="chart-session-{found.pk}"' in page and page.count('class="live-reading-row"') == 2
    assert "<polyline" in page and 'class="song"' in page and song.title in page
    assert "2 sure readings (sadness → happiness)" in page and "towards the goal" in page


def test_live_what_lifted_me_counts_sessions_in_page_and_api(logged_in, api, session):
    _, song = session
    page = logged_in.get(reverse("history:page") + "?range=all").content.decode()
    assert 'id="lifted-sessions"' in page and "<strong>1</strong> of 1 reading" in page
    lifted = api.get(reverse("api-v1:history-summary")).json()["lifted"]["sessions"]
    assert lifted == {"sessions": 1, "moves": 1, "helped": 1,
                      "songs": [{"id": song.pk, "title": song.title, "artist": song.artist, "moves": 1}]}  # fmt: skip


def test_live_history_of_another_user_shows_none_of_their_sessions(client, outsider, session):
    client.force_login(outsider)
    page = client.get(reverse("history:page") + "?range=all").content.decode()
    assert "live-session-" not in page
