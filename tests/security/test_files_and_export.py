"""Face files are private to the server's user, deletion leaves no folder behind, and the
export holds login records and the kept images themselves.

Audit finding L6.
"""

import io
import json
import stat
import zipfile
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client
from rest_framework.test import APIClient

from accounts.tests.factories import PASSWORD
from detection.models import CheckIn
from detection.tests import images
from detection.tests.factories import CheckInFactory, kept_frame

pytestmark = pytest.mark.django_db


def kept_check_in(user) -> CheckIn:
    """A keeper's analysed check-in: its image stays in private storage (detection.services._frames_keep)."""
    user.keep_images = True
    user.save()
    check_in = CheckInFactory(owner=user, done=True)
    kept_frame(check_in)
    return check_in


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_face_files_and_their_folders_are_readable_by_the_server_user_only(alice):
    kept_check_in(alice)
    [stored] = images.stored_files()

    assert mode(stored) == 0o600
    folder = stored.parent
    while folder != settings.PRIVATE_MEDIA_ROOT:
        assert mode(folder) == 0o700, folder
        folder = folder.parent


def test_the_export_holds_failed_and_successful_logins_with_address_and_browser(alice):
    Client(REMOTE_ADDR="203.0.113.5", HTTP_USER_AGENT="Evil/1.0").post(
        "/accounts/login/", {"username": "alice", "password": "wrong"}
    )
    Client(REMOTE_ADDR="198.51.100.7", HTTP_USER_AGENT="Phone/2.0").post(
        "/accounts/login/", {"username": "alice", "password": PASSWORD}
    )
    api = APIClient()
    api.force_authenticate(alice)

    records = api.get("/api/v1/me/export/").json()["login_records"]

    assert {(r["ip_address"], r["user_agent"]) for r in records["logins"]} == {("198.51.100.7", "Phone/2.0")}
    assert {(r["ip_address"], r["user_agent"]) for r in records["failures"]} == {("203.0.113.5", "Evil/1.0")}


def test_the_export_page_offers_the_archive(alice):
    page = Client()
    page.force_login(alice)
    assert "/accounts/data/export/archive/" in page.get("/accounts/data/").content.decode()
    response = page.get("/accounts/data/export/archive/")
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"


def test_deleting_the_account_leaves_no_empty_folder(alice, django_capture_on_commit_callbacks):
    kept_check_in(alice)
    user_folder = images.stored_files()[0].parent
    page = Client()
    page.force_login(alice)

    with django_capture_on_commit_callbacks(execute=True):
        page.post("/accounts/data/delete/", {"password": PASSWORD})

    assert images.stored_files() == []
    assert not user_folder.exists()


def test_the_export_archive_holds_the_kept_images(alice):
    check_in = kept_check_in(alice)
    [stored] = images.stored_files()
    api = APIClient()
    api.force_authenticate(alice)

    response = api.get("/api/v1/me/export/archive/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(b"".join(response.streaming_content)))
    data = json.loads(archive.read("data.json"))
    assert data["user"]["username"] == "alice"
    [image_name] = [name for name in archive.namelist() if name.endswith(".jpg")]
    assert str(check_in.pk) in image_name
    assert archive.read(image_name) == stored.read_bytes()
