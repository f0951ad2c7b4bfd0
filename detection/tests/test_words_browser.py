"""Say it in words in Chromium (issue 28): the words box on its own and beside a selfie, on a
desktop and a phone, on the embedded defaults too."""

import re

import pytest

from accounts.tests.factories import UserFactory
from detection.models import CheckIn
from detection.tests import images
from music.tests.factories import load_starter_catalog
from tests.browser.harness import DESKTOP, PHONE

pytestmark = [pytest.mark.browser, pytest.mark.embedded]
VIEWPORTS = pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
SCARED = "I'm terrified and so nervous about tomorrow, I can't stop worrying. Some 60s songs please"


@pytest.fixture
def user(db):
    load_starter_catalog()
    return UserFactory(consented=True)


def fits(page, viewport) -> bool:
    return page.evaluate("document.documentElement.scrollWidth") <= viewport["width"]


@VIEWPORTS
def test_words_on_their_own_give_a_mood_and_songs(new_page, user, screenshot, viewport):
    page = new_page(viewport=viewport, user=user)
    page.goto("/feel/")
    page.get_by_role("textbox", name="Say it in words").fill(SCARED)
    screenshot("words written", page=page)
    page.get_by_role("button", name="Read my words").click()

    page.wait_for_url(re.compile(r"/checkins/\d+/$"))
    assert page.text_content("#top-emotion") == "fear"
    assert page.text_content("#words-quote") == SCARED
    assert page.locator("#emotion-bars li").count() == 8
    # The same correction buttons as for a face.
    assert page.locator("#correction-form button").count() == 8
    assert "your words sound anxious" in page.text_content("#songs")
    assert "you asked for the 60s" in page.text_content("#songs")
    screenshot("words result", page=page)
    assert fits(page, viewport)
    assert page.external_requests == []
    assert CheckIn.objects.get(owner=user).kind == "words"


def test_blank_words_are_refused_on_the_page_and_nothing_is_sent(new_page, user):
    page = new_page(user=user)
    page.goto("/feel/")
    page.fill("#words-text", "   ")
    page.click("#words-submit")
    page.wait_for_selector("#feel-error:not([hidden])")
    assert page.text_content("#feel-error") == "Write a few words first."
    assert not CheckIn.objects.exists()


def test_words_not_kept_show_only_their_emotions(new_page, user):
    page = new_page(user=user)
    page.goto("/feel/")
    page.fill("#words-text", SCARED)
    page.get_by_role("checkbox", name=re.compile("Don't keep my words")).check()
    page.click("#words-submit")
    page.wait_for_selector("#words-not-kept")
    assert SCARED not in page.content()
    assert CheckIn.objects.get(owner=user).text == ""


@VIEWPORTS
@pytest.mark.usefixtures("model_required")
def test_words_beside_a_selfie_show_both_readings_and_the_fusion(new_page, user, screenshot, tmp_path, viewport):
    photo = tmp_path / "selfie.jpg"
    photo.write_bytes(images.face_jpeg())
    page = new_page(viewport=viewport, user=user)
    page.goto("/feel/")
    page.set_input_files("#image-input", str(photo))
    page.fill("#words-text", SCARED)
    page.click("#upload-submit")

    page.wait_for_url(re.compile(r"/checkins/\d+/$"))
    page.wait_for_selector("#readings")
    assert page.locator("#readings tbody tr").count() == 8
    assert page.text_content("#disagreement") == "Your face looks happy; your words sound anxious."
    assert SCARED in page.text_content("#words-with")
    screenshot("selfie with words", page=page)
    assert fits(page, viewport)
    check_in = CheckIn.objects.get(owner=user)
    assert check_in.read_from == "face and words" and not check_in.frames.exists()
