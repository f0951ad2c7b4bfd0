"""Export my data / delete my account: every record, every file."""

from pathlib import Path

import pytest
from axes.models import AccessAttempt, AccessFailureLog, AccessLog
from django.apps import apps
from django.conf import settings
from django.contrib.admin.models import ADDITION, LogEntry
from django.contrib.contenttypes.models import ContentType
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.test import Client
from knox.models import AuthToken

from accounts.models import User
from accounts.selectors import user_data_export
from accounts.services import user_delete
from accounts.tests.factories import PASSWORD

pytestmark = pytest.mark.django_db


def rows_referencing(user_id: int) -> dict[str, int]:
    """Count, in every installed model, the rows whose foreign keys point at the user."""
    counts = {}
    for model in apps.get_models():
        if model._meta.proxy:
            continue
        for field in model._meta.get_fields():
            if field.is_relation and field.concrete and field.related_model is User:
                n = model._default_manager.filter(**{field.attname: user_id}).count()
                if n:
                    counts[f"{model._meta.label}.{field.name}"] = n
    return counts


@pytest.fixture
def file_contributor(registry):
    """A contributor like the detection app's: one private file per user."""

    def path_for(user):
        return f"faces/{user.pk}/selfie.jpg"

    def export(user):
        return {"files": [path_for(user)] if default_storage.exists(path_for(user)) else []}

    def delete_files(user):
        default_storage.delete(path_for(user))

    registry.register("faces", export=export, delete_files=delete_files)
    return path_for


def test_export_holds_the_user_row_without_password_and_every_contributor(alice, file_contributor):
    default_storage.save(file_contributor(alice), ContentFile(b"jpeg"))
    Client().post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    data = user_data_export(alice)
    assert data["user"]["username"] == "alice"
    assert data["user"]["consent_version"] == alice.consent_version
    assert "password" not in data["user"]
    assert data["faces"] == {"files": [file_contributor(alice)]}
    assert len(data["login_records"]["logins"]) == 1


def test_export_shows_the_api_tokens_ages_but_never_a_token(alice):
    instance, token = AuthToken.objects.create(alice)
    data = user_data_export(alice)
    assert data["api_tokens"] == [{"created": instance.created, "expires_at": instance.expiry}]
    assert token not in repr(data) and instance.digest not in repr(data)


def test_delete_removes_every_row_and_file_of_the_user_and_nothing_of_others(alice, bob, file_contributor):
    for user in (alice, bob):
        default_storage.save(file_contributor(user), ContentFile(b"jpeg"))
        AuthToken.objects.create(user)
        LogEntry.objects.create(
            user=user, content_type=ContentType.objects.get_for_model(User), object_repr="x", action_flag=ADDITION
        )
    client = Client(REMOTE_ADDR="10.1.1.1")
    client.post("/accounts/login/", {"username": "alice", "password": "wrong"})
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    assert rows_referencing(alice.pk)
    alice_id = alice.pk

    response = client.post("/accounts/data/delete/", {"password": PASSWORD})

    assert response.status_code == 302
    assert not User.objects.filter(pk=alice_id).exists()
    assert rows_referencing(alice_id) == {}
    for model in (AccessAttempt, AccessFailureLog, AccessLog):
        assert not model.objects.filter(username="alice").exists()
    assert not Path(settings.PRIVATE_MEDIA_ROOT, file_contributor(alice)).exists()
    assert not any(Path(settings.PRIVATE_MEDIA_ROOT, "faces", str(alice_id)).glob("*"))
    # Bob keeps everything.
    assert default_storage.exists(file_contributor(bob))
    assert set(rows_referencing(bob.pk)) == {"knox.AuthToken.user", "admin.LogEntry.user"}


def test_delete_keeps_the_rows_when_a_contributor_fails(alice, registry):
    def broken(user):
        raise OSError("disk gone")

    registry.register("broken", export=lambda user: None, delete_files=broken)
    AuthToken.objects.create(alice)
    with pytest.raises(OSError):
        user_delete(alice)
    assert User.objects.filter(pk=alice.pk).exists()
    assert AuthToken.objects.filter(user=alice).exists()
