import pytest
from rest_framework.test import APIClient

from accounts.tests.factories import UserFactory


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", email="alice@example.com", consented=True)


@pytest.fixture
def bob(db):
    return UserFactory(username="bob", email="bob@example.com", consented=True)


@pytest.fixture
def api_client():
    return APIClient()


@pytest.fixture
def api(db):
    client = APIClient()
    client.force_authenticate(UserFactory(consented=True))
    return client
