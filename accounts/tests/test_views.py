"""Account pages through the test client: owner, outsider and anonymous."""

import json

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from accounts.consent import CONSENT_VERSION
from accounts.models import Goal, User
from accounts.tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

STRONG = "violet-harbour-93-lantern"


def signup_data(**overrides):
    data = {"username": "carol", "email": "carol@example.com", "password1": STRONG, "password2": STRONG}
    data.update(overrides)
    return data


def test_signup_creates_user_logs_in_and_asks_for_consent(client):
    response = client.post(reverse("accounts:signup"), signup_data())
    assert response.status_code == 302
    assert response.url == reverse("accounts:consent")
    user = User.objects.get(username="carol")
    assert user.email == "carol@example.com"
    assert user.goal == Goal.MATCH_THEN_LIFT
    assert user.keep_images is False
    assert user.consent_version == ""
    assert client.get(reverse("accounts:profile")).status_code == 200


def test_signup_page_has_labelled_fields(client):
    html = client.get(reverse("accounts:signup")).content.decode()
    for name in ("username", "email", "password1", "password2"):
        assert f'for="id_{name}"' in html


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"username": "ALICE"}, "username", "already exists"),
        ({"email": "Alice@Example.com"}, "email", "already exists"),
        ({"password1": "password", "password2": "password"}, "password2", "too common"),
        ({"password1": "12345678901", "password2": "12345678901"}, "password2", "entirely numeric"),
        ({"password1": "short", "password2": "short"}, "password2", "too short"),
        ({"password2": "something-else-entirely"}, "password2", "didn’t match"),
        ({"email": "not-an-email"}, "email", "valid email"),
        ({"username": "bad name!"}, "username", "valid username"),
        ({"username": ""}, "username", "required"),
    ],
)
def test_signup_rejects_bad_input_with_field_errors(client, overrides, field, message):
    UserFactory(username="alice", email="alice@example.com")
    response = client.post(reverse("accounts:signup"), signup_data(**overrides))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert field in errors, errors
    assert message in " ".join(errors[field])
    assert not User.objects.filter(username="carol").exists()
    # The error is rendered next to the field, not only in a summary.
    assert f'id="id_{field}_error"' in response.content.decode()


def test_signup_without_csrf_token_is_refused():
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("accounts:signup"), signup_data())
    assert response.status_code == 403
    assert not User.objects.exists()


