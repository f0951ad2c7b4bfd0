"""The sources of the data the product ships, with their licences, on a page anyone can reach."""

import pytest
from django.urls import reverse

from accounts import data_rights

pytestmark = pytest.mark.django_db


def test_the_apps_record_their_sources_and_licences():
    names = {source.name: source for source in data_rights.sources()}
    catalogue = names["Song catalogue (Spotify tracks with audio features)"]
    assert "TidyTuesday" in catalogue.source and "MIT" in catalogue.licence
    assert "Emotion model training data (FER+)" in names


def test_the_page_lists_them_for_anyone_and_the_footer_links_to_it(client):
    page = client.get(reverse("accounts:data_sources"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "TidyTuesday" in text and "MIT" in text and "spotifyr" in text
    assert reverse("accounts:data_sources") in client.get(reverse("home")).content.decode()


def test_the_text_models_training_data_is_listed(client):
    page = client.get(reverse("accounts:data_sources")).content.decode()
    assert "GoEmotions" in page and "Apache 2.0" in page
