import pytest
from django.test import Client
from rest_framework.test import APIClient

from accounts import data_rights
from accounts.tests.factories import UserFactory


@pytest.fixture
def alice(db):
    return UserFactory(username="alice", consented=True)


@pytest.fixture
def bob(db):
    return UserFactory(username="bob")


@pytest.fixture
def alice_client(alice):
    client = Client()
    client.force_login(alice)
    return client


@pytest.fixture
def alice_api(alice):
    client = APIClient()
    client.force_authenticate(alice)
    return client


@pytest.fixture
def registry():
    """Lets a test register data-rights contributors and restores the registry after."""
    saved = dict(data_rights._contributors)
    yield data_rights
    data_rights._contributors.clear()
    data_rights._contributors.update(saved)
