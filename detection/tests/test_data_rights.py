import pytest

from accounts.tests.factories import PASSWORD
from detection.models import CheckIn, FaceResult
from detection.tests import images
from detection.tests.factories import CheckInFactory, FaceResultFactory, kept_frame

pytestmark = pytest.mark.django_db


@pytest.fixture
def stored(user):
    user.keep_images = True
    user.save()
    check_in = CheckInFactory(owner=user, done=True)
    kept_frame(check_in)
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
