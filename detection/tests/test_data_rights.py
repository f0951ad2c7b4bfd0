import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.tests.factories import PASSWORD
from detection import services
from detection.models import CheckIn, FaceResult
from detection.tests import images
from detection.tests.factories import FaceResultFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(user, on_commit, monkeypatch):
    user.keep_images = True
    user.save()
    monkeypatch.setattr("detection.tasks.check_in_analyze_task.delay", lambda _id: None)
    with on_commit():
        check_in = services.check_in_create(
            user=user, files=[SimpleUploadedFile("a.jpg", images.face_jpeg(), "image/jpeg")], kind="upload"
        )
    FaceResultFactory(check_in=check_in)
    return check_in


def test_the_export_lists_check_ins_and_faces_but_no_image_bytes(api, stored, outsider):
    FaceResultFactory(check_in__owner=outsider)

    export = api.get("/api/v1/me/export/").json()

    [item] = export["detection"]
    assert item["id"] == stored.pk
    assert item["stored_images"] == 1
    assert len(item["faces"]) == 1 and item["faces"][0]["box"] == [100, 80, 120, 120]


def test_deleting_the_account_removes_check_ins_and_image_files(api, user, stored, on_commit, outsider):
    FaceResultFactory(check_in__owner=outsider)
    assert len(images.stored_files()) == 1

    with on_commit():
        response = api.delete("/api/v1/me/", {"password": PASSWORD}, format="json")

    assert response.status_code == 204
    assert not CheckIn.objects.filter(owner_id=user.pk).exists()
    assert images.stored_files() == []
    assert FaceResult.objects.count() == 1  # the outsider's stays
