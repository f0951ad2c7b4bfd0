"""Consent gate: the DRF permission, the page decorator, and the text itself (no HTTP)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.messages.storage.fallback import FallbackStorage
from django.contrib.sessions.backends.signed_cookies import SessionStore
from django.http import HttpResponse
from django.test import RequestFactory
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.test import APIRequestFactory, force_authenticate
from rest_framework.views import APIView

from accounts.consent import CONSENT_VERSION, consent_sections, consent_text
from accounts.decorators import consent_required
from accounts.models import User
from accounts.permissions import HasConsent


class GatedApi(APIView):
    permission_classes = [IsAuthenticated, HasConsent]

    def post(self, request):
        return Response({"ok": True})


@consent_required
def gated_page(request):
    return HttpResponse("face upload form")


def call_api(user):
    request = APIRequestFactory().post("/api/v1/anything/")
    if user is not None:
        force_authenticate(request, user)
    return GatedApi.as_view()(request)


def call_page(user):
    request = RequestFactory().get("/selfie/?mode=webcam")
    request.user = user
    request.session = SessionStore()
    request._messages = FallbackStorage(request)
    return gated_page(request)


def test_consent_text_says_what_is_analysed_kept_and_for_how_long(settings):
    headings = [section["heading"] for section in consent_sections()]
    assert headings[:3] == ["What is analysed", "What is kept", "For how long"]
    assert f"{settings.KEEP_IMAGES_DAYS} days" in consent_text()


def test_user_has_consent_only_for_the_current_version():
    assert User(consent_version=CONSENT_VERSION).has_current_consent
    assert not User(consent_version="").has_current_consent
    assert not User(consent_version="2020-01").has_current_consent


def test_has_consent_allows_a_consenting_user():
    assert call_api(User(username="a", consent_version=CONSENT_VERSION)).status_code == 200


@pytest.mark.parametrize("version", ["", "2020-01"])
def test_has_consent_refuses_without_current_consent_with_a_clear_message(version):
    response = call_api(User(username="a", consent_version=version))
    assert response.status_code == 403
    [error] = response.data["errors"]
    assert "/api/v1/me/consent/" in error["detail"] and error["code"] == "consent_required"


def test_has_consent_refuses_anonymous_callers():
    assert call_api(None).status_code in (401, 403)
    assert not HasConsent().has_permission(type("R", (), {"user": AnonymousUser()})(), None)


def test_consent_required_lets_a_consenting_user_through():
    response = call_page(User(username="a", consent_version=CONSENT_VERSION))
    assert response.content == b"face upload form"


def test_consent_required_sends_others_to_the_consent_page_and_back():
    response = call_page(User(username="a", consent_version=""))
    assert response.status_code == 302
    assert response.url == "/accounts/consent/?next=%2Fselfie%2F%3Fmode%3Dwebcam"


def test_consent_required_sends_anonymous_users_to_log_in():
    response = call_page(AnonymousUser())
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/?next=")
