"""A person signs up, gives consent, sets a goal and logs out — in Chromium."""

import pytest
from playwright.sync_api import expect

from accounts.consent import CONSENT_VERSION
from accounts.models import User
from tests.browser.harness import PHONE

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PASSWORD = "violet-harbour-93-lantern"


def test_sign_up_consent_set_goal_log_out_and_back_in(page, screenshot):
    page.goto("/")
    screenshot("home")
    page.get_by_role("link", name="Sign up").first.click()

    page.get_by_label("Username").fill("dana")
    page.get_by_label("Email address").fill("dana@example.com")
    page.get_by_label("Password:", exact=True).fill(PASSWORD)
    page.get_by_label("Password confirmation").fill(PASSWORD)
    screenshot("signup-filled")
    page.get_by_role("button", name="Sign up").click()

    expect(page.get_by_role("heading", name="Face analysis: what we do with your selfies")).to_be_visible()
    expect(page.get_by_text("What is kept")).to_be_visible()
    screenshot("consent")
    page.get_by_role("button", name="I agree").click()
    expect(page.get_by_text("Thank you. You can now take a selfie.")).to_be_visible()
    # Consent leads on to where it is used: the check-in page, not the home page.
    expect(page.get_by_role("heading", name="How are you feeling?")).to_be_visible()
    assert page.url.endswith("/feel/")

    page.get_by_role("link", name="Profile").click()
    page.get_by_label("What should the music do?").select_option("calm")
    expect(page.get_by_label("Keep my face images")).not_to_be_checked()
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your profile has been saved.")).to_be_visible()
    expect(page.get_by_label("What should the music do?")).to_have_value("calm")
    screenshot("profile-saved")

    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in").first).to_be_visible()
    screenshot("logged-out")

    page.get_by_role("link", name="Log in").first.click()
    page.get_by_label("Username").fill("dana")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()
    page.get_by_role("button", name="Log out").click()

    user = User.objects.get(username="dana")
    assert (user.goal, user.keep_images, user.consent_version) == ("calm", False, CONSENT_VERSION)
    assert user.consent_at is not None
    assert page.external_requests == []


def test_signup_errors_show_next_to_the_field(page, screenshot):
    User.objects.create_user("erin", "erin@example.com", PASSWORD)
    page.goto("/accounts/signup/")
    page.get_by_label("Username").fill("erin")
    page.get_by_label("Email address").fill("erin@example.com")
    page.get_by_label("Password:", exact=True).fill("password")
    page.get_by_label("Password confirmation").fill("password")
    page.get_by_role("button", name="Sign up").click()
    expect(page.locator("#id_username_error")).to_contain_text("already exists")
    expect(page.locator("#id_email_error")).to_contain_text("already exists")
    expect(page.locator("#id_password2_error")).to_contain_text("too common")
    screenshot("signup-errors")


def test_pages_fit_a_phone_screen(new_page, screenshot):
    User.objects.create_user("finn", "finn@example.com", PASSWORD)
    phone = new_page(viewport=PHONE)
    for path in ("/", "/accounts/signup/", "/accounts/login/"):
        phone.goto(path)
        # Nothing wider than the screen: no sideways scrolling on a phone.
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        screenshot(f"phone{path.replace('/', '-')}", page=phone)
    phone.get_by_label("Username").fill("finn")
    phone.get_by_label("Password").fill(PASSWORD)
    phone.get_by_role("button", name="Log in").click()
    phone.goto("/accounts/profile/")
    assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    screenshot("phone-profile", page=phone)
    assert phone.external_requests == []


def test_a_logged_in_page_can_withdraw_consent_in_one_click(new_page, screenshot):
    user = User.objects.create_user("gail", "gail@example.com", PASSWORD)
    user.consent_version = CONSENT_VERSION
    user.save()
    page = new_page(user=user)
    page.goto("/accounts/profile/")
    page.get_by_role("button", name="Withdraw consent").click()
    expect(page.get_by_text("Consent withdrawn.")).to_be_visible()
    expect(page.get_by_role("button", name="I agree")).to_be_visible()
    screenshot("consent-withdrawn", page=page)
    user.refresh_from_db()
    assert user.consent_version == ""


def test_api_docs_render_offline(page, screenshot):
    page.goto("/api/v1/docs/")
    expect(page.get_by_role("heading", name="Emotion Symphony API")).to_be_visible()
    expect(page.get_by_text("/api/v1/auth/token/").first).to_be_visible()
    screenshot("api-docs")
    assert page.external_requests == []
