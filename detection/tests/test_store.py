"""The image store (detection.store): every backend forgets, and the retention rules hold through it."""

import time

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.services import user_consent_withdraw
from detection import files, messages, services, store
from detection.models import CheckIn, PendingImage
from detection.tests import images

pytestmark = pytest.mark.django_db
BACKENDS = ["memory", "database", "redis", "s3"]


@pytest.fixture
def s3_bucket(settings):
    """An S3 bucket faked in-process by moto: the django-storages code path, no network."""
    moto = pytest.importorskip("moto")
    boto3 = pytest.importorskip("boto3")
    pytest.importorskip("storages")
    with moto.mock_aws():
        boto3.client("s3", region_name="us-east-1").create_bucket(Bucket="symphony-test-images")
        settings.STORAGES = {
            **settings.STORAGES,
            "images": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {"bucket_name": "symphony-test-images", "region_name": "us-east-1", "location": "pending"},
            },
        }
        yield boto3.client("s3", region_name="us-east-1")


@pytest.fixture(params=BACKENDS)
def backend(request, settings):
    if request.param == "redis" and not settings.IMAGE_STORE_URL:
        pytest.skip("needs Redis: set REDIS_URL")
    if request.param == "s3":
        request.getfixturevalue("s3_bucket")
    settings.IMAGE_STORE = request.param
    return request.param


def upload(data: bytes) -> SimpleUploadedFile:
    return SimpleUploadedFile("me.jpg", data, content_type="image/jpeg")


@pytest.fixture
def no_worker(monkeypatch):
    """The check-in stays queued, as if every worker were down."""
    monkeypatch.setattr("detection.tasks.check_in_analyze_task.delay", lambda _id: None)


def test_images_come_back_in_order_and_go_when_deleted(backend):
    keys = store.images_put([b"first", b"second"])

    assert store.images_get(keys) == [b"first", b"second"]
    store.images_delete(keys)
    assert store.images_get(keys) is None


def test_an_image_past_its_ttl_is_gone(backend, settings):
    settings.IMAGE_STORE_TTL_S = 1
    keys = store.images_put([b"abandoned"])
    time.sleep(1.1)

    assert store.images_get(keys) is None
    store.images_purge_expired()
    assert store.BACKENDS[backend].get(keys) in ([None], [b"abandoned"])
    if backend in ("redis", "database", "memory"):  # S3: the bucket's lifecycle rule removes it
        assert store.BACKENDS[backend].get(keys) == [None]


def test_a_guessed_key_finds_nothing(backend):
    store.images_put([b"secret"])
    assert store.images_get([f"{int(time.time()) + 60}-{'0' * 32}-0"]) is None


def test_the_redis_backend_sets_a_ttl_on_the_key_itself(settings):
    if not settings.IMAGE_STORE_URL:
        pytest.skip("needs Redis: set REDIS_URL")
    settings.IMAGE_STORE = "redis"
    [key] = store.images_put([b"x"])

    ttl = store.RedisStore._client(settings.IMAGE_STORE_URL).ttl(store.PREFIX + key)
    assert 0 < ttl <= settings.IMAGE_STORE_TTL_S


def test_the_database_backend_purges_expired_rows(settings):
    settings.IMAGE_STORE = "database"
    settings.IMAGE_STORE_TTL_S = 1
    store.images_put([b"old"])
    time.sleep(1.1)
    settings.IMAGE_STORE_TTL_S = 60
    fresh = store.images_put([b"fresh"])

    files.purge_expired_images()
    assert list(PendingImage.objects.values_list("key", flat=True)) == fresh