def test_oversized_form_body_is_a_client_error_not_a_500(client, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    response = client.post(reverse("accounts:signup"), signup_data(username="x" * 5000))
    assert response.status_code == 400
    assert not User.objects.exists()


def test_login_and_logout(client, alice):
    response = client.post(reverse("accounts:login"), {"username": "alice", "password": PASSWORD})
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 200
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert client.get(reverse("accounts:profile")).status_code == 302


def test_login_answers_the_same_for_unknown_user_and_wrong_password(client, alice):
    wrong = client.post(reverse("accounts:login"), {"username": "alice", "password": "nope-nope-nope"})
    unknown = client.post(reverse("accounts:login"), {"username": "nobody", "password": "nope-nope-nope"})
    assert wrong.status_code == unknown.status_code == 200
    assert wrong.context["form"].errors == unknown.context["form"].errors


@pytest.mark.parametrize("name", ["profile", "data", "data_export", "password_change"])
def test_account_pages_send_anonymous_users_to_login(client, name):
    response = client.get(reverse(f"accounts:{name}"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_profile_shows_goal_choices_and_keep_images_off_by_default(alice_client):
    html = alice_client.get(reverse("accounts:profile")).content.decode()
    for value, _label in Goal.choices:
        assert f'value="{value}"' in html
    assert 'name="keep_images"' in html
    assert 'name="keep_images" checked' not in html


def test_profile_saves_goal_and_keep_images(alice_client, alice):
    response = alice_client.post(
        reverse("accounts:profile"), {"email": "alice@example.com", "goal": "calm", "keep_images": "on"}, follow=True
    )
    assert b"Your profile has been saved." in response.content
    alice.refresh_from_db()
    assert (alice.goal, alice.keep_images) == ("calm", True)


def test_profile_only_changes_the_logged_in_user(alice_client, bob):
    alice_client.post(reverse("accounts:profile"), {"email": "alice@example.com", "goal": "lift"})
    bob.refresh_from_db()
    assert bob.goal == Goal.MATCH_THEN_LIFT


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"email": "bob@example.com", "goal": "calm"}, "email"),
        ({"email": "alice@example.com", "goal": "dance"}, "goal"),
        ({"email": "", "goal": "calm"}, "email"),
    ],
)
def test_profile_rejects_bad_input(alice_client, alice, bob, data, field):
    response = alice_client.post(reverse("accounts:profile"), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    alice.refresh_from_db()
    assert alice.email == "alice@example.com"
    assert alice.goal == Goal.MATCH_THEN_LIFT


def test_consent_page_explains_in_plain_words_and_records_version_and_time(client, bob):
    client.force_login(bob)
    html = client.get(reverse("accounts:consent")).content.decode()
    for heading in ("What is analysed", "What is kept", "For how long"):
        assert heading in html
    assert CONSENT_VERSION in html
    response = client.post(reverse("accounts:consent"), {"next": "/accounts/profile/"})
    assert response.url == "/accounts/profile/"
    bob.refresh_from_db()
    assert bob.consent_version == CONSENT_VERSION
    assert bob.consent_at is not None


def test_agreeing_without_a_next_page_leads_to_the_check_in_page(client, bob):
    client.force_login(bob)
    response = client.post(reverse("accounts:consent"))
    assert response.url == "/feel/"


def test_anyone_can_read_the_consent_text_but_agreeing_needs_an_account(client):
    html = client.get(reverse("accounts:consent")).content.decode()
    assert "What is analysed" in html and "Sign up" in html
    response = client.post(reverse("accounts:consent"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_consent_ignores_an_offsite_next(client, bob):
    client.force_login(bob)
    response = client.post(reverse("accounts:consent"), {"next": "https://evil.example/"})
    assert response.url == "/feel/"


def test_consent_withdraw_is_one_post(alice_client, alice):
    response = alice_client.post(reverse("accounts:consent_withdraw"))
    assert response.status_code == 302
    alice.refresh_from_db()
    assert alice.consent_version == "" and alice.consent_at is None
    assert not alice.has_current_consent


def test_consent_withdraw_refuses_get(alice_client, alice):
    assert alice_client.get(reverse("accounts:consent_withdraw")).status_code == 405
    alice.refresh_from_db()
    assert alice.has_current_consent


def test_password_change(alice_client, alice):
    response = alice_client.post(
        reverse("accounts:password_change"),
        {"old_password": PASSWORD, "new_password1": STRONG, "new_password2": STRONG},
    )
    assert response.url == reverse("accounts:password_change_done")
    alice.refresh_from_db()
    assert alice.check_password(STRONG)


def test_password_change_rejects_wrong_old_password_and_weak_new_one(alice_client, alice):
    response = alice_client.post(
        reverse("accounts:password_change"),
        {"old_password": "wrong", "new_password1": "123", "new_password2": "123"},
    )
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"old_password", "new_password2"}
    alice.refresh_from_db()
    assert alice.check_password(PASSWORD)


def test_password_reset_sends_a_working_link(client, alice):
    response = client.post(reverse("accounts:password_reset"), {"email": "alice@example.com"})
    assert response.url == reverse("accounts:password_reset_done")
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/password/reset/" in line)
    path = link.split("testserver", 1)[1]
    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"]
    response = client.post(form_page.redirect_chain[-1][0], {"new_password1": STRONG, "new_password2": STRONG})
    assert response.url == reverse("accounts:password_reset_complete")
    alice.refresh_from_db()
    assert alice.check_password(STRONG)


def test_password_reset_for_unknown_email_looks_the_same_and_sends_nothing(client):
    response = client.post(reverse("accounts:password_reset"), {"email": "nobody@example.com"})
    assert response.url == reverse("accounts:password_reset_done")
    assert mail.outbox == []


def test_export_downloads_json_of_the_logged_in_user_only(alice_client, bob):
    response = alice_client.get(reverse("accounts:data_export"))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["user"]["username"] == "alice"
    assert "password" not in data["user"]
    assert "bob" not in response.content.decode()


def test_delete_account_needs_the_password(alice_client, alice):
    response = alice_client.post(reverse("accounts:delete"), {"password": "wrong"})
    assert response.status_code == 400
    assert "That is not your password." in response.content.decode()
    assert User.objects.filter(pk=alice.pk).exists()


def test_delete_account_removes_the_user_and_logs_out(alice_client, alice, bob):
    response = alice_client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert response.url == reverse("home")
    assert not User.objects.filter(pk=alice.pk).exists()
    assert User.objects.filter(pk=bob.pk).exists()
    assert alice_client.get(reverse("accounts:profile")).status_code == 302


def test_delete_account_refuses_anonymous_users(client, alice):
    response = client.post(reverse("accounts:delete"), {"password": PASSWORD})
    assert response.status_code == 302
    assert User.objects.filter(pk=alice.pk).exists()


def test_home_page_nav_changes_with_login(client, alice):
    assert b"Sign up" in client.get("/").content
    client.force_login(alice)
    html = client.get("/").content.decode()
    assert "Log out" in html and "Profile" in html


def test_unknown_pages_get_the_site_layout_404(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert b"Page not found" in response.content and b"Emotion Symphony" in response.content


def test_expired_csrf_form_explains_itself():
    response = Client(enforce_csrf_checks=True).post(reverse("accounts:login"), {"username": "a", "password": "b"})
    assert response.status_code == 403
    assert b"This form has expired" in response.content
