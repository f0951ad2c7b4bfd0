"""In Chromium: every page a person uses, the admin and the API docs run under the
strict CSP without a single violation (nothing inline, nothing from elsewhere).

Audit finding L4.
"""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import UserFactory
from detection import services
from detection.models import CheckIn
from detection.tests import images

pytestmark = pytest.mark.browser

# Recorded from the first script on: Chromium fires this event for every blocked load or inline use.
RECORD_VIOLATIONS = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) => {
  window.__csp.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`);
});
"""


def violations(page, path: str, wait_for: str = "body") -> list[str]:
    response = page.goto(path)
    # No violations without a policy would prove nothing: the strict one must be in force.
    assert "script-src 'self'" in response.headers.get("content-security-policy", ""), path
    page.wait_for_selector(wait_for)
    page.wait_for_load_state("networkidle")
    console = [text for text in page.csp_console if "Content Security Policy" in text]
    return page.evaluate("window.__csp") + console


@pytest.fixture
def watched(new_page):
    def make(**options):
        page = new_page(**options)
        page.add_init_script(RECORD_VIOLATIONS)
        page.csp_console = []
        page.on("console", lambda message: page.csp_console.append(message.text))
        return page

    return make


def test_public_pages_and_api_docs_have_no_csp_violations(watched):
    page = watched()
    for path in ("/", "/accounts/login/", "/accounts/signup/", "/accounts/consent/", "/accounts/password/reset/"):
        assert violations(page, path) == [], path
    assert violations(page, "/api/v1/docs/", wait_for=".swagger-ui .info") == []


def test_signed_in_pages_have_no_csp_violations(watched, db):
    user = UserFactory(consented=True, is_staff=True, is_superuser=True)
    check_in = services.check_in_create_manual(user=user, emotion="happiness")
    page = watched(user=user)
    for path in (
        "/feel/",
        f"/checkins/{check_in.pk}/",
        "/history/",
        "/accounts/profile/",
        "/accounts/data/",
        "/songs/",
        "/admin/",
        "/admin/music/song/",
    ):
        assert violations(page, path) == [], path


def test_a_photo_result_with_its_face_box_has_no_csp_violations(watched, db, settings):
    if not settings.EMOTION_MODEL_PATH.exists():
        pytest.skip("the emotion model is not installed")
    user = UserFactory(consented=True, keep_images=True)
    upload = SimpleUploadedFile("me.jpg", images.face_jpeg())
    check_in = services.check_in_create(user=user, files=[upload], kind=CheckIn.Kind.UPLOAD)
    services.check_in_analyze(check_in.pk)
    page = watched(user=user)
    assert violations(page, f"/checkins/{check_in.pk}/", wait_for="#emotion-bars meter") == []