class TestRetention:
    def test_an_abandoned_check_ins_image_expires_by_itself_and_the_analysis_then_fails(
        self, backend, user, on_commit, no_worker, settings
    ):
        settings.IMAGE_STORE_TTL_S = 1
        with on_commit():
            check_in = services.check_in_create(user=user, files=[upload(images.face_jpeg())], kind="upload")
        time.sleep(1.1)

        assert store.images_get(check_in.image_keys) is None
        services.check_in_analyze(check_in.pk)
        check_in.refresh_from_db()
        assert check_in.status == CheckIn.Status.FAILED and check_in.error == messages.IMAGE_GONE

    def test_withdrawing_consent_deletes_the_pending_images(self, backend, user, on_commit, no_worker):
        with on_commit():
            check_in = services.check_in_create(
                user=user, files=[upload(images.face_jpeg()) for _ in range(3)], kind="webcam"
            )
        keys = check_in.image_keys
        assert store.images_get(keys)

        with on_commit():
            user_consent_withdraw(user)

        assert store.BACKENDS[backend].get(keys) == [None, None, None]
        check_in.refresh_from_db()
        assert check_in.status == CheckIn.Status.FAILED and check_in.image_keys == []

    @pytest.mark.usefixtures("model_required")
    def test_the_images_are_gone_after_the_analysis(self, backend, user, on_commit):
        with on_commit():
            check_in = services.check_in_create(user=user, files=[upload(images.face_jpeg())], kind="upload")
        keys = check_in.image_keys

        check_in.refresh_from_db()
        assert check_in.status == CheckIn.Status.DONE, check_in.error
        assert store.BACKENDS[backend].get(keys) == [None]
        assert check_in.image_keys == [] and images.stored_files() == []

    @pytest.mark.usefixtures("model_required")
    def test_a_failed_analysis_deletes_its_images_too(self, backend, user, on_commit):
        user.keep_images = True
        user.save()
        with on_commit():
            check_in = services.check_in_create(user=user, files=[upload(images.no_face_jpeg())], kind="upload")
        keys = check_in.image_keys

        check_in.refresh_from_db()
        assert check_in.status == CheckIn.Status.FAILED
        assert store.BACKENDS[backend].get(keys) == [None] and images.stored_files() == []


@pytest.mark.usefixtures("model_required")
def test_the_embedded_mode_analyses_uploads_and_bursts_with_no_services(user, on_commit, settings):
    # bin/run's defaults: no Redis (memory store, notify off), tasks run in the web process.
    settings.REDIS_URL = settings.IMAGE_STORE_URL = None
    settings.IMAGE_STORE = "memory"
    assert settings.CELERY_TASK_ALWAYS_EAGER
    with on_commit():
        photo = services.check_in_create(user=user, files=[upload(images.face_jpeg())], kind="upload")
        burst = services.check_in_create(user=user, files=[upload(images.face_jpeg()) for _ in range(4)], kind="webcam")

    keys = photo.image_keys + burst.image_keys
    for check_in in (photo, burst):
        check_in.refresh_from_db()
        assert check_in.status == CheckIn.Status.DONE, check_in.error
        assert check_in.top_emotion == "happiness"
    assert burst.faces.count() == 4
    assert set(store.BACKENDS["memory"].get(keys)) == {None}


@pytest.mark.usefixtures("model_required")
def test_a_keepers_images_can_live_in_a_private_bucket_and_are_streamed_from_it(api, user, on_commit, settings):
    # PRIVATE_MEDIA_BUCKET: web processes on several machines read kept images from S3 (moto here).
    moto, boto3 = pytest.importorskip("moto"), pytest.importorskip("boto3")
    pytest.importorskip("storages")
    user.keep_images = True
    user.save()
    with moto.mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket="symphony-kept")
        settings.STORAGES = {
            **settings.STORAGES,
            "default": {
                "BACKEND": "storages.backends.s3.S3Storage",
                "OPTIONS": {"bucket_name": "symphony-kept", "region_name": "us-east-1", "location": "kept"},
            },
        }
        with on_commit():
            check_in = services.check_in_create(user=user, files=[upload(images.face_jpeg())], kind="upload")
        check_in.refresh_from_db()
        assert check_in.status == CheckIn.Status.DONE, check_in.error
        [kept] = [item["Key"] for item in s3.list_objects_v2(Bucket="symphony-kept")["Contents"]]
        assert kept.startswith(f"kept/faces/{user.pk}/")

        response = api.get(f"/api/v1/checkins/{check_in.pk}/image/")
        assert response.status_code == 200
        assert b"".join(response.streaming_content)[:3] == b"\xff\xd8\xff"

        with on_commit():
            services.check_ins_delete_all(user=user)
        assert "Contents" not in s3.list_objects_v2(Bucket="symphony-kept")
