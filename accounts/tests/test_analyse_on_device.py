"""The "analyse my face in this browser" preference: off by default, saved by the API and the profile
page, and in the data export."""

import re

import pytest
from django.urls import reverse

from accounts.models import User
from tests.errors import errors

pytestmark = pytest.mark.django_db
ME = "/api/v1/me/"


def test_it_is_off_by_default(alice_api):
    assert alice_api.get(ME).json()["analyse_on_device"] is False


def test_it_round_trips_through_the_api(alice_api, alice, bob):
    response = alice_api.patch(ME, {"analyse_on_device": True}, format="json")
    assert response.status_code == 200 and response.json()["analyse_on_device"] is True
    assert alice_api.get(ME).json()["analyse_on_device"] is True
    assert User.objects.get(pk=bob.pk).analyse_on_device is False

    alice_api.patch(ME, {"analyse_on_device": False}, format="json")
    alice.refresh_from_db()
    assert alice.analyse_on_device is False


def test_the_api_refuses_what_is_not_a_yes_or_no(alice_api, alice):
    response = alice_api.patch(ME, {"analyse_on_device": "perhaps"}, format="json")
    assert response.status_code == 400 and errors(response)["analyse_on_device"]
    alice.refresh_from_db()
    assert alice.analyse_on_device is False


def _box_checked(client) -> bool:
    page = client.get(reverse("accounts:profile")).content.decode()
    [box] = re.findall(r'<input type="checkbox" name="analyse_on_device"[^>]*>', page)
    return " checked" in box


def test_it_round_trips_through_the_profile_page(alice_client, alice):
    assert not _box_checked(alice_client)

    saved = {"email": alice.email, "goal": alice.goal, "analyse_on_device": "on"}
    response = alice_client.post(reverse("accounts:profile"), saved, follow=True)
    assert b"Your profile has been saved." in response.content
    alice.refresh_from_db()
    assert alice.analyse_on_device is True and alice.keep_images is False
    assert _box_checked(alice_client)

    alice_client.post(reverse("accounts:profile"), {"email": alice.email, "goal": alice.goal})
    alice.refresh_from_db()
    assert alice.analyse_on_device is False


def test_it_is_in_the_data_export(alice_api, alice):
    alice_api.patch(ME, {"analyse_on_device": True}, format="json")
    assert alice_api.get("/api/v1/me/export/").json()["user"]["analyse_on_device"] is True
