"""The one set of fixtures shared by every app's tests (a pytest plugin, loaded by the root conftest.py).

People: `user` and `outsider` (both consented: an owner and someone who must not see the owner's
data), `staff`. Clients: `api` (DRF, authenticated as `user`), `logged_in` (Django's test client,
logged in as `user`), `api_client` (anonymous). Others: `model_required` (skips without the shipped
emotion model), `on_commit` (runs on_commit callbacks as a real commit would).
Accounts' own personas (alice, bob) live in accounts/tests/conftest.py, built on the same factory.
"""

import pytest
from django.conf import settings
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory


@pytest.fixture
def user(db):
    return UserFactory(consented=True)


@pytest.fixture
def outsider(db):
    return UserFactory(consented=True)


@pytest.fixture
def staff(db):
    return UserFactory(consented=True, is_staff=True, is_superuser=True)


@pytest.fixture
def api(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def logged_in(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def model_required():
    if not settings.EMOTION_MODEL_PATH.exists():
        pytest.skip(f"the trained emotion model is not at {settings.EMOTION_MODEL_PATH} yet")


@pytest.fixture
def on_commit(django_capture_on_commit_callbacks):
    """Run on_commit callbacks (the task enqueue, file deletion) as a real commit would."""
    return lambda: django_capture_on_commit_callbacks(execute=True)
